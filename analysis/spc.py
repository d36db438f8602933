"""Statistical process control: an XmR chart of a monthly series, read by the Making Data Count rules.

The result carries its polarity (direction of improvement), limits and every point's signals as data,
so a chart can be drawn from it without recalculating anything.
"""
from __future__ import annotations

import itertools
import math
import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.measures import POLARITIES

LIMIT_FACTOR = 2.66  # 3 / d2, with d2 = 1.128 for moving ranges of two points
TWO_SIGMA_FACTOR = 2 / 3 * LIMIT_FACTOR
RUN_LENGTH = 7  # points in a trend or a shift
FIRM_LIMIT_POINTS = 12  # fewer points: trial limits and no icon (NHSRplotthedots warns below 12)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
HIGH, LOW = 1, -1
SIDE_NAMES = {HIGH: "high", LOW: "low"}


@dataclass(frozen=True)
class ProcessLimits:
    mean: float
    mean_moving_range: float
    lower_process_limit: float
    upper_process_limit: float
    lower_two_sigma: float
    upper_two_sigma: float


@dataclass(frozen=True)
class ChartPoint:
    """One month: which rules flag it, the side of its special cause and what that means by polarity.

    `side` is "high", "low" or None (common cause); `signal` is "common cause", "improvement",
    "concern" or "neither" (special cause of a neutral measure).
    """

    month: str
    value: float
    beyond_limit: bool
    trend: bool
    shift: bool
    two_of_three: bool
    side: str | None
    signal: str


@dataclass(frozen=True)
class XmRChart:
    """XmR chart of the months with data; `limits` is None with fewer than 2 points, the icons with
    fewer than 12."""

    polarity: str
    target: float | None
    points: tuple[ChartPoint, ...]
    limits: ProcessLimits | None
    provisional: bool
    note: str | None
    variation_icon: str | None
    assurance_icon: str | None


def xmr_chart(series: pd.Series, polarity: str, target: float | None = None) -> XmRChart:
    """XmR chart with Making Data Count's special-cause rules, variation icon and assurance icon.

    Method (Wheeler, "Understanding Variation", 1993; NHS England and NHS Improvement, "Making Data
    Count", 2019): missing months are dropped (moving ranges then join the months either side of a
    gap); limits are mean +/- 2.66 x mean moving range, 2-sigma lines mean +/- (2/3) x 2.66 x mean
    moving range, with every moving range counted, as the Making Data Count Excel tool does (the
    NHSRplotthedots R package by default first screens out moving ranges above 3.267 x their mean).
    A point is special cause when (1) beyond a process limit; (2) in a run of 7+ points each higher
    (or each lower) than the last, a tie ending the run; (3) in a run of 7+ points on one side of the
    mean, a point on the mean ending the run; (4) beyond a 2-sigma line in 3 consecutive points that
    all lie on that side of the mean, 2 or 3 of them beyond the line (a point beyond a limit counts),
    as NHSRplotthedots has it since its fix #143 and the Making Data Count team's logic of 2023.
    Where rules disagree on a point's side, the first of limit, trend, 2-of-3, shift wins
    (NHSRplotthedots' order). Fewer than 12 points give trial (provisional) limits, which
    NHSRplotthedots flags as too short, and no icon: a handful of months is no reading.
    """
    validate_polarity(polarity)
    validate_monthly_series(series)
    validate_target(target)
    values = series.dropna().astype(float)
    limits = process_limits(values.to_numpy()) if len(values) >= 2 else None
    reading = limits if len(values) >= FIRM_LIMIT_POINTS else None
    sides = _rule_sides(values.to_numpy(), limits)
    points = tuple(_chart_point(month, value, sides[:, i], polarity)
                   for i, (month, value) in enumerate(values.items()))
    return XmRChart(
        polarity=polarity,
        target=None if target is None else float(target),
        points=points,
        limits=limits,
        provisional=len(values) < FIRM_LIMIT_POINTS,
        note=_note(len(values)),
        variation_icon=None if reading is None else _variation_icon(points[-1]),
        assurance_icon=_assurance_icon(reading, polarity, target),
    )


def validate_polarity(polarity: str) -> None:
    if polarity not in POLARITIES:
        raise ValueError(f"polarity: {polarity!r}, expected one of {', '.join(POLARITIES)}")


def validate_monthly_series(series: pd.Series) -> None:
    """Months 'YYYY-MM', unique and oldest first; values numbers or missing."""
    if not isinstance(series, pd.Series):
        raise TypeError(f"series: expected a pandas Series indexed by month, got {type(series).__name__}")
    for month in series.index:
        if not (isinstance(month, str) and MONTH.fullmatch(month)):
            raise ValueError(f"series: month {month!r} is not written 'YYYY-MM'")
    if not (series.index.is_unique and series.index.is_monotonic_increasing):
        raise ValueError("series: months must be unique and oldest first")
    for month, value in series.items():
        if not _number_or_missing(value):
            raise ValueError(f"series: value {value!r} for {month} is not a finite number")


def validate_target(target: float | None) -> None:
    if target is not None and not (_is_real(target) and math.isfinite(target)):
        raise ValueError(f"target: {target!r} is not a finite number")


def process_limits(values: np.ndarray) -> ProcessLimits:
    """Mean, mean moving range and the limits of an XmR chart (at least 2 values)."""
    mean = float(np.mean(values))
    mean_moving_range = float(np.mean(np.abs(np.diff(values))))
    return ProcessLimits(
        mean=mean,
        mean_moving_range=mean_moving_range,
        lower_process_limit=mean - LIMIT_FACTOR * mean_moving_range,
        upper_process_limit=mean + LIMIT_FACTOR * mean_moving_range,
        lower_two_sigma=mean - TWO_SIGMA_FACTOR * mean_moving_range,
        upper_two_sigma=mean + TWO_SIGMA_FACTOR * mean_moving_range,
    )


def _rule_sides(values: np.ndarray, limits: ProcessLimits | None) -> np.ndarray:
    """Rows beyond_limit, trend, shift, two_of_three: +1 (high) / -1 (low) where the rule flags a point."""
    if limits is None:
        return np.zeros((4, len(values)), dtype=int)
    beyond_limit = _beyond(values, limits.lower_process_limit, limits.upper_process_limit)
    shift = _run_members(np.sign(values - limits.mean), RUN_LENGTH)
    return np.array([beyond_limit, _trend_sides(values), shift, _two_of_three_sides(values, limits)])


def _trend_sides(values: np.ndarray) -> np.ndarray:
    """+1 / -1 for points in a run of 7+ rising / falling points; a point ending one run and starting
    the next takes the later run's direction (NHSRplotthedots)."""
    step_runs = _run_members(np.sign(np.diff(values)), RUN_LENGTH - 1)
    before, after = np.append(0, step_runs), np.append(step_runs, 0)
    return np.where(after != 0, after, before)


def _two_of_three_sides(values: np.ndarray, limits: ProcessLimits) -> np.ndarray:
    """Points beyond a 2-sigma line in a window of 3 consecutive points, all 3 on that side of the
    mean, with 2+ beyond that same line."""
    beyond = _beyond(values, limits.lower_two_sigma, limits.upper_two_sigma)
    of_mean = np.sign(values - limits.mean)
    sides = np.zeros(len(values), dtype=int)
    for start in range(len(values) - 2):
        window = beyond[start:start + 3]
        for side in (HIGH, LOW):
            if np.all(of_mean[start:start + 3] == side) and np.count_nonzero(window == side) >= 2:
                sides[start:start + 3][window == side] = side
    return sides


def _beyond(values: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """+1 above `upper`, -1 below `lower`, 0 on or between them."""
    return (values > upper).astype(int) - (values < lower).astype(int)


def _run_members(signs: np.ndarray, min_length: int) -> np.ndarray:
    """Each sign where it belongs to a run of at least `min_length` equal non-zero signs, else 0."""
    members = np.zeros(len(signs), dtype=int)
    position = 0
    for sign, run in itertools.groupby(signs):
        length = len(list(run))
        if sign != 0 and length >= min_length:
            members[position:position + length] = sign
        position += length
    return members


def _chart_point(month: str, value: float, sides: np.ndarray, polarity: str) -> ChartPoint:
    beyond_limit, trend, shift, two_of_three = sides
    side = next((s for s in (beyond_limit, trend, two_of_three, shift) if s != 0), 0)
    return ChartPoint(month, float(value), bool(beyond_limit), bool(trend), bool(shift), bool(two_of_three),
                      SIDE_NAMES.get(side), _signal(side, polarity))


def _signal(side: int, polarity: str) -> str:
    if side == 0:
        return "common cause"
    if polarity == "neutral":
        return "neither"
    return "concern" if (side == HIGH) == (polarity == "lower_is_better") else "improvement"


def _variation_icon(latest: ChartPoint) -> str:
    if latest.signal == "common cause":
        return "common cause"
    if latest.signal == "neither":
        return f"special cause neither ({latest.side})"
    return f"special cause {latest.signal}"


def _assurance_icon(limits: ProcessLimits | None, polarity: str, target: float | None) -> str | None:
    """Whether the process will meet the target: target outside the limits on the good or bad side."""
    if target is None or limits is None or polarity == "neutral":
        return None
    if limits.lower_process_limit <= target <= limits.upper_process_limit:
        return "hit and miss"
    target_above = target > limits.upper_process_limit
    meets = target_above == (polarity == "lower_is_better")
    return "consistently meets target" if meets else "consistently fails target"


def _note(points: int) -> str | None:
    if points < 2:
        return f"No process limits: {points} month(s) with data, at least 2 needed."
    if points < FIRM_LIMIT_POINTS:
        return (f"Too few months for an SPC reading: {points} months, at least {FIRM_LIMIT_POINTS} needed; "
                f"the limits drawn are provisional.")
    return None


def _number_or_missing(value: object) -> bool:
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return True
    return _is_real(value) and math.isfinite(value)


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)

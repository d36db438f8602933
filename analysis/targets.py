"""Targets by financial year (`data/targets.yml`) and the status rule that judges a measure against one.

Status rule (the dashboard's "on track?"), for each kind of target in the catalogue:
- reduction (on the same period last year): on track if the value is at or below last year's;
  at risk if above but not significantly; off track if significantly above.
- at_most / at_least a value: on track if the target is met; at risk if missed by no more than
  chance (the target lies inside the value's 95% interval); off track if missed by more.
- band (low to high): on track inside the band; at risk outside it but with the value's 95%
  interval reaching the band; off track if the interval lies wholly outside the band.
- none: "no target"; a value that cannot be computed: "not available".
A closed annual cohort (final figures) can no longer be on course or at risk: it "met" or "missed"
its target.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.local_data import LARGEST_COUNT
from analysis.measures import DECIMALS, Measure
from analysis.paths import TARGETS_FILE
from analysis.periods import PeriodError, Quarter
from analysis.yamlfile import read_yaml


# The targets a measure's statistic can take: percentages within 0-100 (a reduction, -100 to 100),
# counts and rates at least 0 and no larger than any count the project reads.
PLAUSIBLE = {"proportion": (0, 100), "percent_reduction": (-100, 100), "count": (0, LARGEST_COUNT),
             "rate_per_person": (0, LARGEST_COUNT)}


class TargetError(ValueError):
    """A targets file entry that names no measure, or does not fit the measure's kind of target."""


@dataclass(frozen=True)
class Status:
    key: str
    word: str
    symbol: str  # shown with the word, so status never relies on colour alone
    colour: str  # Okabe-Ito's hues, darkened to at least 4.5:1 against white (WCAG AA for text)


STATUSES = {
    "on_track": Status("on_track", "On track", "\u2714", "#007A59"),
    "at_risk": Status("at_risk", "At risk", "!", "#8F5C00"),
    "off_track": Status("off_track", "Off track", "\u2716", "#B23B00"),
    "met": Status("met", "Met", "\u2713", "#007A59"),
    "missed": Status("missed", "Missed", "\u2717", "#B23B00"),
    "no_target": Status("no_target", "No target", "\u2013", "#56575A"),
    "not_available": Status("not_available", "Not available", "?", "#6B6B6B"),
}


@dataclass(frozen=True)
class Target:
    kind: str  # at_most | at_least | band
    value: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class TargetCheck:
    """How a value stands against its target: `gap` is value minus target (nearest band edge)."""

    target: Target
    met: bool
    gap: float
    gap_beyond_chance: bool
    position: str | None = None  # bands: inside | above | below


def load_targets(data_dir: Path, measures: list[Measure]) -> dict[tuple[str, str], Target]:
    """(financial year, measure id) -> target; every entry checked against the catalogue."""
    path = Path(data_dir) / TARGETS_FILE
    try:
        years = read_yaml(path) or {}
    except OSError as error:
        raise TargetError(f"{path}: cannot be read ({error})") from error
    if not isinstance(years, dict):
        raise TargetError(f"{path}: expected financial years, each a mapping of measure id -> target, got {years!r:.60}")
    by_id = {measure.id: measure for measure in measures}
    targets, seen = {}, set()
    for year, entries in years.items():
        try:
            financial_year = Quarter.parse(f"{year} Q1").financial_year  # 2022/23 is 2022-23
        except PeriodError:
            raise TargetError(f"{path}: {year!r} is not a financial year such as 2022-23") from None
        if financial_year in seen:
            raise TargetError(f"{path}, {year}: {financial_year} is given twice (written two ways); expected one "
                              f"entry per year")
        year = financial_year
        seen.add(year)
        if not isinstance(entries or {}, dict):
            raise TargetError(f"{path}, {year}: expected a mapping of measure id -> target, got {entries!r:.60}")
        for measure_id, values in (entries or {}).items():
            where = f"{path}, {year}, {measure_id}"
            if measure_id not in by_id:
                raise TargetError(f"{where}: no measure of that id in the catalogue")
            targets[(str(year), measure_id)] = _target(where, by_id[measure_id], values)
    return targets


def _target(where: str, measure: Measure, values: object) -> Target:
    kind = measure.target
    if kind not in ("at_most", "at_least", "band"):
        raise TargetError(f"{where}: the catalogue's target for this measure is {kind!r}, which takes no value")
    needed = ("low", "high") if kind == "band" else ("value",)
    if not isinstance(values, dict) or set(values) != set(needed) or not all(
            isinstance(values[key], (int, float)) and not isinstance(values[key], bool) for key in needed):
        raise TargetError(f"{where}: {kind} target needs {' and '.join(needed)} as numbers, got {values!r:.100}")
    low, high = PLAUSIBLE[measure.statistic]
    decimals = DECIMALS[measure.statistic]
    for key in needed:
        if not low <= values[key] <= high:  # also NaN, and integers too large for a float
            raise TargetError(f"{where}: {key} {values[key]!r:.40} is not a target for {measure.unit}; expected a "
                              f"number from {low:,} to {high:,}")
        if round(values[key], decimals) != values[key]:
            raise TargetError(f"{where}: {key} {values[key]!r} has more decimals than the paper shows for "
                              f"{measure.unit} ({decimals}); expected e.g. {round(values[key], decimals):g}, so a "
                              f"figure and its target never read alike while one misses the other")
    if kind == "band" and values["low"] > values["high"]:
        raise TargetError(f"{where}: band low {values['low']:g} is above high {values['high']:g}")
    return Target(kind, **{key: float(values[key]) for key in needed})


def check_target(target: Target, value: float, interval: tuple[float, float]) -> TargetCheck:
    """Met or missed, by how much, and whether the miss is larger than chance (the interval excludes it)."""
    low, high = interval
    if target.kind == "at_most":
        return TargetCheck(target, value <= target.value, value - target.value, low > target.value)
    if target.kind == "at_least":
        return TargetCheck(target, value >= target.value, value - target.value, high < target.value)
    if value < target.low:
        return TargetCheck(target, False, value - target.low, high < target.low, "below")
    if value > target.high:
        return TargetCheck(target, False, value - target.high, low > target.high, "above")
    return TargetCheck(target, True, 0.0, False, "inside")


def status_against_target(check: TargetCheck, closed: bool = False) -> Status:
    """`closed`: final figures of a period that has ended (an annual cohort), judged met or missed."""
    if closed:
        return STATUSES["met" if check.met else "missed"]
    if check.met:
        return STATUSES["on_track"]
    return STATUSES["off_track" if check.gap_beyond_chance else "at_risk"]


def status_against_last_year(change: float, significant: bool) -> Status:
    """A reduction target: no rise is on track, a rise within chance is at risk, a real rise off track."""
    if change <= 0:
        return STATUSES["on_track"]
    return STATUSES["off_track" if significant else "at_risk"]

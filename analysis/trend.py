"""The six-month trend: "current trends based upon the past six months", from a log-linear regression."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.spc import validate_monthly_series, validate_polarity

# statsmodels is imported where it is used: a notebook opening a cached report never loads it.

TREND_MONTHS = 6
MINIMUM_MONTHS = 4
NOT_AVAILABLE = "not available"
NO_CLEAR_TREND = "no clear trend"


@dataclass(frozen=True)
class SixMonthTrend:
    """Monthly % change (100 x (exp(slope) - 1)) with its interval; None where `label` is "not available".

    `dispersion` is Pearson chi2 / residual df of the Poisson fit; `quasi_poisson` says whether it
    was used as the scale (see `six_month_trend`). `reason` says why a trend is not available.
    """

    label: str
    months_used: int
    monthly_percent_change: float | None
    percent_change_low: float | None
    percent_change_high: float | None
    p_value: float | None
    level: float
    dispersion: float | None
    quasi_poisson: bool
    reason: str | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 1 - self.level


def six_month_trend(series: pd.Series, polarity: str, level: float = 0.95,
                    exposure: pd.Series | None = None) -> SixMonthTrend:
    """Trend of the counts in the six calendar months ending at the series' latest month.

    With `exposure` (each month's denominator: cases, respondents), the trend is that of the rate
    count / exposure: the same regression with log(exposure) as an offset, so a proportion's
    monthly % change is relative to the proportion (a log-linear model of the rate, ibid. ch. 6).

    Method: Poisson regression of count on month number (GLM, Poisson family, log link; McCullagh and
    Nelder, "Generalized Linear Models", 2nd ed., 1989, ch. 6), months missing from the data left
    out (not counted as zero, and not closing the gap). Dispersion: when Pearson chi2 / residual df
    exceeds 1 the counts are over-dispersed, and the fit is quasi-Poisson (ibid., ch. 9): the scale
    is that ratio (statsmodels `GLM.fit(scale="X2")`) and tests and intervals use Student's t on the
    residual df, as the scale is estimated. Crime counts are usually over-dispersed (seasonality,
    repeat incidents), and plain Poisson errors would then call chance wobbles trends. When the
    ratio is 1 or less, the Poisson scale of 1 is kept (with normal tests): from 4 to 6 points an
    apparent under-dispersion is mostly chance, and shrinking the errors below Poisson would
    overstate certainty. Only a slope significant at `level` gets a direction: "improving" or
    "worsening" by polarity, "rising" or "falling" for neutral measures. Fewer than 4 months with
    data, no counts, or counts all in the first or the last month (no finite slope): "not available".
    """
    validate_polarity(polarity)
    validate_monthly_series(series)
    _validate_counts(series)
    if not 0 < level < 1:
        raise ValueError(f"level: {level!r}, expected a number between 0 and 1")
    counts = _recent_counts(series)
    offset = None if exposure is None else np.log(exposure.reindex(counts.index).to_numpy(dtype=float))
    months = np.array([_month_number(month) for month in counts.index], dtype=float)
    if len(counts) < MINIMUM_MONTHS:
        return _not_available(len(counts), level, f"only {len(counts)} of the last {TREND_MONTHS} months "
                                                  f"have data (at least {MINIMUM_MONTHS} needed)")
    if not _slope_is_finite(months, counts.to_numpy()):
        return _not_available(len(counts), level, "no counts, or all in the first or last month: no finite slope")
    return _fitted_trend(months - months[0], counts.to_numpy(), polarity, level, offset)


def _fitted_trend(months: np.ndarray, counts: np.ndarray, polarity: str, level: float,
                  offset: np.ndarray | None = None) -> SixMonthTrend:
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    model = sm.GLM(counts, sm.add_constant(months), family=sm.families.Poisson(), offset=offset)
    with warnings.catch_warnings():
        # statsmodels warns whenever the fit is exact (e.g. 10 x 2^t); slopes that truly run off to
        # infinity were already refused by `_slope_is_finite`.
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        poisson_fit = model.fit()
    dispersion = float(poisson_fit.pearson_chi2 / poisson_fit.df_resid)
    quasi_poisson = dispersion > 1
    fit = model.fit(scale="X2", use_t=True) if quasi_poisson else poisson_fit
    slope, p_value = float(fit.params[1]), float(fit.pvalues[1])
    slope_low, slope_high = fit.conf_int(alpha=1 - level)[1]
    return SixMonthTrend(
        label=_label(slope, p_value < 1 - level, polarity),
        months_used=len(counts),
        monthly_percent_change=_percent_change(slope),
        percent_change_low=_percent_change(slope_low),
        percent_change_high=_percent_change(slope_high),
        p_value=p_value,
        level=level,
        dispersion=dispersion,
        quasi_poisson=quasi_poisson,
        reason=None,
    )


def _recent_counts(series: pd.Series) -> pd.Series:
    """The series' last TREND_MONTHS calendar months (ending at its latest month), missing months dropped."""
    if series.empty:
        return series
    month_numbers = np.array([_month_number(month) for month in series.index])
    return series[month_numbers > month_numbers[-1] - TREND_MONTHS].dropna().astype(float)


def _slope_is_finite(months: np.ndarray, counts: np.ndarray) -> bool:
    """The Poisson slope has a finite estimate unless every count sits in the first or the last month."""
    return counts[months > months.min()].sum() > 0 and counts[months < months.max()].sum() > 0


def _label(slope: float, significant: bool, polarity: str) -> str:
    if not significant or slope == 0:
        return NO_CLEAR_TREND
    rising = slope > 0
    if polarity == "neutral":
        return "rising" if rising else "falling"
    return "worsening" if rising == (polarity == "lower_is_better") else "improving"


def _not_available(months_used: int, level: float, reason: str) -> SixMonthTrend:
    return SixMonthTrend(NOT_AVAILABLE, months_used, None, None, None, None, level, None, False, reason)


def _validate_counts(series: pd.Series) -> None:
    counts = series.dropna()
    negative = counts[counts < 0]
    if not negative.empty:
        raise ValueError(f"series: counts must be >= 0, got {negative.iloc[0]} for {negative.index[0]}")


def _month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7])


def _percent_change(slope: float) -> float:
    return 100 * math.expm1(slope)

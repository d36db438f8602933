"""Significance of a change between two counts, e.g. a quarter against the same quarter last year."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

# statsmodels is imported where it is used: a notebook opening a cached report never loads it.

SIGNIFICANCE_LEVEL = 0.95


@dataclass(frozen=True)
class CountComparison:
    """Current against previous count, with the rate ratio (current / previous) and its interval.

    `rate_ratio` is None when the previous count is 0 (the ratio is not defined); `ratio_high` is
    infinite when the interval has no upper bound.
    """

    current: int
    previous: int
    rate_ratio: float | None
    ratio_low: float
    ratio_high: float
    p_value: float
    level: float

    @property
    def significant(self) -> bool:
        return self.p_value < 1 - self.level

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def percent_change(self) -> float | None:
        """Change as a % of the previous count; None when the previous count is 0."""
        return None if self.previous == 0 else 100 * self.change / self.previous


def compare_counts(
    current: int,
    previous: int,
    current_exposure: float = 1.0,
    previous_exposure: float = 1.0,
    level: float = SIGNIFICANCE_LEVEL,
) -> CountComparison:
    """Exact conditional test of two Poisson counts, with the exact interval of their rate ratio.

    Method: given the total n = current + previous, the current count is binomial with
    p = r*e1 / (r*e1 + e2) under rate ratio r (Przyborowski and Wilenski, 1940). The interval is the
    Clopper-Pearson interval of p mapped back to r = p/(1-p) * e2/e1 (Rothman, Greenland and Lash,
    Modern Epidemiology, 3rd ed., 2008, ch. 14); the p-value is the test that interval inverts: twice
    the smaller one-sided exact binomial p-value of r = 1, at most 1 (statsmodels
    `test_poisson_2indep`, method 'exact-cond', each side). So p < 0.05 exactly when the 95% interval
    leaves out 1. (The two-sided "minimum likelihood" p-value, R's poisson.test and statsmodels'
    default, can contradict the interval when exposures differ: 5 against 15 at 311 and 334 gives
    p = 0.044 with an interval of 0.10 to 1.04.) Exposures are population (or person-time); equal
    exposures compare the counts themselves, where the two p-values agree.
    """
    if current < 0 or previous < 0:
        raise ValueError(f"counts must be >= 0, got {current} and {previous}")
    exposure_ratio = previous_exposure / current_exposure
    if current + previous == 0:
        return CountComparison(0, 0, None, 0.0, math.inf, 1.0, level)
    from statsmodels.stats.proportion import proportion_confint
    from statsmodels.stats.rates import test_poisson_2indep

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # statsmodels divides by a zero count
        p_value = 2 * min(float(test_poisson_2indep(current, current_exposure, previous, previous_exposure,
                                                    method="exact-cond", alternative=side).pvalue)
                          for side in ("larger", "smaller"))
    p_low, p_high = proportion_confint(current, current + previous, alpha=1 - level, method="beta")
    ratio_low = _odds(p_low) * exposure_ratio
    ratio_high = _odds(p_high) * exposure_ratio
    rate_ratio = None if previous == 0 else (current / current_exposure) / (previous / previous_exposure)
    return CountComparison(current, previous, rate_ratio, ratio_low, ratio_high, min(p_value, 1.0), level)


def rate_per(count: int, population: int, per: int = 1000) -> float:
    """Crude rate: events per `per` residents."""
    return per * count / population


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)

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
    dispersion: float = 1.0  # variance over Poisson's that the test and interval allowed for

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


def compare_dispersed_counts(current: int, previous: int, current_exposure: float, previous_exposure: float,
                             dispersion: float, level: float = SIGNIFICANCE_LEVEL) -> CountComparison:
    """`compare_counts` for counts whose variance is `dispersion` times their mean (quasi-Poisson).

    Method: a count with variance phi x mean carries the information of count / phi Poisson events
    (McCullagh and Nelder, Generalized Linear Models, 2nd ed., 1989, section 4.5), so the exact test
    and interval are those of the counts divided by phi, rounded to whole events; the rate ratio is
    that of the counts themselves. A dispersion of 1 is `compare_counts`.
    """
    if not (math.isfinite(dispersion) and dispersion >= 1):
        raise ValueError(f"dispersion must be a finite number >= 1, got {dispersion}")
    effective = compare_counts(round(current / dispersion), round(previous / dispersion),
                               current_exposure, previous_exposure, level)
    rate_ratio = None if previous == 0 else (current / current_exposure) / (previous / previous_exposure)
    return CountComparison(current, previous, rate_ratio, effective.ratio_low, effective.ratio_high,
                           effective.p_value, level, dispersion)


def dispersion_between(counts: list[int], exposures: list[float]) -> float:
    """Variance-to-mean ratio of cohorts' counts about their pooled rate, at least 1.

    Method: Pearson's X^2 / (n - 1) with expected counts at the pooled rate, the quasi-Poisson
    scale estimate (McCullagh and Nelder 1989, section 4.5.2); 1 with fewer than 3 cohorts. Any real
    change between cohorts adds to it, so it errs towards caution.
    """
    if len(counts) < 3 or sum(counts) == 0:
        return 1.0
    rate = sum(counts) / sum(exposures)
    pearson = sum((count - rate * exposure) ** 2 / (rate * exposure) for count, exposure in zip(counts, exposures))
    return max(1.0, pearson / (len(counts) - 1))


def dispersion_within(offenders: int, reoffenders: int, reoffences: int) -> float:
    """The least variance-to-mean ratio of re-offences per offender that a cohort's counts allow, at least 1.

    Method: with a share p of offenders re-offending, m re-offences each on average, the count per
    offender has mean p m and variance at least p m^2 (1 - p) (equal when every re-offender commits
    m), so its variance is at least m (1 - p) times its mean: re-offences cluster in re-offenders.
    National youth cohorts (MoJ, April 2013: p = 0.43, m = 3.4) give about 1.9.
    """
    if reoffenders == 0:
        return 1.0
    share, each = reoffenders / offenders, reoffences / reoffenders
    return max(1.0, each * (1 - share))


def rate_per(count: int, population: int, per: int = 1000) -> float:
    """Crude rate: events per `per` residents."""
    return per * count / population


def _odds(p: float) -> float:
    return math.inf if p >= 1 else p / (1 - p)

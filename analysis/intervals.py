"""Confidence intervals for counts, rates and proportions, as PHE's PHEindicatormethods has them.

Levels are fractions (0.95, 0.998). A missing (NaN) count or denominator gives NaN results, as in
PHE.
"""
from __future__ import annotations

import math

from scipy.stats import chi2, norm
# statsmodels is imported where it is used: a notebook opening a cached report never loads it.

EXACT_BELOW = 10  # PHE: exact Poisson limits below 10 events, Byar's from 10 up


def z_for_level(level: float) -> float:
    """Standard normal quantile leaving (1 - level) / 2 in each tail (1.96 for 0.95)."""
    if not 0 < level < 1:
        raise ValueError(f"level must be a fraction between 0 and 1, got {level}")
    return float(norm.ppf(1 - (1 - level) / 2))


def _check_not_negative(*values: float) -> None:
    if any(value < 0 for value in values):
        raise ValueError(f"counts and denominators must be >= 0, got {values}")


def wilson(successes: float, trials: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion, without continuity correction.

    Method: Wilson (1927), "Probable inference, the law of succession, and statistical inference",
    JASA 22:209-212, as in PHE's wilson_lower/wilson_upper; computed by statsmodels
    `proportion_confint(method="wilson")`, which is the same formula.
    """
    from statsmodels.stats.proportion import proportion_confint

    _check_not_negative(successes, trials)
    low, high = proportion_confint(successes, trials, alpha=1 - level, method="wilson")
    return float(low), float(high)


def byar(count: float, level: float = 0.95) -> tuple[float, float]:
    """Byar's approximation to the exact Poisson interval of a count (count > 0).

    Method: Breslow and Day (1987), Statistical Methods in Cancer Research vol. II, p. 69:
    lower = O (1 - 1/(9 O) - z / (3 sqrt O))^3,
    upper = (O+1) (1 - 1/(9 (O+1)) + z / (3 sqrt(O+1)))^3.
    The lower limit is the formula's value even where it goes negative (1 event at 99.8%), as in
    PHE's byars_lower.
    """
    _check_not_negative(count)
    if count == 0:
        raise ValueError("Byar's limits need at least 1 event; use exact_poisson for 0")
    z = z_for_level(level)
    low = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
    after = count + 1
    high = after * (1 - 1 / (9 * after) + z / (3 * math.sqrt(after))) ** 3
    return low, high


def exact_poisson(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) Poisson interval of a count from chi-squared quantiles.

    Method: Garwood (1936), "Fiducial limits for the Poisson distribution", Biometrika 28:437-442:
    lower = chi2(alpha/2; 2 O) / 2 (0 when O = 0), upper = chi2(1 - alpha/2; 2 O + 2) / 2.
    """
    _check_not_negative(count)
    tail = (1 - level) / 2
    low = 0.0 if count == 0 else float(chi2.ppf(tail, 2 * count)) / 2
    return low, float(chi2.ppf(1 - tail, 2 * count + 2)) / 2


def count_interval(count: float, level: float = 0.95) -> tuple[float, float]:
    """PHE's interval for a count: exact Poisson below 10 events, Byar's from 10 up.

    Method: PHE Fingertips "Technical guide: confidence intervals"; PHEindicatormethods phe_rate.
    """
    return exact_poisson(count, level) if count < EXACT_BELOW else byar(count, level)


def rate_interval(count: float, denominator: float, multiplier: float = 1000,
                  level: float = 0.95) -> tuple[float, float, float]:
    """Crude rate per `multiplier` with its interval, as PHEindicatormethods phe_rate (v2.1.0).

    Method: the count's interval (`count_interval`) divided by the denominator.
    """
    _check_not_negative(denominator)
    low, high = count_interval(count, level)
    scale = multiplier / denominator
    return count * scale, low * scale, high * scale


def proportion_interval(successes: float, trials: float, multiplier: float = 100,
                        level: float = 0.95) -> tuple[float, float, float]:
    """Proportion per `multiplier` (100 = percentage) with its Wilson interval, as phe_proportion.

    Method: Wilson (1927) score interval, scaled by the multiplier (PHEindicatormethods v2.1.0).
    """
    low, high = wilson(successes, trials, level)
    return multiplier * successes / trials, multiplier * low, multiplier * high


def newcombe_difference(x1: int, n1: int, x2: int, n2: int,
                        level: float = 0.95) -> tuple[float, float, float]:
    """Difference p1 - p2 of two independent proportions with Newcombe's hybrid score interval.

    Method 10 of Newcombe (1998), "Interval estimation for the difference between independent
    proportions: comparison of eleven methods", Statistics in Medicine 17:873-890: with Wilson
    limits (l1, u1) and (l2, u2), the interval is d - sqrt((p1-l1)^2 + (u2-p2)^2) to
    d + sqrt((u1-p1)^2 + (p2-l2)^2).
    """
    p1, p2 = x1 / n1, x2 / n2
    low1, high1 = wilson(x1, n1, level)
    low2, high2 = wilson(x2, n2, level)
    difference = p1 - p2
    below = math.hypot(p1 - low1, high2 - p2)
    above = math.hypot(high1 - p1, p2 - low2)
    return difference, difference - below, difference + above


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the test that two independent proportions are equal.

    Method: the pooled z-test, z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with the pooled
    p = (x1 + x2) / (n1 + n2), i.e. the score test and Pearson's chi-squared test without continuity
    correction (Fleiss, Levin and Paik (2003), Statistical Methods for Rates and Proportions, 3rd
    ed., ch. 6). statsmodels `proportions_ztest` computes exactly this (pooled variance by default);
    `test_proportions_2indep` is not used because its default, Agresti-Caffo, adds pseudo-counts.
    """
    if x1 + x2 in (0, n1 + n2):
        return 1.0  # all failures or all successes: no evidence of a difference (z is 0/0)
    from statsmodels.stats.proportion import proportions_ztest

    _, p_value = proportions_ztest([x1, x2], [n1, n2])
    return float(p_value)

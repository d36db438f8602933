"""Funnel plot control limits around a baseline (the county value), as PHE's phe_funnels draws them.

Method: Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202, as implemented in PHEindicatormethods v2.1.0 (phe_funnels and
phe_funnel_significance) for PHE's Fingertips. Baselines and limits are per `multiplier`
(per 1,000 residents, or per 100 for a percentage). PHE draws two pairs of limits, at 95% ("2s")
and 99.8% ("3s").

Limits may also be widened for overdispersion, the spread between districts beyond chance, by
Spiegelhalter's additive random-effects method with winsorised z-scores (`overdispersion`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from analysis.intervals import exact_poisson, z_for_level

TWO_SIGMA = 0.95  # 0.025 outside each limit
THREE_SIGMA = 0.998  # 0.001 outside each limit
FUNNEL_LEVELS = (TWO_SIGMA, THREE_SIGMA)

HIGHER, SIMILAR, LOWER = "higher", "similar", "lower"

OVERDISPERSED, POISSON = "overdispersed", "poisson"
DISTRICT_LIMITS = (OVERDISPERSED, POISSON)
WINSORISED = 0.1  # of z-scores pulled in at each end (at least one) before estimating overdispersion


@dataclass(frozen=True)
class Overdispersion:
    """How much more the areas vary than chance allows: `phi` is the mean squared (winsorised)
    z-score, 1 where the spread is chance alone; `tau2` the between-area variance added to each
    area's own, on the scale of the z-scores (square-root ratio for rates, proportion for %)."""

    phi: float
    tau2: float
    areas: int


def rate_z_scores(events: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Z-scores of observed against expected counts on the square-root scale, 2 (sqrt O - sqrt E):
    y = sqrt(O / E) has target 1 and standard error 1 / (2 sqrt E) (Spiegelhalter 2005, appendix)."""
    return 2 * (np.sqrt(np.asarray(events, float)) - np.sqrt(np.asarray(expected, float)))


def proportion_z_scores(proportions: np.ndarray, denominators: np.ndarray, baseline: float) -> np.ndarray:
    """(p - p0) / sqrt(p0 (1 - p0) / n), proportions as fractions."""
    return (np.asarray(proportions, float) - baseline) / np.sqrt(baseline * (1 - baseline) / np.asarray(denominators, float))


def overdispersion(z_scores: np.ndarray, standard_errors: np.ndarray) -> Overdispersion:
    """Overdispersion of areas' z-scores, and the between-area variance that allows for it.

    Method: Spiegelhalter (2005), "Handling over-dispersion of performance indicators", Qual Saf
    Health Care 14:347-351, and its appendix. Winsorise the z-scores: the lowest 10% are set to the
    next lowest and the highest 10% to the next highest, at least one at each end (Tukey's
    winsorising by count: with a county's seven or so districts, 10% by percentile would leave one
    outlying district free to widen everyone's limits); phi = mean of the squared winsorised
    z-scores; then the DerSimonian-Laird moment estimate tau2 = (I phi - (I - 1)) / (sum w - sum w^2
    / sum w), with w = 1 / s^2 and I areas, or 0 where I phi <= I - 1 (no more spread than chance)
    or I < 3 (too few areas to tell).
    """
    from scipy.stats import mstats

    z_scores, standard_errors = np.asarray(z_scores, float), np.asarray(standard_errors, float)
    areas = len(z_scores)
    if areas < 3:
        return Overdispersion(float(np.mean(z_scores ** 2)) if areas else 1.0, 0.0, areas)
    cut = max(1, math.floor(WINSORISED * areas)) / areas
    phi = float(np.mean(np.asarray(mstats.winsorize(z_scores, limits=(cut, cut))) ** 2))
    weights = 1 / standard_errors ** 2
    spread = areas * phi - (areas - 1)
    tau2 = max(0.0, spread / (weights.sum() - (weights ** 2).sum() / weights.sum())) if spread > 0 else 0.0
    return Overdispersion(phi, float(tau2), areas)


def overdispersed_rate_limits(expected: float, baseline: float, tau2: float,
                              level: float = TWO_SIGMA) -> tuple[float, float]:
    """Limits of a rate whose expected count is `expected`, widened by `tau2` on the square-root
    scale: baseline * (1 -/+ z sqrt(1 / (4E) + tau2))^2, the lower cut at 0 (Spiegelhalter 2005)."""
    half_width = z_for_level(level) * math.sqrt(1 / (4 * expected) + tau2)
    return baseline * max(0.0, 1 - half_width) ** 2, baseline * (1 + half_width) ** 2


def overdispersed_proportion_limits(denominator: float, baseline: float, tau2: float, multiplier: float = 100,
                                    level: float = TWO_SIGMA) -> tuple[float, float]:
    """p0 -/+ z sqrt(p0 (1 - p0) / n + tau2), cut to 0 and to 100% (Spiegelhalter 2005)."""
    proportion = baseline / multiplier
    half_width = z_for_level(level) * math.sqrt(proportion * (1 - proportion) / denominator + tau2)
    return multiplier * max(0.0, proportion - half_width), multiplier * min(1.0, proportion + half_width)


def rate_funnel_populations(events: float, baseline: float, multiplier: float = 1000,
                            level: float = TWO_SIGMA) -> tuple[float, float]:
    """Populations at which `events` events sit on the lower and on the upper control limit.

    Method (phe_funnels, statistic "rate"): the rate funnel is drawn against the number of events
    O. O is on the lower limit in the population whose expected count, baseline * population /
    multiplier, is O's exact upper Poisson limit, and on the upper limit where it is O's exact lower
    limit (Garwood 1936). PHE finds those limits by bisection; here they are chi-squared quantiles.
    PHE's *_population_1_year columns are these populations divided by the years of data.
    """
    if not events >= 1:
        raise ValueError(f"a rate funnel starts at 1 event, got {events}")
    count_low, count_high = exact_poisson(events, level)
    rate_per_person = baseline / multiplier
    return count_high / rate_per_person, count_low / rate_per_person


def rate_funnel_limits(events: float, baseline: float, multiplier: float = 1000,
                       level: float = TWO_SIGMA) -> tuple[float, float]:
    """Lower and upper control limits (rates per `multiplier`) of a rate funnel at `events` events.

    Method (phe_funnels, statistic "rate"): the rate of `events` in the populations of
    `rate_funnel_populations`, i.e. baseline * O / U(O) and baseline * O / L(O) with (L, U) the
    exact Poisson interval of O. A crude or directly standardised rate is compared with the limits
    at its own number of events. PHE's phe_funnel_significance uses Byar's limits from 10 events
    (`count_interval`) instead, so an area right on a line could be labelled otherwise there; it
    does not label a DSR of under 10 events.
    """
    lower_population, upper_population = rate_funnel_populations(
        events, baseline, multiplier, level)
    return events * multiplier / lower_population, events * multiplier / upper_population


def proportion_funnel_limits(denominator: float, baseline: float, multiplier: float = 100,
                             level: float = TWO_SIGMA) -> tuple[float, float]:
    """Lower and upper control limits (per `multiplier`) of a proportion funnel at a denominator.

    Method (phe_funnels, statistic "proportion"): with the baseline as a proportion p, the limits
    are p -/+ z sqrt(p (1 - p) / n), the proportions whose Wilson score interval just reaches p
    (PHE's sigma_adjustment is this, rearranged), cut to 0 and to 100%. PHE caps at 100 whatever
    the multiplier; here the cap is the multiplier, which is the same for percentages.
    """
    proportion = baseline / multiplier
    half_width = z_for_level(level) * math.sqrt(proportion * (1 - proportion) / denominator)
    lower, upper = max(0.0, proportion - half_width), min(1.0, proportion + half_width)
    return multiplier * lower, multiplier * upper


def label_area(value: float, lower_limit: float, upper_limit: float) -> str:
    """HIGHER than the baseline above the upper limit, LOWER below the lower limit, else SIMILAR.

    Method: phe_funnel_significance, where a value on a limit is not significant; pass the limits
    at the chosen level (TWO_SIGMA or THREE_SIGMA) and at the area's own denominator or events.
    """
    if value > upper_limit:
        return HIGHER
    if value < lower_limit:
        return LOWER
    return SIMILAR

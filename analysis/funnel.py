"""Funnel plot control limits around a baseline (the county value), as PHE's phe_funnels draws them.

Method: Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202, as implemented in PHEindicatormethods v2.1.0 (phe_funnels and
phe_funnel_significance) for PHE's Fingertips. Baselines and limits are per `multiplier`
(per 1,000 residents, or per 100 for a percentage). PHE draws two pairs of limits, at 95% ("2s")
and 99.8% ("3s").
"""
from __future__ import annotations

import math

from analysis.intervals import exact_poisson, z_for_level

TWO_SIGMA = 0.95  # 0.025 outside each limit
THREE_SIGMA = 0.998  # 0.001 outside each limit
FUNNEL_LEVELS = (TWO_SIGMA, THREE_SIGMA)

HIGHER, SIMILAR, LOWER = "higher", "similar", "lower"


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

"""Assess every measure of the catalogue for a quarter and an area.

For each measure and period: the value with its interval, the change on the same period last year
(or the previous cohort) with its test, the target check and dashboard status, the six-month trend,
the SPC signal of the monthly series, and how the districts compare.
"""
from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import paths, series
from analysis.areas import Area
from analysis.dataset import DataError, Dataset
from analysis.events import KnownEvent, spanned
from analysis.funnel import (OVERDISPERSED, THREE_SIGMA, TWO_SIGMA, label_area, overdispersed_proportion_limits,
                             overdispersed_rate_limits, overdispersion, proportion_funnel_limits,
                             proportion_z_scores, rate_funnel_limits, rate_z_scores)
from analysis.intervals import (count_interval, newcombe_difference, proportion_interval, rate_interval,
                                two_proportion_test, wilson)
from analysis.measures import Measure
from analysis.periods import PeriodError, Quarter, month_name, months_ending, window_label, window_months, year_earlier
from analysis.spc import XmRChart, xmr_chart
from analysis.stats import (SIGNIFICANCE_LEVEL, compare_counts, compare_dispersed_counts, dispersion_between,
                            dispersion_within)
from analysis.targets import (STATUSES, Status, TargetCheck, check_target, status_against_last_year,
                              status_against_target)
from analysis.trend import SixMonthTrend, six_month_trend

SPC_MONTHS = 24
TREND_MONTHS = 6


@dataclass(frozen=True)
class Population:
    residents: int
    year: int  # the ONS mid-year estimate used


@dataclass(frozen=True)
class Change:
    """Against the same period last year (or the previous cohort), in the measure's own unit.

    `estimate` is a rate ratio (counts, rates per person) or a difference in percentage points
    (proportions), with its 95% interval; `tested` is False where no test applies or the figures
    are provisional, and then the change is never called significant.
    """

    previous: float
    difference: float
    percent: float | None  # relative change, for counts and rates; None for proportions
    estimate_name: str
    estimate: float | None
    low: float | None
    high: float | None
    p_value: float | None
    tested: bool
    dispersion: float = 1.0  # variance over Poisson's that the test allowed for (re-offending cohorts)
    q_value: float | None = None  # the p-value adjusted for the paper's other tests (`control_false_discoveries`)
    tests: int = 1  # the tests of change in the paper, this one among them

    @property
    def nominally_significant(self) -> bool:
        """Significant as a single test, before allowing for the paper's other tests."""
        return self.tested and self.p_value is not None and self.p_value < 1 - SIGNIFICANCE_LEVEL

    @property
    def significant(self) -> bool:
        """Significant after allowing for the paper's other tests, where they are known."""
        if self.q_value is None:
            return self.nominally_significant
        return self.tested and self.q_value < 1 - SIGNIFICANCE_LEVEL


@dataclass(frozen=True)
class Result:
    measure: Measure
    period_type: str
    period_label: str
    previous_label: str
    value: float | None  # None: not available (reason in `unavailable`)
    low: float | None
    high: float | None
    numerator: float | None
    denominator: float | None  # residents for counts, cases/respondents/offenders otherwise
    change: Change | None
    target_check: TargetCheck | None
    status: Status
    status_reason: str
    provisional: bool
    unavailable: str | None
    population_year: int | None = None
    trend: SixMonthTrend | None = None  # monthly measures only
    spc: XmRChart | None = None  # monthly measures only
    districts: pd.DataFrame | None = None  # area, value, low, high, label
    districts_last_quarter: pd.DataFrame | None = None  # the same, the quarter before (headline period only)
    county_wide_only: bool = False  # a district's measure reported for the county as a whole only
    dispersion: float | None = None  # cohort measures: variance over Poisson's that interval and test allow for
    events: tuple[KnownEvent, ...] = ()  # known events between the start of the earlier period compared and the end of this one
    region: tuple[str, float] | None = None  # published rates: the region's name and value for the same year, where published
    year: int | None = None  # published rates: the calendar year of the figure

    @property
    def rate(self) -> tuple[float, float, float] | None:
        """Counts: the rate per `rate_per` residents, with its interval."""
        if self.measure.statistic != "count" or self.value is None:
            return None
        per = self.measure.rate_per / self.denominator
        return self.value * per, self.low * per, self.high * per


@dataclass(frozen=True)
class Assessment:
    quarter: Quarter
    area: Area
    population: Population
    results: tuple[Result, ...]  # one per measure and period, catalogue order, headline period first

    @property
    def headline(self) -> tuple[Result, ...]:
        """One result per measure: its headline period."""
        return tuple(r for r in self.results if r.period_type == r.measure.headline_period)

    def frame(self) -> pd.DataFrame:
        """Every result as a row, for analysts to check."""
        return pd.DataFrame([{
            "outcome": r.measure.outcome, "measure": r.measure.id, "period": r.period_label,
            "value": r.value, "low": r.low, "high": r.high,
            "previous": r.change.previous if r.change else None,
            "change": r.change.difference if r.change else None,
            "change_estimate": r.change.estimate if r.change else None,
            "change_estimate_is": r.change.estimate_name if r.change else None,
            "change_low": r.change.low if r.change else None,
            "change_high": r.change.high if r.change else None,
            "p_value": r.change.p_value if r.change else None,
            "significant": r.change.significant if r.change else None,
            "status": r.status.word, "status_reason": r.status_reason,
            "trend": r.trend.label if r.trend else None,
            "trend_monthly_percent": r.trend.monthly_percent_change if r.trend else None,
            "spc": r.spc.variation_icon if r.spc else None,
            "provisional": r.provisional, "unavailable": r.unavailable,
        } for r in self.results])


def population(dataset: Dataset, area: Area, year: int, table: pd.DataFrame | None = None) -> Population:
    """Residents of the area in the ONS mid-year estimate for `year`, or the latest before it
    (the earliest after it where none is older)."""
    table = dataset.population if table is None else table
    rows = table[table["area_code"].isin(area.district_codes)]
    years = sorted(set(rows["year"]))
    if not years:
        raise DataError(f"no population estimate for {area.name}")
    chosen = max((y for y in years if y <= year), default=years[0])
    rows = rows[rows["year"] == chosen]
    if set(rows["area_code"]) != set(area.district_codes):
        raise DataError(f"population for {area.name} in {chosen} lacks some of its districts")
    return Population(int(rows["population"].sum()), int(chosen))


def assess(dataset: Dataset, quarter: Quarter, area: Area) -> Assessment:
    results = control_false_discoveries(tuple(
        assess_measure(dataset, measure, quarter, area, period)
        for measure in dataset.measures for period in measure.periods
    ))
    return Assessment(quarter, area, population(dataset, area, quarter.start_year), results)


def control_false_discoveries(results: tuple[Result, ...]) -> tuple[Result, ...]:
    """The results with every tested change's q-value: a change is called significant only when it
    passes the Benjamini-Hochberg procedure at 5% over all of the paper's tests of change.

    A paper tests some 30 changes (18 measures, most in two periods); if nothing had changed, about
    1 in 20 would still pass a 5% test, so a paper would call one or two changes significant by
    chance alone. Benjamini and Hochberg (1995, JRSS B 57:289-300) keep the expected share of chance
    findings among those called significant at 5% (statsmodels `multipletests`, 'fdr_bh'). A
    reduction target's status follows the adjusted verdict.
    """
    tested = [i for i, r in enumerate(results) if r.change is not None and r.change.tested
              and r.change.p_value is not None]
    if not tested:
        return results
    from statsmodels.stats.multitest import multipletests

    # one test per measure and figures: in Q1 the year to date is the quarter, the same test twice
    tests = list(dict.fromkeys(_test_of(results[i]) for i in tested))
    q_values = dict(zip(tests, multipletests([p for _, _, _, p in tests], method="fdr_bh")[1]))
    adjusted = list(results)
    for i in tested:
        result = results[i]
        change = dataclasses.replace(result.change, q_value=float(q_values[_test_of(result)]), tests=len(tests))
        status = result.status
        if result.measure.target == "reduction":
            status = status_against_last_year(change.difference, change.significant)
        adjusted[i] = dataclasses.replace(result, change=change, status=status)
    return tuple(adjusted)


def _test_of(result: Result) -> tuple:
    """What a test of change compares: two results with the same are one test."""
    return result.measure.id, result.numerator, result.change.previous, result.change.p_value


def assess_measure(dataset: Dataset, measure: Measure, quarter: Quarter, area: Area, period: str) -> Result:
    if period == "annual_cohort":
        return _cohort_result(dataset, measure, quarter, area)
    if period == "calendar_year":
        return _published_result(dataset, measure, quarter, area)
    return _window_result(dataset, measure, quarter, area, period)


def _window_result(dataset: Dataset, measure: Measure, quarter: Quarter, area: Area, period: str) -> Result:
    data = series.monthly(dataset, measure, area)
    months = window_months(period, quarter)
    label, previous_label = window_label(period, quarter), window_label(period, quarter.same_quarter_last_year())
    base = dict(measure=measure, period_type=period, period_label=label, previous_label=previous_label)
    if data.empty:
        return _unavailable(base, _not_reported(dataset, measure, area), _county_wide_only(dataset, measure, area))
    missing = [m for m in months if m not in data.index]
    if missing:
        return _unavailable(base, f"data lack {len(missing)} month(s) of {label}")
    current, previous = data.loc[months], data.reindex(year_earlier(months))
    provisional = bool(current["provisional"].any())
    change = _window_change(dataset, measure, area, current, previous, quarter.start_year, quarter.start_year - 1)
    if measure.statistic == "count":
        residents = _residents(dataset, measure, area, quarter.start_year)
        count = int(current["numerator"].sum())
        low, high = count_interval(count)
        result = dict(value=float(count), low=low, high=high, numerator=float(count),
                      denominator=float(residents.residents), population_year=residents.year)
    else:
        successes, trials = int(current["numerator"].sum()), int(current["denominator"].sum())
        low, high = wilson(successes, trials)
        result = dict(value=100 * successes / trials, low=100 * low, high=100 * high,
                      numerator=float(successes), denominator=float(trials))
    status, reason, check = _status(dataset, measure, quarter.financial_year, result["value"],
                                    (result["low"], result["high"]), change)
    events = () if change is None else spanned(dataset.events, year_earlier(months)[0], months[-1])
    return Result(**base, **result, change=change, target_check=check, status=status, status_reason=reason,
                  provisional=provisional, unavailable=None, events=events,
                  trend=_trend(data, measure, quarter), spc=_spc(data, measure, quarter, check),
                  **_districts(dataset, measure, quarter, period))


def _districts(dataset: Dataset, measure: Measure, quarter: Quarter, period: str) -> dict:
    """The district comparison of the headline period, this quarter and the one before."""
    if period != measure.headline_period:
        return {}
    return dict(districts=district_table(dataset, measure, quarter, period),
                districts_last_quarter=district_table(dataset, measure, quarter.previous(), period))


def _cohort_result(dataset: Dataset, measure: Measure, quarter: Quarter, area: Area) -> Result:
    data = series.cohorts(dataset, measure, area)
    earlier = [year for year in data.index if int(year[:4]) < quarter.start_year]
    base = dict(measure=measure, period_type="annual_cohort")
    if not earlier:
        reason = _not_reported(dataset, measure, area) if data.empty else \
            f"no cohort before {quarter.financial_year} reported for {area.name}"
        return _unavailable({**base, "period_label": "latest cohort", "previous_label": "previous cohort"}, reason,
                            _county_wide_only(dataset, measure, area))
    year = earlier[-1]
    previous_year = f"{int(year[:4]) - 1}-{int(year[:4]) % 100:02d}"
    base.update(period_label=f"{year} cohort", previous_label=f"{previous_year} cohort")
    row = data.loc[year]
    provisional = bool(row["provisional"])
    previous = data.loc[previous_year] if previous_year in data.index else None
    dispersion = cohort_dispersion(measure, data.loc[:year])
    change = None if previous is None else _cohort_change(measure, row, previous, dispersion)
    if measure.statistic == "rate_per_person":
        events, people = int(row["reoffences"]), int(row["offenders"])
        low, high = count_interval(events / dispersion)  # the interval of a count of variance phi x mean
        value, interval = events / people, (low * dispersion / people, high * dispersion / people)
        numbers = dict(numerator=float(events), denominator=float(people))
    else:  # percent_reduction: offences after intervention against the year before, same cohort
        after, before = int(row["offences_after"]), int(row["offences_before"])
        comparison = compare_dispersed_counts(after, before, 1, 1, dispersion)
        value = 100 * (1 - after / before)
        interval = (100 * (1 - comparison.ratio_high), 100 * (1 - comparison.ratio_low))
        numbers = dict(numerator=float(after), denominator=float(before))
    status, reason, check = _status(dataset, measure, year, value, interval, change, closed=not provisional)
    return Result(**base, value=value, low=interval[0], high=interval[1], **numbers, change=change,
                  target_check=check, status=status, status_reason=reason, provisional=provisional, unavailable=None,
                  dispersion=dispersion)


def _published_result(dataset: Dataset, measure: Measure, quarter: Quarter, area: Area) -> Result:
    """A published rate (DfE LAIT) for the calendar year that ended before the quarter's financial
    year began (YJB publishes a year's figures months after it ends), against the year before and the
    region. LAIT publishes no counts, so there is no interval and no test."""
    data = series.published(dataset, measure, area)
    year = quarter.start_year - 1
    base = dict(measure=measure, period_type="calendar_year", period_label=f"calendar year {year}",
                previous_label=f"calendar year {year - 1}")
    if data.empty:
        return _unavailable(base, _not_reported(dataset, measure, area), _county_wide_only(dataset, measure, area))
    if year not in data.index:
        return _unavailable(base, f"LAIT's figures start in {data.index[0]}" if year < data.index[0] else
                            f"LAIT has no {year} figure yet (its latest year is {data.index[-1]})" if year > data.index[-1]
                            else f"LAIT has no {year} figure for {area.name}")
    row = data.loc[year]
    if pd.isna(row["value"]):
        return _unavailable(base, f"the {year} figure for {area.name} is {row['note']}")
    value = float(row["value"])
    previous = data["value"].get(year - 1)
    change = None if previous is None or pd.isna(previous) else Change(
        float(previous), value - previous, 100 * (value / previous - 1) if measure.rate_per and previous else None,
        "difference", None, None, None, None, tested=False)
    region = None if pd.isna(row["region_value"]) else (str(row["region"]), float(row["region_value"]))
    status, reason, check = _status(dataset, measure, str(year), value, (value, value), change)
    return Result(**base, value=value, low=None, high=None, numerator=None, denominator=None, change=change,
                  target_check=check, status=status, status_reason=reason, provisional=False, unavailable=None,
                  region=region, year=year)


def _window_change(dataset: Dataset, measure: Measure, area: Area, current: pd.DataFrame, previous: pd.DataFrame,
                   year: int, previous_year: int) -> Change | None:
    """The change from the months of `previous` to those of `current` (None if `previous` lacks a month):
    counts by the exact conditional Poisson test, proportions by Newcombe's interval and a
    two-proportion test; never tested where either side is provisional."""
    if previous["numerator"].isna().any():
        return None
    tested = not (current["provisional"].any() or previous["provisional"].fillna(False).any())
    if measure.statistic == "count":
        count, before = int(current["numerator"].sum()), int(previous["numerator"].sum())
        comparison = compare_counts(count, before, _residents(dataset, measure, area, year).residents,
                                    _residents(dataset, measure, area, previous_year).residents)
        return Change(before, count - before, comparison.percent_change, "rate ratio", comparison.rate_ratio,
                      comparison.ratio_low, comparison.ratio_high, comparison.p_value, tested)
    successes, trials = int(current["numerator"].sum()), int(current["denominator"].sum())
    before_x, before_n = int(previous["numerator"].sum()), int(previous["denominator"].sum())
    difference, low, high = newcombe_difference(successes, trials, before_x, before_n)
    return Change(100 * before_x / before_n, 100 * difference, None, "difference (percentage points)",
                  100 * difference, 100 * low, 100 * high, two_proportion_test(successes, trials, before_x, before_n),
                  tested)


def cohort_dispersion(measure: Measure, cohorts: pd.DataFrame) -> float:
    """How many times more variable than Poisson a cohort's count is taken to be (at least 1).

    Re-offences cluster in prolific offenders, and IOM offences in the few chosen for high
    offending, so their counts are not Poisson. Youth re-offences: the larger of the spread between
    the cohorts so far and the least clustering their re-offenders imply (pooled), where the data give
    them. IOM: the spread between the cohorts' offences after, against their offences before.
    """
    if measure.statistic == "rate_per_person":
        between = dispersion_between(list(cohorts["reoffences"]), list(cohorts["offenders"]))
        if "reoffenders" not in cohorts:
            return between
        pooled = cohorts[["offenders", "reoffenders", "reoffences"]].sum()
        return max(between, dispersion_within(int(pooled["offenders"]), int(pooled["reoffenders"]),
                                              int(pooled["reoffences"])))
    return dispersion_between(list(cohorts["offences_after"]), list(cohorts["offences_before"]))


def _cohort_change(measure: Measure, row: pd.Series, previous: pd.Series, dispersion: float) -> Change:
    """A cohort against an earlier one: re-offences per offender by the Poisson rate comparison,
    allowing for their `dispersion`; an IOM reduction's difference in points is given, not tested."""
    if measure.statistic == "rate_per_person":
        events, people = int(row["reoffences"]), int(row["offenders"])
        before, before_people = int(previous["reoffences"]), int(previous["offenders"])
        comparison = compare_dispersed_counts(events, before, people, before_people, dispersion)
        percent = None if comparison.rate_ratio is None else 100 * (comparison.rate_ratio - 1)  # none re-offended before
        return Change(before / before_people, events / people - before / before_people,
                      percent, "rate ratio", comparison.rate_ratio, comparison.ratio_low,
                      comparison.ratio_high, comparison.p_value, not bool(row["provisional"] or previous["provisional"]),
                      dispersion)
    value = 100 * (1 - row["offences_after"] / row["offences_before"])
    last = 100 * (1 - previous["offences_after"] / previous["offences_before"])
    return Change(last, value - last, None, "difference (percentage points)", None, None, None, None, False)


def compare(dataset: Dataset, measure: Measure, area: Area, quarter: Quarter,
            against: str) -> tuple[str, str, Change | str]:
    """An ad-hoc comparison for analysts: the quarter (or, for cohort measures, the latest cohort
    before it) against another quarter ('2020-21 Q2') or cohort year ('2018-19'), by the same
    tests as the paper. Returns the two labels and the change, or why there is none."""
    if measure.periods == ("calendar_year",):
        return str(quarter), against, "published rates carry no counts, so no change in them can be tested"
    if measure.periods == ("annual_cohort",):
        if not re.fullmatch(r"\d{4}-\d{2}", against):
            raise PeriodError(f"{measure.id} is compared by cohort year, e.g. '2018-19'; got {against!r}")
        data = series.cohorts(dataset, measure, area)
        earlier = [year for year in data.index if int(year[:4]) < quarter.start_year]
        current = f"{earlier[-1]} cohort" if earlier else "latest cohort"
        if data.empty:
            return current, f"{against} cohort", _not_reported(dataset, measure, area)
        if not earlier or against not in data.index:
            return current, f"{against} cohort", (f"the data for {area.name} have no cohort {against} or none before "
                                                  f"{quarter.financial_year} (cohorts: {', '.join(data.index)})")
        return current, f"{against} cohort", _cohort_change(measure, data.loc[earlier[-1]], data.loc[against],
                                                            cohort_dispersion(measure, data.loc[:earlier[-1]]))
    other = Quarter.parse(against)
    data = series.monthly(dataset, measure, area)
    if data.empty:
        return str(quarter), str(other), _not_reported(dataset, measure, area)
    lacking = [m for m in quarter.months + other.months if m not in data.index]
    if lacking:
        return str(quarter), str(other), f"the data for {area.name} lack {', '.join(map(month_name, lacking))}"
    change = _window_change(dataset, measure, area, data.loc[quarter.months], data.loc[other.months],
                            quarter.start_year, other.start_year)
    return str(quarter), str(other), change


def _unavailable(base: dict, reason: str, county_wide_only: bool = False) -> Result:
    return Result(**base, value=None, low=None, high=None, numerator=None, denominator=None, change=None,
                  target_check=None, status=STATUSES["not_available"], status_reason=reason, provisional=False,
                  unavailable=reason, county_wide_only=county_wide_only)


def _not_reported(dataset: Dataset, measure: Measure, area: Area) -> str:
    if _county_wide_only(dataset, measure, area):
        return f"reported for {dataset.areas.county.name} as a whole only, not by district"
    if measure.source == "dfe_lait" and area.code.startswith("W"):
        return "LAIT publishes for councils in England only"
    if measure.source == "dfe_lait":
        return f"published for each council with children's services, not for {area.name}" + (
            " (the police force area)" if area.force else "")
    if measure.source in dataset.local.tables and dataset.local.tables[measure.source].empty:
        return f"no local data supplied yet: {paths.LOCAL}/{measure.source}.csv has no rows"
    return f"not reported for {area.name}"


def _county_wide_only(dataset: Dataset, measure: Measure, area: Area) -> bool:
    """A district's measure whose figures exist for the county alone."""
    return (not area.is_county and not series.reported_for(dataset, measure, area)
            and series.reported_for(dataset, measure, dataset.areas.county))


def _residents(dataset: Dataset, measure: Measure, area: Area, year: int) -> Population:
    table = dataset.youth_population if measure.population == "aged_10_17" else dataset.population
    return population(dataset, area, year, table)


def _status(dataset: Dataset, measure: Measure, year: str, value: float, interval: tuple[float, float],
            change: Change | None, closed: bool = False) -> tuple[Status, str, TargetCheck | None]:
    """The dashboard status, why, and the target check where there is a target value."""
    if measure.target == "none":
        return STATUSES["no_target"], "no target: the direction is reported, not judged", None
    if measure.target == "reduction":
        if change is None:
            return STATUSES["not_available"], "no figures for the same period last year", None
        return status_against_last_year(change.difference, change.significant), "against the same period last year", None
    target = dataset.targets.get((year, measure.id))
    if target is None:
        return STATUSES["no_target"], f"no target set for {year}", None
    check = check_target(target, value, interval)
    return status_against_target(check, closed), f"against the {year} target", check


def _final(data: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """The months of a window that have final figures: provisional months make no trend or signal."""
    recent = data.reindex(months).dropna(subset=["numerator"])
    return recent[~recent["provisional"].astype(bool)]


def _trend(data: pd.DataFrame, measure: Measure, quarter: Quarter) -> SixMonthTrend:
    recent = _final(data, months_ending(quarter.months[-1], TREND_MONTHS))
    exposure = recent["denominator"] if measure.statistic == "proportion" else None
    return six_month_trend(recent["numerator"], measure.polarity, exposure=exposure)


def _spc(data: pd.DataFrame, measure: Measure, quarter: Quarter, check: TargetCheck | None) -> XmRChart:
    """XmR chart of the last 24 months: counts, or monthly percentages for proportions."""
    recent = _final(data, months_ending(quarter.months[-1], SPC_MONTHS))
    target = check.target.value if check is not None and check.target.kind != "band" else None
    return xmr_chart(series.values(recent, measure), measure.polarity, target)


def district_table(dataset: Dataset, measure: Measure, quarter: Quarter, period: str) -> pd.DataFrame | None:
    """Each district's value with its interval, funnel limits around the county's value at 95% and
    99.8%, and its label (higher / similar / lower than the county, at 95%); the same for every
    area's report, so computed once.

    The limits are the measure's `district_limits`: by default widened for the districts'
    overdispersion (columns `phi` and `tau2`; `tau2` 0 gives PHE's exact Poisson limits). Counts in
    the thousands vary between districts many times more than Poisson chance allows (phi 6.4 for
    total crime in 2022-23 Q2, winsorised), so plain Poisson limits flag most districts and their labels flip
    from quarter to quarter; the widened limits ask which districts stand out from the others.

    None where the measure is not reported for every district, or the window is incomplete.
    """
    return dataset.remember(("districts", measure, quarter, period),
                            lambda: _district_values(dataset, measure, quarter, period))


def _district_values(dataset: Dataset, measure: Measure, quarter: Quarter, period: str) -> pd.DataFrame | None:
    months = window_months(period, quarter)
    rows = []
    for area in dataset.areas.all:
        # parts are judged against the rows placed in them, not a force's total with rows placed nowhere
        data = series.monthly(dataset, measure, dataclasses.replace(area, force=None))
        if any(month not in data.index for month in months):
            return None
        numerator = int(data.loc[months, "numerator"].sum())
        if measure.statistic == "count":
            denominator = _residents(dataset, measure, area, quarter.start_year).residents
            value, low, high = rate_interval(numerator, denominator, measure.rate_per)
        else:
            denominator = int(data.loc[months, "denominator"].sum())
            value, low, high = proportion_interval(numerator, denominator)
        rows.append({"area": area.name, "is_county": area.is_county, "numerator": numerator,
                     "denominator": denominator, "value": value, "low": low, "high": high})
    table = pd.DataFrame(rows)
    baseline = table.loc[table["is_county"], "value"].iloc[0]
    spread = _overdispersion(measure, table[~table["is_county"]], baseline)
    table["phi"] = spread.phi
    table["tau2"] = spread.tau2 if measure.district_limits == OVERDISPERSED else 0.0
    for level, suffix in ((TWO_SIGMA, "95"), (THREE_SIGMA, "99_8")):
        limits = [_funnel_limits(measure, row, baseline, level) for row in table.itertuples()]
        table[f"limit_low_{suffix}"] = [low for low, _ in limits]
        table[f"limit_high_{suffix}"] = [high for _, high in limits]
    table["label"] = [
        dataset.areas.county.nouns.whole if row.is_county else label_area(row.value, row.limit_low_95, row.limit_high_95)
        for row in table.itertuples()
    ]
    return table


def _overdispersion(measure: Measure, districts: pd.DataFrame, baseline: float):
    """The districts' overdispersion around the county value (Spiegelhalter 2005)."""
    if measure.statistic == "count":
        expected = baseline / measure.rate_per * districts["denominator"]
        return overdispersion(rate_z_scores(districts["numerator"], expected), 1 / (2 * np.sqrt(expected)))
    proportion = baseline / 100
    return overdispersion(proportion_z_scores(districts["numerator"] / districts["denominator"],
                                              districts["denominator"], proportion),
                          np.sqrt(proportion * (1 - proportion) / districts["denominator"]))


def _funnel_limits(measure: Measure, row, baseline: float, level: float) -> tuple[float, float]:
    """Limits at the district's own size: PHE's at its own events (rates) or denominator
    (proportions), where with no events at all a rate's lower limit is the rate whose expected
    count has a chance of zero below the level's tail, and the district's rate of 0 is compared with
    that; where `tau2` is above 0, widened, and never narrower than PHE's."""
    poisson = _poisson_limits(measure, row, baseline, level)
    if row.tau2 <= 0:
        return poisson
    if measure.statistic == "count":  # the normal approximation can fall inside the exact limits at small counts
        widened = overdispersed_rate_limits(baseline * row.denominator / measure.rate_per, baseline, row.tau2, level)
    else:
        widened = overdispersed_proportion_limits(row.denominator, baseline, row.tau2, 100, level)
    return min(widened[0], poisson[0]), max(widened[1], poisson[1])


def _poisson_limits(measure: Measure, row, baseline: float, level: float) -> tuple[float, float]:
    if measure.statistic != "count":
        return proportion_funnel_limits(row.denominator, baseline, 100, level)
    if row.numerator >= 1:
        return rate_funnel_limits(row.numerator, baseline, measure.rate_per, level)
    tail = (1 - level) / 2
    zero_is_unlikely = math.exp(-baseline * row.denominator / measure.rate_per) < tail
    return (math.inf if zero_is_unlikely else 0.0), math.inf


def row_accounting(dataset: Dataset, quarter: Quarter) -> dict[str, int]:
    """Where every police.uk row of the quarter went: into the area's districts, elsewhere, or
    unplaced by reason. A police force area's are its own force's rows, every one in its total."""
    whole = dataset.areas.county
    files, counts, unplaced = _quarter_rows(dataset, quarter)
    in_area = counts["district_code"].isin(whole.district_codes)
    accounting = {
        f"rows in {whole.force} files, all in {whole.name}'s total" if whole.force else "rows in files":
            int(files["rows"].sum()),
        f"in {whole.name}'s {whole.nouns.parts}" if whole.force else f"in {whole.name}": int(counts.loc[in_area, "count"].sum()),
        "in other districts (outside the areas reported)": int(counts.loc[~in_area, "count"].sum()),
    }
    for reason, total in unplaced.groupby("reason")["count"].sum().items():
        accounting[reason] = int(total)
    return accounting


# A change of this share (1 percentage point) in a measure's records placed in no part between the
# periods compared shifts its change on last year by about as much: the paper warns, where the shift
# is also at least 10 records (fewer changes no conclusion).
MATERIAL_PLACEMENT_SHIFT, MATERIAL_PLACEMENT_RECORDS = 0.01, 10


def rows_in_no_part(dataset: Dataset, quarter: Quarter, measure: Measure | None = None) -> tuple[int, int] | None:
    """The quarter's police.uk rows (of the measure's crime types, if given) that no part of the area
    can count, and all those rows: for a police force area, its force's rows outside its parts or
    placed nowhere (in its total all the same); for any other area, the rows placed in no district
    at all. None for a quarter without such rows."""
    whole = dataset.areas.county
    _, counts, unplaced = _quarter_rows(dataset, quarter)
    if measure is not None:
        counts, unplaced = (table.loc[table["crime_type"].map(measure.counts).astype(bool)] for table in (counts, unplaced))
    rows = int(counts["count"].sum()) + int(unplaced["count"].sum())
    if not rows:
        return None
    if whole.force:
        return rows - int(counts.loc[counts["district_code"].isin(whole.district_codes), "count"].sum()), rows
    return int(unplaced["count"].sum()), rows


def placement_shifts(dataset: Dataset, quarter: Quarter) -> dict[Measure, float]:
    """Police.uk measures whose share of records no part can count moved materially between the
    same quarter last year and this one, with the move in percentage points (up: their counts are
    lower than crime alone would make them)."""
    last_year, shifts = quarter.same_quarter_last_year(), {}
    for measure in (m for m in dataset.measures if m.source == "police_uk"):
        now, before = rows_in_no_part(dataset, quarter, measure), rows_in_no_part(dataset, last_year, measure)
        if now and before:
            shift = now[0] / now[1] - before[0] / before[1]
            if abs(shift) >= MATERIAL_PLACEMENT_SHIFT and abs(shift) * now[1] >= MATERIAL_PLACEMENT_RECORDS:
                shifts[measure] = 100 * shift
    return shifts


def _quarter_rows(dataset: Dataset, quarter: Quarter) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The quarter's police.uk files, placed counts and unplaced counts: a police force area's own force's only."""
    months, force = set(quarter.months), dataset.areas.county.force
    tables = [table[table["month"].isin(months)] for table in (dataset.months, dataset.crime_counts, dataset.unplaced_counts)]
    return tuple(table[table["force"] == force] if force else table for table in tables)

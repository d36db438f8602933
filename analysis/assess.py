"""Assess each measure for a quarter and an area: count, rate, same quarter last year, significance."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.areas import Area
from analysis.dataset import Dataset, DataError
from analysis.measures import Measure
from analysis.periods import Quarter
from analysis.stats import CountComparison, compare_counts, rate_per


@dataclass(frozen=True)
class Population:
    residents: int
    year: int  # the ONS mid-year estimate used


@dataclass(frozen=True)
class MeasureAssessment:
    measure: Measure
    count: int | None  # None: the quarter has months missing
    rate_per_1000: float | None
    previous_count: int | None  # same quarter last year; None: not available
    comparison: CountComparison | None


@dataclass(frozen=True)
class QuarterAssessment:
    quarter: Quarter
    area: Area
    population: Population
    months_missing: tuple[str, ...]  # months of the quarter not in the data
    previous_months_missing: tuple[str, ...]  # months of the same quarter last year not in the data
    measures: tuple[MeasureAssessment, ...]

    @property
    def comparison_available(self) -> bool:
        return not self.months_missing and not self.previous_months_missing

    def frame(self) -> pd.DataFrame:
        """The assessment as one row per measure, for analysts to check."""
        rows = []
        for item in self.measures:
            comparison = item.comparison
            rows.append({
                "measure": item.measure.id,
                "count": item.count,
                "rate_per_1000": item.rate_per_1000,
                "same_quarter_last_year": item.previous_count,
                "change": comparison.change if comparison else None,
                "percent_change": comparison.percent_change if comparison else None,
                "rate_ratio": comparison.rate_ratio if comparison else None,
                "ratio_low": comparison.ratio_low if comparison else None,
                "ratio_high": comparison.ratio_high if comparison else None,
                "p_value": comparison.p_value if comparison else None,
                "significant": comparison.significant if comparison else None,
            })
        return pd.DataFrame(rows)


def monthly_series(dataset: Dataset, area: Area, months: list[str]) -> pd.DataFrame:
    """Counts per month (rows, in the order given) and measure (columns) for the area.

    Months absent from the data are missing values (not zeros), so charts show a gap.
    """
    counts = dataset.measure_month_counts
    in_area = counts[counts["district_code"].isin(area.district_codes)]
    table = in_area.pivot_table(index="month", columns="measure", values="count", aggfunc="sum", fill_value=0)
    table = table.reindex(index=months, columns=[m.id for m in dataset.measures], fill_value=0).astype(float)
    table.loc[[m for m in months if m not in dataset.months_present]] = float("nan")
    return table


def population(dataset: Dataset, area: Area, year: int) -> Population:
    """Residents of the area in the ONS mid-year estimate for `year`, or the latest before it."""
    table = dataset.population[dataset.population["area_code"].isin(area.district_codes)]
    usable = table[table["year"] <= year]
    if usable.empty:
        raise DataError(f"no population estimate for {area.name} in or before {year}")
    latest = int(usable["year"].max())
    rows = usable[usable["year"] == latest]
    if set(rows["area_code"]) != set(area.district_codes):
        raise DataError(f"population for {area.name} in {latest} lacks some of its districts")
    return Population(int(rows["population"].sum()), latest)


def quarter_counts(dataset: Dataset, area: Area, quarter: Quarter) -> pd.Series:
    """Count per measure id over the quarter's months (zero where a measure had no events)."""
    return monthly_series(dataset, area, quarter.months).sum(min_count=0)


def assess(dataset: Dataset, quarter: Quarter, area: Area) -> QuarterAssessment:
    previous = quarter.same_quarter_last_year()
    months_missing = tuple(m for m in quarter.months if m not in dataset.months_present)
    previous_missing = tuple(m for m in previous.months if m not in dataset.months_present)
    residents = population(dataset, area, quarter.start_year)
    current_counts = quarter_counts(dataset, area, quarter)
    previous_counts = quarter_counts(dataset, area, previous)
    previous_residents = None if previous_missing else population(dataset, area, previous.start_year)

    results = []
    for measure in dataset.measures:
        count = None if months_missing else int(current_counts[measure.id])
        previous_count = None if previous_missing else int(previous_counts[measure.id])
        comparison = None
        if count is not None and previous_count is not None:
            comparison = compare_counts(count, previous_count, residents.residents, previous_residents.residents)
        rate = None if count is None else rate_per(count, residents.residents)
        results.append(MeasureAssessment(measure, count, rate, previous_count, comparison))
    return QuarterAssessment(quarter, area, residents, months_missing, previous_missing, tuple(results))


def district_rates(dataset: Dataset, quarter: Quarter, measure_id: str) -> pd.DataFrame:
    """Each district's count and rate per 1,000 for one measure, with the county for reference."""
    rows = []
    for area in dataset.areas.all:
        count = int(quarter_counts(dataset, area, quarter)[measure_id])
        residents = population(dataset, area, quarter.start_year)
        rows.append({"area": area.name, "is_county": area.is_county, "count": count,
                     "population": residents.residents, "rate_per_1000": rate_per(count, residents.residents)})
    return pd.DataFrame(rows)


def row_accounting(dataset: Dataset, quarter: Quarter) -> dict[str, int]:
    """Where every police.uk row of the quarter went: into the county, elsewhere, or unplaced by reason."""
    months = set(quarter.months)
    counts = dataset.crime_counts[dataset.crime_counts["month"].isin(months)]
    in_county = counts["district_code"].isin(dataset.areas.county.district_codes)
    unplaced = dataset.unplaced_counts[dataset.unplaced_counts["month"].isin(months)]
    accounting = {
        "rows in files": int(dataset.months.loc[dataset.months["month"].isin(months), "rows"].sum()),
        f"in {dataset.areas.county.name}": int(counts.loc[in_county, "count"].sum()),
        "in other districts (outside the areas reported)": int(counts.loc[~in_county, "count"].sum()),
    }
    for reason, total in unplaced.groupby("reason")["count"].sum().items():
        accounting[reason] = int(total)
    return accounting

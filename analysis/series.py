"""Any measure's data for one area, in one shape: monthly series, or cohorts by year.

A police force area's crime counts are every row its force published (police.uk's force total),
placed in a district or not; any other area's are its districts'. An area's local figures are its
own rows where the source has them, otherwise the sum of its districts' rows (a county's, or a
partnership's of several districts), only where every district has a row: a partial sum would look
like a fall. Published rates (DfE LAIT) are an area's own rows: rates cannot be summed.
"""
from __future__ import annotations

import pandas as pd

from analysis.areas import Area
from analysis.dataset import Dataset
from analysis.measures import Measure

def monthly(dataset: Dataset, measure: Measure, area: Area) -> pd.DataFrame:
    """Months (index, oldest first) with numerator, denominator (none for counts) and provisional flag."""
    return dataset.remember(("monthly", measure.id, area.code, area.force), lambda: _monthly(dataset, measure, area))


def _monthly(dataset: Dataset, measure: Measure, area: Area) -> pd.DataFrame:
    if measure.source == "police_uk":
        counts = dataset.measure_month_counts
        counts = counts[counts["measure"] == measure.id]
        # a police force area counts every row its force published (police.uk's force total), placed or not
        rows = counts[counts["force"] == area.force] if area.force else counts[counts["district_code"].isin(area.district_codes)]
        numerator = rows.groupby("month")["count"].sum().reindex(sorted(dataset.months_present), fill_value=0)
        return pd.DataFrame({"numerator": numerator.astype(float), "denominator": float("nan"),
                             "provisional": False}).rename_axis("month")
    table = dataset.local.tables[measure.source]
    rows = table[table["measure_id"] == measure.id].rename(columns={"count": "numerator"})
    if "denominator" not in rows:
        rows = rows.assign(denominator=float("nan"))
    return _area_rows(rows, _summed_from(dataset, area), area, "month", ["numerator", "denominator"])


def cohorts(dataset: Dataset, measure: Measure, area: Area) -> pd.DataFrame:
    """Cohort years (index, oldest first) with the template's columns and provisional flag."""
    table = dataset.local.tables[measure.source]
    value_columns = [c for c in table.columns if c not in ("area_code", "cohort_year", "provisional")]
    return _area_rows(table, _summed_from(dataset, area), area, "cohort_year", value_columns)


def published(dataset: Dataset, measure: Measure, area: Area) -> pd.DataFrame:
    """Calendar years (index, oldest first) with the area's published value (NaN where there is none,
    and a note why), the region's name and value: the area's own rows only, since rates cannot be summed."""
    table = dataset.youth_justice
    rows = table[(table["lait_measure"] == measure.lait_measure) & (table["area_code"] == area.code)]
    return rows.set_index("year").sort_index()[["value", "note", "region", "region_value"]]


def values(data: pd.DataFrame, measure: Measure) -> pd.Series:
    """The monthly figure a chart or an SPC chart shows: the count, or the percentage for proportions."""
    if measure.statistic == "proportion":
        return 100 * data["numerator"] / data["denominator"]
    return data["numerator"]


def reported_for(dataset: Dataset, measure: Measure, area: Area) -> bool:
    """Whether the source has any figures for this area (some local measures are county-wide only)."""
    read = {"annual_cohort": cohorts, "calendar_year": published}.get(measure.periods[0], monthly)
    return not read(dataset, measure, area).empty


def _summed_from(dataset: Dataset, area: Area) -> list[tuple[str, ...]]:
    """The sets of codes whose local rows, all present, add up to an area without rows of its own:
    the whole area's parts (a force area's partnerships), then its districts; a part's districts."""
    parts = tuple(part.code for part in dataset.areas.districts)
    return [parts, area.district_codes] if area.is_county and parts != area.district_codes else [area.district_codes]


def _area_rows(rows: pd.DataFrame, summed_from: list[tuple[str, ...]], area: Area, key: str,
               value_columns: list[str]) -> pd.DataFrame:
    rows = rows.assign(provisional=rows["provisional"] == "yes")
    own = rows[rows["area_code"] == area.code]
    for codes in summed_from if own.empty else []:
        if codes == (area.code,):
            continue
        parts = rows[rows["area_code"].isin(codes)]
        complete = parts.groupby(key)["area_code"].nunique() == len(codes)
        parts = parts[parts[key].isin(complete[complete].index)]
        own = parts.groupby(key, as_index=False).agg(
            {**{column: lambda v: v.sum(min_count=1) for column in value_columns}, "provisional": "any"})
        if not own.empty:
            break
    own = own.set_index(key).sort_index()[[*value_columns, "provisional"]]
    return own.astype({column: float for column in value_columns})

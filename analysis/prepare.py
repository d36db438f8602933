"""`python -m analysis data`: rebuild `data/derived/` from the raw public files.

Raw files are never edited and never committed; what is committed is what this module derives:
counts by month, district and crime type, the rows that could not be placed, the months present,
the county's LSOA lookup subset and population by district and year.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis import paths
from analysis.areas import load_areas
from analysis.ingest import IngestError, ingest, read_lookup

DEFAULT_POLICE_UK = sorted((paths.SHARED_DATA_DIR / "police-uk").glob("*")) if paths.SHARED_DATA_DIR.is_dir() else []
DEFAULT_LOOKUP = paths.SHARED_DATA_DIR / "ons" / "lsoa11_ward15_lad15.csv"
DEFAULT_POPULATION = paths.SHARED_DATA_DIR / "ons" / "DERIVED_leicestershire_lad_population_mid2001-2019.csv"
DEFAULT_AGE_ESTIMATES = paths.SHARED_DATA_DIR / "ons" / "ukmidyearestimates20192020ladcodes.xls"
AGE_SHEET, AGE_HEADER_ROW, AGE_ESTIMATE_YEAR = "MYE2 - Persons", 4, 2019
POPULATION_COLUMNS = ["area_code", "area_name", "year", "population"]


def derive_tables(
    police_uk_folders: Iterable[Path], lookup_path: Path, population_path: Path, data_dir: Path,
    age_estimates_path: Path | None = DEFAULT_AGE_ESTIMATES,
) -> dict[str, pd.DataFrame]:
    """Every derived table, keyed by its file name under the data directory (aged 10-17 if given)."""
    areas = load_areas(data_dir)
    district_codes = set(areas.county.district_codes)
    lookup = read_lookup(lookup_path)
    result = ingest(police_uk_folders, lookup)
    subset = pd.read_csv(lookup_path, dtype=str, usecols=["LSOA11CD", "LSOA11NM", "LAD15CD", "LAD15NM"])
    subset = subset[subset["LAD15CD"].isin(district_codes)].sort_values("LSOA11CD", ignore_index=True)
    tables = {
        paths.CRIME_COUNTS_FILE: result.crime_counts,
        paths.UNPLACED_COUNTS_FILE: result.unplaced_counts,
        paths.MONTHS_FILE: result.months,
        paths.LSOA_LOOKUP_FILE: subset,
        paths.POPULATION_FILE: district_population(population_path, district_codes),
    }
    if age_estimates_path is not None:
        tables[paths.YOUTH_POPULATION_FILE] = youth_population(age_estimates_path, district_codes)
    return tables


def district_population(path: Path, district_codes: set[str]) -> pd.DataFrame:
    """ONS mid-year population of each district, by year, from a long-format extract."""
    population = pd.read_csv(path, dtype={"area_code": str, "area_name": str})
    missing = [column for column in POPULATION_COLUMNS if column not in population.columns]
    if missing:
        raise IngestError(f"{path}: header lacks {', '.join(missing)}; expected {', '.join(POPULATION_COLUMNS)}")
    population = population[population["area_code"].isin(district_codes)][POPULATION_COLUMNS]
    absent = district_codes - set(population["area_code"])
    if absent:
        raise IngestError(f"{path}: no population rows for district(s) {', '.join(sorted(absent))}")
    return population.sort_values(["area_code", "year"], ignore_index=True)


def youth_population(path: Path, district_codes: set[str]) -> pd.DataFrame:
    """Residents aged 10 to 17 in each district, ONS mid-2019 single-year-of-age estimates (MYE2)."""
    try:
        ages = pd.read_excel(path, sheet_name=AGE_SHEET, header=AGE_HEADER_ROW, engine="calamine")
    except (OSError, ValueError) as error:
        raise IngestError(f"{path}: cannot read sheet {AGE_SHEET!r} ({error})") from error
    ages.columns = [str(column) for column in ages.columns]
    youth_columns = [str(age) for age in range(10, 18)]
    missing = [column for column in ["Code", "Name", *youth_columns] if column not in ages.columns]
    if missing:
        raise IngestError(f"{path}, sheet {AGE_SHEET}: header lacks {', '.join(missing)}")
    rows = ages[ages["Code"].isin(district_codes)]
    absent = district_codes - set(rows["Code"])
    if absent:
        raise IngestError(f"{path}, sheet {AGE_SHEET}: no rows for district(s) {', '.join(sorted(absent))}")
    table = pd.DataFrame({
        "area_code": rows["Code"], "area_name": rows["Name"], "year": AGE_ESTIMATE_YEAR,
        "population": rows[youth_columns].sum(axis=1).astype("int64"),
    })
    return table.sort_values("area_code", ignore_index=True)


def write_tables(tables: dict[str, pd.DataFrame], data_dir: Path) -> None:
    """Write every table only once all were derived, so a failed run leaves the old files whole."""
    for name, table in tables.items():
        target = Path(data_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_suffix(".csv.tmp")
        table.to_csv(staging, index=False, lineterminator="\n")
        staging.replace(target)

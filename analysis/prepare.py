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
POPULATION_COLUMNS = ["area_code", "area_name", "year", "population"]


def derive_tables(
    police_uk_folders: Iterable[Path], lookup_path: Path, population_path: Path, data_dir: Path
) -> dict[str, pd.DataFrame]:
    """Every derived table, keyed by its file name under the data directory."""
    areas = load_areas(data_dir)
    district_codes = set(areas.county.district_codes)
    lookup = read_lookup(lookup_path)
    result = ingest(police_uk_folders, lookup)
    subset = pd.read_csv(lookup_path, dtype=str, usecols=["LSOA11CD", "LSOA11NM", "LAD15CD", "LAD15NM"])
    subset = subset[subset["LAD15CD"].isin(district_codes)].sort_values("LSOA11CD", ignore_index=True)
    return {
        paths.CRIME_COUNTS_FILE: result.crime_counts,
        paths.UNPLACED_COUNTS_FILE: result.unplaced_counts,
        paths.MONTHS_FILE: result.months,
        paths.LSOA_LOOKUP_FILE: subset,
        paths.POPULATION_FILE: district_population(population_path, district_codes),
    }


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


def write_tables(tables: dict[str, pd.DataFrame], data_dir: Path) -> None:
    """Write every table only once all were derived, so a failed run leaves the old files whole."""
    for name, table in tables.items():
        target = Path(data_dir) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_suffix(".csv.tmp")
        table.to_csv(staging, index=False, lineterminator="\n")
        staging.replace(target)

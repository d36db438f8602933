"""`python -m analysis data`: rebuild `data/derived/` from the raw public files.

Raw files are never edited and never committed; what is committed is what this module derives:
counts by month, district and crime type, the rows that could not be placed, the months present,
the county's LSOA lookup subset and population by district and year. The raw files live in a raw
data folder (`../shared/data` beside a clone unless told otherwise): `police-uk/` holds one folder
per download, `ons/` the lookups and population estimates. Months already derived but absent from
the folders read are kept, and said, unless they are to be dropped.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis import geography, lait, paths
from analysis.areas import AreaSet, load_areas
from analysis.ingest import STREET_FILE, IngestError, find_street_files, ingest, read_lookup
from analysis.periods import complete_quarters, month_runs, months_between

LOOKUP_NAME = "ons/lsoa11_ward15_lad15.csv"
ESTIMATES_NAME = geography.ESTIMATES_NAME  # the national ONS mid-year estimates, as published
DEFAULT_POLICE_UK = sorted(p for p in (paths.SHARED_DATA_DIR / "police-uk").glob("*") if p.is_dir())
DEFAULT_LOOKUP = paths.SHARED_DATA_DIR / LOOKUP_NAME
DEFAULT_ESTIMATES = paths.SHARED_DATA_DIR / ESTIMATES_NAME
LAIT_NAME = lait.LAIT_NAME
DEFAULT_LAIT = paths.SHARED_DATA_DIR / LAIT_NAME
DEFAULT_PARTNERSHIPS = paths.SHARED_DATA_DIR / geography.PARTNERSHIPS_NAME
INGEST_CACHE = ".cache/ingest"  # in the data directory: each raw file's counts, by the hash of its bytes
MONTH_TABLES = (paths.CRIME_COUNTS_FILE, paths.UNPLACED_COUNTS_FILE, paths.MONTHS_FILE)  # rows by month
POPULATION_COLUMNS = ["area_code", "area_name", "year", "population"]


def derive_tables(
    police_uk_folders: Iterable[Path], lookup_path: Path, population_path: Path, data_dir: Path,
    age_estimates_path: Path | None = DEFAULT_ESTIMATES, lait_path: Path | None = None, own_force_only: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every derived table, keyed by its file name under the data directory (aged 10-17, and DfE
    LAIT's youth-justice figures, if given; the authorities are named in the estimates as published).
    Another force's files are refused, or with `own_force_only` (a pack of a national folder) passed by."""
    areas = load_areas(data_dir)
    district_codes = set(areas.county.district_codes)
    if areas.force and not own_force_only:  # another force's files would count its crimes nowhere, or in districts not its own
        for path in find_street_files(police_uk_folders):
            force = STREET_FILE.match(path.name)["force"]
            if force != areas.force:
                raise IngestError(f"{path}: a police.uk file of force {force!r}, while {Path(data_dir) / paths.AREAS_FILE} "
                                  f"reports on {areas.county.name}, of force {areas.force!r}; pass --police-uk with the "
                                  f"folders of {areas.force}'s downloads")
    lookup = geography.current_districts(read_lookup(lookup_path))  # a merged district's rows count in its new council
    result = ingest(police_uk_folders, lookup, cache_dir=Path(data_dir) / INGEST_CACHE,
                    force=areas.force if own_force_only else None)
    subset = pd.read_csv(lookup_path, dtype=str, usecols=["LSOA11CD", "LSOA11NM", "LAD15CD", "LAD15NM"])
    today = geography.current_districts(subset, "LAD15CD", "LAD15NM")["LAD15CD"]
    subset = subset[today.isin(district_codes)].sort_values("LSOA11CD", ignore_index=True)  # as published
    tables = {
        paths.CRIME_COUNTS_FILE: result.crime_counts,
        paths.UNPLACED_COUNTS_FILE: result.unplaced_counts,
        paths.MONTHS_FILE: result.months,
        paths.LSOA_LOOKUP_FILE: subset,
        paths.POPULATION_FILE: district_population(population_path, district_codes),
    }
    if age_estimates_path is not None:
        tables[paths.YOUTH_POPULATION_FILE] = youth_population(age_estimates_path, district_codes)
    if lait_path is not None:
        names = {name: code for name, code in geography.authorities(age_estimates_path or population_path).items()
                 if code.startswith("E")}  # LAIT covers England
        counties = {code: {district for district, _ in districts} for code, (_, _, districts)
                    in geography.counties(age_estimates_path or population_path).items()}
        tables[paths.YOUTH_JUSTICE_FILE] = lait.youth_justice(lait_path, names,
                                                              areas_by_authority(areas, set(names.values()), counties))
    return tables


def areas_by_authority(areas: AreaSet, authorities: set[str], counties: dict[str, set[str]]) -> dict[str, tuple[str, str]]:
    """Upper-tier authority code -> the code and name of the pack's area that is that authority: the whole area or a
    part with that code, a part whose one district is a unitary authority (Derby), or an area of
    exactly a county's districts (the North Yorkshire partnership). `counties`: code -> districts."""
    county_of = {frozenset(districts): code for code, districts in counties.items()}
    found = {}
    for area in areas.all:
        if area.code in authorities:
            found[area.code] = area.code, area.name
        elif len(area.district_codes) == 1 and area.district_codes[0] in authorities:
            found[area.district_codes[0]] = area.code, area.name
        elif frozenset(area.district_codes) in county_of:
            found[county_of[frozenset(area.district_codes)]] = area.code, area.name
    return found


def district_population(path: Path, district_codes: set[str]) -> pd.DataFrame:
    """ONS mid-year population of each district, by year: from the national estimates as published
    (.xls, sheet MYE 5), or from a CSV of area_code, area_name, year, population (a later release)."""
    if Path(path).suffix.lower() in (".xls", ".xlsx"):
        population = geography.population_by_year(path)
    else:
        population = pd.read_csv(path, dtype={"area_code": str, "area_name": str})
        missing = [column for column in POPULATION_COLUMNS if column not in population.columns]
        if missing:
            raise IngestError(f"{path}: header lacks {', '.join(missing)}; expected {', '.join(POPULATION_COLUMNS)}")
    return _districts_only(path, population, district_codes)[POPULATION_COLUMNS].sort_values(
        ["area_code", "year"], ignore_index=True)


def youth_population(path: Path, district_codes: set[str]) -> pd.DataFrame:
    """Residents aged 10 to 17 in each district, ONS mid-2019 single-year-of-age estimates (MYE2)."""
    return _districts_only(path, geography.youth_by_area(path), district_codes).sort_values("area_code", ignore_index=True)


def _districts_only(path: Path, population: pd.DataFrame, district_codes: set[str]) -> pd.DataFrame:
    rows = population[population["area_code"].isin(district_codes)]
    absent = district_codes - set(rows["area_code"])
    merged = sorted(code for code in absent if code in geography.NOW)
    if merged:
        raise IngestError(f"{path}: no population rows for district(s) {', '.join(merged)}, merged in 2019-20 into "
                          + ", ".join(sorted({f'{geography.NOW[code]} {geography.MERGED[geography.NOW[code]][0]}'
                                              for code in merged}))
                          + " (estimates are published for the new council only); list the new council's code in "
                            "areas.yml, as `python -m analysis init` does")
    if absent:
        raise IngestError(f"{path}: no population rows for district(s) {', '.join(sorted(absent))} (the estimates' "
                          f"district codes must match the areas' codes; a district since merged or recoded needs "
                          f"estimates on the same boundaries)")
    return rows


def police_uk_folders(raw_dir: Path) -> list[Path]:
    """Every download folder under `<raw_dir>/police-uk/`."""
    folders = sorted(p for p in (Path(raw_dir) / "police-uk").glob("*") if p.is_dir())
    if not folders:
        raise IngestError(f"{Path(raw_dir) / 'police-uk'}: no folders of police.uk street-level files "
                          f"(put each download, e.g. 2022-11/2022-11-leicestershire-street.csv, in a folder there)")
    return folders


def folder_months(folders: Iterable[Path], force: str | None = None) -> dict[Path, list[str]]:
    """The months of street-level files (of `force`, if named) in each folder, for the console."""
    files = find_street_files(folders, force)
    return {Path(folder): sorted({path.name[:7] for path in files if Path(folder) in path.parents}) for folder in folders}


def keep_earlier_months(tables: dict[str, pd.DataFrame], data_dir: Path, drop: bool) -> list[str]:
    """Months in the derived data now but absent from the new tables: kept (their rows copied over
    from the current files) unless `drop`. Returns those months. Refused where keeping them would
    mix forces, or months placed in districts with another lookup."""
    current = Path(data_dir) / paths.MONTHS_FILE
    if not current.is_file():
        return []
    previous = pd.read_csv(current, dtype=str)
    for name in MONTH_TABLES:
        header = list(pd.read_csv(Path(data_dir) / name, nrows=0).columns)
        if header != list(tables[name].columns):
            raise IngestError(f"{Path(data_dir) / name}: written by an earlier version (columns {', '.join(header)}); "
                              f"derive every month afresh: pass the folders of all months, with --drop-missing-months")
    absent = sorted(set(previous["month"]) - set(tables[paths.MONTHS_FILE]["month"]))
    if absent and not drop:
        choice = (f"put the folders of {month_runs(absent)} in the raw folder too, or pass --drop-missing-months "
                  f"to leave those months out")
        forces, now = sorted(set(previous["force"])), sorted(set(tables[paths.MONTHS_FILE]["force"]))
        if forces != now:
            raise IngestError(f"{current}: the derived months are of force(s) {', '.join(forces)}, the folders read "
                              f"of {', '.join(now)}; keeping the months not read would mix them: pass "
                              f"--drop-missing-months to derive the data from the folders read alone")
        lookup = Path(data_dir) / paths.LSOA_LOOKUP_FILE
        if lookup.is_file() and not pd.read_csv(lookup, dtype=str).equals(tables[paths.LSOA_LOOKUP_FILE]):
            raise IngestError(f"{lookup}: the months not read were placed in districts with another LSOA lookup "
                              f"than the one read now; keeping them would mix boundaries: {choice}")
        for name in MONTH_TABLES:
            old = pd.read_csv(Path(data_dir) / name, dtype={"month": str})
            kept = old[old["month"].isin(absent)].astype(tables[name].dtypes.to_dict())
            tables[name] = pd.concat([tables[name], kept], ignore_index=True).sort_values(
                [c for c in ("month", "force", "district_code", "reason", "crime_type") if c in kept.columns],
                ignore_index=True)
    return absent


def coverage(months: Iterable[str]) -> list[str]:
    """Lines for the console: the months covered, any gap, and the latest complete quarter."""
    months = sorted(set(months))
    if not months:
        return ["no months of police.uk data"]
    gaps = [m for m in months_between(months[0], months[-1]) if m not in set(months)]
    quarters = complete_quarters(set(months))
    return [f"months now covered: {month_runs(months)}",
            f"gaps: {month_runs(gaps)} ({len(gaps)} month(s))" if gaps else "gaps: none",
            f"latest complete quarter: {quarters[-1]}" if quarters else "no complete quarter"]


def write_tables(tables: dict[str, pd.DataFrame], data_dir: Path) -> list[str]:
    """Write every table only once all were derived, as a set: each changed file is first written
    beside its target, and only when all are written do they replace the old ones, so a failed run
    (a full disk, say) leaves the old set whole. A file whose content is unchanged is left as it is.
    Returns the names of the files written."""
    staged = {}
    try:
        for name, table in tables.items():
            target = Path(data_dir) / name
            content = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
            if target.is_file() and target.read_bytes() == content:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            staged[name] = target.with_suffix(".csv.tmp")
            staged[name].write_bytes(content)
    except BaseException:
        for staging in staged.values():
            staging.unlink(missing_ok=True)
        raise
    for name, staging in staged.items():
        staging.replace(Path(data_dir) / name)
    return list(staged)

"""Load and check the prepared data a report is made from (a data directory, `data/` by default)."""
from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, TypeVar
from pathlib import Path

import pandas as pd

from analysis import lait, paths
from analysis.areas import ONS_CODE, AreaSet, load_areas, national_packs
from analysis.events import KnownEvent, load_events
from analysis.fingerprint import input_hashes
from analysis.local_data import LARGEST_COUNT, LocalData, load_local_data
from analysis.measures import POLICE_UK_CRIME_TYPES, Measure, load_measures
from analysis.report_config import ReportConfig, load_report_config
from analysis.targets import Target, load_targets
from analysis.periods import PeriodError, check_data_month

_COLUMNS = {
    paths.CRIME_COUNTS_FILE: {"force": str, "month": str, "district_code": str, "district_name": str, "crime_type": str,
                              "count": "int64"},
    paths.UNPLACED_COUNTS_FILE: {"force": str, "month": str, "reason": str, "crime_type": str, "count": "int64"},
    paths.MONTHS_FILE: {"month": str, "force": str, "file": str, "rows": "int64"},
    paths.POPULATION_FILE: {"area_code": str, "area_name": str, "year": "int64", "population": "int64"},
    paths.YOUTH_POPULATION_FILE: {"area_code": str, "area_name": str, "year": "int64", "population": "int64"},
    paths.YOUTH_JUSTICE_FILE: {"lait_measure": str, "area_code": str, "area_name": str, "year": "int64", "value": str,
                               "note": str, "region": str, "region_value": str},
}


# Whole-number columns' ranges where they differ from counts' (0 to LARGEST_COUNT): an area of no
# residents has no rate; more than 100 million (the UK has 67 million) is a typing error; estimates
# are of years from 1991 to this one.
WHOLE_NUMBERS = {"population": (1, 100_000_000), "year": (1991, datetime.date.today().year)}
ILLUSTRATIVE = "(illustrative)"  # after the title of a measure whose figures are the project's sample
FORCE_AREA_SHARE = 0.9  # of a force's placed rows, the least that may fall in its force area's districts
T = TypeVar("T")
MONTH_ROWS_FRACTION = 0.5  # a month's file with fewer rows than this share of the typical month is missing


class DataError(ValueError):
    """A prepared data file that is missing or malformed; the message names the file and field."""


@dataclass
class Dataset:
    data_dir: Path
    areas: AreaSet
    measures: list[Measure]
    crime_counts: pd.DataFrame
    unplaced_counts: pd.DataFrame
    months: pd.DataFrame
    population: pd.DataFrame
    youth_population: pd.DataFrame
    youth_justice: pd.DataFrame  # DfE LAIT's published rates, by measure, area and calendar year (analysis/lait.py)
    local: LocalData
    targets: dict[tuple[str, str], Target]
    report: ReportConfig
    input_hashes: dict[str, str]  # of the files as read: what a cache of results is keyed by
    events: tuple[KnownEvent, ...] = ()  # known events (data/events.yml), oldest first
    memo: dict = field(default_factory=dict, repr=False)  # results shared by the areas of one build

    def remember(self, key: tuple, compute: Callable[[], T]) -> T:
        """Compute once per dataset what several areas or measures ask for (series, district tables)."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def measure(self, measure_id: str) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(f"no measure {measure_id!r} in the catalogue; measures: {', '.join(m.id for m in self.measures)}")

    @property
    def months_present(self) -> set[str]:
        """Months whose police.uk files are plausible for the area (see `month_problems`)."""
        return set(self.months["month"]) - set(self.month_problems)

    @cached_property
    def month_problems(self) -> dict[str, str]:
        return month_problems(self.months)

    @cached_property
    def uncounted_crime_types(self) -> list[str]:
        """Crime types in the police.uk data that no measure counts or deliberately leaves out."""
        accounted = {crime_type for measure in self.measures for crime_type in measure.exclude_crime_types}
        return sorted(crime_type for crime_type in set(self.crime_counts["crime_type"]) | set(self.unplaced_counts["crime_type"])
                      if crime_type not in accounted and not any(m.counts(crime_type) for m in self.measures))

    @cached_property
    def measure_month_counts(self) -> pd.DataFrame:
        """Counts by force, month, district and measure id (a crime type may count towards several
        measures); rows placed in no district have district_code "", for a force's own total."""
        rows = pd.concat([self.crime_counts, self.unplaced_counts.assign(district_code="")], ignore_index=True)
        parts = [rows.loc[rows["crime_type"].map(measure.counts).astype(bool)].assign(measure=measure.id) for measure in self.measures]
        combined = pd.concat(parts, ignore_index=True)
        return combined.groupby(["force", "month", "district_code", "measure"], as_index=False)["count"].sum()


def month_problems(months: pd.DataFrame) -> dict[str, str]:
    """Months of `months.csv` whose police.uk files cannot stand for the month, and why: a force
    that files most months has no file that month (another force's file stands in), or a file has
    fewer than half the rows of the force's typical month (an empty or cut-short download). Such a
    month is missing, never a fall."""
    all_months = sorted(set(months["month"]))
    problems: dict[str, str] = {}
    for force, rows in months.groupby("force"):
        if rows["month"].nunique() * 2 < len(all_months):
            continue  # a force with a few months only, e.g. a neighbour's file
        files = rows.set_index("month")
        typical = float(files["rows"].median())
        for month in all_months:
            if month not in files.index:
                problems.setdefault(month, f"there is no {force} file for it")
            elif files.at[month, "rows"] < MONTH_ROWS_FRACTION * typical:
                problems.setdefault(month, f"{files.at[month, 'file']} has {files.at[month, 'rows']:,} rows "
                                           f"against {typical:,.0f} in a typical {force} month")
    return problems


def load_dataset(data_dir: Path | str = paths.DATA_DIR) -> Dataset:
    """Every file a report reads, checked; refused if a file changed while it was being read."""
    data_dir = Path(data_dir).resolve()
    if national_packs(data_dir) is not None:  # its packs are data directories; it is not one
        load_areas(data_dir)  # refused, naming a pack's folder to use
    before = input_hashes(data_dir)
    tables = {name: _read(data_dir / name, columns) for name, columns in _COLUMNS.items()}
    _check_every_row_counted_once(data_dir, tables)
    areas, measures = load_areas(data_dir), load_measures(data_dir)
    _check_force(data_dir, areas, tables)
    local = load_local_data(data_dir, {m.id: m.source for m in measures},
                            {a.code for a in areas.all} | set(areas.county.district_codes))
    # a measure of illustrative figures says so in its title, so no sentence, row or chart can pass for real
    measures = [dataclasses.replace(m, title=f"{m.title} {ILLUSTRATIVE}") if m.source in local.illustrative else m
                for m in measures]
    dataset = Dataset(
        data_dir=data_dir,
        areas=areas,
        measures=measures,
        crime_counts=tables[paths.CRIME_COUNTS_FILE],
        unplaced_counts=tables[paths.UNPLACED_COUNTS_FILE],
        months=tables[paths.MONTHS_FILE],
        population=tables[paths.POPULATION_FILE],
        youth_population=tables[paths.YOUTH_POPULATION_FILE],
        youth_justice=_youth_justice(data_dir, areas, tables[paths.YOUTH_JUSTICE_FILE]),
        local=local,
        targets=load_targets(data_dir, measures),
        report=_report_config(data_dir, areas),
        input_hashes=before,
        events=load_events(data_dir),
    )
    after = input_hashes(data_dir)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    if changed:
        raise DataError(f"{data_dir}: {', '.join(changed)} changed while being read; run again once the data are in place")
    return dataset


def _check_force(data_dir: Path, areas: AreaSet, tables: dict[str, pd.DataFrame]) -> None:
    """The force areas.yml names must have files here, or the area's figures would be nought. A
    police force area counts every row of its force's files against the residents of its districts:
    nearly all those rows must fall in them (Derbyshire's: 99.7%), or the force named is not this
    area's, or a part is missing, and the rate would be wrong."""
    forces = sorted(set(tables[paths.MONTHS_FILE]["force"]))
    if areas.force and areas.force not in forces:
        raise DataError(f"{data_dir / paths.AREAS_FILE}: force {areas.force!r} has no police.uk files in "
                        f"{paths.MONTHS_FILE} (forces there: {', '.join(forces) or 'none'}); expected the <force> of "
                        f"its YYYY-MM-<force>-street.csv files")
    whole = areas.county
    if not whole.force:
        return
    counts = tables[paths.CRIME_COUNTS_FILE]
    placed = counts[counts["force"] == whole.force]
    inside = int(placed.loc[placed["district_code"].isin(whole.district_codes), "count"].sum())
    if inside < FORCE_AREA_SHARE * int(placed["count"].sum()):
        raise DataError(f"{data_dir / paths.AREAS_FILE}: only {inside:,} of the {int(placed['count'].sum()):,} rows of "
                        f"{whole.force}'s files placed in a district fall in {whole.name}'s districts; expected at least "
                        f"{FORCE_AREA_SHARE:.0%} (is the force right, and every partnership listed?)")


def _check_every_row_counted_once(data_dir: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Each file's rows (months.csv) must be its placed and unplaced counts, each counted once: a
    count edited, repeated or given a month no file has would change a figure unseen."""
    keys = {paths.CRIME_COUNTS_FILE: ["force", "month", "district_code", "crime_type"],
            paths.UNPLACED_COUNTS_FILE: ["force", "month", "reason", "crime_type"]}
    for name, key in keys.items():
        twice = tables[name].duplicated(key)
        if twice.any():
            row = int(twice.idxmax()) + 2
            raise DataError(f"{data_dir / name}, row {row}: {', '.join(tables[name].loc[row - 2, key])} is given twice; "
                            f"expected one row each")
    counted = pd.concat([tables[name] for name in keys]).groupby(["force", "month"])["count"].sum()
    files = tables[paths.MONTHS_FILE].set_index(["force", "month"])["rows"]
    for force, month in counted.index.union(files.index):
        rows, found = int(files.get((force, month), 0)), int(counted.get((force, month), 0))
        if rows != found:
            raise DataError(f"{data_dir / paths.CRIME_COUNTS_FILE}: {month} of {force} counts {found:,} rows with "
                            f"{paths.UNPLACED_COUNTS_FILE}, while {paths.MONTHS_FILE} gives its file {rows:,}; expected "
                            f"every row of a file counted once (`python -m analysis data` derives them again)")


def _youth_justice(data_dir: Path, areas: AreaSet, table: pd.DataFrame) -> pd.DataFrame:
    try:
        return lait.checked(data_dir / paths.YOUTH_JUSTICE_FILE, table, {
            area.code for area in areas.all if lait.could_be_council(area.code, area.district_codes)})
    except ValueError as error:
        raise DataError(str(error)) from None


def _report_config(data_dir: Path, areas: AreaSet) -> ReportConfig:
    """The paper's words, with any district's own words checked to name a district of areas.yml."""
    config = load_report_config(data_dir)
    districts = {area.name for area in areas.districts}
    unknown = sorted(set(config.areas) - districts)
    if unknown:
        raise DataError(f"{data_dir / paths.REPORT_FILE}, districts: {', '.join(unknown)} not a district of "
                        f"{paths.AREAS_FILE} ({', '.join(sorted(districts))})")
    return config


def _read(path: Path, columns: dict[str, object]) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: missing; run `make data` (python -m analysis data) to derive it")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise DataError(f"{path}: cannot be read as CSV ({error})") from error
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise DataError(f"{path}: header lacks {', '.join(missing)}; expected {', '.join(columns)}")
    for column, kind in columns.items():
        if kind == "int64":
            least, most = WHOLE_NUMBERS.get(column, (0, LARGEST_COUNT))
            digits = table[column].str.fullmatch(r"[0-9]{1,12}")  # as the project writes them: no 1E3, no 1.0
            numbers = pd.to_numeric(table[column].where(digits), errors="coerce")
            bad = numbers.isna() | (numbers < least) | (numbers > most)
            if bad.any():
                row = int(bad.idxmax()) + 2
                shown = "{:d}" if column == "year" else "{:,d}"
                raise DataError(f"{path}, row {row}: {column} is {table[column][row - 2]!r}, expected a whole number "
                                f"from {shown.format(least)} to {shown.format(most)}")
            table[column] = numbers.astype("int64")
    if "month" in columns:
        for row, month in enumerate(table["month"], start=2):
            try:
                check_data_month(month)
            except PeriodError as error:
                raise DataError(f"{path}, row {row}: {error}") from None
    checks = {"crime_type": (lambda value: value in POLICE_UK_CRIME_TYPES, "a police.uk crime type"),
              "district_code": (lambda value: bool(ONS_CODE.fullmatch(value)), "an ONS district code")}
    for column, (fits, expected) in checks.items():
        if column in columns:
            bad = ~table[column].map(fits).astype(bool)
            if bad.any():
                row = int(bad.idxmax()) + 2
                raise DataError(f"{path}, row {row}: {column} is {table.at[row - 2, column]!r}, expected {expected}")
    if "population" in columns:  # one estimate per area and year, every year for every area: a repeat doubles residents
        twice = table.duplicated(["area_code", "year"])
        if twice.any():
            row = int(twice.idxmax()) + 2
            raise DataError(f"{path}, row {row}: {table.at[row - 2, 'area_code']} in {table.at[row - 2, 'year']} is "
                            f"given twice; expected one estimate per area and year")
        areas = set(table["area_code"])
        for year, rows in table.groupby("year"):
            if set(rows["area_code"]) != areas:
                raise DataError(f"{path}: {year} lacks {', '.join(sorted(areas - set(rows['area_code'])))}; expected "
                                f"every area in every year's estimates")
    if path.name == Path(paths.MONTHS_FILE).name:  # one row per month and force: two would count a month twice
        twice = table.duplicated(["month", "force"])
        if twice.any():
            row = int(twice.idxmax()) + 2
            raise DataError(f"{path}, row {row}: {table.at[row - 2, 'month']} of {table.at[row - 2, 'force']} is "
                            f"listed twice; expected one row per month and force")
    return table[list(columns)]

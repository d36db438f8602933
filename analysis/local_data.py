"""Local measures that police.uk does not publish: CSV templates, validated on load with pandera.

Each template is documented in data/README.md. `data/local/sources.yml` says where each file came
from; a file marked `illustrative: true` puts an "illustrative data" notice on every report using it.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.paths import LOCAL
from analysis.periods import EARLIEST_MONTH, PeriodError, Quarter, check_data_month
from analysis.yamlfile import read_yaml

SOURCES_FILE = f"{LOCAL}/sources.yml"

def _is(check: Callable[[str], object], text: str) -> bool:
    try:
        check(text)
    except PeriodError:
        return False
    return True


def _financial_year(text: str) -> None:
    """A cohort's financial year, e.g. 2020-21, from EARLIEST_MONTH's year to this year."""
    if not EARLIEST_MONTH[:4] <= str(text)[:4] <= f"{datetime.date.today():%Y}":
        raise PeriodError(f"{text!r} is outside the years of data")
    Quarter.parse(f"{text} Q1")


_MONTH = pa.Check(lambda months: months.map(lambda month: _is(check_data_month, month)),
                  error=f"a month YYYY-MM from {EARLIEST_MONTH} to this month")
_COHORT_YEAR = pa.Check(lambda years: years.map(lambda year: _is(_financial_year, year)),
                        error=f"a financial year YYYY-YY such as 2020-21, from {EARLIEST_MONTH[:4]} to this year")
# No count this tool reports comes near a billion; far beyond it, sums overflow 64-bit integers and
# lose exactness as floats, so a larger figure is refused as a typing or export error.
LARGEST_COUNT = 1_000_000_000
_WHOLE = pa.Check.in_range(0, LARGEST_COUNT, error="a whole number >= 0 and at most 1,000,000,000")
_POSITIVE = pa.Check.in_range(1, LARGEST_COUNT, error="a whole number > 0 and at most 1,000,000,000")
_YES_NO = pa.Check.isin(["yes", "no"], error="yes or no")


def _reoffenders_fit(rows: pd.DataFrame) -> pd.Series | bool:
    """Re-offenders, where given, are among the offenders and commit the re-offences."""
    if "reoffenders" not in rows:
        return True
    return ((rows["reoffenders"] <= rows["offenders"]) & (rows["reoffenders"] <= rows["reoffences"])
            & ((rows["reoffenders"] > 0) | (rows["reoffences"] == 0)))


def _schema(columns: dict[str, pa.Column], unique: list[str], checks: list[pa.Check] = ()) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(columns, strict=True, coerce=True, unique=unique, checks=list(checks))


TEMPLATES: dict[str, pa.DataFrameSchema] = {
    "local_counts": _schema({
        "measure_id": pa.Column(str), "area_code": pa.Column(str), "month": pa.Column(str, _MONTH),
        "count": pa.Column(int, _WHOLE), "provisional": pa.Column(str, _YES_NO),
    }, unique=["measure_id", "area_code", "month"]),
    "local_proportions": _schema({
        "measure_id": pa.Column(str), "area_code": pa.Column(str), "month": pa.Column(str, _MONTH),
        "numerator": pa.Column(int, _WHOLE), "denominator": pa.Column(int, _POSITIVE),
        "provisional": pa.Column(str, _YES_NO),
    }, unique=["measure_id", "area_code", "month"],
        checks=[pa.Check(lambda df: df["numerator"] <= df["denominator"], error="numerator <= denominator")]),
    "youth_reoffending": _schema({
        "area_code": pa.Column(str), "cohort_year": pa.Column(str, _COHORT_YEAR),
        "offenders": pa.Column(int, _POSITIVE), "reoffences": pa.Column(int, _WHOLE),
        "reoffenders": pa.Column(int, _WHOLE, required=False),  # optional: how many of them re-offended
        "provisional": pa.Column(str, _YES_NO),
    }, unique=["area_code", "cohort_year"], checks=[pa.Check(
        _reoffenders_fit, error="reoffenders <= offenders and <= reoffences, and above 0 where there are reoffences")]),
    "iom_cohorts": _schema({
        "area_code": pa.Column(str), "cohort_year": pa.Column(str, _COHORT_YEAR),
        "offenders": pa.Column(int, _POSITIVE), "offences_before": pa.Column(int, _POSITIVE),
        "offences_after": pa.Column(int, _WHOLE), "provisional": pa.Column(str, _YES_NO),
    }, unique=["area_code", "cohort_year"]),
}


class LocalDataError(ValueError):
    """A local data file that does not fit its template; the message names the file, row and field."""


@dataclass(frozen=True)
class LocalData:
    tables: dict[str, pd.DataFrame]  # template name -> validated rows
    illustrative: tuple[str, ...]  # templates whose data are illustrative, not real
    descriptions: dict[str, str]  # template name -> where its file came from (sources.yml)


def load_local_data(data_dir: Path, measure_sources: dict[str, str], area_codes: set[str]) -> LocalData:
    """Every template's file under data/local/, validated; a missing file is an empty table."""
    data_dir = Path(data_dir)
    sources = _read_sources(data_dir / SOURCES_FILE)
    tables = {}
    for name, schema in TEMPLATES.items():
        path = data_dir / LOCAL / f"{name}.csv"
        table = read_template(path, schema) if path.is_file() else _empty(schema)
        _check_references(path, table, name, measure_sources, area_codes)
        tables[name] = table
    illustrative = tuple(name for name in TEMPLATES if sources.get(f"{name}.csv", {}).get("illustrative"))
    descriptions = {name: str(sources.get(f"{name}.csv", {}).get("description", "source not recorded"))
                    for name in TEMPLATES if not tables[name].empty}
    return LocalData(tables, illustrative, descriptions)


def read_template(path: Path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise LocalDataError(f"{path}: cannot be read as a UTF-8 CSV ({error})") from error
    missing = [name for name, column in schema.columns.items() if column.required and name not in raw.columns]
    extra = [column for column in raw.columns if column not in schema.columns]
    if missing or extra:
        optional = [name for name, column in schema.columns.items() if not column.required]
        raise LocalDataError(f"{path}: header has {', '.join(raw.columns)}; expected {', '.join(schema.columns)}"
                             + (f" ({', '.join(optional)} optional)" if optional else ""))
    try:
        return schema.validate(raw, lazy=True)
    except SchemaErrors as errors:
        raise LocalDataError(_first_failure(path, errors.failure_cases, schema)) from None


def _first_failure(path: Path, failures: pd.DataFrame, schema: pa.DataFrameSchema) -> str:
    """The first failure in file order, as one line: file, row, field and what was expected."""
    located = failures[failures["index"].notna()].sort_values("index", kind="stable")
    failure = (located if len(located) else failures).iloc[0]
    row = f", row {int(failure['index']) + 2}" if pd.notna(failure["index"]) else ""
    check = str(failure["check"])
    if check == "multiple_fields_uniqueness":
        return f"{path}{row}: the same {', '.join(schema.unique)} appears more than once"
    if failure["schema_context"] == "DataFrameSchema":
        return f"{path}{row}: expected {check}"
    expected = "a whole number" if check.startswith(("coerce_dtype", "dtype")) else check
    return f"{path}{row}, {failure['column']}: {failure['failure_case']} is not {expected}"


def _check_references(path: Path, table: pd.DataFrame, name: str, measure_sources: dict[str, str],
                      area_codes: set[str]) -> None:
    for row, code in enumerate(table["area_code"], start=2):
        if code not in area_codes:
            raise LocalDataError(f"{path}, row {row}, area_code: {code!r} is not the area, one of its parts or one of their districts")
    if "measure_id" in table:
        for row, measure_id in enumerate(table["measure_id"], start=2):
            if measure_sources.get(measure_id) != name:
                known = ", ".join(sorted(m for m, source in measure_sources.items() if source == name))
                raise LocalDataError(f"{path}, row {row}, measure_id: {measure_id!r} is not a {name} measure "
                                     f"of the catalogue (expected one of: {known})")


def real_figures(data_dir: Path) -> list[Path]:
    """The local files holding rows that sources.yml does not mark illustrative: real local figures."""
    sources = _read_sources(Path(data_dir) / SOURCES_FILE)
    files = [Path(data_dir) / LOCAL / f"{name}.csv" for name in TEMPLATES]
    return [path for path in files if path.is_file() and not sources.get(path.name, {}).get("illustrative")
            and len(path.read_bytes().strip().splitlines()) > 1]


def _read_sources(path: Path) -> dict:
    if not path.is_file():
        return {}
    sources = read_yaml(path) or {}
    if not isinstance(sources, dict) or not all(
            isinstance(entry, dict) and isinstance(entry.get("illustrative", False), bool)
            and isinstance(entry.get("description", ""), str) for entry in sources.values()):
        raise LocalDataError(f"{path}: expected a mapping of file name -> {{illustrative: true or false, "
                             f"description: text}}")
    return sources


def _empty(schema: pa.DataFrameSchema) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=str) for column in schema.columns})

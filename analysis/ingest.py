"""Police.uk street-level CSV exports -> counts by month, district and crime type.

Built for national volume: each file (one force, one month) is read on its own with pyarrow, only
the three columns needed, and reduced to counts at once, so memory is bounded by one file however
many forces and months are given. Every row is accounted for: rows that cannot be placed in a
district are counted by reason, never dropped.
"""
from __future__ import annotations

import csv
import datetime
import hashlib
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

POLICE_UK_COLUMNS = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)
COUNTED_COLUMNS = ["Month", "LSOA code", "Crime type"]
CHECKED_COLUMNS = ["Falls within"]  # read to check, where the header has it
STREET_FILE = re.compile(r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+)-street\.csv$")
LOOKUP_COLUMNS = {"LSOA11CD": "lsoa_code", "LAD15CD": "district_code", "LAD15NM": "district_name"}

_CODE = Path(__file__).read_bytes()  # a cached count is this code's: a change to it counts every file again
PLACED_TEXT = ["force", "month", "district_code", "district_name", "reason", "crime_type"]  # a file's placed counts
PLACED_SCHEMA = pa.schema([*((column, pa.string()) for column in PLACED_TEXT), ("count", pa.int64())])
NO_LSOA = "no LSOA code"
LSOA_NOT_IN_LOOKUP = "LSOA not in lookup"
FALLS_WITHIN = "falls_within"  # a file's placed counts carry its rows' force (the Falls within column) as metadata


class IngestError(ValueError):
    """An input file that cannot be read as expected; the message names the file and what is wrong."""


@dataclass
class IngestResult:
    crime_counts: pd.DataFrame  # force, month, district_code, district_name, crime_type, count
    unplaced_counts: pd.DataFrame  # force, month, reason, crime_type, count
    months: pd.DataFrame  # month, force, file, rows


def find_street_files(folders: Iterable[Path], force: str | None = None) -> list[Path]:
    """Every `YYYY-MM-<force>-street.csv` under the folders (of the force named, if one is: a national
    download holds every force's files); a repeated force-month is an error."""
    files: dict[tuple[str, str], Path] = {}
    for folder in dict.fromkeys(map(Path, folders)):  # a folder named twice is read once
        if not folder.is_dir():
            raise IngestError(f"{folder}: not a folder of police.uk street-level CSV files")
        for path in sorted(folder.rglob("*-street.csv")):
            if not path.is_file():  # a pipe or a device would block the read for ever
                raise IngestError(f"{path}: not a regular file; expected a police.uk street-level CSV file")
            match = STREET_FILE.match(path.name)
            if not match:
                raise IngestError(f"{path}: file name is not YYYY-MM-<force>-street.csv")
            _check_file_month(path, match["month"])
            if force is not None and match["force"] != force:
                continue
            key = (match["month"], match["force"])
            if key in files:
                raise IngestError(
                    f"{path}: month {key[0]} of force {key[1]} is also supplied by {files[key]}"
                )
            files[key] = path
    if not files:
        raise IngestError(f"no YYYY-MM-{force or '<force>'}-street.csv files under {', '.join(map(str, folders))}")
    return [files[key] for key in sorted(files)]


def read_lookup(path: Path) -> pd.DataFrame:
    """ONS LSOA -> district lookup (columns LSOA11CD, LAD15CD, LAD15NM) as lsoa/district codes."""
    header = _read_header(path)
    missing = [column for column in LOOKUP_COLUMNS if column not in header]
    if missing:
        raise IngestError(f"{path}: lookup header lacks {', '.join(missing)}; expected {', '.join(LOOKUP_COLUMNS)}")
    lookup = pd.read_csv(path, usecols=list(LOOKUP_COLUMNS), dtype=str).rename(columns=LOOKUP_COLUMNS)
    return lookup.drop_duplicates("lsoa_code")


def count_file(path: Path, raw: bytes | None = None) -> tuple[pd.DataFrame, int]:
    """One street-level file (its bytes `raw`, if read already) -> (counts by month, LSOA code and
    crime type; number of rows).

    A Crime ID on two rows is not an error: police.uk's own files have them (six in Derbyshire's
    2014 files, at different places with different outcomes), and police.uk counts each row.
    """
    raw = path.read_bytes() if raw is None else raw
    _check_utf8(path, raw)
    header = next(csv.reader([raw.split(b"\n", 1)[0].decode("utf-8-sig")]), [])
    if not header:
        raise IngestError(f"{path}: the file is empty; expected the police.uk street-level header "
                          f"{','.join(POLICE_UK_COLUMNS)}")
    missing = [column for column in COUNTED_COLUMNS if column not in header]
    if missing:
        raise IngestError(
            f"{path}: header lacks column(s) {', '.join(repr(c) for c in missing)}; "
            f"expected the police.uk street-level header {','.join(POLICE_UK_COLUMNS)}"
        )
    try:
        table = pacsv.read_csv(
            pa.BufferReader(raw),
            convert_options=pacsv.ConvertOptions(
                include_columns=COUNTED_COLUMNS + [c for c in CHECKED_COLUMNS if c in header],
                column_types={column: pa.string() for column in COUNTED_COLUMNS + CHECKED_COLUMNS},
            ),
        )
    except pa.ArrowInvalid as error:
        raise IngestError(_locate_fault(path, len(header)) or f"{path}: {error}") from error
    _check_all_rows_read(path, raw, table.num_rows)
    _check_months(path, table)
    counts = table.select(COUNTED_COLUMNS).group_by(COUNTED_COLUMNS).aggregate([("Month", "count")]).to_pandas()
    counts.columns = ["month", "lsoa_code", "crime_type", "count"]
    counts.attrs[FALLS_WITHIN] = _check_one_force(path, table)
    return counts, table.num_rows


def ingest(folders: Iterable[Path], lookup: pd.DataFrame, threads: int = os.cpu_count() or 1,
           cache_dir: Path | None = None, force: str | None = None) -> IngestResult:
    """Count every street-level file under `folders` (of `force`, if named), placing each LSOA in its district.

    Files are read and placed `threads` at a time (pyarrow reads without holding the interpreter
    lock), so memory holds that many raw files at once, whatever their number. With `cache_dir`,
    each file's placed counts are kept there under the hash of its bytes, the lookup and this module,
    so adding a month to a national dataset parses and places only the new files.
    """
    paths = find_street_files(folders, force)
    lookup_hash = hashlib.sha256(pd.util.hash_pandas_object(lookup, index=False).to_numpy().tobytes()).digest()
    place = partial(_placed_file, lookup, lookup_hash, None if cache_dir is None else Path(cache_dir))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        per_file = list(pool.map(place, paths))
    _check_files_of_one_force(paths, [(table.schema.metadata or {}).get(FALLS_WITHIN.encode(), b"").decode()
                                      for table in per_file])
    months = [{**STREET_FILE.match(path.name).groupdict(), "file": path.name,
               "rows": pc.sum(counts["count"]).as_py() or 0}  # each row is in one group: they add up
              for path, counts in zip(paths, per_file)]
    placed = pa.concat_tables(per_file).to_pandas().astype({column: object for column in PLACED_TEXT})
    in_districts = placed[placed["reason"].isna()]
    crime_counts = (
        in_districts.groupby(["force", "month", "district_code", "district_name", "crime_type"], as_index=False)["count"]
        .sum()
        .sort_values(["month", "force", "district_code", "crime_type"], ignore_index=True)
    )
    unplaced_counts = (
        placed[placed["reason"].notna()]
        .groupby(["force", "month", "reason", "crime_type"], as_index=False)["count"]
        .sum()
        .sort_values(["month", "force", "reason", "crime_type"], ignore_index=True)
    )
    return IngestResult(crime_counts, unplaced_counts, pd.DataFrame(months))


def _placed_file(lookup: pd.DataFrame, lookup_hash: bytes, cache_dir: Path | None, path: Path) -> pa.Table:
    """One file's counts by month, district (or the reason it has none) and crime type, from the
    cache where these bytes were placed before with this lookup by this code. An entry that cannot
    be read is counted again."""
    raw = path.read_bytes()
    entry = cache_dir / f"{hashlib.sha256(_CODE + lookup_hash + raw).hexdigest()}.parquet" if cache_dir else None
    if entry is not None and entry.is_file():
        try:
            cached = pq.read_table(entry)
            lines = raw.count(b"\n") + (not raw.endswith(b"\n")) - 1  # rows after the header (blank lines: recounted)
            if _fits(cached, path, lines):
                return cached
        except (OSError, ValueError, pa.ArrowException):
            pass
    counts, _ = count_file(path, raw)
    falls_within = counts.attrs[FALLS_WITHIN]
    placed = counts.merge(lookup, on="lsoa_code", how="left")
    placed["reason"] = None
    placed.loc[placed["district_code"].isna(), "reason"] = LSOA_NOT_IN_LOOKUP
    placed.loc[placed["lsoa_code"] == "", "reason"] = NO_LSOA
    placed = (placed.assign(force=STREET_FILE.match(path.name)["force"])
              .groupby(PLACED_TEXT, dropna=False, as_index=False)["count"].sum())
    text = placed[PLACED_TEXT].astype(object)
    placed[PLACED_TEXT] = text.where(text.notna(), None)  # no district, or no reason: null, not a float NaN
    placed = pa.Table.from_pandas(placed, schema=PLACED_SCHEMA, preserve_index=False)
    placed = placed.replace_schema_metadata({FALLS_WITHIN: falls_within or ""})  # kept in the cache entry too
    if entry is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        staging = entry.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        pq.write_table(placed, staging)
        staging.replace(entry)  # whole or absent, never half written
    return placed


def _fits(cached: pa.Table, path: Path, rows: int) -> bool:
    """A cache entry is used only if it could be this file's: its schema, the file's month and force
    on every row, no negative count, and counts adding up to the file's `rows`; any other (edited,
    swapped, emptied) is counted again."""
    match = STREET_FILE.match(path.name)
    return (cached.schema.equals(PLACED_SCHEMA) and cached.num_rows > 0 and pc.sum(cached["count"]).as_py() == rows
            and pc.all(pc.equal(cached["month"], match["month"])).as_py()
            and pc.all(pc.equal(cached["force"], match["force"])).as_py()
            and pc.min(cached["count"]).as_py() >= 0)


def _read_header(path: Path) -> list[str]:
    with open(path, "rb") as handle:
        first_line = handle.readline()
    _check_utf8(path, first_line)
    return next(csv.reader([first_line.decode("utf-8-sig")]), [])


def _check_utf8(path: Path, raw: bytes) -> None:
    """The whole file must be UTF-8, not only the columns counted: a wrongly saved file is refused."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        row = raw.count(b"\n", 0, error.start) + 1
        raise IngestError(f"{path}, row {row}: not UTF-8 text (byte {raw[error.start]:#04x}); "
                          f"save the file as UTF-8") from None


def _locate_fault(path: Path, width: int) -> str | None:
    """After pyarrow refused a file: the first row with the wrong number of fields."""
    with open(path, encoding="utf-8", newline="") as handle:
        for number, text in enumerate(handle, start=1):
            fields = next(csv.reader([text]), [])
            if text.strip() and len(fields) != width:
                return (f"{path}, row {number}: {len(fields)} fields, expected {width} as in the header "
                        f"(a truncated or broken row)")
    return None


def _check_all_rows_read(path: Path, raw: bytes, rows_read: int) -> None:
    """Every line must be a row the parser read: an unbalanced quote makes a CSV parser (pyarrow's
    and Python's alike) take many lines as one field, silently. Police.uk fields hold no line
    breaks, so lines and rows must agree."""
    lines = [line for line in raw.split(b"\n")[1:] if line.strip()]
    if len(lines) == rows_read:
        return
    unbalanced = next((number for number, line in enumerate(lines, start=2) if line.count(b'"') % 2), None)
    where = f"{path}, row {unbalanced}: a quote (\") that is never closed" if unbalanced else f"{path}"
    raise IngestError(f"{where}; the parser read {rows_read:,} rows of {len(lines):,} lines")


def _check_file_month(path: Path, month: str) -> None:
    """A file's month must be a calendar month (01 to 12) that has begun: police.uk publishes a month
    after it ends, so a later one is a misnamed file."""
    number = int(month[5:])
    if not 1 <= number <= 12:
        raise IngestError(f"{path}: month {number:02d} in the file name is not a month (01 to 12)")
    today = datetime.date.today()
    if month > f"{today:%Y-%m}":
        raise IngestError(f"{path}: {month} in the file name is after this month ({today:%Y-%m}); "
                          f"police.uk publishes a month after it ends")


def _check_one_force(path: Path, table: pa.Table) -> str | None:
    """Every row of a force's file falls within that one force: rows of another force pasted in
    would be counted in districts the report does not own, or double-counted. Returns that force."""
    if "Falls within" not in table.column_names or table.num_rows == 0:
        return None
    forces = table.column("Falls within")
    if pc.count_distinct(forces).as_py() == 1:
        return forces[0].as_py()
    first = forces[0].as_py()
    row = pc.index(pc.not_equal(forces, first), True).as_py()
    raise IngestError(f"{path}, row {row + 2}: Falls within {forces[row].as_py()!r}, while row 2 has {first!r}; "
                      f"expected one force per file")


def _check_files_of_one_force(paths: list[Path], falls_within: list[str]) -> None:
    """Every file named for one force holds that force's rows: another force's file under its name
    would be counted as its crimes (each file's own rows agree, `_check_one_force`)."""
    by_force: dict[str, dict[str, list[Path]]] = {}
    for path, value in zip(paths, falls_within):
        if value:
            by_force.setdefault(STREET_FILE.match(path.name)["force"], {}).setdefault(value, []).append(path)
    for force, values in by_force.items():
        if len(values) > 1:
            usual = max(values, key=lambda value: len(values[value]))
            odd = next(value for value in values if value != usual)
            raise IngestError(f"{values[odd][0]}: its rows fall within {odd!r}, while {len(values[usual])} other "
                              f"{force} file(s) fall within {usual!r} (e.g. {values[usual][0].name}); expected every "
                              f"file named for {force} to be that force's")


def _check_months(path: Path, table: pa.Table) -> None:
    """Every row's Month must be the month in the file name."""
    expected = STREET_FILE.match(path.name)["month"]
    months = table.column("Month").to_pandas()
    wrong = months[months != expected]
    if len(wrong):
        row = int(wrong.index[0]) + 2  # 1-based, after the header line
        raise IngestError(f"{path}, row {row}: Month is {wrong.iloc[0]!r}, expected {expected} as in the file name")

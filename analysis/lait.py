"""Official youth-justice figures by local authority, from the DfE Local Authority Interactive Tool.

LAIT publishes, for every English upper-tier authority and region, the Youth Justice Board's first
time entrants per 100,000 residents aged 10-17 (`FirstYJS`) and the percentage of young offenders
who re-offend (`ReoffYO`), by calendar year: rates only, no counts. Its long table is read as DfE
published it (`bds_long_0.parquet`), with its quirks handled here: values are text, with `-` where
small numbers are suppressed and float artefacts such as `39.130000000000003`; regions are rows
whose region is `NA`; England's `FirstYJS` row is the sum of the regions' rates, not a rate, so
England is never used; authorities carry no ONS code, so they are matched to the ONS mid-year
estimates by name.
"""
from __future__ import annotations

from pathlib import Path

import re

import pandas as pd

from analysis.ingest import IngestError

LAIT_NAME = "dfe-lait/bds_long_0.parquet"
SOURCE = ("DfE Local Authority Interactive Tool (LAIT), Youth Justice Board figures, "
          "github.com/dfe-analytical-services/local-authority-interactive-tool")
# LAIT's short description -> what its value is per (100,000 residents aged 10-17; None: a
# percentage, per 100 young offenders), and the decimals it is published to.
MEASURES = {"FirstYJS": (100_000, 0), "ReoffYO": (None, 2)}
COLUMNS = ["Short Desc", "Years", "LA and Regions", "Values", "Region"]
SUPPRESSED = "-"
NO_REGION = "NA"  # a region's own rows, and England's
ENGLAND = "England"
_DECIMAL = re.compile(r"[0-9]{1,6}(\.[0-9]{1,2})?")  # as derived: '172', '39.13'; no 1E3, no -5
# LAIT's names for authorities the ONS estimates name otherwise.
ONS_NAMES = {"Durham": "County Durham", "Herefordshire": "Herefordshire, County of", "Bedford Borough": "Bedford"}
YOUTH_JUSTICE_COLUMNS = ["lait_measure", "area_code", "area_name", "year", "value", "region", "region_value"]


def youth_justice(path: Path, codes_by_name: dict[str, str], areas_by_code: dict[str, str]) -> pd.DataFrame:
    """The LAIT youth-justice rows of the authorities in `areas_by_code` (an authority's ONS code ->
    the code of the area it is), each year with its region's value beside it; a suppressed value is
    left blank. `codes_by_name`: authority name -> ONS code."""
    table = _read(path)
    table = table[table["Short Desc"].isin(MEASURES)].copy()
    table["value"] = [_value(path, row) for row in table.itertuples(index=False)]
    regions = table[(table["Region"] == NO_REGION) & (table["LA and Regions"] != ENGLAND)]
    region_values = {(row[0], _key(row[2]), row[1]): row[3] for row in
                     regions[["Short Desc", "Years", "LA and Regions", "value"]].itertuples(index=False)}
    authorities = table[table["Region"] != NO_REGION]
    codes = {_key(name): code for name, code in codes_by_name.items()}
    rows = []
    for measure, year, name, region, value in authorities[["Short Desc", "Years", "LA and Regions", "Region",
                                                           "value"]].itertuples(index=False):
        code = areas_by_code.get(codes.get(_key(ONS_NAMES.get(name, name))))
        if code is None:
            continue
        region_key = _region_key(region, {key for _, key, _ in region_values})
        if region_key is None:
            raise IngestError(f"{path}: {name}'s region {region!r} has no rows of its own; expected a region of LAIT")
        rows.append([measure, code, name, int(year), published(value, measure), region,
                     published(region_values[(measure, region_key, year)], measure)])
    found = pd.DataFrame(rows, columns=YOUTH_JUSTICE_COLUMNS)
    twice = found.duplicated(["lait_measure", "area_code", "year"])
    if twice.any():
        measure, code, name, year = found.loc[twice.idxmax(), ["lait_measure", "area_code", "area_name", "year"]]
        raise IngestError(f"{path}: {measure} for {name} ({code}) in {year} is given twice; expected one value")
    return found.sort_values(["lait_measure", "area_code", "year"], ignore_index=True)


def checked(path: Path, table: pd.DataFrame, area_codes: set[str]) -> pd.DataFrame:
    """A derived youth-justice table, refused where a row could publish a wrong figure: an unknown
    measure or area, a value that is not a number LAIT could publish (or blank, suppressed), or an
    area's year given twice. Values become numbers (NaN where suppressed)."""
    table = table.copy()
    for row, (measure, code) in enumerate(zip(table["lait_measure"], table["area_code"]), start=2):
        if measure not in MEASURES:
            raise ValueError(f"{path}, row {row}: lait_measure is {measure!r}, expected one of {', '.join(MEASURES)}")
        if code not in area_codes:
            raise ValueError(f"{path}, row {row}: area_code is {code!r}, expected an area of areas.yml")
    for column in ("value", "region_value"):
        numbers = []
        for row, (measure, text) in enumerate(zip(table["lait_measure"], table[column]), start=2):
            most = MEASURES[measure][0] or 100
            number = float(text) if _DECIMAL.fullmatch(text) else float("nan") if text == "" else -1.0
            if not (number != number or 0 <= number <= most):
                raise ValueError(f"{path}, row {row}: {column} is {text!r}, expected a number from 0 to {most:,} "
                                 f"as LAIT publishes it, or blank where suppressed")
            numbers.append(number)
        table[column] = numbers
    twice = table.duplicated(["lait_measure", "area_code", "year"])
    if twice.any():
        row = int(twice.idxmax()) + 2
        raise ValueError(f"{path}, row {row}: {table.at[row - 2, 'lait_measure']} for {table.at[row - 2, 'area_code']} "
                         f"in {table.at[row - 2, 'year']} is given twice; expected one value per measure, area and year")
    return table


def _read(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path, columns=COLUMNS)
    except (OSError, ValueError, KeyError) as error:
        raise IngestError(f"{path}: cannot read DfE LAIT's long table (columns {', '.join(COLUMNS)}): {error}") from error
    for column in ("Short Desc", "Years", "LA and Regions", "Region"):
        table[column] = table[column].astype(str).str.strip()
    return table


def _value(path: Path, row) -> float | None:
    """A published value as the number LAIT shows, rounded to its published decimals (39.13, not
    39.130000000000003); None where suppressed."""
    measure, year, name, text = row[0], row[1], row[2], str(row[3]).strip()
    if text == SUPPRESSED:
        return None
    per, decimals = MEASURES[measure]
    most = per or 100
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 <= value <= most) or not year.isdigit():
        raise IngestError(f"{path}: {measure} for {name} in {year!r} is {text!r}; expected a number from 0 to "
                          f"{most:,}, or '{SUPPRESSED}' where suppressed, in a calendar year")
    return round(value, decimals)


def published(value: float | None, measure: str) -> str:
    """A value as LAIT shows it: '172', '39.13', '35'; blank where suppressed."""
    if value is None or value != value:
        return ""
    return f"{value:.{MEASURES[measure][1]}f}".rstrip("0").rstrip(".") if MEASURES[measure][1] else f"{value:.0f}"


def _key(name: str) -> str:
    return " ".join(str(name).replace(",", " ").split()).casefold()


def _region_key(region: str, known: set[str]) -> str | None:
    """The region rows of an authority's region: 'Yorkshire and The Humber' is LAIT's 'Yorkshire and
    the Humber', 'Inner London' its 'London (Inner)'."""
    key = _key(region)
    if key in known:
        return key
    part, _, rest = key.partition(" ")
    flipped = f"{rest} ({part})"
    return flipped if flipped in known else None

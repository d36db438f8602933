"""Official youth-justice figures by local authority, from the DfE Local Authority Interactive Tool.

LAIT publishes, for every English upper-tier authority and region, the Youth Justice Board's first
time entrants per 100,000 residents aged 10-17 (`FirstYJS`) and the percentage of young offenders
who re-offend (`ReoffYO`), by calendar year: rates only, no counts. Its long table is read as DfE
published it (`bds_long_0.parquet`), with its quirks handled here: values are text, with `-` where
it gives none (small numbers suppressed, or not reported) and float artefacts such as
`39.130000000000003`; regions are rows
whose region is `NA`; England's `FirstYJS` row is the sum of the regions' rates, not a rate, so
England is never used; authorities carry no ONS code, so they are matched to the ONS mid-year
estimates by name.
"""
from __future__ import annotations

import datetime
import re
from pathlib import Path

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
# LAIT's English regions; a London borough's region ('Inner London', 'Outer London') is taken as
# London, as LAIT leaves inner and outer London's first time entrants unpublished.
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands", "East of England",
           "London", "South East", "South West")
_DECIMAL = re.compile(r"[0-9]{1,6}(\.[0-9]{1,2})?")  # as derived: '172', '39.13'; no 1E3, no -5
_YEAR = re.compile(r"[0-9]{4}")
# LAIT's names for authorities the ONS estimates name otherwise.
ONS_NAMES = {"Durham": "County Durham", "Herefordshire": "Herefordshire, County of", "Bedford Borough": "Bedford"}
# Authorities abolished in a reorganisation, with the year it took effect (1 April): LAIT goes on
# giving them a figure for that year, which covers part of it only, and some after, which are not
# the abolished council's; neither is used. Source:
# the Northamptonshire (Structural Changes) Order 2020 and the Cumbria (Structural Changes) Order 2022.
ABOLISHED = {"Northamptonshire": 2021, "Cumbria": 2023}
NOT_USED = "not used: "  # a note's start where LAIT gives a figure that is not the authority's for the year
NOT_PUBLISHED = "not published (LAIT shows '-': suppressed for small numbers, or not reported for the authority)"
# Codes of areas LAIT never publishes: a non-metropolitan district (part of a county), and Wales.
# (A police force area can be: Cumbria's has exactly its county's districts.)
NOT_COUNCILS = ("E07", "W")
YOUTH_JUSTICE_COLUMNS = ["lait_measure", "area_code", "area_name", "year", "value", "note", "region", "region_value"]


def youth_justice(path: Path, codes_by_name: dict[str, str], areas_by_code: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The LAIT youth-justice rows of the authorities in `areas_by_code` (an authority's ONS code ->
    the code and name of the pack's area it is), each year with its region's value beside it. A value LAIT does not
    give (`-`), or gives for part of a year only, is left blank, with the reason in `note`.
    `codes_by_name`: authority name -> ONS code."""
    table = _read(path)
    table = table[table["Short Desc"].isin(MEASURES)].copy()
    table["value"] = [_value(path, row) for row in table.itertuples(index=False)]
    regions = table[(table["Region"] == NO_REGION) & (table["LA and Regions"] != ENGLAND)].reset_index(drop=True)
    twice = regions.assign(key=regions["LA and Regions"].map(_key)).duplicated(["Short Desc", "Years", "key"])
    if twice.any():  # in any case or spacing: 'East Midlands' and 'EAST MIDLANDS' are one region
        measure, year, name = regions.loc[twice.idxmax(), ["Short Desc", "Years", "LA and Regions"]]
        raise IngestError(f"{path}: {measure} for the region {name} in {year} is given twice; expected one value")
    region_values = {(row[0], _key(row[2]), row[1]): row[3] for row in
                     regions[["Short Desc", "Years", "LA and Regions", "value"]].itertuples(index=False)}
    codes = {_key(name): code for name, code in codes_by_name.items()}
    rows = []
    for measure, year, name, region, value in table.loc[table["Region"] != NO_REGION, [
            "Short Desc", "Years", "LA and Regions", "Region", "value"]].itertuples(index=False):
        area = areas_by_code.get(codes.get(_key(ONS_NAMES.get(name, name))))
        if area is None:
            continue
        region = "London" if region in ("Inner London", "Outer London") else region
        if _key(region) not in {_key(known) for known in REGIONS}:
            raise IngestError(f"{path}: {name}'s region is {region!r}; expected one of LAIT's regions: {', '.join(REGIONS)}")
        note = NOT_PUBLISHED if pd.isna(value) else ""
        if int(year) >= ABOLISHED.get(name, int(year) + 1):
            value, note = None, (f"{NOT_USED}{name} was abolished in April {ABOLISHED[name]}, so LAIT's figure covers "
                                 f"part of the year, or none")
        theirs = region_values.get((measure, _key(region), year))
        rows.append([measure, *area, int(year), published(value, measure), note, region, published(theirs, measure)])
    found = pd.DataFrame(rows, columns=YOUTH_JUSTICE_COLUMNS)
    for code, name in areas_by_code.values():  # a council of the pack LAIT has nothing for: the wrong file, or renamed
        lacking = [measure for measure in MEASURES if not ((found["area_code"] == code) & (found["lait_measure"] == measure)).any()]
        if lacking:
            raise IngestError(f"{path}: no {' or '.join(lacking)} rows for {name} ({code}), a council of the pack; "
                              f"expected LAIT's long table, with its youth-justice measures for every council")
    twice = found.duplicated(["lait_measure", "area_code", "year"])
    if twice.any():
        measure, code, name, year = found.loc[twice.idxmax(), ["lait_measure", "area_code", "area_name", "year"]]
        raise IngestError(f"{path}: {measure} for {name} ({code}) in {year} is given twice; expected one value")
    return found.sort_values(["lait_measure", "area_code", "year"], ignore_index=True)


def could_be_council(code: str, districts: tuple[str, ...]) -> bool:
    """Whether an area could be an English council LAIT publishes: not a lone district of a county,
    nor in Wales."""
    return not (code.startswith(NOT_COUNCILS) or (len(districts) == 1 and districts[0].startswith(NOT_COUNCILS)))


def checked(path: Path, table: pd.DataFrame, areas: set[str]) -> pd.DataFrame:
    """A derived youth-justice table, refused where a row could publish a wrong figure: an unknown
    measure, an area not of the pack (`areas`: the codes of those that could be councils), a value that is not a
    number LAIT could publish (or blank, with its reason), a region not LAIT's, or an area's year
    given twice. Values become numbers (NaN where blank)."""
    table = table.copy()
    for row, line in enumerate(table.itertuples(index=False), start=2):
        where = f"{path}, row {row}"
        if line.lait_measure not in MEASURES:
            raise ValueError(f"{where}: lait_measure is {line.lait_measure!r}, expected one of {', '.join(MEASURES)}")
        if line.area_code not in areas:
            raise ValueError(f"{where}: area_code is {line.area_code!r}, expected the code of an area of areas.yml that "
                             f"LAIT could publish (not a district of a county, nor in Wales)")
        if line.region not in REGIONS:
            raise ValueError(f"{where}: region is {line.region!r}, expected one of LAIT's regions: {', '.join(REGIONS)}")
        if (line.value == "") != (line.note != "") or line.note not in ("", NOT_PUBLISHED) and not \
                line.note.startswith(NOT_USED):
            raise ValueError(f"{where}: value {line.value!r} and note {line.note!r}; expected, where and only where the "
                             f"value is blank, the note {NOT_PUBLISHED!r} or one starting {NOT_USED!r}")
    for column in ("value", "region_value"):
        numbers = []
        for row, (measure, text) in enumerate(zip(table["lait_measure"], table[column]), start=2):
            most = MEASURES[measure][0] or 100
            number = float(text) if _DECIMAL.fullmatch(text) else float("nan") if text == "" else -1.0
            if not (number != number or 0 <= number <= most):
                raise ValueError(f"{path}, row {row}: {column} is {text!r}, expected a number from 0 to {most:,} "
                                 f"as LAIT publishes it, or blank where it publishes none")
            numbers.append(number)
        table[column] = numbers
    twice = table.duplicated(["lait_measure", "area_code", "year"])
    if twice.any():
        row = int(twice.idxmax()) + 2
        raise ValueError(f"{path}, row {row}: {table.at[row - 2, 'lait_measure']} for {table.at[row - 2, 'area_code']} "
                         f"in {table.at[row - 2, 'year']} is given twice; expected one value per measure, area and year")
    return table


def _read(path: Path) -> pd.DataFrame:
    if not Path(path).is_file():
        raise IngestError(f"{path}: not found; expected DfE LAIT's long table, bds_long_0.parquet (from the "
                          f"local-authority-interactive-tool repository, 01_data/02_prod/)")
    try:
        table = pd.read_parquet(path, columns=COLUMNS)
    except (OSError, ValueError, KeyError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise IngestError(f"{path}: cannot read DfE LAIT's long table with columns {', '.join(COLUMNS)} ({first})") from None
    table = table.reset_index(drop=True)
    for column in ("Short Desc", "Years", "LA and Regions", "Region"):
        table[column] = table[column].fillna("").astype(str).str.strip()
    ours = table[table["Short Desc"].isin(MEASURES)]
    latest = datetime.date.today().year
    bad = ~ours["Years"].map(lambda year: bool(_YEAR.fullmatch(year)) and 1991 <= int(year) <= latest)
    if bad.any():
        raise IngestError(f"{path}: Years is {ours['Years'][bad].iloc[0]!r} in a row of {ours['Short Desc'][bad].iloc[0]}; "
                          f"expected a calendar year from 1991 to {latest}")
    blank = ours[["LA and Regions", "Region"]].eq("").any(axis=1)
    if blank.any():
        raise IngestError(f"{path}: a row of {ours['Short Desc'][blank].iloc[0]} for {ours['Years'][blank].iloc[0]} has no "
                          f"authority or region ('{NO_REGION}' for a region's own rows); expected both")
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
    if not (0 <= value <= most):
        raise IngestError(f"{path}: {measure} for {name} in {year!r} is {text!r}; expected a number from 0 to "
                          f"{most:,}, or '{SUPPRESSED}' where suppressed, in a calendar year")
    return round(value, decimals) + 0.0  # never -0


def published(value: float | None, measure: str) -> str:
    """A value as LAIT shows it: '172', '39.13', '35'; blank where it shows none."""
    if value is None or value != value:
        return ""
    return f"{value:.{MEASURES[measure][1]}f}".rstrip("0").rstrip(".") if MEASURES[measure][1] else f"{value:.0f}"


def _key(name: str) -> str:
    return " ".join(str(name).replace(",", " ").split()).casefold()

"""National ONS geography, read from the files as ONS published them: which districts make up each
county, Community Safety Partnership and police force area, and how many people live in each.

Counties are not in the district -> CSP -> force lookup; the mid-year estimates list each county
with its districts straight after it (sheet MYE 5), which is where a county's districts come from.

The lookups predate the councils merged in 2019 and 2020, whose estimates are published only for the
new council: packs are set up on the districts of April 2020, those of the estimates (`MERGED`), the
old districts' LSOAs counted in the council that replaced them.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd
from python_calamine import CalamineError

from analysis.ingest import IngestError

PARTNERSHIPS_NAME = "ons/lad17_csp17_pfa17.csv"
ESTIMATES_NAME = "ons/ukmidyearestimates20192020ladcodes.xls"
PARTNERSHIP_COLUMNS = ["LAD17CD", "LAD17NM", "CSP17CD", "CSP17NM", "PFA17CD", "PFA17NM"]
POPULATION_SHEET, AGE_SHEET, HEADER_ROW = "MYE 5", "MYE2 - Persons", 4
POPULATION_COLUMN = re.compile(r"^Estimated Population mid-(\d{4})$")
AGE_ESTIMATE_YEAR = 2019
COUNTY_KINDS = {"County": "Non-metropolitan District", "Metropolitan County": "Metropolitan District"}

# Councils made in 2019 and 2020 from the districts the 2015 LSOA and 2017 partnership lookups still
# name (ONS code changes, by the Orders named): new district code -> its name and the districts it replaced.
MERGED = {
    # The Bournemouth, Dorset and Poole (Structural Changes) Order 2018, from 1 April 2019
    "E06000058": ("Bournemouth, Christchurch and Poole", ("E06000028", "E06000029", "E07000048")),
    "E06000059": ("Dorset", ("E07000049", "E07000050", "E07000051", "E07000052", "E07000053")),
    # The Buckinghamshire (Structural Changes) Order 2019, from 1 April 2020
    "E06000060": ("Buckinghamshire", ("E07000004", "E07000005", "E07000006", "E07000007")),
    # The East Suffolk and the West Suffolk (Local Government Changes) Orders 2018, from 1 April 2019
    "E07000244": ("East Suffolk", ("E07000205", "E07000206")),
    "E07000245": ("West Suffolk", ("E07000201", "E07000204")),
    # The Somerset West and Taunton (Local Government Changes) Order 2018, from 1 April 2019
    "E07000246": ("Somerset West and Taunton", ("E07000190", "E07000191")),
}
NOW = {old: new for new, (_, olds) in MERGED.items() for old in olds}  # a merged district -> its council of 2020


def _sheet(path: Path, sheet: str) -> pd.DataFrame:
    try:
        table = pd.read_excel(path, sheet_name=sheet, header=HEADER_ROW, engine="calamine")
    except (OSError, ValueError, CalamineError) as error:
        raise IngestError(f"{path}: cannot read sheet {sheet!r} of the ONS mid-year estimates as published (.xls) "
                          f"({error})") from None
    table.columns = [str(column) for column in table.columns]
    missing = [column for column in ("Code", "Name", "Geography1") if column not in table.columns]
    if missing:
        raise IngestError(f"{path}, sheet {sheet}: header (row {HEADER_ROW + 1}) lacks {', '.join(missing)}")
    return table.dropna(subset=["Code"])


def population_by_year(path: Path) -> pd.DataFrame:
    """Every area's mid-year population, one row per area and year (sheet MYE 5)."""
    table = _sheet(path, POPULATION_SHEET)
    years = {column: int(match[1]) for column in table.columns if (match := POPULATION_COLUMN.match(column))}
    if not years:
        raise IngestError(f"{path}, sheet {POPULATION_SHEET}: no 'Estimated Population mid-YYYY' columns")
    long = table.melt(id_vars=["Code", "Name"], value_vars=list(years), var_name="column", value_name="population")
    long = long.dropna(subset=["population"])
    return pd.DataFrame({"area_code": long["Code"].astype(str), "area_name": long["Name"].astype(str),
                         "year": long["column"].map(years), "population": long["population"].astype("int64")})


def youth_by_area(path: Path) -> pd.DataFrame:
    """Every area's residents aged 10 to 17, mid-2019 single-year-of-age estimates (sheet MYE2)."""
    table = _sheet(path, AGE_SHEET)
    ages = [column for column in table.columns if column.removesuffix(".0") in {str(age) for age in range(10, 18)}]
    if len(ages) != 8:
        raise IngestError(f"{path}, sheet {AGE_SHEET}: expected a column for each age 10 to 17, found {ages}")
    return pd.DataFrame({"area_code": table["Code"].astype(str), "area_name": table["Name"].astype(str),
                         "year": AGE_ESTIMATE_YEAR, "population": table[ages].sum(axis=1).astype("int64")})


AUTHORITY_KINDS = ("County", "Unitary Authority", "Metropolitan District", "London Borough")


def authorities(path: Path) -> dict[str, str]:
    """Upper-tier local authority name -> ONS code (sheet MYE 5): the authorities DfE publishes by."""
    table = _sheet(path, POPULATION_SHEET)
    table = table[table["Geography1"].isin(AUTHORITY_KINDS)]
    return {str(name).strip(): str(code) for code, name in zip(table["Code"], table["Name"])}


def counties(path: Path) -> dict[str, tuple[str, str, list[tuple[str, str]]]]:
    """County code -> (name, kind, its districts as (code, name)), from the order of sheet MYE 5."""
    found: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
    current = None
    for code, name, kind in _sheet(path, POPULATION_SHEET)[["Code", "Name", "Geography1"]].itertuples(index=False):
        if kind in COUNTY_KINDS:
            current = found[str(code)] = (str(name).strip(), kind, [])
        elif current is not None and kind == COUNTY_KINDS[current[1]]:
            current[2].append((str(code), str(name).strip()))
        else:
            current = None
    return found


def partnerships(path: Path) -> pd.DataFrame:
    """District -> Community Safety Partnership -> police force area (ONS, 2017)."""
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise IngestError(f"{path}: cannot be read as CSV ({error})") from error
    missing = [column for column in PARTNERSHIP_COLUMNS if column not in table.columns]
    if missing:
        raise IngestError(f"{path}: header lacks {', '.join(missing)}; expected {', '.join(PARTNERSHIP_COLUMNS)}")
    table = table[PARTNERSHIP_COLUMNS].apply(lambda column: column.str.strip())
    blank = table.isna() | (table == "")
    if blank.any(axis=None):
        row = int(blank.any(axis=1).idxmax())
        raise IngestError(f"{path}, row {row + 2}: {blank.loc[row].idxmax()} is blank; expected every district's codes "
                          f"and names")
    return table


def current_districts(lookup: pd.DataFrame, code: str = "district_code", name: str = "district_name") -> pd.DataFrame:
    """The lookup with each merged district's code and name replaced by the council that replaced it."""
    new = lookup[code].map(NOW)
    return lookup.assign(**{code: new.fillna(lookup[code]),
                            name: new.map(lambda value: MERGED[value][0] if isinstance(value, str) else None)
                            .fillna(lookup[name])})


def partnerships_now(path: Path) -> pd.DataFrame:
    """The partnership lookup on the districts of April 2020 (`MERGED`). A partnership whose districts merged
    whole into councils of their own keeps its name (Somerset). Where a new council took districts of
    two or more partnerships (Christchurch of Dorset's with Bournemouth and Poole), each council of
    those partnerships is a partnership of its own, under its name and code."""
    table = current_districts(partnerships(path), "LAD17CD", "LAD17NM").drop_duplicates(["LAD17CD", "CSP17CD"])
    shared = table.groupby("LAD17CD")["CSP17CD"].transform("nunique") > 1
    split = table["CSP17CD"].isin(set(table.loc[shared, "CSP17CD"]))
    table.loc[split, "CSP17CD"], table.loc[split, "CSP17NM"] = table.loc[split, "LAD17CD"], table.loc[split, "LAD17NM"]
    return table.drop_duplicates("LAD17CD", ignore_index=True)


def closest(name: str, known: list[str], what: str, source: Path) -> str:
    """The known name matching `name` in any case; refused with the closest matches otherwise."""
    by_lower = {item.lower(): item for item in known}
    if name.strip().lower() in by_lower:
        return by_lower[name.strip().lower()]
    near = difflib.get_close_matches(name.strip().lower(), list(by_lower), n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(by_lower[item] for item in near)}" if near else ""
    raise IngestError(f"{source}: no {what} named {name!r}{hint}")

"""`python -m analysis init`: a new data directory for any county, police force area or Community
Safety Partnership of England and Wales, or a national folder of every force area's (`--national`),
set up from the national ONS lookups on the districts of April 2020 (`geography.MERGED`).

It writes the area set (`areas.yml`), starter `report.yml` and `targets.yml` that name this area and
no other, the measure catalogue, the known events (England's, for an area in England) and empty local
data templates; `python -m analysis data` then derives the police.uk counts and population into it.
"""
from __future__ import annotations

import re
import shlex
import shutil
import tempfile
from pathlib import Path

import yaml

from analysis import geography, paths
from analysis.areas import KINDS, load_areas, national_packs
from analysis.ingest import IngestError
from analysis.local_data import SOURCES_FILE, TEMPLATES

# ONS police force area names whose police.uk file names are not simply the name in lower case
POLICE_UK_NAMES = {"Metropolitan Police": "metropolitan", "London, City of": "city-of-london"}
STARTER_REPORT = """\
# The board paper's own words: replace these starters with your board's, and edit them each quarter.
# {{area}} is the paper's own area; a {part}'s own board, contact or words go under `districts:`, e.g.
# districts:
#   {example}:
#     board: {example} Community Safety Partnership
#     contact: {{name: ..., role: ..., phone: ..., email: ...}}
board: {board}
report_title: Community safety performance
# Meeting dates by quarter (YYYY-MM-DD), e.g. "2014-15 Q2": 2014-12-04; a quarter without one says
# "meeting date to be confirmed".
meeting_dates: {{}}
purpose: >-
  The purpose of this report is to update the Board on community safety performance in {{area}} for
  {{quarter}}: whether each measure is on track to meet its target, the trend over the past six months,
  and how the {parts} compare with each other.
recommendations:
  - notes the {{quarter}} performance information;
  - continues to monitor performance trends.
# The officer to contact: name (required), role, phone, email.
contact:
  name: Community safety team
background_papers:
  - "Police.uk street-level crime and anti-social behaviour data (data.police.uk), Open Government Licence v3.0"
  - "ONS mid-year population estimates and geography lookups, Open Government Licence v3.0"
  - "DfE Local Authority Interactive Tool (youth justice), Open Government Licence v3.0"
"""
STARTER_TARGETS = """\
# Targets by financial year, for measures whose catalogue target is at_most, at_least or band, e.g.
# "2014-15":
#   youth_reoffending_rate: {value: 1.01}
#   marac_repeat_rate: {low: 25, high: 30}
# A `reduction` target is against the same period last year and needs no value here. None is set yet:
# those measures show "no target set" until the board's own targets are entered.
{}
"""


def init_area(data_dir: Path, raw_dir: Path, *, county: str | None = None, police_force: str | None = None,
              csp: str | None = None) -> dict:
    """Write a new data directory for the area named; returns the area set written."""
    data_dir = Path(data_dir).absolute()
    _check_new(data_dir)
    estimates = Path(raw_dir) / geography.ESTIMATES_NAME
    lookup = Path(raw_dir) / geography.PARTNERSHIPS_NAME
    if county is not None:
        area, option = county_area(estimates, lookup, county), "--county"
    elif police_force is not None:
        area, option = force_area(lookup, police_force), "--police-force"
    else:
        area, option = partnership_area(lookup, csp), "--csp"
    named = area.get("ons_name", area["name"])  # as the lookups spell it: the command repeats as written
    _write_whole(data_dir, lambda staging: write_data_dir(staging, area, f"python -m analysis init {option} "
                                                                            f"{shlex.quote(named)}"))
    return area


def init_national(data_dir: Path, raw_dir: Path) -> tuple[list[dict], list[str]]:
    """Write a national folder: a pack for every police force area of England and Wales, each a data
    directory of its own (the force area and its partnerships, as `--police-force` writes it) in a
    folder named as police.uk names the force, listed in `national.yml`; returns the force areas,
    and the forces left out: those of one partnership (City of London), which `--police-force` refuses."""
    data_dir = Path(data_dir).absolute()
    _check_new(data_dir)
    lookup = Path(raw_dir) / geography.PARTNERSHIPS_NAME
    table = geography.partnerships_now(lookup)
    partnerships = table.groupby("PFA17NM")["CSP17CD"].nunique()
    names, alone = sorted(partnerships.index[partnerships > 1]), sorted(partnerships.index[partnerships == 1])
    forces = [force_area(lookup, name) for name in names]

    def write(staging: Path) -> None:
        staging.mkdir(parents=True)
        for area in forces:
            write_data_dir(staging / area["force"], area, "python -m analysis init --national")
        (staging / paths.NATIONAL_FILE).write_text(
            "# Every police force area of England and Wales, each a pack of its own (the force area and its\n"
            "# partnerships) in the folder named, written by `python -m analysis init --national` from the ONS\n"
            "# lookups. `python -m analysis data` and `build` on this folder work on every pack.\n"
            + "".join(f"# Left out: {name}, a police force area of one partnership, the same place (its pack would "
                      f"give it two\n# papers with two different counts).\n" for name in alone)
            + yaml.safe_dump({"packs": [area["force"] for area in forces]}, sort_keys=False), encoding="utf-8")
    _write_whole(data_dir, write)
    return forces, alone


def _check_new(data_dir: Path) -> None:
    if data_dir.is_symlink():
        raise IngestError(f"{data_dir}: a link; init writes a new data directory in its place: give the folder itself")
    if data_dir.exists() and (not data_dir.is_dir() or any(data_dir.iterdir())):
        raise IngestError(f"{data_dir}: already exists and is not an empty folder; init writes a new data "
                          f"directory and never overwrites one: choose another --data folder, or delete this one")


def _write_whole(data_dir: Path, write) -> None:
    """`write` the folder beside it, check every pack reads, then move it into place: never half a directory."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.init-", dir=data_dir.parent))  # a new name: nobody else's
    try:
        staging = work / data_dir.name
        write(staging)
        for pack in national_packs(staging) or [staging]:  # what init writes, the other commands must read
            load_areas(pack)
        staging.replace(data_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def county_area(estimates: Path, lookup: Path, name: str) -> dict:
    """A county and its districts, from the order of the ONS mid-year estimates; its police force
    from the districts' police force area, where they share one."""
    found = geography.counties(estimates)
    by_name = {county_name: code for code, (county_name, _, _) in found.items()}
    councils = {council.lower(): code for council, code in geography.authorities(estimates).items()}
    if name.strip().lower() not in {county.lower() for county in by_name} and name.strip().lower() in councils:
        table = geography.partnerships_now(lookup)  # Dorset, Buckinghamshire: unitary councils since 2019-20
        force = table.loc[table["LAD17CD"] == councils[name.strip().lower()], "PFA17NM"]
        raise IngestError(f"{estimates}: {name.strip()} is a council of one district, not a county with districts"
                          + (f"; use --police-force {force.iloc[0]!r}, whose pack has it as a partnership"
                             if len(force) else ""))
    code = by_name[geography.closest(name, list(by_name), "county", estimates)]
    county_name, _, districts = found[code]
    table = geography.partnerships_now(lookup)
    forces = set(table.loc[table["LAD17CD"].isin([district for district, _ in districts]), "PFA17NM"])
    return {"code": code, "name": county_name, "kind": "county",
            **({"force": police_uk_name(forces.pop())} if len(forces) == 1 else {}),
            "parts": [{"code": district, "name": district_name} for district, district_name in districts]}


def force_area(lookup: Path, name: str) -> dict:
    """A police force area and every Community Safety Partnership in it, each with its districts of April 2020."""
    table = geography.partnerships_now(lookup)
    force = geography.closest(name, sorted(set(table["PFA17NM"])), "police force area", lookup)
    rows = table[table["PFA17NM"] == force]
    parts = [{"code": code, "name": group["CSP17NM"].iloc[0], "districts": sorted(group["LAD17CD"])}
             for code, group in rows.groupby("CSP17CD", sort=False)]
    if len(parts) == 1:  # City of London: the force's every row, and the rows placed in it, for one place
        raise IngestError(f"{lookup}: {force} is a police force area of one partnership, {parts[0]['name']}, the same "
                          f"place; a pack of it would give that place two papers with two different counts (every "
                          f"row the force published, and the rows placed in the partnership), so none is set up")
    # a partnership named as its force (Dorset, Wiltshire) would share the force area's file names
    name = force if force not in {part["name"] for part in parts} else f"{force} police force area"
    return {"code": rows["PFA17CD"].iloc[0], "name": name, "ons_name": force, "kind": "police force area",
            "force": police_uk_name(force), "parts": sorted(parts, key=lambda part: part["name"])}


def partnership_area(lookup: Path, name: str) -> dict:
    """One Community Safety Partnership and its districts of April 2020."""
    table = geography.partnerships_now(lookup)
    old = geography.partnerships(lookup)
    merged = old[(old["CSP17NM"].str.lower() == name.strip().lower()) & ~old["CSP17CD"].isin(table["CSP17CD"])]
    if not merged.empty:  # Suffolk Coastal: its district merged with another partnership's into East Suffolk
        now = table[table["LAD17CD"].isin(merged["LAD17CD"].map(geography.NOW).dropna())]
        raise IngestError(f"{lookup}: {merged['CSP17NM'].iloc[0]}'s district(s) merged in 2019-20 with another "
                          f"partnership's, into {' and '.join(sorted(set(now['CSP17NM'])))}, whose population ONS "
                          f"publishes whole; use --police-force {merged['PFA17NM'].iloc[0]!r}: its pack has a "
                          f"partnership for {' and for '.join(sorted(set(now['CSP17NM'])))}")
    csp = geography.closest(name, sorted(set(table["CSP17NM"])), "Community Safety Partnership", lookup)
    rows = table[table["CSP17NM"] == csp].sort_values("LAD17NM")
    if len(rows) == 1:
        force = rows["PFA17NM"].iloc[0]
        instead = (f"its police force area, {force}, is this one partnership, and is refused likewise"
                   if (table["PFA17NM"] == force).sum() == 1 else
                   f"use --police-force {force!r} (every partnership of the force, {csp} among them)"
                   + (" or --county" if rows["LAD17CD"].iloc[0].startswith("E07") else ""))  # a district of a county
        raise IngestError(f"{lookup}: {csp} is a partnership of one district, {rows['LAD17NM'].iloc[0]}, so a pack of "
                          f"its own would hold one paper twice; {instead}")
    return {"code": rows["CSP17CD"].iloc[0], "name": csp, "kind": "partnership", "force": police_uk_name(rows["PFA17NM"].iloc[0]),
            "parts": [{"code": code, "name": district} for code, district in zip(rows["LAD17CD"], rows["LAD17NM"])]}


def police_uk_name(force_area: str) -> str:
    """The name police.uk files a force under: 'Devon & Cornwall' -> 'devon-and-cornwall'."""
    return POLICE_UK_NAMES.get(force_area, re.sub(r"[^a-z0-9]+", "-", force_area.lower().replace("&", "and")).strip("-"))


def write_data_dir(data_dir: Path, area: dict, command: str) -> None:
    """Every file of a new data directory: nothing of another area is copied in."""
    data_dir.mkdir(parents=True)
    parts_noun = KINDS[area["kind"]].parts
    header = (f"# The area a pack reports on and the {parts_noun} it compares (ONS codes), written by\n"
              f"# `{command}` from the ONS lookups.\n"
              f"# A part's figures are the sum of its districts'.\n")
    merged = [code for part in area["parts"] for code in part.get("districts", [part["code"]]) if code in geography.MERGED]
    if merged:
        header += ("# Districts are those of April 2020: a council formed in 2019-20 from merged districts\n"
                   "# counts their LSOAs (ONS publishes the population of the new council only):\n"
                   + "".join(f"# {code} {geography.MERGED[code][0]}: the LSOAs of {', '.join(geography.MERGED[code][1])}\n"
                             for code in merged))
    (data_dir / paths.AREAS_FILE).write_text(header + _areas_yaml(area), encoding="utf-8")
    board = (f"{area['ons_name']} community safety board" if area["kind"] == "police force area"
             else f"{area['name']} Community Safety Partnership board")
    starter = STARTER_REPORT.format(board=board, parts=parts_noun, part=KINDS[area["kind"]].part,
                                    example=area["parts"][0]["name"])
    if area["kind"] == "police force area":  # each partnership's paper goes to its own board
        starter += "districts:\n" + "".join(f"  {_scalar(part['name'])}:\n    board: {_scalar(part['name'] + ' Community Safety Partnership board')}\n"
                                            for part in area["parts"])
    (data_dir / paths.REPORT_FILE).write_text(starter, encoding="utf-8")
    (data_dir / paths.TARGETS_FILE).write_text(STARTER_TARGETS, encoding="utf-8")
    shutil.copy(paths.DATA_DIR / paths.MEASURES_FILE, data_dir / paths.MEASURES_FILE)
    if area["code"].startswith("E"):  # the bundled events are England's lockdowns
        shutil.copy(paths.DATA_DIR / paths.EVENTS_FILE, data_dir / paths.EVENTS_FILE)
    local = data_dir / paths.LOCAL
    local.mkdir()
    for name, schema in TEMPLATES.items():
        (local / f"{name}.csv").write_text(",".join(schema.columns) + "\n", encoding="utf-8")
    (data_dir / SOURCES_FILE).write_text(
        "# Where each local data file comes from: fill the templates (data/README.md) from your own systems\n"
        "# and describe each here; illustrative: true puts a notice on every report using that file.\n"
        + yaml.safe_dump({f"{name}.csv": {"description": "not yet filled in", "illustrative": False}
                          for name in TEMPLATES}, sort_keys=True), encoding="utf-8")


def _areas_yaml(area: dict) -> str:
    """areas.yml with one line per part, as a person would write it."""
    lines = ["area:", f"  code: {area['code']}", f"  name: {_scalar(area['name'])}", f"  kind: {area['kind']}"]
    if "force" in area:
        lines.append(f"  force: {area['force']}  # police.uk's name for the force, as in YYYY-MM-{area['force']}-street.csv")
    lines.append("  parts:")
    for part in area["parts"]:
        districts = part.get("districts")
        extra = f", districts: [{', '.join(districts)}]" if districts and districts != [part["code"]] else ""
        lines.append(f"    - {{code: {part['code']}, name: {_scalar(part['name'])}{extra}}}")
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """`text` as YAML within a flow mapping, quoted where it must be ('Bristol, City of')."""
    return yaml.safe_dump([text], default_flow_style=True, width=1000).strip().removeprefix("[").removesuffix("]")

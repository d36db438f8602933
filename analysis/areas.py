"""The area a pack reports on and the parts it compares, read from `data/areas.yml`: a county and
its districts, a police force area and its Community Safety Partnerships, or one partnership and its
districts (`python -m analysis init` writes the file from the ONS lookups). A national folder
(`national.yml`) holds one such data directory per police force area.

In the code the whole area is `county` and its parts `districts`, whatever they are called; the
paper's words come from `Area.nouns`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import AREAS_FILE, NATIONAL_FILE
from analysis.yamlfile import read_yaml


@dataclass(frozen=True)
class Nouns:
    """The paper's words for the pack's whole area and for each of its parts."""
    whole: str  # "the county is ..."
    part: str  # "every district ..."
    wide: str  # "reported county-wide only"

    @property
    def parts(self) -> str:
        return f"{self.part}s"


# The whole area's kind (areas.yml) -> the paper's words.
KINDS = {"county": Nouns("county", "district", "county-wide"),
         "police force area": Nouns("force area", "partnership", "force-wide"),
         "partnership": Nouns("partnership", "district", "partnership-wide")}


ONS_CODE = re.compile(r"[EWSNK][0-9]{8}")  # a GSS code: country letter and eight digits
FORCE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")  # as in YYYY-MM-<force>-street.csv


class AreaError(ValueError):
    """An unknown area, or an areas file that cannot be read."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str  # "county", "police force area", "partnership" or "district"
    district_codes: tuple[str, ...]  # the ONS districts whose counts and residents make up this area
    nouns: Nouns  # the paper's words for the pack's whole area and its parts
    is_county: bool = False  # the whole area of the pack (a county, force area or partnership), not a part
    force: str | None = None  # a police force area: its police.uk name (file names' <force>), whose every row it counts

    @property
    def slug(self) -> str:
        """File-name form: 'North West Leicestershire' -> 'north-west-leicestershire'."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


@dataclass(frozen=True)
class AreaSet:
    county: Area
    districts: tuple[Area, ...]
    force: str | None = None  # the police force whose police.uk files the area's data come from, if named

    @property
    def all(self) -> tuple[Area, ...]:
        """The county first, then its districts in the order of the areas file."""
        return (self.county, *self.districts)

    def find(self, text: str) -> Area:
        """An area by its name, slug or ONS code, in any case."""
        wanted = str(text).strip().lower()
        for area in self.all:
            if wanted in (area.name.lower(), area.slug, area.code.lower()):
                return area
        known = ", ".join(area.name for area in self.all)
        raise AreaError(f"unknown area {text!r}; expected one of: {known}")


def load_areas(data_dir: Path) -> AreaSet:
    path = Path(data_dir) / AREAS_FILE
    if not path.exists() and (Path(data_dir) / NATIONAL_FILE).is_file():
        raise AreaError(f"{data_dir}: a national folder ({NATIONAL_FILE}), of one pack per police force area; "
                        f"name one pack's folder, e.g. {Path(data_dir) / 'derbyshire'}")
    shape = ("expected area: {code, name, kind, force (police.uk's name for the force; needed for a police force area), "
             "parts: [{code, name, districts: [codes] (optional)}, ...]} "
             f"with kind one of: {', '.join(KINDS)}")
    try:
        whole = read_yaml(path)["area"]
        kind = str(whole["kind"])
        nouns = KINDS[kind]
        parts = tuple(Area(_code(path, part["code"]), _text(path, "name", part["name"]), nouns.part,
                           tuple(_code(path, code) for code in part.get("districts") or [part["code"]]), nouns)
                      for part in whole["parts"])
        force = _text(path, "force", whole["force"], FORCE_NAME) if kind == "police force area" or "force" in whole \
            else None
        county_area = Area(_code(path, whole["code"]), _text(path, "name", whole["name"]), kind,
                           tuple(code for part in parts for code in part.district_codes), nouns, True,
                           force if kind == "police force area" else None)
    except (OSError, KeyError, TypeError, AttributeError) as error:
        raise AreaError(f"{path}: {shape} ({error!r})") from error
    if not parts:
        raise AreaError(f"{path}: the area lists no parts")
    _check_distinct(path, (county_area, *parts))
    claimed: dict[str, Area] = {}
    for part in parts:
        for code in part.district_codes:
            if code in claimed:
                raise AreaError(f"{path}: district {code} is in both {claimed[code].name!r} and {part.name!r}; "
                                f"expected each district in one part, or its residents are counted twice")
            claimed[code] = part
    return AreaSet(county_area, parts, force)


def national_packs(data_dir: Path) -> list[Path] | None:
    """The pack folders of a national folder (its `national.yml`), or None for the data directory of one pack."""
    path = Path(data_dir) / NATIONAL_FILE
    if not path.is_file():
        return None
    content = read_yaml(path)
    packs = content.get("packs") if isinstance(content, dict) else None
    if not isinstance(packs, list) or not packs or not all(isinstance(name, str) and FORCE_NAME.fullmatch(name)
                                                           for name in packs):
        raise AreaError(f"{path}: expected packs: [folder, ...], each a pack's folder here named as police.uk "
                        f"names its force (e.g. derbyshire)")
    twice = sorted({name for name in packs if packs.count(name) > 1})
    if twice:
        raise AreaError(f"{path}: pack(s) {', '.join(twice)} listed twice; expected each pack once")
    folders = [Path(data_dir) / name for name in packs]
    for folder in folders:
        if not (folder / AREAS_FILE).is_file():
            raise AreaError(f"{path}: pack {folder.name} has no {AREAS_FILE} in {folder}")
        force = load_areas(folder).force
        if force != folder.name:  # a pack takes its force's files: two packs of one force would both take them
            raise AreaError(f"{folder / AREAS_FILE}: force is {force!r}, expected {folder.name!r}, the pack's folder "
                            f"name in {path} (each pack is the police force area police.uk names so)")
    return folders


def _code(path: Path, value: object) -> str:
    return _text(path, "code", value, ONS_CODE)


def _text(path: Path, field: str, value: object, pattern: re.Pattern | None = None) -> str:
    """A field that must be text (a YAML null or number would print as 'None' or '7'), of a pattern if given."""
    if not isinstance(value, str) or not value.strip() or (pattern and not pattern.fullmatch(value)):
        expected = {ONS_CODE: "an ONS code such as E07000133", FORCE_NAME: "police.uk's name for the force, "
                    "e.g. derbyshire"}.get(pattern, "text")
        raise AreaError(f"{path}: {field} is {value!r:.60}, expected {expected}")
    return value.strip()


def _check_distinct(path: Path, areas: tuple[Area, ...]) -> None:
    """Codes, names and file names must each name one area: two alike would overwrite or mislabel."""
    for area in areas:
        if not re.search(r"[A-Za-z]", area.name) or not area.slug:
            raise AreaError(f"{path}: area {area.code}: name {area.name!r} needs letters")
    for what, key in (("code", lambda a: a.code.lower()), ("name", lambda a: a.name.lower()),
                      ("file name", lambda a: a.slug)):
        seen: dict[str, Area] = {}
        for area in areas:
            if key(area) in seen:
                raise AreaError(f"{path}: {area.name!r} ({area.code}) has the same {what} as "
                                f"{seen[key(area)].name!r} ({seen[key(area)].code}); each area needs its own")
            seen[key(area)] = area

"""The county and districts a pack reports on, read from `data/areas.yml`."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.paths import AREAS_FILE
from analysis.yamlfile import load_yaml


class AreaError(ValueError):
    """An unknown area, or an areas file that cannot be read."""


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str  # "county" or "district"
    district_codes: tuple[str, ...]  # the districts whose counts make up this area

    @property
    def slug(self) -> str:
        """File-name form: 'North West Leicestershire' -> 'north-west-leicestershire'."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    @property
    def is_county(self) -> bool:
        return self.kind == "county"


@dataclass(frozen=True)
class AreaSet:
    county: Area
    districts: tuple[Area, ...]

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
    try:
        county = load_yaml(path.read_text(encoding="utf-8"))["county"]
        districts = tuple(
            Area(str(d["code"]), str(d["name"]), "district", (str(d["code"]),)) for d in county["districts"]
        )
        county_area = Area(str(county["code"]), str(county["name"]), "county", tuple(d.code for d in districts))
    except UnicodeDecodeError as error:
        raise AreaError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise AreaError(
            f"{path}: expected county: {{code, name, districts: [{{code, name}}, ...]}} ({error!r})"
        ) from error
    if not districts:
        raise AreaError(f"{path}: the county lists no districts")
    _check_distinct(path, (county_area, *districts))
    return AreaSet(county_area, districts)


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

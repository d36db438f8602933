"""The measure catalogue (`data/measures.yml`): every measure declared once, validated on load."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.paths import MEASURES_FILE

POLARITIES = ("lower_is_better", "higher_is_better", "neutral")
ALL_TYPES = "*"


class CatalogueError(ValueError):
    """A catalogue entry that is missing a field or has a value outside what is allowed."""


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    outcome: str
    source: str
    unit: str
    polarity: str
    crime_types: tuple[str, ...] | str  # the police.uk types counted, or ALL_TYPES
    exclude_crime_types: tuple[str, ...] = ()

    def counts(self, crime_type: str) -> bool:
        """Whether a police.uk crime type is part of this measure."""
        if crime_type in self.exclude_crime_types:
            return False
        return self.crime_types == ALL_TYPES or crime_type in self.crime_types


def load_measures(data_dir: Path) -> list[Measure]:
    path = Path(data_dir) / MEASURES_FILE
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))["measures"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        raise CatalogueError(f"{path}: expected a 'measures:' list ({error!r})") from error
    measures, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        measure = _measure(path, number, entry)
        if measure.id in seen:
            raise CatalogueError(f"{path}, measure {number}: id {measure.id!r} is declared twice")
        seen.add(measure.id)
        measures.append(measure)
    return measures


def _measure(path: Path, number: int, entry: dict) -> Measure:
    where = f"{path}, measure {number} ({entry.get('id', 'no id') if isinstance(entry, dict) else entry!r})"
    required = ("id", "title", "outcome", "source", "unit", "polarity", "crime_types")
    missing = [key for key in required if not isinstance(entry, dict) or key not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    if entry["polarity"] not in POLARITIES:
        raise CatalogueError(f"{where}: polarity {entry['polarity']!r}, expected one of {', '.join(POLARITIES)}")
    crime_types = entry["crime_types"]
    if crime_types != ALL_TYPES and not (isinstance(crime_types, list) and crime_types):
        raise CatalogueError(f"{where}: crime_types must be a list of police.uk crime types or {ALL_TYPES!r}")
    return Measure(
        id=str(entry["id"]),
        title=str(entry["title"]),
        outcome=str(entry["outcome"]),
        source=str(entry["source"]),
        unit=str(entry["unit"]),
        polarity=entry["polarity"],
        crime_types=crime_types if crime_types == ALL_TYPES else tuple(map(str, crime_types)),
        exclude_crime_types=tuple(map(str, entry.get("exclude_crime_types", []))),
    )

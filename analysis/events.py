"""Known events (`data/events.yml`): dates that change what a comparison means, declared once.

Each event has a date and a short label, e.g. the end of COVID-19 restrictions in England on 19 July
2021. Charts mark the events inside their months; a comparison whose periods span an event says so.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import EVENTS_FILE
from analysis.yamlfile import read_yaml

LABEL_LENGTH = 60  # a label is a few words: it goes on a chart's note and into sentences


class EventError(ValueError):
    """An events file that is not a list of dated, labelled events."""


@dataclass(frozen=True)
class KnownEvent:
    date: datetime.date
    label: str

    @property
    def month(self) -> str:
        return f"{self.date:%Y-%m}"

    def __str__(self) -> str:
        return f"{self.label} ({self.date.day} {self.date:%b %Y})"


def load_events(data_dir: Path) -> tuple[KnownEvent, ...]:
    """The events of `data/events.yml`, oldest first; none where the file is absent."""
    path = Path(data_dir) / EVENTS_FILE
    if not path.is_file():
        return ()
    try:
        entries = read_yaml(path) or {}
    except OSError as error:
        raise EventError(f"{path}: cannot be read ({error})") from None
    events = entries.get("events") if isinstance(entries, dict) else None
    if not isinstance(events, list):
        raise EventError(f"{path}: expected 'events:' with a list of entries, each a date and a label")
    return tuple(sorted((_event(f"{path}, event {number}", entry) for number, entry in enumerate(events, start=1)),
                        key=lambda event: event.date))


def _event(where: str, entry: object) -> KnownEvent:
    if not isinstance(entry, dict) or set(entry) != {"date", "label"}:
        raise EventError(f"{where}: expected date and label, got {entry!r}")
    date, label = entry["date"], entry["label"]
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise EventError(f"{where}: date {date!r} is not a date written YYYY-MM-DD")
    if not isinstance(label, str) or not label.strip() or len(label) > LABEL_LENGTH:
        raise EventError(f"{where}: label {label!r} should be text of 1 to {LABEL_LENGTH} characters")
    return KnownEvent(date, " ".join(label.split()))


def spanned(events: tuple[KnownEvent, ...], first_month: str, last_month: str) -> tuple[KnownEvent, ...]:
    """The events from the first day of `first_month` to the end of `last_month` (months 'YYYY-MM')."""
    return tuple(event for event in events if first_month <= event.month <= last_month)

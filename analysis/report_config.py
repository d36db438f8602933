"""The board paper's own words (`data/report.yml`): board, title, meeting dates, purpose,
recommendations, contact and background papers, with any district's own board, contact and
recommendations under `districts:` (the county's are the default)."""
from __future__ import annotations

import dataclasses
import datetime
import reprlib
from dataclasses import dataclass
from pathlib import Path

from analysis.paths import REPORT_FILE
from analysis.periods import PeriodError, Quarter
from analysis.yamlfile import read_yaml

PER_AREA = ("board", "meeting_dates", "contact", "recommendations", "background_papers")
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 3, 3, 60, 60
CONTACT_FIELDS = ("name", "role", "phone", "email")


class ReportConfigError(ValueError):
    """A report config that lacks a field or has one of the wrong kind."""


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ReportConfig:
    board: str
    report_title: str
    meeting_dates: dict[Quarter, datetime.date]
    purpose: str  # may contain {quarter}
    recommendations: tuple[str, ...]  # each may contain {quarter} and {exceptions}
    contact: Contact
    background_papers: tuple[str, ...] = ()
    areas: dict[str, dict] = dataclasses.field(default_factory=dict)  # area name -> its own fields

    def meeting(self, quarter: Quarter) -> str:
        date = self.meeting_dates.get(quarter)
        return f"{date.day} {date:%B %Y}" if date else "meeting date to be confirmed"

    def filled(self, text: str, quarter: Quarter, area: str, exceptions: str = "") -> str:
        """The text with {quarter}, {area} (the paper's area) and {exceptions} (the quarter's exceptions
        named) filled in; no other field is expanded."""
        return (text.replace("{quarter}", quarter.label).replace("{area}", area)
                .replace("{exceptions}", exceptions or "none this quarter"))

    def for_area(self, name: str) -> ReportConfig:
        """The words for one area's paper: its own fields where `districts:` gives them."""
        return dataclasses.replace(self, **self.areas.get(name, {}), areas={})


def short(value: object) -> str:
    """A value read from a file, for a message: a line at most, however large (a YAML alias bomb)."""
    return _SHORT.repr(value)


def load_report_config(data_dir: Path) -> ReportConfig:
    path = Path(data_dir) / REPORT_FILE
    try:
        entries = read_yaml(path)
    except OSError as error:
        raise ReportConfigError(f"{path}: cannot be read ({error})") from error
    texts = ("board", "report_title", "purpose")
    if not isinstance(entries, dict) or any(not isinstance(entries.get(key), str) for key in texts):
        raise ReportConfigError(f"{path}: expected text fields {', '.join(texts)}")
    unknown = set(entries) - {*texts, *PER_AREA, "districts"}
    if unknown:
        raise ReportConfigError(f"{path}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    common = _area_fields(entries, str(path))
    if "contact" not in common or "recommendations" not in common:
        raise ReportConfigError(f"{path}: expected contact and recommendations")
    districts = entries.get("districts") or {}
    if not isinstance(districts, dict):
        raise ReportConfigError(f"{path}, districts: expected district names, each with its own "
                                f"{', '.join(PER_AREA)}")
    areas = {}
    for name, fields in districts.items():
        if not isinstance(fields, dict) or set(fields) - set(PER_AREA):
            raise ReportConfigError(f"{path}, districts, {name}: expected some of {', '.join(PER_AREA)}")
        areas[str(name)] = _area_fields(fields, f"{path}, districts, {name}")
    return ReportConfig(entries["board"], entries["report_title"], common.get("meeting_dates", {}), entries["purpose"],
                        common["recommendations"], common["contact"], common.get("background_papers", ()), areas)


def _area_fields(entries: dict, where: str) -> dict:
    """The fields an area can set, checked and converted."""
    fields = {}
    if "board" in entries:
        if not isinstance(entries["board"], str):
            raise ReportConfigError(f"{where}, board: expected text")
        fields["board"] = entries["board"]
    for key in ("recommendations", "background_papers"):
        if key in entries:
            items = entries[key]
            if not isinstance(items, list) or not all(isinstance(item, str) and item.strip() for item in items) \
                    or (key == "recommendations" and not items):
                raise ReportConfigError(f"{where}, {key}: expected a list of sentences")
            fields[key] = tuple(items)
    if "contact" in entries:
        fields["contact"] = _contact(entries["contact"], where)
    if "meeting_dates" in entries:
        fields["meeting_dates"] = _meeting_dates(entries["meeting_dates"] or {}, where)
    return fields


def _contact(value: object, where: str) -> Contact:
    if isinstance(value, dict) and isinstance(value.get("name"), str) and not set(value) - set(CONTACT_FIELDS) \
            and all(isinstance(text, str) for text in value.values()) and value["name"].strip():
        return Contact(**value)
    if not isinstance(value, str) or not value.strip():
        raise ReportConfigError(f"{where}, contact: expected a name, or text fields {', '.join(CONTACT_FIELDS)} "
                                f"(name required)")
    return Contact(value)


def _meeting_dates(entries: object, where: str) -> dict[Quarter, datetime.date]:
    if not isinstance(entries, dict):
        raise ReportConfigError(f"{where}, meeting_dates: expected quarters, each with a date YYYY-MM-DD")
    dates = {}
    for quarter, date in entries.items():
        try:
            key = Quarter.parse(str(quarter))
        except PeriodError as error:
            raise ReportConfigError(f"{where}, meeting_dates: {error}") from None
        if not isinstance(date, datetime.date):
            raise ReportConfigError(f"{where}, meeting_dates, {short(quarter)}: {short(date)} is not a "
                                    f"date YYYY-MM-DD")
        year, month = map(int, key.months[-1].split("-"))
        after = datetime.date(year + month // 12, month % 12 + 1, 1)  # the day after the quarter ends
        if not after <= date <= after + datetime.timedelta(days=366):
            raise ReportConfigError(f"{where}, meeting_dates, {short(quarter)}: {date} is not after {key} ends or is "
                                    f"more than a year after; expected the date of the meeting that receives it")
        if key in dates:
            raise ReportConfigError(f"{where}, meeting_dates, {short(quarter)}: {key} is given twice (written two "
                                    f"ways); expected one date per quarter")
        dates[key] = date
    return dates

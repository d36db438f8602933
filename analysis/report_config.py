"""The board paper's own words (`data/report.yml`): board, title, meeting dates, purpose, recommendations."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis.paths import REPORT_FILE
from analysis.periods import PeriodError, Quarter


class ReportConfigError(ValueError):
    """A report config that lacks a field or has one of the wrong kind."""


@dataclass(frozen=True)
class ReportConfig:
    board: str
    report_title: str
    meeting_dates: dict[Quarter, datetime.date]
    purpose: str  # may contain {quarter}
    recommendations: tuple[str, ...]  # each may contain {quarter}
    contact: str

    def meeting(self, quarter: Quarter) -> str:
        date = self.meeting_dates.get(quarter)
        return f"{date.day} {date:%B %Y}" if date else "meeting date to be confirmed"

    def filled(self, text: str, quarter: Quarter) -> str:
        """The text with {quarter} filled in; no other field is expanded."""
        return text.replace("{quarter}", quarter.label)


def load_report_config(data_dir: Path) -> ReportConfig:
    path = Path(data_dir) / REPORT_FILE
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ReportConfigError(f"{path}: cannot be read ({error})") from error
    texts = ("board", "report_title", "purpose", "contact")
    if not isinstance(entries, dict) or any(not isinstance(entries.get(key), str) for key in texts):
        raise ReportConfigError(f"{path}: expected text fields {', '.join(texts)}")
    recommendations = entries.get("recommendations")
    if not isinstance(recommendations, list) or not all(isinstance(r, str) for r in recommendations):
        raise ReportConfigError(f"{path}, recommendations: expected a list of sentences")
    dates = {}
    for quarter, date in (entries.get("meeting_dates") or {}).items():
        try:
            key = Quarter.parse(quarter)
        except PeriodError as error:
            raise ReportConfigError(f"{path}, meeting_dates: {error}") from None
        if not isinstance(date, datetime.date):
            raise ReportConfigError(f"{path}, meeting_dates, {quarter}: {date!r} is not a date YYYY-MM-DD")
        dates[key] = date
    return ReportConfig(entries["board"], entries["report_title"], dates, entries["purpose"],
                        tuple(recommendations), entries["contact"])

"""Financial-year quarters, the reporting period of a community safety board.

The UK public-sector financial year runs April to March, so 2022-23 Q2 is July to September 2022.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

ACCEPTED_FORM = "YYYY-YY Qn, e.g. 2022-23 Q2 (also 2022-23Q2 or 2022/23 Q2)"

_QUARTER_PATTERN = re.compile(r"^\s*(\d{4})[-/](\d{2})\s*[Qq]([1-4])\s*$", re.ASCII)
_MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$", re.ASCII)
EARLIEST_MONTH = "2000-01"  # no figure the project reports is older; a year 0000 or 1900 is a typing error
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class PeriodError(ValueError):
    """A quarter or month that cannot be read; the message shows the accepted form."""


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter `number` (1-4) of the financial year that starts in April of `start_year`."""

    start_year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        match = _QUARTER_PATTERN.match(str(text))
        if not match:
            raise PeriodError(f"quarter {text!r} is not in the accepted form {ACCEPTED_FORM}")
        start, end, number = int(match[1]), int(match[2]), int(match[3])
        if (start + 1) % 100 != end:
            raise PeriodError(
                f"quarter {text!r}: {start}-{end:02d} is not a financial year "
                f"(expected {start}-{(start + 1) % 100:02d}); accepted form {ACCEPTED_FORM}"
            )
        return cls(start, number)

    @property
    def financial_year(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """Human form, '2022-23 Q2'."""
        return f"{self.financial_year} Q{self.number}"

    @property
    def slug(self) -> str:
        """File-name form, '2022-23-Q2'."""
        return f"{self.financial_year}-Q{self.number}"

    @property
    def months(self) -> list[str]:
        """The quarter's three months as 'YYYY-MM'."""
        first = 4 + 3 * (self.number - 1)
        return [_month_string(self.start_year, first + offset) for offset in range(3)]

    @property
    def month_span(self) -> str:
        """'Jul-Sep 2022' style description of the quarter's months."""
        first, last = self.months[0], self.months[-1]
        return f"{month_name(first)[:3]}-{month_name(last)}"

    def same_quarter_last_year(self) -> "Quarter":
        return Quarter(self.start_year - 1, self.number)

    def previous(self) -> "Quarter":
        if self.number == 1:
            return Quarter(self.start_year - 1, 4)
        return Quarter(self.start_year, self.number - 1)

    @classmethod
    def containing(cls, month: str) -> "Quarter":
        year, month_number = parse_month(month)
        start_year = year if month_number >= 4 else year - 1
        return cls(start_year, (month_number - 4) % 12 // 3 + 1)

    def __str__(self) -> str:
        return self.label


def parse_month(text: str) -> tuple[int, int]:
    """Read 'YYYY-MM' into (year, month)."""
    match = _MONTH_PATTERN.match(str(text))
    if not match:
        raise PeriodError(f"month {text!r} is not in the form YYYY-MM")
    return int(match[1]), int(match[2])


def check_data_month(text: str) -> None:
    """A month of data: YYYY-MM, from EARLIEST_MONTH to the current month (data cannot come from
    the future: 9999-12 would become a quarter of its own)."""
    parse_month(text)
    this_month = f"{datetime.date.today():%Y-%m}"
    if not EARLIEST_MONTH <= text <= this_month:
        raise PeriodError(f"month {text} is outside {EARLIEST_MONTH} to this month ({this_month})")


def month_name(month: str) -> str:
    """'2022-07' -> 'Jul 2022'."""
    year, number = parse_month(month)
    return f"{_MONTH_NAMES[number - 1]} {year}"


def months_ending(last_month: str, count: int) -> list[str]:
    """The `count` consecutive months that end with `last_month`, oldest first."""
    year, number = parse_month(last_month)
    return [_month_string(year, number - offset) for offset in range(count - 1, -1, -1)]


def month_runs(months: list[str]) -> str:
    """'Jan 2014-Nov 2014 and Dec 2019-Oct 2022': stretches of consecutive months (sorted, not empty)."""
    runs, start = [], months[0]
    for previous, month in zip(months, months[1:]):
        if months_ending(month, 2)[0] != previous:
            runs.append((start, previous))
            start = month
    runs.append((start, months[-1]))
    text = [f"{month_name(a)}-{month_name(b)}" if a != b else month_name(a) for a, b in runs]
    return text[0] if len(text) == 1 else ", ".join(text[:-1]) + " and " + text[-1]


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included."""
    (first_year, first_number), (last_year, last_number) = parse_month(first), parse_month(last)
    count = (last_year - first_year) * 12 + last_number - first_number + 1
    return months_ending(last, count) if count > 0 else []


def complete_quarters(months_present: set[str]) -> list[Quarter]:
    """Quarters whose three months are all present, oldest first."""
    quarters = {Quarter.containing(month) for month in months_present}
    return sorted(q for q in quarters if set(q.months) <= months_present)


def _month_string(year: int, month_number: int) -> str:
    """Month arithmetic: month_number may run past 12 or below 1."""
    index = year * 12 + month_number - 1
    return f"{index // 12}-{index % 12 + 1:02d}"


def window_months(period_type: str, quarter: Quarter) -> list[str]:
    """The months a reporting period covers at the end of `quarter`: the quarter, the financial year
    to date, or the 12 months to the quarter's end."""
    last = quarter.months[-1]
    if period_type == "quarter":
        return quarter.months
    if period_type == "year_to_date":
        return months_ending(last, 3 * quarter.number)
    if period_type == "rolling_12_months":
        return months_ending(last, 12)
    raise PeriodError(f"period type {period_type!r} is not one of quarter, year_to_date, rolling_12_months")


def window_label(period_type: str, quarter: Quarter) -> str:
    """'2022-23 Q2', 'the year to date, Apr-Sep 2022' or 'the 12 months to Sep 2022'."""
    months = window_months(period_type, quarter)
    if period_type == "quarter":
        return quarter.label
    if period_type == "year_to_date":
        return f"the year to date, {month_name(months[0])[:3]}-{month_name(months[-1])}"
    return f"the 12 months to {month_name(months[-1])}"


def year_earlier(months: list[str]) -> list[str]:
    """The same months one year before."""
    return [_month_string(parse_month(month)[0] - 1, parse_month(month)[1]) for month in months]

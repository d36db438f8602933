"""What the notebook's cells show: the paper's parts as objects an analyst can inspect and change.

Each object holds data (sentences, a DataFrame, a matplotlib figure) and renders it as escaped HTML
only when it is displayed, with a marker in the output's metadata saying it is part of the paper.
The rendered report keeps only marked outputs (analysis.render refuses any other output of an
untagged cell), so what a cell shows in JupyterLab is what managers read, and a stray cell cannot
slip into their paper.
"""
from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import matplotlib
import pandas as pd
import seaborn as sns
from cycler import cycler
from matplotlib.figure import Figure

from analysis.commentary import render_markdown
from analysis.wording import SMALL_RATE

PAPER_KEY = "community_safety_paper"  # output metadata: {PAPER_KEY: {"part": ..., "title": ...}}

PALETTE = tuple(sns.color_palette("colorblind"))
# matplotlib's defaults with seaborn's whitegrid style on top: a chart looks the same whatever the
# user's own settings (a matplotlibrc, or rcParams changed in a notebook cell).
HOUSE_STYLE = {**{key: value for key, value in matplotlib.rcParamsDefault.items() if key not in ("backend", "interactive")},
               **sns.axes_style("whitegrid"), **sns.plotting_context("paper", font_scale=1.1),
               "axes.prop_cycle": cycler(color=PALETTE),
               # SVG text stays text, in the font matplotlib measured it in (DejaVu Sans, which matplotlib ships
               # and the PDF renderer has; a browser without it uses its own sans-serif, which is narrower),
               # and the same chart gives the same bytes
               "font.sans-serif": ["DejaVu Sans"], "svg.fonttype": "none", "svg.hashsalt": "community-safety",
               "text.parse_math": False}  # a "$" in a district's name is a dollar sign, not mathematics


def house_style():
    """The charts' style, for the duration of a `with` block only: global settings stay the user's."""
    return matplotlib.rc_context(HOUSE_STYLE)


def escape(text: object) -> str:
    """Text from data, safe in element content and in quoted attribute values."""
    return html.escape(str(text), quote=True)


def number_text(value: object, decimals: int = 1) -> str:
    """A number as the paper's text shows it: a value under 1 that is not whole to two places, as
    wording.rate does, so the same figure reads the same in a sentence and in a table."""
    if isinstance(value, str):
        return value
    if pd.isna(value):
        return "no data"
    places = 2 if decimals and abs(value) < SMALL_RATE else decimals
    return f"{value:,.{places}f}"


def table_html(frame: pd.DataFrame, css: str, index: bool = False) -> str:
    """A DataFrame as an escaped HTML table; a column of whole numbers without decimals, any other
    number column to one decimal place throughout, missing numbers as 'no data'."""
    decimals = [0 if _whole_numbers(frame[column]) else 1 for column in frame.columns]
    columns = ([frame.index.name or ""] if index else []) + [str(column) for column in frame.columns]
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in columns)
    rows = "".join(
        "<tr>" + (f'<th scope="row">{escape(label)}</th>' if index else "")
        + "".join(f"<td>{escape(number_text(value, places))}</td>" for value, places in zip(row, decimals)) + "</tr>"
        for label, row in zip(frame.index, frame.to_numpy()))
    return f'<table class="{escape(css)}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def scrolling(table: str, label: str, css: str = "") -> str:
    """A wide table in its own sideways-scrolling region, so a phone scrolls the table, not the page;
    focusable and named, so a keyboard or screen reader user can reach and scroll it."""
    return (f'<div class="{escape(" ".join(["table-scroll", *css.split()]))}" role="region" tabindex="0" '
            f'aria-label="{escape(label)}">{table}</div>')


def _whole_numbers(column: pd.Series) -> bool:
    numbers = pd.to_numeric(column, errors="coerce").dropna()
    return numbers.empty or bool((numbers == numbers.round()).all())


class Shown:
    """Displays as the paper's HTML, marked as part of the paper, and as plain text in a console."""

    part = "part"

    def html(self) -> str:
        raise NotImplementedError(type(self).__name__)

    def metadata(self) -> dict:
        return {"part": self.part}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html(), "text/plain": str(self)}, {PAPER_KEY: self.metadata()}


class Findings(Shown, list):
    """Sentences shown as a list: a list of str to read, reorder or add to; `lead` and `note` are
    paragraphs before and after."""

    part = "findings"

    def __init__(self, sentences=(), lead: str = "", note: str = "", numbered: bool = True):
        super().__init__(sentences)
        self.lead, self.note, self.numbered = lead, note, numbered  # numbered: the paper's numbered paragraphs

    def html(self) -> str:
        para = ' class="para"' if self.numbered else ""
        lead = f"<p{para}>{escape(self.lead)}</p>" if self.lead else ""
        kind = "findings" if self.numbered else "findings plain"
        items = f'<ul class="{kind}">{"".join(f"<li{para}>{escape(s)}</li>" for s in self)}</ul>' if self else ""
        note = f'<p class="note">{escape(self.note)}</p>' if self.note else ""
        return lead + items + note

    def __str__(self) -> str:
        return "\n".join(filter(None, [self.lead, *(f"- {s}" for s in self), self.note]))


@dataclass
class TitleBlock(Shown):
    board: str
    meeting: str
    title: str
    subtitle: str
    notice: str = ""  # the illustrative-data notice, where any local data are illustrative
    report_key: str = ""  # which report (quarter, area, input files, code) the paper's figures come from
    part = "title"

    def metadata(self) -> dict:
        return {"part": self.part, "title": self.title, "report_key": self.report_key}

    def html(self) -> str:
        notice = f'<p class="illustrative">{escape(self.notice)}</p>' if self.notice else ""
        return (f'<header class="title-block"><p class="board">{escape(self.board)}</p>'
                f'<p class="meeting">{escape(self.meeting)}</p><h1>{escape(self.title)}</h1>'
                f'<p class="subtitle">{escape(self.subtitle)}</p>{notice}</header>')

    def __str__(self) -> str:
        return "\n".join(filter(None, [self.board, self.meeting, self.title, self.subtitle, self.notice]))


@dataclass
class Attention:
    """One line of the key messages' ranked list: the measure, what is notable, and its section."""

    measure: str
    words: str
    section: str  # the heading of the section that reports it

    @property
    def anchor(self) -> str:
        return self.section.replace(" ", "-")  # nbconvert's id for a Markdown heading


@dataclass
class KeyMessages(Shown):
    """The paper's opening: the generated overview, the analyst's key messages, and the ranked
    list of what needs the board's attention, each linked to its section."""

    overview: str
    attention: list[Attention]
    analyst: CommentaryBlock  # says so where the analyst wrote nothing for the quarter
    gaps: list[str]  # what the data lack: said first
    note: str  # what "significant" means
    quiet: str = ""  # said where nothing needs the board's attention: why
    part = "key_messages"

    def html(self) -> str:
        listed = "".join(f'<li><a href="#{escape(item.anchor)}">{escape(item.measure)}</a>: {escape(item.words)}</li>'
                         for item in self.attention)
        attention = (f'<p class="para">For the board\'s attention, most serious first:</p>'
                     f'<ol class="attention">{listed}</ol>'
                     if self.attention else f'<p class="para">{escape(self.quiet)}</p>')
        gaps = "".join(f'<p class="data-gap">{escape(text)}</p>' for text in self.gaps)
        return (f'{gaps}<p class="overview para">{escape(self.overview)}</p>{self.analyst.html()}{attention}'
                f'<p class="note">{escape(self.note)}</p>')

    def __str__(self) -> str:
        return "\n".join([*self.gaps, self.overview, str(self.analyst),
                          *(f"{n}. {a.measure}: {a.words}" for n, a in enumerate(self.attention, start=1)),
                          *([] if self.attention else [self.quiet]), self.note])


@dataclass
class CommentaryBlock(Shown):
    """The analyst's words for one part of the paper, attributed to them; `blocks` are
    (heading, Markdown) pairs, the heading empty for the section's own paragraphs."""

    blocks: list[tuple[str, str]]
    example: bool = False
    absent: str = ""  # said instead when there are no words
    part = "commentary"

    def html(self) -> str:
        if not any(text for _, text in self.blocks):
            return f'<p class="no-commentary">{escape(self.absent)}</p>' if self.absent else ""
        example = ' <span class="illustrative">Example written by the project, not an analyst\'s words</span>' \
            if self.example else ""
        body = "".join((f'<h4>{escape(heading)}</h4>' if heading else "") + render_markdown(text)
                       for heading, text in self.blocks if text)
        return f'<section class="commentary"><h3>Analyst\'s commentary{example}</h3>{body}</section>'

    def __str__(self) -> str:
        if not any(text for _, text in self.blocks):
            return self.absent
        return "Analyst's commentary:\n" + "\n".join(f"{heading}\n{text}" if heading else text
                                                     for heading, text in self.blocks if text)


@dataclass
class Recommendations(Shown):
    """What the board is asked to do, who to contact, and the background papers."""

    items: list[str]
    contact: object  # report_config.Contact
    background_papers: list[str]
    part = "recommendations"

    def html(self) -> str:
        items = "".join(f"<li>{escape(item)}</li>" for item in self.items)
        contact = "".join(f"<p>{escape(line)}</p>" for line in self._contact_lines() if line)
        papers = "".join(f"<li>{escape(paper)}</li>" for paper in self.background_papers)
        papers = f'<ul class="background">{papers}</ul>' if papers else "<p>No background papers.</p>"
        return (f'<p class="para">That the Board:</p><ol class="recommendations">{items}</ol>'
                f'<div class="frame"><div class="contact"><h3>Officer to contact</h3>{contact}</div>'
                f'<div class="background"><h3>Background papers</h3>{papers}</div></div>')

    def _contact_lines(self) -> list[str]:
        contact = self.contact
        return [contact.name, contact.role, *([f"Tel: {contact.phone}"] if contact.phone else []),
                *([f"Email: {contact.email}"] if contact.email else [])]

    def __str__(self) -> str:
        return ("That the Board:\n" + "\n".join(f"({chr(97 + n)}) {item}" for n, item in enumerate(self.items))
                + "\nOfficer to contact: " + ", ".join(filter(None, self._contact_lines()))
                + "\nBackground papers: " + ("; ".join(self.background_papers) or "none"))


@dataclass
class Table(Shown):
    """A table of the paper: `frame` holds its figures and words."""

    frame: pd.DataFrame
    css: str = "paper-table"
    note: str = ""
    label: str = "Table"  # names the table's region for screen readers
    part = "table"

    def html(self) -> str:
        table = scrolling(table_html(self.frame, self.css), self.label) if not self.frame.empty else ""
        return table + (f'<p class="note">{escape(self.note)}</p>' if self.note else "")

    def __str__(self) -> str:
        return self.frame.to_string(index=False)


@dataclass
class Dashboard(Shown):
    """Appendix 1: one row per measure, grouped by outcome; `table` holds every cell as data."""

    table: pd.DataFrame  # outcome, measure, period, value, target, status, change, trend, spc, districts, ...
    key: str
    parts_title: str = "Districts"  # the last column's heading: the parts compared ("Partnerships" in a force area)
    part = "dashboard"
    COLUMNS = {"measure": "Measure", "period": "Period", "value": "Value", "target": "Target", "status": "Status",
               "change": "Change on last year", "trend": "Six-month trend", "spc": "SPC (latest month)",
               "districts": "Districts"}

    def html(self) -> str:
        titles = {**self.COLUMNS, "districts": self.parts_title}
        header = "".join(f'<th scope="col">{escape(title)}</th>' for title in titles.values())
        body = []
        for outcome, rows in self.table.groupby("outcome", sort=False):
            body.append(f'<tr class="outcome"><th colspan="{len(self.COLUMNS)}" scope="colgroup">'
                        f'{escape(outcome)}</th></tr>')
            body.extend(self._row(row) for row in rows.itertuples())
        table = f'<table class="dashboard"><thead><tr>{header}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        return scrolling(table, "Performance dashboard") + f'<p class="note">{escape(self.key)}</p>'

    @staticmethod
    def _row(row) -> str:
        cells = []
        for column in Dashboard.COLUMNS:
            text = escape(getattr(row, column))
            if column == "value" and row.provisional:
                text += " <em>(provisional)</em>"
            if column == "status":
                text = f'<span class="status" style="color:{escape(row.status_colour)}">{escape(row.status_symbol)}</span> {text}'
            if column == "spc" and row.spc_icons:  # the words say the same: the icons are hidden from screen readers
                text = "".join(f'<span class="spc-icon" style="background:{escape(colour)}" aria-hidden="true">'
                               f'{escape(letter)}</span>' for letter, colour, _ in row.spc_icons) + f" {text}"
            cells.append(f"<td>{text}</td>")
        return f'<tr class="status-{escape(row.status_key)}">{"".join(cells)}</tr>'

    def __str__(self) -> str:
        return self.table[list(self.COLUMNS)].to_string(index=False)


class Chart(Shown, Figure):
    """A matplotlib Figure (restyle it, then show it again) that knows its alt text and numbers and
    shows as the paper's figure: the image, its number and caption (what it shows), the note, and its
    numbers in a table."""

    part = "chart"

    def __init__(self, alt: str, numbers: pd.DataFrame | None = None, note: str = "", **figure_options):
        with house_style():
            super().__init__(**figure_options)
        self.alt, self.numbers, self.note = alt, numbers, note
        self.figure_number: int | None = None  # its number in the paper, which the text refers to (Figure.number is pyplot's)
        self.caption = ""  # what the chart shows, in words

    def savefig(self, *args, **kwargs):
        with house_style():  # ticks made while drawing take the house style too
            super().savefig(*args, **kwargs)

    def html(self) -> str:
        buffer = io.BytesIO()
        self.savefig(buffer, format="svg", metadata={"Date": None})  # vector: sharp when zoomed or printed
        image = base64.b64encode(buffer.getvalue()).decode("ascii")
        label = f"Figure {self.figure_number}: " if self.figure_number is not None else ""
        caption = f"<figcaption>{escape(label + self.caption)}</figcaption>" if label or self.caption else ""
        anchor = f' id="figure-{self.figure_number}"' if self.figure_number is not None else ""
        figure = (f'<figure class="chart"{anchor}><img src="data:image/svg+xml;base64,{image}" '
                  f'alt="{escape(self.alt)}">{caption}</figure>')
        note = f'<p class="note">{escape(self.note)}</p>' if self.note else ""
        if self.numbers is None:
            return figure + note
        named = f"Figure {self.figure_number}" if self.figure_number is not None else "this chart"
        numbers = (f'<div class="chart-data"><p class="chart-data-title">The numbers in {escape(named)}</p>'
                   + scrolling(table_html(self.numbers, "chart-data", index=True), f"The numbers in {named}") + "</div>")
        # One copy of the numbers (the PDF leaves them out): under the chart on a wide screen; first on a
        # phone, where a chart's small type is hard to read (see the CSS).
        return f'<div class="chart-block">{figure}{note}{numbers}</div>'

    def __str__(self) -> str:
        return f"Figure {self.figure_number}: {self.alt}" if self.figure_number is not None else f"Chart: {self.alt}"

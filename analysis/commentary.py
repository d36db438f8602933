"""The analyst's commentary: one Markdown file per quarter and area, `commentary/<quarter>/<area>.md`.

The words are the analyst's; the tool only drafts headings with the figures filled in, reads the
words back, and renders them safely (no raw HTML, no images, no script links). A file looks like:

    ---
    area: Leicestershire
    quarter: 2022-23 Q2
    ---
    # Analyst's commentary: Leicestershire, 2022-23 Q2

    ## Key messages
    Paragraphs shown under the generated key messages.

    ## Ongoing reductions in crime
    Paragraphs about the outcome.
    ### burglary
    <!-- figures: Burglary: 730 crimes in 2022-23 Q2, ... -->
    Why burglary moved, and what is being done, by whom.

    ## Locality comparisons
    ### burglary
    Paragraphs about the districts that differ.

    ## Exceptions
    ### burglary
    <!-- figures: ... -->
    - Cause: ...
    - Action: ...
    - Owner: ...
    - Due: 2023-03-31

Sections are the outcomes, "Key messages", "Locality comparisons" and "Exceptions"; items under
them are headed by measure id. Text inside <!-- --> is a note to the analyst and never reaches the
paper. The `figures` note records the figures the words were written against: when a re-draft
finds different figures it adds a "FIGURES CHANGED" note, which stays until the analyst has checked
the words and deleted it. `example: true` in the header marks commentary the project wrote to
show the format; the paper then says so.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from analysis.measures import OUTCOMES
from analysis.periods import Quarter
from analysis.report_config import short
from analysis.yamlfile import load_yaml

KEY_MESSAGES = "Key messages"
LOCALITY = "Locality comparisons"
EXCEPTIONS = "Exceptions"
SECTIONS = (KEY_MESSAGES, *OUTCOMES, LOCALITY, EXCEPTIONS)
FIELDS = ("Cause", "Action", "Owner", "Due")
FIGURES = re.compile(r"<!--\s*figures:\s*(.*?)\s*-->", re.DOTALL)
CHANGED_MARK = "FIGURES CHANGED"
NO_LONGER_CALLED_FOR = "none: the figures no longer call for words here"  # an item drafted in an earlier run
# What makes figures differ: their numbers and verdicts, not the tool's phrasing of them.
FIGURE_TOKENS = re.compile(r"\d[\d,.]*|off track|at risk|missed|met|on course|not statistically significant|"
                           r"significant (?:increase|fall)|special cause \w+|higher|lower|similar|rising|falling|"
                           r"improving|worsening|none", re.IGNORECASE)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
FIELD_LINE = re.compile(r"[-*+]\s*(\w+)\s*:\s*(.*)")
HEADING = re.compile(r" {0,3}(#{1,3})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")  # ATX headings up to level 3, as CommonMark reads them
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
GUIDE = ("<!-- Your commentary for the board paper: write under any heading, in plain Markdown. Under a measure id,\n"
         "     say why it moved and what is being done, by whom. Exceptions need all four of Cause, Action, Owner\n"
         "     and Due (a date, YYYY-MM-DD). Notes like this one never reach the paper; neither does an empty item.\n"
         "     `python -m analysis commentary` adds new items here and never changes your words. -->\n")
PROMPTS = {
    KEY_MESSAGES: "<!-- Optional: the quarter's story in a few sentences (context, causes, what is being done). -->\n",
    LOCALITY: "<!-- Optional: why these districts differ from the county, and what their partnerships are doing. -->\n",
    EXCEPTIONS: "<!-- Each exception: why it happened, the action agreed, its owner and due date. -->\n",
}
MEASURE_PROMPT = "<!-- Why did it move, and what is being done, by whom? Write below this line. -->\n"


class CommentaryError(ValueError):
    """A commentary file that cannot be read as the store's format."""


@dataclass
class Entry:
    """An item under a section, headed by a measure id."""

    section: str
    measure_id: str
    line: int  # of its heading, counting from 1
    figures: str | None  # the figures the words were written against
    figures_changed: bool  # a re-draft found other figures; the analyst has not yet checked the words
    text: str  # the words, notes removed
    fields: dict[str, str] = field(default_factory=dict)  # exceptions: Cause, Action, Owner, Due

    @property
    def written(self) -> bool:
        return bool(self.text or any(self.fields.values()))


@dataclass
class Commentary:
    """One area's commentary for one quarter (empty where no file exists)."""

    path: Path | None
    example: bool = False
    sections: dict[str, str] = field(default_factory=dict)  # section -> its own paragraphs
    entries: list[Entry] = field(default_factory=list)

    @property
    def provided(self) -> bool:
        return any(self.sections.values()) or any(entry.written for entry in self.entries)

    def items(self, section: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.section == section]

    def entry(self, section: str, measure_id: str) -> Entry | None:
        return next((e for e in self.entries if e.section == section and e.measure_id == measure_id), None)


@dataclass(frozen=True)
class Item:
    """Something that needs the analyst's words, with its figures filled in."""

    section: str
    measure_id: str
    figures: str


def same_figures(written_for: str | None, now: str) -> bool:
    """Whether two figures notes give the same figures (a change of the tool's phrasing is not a change)."""
    return written_for is not None and FIGURE_TOKENS.findall(written_for) == FIGURE_TOKENS.findall(now)


def commentary_path(store: Path, quarter: Quarter, area_slug: str) -> Path:
    return Path(store) / quarter.slug / f"{area_slug}.md"


def load_commentary(store: Path, quarter: Quarter, area_name: str, area_slug: str,
                    measure_ids: set[str]) -> Commentary:
    path = commentary_path(store, quarter, area_slug)
    if not path.exists() and not path.is_symlink():  # a broken link is an error, not "no commentary"
        return Commentary(None)
    if not path.is_file():
        raise CommentaryError(f"{path}: not a readable file (a broken link, a folder or a device)")
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommentaryError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    return parse(text, path, quarter, area_name, measure_ids)


def parse(text: str, path: Path, quarter: Quarter, area_name: str, measure_ids: set[str]) -> Commentary:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    header, body_start = _front_matter(text, path, quarter, area_name)
    commentary = Commentary(path, example=header.get("example", False))
    section, entry, block, note_opened = None, None, [], 0  # note_opened: the line of a note still open
    for number, line in enumerate(text.splitlines(), start=1):
        if number <= body_start:
            continue
        heading = HEADING.match(line)
        if heading and note_opened:
            raise CommentaryError(f"{path}, line {number}: a heading inside a note: the note opened on line "
                                  f"{note_opened} with '<!--' is not closed with '-->' before it")
        note_opened = _open_note(line, number, note_opened)
        if heading is None:
            block.append(line)
            continue
        level, title = len(heading.group(1)), heading.group(2).strip()
        _close(commentary, section, entry, block, path)
        block, entry = [], None
        if level == 1:
            section = None
        elif level == 2:
            if title not in SECTIONS:
                raise CommentaryError(f"{path}, line {number}: section {title!r} is not one of: {', '.join(SECTIONS)}")
            if title in commentary.sections:
                raise CommentaryError(f"{path}, line {number}: section {title!r} appears twice; keep one")
            section = title
        else:
            if section is None or section == KEY_MESSAGES:
                raise CommentaryError(f"{path}, line {number}: measure {title!r} must sit under an outcome, "
                                      f"{LOCALITY!r} or {EXCEPTIONS!r}")
            if title not in measure_ids:
                raise CommentaryError(f"{path}, line {number}: {title!r} is not a measure id of the catalogue "
                                      f"(data/measures.yml)")
            if commentary.entry(section, title):
                raise CommentaryError(f"{path}, line {number}: {title!r} appears twice under {section!r}")
            entry = Entry(section, title, number, None, False, "")
    if note_opened:
        raise CommentaryError(f"{path}, line {note_opened}: a note opened with '<!--' is never closed with '-->'")
    _close(commentary, section, entry, block, path)
    return commentary


def _front_matter(text: str, path: Path, quarter: Quarter, area_name: str) -> tuple[dict, int]:
    """The header's fields, checked against the quarter and area the file stands for, and the
    number of lines it takes."""
    match = FRONT_MATTER.match(text)
    if match is None:
        raise CommentaryError(f"{path}: expected a header first: '---', 'area: {area_name}', "
                              f"'quarter: {quarter.label}', '---'")
    try:
        header = load_yaml(match.group(1))
    except (yaml.YAMLError, RecursionError) as error:
        raise CommentaryError(f"{path}: the header is not valid YAML ({error})") from None
    if not isinstance(header, dict) or set(header) - {"area", "quarter", "example"}:
        raise CommentaryError(f"{path}: the header takes area, quarter and (for the project's examples) example")
    if header.get("area") != area_name or not _same_quarter(header.get("quarter"), quarter):
        raise CommentaryError(f"{path}: the header says area {short(header.get('area'))}, quarter "
                              f"{short(header.get('quarter'))}; this file is for {area_name!r}, {quarter.label!r}")
    if not isinstance(header.get("example", False), bool):
        raise CommentaryError(f"{path}: example: expected true or false")
    return header, match.group(0).count("\n")


def _same_quarter(value: object, quarter: Quarter) -> bool:
    try:
        return isinstance(value, str) and Quarter.parse(value) == quarter
    except ValueError:
        return False


def _open_note(line: str, number: int, opened: int) -> int:
    """The line on which a note (<!-- -->) still open at the end of this line was opened (0: none)."""
    for token in re.findall(r"<!--|-->", line):
        opened = (opened or number) if token == "<!--" else 0
    return opened


def _close(commentary: Commentary, section: str | None, entry: Entry | None, block: list[str], path: Path) -> None:
    """File the lines read since the last heading under their section or item."""
    raw = "\n".join(block)
    words = COMMENT.sub("", raw).strip()
    if entry is None:
        if section is not None:
            commentary.sections[section] = words
        elif words:
            raise CommentaryError(f"{path}: text before the first section ({words.splitlines()[0][:60]!r}); "
                                  f"put it under a '## ' heading")
        return
    figures = FIGURES.search(raw)
    entry.figures = figures.group(1) if figures else None
    entry.figures_changed = CHANGED_MARK in raw
    if section == EXCEPTIONS:
        entry.fields = _fields(words, path, entry)
    else:
        entry.text = words
    commentary.entries.append(entry)


def _fields(words: str, path: Path, entry: Entry) -> dict[str, str]:
    """An exception's Cause, Action, Owner and Due; a field's text may run on over several lines."""
    where = f"{path}, exception {entry.measure_id!r} (line {entry.line})"
    fields = dict.fromkeys(FIELDS, "")
    seen, current = set(), None
    for line in words.splitlines():
        match = FIELD_LINE.fullmatch(line.strip())
        if match:
            current = match.group(1).capitalize()
            if current not in FIELDS:
                raise CommentaryError(f"{where}: '{match.group(1)}' is not a field; an exception has "
                                      f"{', '.join(FIELDS)}")
            if current in seen:
                raise CommentaryError(f"{where}: {current} is given twice; keep one")
            seen.add(current)
            fields[current] = match.group(2).strip()
        elif line.strip() and current is not None:
            fields[current] = f"{fields[current]} {line.strip()}".strip()
        elif line.strip():
            raise CommentaryError(f"{where}: expected lines '- Cause: ...', '- Action: ...', '- Owner: ...', "
                                  f"'- Due: YYYY-MM-DD'; got {line.strip()[:60]!r}")
    if fields["Due"]:
        try:
            if not DATE.fullmatch(fields["Due"]):
                raise ValueError
            datetime.date.fromisoformat(fields["Due"])
        except ValueError:
            raise CommentaryError(f"{where}: Due {fields['Due']!r} is not a date YYYY-MM-DD") from None
    return fields


def draft(text: str | None, quarter: Quarter, area_name: str, items: list[Item], measure_ids: set[str],
          path: Path) -> tuple[str, list[str], list[str]]:
    """The file with every item that needs words present: new items added at the end of their
    section; an item whose figures changed gets the new figures and, if it has words, a note that
    they need checking. Nothing the analyst wrote is changed. Returns the text and the ids added
    and marked."""
    if text is None:
        text = (f"---\narea: {area_name}\nquarter: {quarter.label}\n---\n"
                f"# Analyst's commentary: {area_name}, {quarter.label}\n\n{GUIDE}"
                + "".join(f"\n## {section}\n{PROMPTS.get(section, '')}" for section in SECTIONS) + "\n")
    commentary = parse(text, path, quarter, area_name, measure_ids)
    lines = text.splitlines(keepends=True)  # the file's own line endings are kept, and used for new lines
    newline = "\r\n" if "\r\n" in text else "\n"
    body = FRONT_MATTER.match(text.removeprefix("\ufeff").replace("\r\n", "\n")).group(0).count("\n")
    original = len(lines)  # lines past these are sections the draft adds
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    inserts: dict[int, list[str]] = {}  # line index -> lines to put before it
    replaced: dict[int, str] = {}
    added, marked = [], []
    wanted = {(item.section, item.measure_id): item.figures for item in items}
    for item in items:
        if commentary.entry(item.section, item.measure_id) is None:
            inserts.setdefault(_section_end(lines, item.section, body), []).append(_item_text(item))
            added.append(f"{item.section}: {item.measure_id}")
    for entry in commentary.entries:  # items drafted before, whose figures have changed or gone
        now = wanted.get((entry.section, entry.measure_id), NO_LONGER_CALLED_FOR if entry.figures else None)
        if now is None or entry.figures == now:
            continue
        index = _figures_line(lines, entry)
        note = f"<!-- figures: {now} -->\n"
        if entry.written and entry.figures is not None and not entry.figures_changed \
                and not same_figures(entry.figures, now):  # words typed without a draft are the analyst's own
            note += (f"<!-- {CHANGED_MARK} since these words were written (they were: {entry.figures}). "
                     f"Check the words, then delete this note. -->\n")
            marked.append(f"{entry.section}: {entry.measure_id}")
        if index is None:
            inserts.setdefault(entry.line, []).append(note)
        else:
            replaced[index] = note
    out = []
    for index, line in enumerate(lines + [""]):
        out.extend(text.replace("\n", newline) for text in inserts.get(index, []))
        out.append(replaced[index].replace("\n", newline) if index in replaced
                   else line.replace("\n", newline) if index >= original else line)
    return "".join(out), added, marked


def _section_line(lines: list[str], section: str, body: int) -> int | None:
    """The section's heading, found as the parser finds it: after the header's `body` lines."""
    for index, line in enumerate(lines[body:], start=body):
        heading = HEADING.match(line.rstrip("\r\n"))
        if heading and len(heading.group(1)) == 2 and heading.group(2).strip() == section:
            return index
    return None


def _section_end(lines: list[str], section: str, body: int) -> int:
    """Where a new item of the section goes: before the next section's heading (or at the end)."""
    start = _section_line(lines, section, body)
    if start is None:  # the section is not in the file: add it at the end
        lines.append(f"\n## {section}\n" + PROMPTS.get(section, "") + "\n")
        return len(lines)
    return next((i for i in range(start + 1, len(lines))
                 if (heading := HEADING.match(lines[i].rstrip("\r\n"))) and len(heading.group(1)) <= 2), len(lines))


def _figures_line(lines: list[str], entry: Entry) -> int | None:
    for index in range(entry.line, len(lines)):
        if HEADING.match(lines[index].rstrip("\r\n")):
            return None
        if FIGURES.fullmatch(lines[index].strip()):
            return index
    return None


def _item_text(item: Item) -> str:
    head = f"### {item.measure_id}\n<!-- figures: {item.figures} -->\n"
    if item.section == EXCEPTIONS:
        return head + "".join(f"- {name}:\n" for name in FIELDS) + "\n"
    return head + MEASURE_PROMPT + "\n"


def render_markdown(text: str) -> str:
    """The analyst's Markdown as HTML that can do no harm: raw HTML shown as text, no images (nothing
    is fetched), links only to web and mail addresses (any other link is shown as text)."""
    return _MARKDOWN.render(COMMENT.sub("", text))


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image")
_MARKDOWN.validateLink = lambda url: url.strip().lower().startswith(("https://", "http://", "mailto:"))

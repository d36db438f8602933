"""The analyst's commentary store: drafting keeps every written word, marks words whose figures
changed, refuses a malformed file with its line, and renders Markdown that can do no harm."""
import re
from pathlib import Path

import pytest

from analysis.commentary import (EXCEPTIONS, CommentaryError, Item, commentary_path, draft, load_commentary, parse,
                                 render_markdown)
from analysis.measures import OUTCOMES
from analysis.periods import Quarter

Q2 = Quarter(2022, 2)
IDS = {"burglary", "total_crime", "domestic_abuse_incidents"}
PATH = Path("commentary/2022-23-Q2/melton.md")
ITEMS = [Item(EXCEPTIONS, "burglary", "Burglary: 46 crimes, +17."),
         Item(OUTCOMES[2], "domestic_abuse_incidents", "Domestic abuse: 263 incidents. Signals: rising trend.")]
HEADER = "---\narea: Melton\nquarter: 2022-23 Q2\n---\n"


def drafted(items=ITEMS, text=None):
    return draft(text, Q2, "Melton", items, IDS, PATH)


def test_a_first_draft_lists_every_item_with_its_figures_and_reads_back_empty():
    text, added, marked = drafted()
    assert added == [f"{EXCEPTIONS}: burglary", f"{OUTCOMES[2]}: domestic_abuse_incidents"] and marked == []
    assert "<!-- figures: Burglary: 46 crimes, +17. -->\n- Cause:\n- Action:\n- Owner:\n- Due:\n" in text
    commentary = parse(text, PATH, Q2, "Melton", IDS)
    assert not commentary.provided  # prompts and figures are notes, not words
    assert commentary.entry(EXCEPTIONS, "burglary").figures == "Burglary: 46 crimes, +17."


def test_redrafting_keeps_written_words_byte_for_byte_adds_new_items_and_marks_changed_figures():
    text, _, _ = drafted()
    words = "Two **repeat** victims in one street.\r\nA second line, with trailing spaces.   \n"
    text = text.replace("- Cause:\n", "- Cause: Rise in one village.\n").replace(
        "- Action:\n", "- Action: Crime prevention visits,\n  and a letter to every house.\n")
    text = text.replace("Write below this line. -->\n", "Write below this line. -->\n" + words)
    items = [Item(EXCEPTIONS, "burglary", "Burglary: 50 crimes, +21."), ITEMS[1],
             Item(OUTCOMES[0], "total_crime", "Total recorded crime: 988 crimes.")]
    again, added, marked = drafted(items, text)
    assert added == [f"{OUTCOMES[0]}: total_crime"] and marked == [f"{EXCEPTIONS}: burglary"]
    assert words in again and "- Action: Crime prevention visits,\n  and a letter to every house.\n" in again
    assert again.count("Rise in one village.") == 1
    assert "<!-- figures: Burglary: 50 crimes, +21. -->" in again
    assert "FIGURES CHANGED since these words were written (they were: Burglary: 46 crimes, +17.)" in again
    commentary = parse(again, PATH, Q2, "Melton", IDS)
    burglary = commentary.entry(EXCEPTIONS, "burglary")
    assert burglary.figures_changed and burglary.fields["Action"] == "Crime prevention visits, and a letter to every house."
    assert drafted(items, again)[0] == again  # nothing more to add: the file is left as it is


def test_an_item_with_no_words_just_takes_the_new_figures():
    text, _, _ = drafted()
    again, _, marked = drafted([Item(EXCEPTIONS, "burglary", "Burglary: 50 crimes, +21."), ITEMS[1]], text)
    assert marked == [] and "FIGURES CHANGED" not in again and "Burglary: 46 crimes" not in again


@pytest.mark.parametrize("text, message", [
    ("## Key messages\nHello\n", "expected a header first"),
    ("---\narea: Blaby\nquarter: 2022-23 Q2\n---\n", "the header says area 'Blaby'"),
    ("---\narea: Melton\nquarter: 2021-22 Q2\n---\n", "this file is for 'Melton', '2022-23 Q2'"),
    (HEADER + "## Crime\n", "line 5: section 'Crime' is not one of"),
    (HEADER + "## Exceptions\n### burglarly\n", "line 6: 'burglarly' is not a measure id"),
    (HEADER + "## Exceptions\n### burglary\n- Due: next March\n", "Due 'next March' is not a date YYYY-MM-DD"),
    (HEADER + "## Exceptions\n### burglary\nIt rose.\n", "expected lines '- Cause: ...'"),
    (HEADER + "Some words\n## Key messages\n", "text before the first section"),
    (HEADER + "## Key messages\n### burglary\n", "must sit under an outcome"),
    (HEADER + "## Exceptions\n### burglary\n### burglary\n", "'burglary' appears twice"),
    ("---\narea: [unclosed\n---\n", "the header is not valid YAML"),
    ("---\narea: Melton\nquarter: 2022-23 Q2\nexample: yes please\n---\n", "example: expected true or false"),
    (HEADER + "## Key messages\nOne.\n## Key messages  ##\nTwo.\n", "line 7: section 'Key messages' appears twice"),
    (HEADER + "## Exceptions\n### burglary\n- Action: Patrols.\n- Action: CCTV.\n", "Action is given twice"),
    (HEADER + "## Exceptions\n### burglary\n- Note: see the minutes\n", "'Note' is not a field"),
    (HEADER + "## Exceptions\n### burglary\n- Due: 20230101\n", "Due '20230101' is not a date YYYY-MM-DD"),
    ("---\narea: &a [x, x]\nquarter: 2022-23 Q2\n---\n", "the header says area ['x', 'x']"),
])
def test_a_malformed_file_is_refused_with_its_line(text, message):
    with pytest.raises(CommentaryError, match="melton.md") as error:
        parse(text, PATH, Q2, "Melton", IDS)
    assert message in str(error.value)


def test_a_note_left_open_is_refused_before_it_can_swallow_a_heading():
    # A note opened and never closed would hide the next heading, and its words would go to the
    # measure before it.
    text = HEADER + "## Exceptions\n### burglary\n- Owner: Bob <!-- check the name\n### total_crime\n- Owner: Al\n"
    with pytest.raises(CommentaryError, match="line 8: a heading inside a note: the note opened on line 7"):
        parse(text, PATH, Q2, "Melton", IDS)
    with pytest.raises(CommentaryError, match="line 6: a note opened with '<!--' is never closed"):
        parse(HEADER + "## Key messages\nWords. <!-- oops\n", PATH, Q2, "Melton", IDS)


def test_a_byte_order_mark_and_another_spelling_of_the_quarter_are_read():
    text = "\ufeff---\narea: Melton\nquarter: 2022-23Q2\n---\n## Key messages\nWords.\n"
    assert parse(text, PATH, Q2, "Melton", IDS).sections["Key messages"] == "Words."


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = commentary_path(tmp_path, Q2, "melton")
    path.parent.mkdir(parents=True)
    path.write_bytes(HEADER.encode() + b"## Key messages\n\xff\xfe\n")
    with pytest.raises(CommentaryError, match="cannot be read as UTF-8"):
        load_commentary(tmp_path, Q2, "Melton", "melton", IDS)


def test_no_file_is_no_commentary(tmp_path):
    assert not load_commentary(tmp_path, Q2, "Melton", "melton", IDS).provided


@pytest.mark.parametrize("markdown", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![chart](http://example.com/tracker.png)",
    "[click](javascript:alert(1))",
    '<a href="http://example.com" onclick="alert(1)">x</a>',
    "<iframe src=//example.com></iframe>",
    '" onload="alert(1)',
    "[share](smb://example.com/share) [search](search-ms:query=x) [here](//example.com) [file](../secret.txt)",
])
def test_markdown_in_commentary_can_do_no_harm(markdown):
    page = render_markdown(markdown)
    assert "<script" not in page and "<img" not in page and "<iframe" not in page  # a link is never fetched
    assert not re.search(r"<[^>]*\son\w+\s*=", page)  # no element carries an event handler
    assert all(href.startswith(("http://", "https://", "mailto:")) for href in re.findall(r'href="([^"]*)"', page))


def test_markdown_formatting_still_works():
    page = render_markdown("Two **rises**, one *fall*:\n\n- burglary\n- [force site](https://www.leics.police.uk)")
    assert "<strong>rises</strong>" in page and "<li>burglary</li>" in page
    assert '<a href="https://www.leics.police.uk">force site</a>' in page


def test_an_item_the_figures_no_longer_call_for_is_marked_if_it_has_words():
    text, _, _ = drafted()
    text = text.replace("- Cause:\n", "- Cause: Thefts from vans.\n")
    again, added, marked = drafted([ITEMS[1]], text)  # burglary is no longer an exception
    assert added == [] and marked == [f"{EXCEPTIONS}: burglary"]
    assert "<!-- figures: none: the figures no longer call for words here -->" in again
    assert "Thefts from vans." in again
    entry = parse(again, PATH, Q2, "Melton", IDS).entry(EXCEPTIONS, "burglary")
    assert entry.figures_changed  # until the analyst has checked the words and deleted the note


def test_redrafting_keeps_crlf_line_endings_and_writes_a_linked_file_where_it_lies(tmp_path, small_data_dir):
    from analysis.draft import draft_commentary

    target = tmp_path / "kept" / "testshire.md"
    target.parent.mkdir()
    words = HEADER.replace("Melton", "Testshire").replace("\n", "\r\n") + "## Key messages\r\nOur words.\r\n"
    target.write_bytes(words.encode())
    store = tmp_path / "commentary"
    link = commentary_path(store, Q2, "testshire")
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    draft_commentary("2022-23 Q2", ["Testshire"], small_data_dir, store)
    assert link.is_symlink()
    written = target.read_bytes().decode()
    assert written.startswith(words) and "### youth_reoffending_rate" in written  # Testshire's missed cohort


def test_a_change_of_phrasing_alone_is_not_a_change_of_figures():
    text, _, _ = drafted()
    text = text.replace("Write below this line. -->\n", "Write below this line. -->\nOur words.\n")
    reworded = Item(OUTCOMES[2], "domestic_abuse_incidents", "Domestic abuse: 263 incidents. Signals: a rising trend.")
    again, _, marked = drafted([ITEMS[0], reworded], text)
    assert marked == [] and "Signals: a rising trend. -->" in again and "FIGURES CHANGED" not in again
    changed = Item(OUTCOMES[2], "domestic_abuse_incidents", "Domestic abuse: 264 incidents. Signals: a rising trend.")
    assert drafted([ITEMS[0], changed], again)[2] == [f"{OUTCOMES[2]}: domestic_abuse_incidents"]


@pytest.mark.parametrize("bomb", ["&a [&b [x, x, x, x], *b, *b, *b, *b, *b, *b, *b, *b]", "[" * 5000 + "]" * 5000])
def test_a_huge_or_deep_header_value_gives_a_short_one_line_error(bomb):
    text = f"---\narea: {bomb}\nquarter: 2022-23 Q2\n---\n"
    with pytest.raises(CommentaryError) as error:
        parse(text, PATH, Q2, "Melton", IDS)
    assert len(str(error.value)) < 400 and "\n" not in str(error.value)


def test_a_draft_keeps_to_the_files_line_endings_finds_headings_as_the_parser_does_and_leaves_own_words_alone():
    text = (HEADER.replace("---\n", "---\n# ## Exceptions (a YAML comment)\n", 1) + "## Exceptions\n"
            "   ### burglary\n- Cause: Our own words.\n").replace("\n", "\r\n")
    again, added, marked = drafted(text=text)
    assert marked == [] and "\n" not in again.replace("\r\n", "")  # every line ends as the file's do
    assert again.count("### burglary") == 1 and again.index("## Exceptions\r\n") < again.index("### domestic")
    parsed = parse(again, PATH, Q2, "Melton", IDS)
    assert not parsed.entry(EXCEPTIONS, "burglary").figures_changed  # typed by hand: the analyst's own


def test_a_link_that_leads_nowhere_is_refused_not_taken_for_no_commentary(tmp_path):
    path = commentary_path(tmp_path, Q2, "melton")
    path.parent.mkdir(parents=True)
    path.symlink_to(path)  # a loop
    with pytest.raises(CommentaryError, match="not a readable file"):
        load_commentary(tmp_path, Q2, "Melton", "melton", IDS)

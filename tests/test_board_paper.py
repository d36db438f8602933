"""The default pack read as the board reads it (county and Melton PDFs and HTML, with the bundled
example commentary), and the commentary's journey into the paper: strict mode, injection, no words."""
import json
import re

import pytest
from pypdf import PdfReader

from analysis import paths
from analysis.build import build_pack
from analysis.commentary import commentary_path
from analysis.periods import Quarter

pytestmark = pytest.mark.slow
HEADER, FOOTER = 52, 60  # points: the running header above the text area, the page number below it


@pytest.fixture(scope="module")
def default_pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    build_pack("2022-23 Q2", ["Leicestershire", "Melton", "Charnwood"], paths.DATA_DIR, out, workers=2)
    return out / "2022-23-Q2"


def page_texts(pdf):
    return [page.extract_text() for page in PdfReader(pdf).pages]


def filled(page) -> float:
    """How far down the page its text reaches (the charts' labels are text too), as a share of the text area."""
    top = float(page.mediabox.height) - HEADER
    heights = []
    page.extract_text(visitor_text=lambda text, cm, tm, *_: heights.append(tm[5] * cm[3] + cm[5]) if text.strip() else None)
    body = [y for y in heights if FOOTER < y < top]
    return (top - min(body)) / (top - FOOTER) if body else 0.0


def opening(text: str) -> str:
    """A page's text from its first line of content (the running header and page number set aside)."""
    lines = [line for line in text.split("\n") if not re.fullmatch(r"Safer Communities performance .*|Page \d+ of \d+", line)]
    return "\n".join(lines).lstrip()


def first_page_with(texts, heading):
    return max(number for number, text in enumerate(texts, start=1) if heading in text)  # not the contents list


@pytest.mark.parametrize("area", ["leicestershire", "melton"])
def test_the_body_fits_four_pages_the_dashboard_two_and_no_page_is_left_mostly_blank(default_pack, area):
    pdf = default_pack / f"{area}.pdf"
    texts, pages = page_texts(pdf), PdfReader(pdf).pages
    dashboard, charts = first_page_with(texts, "Appendix 1: performance dashboard"), first_page_with(texts, "Appendix 2: charts")
    assert dashboard - 1 <= 4 and charts - dashboard <= 2
    for number in range(1, dashboard - 1):  # every body page but the last, which ends the body
        assert filled(pages[number - 1]) > 2 / 3, f"page {number} of {pdf.name} is mostly blank"
    recommendations = first_page_with(texts, "Recommendations")
    assert not opening(texts[recommendations - 1]).startswith("Recommendations")


@pytest.mark.parametrize("area", ["leicestershire", "melton", "charnwood"])
def test_no_page_is_under_a_third_full_unless_it_ends_a_part_before_an_appendix(default_pack, area):
    pdf = default_pack / f"{area}.pdf"
    texts, pages = page_texts(pdf), PdfReader(pdf).pages
    for number, page in enumerate(pages, start=1):
        ends_a_part = number == len(pages) or re.match(r"Appendix \d:", opening(texts[number]))
        assert ends_a_part or filled(page) >= 1 / 3, f"page {number} of {pdf.name} is {filled(page):.0%} full"


def test_the_county_paper_opens_with_key_messages_that_name_the_signals(default_pack):
    texts = page_texts(default_pack / "leicestershire.pdf")
    opening = " ".join(" ".join(texts[:2]).split())
    assert opening.index("Key messages") < opening.index("Exceptions and actions")
    for said in ("Domestic abuse incidents reported to the police (illustrative): SPC special cause: Sep 2022",
                 "above the upper process limit", "Burglary: off track: +292, +67% on 2021-22 Q2",
                 "a significant increase (p < 0.001)", "4 off track (total recorded crime, vehicle crime, burglary and"):
        assert said in opening


def test_every_off_track_measure_is_in_the_exceptions_table_with_the_example_actions(default_pack):
    page = (default_pack / "leicestershire.html").read_text(encoding="utf-8")
    table = page[page.index('<table class="exceptions">'):]
    table = table[:table.index("</table>")]
    for measure in ("Total recorded crime", "Vehicle crime", "Burglary", "Violence and sexual offences",
                    "Youth re-offending frequency rate (illustrative)"):
        assert f"<td>{measure}</td>" in table
    assert "not provided" not in table and "Police burglary lead" in table
    assert "example commentary by the project, not agreed actions" in page
    assert page.count("Example written by the project, not an analyst") >= 3
    assert "Analyst&#x27;s commentary" in page or "Analyst's commentary" in page


def test_the_district_paper_is_about_its_district(default_pack):
    page = (default_pack / "melton.html").read_text(encoding="utf-8")
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Melton, at the 95% funnel limits: lower than the county for first time entrants" in words
    assert "Reported for the county as a whole only" in words
    dashboard = page[page.index('<table class="dashboard">'):]
    assert "Youth re-offending frequency rate" not in dashboard[:dashboard.index("</table>")]


def test_strict_refuses_an_exception_without_commentary_and_publishes_nothing(small_data_dir, tmp_path, capsys):
    # Testshire's 2020-21 youth cohort missed its target (an exception); the store has no file for it.
    manifest = build_pack("2022-23 Q2", ["Testshire"], small_data_dir, tmp_path / "out", workers=1, strict=True,
                          commentary_dir=tmp_path / "commentary")
    assert manifest["status"] == "failed" and not (tmp_path / "out" / "2022-23-Q2").exists()
    err = capsys.readouterr().err
    assert "Testshire (" in err and ("testshire.md (no file yet: `python -m analysis commentary` drafts it)): commentary "
                                     "to write or check: exception youth_reoffending_rate has no cause, action, owner or "
                                     "due") in err
    assert "--strict refuses missing commentary" in err


PAYLOAD = """---
area: Testshire
quarter: 2022-23 Q2
---
## Key messages
<script>alert("key")</script> and <img src="http://example.com/x.png" onerror="alert(1)">
![tracker](http://example.com/t.png) [click](javascript:alert(1)) " onload="alert(2)

## Exceptions
### youth_reoffending_rate
- Cause: <b onmouseover="alert(3)">bold</b>
- Action: Case review.
- Owner: Head of <script>x</script> Service
- Due: 2023-02-28
"""


def test_markup_in_commentary_is_inert_in_html_and_pdf(small_data_dir, tmp_path):
    store = tmp_path / "commentary"
    path = commentary_path(store, Quarter(2022, 2), "testshire")
    path.parent.mkdir(parents=True)
    path.write_text(PAYLOAD, encoding="utf-8")
    manifest = build_pack("2022-23 Q2", ["Testshire"], small_data_dir, tmp_path / "out", workers=1, strict=True,
                          commentary_dir=store)
    assert manifest["status"] == "complete"  # every exception has its four fields; nothing was fetched
    pack = tmp_path / "out" / "2022-23-Q2"
    page = (pack / "testshire.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=\"http" not in page and "<b onmouseover" not in page
    assert not re.search(r"<[^>]*\son\w+\s*=", page)  # no element carries an event handler
    assert not re.search(r"href=\"\s*javascript:", page)
    assert "&lt;script&gt;alert(\"key\")&lt;/script&gt;" in page  # shown as text
    pdf = " ".join(" ".join(page_texts(pack / "testshire.pdf")).split()).replace("</ ", "</")  # a line may break after "</"
    assert '<script>alert("key")</script>' in pdf and "Head of <script>x</script> Service" in pdf
    assert json.loads((pack / "manifest.json").read_text())["results"][0]["commentary_missing"] == []

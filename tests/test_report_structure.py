"""The board paper's structure, in the HTML a manager opens: every section, filled, in order, and the
page working offline in a real browser (headless Chromium) with no console errors or requests."""
import html
import re
import shutil
from html.parser import HTMLParser

import pytest

from analysis.build import build_pack

pytestmark = pytest.mark.slow

SECTIONS = ["Purpose", "Key messages", "Exceptions and actions", "Ongoing reductions in crime", "Reducing re-offending",
            "Repeat victimisation and vulnerable victims", "ASB and satisfaction", "Locality comparisons",
            "Recommendations", "Appendix 1: performance dashboard", "Appendix 2: charts",
            "Appendix 3: methods and data quality"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Outline(HTMLParser):
    """Headings in order with the text that follows each, and every element id."""

    def __init__(self, page: str):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.text_after: dict[str, str] = {}
        self.ids: set[str] = set()
        self._heading: str | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = tag

    def handle_data(self, data):
        if self._heading:
            self.headings.append((self._heading, data.strip()))
            self.text_after[data.strip()] = ""
            self._heading = None
        elif self.headings and data.strip():
            self.text_after[self.headings[-1][1]] += data.strip() + " "


@pytest.fixture(scope="module")
def pack(small_data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    build_pack("2022-23 Q2", ["Testshire", "Melton"], small_data_dir, out, workers=2)
    return out / "2022-23-Q2"


@pytest.mark.parametrize("area", ["testshire", "melton"])
def test_every_section_is_present_in_order_and_filled(pack, area):
    outline = Outline((pack / f"{area}.html").read_text(encoding="utf-8"))
    assert [text for level, text in outline.headings if level == "h1"] == [
        f"Safer Communities performance 2022-23 Q2: {'Testshire' if area == 'testshire' else 'Melton'}"]
    assert [text for level, text in outline.headings if level == "h2"] == SECTIONS
    for section in SECTIONS:
        assert len(outline.text_after[section]) > 40, f"{section} is empty"


def test_the_contents_links_to_every_section(pack):
    page = (pack / "testshire.html").read_text(encoding="utf-8")
    contents = page[page.index("Contents"):page.index('<h2 id="Purpose"')]
    links = re.findall(r'href="#([^"]+)"', contents)
    assert len(links) == len(SECTIONS) and set(links) <= Outline(page).ids


def test_title_block_and_recommendations_come_from_the_report_config(pack):
    page = (pack / "testshire.html").read_text(encoding="utf-8")
    assert "Testshire Community Safety Partnership" in page and "8 December 2022" in page
    assert "notes the 2022-23 Q2 performance information;" in page


def test_district_report_gives_rank_and_funnel_position(pack, small_data_dir):
    page = (pack / "melton.html").read_text(encoding="utf-8")
    assert '<table class="positions">' in page and "Rank (1 = highest)</th>" in page and "<td>1 of 2</td>" in page
    assert "Reported for the county as a whole only (see the county paper)" in page


def test_every_chart_has_alt_text_and_its_numbers(pack):
    page = (pack / "testshire.html").read_text(encoding="utf-8")
    images = re.findall(r"<img[^>]*>", page)
    assert images and all(re.search(r'alt="[^"]{40,}"', image) for image in images)
    assert page.count('<div class="chart-data">') >= 4


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
def test_the_page_works_offline_in_chromium_without_errors_or_requests(pack, tmp_path):
    from playwright.sync_api import sync_playwright

    page_path = (pack / "testshire.html").resolve()
    errors, requests = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_path.as_uri(), wait_until="load")
        assert page.title() == "Safer Communities performance 2022-23 Q2: Testshire"
        assert page.locator("h2").count() == len(SECTIONS)
        page.screenshot(path=str(tmp_path / "testshire.png"), full_page=False)
        browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(("data:", page_path.as_uri()))] == []
    assert (tmp_path / "testshire.png").stat().st_size > 10_000


FIGURES_CELL = """import json
print(json.dumps({"dashboard": report.dashboard().table[["measure", "value", "status", "change"]].to_dict("records"),
                  "districts": report.locality().table[["area", "value", "label"]].to_dict("records"),
                  "title": report.title}))"""


def test_the_notebook_run_by_hand_from_the_project_root_gives_the_published_figures(tmp_path):
    """An analyst's run: papermill from the project root with the default parameters and no cache,
    one cell added to read figures off the objects. Those figures, and every part of the paper the
    notebook shows, are in the HTML the batch published for the same area."""
    import json
    import subprocess
    import sys

    import nbformat
    import papermill

    from analysis import paths
    from analysis.paper import PAPER_KEY

    defaults = {name: value["default"].strip('"') for name, value in papermill.inspect_notebook(str(paths.NOTEBOOK)).items()}
    manifest = build_pack(defaults["quarter"], [defaults["area"]], paths.DATA_DIR, tmp_path / "out")
    published = (tmp_path / "out" / manifest["results"][0]["parameters"]["quarter"].replace(" ", "-")
                 / f"{manifest['results'][0]['slug']}.html").read_text(encoding="utf-8")

    notebook = nbformat.read(paths.NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(FIGURES_CELL, metadata={"tags": ["analyst-only"]}))
    source, executed = tmp_path / "analyst.ipynb", tmp_path / "run.ipynb"
    nbformat.write(notebook, source)
    subprocess.run([sys.executable, "-m", "papermill", str(source), str(executed), "-p", "cache_dir", ""],
                   cwd=paths.PROJECT_ROOT, check=True, capture_output=True)
    cells = nbformat.read(executed, as_version=4).cells
    figures = json.loads(cells[-1].outputs[0]["text"])

    assert f"<title>{figures['title']}</title>" in published
    for row in figures["dashboard"]:
        assert all(html.escape(row[column]) in published for column in ("measure", "value", "status", "change")), row
    for row in figures["districts"]:  # in the table of the bar chart's numbers
        shown = re.search(rf'<th scope="row">{re.escape(html.escape(row["area"]))}</th>(.*?)</tr>', published).group(1)
        assert f"<td>{row['value']:,.1f}</td>" in shown and f"<td>{row['label']}</td>" in shown, shown
    parts = [output for cell in cells if cell.cell_type == "code" for output in cell.get("outputs", [])
             if PAPER_KEY in output.get("metadata", {})]
    assert len(parts) >= 15
    for output in parts:
        shown = output["data"]["text/html"]
        if output["metadata"][PAPER_KEY]["part"] == "chart":  # the image is drawn afresh: its alt text and numbers
            assert re.search(r'alt="[^"]+"', shown).group(0) in published
            numbers = shown[shown.index('<div class="chart-data">'):]
            assert text_of(numbers) in text_of(published)
        else:
            assert text_of(shown) in text_of(published), shown[:200]


def text_of(page: str) -> str:
    """The words of a page or fragment, however its markup was serialised."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())

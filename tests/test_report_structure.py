"""The board paper's structure, in the HTML a manager opens: every section, filled, in order, and the
page working offline in a real browser (headless Chromium) with no console errors or requests."""
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analysis.build import build_pack

pytestmark = pytest.mark.slow

SECTIONS = ["Purpose and overall performance", "Ongoing reductions in crime", "Reducing re-offending",
            "Repeat victimisation and vulnerable victims", "ASB and satisfaction", "Locality comparisons",
            "Recommendations", "Appendix 1: performance dashboard", "Methods and data quality"]
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
    contents = page[page.index("Contents"):page.index('<h2 id="Purpose-and-overall-performance"')]
    links = re.findall(r'href="#([^"]+)"', contents)
    assert len(links) == len(SECTIONS) and set(links) <= Outline(page).ids


def test_title_block_and_recommendations_come_from_the_report_config(pack):
    page = (pack / "testshire.html").read_text(encoding="utf-8")
    assert "Testshire Community Safety Partnership" in page and "8 December 2022" in page
    assert "notes the 2022-23 Q2 performance information;" in page


def test_district_report_gives_rank_and_funnel_position(pack, small_data_dir):
    page = (pack / "melton.html").read_text(encoding="utf-8")
    assert '<table class="positions">' in page and "of 2 (1 = highest)" in page
    assert "reported for Testshire as a whole only, not by district" in page


def test_every_chart_has_alt_text_and_its_numbers(pack):
    page = (pack / "testshire.html").read_text(encoding="utf-8")
    images = re.findall(r"<img[^>]*>", page)
    assert images and all(re.search(r'alt="[^"]{40,}"', image) for image in images)
    assert page.count('<details class="chart-data">') >= 4


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


def test_the_notebook_run_as_it_is_shows_what_the_batch_shows(tmp_path):
    """An analyst's run with the default parameters (only the cache moved) gives the batch's content."""
    import nbformat
    import papermill

    from analysis import paths
    from analysis.content import compute_content

    executed = tmp_path / "run.ipynb"
    papermill.execute_notebook(str(paths.NOTEBOOK), str(executed), cwd=str(paths.NOTEBOOK.parent), progress_bar=False,
                               parameters={"cache_dir": str(tmp_path / "cache")}, kernel_name="python3")
    shown = [output["data"]["text/html"] for cell in nbformat.read(executed, as_version=4).cells
             if cell.cell_type == "code" for output in cell.get("outputs", []) if "text/html" in output.get("data", {})]
    defaults = papermill.inspect_notebook(str(paths.NOTEBOOK))
    batch = compute_content(str(paths.DATA_DIR), defaults["quarter"]["default"].strip('"'),
                            defaults["area"]["default"].strip('"'))
    assert batch.fragments["summary"] in shown and batch.fragments["dashboard"] in shown

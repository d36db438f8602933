"""Data-derived text reaches the HTML inert: markup and link payloads in names, titles and units."""
import json
import re
import shutil
from html.parser import HTMLParser

import pytest

from analysis.build import build_pack

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
LINK = "[click](javascript:alert(1))"
QUOTES = "\" onload=\"alert(1)\" x=' onmouseover='alert(1)"  # closes a quoted attribute if quotes were left as they are


class Elements(HTMLParser):
    """Every element's tag and attributes, as a browser would parse them."""

    def __init__(self, page: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def test_markup_in_the_data_is_escaped(tmp_path, small_data_dir):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    areas = data / "areas.yml"
    areas.write_text(areas.read_text().replace("name: Melton}", f'name: "Melton {SCRIPT}"}}')
                     .replace("name: Testshire", f"name: {json.dumps('Testshire ' + QUOTES)}"))
    measures = data / "measures.yml"
    text = measures.read_text().replace("title: Robbery", f'title: "Robbery {IMAGE}"')
    measures.write_text(text.replace("title: Hate incidents reported", f'title: "Hate incidents {LINK}"'))

    manifest = build_pack("2022-23 Q2", ["E07000133", "E10999999"], data, tmp_path / "out", workers=2)
    assert manifest["status"] == "complete", manifest["results"]
    for page_path in (tmp_path / "out" / "2022-23-Q2").glob("*.html"):
        page = page_path.read_text(encoding="utf-8")
        elements = Elements(page).elements
        assert not [tag for tag, _ in elements if tag in ("script", "iframe", "object", "embed", "form")]
        assert all(attrs.get("href", "#").startswith("#") for tag, attrs in elements if tag == "a")
        assert not [attrs for _, attrs in elements if any(name.startswith("on") for name in attrs)]
        assert [tag for tag, _ in elements].count("img") == len(re.findall("<img", page))
        assert "Robbery &lt;img src=x onerror=alert(1)&gt;" in page
        assert "Hate incidents [click](javascript:alert(1))" in page
    melton = next((tmp_path / "out" / "2022-23-Q2").glob("melton-*.html")).read_text(encoding="utf-8")
    assert "Melton &lt;script&gt;alert(1)&lt;/script&gt;" in melton

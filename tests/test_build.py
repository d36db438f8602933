"""End to end: papermill executes the report notebook per area, nbconvert renders HTML and PDF."""
import base64
import dataclasses
import json
import re
import shutil
import subprocess

import nbformat
import pytest
from pypdf import PdfReader

from analysis import paths
from analysis.__main__ import main
from analysis.build import build_pack

pytestmark = pytest.mark.slow
A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def pack(small_data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    manifest = build_pack("2022-23Q2", ["Testshire", "melton"], small_data_dir, out, workers=2)
    return out / "2022-23-Q2", manifest


def test_each_area_has_notebook_html_pdf_and_the_manifest(pack):
    folder, manifest = pack
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["manifest.json", "melton.html", "melton.ipynb", "melton.pdf",
                     "testshire.html", "testshire.ipynb", "testshire.pdf"]
    written = json.loads((folder / "manifest.json").read_text())
    assert written["status"] == "complete" and written["quarter"] == "2022-23 Q2"
    assert [r["status"] for r in written["results"]] == ["built", "built"]
    assert written["police_uk_rows"]["no LSOA code"] == 1
    assert set(written["input_files"]) >= {"areas.yml", "measures.yml", "derived/crime_counts.csv"}
    assert "papermill" in written["packages"] and manifest["status"] == "complete"


@pytest.mark.parametrize("area", ["testshire", "melton"])
def test_html_shows_no_code_and_loads_nothing(pack, area):
    page = (pack[0] / f"{area}.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", page))
    for forbidden in ("Traceback", "from analysis", "quarter = ", "In&nbsp;[", "Warning"):
        assert forbidden not in page, forbidden
    assert not re.search(r"\b(nan|NaN|None)\b", text)
    assert not re.search(r"https?://|<script|<link", page)
    assert '<html lang="en-GB">' in page and page.count("<h1") == 1
    assert f"<title>Safer Communities performance 2022-23 Q2: {'Testshire' if area == 'testshire' else 'Melton'}</title>" in page
    images = re.findall(r"<img[^>]*>", page)
    assert len(images) >= 2
    assert all('src="data:image/svg+xml;base64,' in image and re.search(r'alt="[^"]{20,}"', image) for image in images)
    for image in images:  # vector charts that run nothing and fetch nothing (namespace declarations aside)
        svg = base64.b64decode(re.search(r'base64,([^"]+)"', image).group(1)).decode("utf-8")
        assert "<script" not in svg and not re.search(r'(href|src)="(?!#)', svg)


def test_county_figures_reach_the_report(pack):
    page = (pack[0] / "testshire.html").read_text(encoding="utf-8")
    assert "Total recorded crime: 8 crimes in 2022-23 Q2" in page
    assert "Locality comparisons" in page
    assert "Illustrative data:" in page  # tests/data/local/sources.yml marks local_counts illustrative


def test_dashboard_has_a_row_per_measure_with_word_and_symbol(pack, small_data_dir):
    from analysis.measures import load_measures

    page = (pack[0] / "testshire.html").read_text(encoding="utf-8")
    dashboard = page[page.index('<table class="dashboard"'):]
    dashboard = dashboard[:dashboard.index("</table>")]
    rows = re.findall(r'<tr class="status-(\w+)">', dashboard)
    assert len(rows) == len(load_measures(small_data_dir))
    for word in ("On track", "At risk", "No target", "Not available"):
        assert word in dashboard


@pytest.mark.parametrize("area", ["testshire", "melton"])
def test_pdf_is_a4_with_numbered_pages_and_the_dashboard_landscape(pack, area):
    reader = PdfReader(pack[0] / f"{area}.pdf")
    assert len(reader.pages) >= 2
    texts = [page.extract_text() for page in reader.pages]
    first, after = (max(n for n, text in enumerate(texts) if heading in text)  # the heading, not the contents list
                    for heading in ("Appendix 1: performance dashboard", "Appendix 2: charts"))
    for number, (page, text) in enumerate(zip(reader.pages, texts)):
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert size == pytest.approx(A4_POINTS[::-1] if first <= number < after else A4_POINTS, abs=1), number
        assert f"Page {number + 1} of {len(reader.pages)}" in text


def test_a_failing_area_is_reported_and_the_published_pack_is_kept(pack, small_data_dir, tmp_path):
    notebook = nbformat.read(paths.NOTEBOOK, as_version=4)
    after_parameters = 1 + next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
    notebook.cells.insert(after_parameters, nbformat.v4.new_code_cell('if area == "Melton":\n    raise RuntimeError("boom")'))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(notebook, broken)
    out = pack[0].parent
    before = (pack[0] / "melton.pdf").read_bytes()
    manifest = build_pack("2022-23 Q2", ["Testshire", "Melton"], small_data_dir, out, workers=1, notebook=broken)
    failed = {r["area"]: r for r in manifest["results"]}
    assert manifest["status"] == "failed"
    assert failed["Testshire"]["status"] == "built"
    assert failed["Melton"]["status"] == "failed" and "RuntimeError: boom" in failed["Melton"]["error"]
    assert "cell" in failed["Melton"]["error"]
    assert (pack[0] / "melton.pdf").read_bytes() == before
    assert (out / ".staging-2022-23-Q2" / "testshire.pdf").is_file()
    audit = nbformat.read(out / ".staging-2022-23-Q2" / "melton.ipynb", as_version=4)  # written once, with the error
    assert any(output.get("ename") == "RuntimeError" for cell in audit.cells for output in cell.get("outputs", []))


def committed_notebook() -> nbformat.NotebookNode:
    """The report notebook as committed (git's HEAD), or the file itself outside a git clone."""
    relative = paths.NOTEBOOK.relative_to(paths.PROJECT_ROOT).as_posix()
    shown = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=paths.PROJECT_ROOT, capture_output=True)
    if shown.returncode != 0:
        return nbformat.read(paths.NOTEBOOK, as_version=4)
    return nbformat.reads(shown.stdout.decode("utf-8"), as_version=4)


def test_committed_notebook_is_clean():
    """Outputs saved in JupyterLab are the analyst's business until they are committed."""
    code = [cell for cell in committed_notebook().cells if cell.cell_type == "code"]
    dirty = [number for number, cell in enumerate(code, start=1) if cell.get("outputs") or cell.get("execution_count")]
    assert not dirty, (f"{paths.NOTEBOOK.name} was committed with outputs (code cells {dirty}): run `make clean-notebook` "
                       f"and commit it again; `make lab` sets up nbstripout so that commits are stripped from then on")


def test_notebook_is_parameterised_and_holds_no_logic():
    notebook = nbformat.read(paths.NOTEBOOK, as_version=4)
    parameters = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(parameters) == 1
    assert all(f"{name}: str = " in parameters[0].source for name in ("quarter", "area", "data_dir", "cache_dir"))
    assert not any(line.lstrip().startswith(("def ", "class ")) for cell in notebook.cells for line in cell.source.splitlines())
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and "analyst-only" in first.metadata.get("tags", []) and "`analyst-only`" in first.source


@pytest.mark.parametrize("argv, message", [
    (["build", "--quarter", "2022 Q2"], "accepted form YYYY-YY Qn"),
    (["build", "--quarter", "2030-31 Q1"], "no data for 2030-31 Q1"),
    (["build", "--areas", "Atlantis"], "unknown area 'Atlantis'"),
])
def test_command_line_refuses_bad_choices_clearly(argv, message, small_data_dir, tmp_path, capsys):
    assert main([*argv, "--data", str(small_data_dir), "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err


def test_a_rebuild_skips_what_is_up_to_date_and_redoes_what_changed(tmp_path, small_data_dir):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    first = build_pack("2022-23 Q2", ["Melton"], data, tmp_path / "out")
    again = build_pack("2022-23 Q2", ["Melton"], data, tmp_path / "out")
    assert again["results"][0]["built_at"] == first["results"][0]["built_at"]  # kept, not rebuilt
    counts = data / "local" / "local_counts.csv"
    counts.write_text(counts.read_text().replace("hate_incidents,E07000133,2022-07,3,no", "hate_incidents,E07000133,2022-07,4,no"))
    changed = build_pack("2022-23 Q2", ["Melton"], data, tmp_path / "out")
    assert changed["results"][0]["fingerprint"] != first["results"][0]["fingerprint"]
    assert "hate incidents reported (illustrative) (11 incidents" in (tmp_path / "out" / "2022-23-Q2" / "melton.html").read_text(encoding="utf-8")
    forced = build_pack("2022-23 Q2", ["Melton"], data, tmp_path / "out", force=True)
    assert forced["results"][0]["fingerprint"] == changed["results"][0]["fingerprint"]
    assert forced["results"][0]["built_at"] >= changed["results"][0]["built_at"]


def test_a_published_file_cut_short_is_found_and_its_area_built_again(tmp_path, small_data_dir, capsys):
    """The manifest records each published file's SHA-256: a PDF cut short after publishing (a full
    disk, a copy that stopped) no longer counts as up to date."""
    import hashlib

    first = build_pack("2022-23 Q2", ["Melton"], small_data_dir, tmp_path / "out")
    pdf = tmp_path / "out" / "2022-23-Q2" / "melton.pdf"
    assert first["results"][0]["files"]["melton.pdf"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    pdf.write_bytes(pdf.read_bytes()[:1000])
    capsys.readouterr()
    again = build_pack("2022-23 Q2", ["Melton"], small_data_dir, tmp_path / "out")
    assert f"warning: {pdf}: not as published (cut short or edited); Melton is built again" in capsys.readouterr().err
    assert again["results"][0]["built_at"] > first["results"][0]["built_at"]
    assert again["results"][0]["files"]["melton.pdf"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


def test_building_one_area_after_an_input_change_keeps_the_others_marked_out_of_date(tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    build_pack("2022-23 Q2", ["Testshire", "Melton"], data, tmp_path / "out")
    counts = data / "local" / "local_counts.csv"
    counts.write_text(counts.read_text().replace("hate_incidents,E07000133,2022-07,3,no", "hate_incidents,E07000133,2022-07,4,no"))
    capsys.readouterr()
    manifest = build_pack("2022-23 Q2", ["Melton"], data, tmp_path / "out")
    assert "kept as published and marked out of date in the manifest: Testshire" in capsys.readouterr().err
    marked = {result["area"]: result.get("out_of_date") for result in manifest["results"]}
    assert marked["Melton"] is None and "other inputs or code" in marked["Testshire"]
    assert (tmp_path / "out" / "2022-23-Q2" / "testshire.pdf").is_file() and manifest["areas"] == ["Testshire", "Melton"]
    again = build_pack("2022-23 Q2", ["Testshire"], data, tmp_path / "out")
    assert all("out_of_date" not in result for result in again["results"])


def test_an_area_renamed_in_the_area_set_leaves_the_pack_and_the_others_still_publish(tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    build_pack("2022-23 Q2", ["Melton", "Blaby"], data, tmp_path / "out")
    areas = data / paths.AREAS_FILE
    areas.write_text(areas.read_text().replace("name: Blaby}", "name: Blaby District}"))
    capsys.readouterr()
    manifest = build_pack("2022-23 Q2", ["Melton"], data, tmp_path / "out")
    assert manifest["status"] == "complete" and manifest["areas"] == ["Melton"]
    assert "so not in the new pack: Blaby (their papers leave the pack when it is published)" in capsys.readouterr().err
    published = sorted(path.name for path in (tmp_path / "out" / "2022-23-Q2").iterdir())
    assert published == ["manifest.json", "melton.html", "melton.ipynb", "melton.pdf"]


def test_two_builds_into_one_folder_never_mix_and_the_second_is_told(tmp_path, small_data_dir, capsys):
    import sys
    import time

    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "analysis", "build", "--quarter", "2022-23Q2", "--data",
                              str(small_data_dir), "--out", str(out), "--workers", "1"],
                             cwd=paths.PROJECT_ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / ".staging-2022-23-Q2").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert main(["build", "--quarter", "2022-23Q2", "--data", str(small_data_dir), "--out", str(out)]) == 2
    assert "another build is writing here (process" in capsys.readouterr().err
    assert first.wait(timeout=300) == 0, first.stderr.read()
    manifest = json.loads((out / "2022-23-Q2" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["results"]) == 3
    for result in manifest["results"]:
        assert all((out / "2022-23-Q2" / f"{result['slug']}{suffix}").is_file() for suffix in (".ipynb", ".html", ".pdf"))


def test_files_the_project_did_not_write_stay_in_the_published_folder(pack, small_data_dir, capsys):
    folder = pack[0]
    (folder / "board-notes.txt").write_text("the chair's notes")
    build_pack("2022-23 Q2", ["Testshire", "Melton"], small_data_dir, folder.parent, force=True)
    assert (folder / "board-notes.txt").read_text() == "the chair's notes"
    assert "not written by the project: board-notes.txt" in capsys.readouterr().err


def test_force_computes_afresh_whatever_the_cache_holds(tmp_path, small_data_dir):
    """A cache entry holding another area's report is refused even under the right key; --force
    never reads the cache, so figures poisoned under the right name are replaced too."""
    import pickle

    from analysis.report import open_report

    out = tmp_path / "out"
    build_pack("2022-23 Q2", ["Melton"], small_data_dir, out)
    entry = next((out / ".cache").glob("*.pickle"))
    report = pickle.loads(entry.read_bytes())
    melton = report.assessment
    blaby = open_report("2022-23 Q2", "Blaby", str(small_data_dir)).assessment
    report.assessment = blaby
    entry.write_bytes(pickle.dumps(report))
    assert open_report("2022-23 Q2", "Melton", str(small_data_dir), str(out / ".cache")).assessment.area.name == "Melton"
    report.assessment = dataclasses.replace(blaby, area=melton.area)  # Blaby's figures under Melton's name
    entry.write_bytes(pickle.dumps(report))
    build_pack("2022-23 Q2", ["Melton"], small_data_dir, out, force=True)
    cached = pickle.loads(entry.read_bytes())
    assert [r.value for r in cached.assessment.results] == [r.value for r in melton.results]


def test_clear_cache_and_clean_delete_only_what_builds_wrote(tmp_path, small_data_dir):
    out = tmp_path / "out"
    build_pack("2022-23 Q2", ["Melton"], small_data_dir, out)
    (out / "2022-23-Q2" / "minutes.docx").write_text("the user's own file")
    (out / "notes.txt").write_text("also the user's")
    assert any((out / ".cache").glob("*.pickle"))
    build_pack("2022-23 Q2", ["Melton"], small_data_dir, out, clear_cache=True)  # Melton is up to date: kept
    assert not any((out / ".cache").glob("*.pickle"))
    assert main(["clean", "--out", str(out)]) == 0
    assert sorted(path.name for path in out.rglob("*") if not path.name.startswith(".build")) == \
        ["2022-23-Q2", "minutes.docx", "notes.txt"]


def test_clean_leaves_a_folder_whose_manifest_it_cannot_read(tmp_path, small_data_dir, capsys):
    folder = tmp_path / "out" / "2022-23-Q2"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text("not json")
    (folder / "melton.pdf").write_text("a paper")
    assert main(["clean", "--out", str(tmp_path / "out")]) == 0
    assert (folder / "melton.pdf").is_file() and "manifest.json: cannot be read" in capsys.readouterr().err

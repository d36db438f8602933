"""Faults during a build: a clear failure per area, nothing published from a failed or interrupted run."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis import paths
from analysis.__main__ import main
from analysis.build import build_pack

pytestmark = pytest.mark.slow


def notebook_with(tmp_path, source, parameters=None):
    """The report notebook with `source` as an extra cell after the parameters (or other parameters)."""
    notebook = nbformat.read(paths.NOTEBOOK, as_version=4)
    at = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
    if parameters is not None:
        notebook.cells[at].source = parameters
    if source:
        notebook.cells.insert(at + 1, nbformat.v4.new_code_cell(source))
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook, path)
    return path


def test_a_cell_over_the_time_limit_fails_its_area(tmp_path, small_data_dir):
    notebook = notebook_with(tmp_path, "import time\nif area == 'Melton':\n    time.sleep(60)")
    manifest = build_pack("2022-23 Q2", ["Melton", "Blaby"], small_data_dir, tmp_path / "out", workers=2,
                          notebook=notebook, timeout=15)
    results = {r["area"]: r for r in manifest["results"]}
    assert manifest["status"] == "failed" and results["Blaby"]["status"] == "built"
    assert results["Melton"]["status"] == "failed" and "timed out" in results["Melton"]["error"].lower()
    assert not (tmp_path / "out" / "2022-23-Q2").exists()


def test_a_kernel_that_dies_fails_its_area(tmp_path, small_data_dir):
    notebook = notebook_with(tmp_path, "import os\nos._exit(1)")
    manifest = build_pack("2022-23 Q2", ["Melton"], small_data_dir, tmp_path / "out", notebook=notebook)
    failure = manifest["results"][0]
    assert failure["status"] == "failed" and "DeadKernelError" in failure["error"]


def test_a_worker_kernel_serves_each_area_afresh_and_is_replaced_after_a_failure(tmp_path, small_data_dir):
    """One kernel per worker is reused across areas: no area sees another's variables, execution
    counts start at 1, and a kernel that died is replaced for the next area."""
    notebook = notebook_with(tmp_path, "assert 'leftover' not in globals(), 'a variable from another area'\n"
                                       "leftover = area\n"
                                       "if area == 'Blaby':\n    import os\n    os._exit(1)")
    manifest = build_pack("2022-23 Q2", ["Testshire", "Blaby", "Melton"], small_data_dir, tmp_path / "out",
                          workers=1, notebook=notebook)
    results = {r["area"]: r for r in manifest["results"]}
    assert results["Testshire"]["status"] == results["Melton"]["status"] == "built"
    assert results["Blaby"]["status"] == "failed" and "DeadKernelError" in results["Blaby"]["error"]
    melton = nbformat.read(tmp_path / "out" / ".staging-2022-23-Q2" / "melton.ipynb", as_version=4)
    counts = [cell.execution_count for cell in melton.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1))


@pytest.mark.parametrize("parameters, message", [
    ('quarter = "2022-23 Q2"\narea = "Testshire"', "no parameter named cache_dir, commentary_dir, data_dir"),
    ('quarter = 2022\narea = "Testshire"\ndata_dir = "../data"\ncache_dir = "../outputs/.cache"\ncommentary_dir = ""',
     "parameter quarter is str '2022-23 Q2', expected int"),
])
def test_parameters_are_checked_before_anything_runs(parameters, message, tmp_path, small_data_dir, capsys):
    notebook = notebook_with(tmp_path, "", parameters=parameters)
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(small_data_dir), "--out", str(tmp_path / "out"),
                 "--notebook", str(notebook)])
    assert code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_interrupted_build_leaves_the_published_pack_as_it_was(tmp_path, small_data_dir):
    published = tmp_path / "out" / "2022-23-Q2"
    published.mkdir(parents=True)
    (published / "melton.pdf").write_bytes(b"the pack published last quarter")
    (published / "manifest.json").write_text(json.dumps({"status": "complete"}))
    before = {p.name: p.read_bytes() for p in published.iterdir()}
    notebook = notebook_with(tmp_path, "import time\ntime.sleep(120)")
    build = subprocess.Popen(
        [sys.executable, "-m", "analysis", "build", "--quarter", "2022-23 Q2", "--areas", "Melton",
         "--data", str(small_data_dir), "--out", str(tmp_path / "out"), "--notebook", str(notebook)],
        cwd=paths.PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / ".staging-2022-23-Q2" / "melton.ipynb").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(build.pid, signal.SIGKILL)  # the whole build, kernels included, as a crash would
    build.wait(timeout=30)
    assert {p.name: p.read_bytes() for p in published.iterdir()} == before


def test_a_quarter_with_a_month_missing_is_built_as_not_available(tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    months = data / "derived" / "months.csv"
    months.write_text("".join(line for line in months.read_text().splitlines(keepends=True)
                              if not line.startswith(("2022-09,", "2021-08,"))))
    for name in ("crime_counts.csv", "unplaced_counts.csv"):  # as `python -m analysis data` derives them without those files
        derived = data / "derived" / name
        derived.write_text("".join(line for line in derived.read_text().splitlines(keepends=True)
                                   if not line.startswith(("testforce,2022-09,", "testforce,2021-08,"))))
    counts = data / "local" / "local_counts.csv"  # hate incidents end a month early
    counts.write_text("".join(line for line in counts.read_text().splitlines(keepends=True)
                              if not line.startswith("hate_incidents,") or ",2022-09," not in line))
    manifest = build_pack("2022-23 Q2", ["Testshire"], data, tmp_path / "out")
    page = (tmp_path / "out" / "2022-23-Q2" / "testshire.html").read_text(encoding="utf-8")
    assert manifest["months_missing"] == ["2022-09"]
    assert "Total recorded crime: not available (data lack 1 month(s) of 2022-23 Q2)" in page
    assert "significant fall" not in page
    gaps = ["The police.uk data lack Sep 2022 of 2022-23 Q2",
            "The police.uk data lack Aug 2021 of 2021-22 Q2: there is no comparison with last year",
            "Hate incidents reported (illustrative): the figures in local/local_counts.csv end in Aug 2022, before 2022-23 Q2 ends"]
    console = capsys.readouterr().err
    first_section = page[page.index('id="Key-messages"'):page.index('id="Exceptions-and-actions"')]
    methods = page[page.index('id="Appendix-3:-methods-and-data-quality"'):]
    for gap in gaps:
        assert f"warning: {gap}" in console and gap in first_section and gap in methods
    assert "is missing from the data" not in methods
    # the months the data have are still charted: Jul and Aug 2022 of the quarter, not Sep
    chart = page[page.index('<p class="chart-data-title">The numbers in Figure 1</p>'):]
    assert "<th scope=\"row\">Aug 2022</th><td>" in chart and "<th scope=\"row\">Sep 2022</th><td>no data" in chart


def test_areas_sharing_a_kernel_get_the_package_afresh(tmp_path, small_data_dir):
    """A cell that changes the package (here a sentence every report prints) changes it once per area,
    never cumulatively across the areas one kernel builds."""
    notebook = notebook_with(tmp_path, "from analysis import wording\nwording.SIGNIFICANCE_MEANING += ' Checked.'")
    build_pack("2022-23 Q2", ["Testshire", "Blaby", "Melton"], small_data_dir, tmp_path / "out", workers=1,
               notebook=notebook)
    for area in ("testshire", "blaby", "melton"):
        page = (tmp_path / "out" / "2022-23-Q2" / f"{area}.html").read_text(encoding="utf-8")
        assert "as not statistically significant. Checked.<" in page and "Checked. Checked." not in page


def test_a_notebook_showing_another_reports_figures_is_refused(tmp_path, small_data_dir):
    notebook = nbformat.read(paths.NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        cell.source = cell.source.replace("report.title_block()",
                                          "open_report(quarter, 'Blaby', data_dir, cache_dir).title_block()")
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook, path)
    manifest = build_pack("2022-23 Q2", ["Melton"], small_data_dir, tmp_path / "out", notebook=path)
    assert manifest["status"] == "failed" and "not those of the report computed for this build" in manifest["results"][0]["error"]


def test_a_worker_with_other_code_or_data_than_the_build_refuses_its_area(tmp_path, small_data_dir):
    from dataclasses import replace

    from analysis.build import AreaJob, build_area
    from analysis.dataset import load_dataset
    from analysis.fingerprint import code_hash, package_hash

    dataset = load_dataset(small_data_dir)
    (tmp_path / "staging").mkdir()
    job = AreaJob("2022-23 Q2", dataset.areas.find("Melton"), str(small_data_dir), str(tmp_path / "staging"),
                  str(paths.NOTEBOOK), 60, str(tmp_path / "cache"), code_hash(), package_hash(), dataset.input_hashes,
                  str(tmp_path / "commentary"), "")
    older = build_area(replace(job, package="the package as it was"))
    assert older["status"] == "failed" and "restart the workers" in older["error"]
    changed = build_area(replace(job, inputs={**job.inputs, "targets.yml": "a hash from before an edit"}))
    assert changed["status"] == "failed" and "targets.yml changed in" in changed["error"]
    assert build_area(job)["status"] == "built"


def _descendants(pid: int) -> set[int]:
    """Every living process below `pid`, from /proc (Linux)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _is_kernel(pid: int) -> bool:
    try:
        return b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_build_stopped_by_sigterm_leaves_no_worker_or_kernel_behind(tmp_path, small_data_dir):
    build = subprocess.Popen([sys.executable, "-m", "analysis", "build", "--quarter", "2022-23Q2", "--areas",
                              "Testshire", "Melton", "--data", str(small_data_dir), "--out", str(tmp_path / "out"),
                              "--workers", "2"], stderr=subprocess.PIPE, text=True)
    deadline, below = time.monotonic() + 120, set()
    while time.monotonic() < deadline and not any(_is_kernel(pid) for pid in below):  # until a kernel runs
        time.sleep(0.2)
        below = _descendants(build.pid)
    assert any(_is_kernel(pid) for pid in below), f"no kernel appeared: {build.stderr.read() if build.poll() else ''}"
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    time.sleep(3)  # a kernel notices its worker has gone within a second or two
    assert build.returncode == 130 and "Traceback" not in err
    assert "stopped before the end: nothing new published" in err
    assert not [pid for pid in below if Path(f"/proc/{pid}").exists()]
    assert not (tmp_path / "out" / "2022-23-Q2").exists()

"""Faults during a build: a clear failure per area, nothing published from a failed or interrupted run."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

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


@pytest.mark.parametrize("parameters, message", [
    ('quarter = "2022-23 Q2"\narea = "Testshire"', "no parameter named cache_dir, data_dir"),
    ('quarter = 2022\narea = "Testshire"\ndata_dir = "../data"\ncache_dir = "../outputs/.cache"',
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


def test_a_quarter_with_a_month_missing_is_built_as_not_available(tmp_path, small_data_dir):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    months = data / "derived" / "months.csv"
    months.write_text(months.read_text().replace("2022-09,testforce,2022-09-testforce-street.csv,2\n", ""))
    manifest = build_pack("2022-23 Q2", ["Testshire"], data, tmp_path / "out")
    page = (tmp_path / "out" / "2022-23-Q2" / "testshire.html").read_text(encoding="utf-8")
    assert manifest["months_missing"] == ["2022-09"]
    assert "Total recorded crime: not available (data lack 1 month(s) of 2022-23 Q2)" in page
    assert "significant fall" not in page

"""Scale-out: the per-area builds run on a Dask distributed cluster (a LocalCluster of worker processes)."""
import json

import pytest

from analysis.build import build_pack

pytestmark = pytest.mark.slow


def test_a_pack_builds_on_a_dask_cluster(tmp_path, small_data_dir):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        manifest = build_pack("2022-23 Q2", ["Testshire", "Melton"], small_data_dir, tmp_path / "out",
                              scheduler=cluster.scheduler_address)
    folder = tmp_path / "out" / "2022-23-Q2"
    assert manifest["status"] == "complete"
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "melton.html", "melton.ipynb", "melton.pdf",
                                                         "testshire.html", "testshire.ipynb", "testshire.pdf"]
    assert json.loads((folder / "manifest.json").read_text())["areas"] == ["Testshire", "Melton"]


def test_a_dead_scheduler_fails_within_seconds_in_one_line_and_publishes_nothing(tmp_path, small_data_dir, capsys):
    """Nothing listens on port 1: the build stops after the scheduler's wait (5 s), with one line
    naming the option, and nothing is published."""
    import subprocess
    import sys
    import time

    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "analysis", "build", "--quarter", "2022-23Q2", "--areas", "Melton",
                          "--data", str(small_data_dir), "--out", str(tmp_path / "out"),
                          "--scheduler", "tcp://127.0.0.1:1"], capture_output=True, text=True)
    assert run.returncode != 0 and time.perf_counter() - started < 60
    errors = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: --scheduler tcp://127.0.0.1:1: ")
    assert "Traceback" not in run.stderr and not (tmp_path / "out" / "2022-23-Q2").exists()

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

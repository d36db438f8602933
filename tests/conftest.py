"""Shared fixtures: a small prepared data directory made from the hand-made files in tests/data."""
import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.prepare import derive_tables, write_tables

TEST_DATA = Path(__file__).parent / "data"
SHARED_DATA = paths.SHARED_DATA_DIR
needs_shared_data = pytest.mark.skipif(
    not (SHARED_DATA / "police-uk").is_dir(),
    reason=f"raw public data not found beside the clone ({SHARED_DATA}); it is there in CI",
)


@pytest.fixture(scope="session")
def small_data_dir(tmp_path_factory) -> Path:
    """Testshire (Blaby and Melton): police.uk rows for 2021-07..09 and 2022-07..09 (tests/data/police-uk),
    hand-made local data (tests/data/local), youth-justice rates (tests/data/youth_justice.csv: the
    2021 re-offending figure suppressed) and targets (tests/data/targets.yml)."""
    data_dir = tmp_path_factory.mktemp("data")
    shutil.copy(TEST_DATA / "areas.yml", data_dir / paths.AREAS_FILE)
    shutil.copy(TEST_DATA / "targets.yml", data_dir / "targets.yml")
    shutil.copy(TEST_DATA / "report.yml", data_dir / "report.yml")
    shutil.copytree(TEST_DATA / "local", data_dir / "local")
    shutil.copy(paths.DATA_DIR / paths.MEASURES_FILE, data_dir / paths.MEASURES_FILE)
    tables = derive_tables([TEST_DATA / "police-uk"], TEST_DATA / "lookup.csv", TEST_DATA / "population.csv",
                           data_dir, age_estimates_path=None)
    write_tables(tables, data_dir)
    shutil.copy(TEST_DATA / "population_10_17.csv", data_dir / paths.YOUTH_POPULATION_FILE)
    shutil.copy(TEST_DATA / "youth_justice.csv", data_dir / paths.YOUTH_JUSTICE_FILE)
    return data_dir

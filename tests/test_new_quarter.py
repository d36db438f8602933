"""Adding months through the documented path (README, 'Each quarter'): a download folder in the raw
data folder, `python -m analysis data --raw`, then the build of the new quarter; and a `data` run
that would lose months says so and keeps them."""
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import paths, prepare
from analysis.__main__ import main
from tests.conftest import TEST_DATA

pytestmark = pytest.mark.slow


def download(raw: Path, name: str, months: list[str]) -> None:
    """A police.uk download: one folder of YYYY-MM-<force>-street.csv files under raw/police-uk."""
    folder = raw / "police-uk" / name
    folder.mkdir(parents=True)
    for month in months:
        shutil.copy(TEST_DATA / "police-uk" / month[:4] / f"{month}-testforce-street.csv", folder)


@pytest.fixture
def raw_and_data(tmp_path, small_data_dir):
    raw = tmp_path / "raw"
    (raw / "ons").mkdir(parents=True)
    shutil.copy(TEST_DATA / "lookup.csv", raw / prepare.LOOKUP_NAME)
    shutil.copy(TEST_DATA / "population.csv", raw / "ons" / "population.csv")  # a CSV release
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    return raw, data


def months_in(data: Path) -> list[str]:
    return sorted(pd.read_csv(data / paths.MONTHS_FILE, dtype=str)["month"])


def test_two_new_months_make_a_new_quarter_that_builds(raw_and_data, tmp_path, capsys):
    raw, data = raw_and_data
    download(raw, "2021-07_2022-07", ["2021-07", "2021-08", "2021-09", "2022-07"])
    assert main(["data", "--raw", str(raw), "--population", str(raw / "ons" / "population.csv"), "--data", str(data), "--drop-missing-months"]) == 0
    assert "latest complete quarter: 2021-22 Q2" in capsys.readouterr().out

    download(raw, "2022-08_2022-09", ["2022-08", "2022-09"])
    assert main(["data", "--raw", str(raw), "--population", str(raw / "ons" / "population.csv"), "--data", str(data)]) == 0
    said = capsys.readouterr().out
    assert f"{raw / 'police-uk' / '2022-08_2022-09'}: 2 month(s), Aug 2022-Sep 2022" in said
    assert "months now covered: Jul 2021-Sep 2021 and Jul 2022-Sep 2022" in said
    assert "gaps: Oct 2021-Jun 2022 (9 month(s))" in said
    assert "latest complete quarter: 2022-23 Q2" in said
    assert months_in(data) == ["2021-07", "2021-08", "2021-09", "2022-07", "2022-08", "2022-09"]

    out = tmp_path / "out"
    assert main(["build", "--data", str(data), "--out", str(out), "--areas", "Melton"]) == 0  # the latest quarter
    page = (out / "2022-23-Q2" / "melton.html").read_text(encoding="utf-8")
    assert "Safer Communities performance 2022-23 Q2: Melton" in page
    assert re.search(r"Total recorded crime: \d+ crimes? in 2022-23 Q2", page)


def test_a_data_run_that_would_drop_months_says_so_and_keeps_them(raw_and_data, capsys):
    raw, data = raw_and_data
    download(raw, "2022-08_2022-09", ["2022-08", "2022-09"])  # the other months' download has gone
    before = {name: (data / name).read_bytes() for name in prepare.MONTH_TABLES}
    assert main(["data", "--raw", str(raw), "--population", str(raw / "ons" / "population.csv"), "--data", str(data)]) == 0
    said = capsys.readouterr().out
    assert ("but not in the folders read: Jul 2021-Sep 2021 and Jul 2022; kept as derived before "
            "(`python -m analysis data --drop-missing-months` removes them)") in said
    assert f"unchanged {paths.CRIME_COUNTS_FILE}" in said
    assert {name: (data / name).read_bytes() for name in prepare.MONTH_TABLES} == before  # nothing lost

    assert main(["data", "--raw", str(raw), "--population", str(raw / "ons" / "population.csv"), "--data", str(data), "--drop-missing-months"]) == 0
    assert "dropped (--drop-missing-months)" in capsys.readouterr().out
    assert months_in(data) == ["2022-08", "2022-09"]


def test_a_raw_folder_without_downloads_is_refused_clearly(tmp_path, capsys):
    assert main(["data", "--raw", str(tmp_path), "--data", str(tmp_path / "data")]) == 2
    assert f"{tmp_path / 'police-uk'}: no folders of police.uk street-level files" in capsys.readouterr().err


def test_months_are_not_kept_where_they_would_mix_forces_or_boundaries(raw_and_data, capsys):
    raw, data = raw_and_data
    before = {name: (data / name).read_bytes() for name in prepare.MONTH_TABLES}
    other = raw / "police-uk" / "another-force"
    other.mkdir(parents=True)
    shutil.copy(TEST_DATA / "police-uk" / "2022" / "2022-08-testforce-street.csv", other / "2022-08-otherforce-street.csv")
    assert main(["data", "--raw", str(raw), "--population", str(raw / "ons" / "population.csv"), "--data", str(data)]) == 2
    assert "the derived months are of force(s) testforce, the folders read of otherforce" in capsys.readouterr().err

    shutil.rmtree(other)
    download(raw, "2022-08_2022-09", ["2022-08", "2022-09"])
    lookup = raw / prepare.LOOKUP_NAME
    rows = lookup.read_text().splitlines(keepends=True)
    lookup.write_text(rows[0] + "".join(rows[2:]))  # one LSOA fewer: the boundaries differ from the derived months'
    assert main(["data", "--raw", str(raw), "--population", str(raw / "ons" / "population.csv"), "--data", str(data)]) == 2
    assert "placed in districts with another LSOA lookup" in capsys.readouterr().err
    assert {name: (data / name).read_bytes() for name in prepare.MONTH_TABLES} == before  # nothing written

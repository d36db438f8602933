"""Ingest: hand-made files (tests/data/police-uk) with hand-counted expectations, then the real files."""
import csv
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis import paths
from analysis.ingest import IngestError, count_file, find_street_files, ingest, read_lookup
from analysis.prepare import DEFAULT_LOOKUP, DEFAULT_POLICE_UK, DEFAULT_ESTIMATES, DEFAULT_LAIT, derive_tables
from conftest import SHARED_DATA, TEST_DATA, needs_shared_data

HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
          "Crime type,Last outcome category,Context")


@pytest.fixture
def result():
    return ingest([TEST_DATA / "police-uk"], read_lookup(TEST_DATA / "lookup.csv"))


def count_of(table, **where):
    rows = table
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return int(rows["count"].sum())


def test_july_2022_is_counted_by_district_and_type(result):
    counts = result.crime_counts
    assert count_of(counts, month="2022-07", district_name="Blaby", crime_type="Burglary") == 3
    assert count_of(counts, month="2022-07", district_name="Blaby", crime_type="Anti-social behaviour") == 2
    assert count_of(counts, month="2022-07", district_name="Melton", crime_type="Vehicle crime") == 1
    assert count_of(counts, month="2022-07", district_name="Leicester", crime_type="Robbery") == 1


def test_rows_that_cannot_be_placed_are_counted_by_reason(result):
    unplaced = result.unplaced_counts
    assert count_of(unplaced, month="2022-07", reason="no LSOA code") == 1
    assert count_of(unplaced, month="2022-07", reason="LSOA not in lookup") == 1
    assert count_of(unplaced, month="2022-08") == 0


def test_every_row_is_accounted_for(result):
    assert result.crime_counts["count"].sum() + result.unplaced_counts["count"].sum() == result.months["rows"].sum()
    assert result.months["rows"].sum() == 3 * 3 + 9 + 2 + 2


def test_months_present_are_recorded(result):
    assert list(result.months["month"]) == ["2021-07", "2021-08", "2021-09", "2022-07", "2022-08", "2022-09"]
    assert set(result.months["force"]) == {"testforce"}


def write(folder: Path, name: str, lines: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_missing_header_column_names_file_and_column(tmp_path):
    path = write(tmp_path, "2022-07-testforce-street.csv",
                 [HEADER.replace("LSOA code", "LSOA"), "x,2022-07,a,a,,,,E01025625,n,Burglary,,"])
    with pytest.raises(IngestError, match=r"2022-07-testforce-street.csv.*'LSOA code'"):
        count_file(path)


def test_row_month_other_than_the_file_month_names_the_row(tmp_path):
    path = write(tmp_path, "2022-07-testforce-street.csv",
                 [HEADER, "x,2022-07,a,a,,,,E01025625,n,Burglary,,", "y,2022-13,a,a,,,,E01025625,n,Burglary,,"])
    with pytest.raises(IngestError, match=r"row 3: Month is '2022-13', expected 2022-07"):
        count_file(path)


def test_the_same_force_month_twice_is_refused(tmp_path):
    for folder in ("a", "b"):
        write(tmp_path / folder, "2022-07-testforce-street.csv", [HEADER])
    with pytest.raises(IngestError, match="also supplied by"):
        find_street_files([tmp_path / "a", tmp_path / "b"])


def test_a_folder_without_street_files_is_refused(tmp_path):
    with pytest.raises(IngestError, match="no YYYY-MM-<force>-street.csv files"):
        find_street_files([tmp_path])


@needs_shared_data
def test_committed_derived_data_matches_a_rebuild_from_the_raw_files():
    tables = derive_tables(DEFAULT_POLICE_UK, DEFAULT_LOOKUP, DEFAULT_ESTIMATES, paths.DATA_DIR, lait_path=DEFAULT_LAIT)
    for name, rebuilt in tables.items():
        committed = pd.read_csv(paths.DATA_DIR / name, dtype=str, keep_default_na=False)
        rebuilt = rebuilt.astype(str).reset_index(drop=True)
        pd.testing.assert_frame_equal(committed, rebuilt, check_dtype=False, obj=name)


@needs_shared_data
def test_county_quarter_agrees_with_a_direct_count_of_the_raw_rows():
    """2022-23 Q2 burglary and total crime in the county, counted row by row with the csv module."""
    from analysis.assess import assess
    from analysis.dataset import load_dataset
    from analysis.periods import Quarter

    lookup = {row["LSOA11CD"]: row["LAD15CD"] for row in csv.DictReader(open(DEFAULT_LOOKUP, encoding="utf-8"))}
    dataset = load_dataset(paths.DATA_DIR)
    districts = set(dataset.areas.county.district_codes)
    burglary = total = 0
    for month in ("2022-07", "2022-08", "2022-09"):
        path = SHARED_DATA / "police-uk" / "leicestershire-2019-12_2022-10" / f"{month}-leicestershire-street.csv"
        for row in csv.DictReader(open(path, encoding="utf-8")):
            if lookup.get(row["LSOA code"]) in districts:
                total += row["Crime type"] != "Anti-social behaviour"
                burglary += row["Crime type"] == "Burglary"
    result = {r.measure.id: r.value for r in assess(dataset, Quarter(2022, 2), dataset.areas.county).headline}
    assert (result["burglary"], result["total_crime"]) == (burglary, total)


@pytest.mark.parametrize("name, message", [
    ("2022-13-testforce-street.csv", "month 13 in the file name is not a month"),
    ("2022-00-testforce-street.csv", "month 00 in the file name is not a month"),
    ("2999-01-testforce-street.csv", "2999-01 in the file name is after this month"),
])
def test_a_file_named_for_an_impossible_or_future_month_is_refused(tmp_path, name, message):
    write(tmp_path, name, [HEADER])
    with pytest.raises(IngestError, match=f"{name}: {message}"):
        find_street_files([tmp_path])


def test_rows_of_a_second_force_in_a_file_are_refused_naming_the_row(tmp_path):
    path = write(tmp_path, "2022-07-testforce-street.csv",
                 [HEADER, "x,2022-07,Test Police,Test Police,,,,E01025625,n,Burglary,,",
                  "y,2022-07,Other Police,Other Police,,,,E01025625,n,Burglary,,"])
    with pytest.raises(IngestError, match=r"row 3: Falls within 'Other Police', while row 2 has 'Test Police'"):
        count_file(path)


def test_another_forces_file_under_this_forces_name_is_refused(tmp_path):
    """Derbyshire's rows saved as one month of Leicestershire's would count as Leicestershire's crimes."""
    for month in ("2022-07", "2022-08"):
        write(tmp_path, f"{month}-testforce-street.csv", [HEADER, f"x,{month},Test Police,Test Police,,,,E01025625,n,Burglary,,"])
    write(tmp_path, "2022-09-testforce-street.csv", [HEADER, "y,2022-09,Other Police,Other Police,,,,E01025625,n,Burglary,,"])
    lookup = read_lookup(TEST_DATA / "lookup.csv")
    for cache in (None, tmp_path / "cache", tmp_path / "cache"):  # counted afresh, then from the cache
        with pytest.raises(IngestError, match=r"2022-09-testforce-street.csv: its rows fall within 'Other Police', while "
                                              r"2 other testforce file\(s\) fall within 'Test Police' \(e.g. "
                                              r"2022-07-testforce-street.csv\)"):
            ingest([tmp_path], lookup, cache_dir=cache)


def test_a_crime_id_on_two_rows_is_counted_twice_as_police_uk_publishes_it(tmp_path):
    path = write(tmp_path, "2022-07-testforce-street.csv",
                 [HEADER, "x,2022-07,a,a,,,,E01025625,n,Burglary,,", "x,2022-07,a,a,,,,E01025626,n,Burglary,,"])
    counts, rows = count_file(path)
    assert rows == 2 and counts["count"].sum() == 2


def test_derived_tables_are_written_as_a_set_or_not_at_all(tmp_path, small_data_dir, monkeypatch):
    """A write that fails part-way (a full disk on the second file) leaves every old file as it was,
    and no temporary file behind."""
    import shutil

    from analysis.prepare import write_tables

    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    before = {path: path.read_bytes() for path in (data / "derived").glob("*.csv")}
    tables = {f"derived/{path.name}": pd.read_csv(path).head(1) for path in before}
    real, calls = Path.write_bytes, []

    def fail_second(self, content):
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, content)

    monkeypatch.setattr(Path, "write_bytes", fail_second)
    with pytest.raises(OSError, match="No space left"):
        write_tables(tables, data)
    monkeypatch.undo()
    assert {path: path.read_bytes() for path in (data / "derived").glob("*.csv")} == before
    assert not list((data / "derived").glob("*.tmp"))


def test_a_cached_ingest_counts_only_files_it_has_not_seen(tmp_path, monkeypatch):
    """Adding a month parses the new file alone; a file whose bytes changed, or whose cache entry is
    damaged, is counted again; the result is the same as counting every file afresh."""
    from analysis import ingest as ingest_module

    folder, cache = tmp_path / "police-uk", tmp_path / "cache"
    shutil.copytree(TEST_DATA / "police-uk", folder)
    new_month = folder / "2022" / "2022-09-testforce-street.csv"
    held_back = new_month.read_bytes()
    new_month.unlink()
    lookup = read_lookup(TEST_DATA / "lookup.csv")
    ingest([folder], lookup, cache_dir=cache)
    parsed = []
    real_count = ingest_module.count_file
    monkeypatch.setattr(ingest_module, "count_file", lambda path, raw=None: parsed.append(path.name) or real_count(path, raw))
    new_month.write_bytes(held_back)
    cached = ingest([folder], lookup, cache_dir=cache)
    assert parsed == ["2022-09-testforce-street.csv"]
    fresh = ingest([folder], lookup)
    for name in ("crime_counts", "unplaced_counts", "months"):
        pd.testing.assert_frame_equal(getattr(cached, name), getattr(fresh, name))

    parsed.clear()
    edited = folder / "2022" / "2022-08-testforce-street.csv"
    edited.write_bytes(edited.read_bytes().replace(b"Burglary", b"Robbery", 1))
    ingest([folder], lookup, cache_dir=cache)
    assert parsed == ["2022-08-testforce-street.csv"]

    parsed.clear()
    for entry in cache.glob("*.parquet"):
        entry.write_bytes(b"not parquet")  # damaged entries
    recounted = ingest([folder], lookup, cache_dir=cache)
    assert len(parsed) == 6
    pd.testing.assert_frame_equal(recounted.crime_counts, ingest([folder], lookup).crime_counts)

    shutil.rmtree(cache)
    ingest([folder], lookup, cache_dir=cache)
    parsed.clear()
    by_month = {pd.read_parquet(entry)["month"].iloc[0]: entry for entry in cache.glob("*.parquet")}
    by_month["2021-08"].write_bytes(by_month["2021-07"].read_bytes())  # another file's counts, swapped in
    swapped = ingest([folder], lookup, cache_dir=cache)
    assert parsed == ["2021-08-testforce-street.csv"]
    pd.testing.assert_frame_equal(swapped.crime_counts, recounted.crime_counts)

    parsed.clear()
    tampered = pq.read_table(by_month["2021-09"])
    pq.write_table(tampered.set_column(tampered.schema.get_field_index("count"), "count",
                                       pa.array([9] * tampered.num_rows, pa.int64())), by_month["2021-09"])
    again = ingest([folder], lookup, cache_dir=cache)  # counts that no longer add up to the file's rows
    assert parsed == ["2021-09-testforce-street.csv"]
    pd.testing.assert_frame_equal(again.crime_counts, recounted.crime_counts)

"""Any area from the national ONS lookups: `init`, then `data`, then `build`, as a new user runs them."""
import csv
import re

import pytest

from analysis import paths
from analysis.__main__ import main
from analysis.areas import load_areas
from conftest import SHARED_DATA, needs_shared_data

DERBYSHIRE_FOLDER = SHARED_DATA / "other-forces" / "derbyshire-2014-01_2014-11"
# The data README's facts about Derbyshire's force area, written out independently of the lookups.
DERBYSHIRE_DISTRICTS = {"E06000015": "Derby", "E07000032": "Amber Valley", "E07000033": "Bolsover",
                        "E07000034": "Chesterfield", "E07000035": "Derbyshire Dales", "E07000036": "Erewash",
                        "E07000037": "High Peak", "E07000038": "North East Derbyshire", "E07000039": "South Derbyshire"}


@needs_shared_data
def test_init_for_leicestershire_writes_the_bundled_area_set(tmp_path):
    assert main(["init", "--county", "leicestershire", "--data", str(tmp_path / "leics")]) == 0
    assert (tmp_path / "leics" / paths.AREAS_FILE).read_text() == (paths.DATA_DIR / paths.AREAS_FILE).read_text()


@needs_shared_data
@pytest.mark.parametrize("option, name, whole, parts", [
    ("--county", "Derbyshire", ("E10000007", "Derbyshire", "county"), [
        ("E07000032", "Amber Valley", ("E07000032",)), ("E07000033", "Bolsover", ("E07000033",)),
        ("E07000034", "Chesterfield", ("E07000034",)), ("E07000035", "Derbyshire Dales", ("E07000035",)),
        ("E07000036", "Erewash", ("E07000036",)), ("E07000037", "High Peak", ("E07000037",)),
        ("E07000038", "North East Derbyshire", ("E07000038",)), ("E07000039", "South Derbyshire", ("E07000039",))]),
    ("--police-force", "leicestershire", ("E23000021", "Leicestershire", "police force area"), [
        ("E22000164", "Blaby", ("E07000129",)), ("E22000165", "Charnwood", ("E07000130",)),
        ("E22000166", "Harborough", ("E07000131",)), ("E22000167", "Hinckley and Bosworth", ("E07000132",)),
        ("E22000168", "Leicester", ("E06000016",)), ("E22000169", "Melton", ("E07000133",)),
        ("E22000170", "North West Leicestershire", ("E07000134",)), ("E22000171", "Oadby and Wigston", ("E07000135",)),
        ("E22000172", "Rutland", ("E06000017",))]),
    ("--csp", "South Worcester", ("E22000332", "South Worcester", "partnership"), [
        ("E07000235", "Malvern Hills", ("E07000235",)), ("E07000237", "Worcester", ("E07000237",)),
        ("E07000238", "Wychavon", ("E07000238",))]),
])
def test_init_sets_up_a_county_a_force_area_or_a_partnership(option, name, whole, parts, tmp_path):
    data = tmp_path / "data"
    assert main(["init", option, name, "--data", str(data)]) == 0
    areas = load_areas(data)
    assert (areas.county.code, areas.county.name, areas.county.kind) == whole
    assert [(part.code, part.name, part.district_codes) for part in areas.districts] == parts
    assert sorted(path.name for path in (data / "local").iterdir()) == [
        "iom_cohorts.csv", "local_counts.csv", "local_proportions.csv", "sources.yml", "youth_reoffending.csv"]
    assert "Leicestershire" not in (data / "report.yml").read_text() + (data / "targets.yml").read_text() \
        or whole[1] == "Leicestershire"


@needs_shared_data
@pytest.mark.parametrize("argv, message", [
    (["--county", "Derbyshir"], "no county named 'Derbyshir'; closest: Derbyshire"),
    (["--county", "Leicester"], "Leicester is a council of one district, not a county with districts; use "
                                "--police-force 'Leicestershire', whose pack has it as a partnership"),  # a unitary
    (["--county", "Dorset"], "Dorset is a council of one district, not a county with districts; use --police-force "
                             "'Dorset'"),  # a county until 2019
    (["--police-force", "Thames"], "no police force area named 'Thames'; closest: Thames Valley"),
    (["--csp", "Nowhere at all"], "no Community Safety Partnership named 'Nowhere at all'"),
])
def test_init_refuses_an_unknown_name_with_the_closest(argv, message, tmp_path, capsys):
    assert main(["init", *argv, "--data", str(tmp_path / "data")]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and message in error, error
    assert not (tmp_path / "data").exists()


def test_init_never_writes_into_a_folder_in_use(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "notes.txt").write_text("mine")
    assert main(["init", "--county", "Derbyshire", "--data", str(tmp_path / "data")]) == 2
    assert "already exists and is not an empty folder" in capsys.readouterr().err
    assert [path.name for path in (tmp_path / "data").iterdir()] == ["notes.txt"]


def _rows(months: list[str]) -> list[dict]:
    rows = []
    for month in months:
        with open(DERBYSHIRE_FOLDER / f"{month}-derbyshire-street.csv", newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def _district_of_lsoa() -> dict[str, str]:
    with open(SHARED_DATA / "ons" / "lsoa11_ward15_lad15.csv", newline="", encoding="utf-8") as handle:
        return {row["LSOA11CD"]: row["LAD15CD"] for row in csv.DictReader(handle)}


@needs_shared_data
def test_a_derbyshire_pack_from_the_shared_files_through_the_three_commands(tmp_path, capsys):
    data, out = tmp_path / "derbyshire", tmp_path / "out"
    assert main(["init", "--police-force", "Derbyshire", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data), "--police-uk", str(DERBYSHIRE_FOLDER)]) == 0
    assert main(["build", "--data", str(data), "--quarter", "2014-15Q2", "--areas", "all", "--out", str(out)]) == 0
    capsys.readouterr()

    # An independent count of the quarter's rows with the csv module and the ONS lookup.
    # The force area's own figure is police.uk's force total: every crime row of its files, placed or not.
    rows, district_of = _rows(["2014-07", "2014-08", "2014-09"]), _district_of_lsoa()
    crimes = [row for row in rows if row["Crime type"] != "Anti-social behaviour"]
    derby_burglary = sum(1 for row in crimes if district_of.get(row["LSOA code"]) == "E06000015"
                         and row["Crime type"] == "Burglary")
    placed = sum(1 for row in rows if district_of.get(row["LSOA code"]) in DERBYSHIRE_DISTRICTS)

    pack = out / "2014-15-Q2"
    pages = {path.stem: path.read_text(encoding="utf-8") for path in pack.glob("*.html")}
    assert sorted(pages) == sorted(["derbyshire"] + [re.sub(r"[^a-z0-9]+", "-", name.lower())
                                                     for name in DERBYSHIRE_DISTRICTS.values()])
    assert f"Total recorded crime: {len(crimes):,} crimes in 2014-15 Q2" in pages["derbyshire"]
    assert (f"{len(rows):,} rows in derbyshire files, all in Derbyshire's total; {placed:,} in Derbyshire's "
            f"partnerships; {len(rows) - placed:,} in other districts") in pages["derbyshire"]
    assert f"Burglary: {derby_burglary:,} crimes in 2014-15 Q2" in pages["derby"]
    for name, page in pages.items():
        assert "Leicester" not in page, name  # no other force's board, contact, targets or words
        assert "county" not in page.lower().replace("counted", ""), name  # a force area of partnerships
    assert "Partnership report" in pages["derby"] and "Police force area report" in pages["derbyshire"]
    assert "community safety performance in Derby for 2014-15 Q2" in pages["derby"]  # {area} in the starter purpose
    assert "8 with figures but no comparison or target to judge them by (total recorded crime," in pages["derbyshire"]
    assert "This paper tests no change on an earlier period" in pages["derbyshire"]
    assert "Derbyshire's line is the rate of its rows placed in a partnership" in pages["derbyshire"]


@needs_shared_data
def test_data_refuses_another_forces_files_for_an_area_of_one_force(tmp_path, capsys):
    data = tmp_path / "derbyshire"
    assert main(["init", "--police-force", "Derbyshire", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data)]) == 2  # the default folders hold Leicestershire's files
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "2014-01-leicestershire-street.csv: a police.uk file of force 'leicestershire', while" in error
    assert "reports on Derbyshire, of force 'derbyshire'; pass --police-uk with the folders of derbyshire's downloads" in error
    assert not (data / "derived").exists()


def _leicestershire_rows(month: str) -> list[dict]:
    folder = SHARED_DATA / "police-uk" / "leicestershire-2019-12_2022-10"
    with open(next(folder.rglob(f"{month}-leicestershire-street.csv")), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _crimes_placed_nowhere(quarters: list[list[str]]) -> list[float]:
    """Per quarter, the share of crime rows (not anti-social behaviour) with no LSOA or an LSOA the
    ONS lookup lacks, counted row by row."""
    district_of = _district_of_lsoa()
    shares = []
    for months in quarters:
        crimes = [row for month in months for row in _leicestershire_rows(month)
                  if row["Crime type"] != "Anti-social behaviour"]
        shares.append(sum(1 for row in crimes if row["LSOA code"] not in district_of) / len(crimes))
    return shares


@needs_shared_data
def test_a_material_shift_in_records_placed_nowhere_is_said_per_measure_with_its_size():
    """Leicestershire's crime records without a location rose from 0.6% to 3.8% between Jul-Sep 2021
    and Jul-Sep 2022 (anti-social behaviour's did not): total crime's change on last year is about 3
    points lower for it."""
    from analysis import wording
    from analysis.dataset import load_dataset
    from analysis.periods import Quarter

    now, before = _crimes_placed_nowhere([["2022-07", "2022-08", "2022-09"], ["2021-07", "2021-08", "2021-09"]])
    dataset = load_dataset(paths.DATA_DIR)
    said = wording.placement_shift(dataset, Quarter.parse("2022-23 Q2"))
    assert said.startswith("More police.uk records had no location (so no district) in 2022-23 Q2 than in 2021-22 Q2, "
                           "so this quarter's counts are too low and their changes on last year about this many "
                           "percentage points lower than crime alone would make them: total recorded crime "
                           f"{100 * (now - before):.1f}, "), said
    assert said.endswith("anti-social behaviour incidents are not materially affected.")
    assert wording.placement_shift(dataset, Quarter.parse("2021-22 Q2")) == ""


@needs_shared_data
def test_a_force_area_counts_every_row_its_force_published_and_warns_its_partnerships(tmp_path):
    from analysis import wording
    from analysis.report import open_report

    data = tmp_path / "leicestershire-force"
    assert main(["init", "--police-force", "Leicestershire", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data)]) == 0  # both Leicestershire downloads in ../shared/data/police-uk
    report = open_report("2022-23 Q2", "Leicestershire", data, "")
    rows = [row for month in ("2022-07", "2022-08", "2022-09") for row in _leicestershire_rows(month)]
    crimes = sum(1 for row in rows if row["Crime type"] != "Anti-social behaviour")
    total = report.result("total_crime")
    assert total.numerator == crimes  # police.uk's force total: placed or not
    district_of = _district_of_lsoa()
    rutland = sum(1 for row in rows if district_of.get(row["LSOA code"]) == "E06000017"
                  and row["Crime type"] != "Anti-social behaviour")
    table = total.districts.set_index("area")
    assert table.loc["Rutland", "numerator"] == rutland
    assert table.loc["Leicestershire", "numerator"] == table.loc[~table["is_county"], "numerator"].sum() < crimes
    said = wording.placement_shift(report.dataset, report.assessment.quarter)
    assert said.startswith("More of Leicestershire's police.uk records were in none of its partnerships in 2022-23 Q2 "
                           "than in 2021-22 Q2, so the partnerships' counts are too low")
    assert said.endswith("Leicestershire's own totals count every record and are not affected.")


@needs_shared_data
@pytest.mark.parametrize("argv, message", [
    (["--csp", "Melton"], "Melton is a partnership of one district, Melton, so a pack of its own would hold one paper "
                          "twice; use --police-force 'Leicestershire'"),
])
def test_init_refuses_what_the_other_commands_would(argv, message, tmp_path, capsys):
    assert main(["init", *argv, "--data", str(tmp_path / "data")]) == 2
    assert message in capsys.readouterr().err and not (tmp_path / "data").exists()


@needs_shared_data
def test_a_force_named_as_one_of_its_partnerships_gets_a_name_of_its_own(tmp_path):
    assert main(["init", "--police-force", "Dorset", "--data", str(tmp_path / "dorset")]) == 0
    areas = load_areas(tmp_path / "dorset")
    assert areas.county.name == "Dorset police force area" and "Dorset" in [part.name for part in areas.districts]

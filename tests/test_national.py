"""Every force and partnership of England and Wales: councils merged in 2019-20, `init --national`,
and `data` and `build` on a national folder."""
import csv

import pandas as pd
import pytest

from analysis import geography, paths
from analysis.__main__ import main
from analysis.areas import AreaError, load_areas, national_packs
from conftest import SHARED_DATA, needs_shared_data

ONS = SHARED_DATA / "ons"
LOOKUP, PARTNERSHIPS, ESTIMATES = (ONS / "lsoa11_ward15_lad15.csv", ONS / "lad17_csp17_pfa17.csv",
                                   ONS / "ukmidyearestimates20192020ladcodes.xls")
DERBYSHIRE_FOLDER = SHARED_DATA / "other-forces" / "derbyshire-2014-01_2014-11"
STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
                 "LSOA name", "Crime type", "Last outcome category", "Context"]


def _estimates() -> pd.DataFrame:
    """Sheet MYE 5 as ONS published it, read here without the package."""
    return pd.read_excel(ESTIMATES, sheet_name="MYE 5", header=4, engine="calamine").dropna(subset=["Code"])


@needs_shared_data
def test_each_merged_council_replaces_districts_of_the_lookups_that_the_estimates_lack():
    estimates, lookup = _estimates(), pd.read_csv(PARTNERSHIPS, dtype=str)
    published = set(estimates["Code"])
    old = {code for _, olds in geography.MERGED.values() for code in olds}
    assert old == set(lookup["LAD17CD"]) - published  # exactly the lookups' districts without estimates
    for new, (name, olds) in geography.MERGED.items():
        assert new in published and new not in set(lookup["LAD17CD"])
        assert estimates.set_index("Code").loc[new, "Name"].strip() == name
        assert lookup.loc[lookup["LAD17CD"].isin(olds), "PFA17NM"].nunique() == 1  # each council is in one force area
    # a council listed under a county in the estimates replaced districts of that county's force area
    order = estimates[["Code", "Name", "Geography1"]].itertuples(index=False)
    county = {}
    current = None
    for code, name, kind in order:
        current = name if kind == "County" else current if kind == "Non-metropolitan District" else None
        county[code] = current
    assert {county[new] for new in ("E07000244", "E07000245")} == {"Suffolk"}
    assert county["E07000246"] == "Somerset"
    assert set(lookup.loc[lookup["LAD17CD"].isin(["E07000205", "E07000206", "E07000201", "E07000204"]), "PFA17NM"]) == {"Suffolk"}
    assert set(lookup.loc[lookup["LAD17CD"].isin(["E07000190", "E07000191"]), "LAD17NM"]) == {"Taunton Deane", "West Somerset"}


@needs_shared_data
def test_partnerships_of_today_keep_whole_ones_and_give_a_split_one_a_partnership_per_new_council():
    table = geography.partnerships_now(PARTNERSHIPS)
    by_force = {force: {name: sorted(rows["LAD17NM"]) for name, rows in group.groupby("CSP17NM")}
                for force, group in table.groupby("PFA17NM")}
    # Christchurch was in Dorset's partnership, and went with Bournemouth and Poole into one council
    assert by_force["Dorset"] == {"Bournemouth, Christchurch and Poole": ["Bournemouth, Christchurch and Poole"],
                                  "Dorset": ["Dorset"]}
    assert by_force["Suffolk"] == {"East Suffolk": ["East Suffolk"], "Ipswich": ["Ipswich"],
                                   "Western Suffolk": ["Babergh", "Mid Suffolk", "West Suffolk"]}
    assert by_force["Avon and Somerset"]["Somerset"] == ["Mendip", "Sedgemoor", "Somerset West and Taunton",
                                                         "South Somerset"]
    assert by_force["Thames Valley"]["Buckinghamshire"] == ["Buckinghamshire"]
    assert not {"Aylesbury Vale", "Chiltern", "South Bucks", "Wycombe", "Bournemouth", "Poole", "Suffolk Coastal",
                "Waveney"} & {name for parts in by_force.values() for name in parts}
    # 348 districts less 18 merged plus the 6 councils; 314 partnerships less the 9 split plus 4 councils'
    assert (len(table), table["CSP17CD"].nunique(), len(by_force)) == (336, 309, 43)
    assert set(table["LAD17CD"]) <= set(_estimates()["Code"])  # every district of today has its population


@needs_shared_data
def test_init_national_writes_a_pack_per_force_area_with_every_partnership(tmp_path, capsys):
    folder = tmp_path / "national"
    assert main(["init", "--national", "--data", str(folder)]) == 0
    said = capsys.readouterr().out
    assert "42 police force areas, each a pack in its own folder, with 308 partnerships in all" in said
    assert "left out: London, City of, a police force area of one partnership, the same place" in said
    packs = national_packs(folder)
    assert len(packs) == 42 and {"derbyshire", "metropolitan", "devon-and-cornwall", "north-wales"} <= {
        pack.name for pack in packs}
    assert "# Left out: London, City of, a police force area of one partnership" in (folder / paths.NATIONAL_FILE).read_text()
    areas = [area for pack in packs for area in load_areas(pack).all]
    assert len(areas) == 42 + 308 and len({area.slug for area in areas}) == len(areas)  # one commentary store serves all
    dorset = load_areas(folder / "dorset")
    assert (dorset.county.name, [part.name for part in dorset.districts]) == (
        "Dorset police force area", ["Bournemouth, Christchurch and Poole", "Dorset"])
    assert "# E06000058 Bournemouth, Christchurch and Poole: the LSOAs of E06000028, E06000029, E07000048" in (
        folder / "dorset" / paths.AREAS_FILE).read_text()
    assert "Leicestershire" not in (folder / "derbyshire" / paths.REPORT_FILE).read_text()
    with pytest.raises(AreaError, match="a national folder .* name one pack's folder"):
        load_areas(folder)


def _dorset_download(tmp_path, rows_by_district: dict[str, int]):
    """A police.uk folder of one month of Dorset's burglaries, so many in an LSOA of each district named."""
    lsoas = pd.read_csv(LOOKUP, dtype=str).drop_duplicates("LSOA11CD").set_index("LAD15NM")["LSOA11CD"]
    folder = tmp_path / "police-uk"
    (folder / "2019-12").mkdir(parents=True)
    with open(folder / "2019-12" / "2019-12-dorset-street.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(STREET_HEADER)
        for district, rows in rows_by_district.items():
            for number in range(rows):
                writer.writerow([f"{district}{number}", "2019-12", "Dorset Police", "Dorset Police", "-2.0", "50.7",
                                 "On or near X", lsoas[district].iloc[0], "", "Burglary", "Under investigation", ""])
    return folder


@needs_shared_data
def test_a_merged_councils_rows_and_residents_are_its_old_districts(tmp_path, capsys):
    """Rows in LSOAs of Christchurch, Poole and Purbeck (the lookup's districts of 2015) count in the
    councils that replaced them, whose population is the estimates' own."""
    raw = _dorset_download(tmp_path, {"Christchurch": 3, "Poole": 2, "Purbeck": 1})
    data = tmp_path / "dorset"
    assert main(["init", "--police-force", "Dorset", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data), "--police-uk", str(raw)]) == 0
    counts = pd.read_csv(data / paths.CRIME_COUNTS_FILE).groupby("district_name")["count"].sum().to_dict()
    assert counts == {"Bournemouth, Christchurch and Poole": 5, "Dorset": 1}
    population = pd.read_csv(data / paths.POPULATION_FILE, dtype={"area_code": str}).set_index(["area_code", "year"])
    published = _estimates().set_index("Code")
    for code in ("E06000058", "E06000059"):
        assert population.loc[(code, 2019), "population"] == published.loc[code, "Estimated Population mid-2019"]


@needs_shared_data
def test_an_area_set_naming_a_merged_district_is_told_its_new_council(tmp_path, capsys):
    data = tmp_path / "dorset"
    assert main(["init", "--police-force", "Dorset", "--data", str(data)]) == 0
    areas = data / paths.AREAS_FILE
    areas.write_text(areas.read_text().replace("{code: E06000059, name: Dorset}",
                                               "{code: E06000059, name: Dorset, districts: [E07000049, E07000053]}"))
    assert main(["data", "--data", str(data), "--police-uk", str(_dorset_download(tmp_path, {"Purbeck": 1}))]) == 2
    error = capsys.readouterr().err
    assert "no population rows for district(s) E07000049, E07000053, merged in 2019-20 into E06000059 Dorset" in error
    assert "list the new council's code in areas.yml" in error


@needs_shared_data
@pytest.mark.parametrize("name, message", [
    ("Suffolk Coastal", "Suffolk Coastal's district(s) merged in 2019-20 with another partnership's, into East Suffolk"),
    ("Wycombe", "into Buckinghamshire, whose population ONS publishes whole; use --police-force 'Thames Valley'"),
])
def test_init_of_a_partnership_since_merged_says_into_what(name, message, tmp_path, capsys):
    assert main(["init", "--csp", name, "--data", str(tmp_path / "data")]) == 2
    assert message in capsys.readouterr().err


@needs_shared_data
def test_a_national_folder_derives_each_pack_from_its_own_forces_files_and_builds_the_forces_named(tmp_path, capsys):
    folder, out = tmp_path / "national", tmp_path / "out"
    assert main(["init", "--national", "--data", str(folder)]) == 0
    leicestershire = sorted((SHARED_DATA / "police-uk").iterdir())
    assert main(["data", "--data", str(folder), "--police-uk", str(DERBYSHIRE_FOLDER), *map(str, leicestershire)]) == 0
    said = capsys.readouterr().out
    assert "pack 1 of 2: derbyshire" in said and "pack 2 of 2: leicestershire" in said
    assert ("not derived this time, no police.uk files of their force in the folders read (any data derived before "
            "is kept): 40 of the 42 packs") in said
    assert not (folder / "dorset" / "derived").exists()
    assert main(["commentary", "--data", str(folder)]) == 2  # a national folder is not a pack
    assert f"name one pack's folder, e.g. {folder / 'derbyshire'}" in capsys.readouterr().err
    assert main(["illustrative", "--data", str(folder)]) == 0  # fills the packs with data, says which it did not
    said = capsys.readouterr().out
    assert "not filled, with no derived population yet (`python -m analysis data` first): avon-and-somerset," in said
    assert f"wrote {folder / 'derbyshire' / 'local' / 'local_counts.csv'}" in said and "dorset/local" not in said

    # Derby's burglaries in 2014-15 Q2, counted row by row with the csv module and the ONS lookup
    derby_lsoas = set(pd.read_csv(LOOKUP, dtype=str).query("LAD15CD == 'E06000015'")["LSOA11CD"])
    burglaries = 0
    for month in ("2014-07", "2014-08", "2014-09"):
        with open(next(DERBYSHIRE_FOLDER.rglob(f"{month}-derbyshire-street.csv")), newline="", encoding="utf-8") as handle:
            burglaries += sum(1 for row in csv.DictReader(handle)
                              if row["LSOA code"] in derby_lsoas and row["Crime type"] == "Burglary")

    assert main(["build", "--data", str(folder), "--quarter", "2014-15Q2", "--out", str(out)]) == 2
    assert "no derived police.uk data for 40 of the 42 packs to build" in capsys.readouterr().err
    assert main(["build", "--data", str(folder), "--forces", "Merseyside", "--out", str(out)]) == 2
    assert "no derived police.uk data for 1 of the 1 packs to build (merseyside)" in capsys.readouterr().err
    assert main(["build", "--data", str(folder), "--forces", "derbyshire", "leicestershire", "--out", str(out)]) == 2
    assert ("the packs' latest complete quarters differ (derbyshire 2014-15 Q2, leicestershire 2022-23 Q2); name the "
            "quarter to build with --quarter") in capsys.readouterr().err
    assert main(["build", "--data", str(folder), "--forces", "derbyshire", "leicestershire", "--quarter", "2022-23Q2",
                 "--out", str(out)]) == 2
    assert "no police.uk data for 2022-23 Q2 in 1 of the 2 packs to build (derbyshire)" in capsys.readouterr().err
    assert main(["build", "--data", str(folder), "--forces", "Derbyshire", "--areas", "Leicester", "--out", str(out)]) == 2
    assert "unknown area 'Leicester': no pack of" in capsys.readouterr().err
    assert main(["build", "--data", str(folder), "--forces", "Derbyshire", "--forces", "Leicestershire", "--areas",
                 "Derby", "--out", str(out)]) == 2  # a repeated option adds to the first
    assert "--forces leicestershire: none of the --areas named is in its pack" in capsys.readouterr().err
    assert main(["build", "--data", str(folder), "--forces", "derbyshire", "--areas", "Derby", "--quarter", "2014-15Q2",
                 "--out", str(out)]) == 0
    assert "pack 1 of 1: Derbyshire (derbyshire)" in capsys.readouterr().err
    page = (out / "derbyshire" / "2014-15-Q2" / "derby.html").read_text(encoding="utf-8")
    assert f"Burglary: {burglaries:,} crimes in 2014-15 Q2" in page and "Leicester" not in page
    assert "Derby Community Safety Partnership board" in page  # its own board, not the force area's
    assert "Hate incidents reported (illustrative)" in page  # filled by `illustrative` above
    assert sorted(path.name for path in (out / "derbyshire" / "2014-15-Q2").iterdir()) == [
        "derby.html", "derby.ipynb", "derby.pdf", "manifest.json"]


@needs_shared_data
def test_forces_is_refused_for_the_data_directory_of_one_pack(capsys):
    assert main(["build", "--forces", "Derbyshire"]) == 2
    assert "--forces: " in capsys.readouterr().err


@needs_shared_data
def test_a_name_with_a_comma_is_kept_whole(tmp_path):
    assert main(["init", "--police-force", "Avon and Somerset", "--data", str(tmp_path / "avon")]) == 0
    assert "Bristol, City of" in [part.name for part in load_areas(tmp_path / "avon").districts]


@needs_shared_data
def test_a_force_areas_starter_sends_each_partnerships_paper_to_its_own_board(tmp_path):
    from analysis.report_config import load_report_config

    assert main(["init", "--police-force", "Avon and Somerset", "--data", str(tmp_path / "avon")]) == 0
    config = load_report_config(tmp_path / "avon")
    assert config.board == "Avon and Somerset community safety board"
    assert config.for_area("Bristol, City of").board == "Bristol, City of Community Safety Partnership board"
    assert config.for_area("Somerset").board == "Somerset Community Safety Partnership board"


@needs_shared_data
def test_a_pack_without_local_data_says_none_was_supplied_and_that_nothing_could_be_judged(tmp_path):
    from analysis.report import open_report

    data = tmp_path / "derbyshire"
    assert main(["init", "--police-force", "Derbyshire", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data), "--police-uk", str(DERBYSHIRE_FOLDER)]) == 0
    report = open_report("2014-15 Q2", "Derby", data, "")
    assert report.result("hate_incidents").unavailable == "no local data supplied yet: local/local_counts.csv has no rows"
    # 2014's files have no 2013 to compare with: no reassurance that nothing is off track
    assert report.exceptions().note == ("No measure is an exception: none has a target, an earlier period to compare "
                                        "with or an SPC chart this quarter.")


@needs_shared_data
def test_a_force_area_of_one_partnership_is_refused_as_one_place_twice(tmp_path, capsys):
    assert main(["init", "--police-force", "London, City of", "--data", str(tmp_path / "city")]) == 2
    assert "London, City of is a police force area of one partnership, City of London, the same place" in \
        capsys.readouterr().err


@needs_shared_data
@pytest.mark.parametrize("edit, message", [
    (lambda text: text.replace("- derbyshire\n", "- derbyshire\n- derbyshire\n"), "derbyshire listed twice"),
    (lambda text: text.replace("- derbyshire\n", "- derbyshire\n- ../x\n"), "expected packs: [folder, ...]"),
])
def test_a_hand_edited_national_list_is_refused(edit, message, tmp_path, capsys):
    folder = tmp_path / "national"
    assert main(["init", "--national", "--data", str(folder)]) == 0
    listing = folder / paths.NATIONAL_FILE
    listing.write_text(edit(listing.read_text()))
    assert main(["data", "--data", str(folder), "--police-uk", str(DERBYSHIRE_FOLDER)]) == 2
    assert message in capsys.readouterr().err and not (folder / "derbyshire" / "derived").exists()


@needs_shared_data
def test_a_pack_of_another_force_than_its_folder_is_refused(tmp_path, capsys):
    folder = tmp_path / "national"
    assert main(["init", "--national", "--data", str(folder)]) == 0
    (folder / "dorset" / paths.AREAS_FILE).write_text((folder / "suffolk" / paths.AREAS_FILE).read_text())
    assert main(["data", "--data", str(folder), "--police-uk", str(DERBYSHIRE_FOLDER)]) == 2
    assert "dorset/areas.yml: force is 'suffolk', expected 'dorset'" in capsys.readouterr().err


@needs_shared_data
def test_a_national_data_run_with_no_files_of_any_pack_fails(tmp_path, capsys):
    folder, raw = tmp_path / "national", tmp_path / "raw" / "2019-12"
    assert main(["init", "--national", "--data", str(folder)]) == 0
    raw.mkdir(parents=True)
    (raw / "2019-12-btp-street.csv").write_text(",".join(STREET_HEADER) + "\n")
    assert main(["data", "--data", str(folder), "--police-uk", str(raw.parent)]) == 2
    assert "no police.uk files of any pack's force in" in capsys.readouterr().err


@needs_shared_data
def test_init_leaves_a_folder_it_did_not_write_beside_its_own(tmp_path):
    theirs = tmp_path / ".data.init"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    assert main(["init", "--national", "--data", str(tmp_path / "data")]) == 0
    assert (theirs / "notes.txt").read_text() == "mine"
    assert sorted(path.name for path in tmp_path.iterdir()) == [".data.init", "data"]


def test_clean_cleans_each_pack_of_a_national_build_and_keeps_what_it_did_not_write(tmp_path):
    import json

    out = tmp_path / "outputs"
    for pack, slug in (("derbyshire", "derby"), ("dorset", "dorset")):
        quarter = out / pack / "2014-15-Q2"
        quarter.mkdir(parents=True)
        (out / pack / ".build.lock").write_text("")
        (quarter / "manifest.json").write_text(json.dumps({"results": [{"slug": slug}]}))
        for suffix in (".ipynb", ".html", ".pdf"):
            (quarter / f"{slug}{suffix}").write_text("built")
    (out / "derbyshire" / "2014-15-Q2" / "notes.txt").write_text("mine")
    assert main(["clean", "--out", str(out)]) == 0
    assert sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()) == [
        ".build.lock", "derbyshire/.build.lock", "derbyshire/2014-15-Q2/notes.txt", "dorset/.build.lock"]


@needs_shared_data
def test_illustrative_never_writes_over_real_local_figures(tmp_path, capsys):
    data = tmp_path / "derbyshire"
    assert main(["init", "--police-force", "Derbyshire", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data), "--police-uk", str(DERBYSHIRE_FOLDER)]) == 0
    counts = data / "local" / "local_counts.csv"
    counts.write_text(counts.read_text() + "hate_incidents,E06000015,2014-07,999,no\n")  # the board's own figure
    capsys.readouterr()
    assert main(["illustrative", "--data", str(data)]) == 2
    assert "local_counts.csv: real local figures (not marked illustrative in local/sources.yml)" in capsys.readouterr().err
    assert counts.read_text().endswith("hate_incidents,E06000015,2014-07,999,no\n")
    assert not (data / "local" / "local_proportions.csv").read_text().strip().count("\n")  # nothing else written


@needs_shared_data
def test_a_force_areas_local_figures_are_the_sum_of_its_partnerships(tmp_path):
    from analysis.report import open_report

    data = tmp_path / "derbyshire"
    assert main(["init", "--police-force", "Derbyshire", "--data", str(data)]) == 0
    assert main(["data", "--data", str(data), "--police-uk", str(DERBYSHIRE_FOLDER)]) == 0
    assert main(["illustrative", "--data", str(data)]) == 0
    partnerships = {part.code for part in load_areas(data).districts}
    with open(data / "local" / "local_counts.csv", newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["measure_id"] == "hate_incidents"
                and row["month"] in ("2014-07", "2014-08", "2014-09")]
    assert {row["area_code"] for row in rows} == partnerships  # the sample has rows for each partnership only
    result = open_report("2014-15 Q2", "Derbyshire", data, "").result("hate_incidents")
    assert result.numerator == sum(int(row["count"]) for row in rows) and result.unavailable is None

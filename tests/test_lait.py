"""DfE LAIT's youth-justice rates: read as published, quirks and all, matched to the pack's areas,
and reported as real figures beside the region's."""
import pandas as pd
import pytest

from analysis import lait, paths, wording
from analysis.areas import load_areas
from analysis.assess import assess
from analysis.dataset import load_dataset
from analysis.ingest import IngestError
from analysis.periods import Quarter
from analysis.prepare import DEFAULT_ESTIMATES, areas_by_authority
from analysis.present import illustrative_notice
from tests.conftest import needs_shared_data

LAIT_FILE = paths.SHARED_DATA_DIR / lait.LAIT_NAME
NAMES = {"Leicestershire": "E10000018", "Camden": "E09000007", "County Durham": "E06000047", "Leeds": "E08000035"}


def long_table(tmp_path, rows, other_measure="-"):
    """A LAIT long table of the given (Short Desc, Years, LA and Regions, Values, Region) rows, as
    DfE publishes it (text values, a float LA number, Data item on the first row only); each
    authority's year of one measure gets a row of the other valued `other_measure` (None: none)."""
    others = {("ReoffYO" if row[0] == "FirstYJS" else "FirstYJS", *row[1:3]): row for row in rows if row[0] in lait.MEASURES}
    rows = rows + ([] if other_measure is None else [
        (measure, year, name, other_measure, row[4]) for (measure, year, name), row in others.items()
        if (measure, year, name) not in {tuple(r[:3]) for r in rows}])
    table = pd.DataFrame(rows, columns=["Short Desc", "Years", "LA and Regions", "Values", "Region"])
    table.insert(1, "Data item", ["First Time entrants"] + [None] * (len(rows) - 1))
    table["LA Number"] = 855.0
    path = tmp_path / "bds_long_0.parquet"
    table.to_parquet(path)
    return path


def test_float_artefacts_suppression_and_region_names_are_read_as_lait_shows_them(tmp_path):
    path = long_table(tmp_path, [
        ("ReoffYO", "2021", "Leicestershire", "39.130000000000003", "East Midlands"),
        ("ReoffYO", "2021", "East Midlands", "22.82", "NA"),
        ("ReoffYO", "2022", "Leicestershire", "-", "East Midlands"),
        ("ReoffYO", "2022", "East Midlands", "21.94", "NA"),
        ("FirstYJS", "2021", "Camden", "250", "Inner London"),  # compared with London: inner London is '-'
        ("FirstYJS", "2021", "London (Inner)", "-", "NA"),
        ("FirstYJS", "2021", "London", "188", "NA"),
        ("FirstYJS", "2021", "Durham", "180", "North East"),  # ONS: County Durham
        ("FirstYJS", "2021", "North East", "200", "NA"),
        ("FirstYJS", "2021", "Leeds", "190", "Yorkshire and The Humber"),  # the region's row: 'the Humber'
        ("FirstYJS", "2021", "Yorkshire and the Humber", "170", "NA"),
        ("FirstYJS", "2021", "England", "1333", "NA"),  # the sum of regional rates: never used
        ("LAC_Convictions", "2021", "Leicestershire", "3", "East Midlands"),  # not a measure reported
    ])
    table = lait.youth_justice(path, NAMES, {code: (f"area {code}", f"{name} area") for name, code in NAMES.items()})
    rows = {(r.lait_measure, r.area_name.removesuffix(" area"), r.year): (r.value, r.region, r.region_value)
            for r in table.itertuples()}
    assert set(table.loc[table["value"] == "", "note"]) == {lait.NOT_PUBLISHED}
    assert {key: value for key, value in rows.items() if key[0] == "ReoffYO" or key[1] != "Leicestershire"} == {
        ("ReoffYO", "Leicestershire", 2021): ("39.13", "East Midlands", "22.82"),
        ("ReoffYO", "Leicestershire", 2022): ("", "East Midlands", "21.94"),
        ("FirstYJS", "Camden", 2021): ("250", "London", "188"),
        ("FirstYJS", "County Durham", 2021): ("180", "North East", "200"),  # the pack's name for it
        ("FirstYJS", "Leeds", 2021): ("190", "Yorkshire and The Humber", "170"),
        **{("ReoffYO", name, 2021): ("", region, "") for name, region in (  # the other measure's rows, '-'
            ("Camden", "London"), ("County Durham", "North East"), ("Leeds", "Yorkshire and The Humber"))},
    }
    assert set(table["area_code"]) == {"area E10000018", "area E09000007", "area E06000047", "area E08000035"}


def test_only_the_packs_authorities_are_kept(tmp_path):
    path = long_table(tmp_path, [("FirstYJS", "2021", "Leicestershire", "108", "East Midlands"),
                                 ("FirstYJS", "2021", "Camden", "250", "Inner London"),
                                 ("FirstYJS", "2021", "East Midlands", "158", "NA"),
                                 ("FirstYJS", "2021", "London (Inner)", "300", "NA")])
    table = lait.youth_justice(path, NAMES, {"E10000018": ("E10000018", "Leicestershire")})
    assert set(table["area_name"]) == {"Leicestershire"}


def test_an_abolished_councils_part_year_and_later_years_are_not_used(tmp_path):
    """Northamptonshire was abolished in April 2021: LAIT's 2021 figure is for part of the year."""
    path = long_table(tmp_path, [("FirstYJS", year, "Northamptonshire", value, "East Midlands") for year, value
                                 in (("2020", "208"), ("2021", "43"))] +
                      [("FirstYJS", year, "East Midlands", "160", "NA") for year in ("2020", "2021")])
    table = lait.youth_justice(path, {"Northamptonshire": "E10000021"}, {"E10000021": ("E10000021", "Northamptonshire")})
    first = table[table["lait_measure"] == "FirstYJS"]
    assert list(first["value"]) == ["208", ""]
    assert first["note"].iloc[1].startswith("not used: Northamptonshire was abolished in April 2021")


def test_a_year_without_its_regions_row_has_no_region_figure(tmp_path):
    path = long_table(tmp_path, [("FirstYJS", "2021", "Leicestershire", "108", "East Midlands"),
                                 ("ReoffYO", "2021", "Leicestershire", "-0", "East Midlands")])
    table = lait.youth_justice(path, NAMES, {"E10000018": ("E10000018", "Leicestershire")})
    assert list(table["region_value"]) == ["", ""] and list(table["value"]) == ["108", "0"]  # never '-0'


def test_a_published_percentage_rounds_as_its_decimals_read():
    from analysis.assess import Result
    from analysis.measures import load_measures

    measure = next(m for m in load_measures(paths.DATA_DIR) if m.id == "youth_reoffending_published")
    result = Result(measure, "calendar_year", "calendar year 2021", "calendar year 2020", 55.55, None, None, None, None,
                    None, None, None, "", False, None)
    assert wording.value_text(result) == "55.6%"  # 55.55 is 55.549999... in binary


@pytest.mark.parametrize("rows, message", [
    ([("FirstYJS", "2021", "East Midlands", "158", "NA")] * 2, "FirstYJS for the region East Midlands in 2021 is given twice"),
    ([("FirstYJS", "02021", "Leicestershire", "108", "East Midlands")], "Years is '02021' in a row of FirstYJS"),
    ([("FirstYJS", "\u00b2", "Leicestershire", "108", "East Midlands")], "Years is '\u00b2' in a row of FirstYJS"),
    ([("FirstYJS", "2021", "Leicestershire", "108", "Narnia")], "Leicestershire's region is 'Narnia'; expected one of"),
    ([("FirstYJS", "2021", "East Midlands", "158", "NA"), ("FirstYJS", "2021", "EAST MIDLANDS", "55", "NA")],
     "FirstYJS for the region EAST MIDLANDS in 2021 is given twice"),
    ([("FirstYJS", None, "Leicestershire", "108", "East Midlands")], "Years is '' in a row of FirstYJS"),
    ([("FirstYJS", "2030", "Leicestershire", "108", "East Midlands")], "Years is '2030' in a row of FirstYJS"),
    ([("FirstYJS", "2021", "Leicestershire", "108", None)], "a row of FirstYJS for 2021 has no authority or region"),
])
def test_a_long_table_that_could_mislead_is_refused_in_one_line(tmp_path, rows, message):
    with pytest.raises(IngestError, match=message.replace("(", r"\(")):
        lait.youth_justice(long_table(tmp_path, rows), NAMES, {"E10000018": ("E10000018", "Leicestershire")})


def test_a_council_of_the_pack_without_a_measure_is_refused_not_called_no_council(tmp_path):
    path = long_table(tmp_path, [("ReoffYO", "2021", "Leicestershire", "39.13", "East Midlands")], other_measure=None)
    with pytest.raises(IngestError, match=r"no FirstYJS rows for Leicestershire \(E10000018\), a council of the pack"):
        lait.youth_justice(path, NAMES, {"E10000018": ("E10000018", "Leicestershire")})


@pytest.mark.parametrize("value", ["abc", "-5", "100001", ""])
def test_a_value_lait_could_not_publish_is_refused_naming_it(tmp_path, value):
    path = long_table(tmp_path, [("FirstYJS", "2021", "Leicestershire", value, "East Midlands"),
                                 ("FirstYJS", "2021", "East Midlands", "158", "NA")])
    with pytest.raises(IngestError, match=f"FirstYJS for Leicestershire in '2021' is '{value}'; expected a number from "
                                          f"0 to 100,000, or '-' where suppressed"):
        lait.youth_justice(path, NAMES, {"E10000018": ("E10000018", "Leicestershire")})


def test_a_file_that_is_not_the_long_table_is_one_line(tmp_path):
    path = tmp_path / "bds_long_0.parquet"
    path.write_text("not parquet")
    with pytest.raises(IngestError, match="bds_long_0.parquet: cannot read DfE LAIT's long table"):
        lait.youth_justice(path, NAMES, {})


@needs_shared_data
def test_leicestershire_rates_are_those_lait_publishes():
    """The values of the shared data's README (taken from LAIT's own table), read from the parquet."""
    table = lait.youth_justice(LAIT_FILE, {"Leicestershire": "E10000018"}, {"E10000018": ("E10000018", "Leicestershire")})
    first = table[table["lait_measure"] == "FirstYJS"]
    assert list(first["year"]) == list(range(2016, 2025))
    assert list(first["value"]) == ["172", "190", "179", "150", "123", "108", "111", "102", "75"]
    assert list(first["region_value"]) == ["307", "281", "241", "206", "164", "158", "172", "136", "98"]
    reoffending = table[table["lait_measure"] == "ReoffYO"].set_index("year")
    assert reoffending.at[2021, "value"] == "39.13" and reoffending.at[2024, "value"] == ""  # published '-'
    assert set(table["region"]) == {"East Midlands"}


@needs_shared_data
def test_a_force_area_is_no_authority_but_its_unitary_partnership_is(tmp_path):
    """Derbyshire's force area (E23000018) is not the county of that name: only Derby, a partnership of
    one unitary authority, has LAIT figures (470 first time entrants per 100,000 in 2016)."""
    from analysis.geography import authorities, counties as counties_of
    from analysis.new_area import init_area

    init_area(tmp_path / "derbyshire", paths.SHARED_DATA_DIR, police_force="Derbyshire")
    areas = load_areas(tmp_path / "derbyshire")
    names = authorities(DEFAULT_ESTIMATES)
    counties = {code: {d for d, _ in districts} for code, (_, _, districts) in counties_of(DEFAULT_ESTIMATES).items()}
    found = areas_by_authority(areas, set(names.values()), counties)
    assert found == {"E06000015": (areas.find("Derby").code, "Derby")}
    table = lait.youth_justice(LAIT_FILE, names, found)
    derby = table[(table["lait_measure"] == "FirstYJS") & (table["year"] == 2016)]
    assert list(derby["area_name"]) == ["Derby"] and list(derby["value"]) == ["470"]


@pytest.fixture(scope="module")
def dataset(small_data_dir):
    return load_dataset(small_data_dir)


@needs_shared_data
def test_a_force_area_of_exactly_a_countys_districts_is_that_county(tmp_path):
    """Cumbria's police force area has exactly Cumbria County Council's districts, so LAIT's figures
    for the council are the force area's; the derived file they make is one a build reads."""
    from analysis.geography import authorities, counties as counties_of
    from analysis.new_area import init_area

    init_area(tmp_path / "cumbria", paths.SHARED_DATA_DIR, police_force="Cumbria")
    areas = load_areas(tmp_path / "cumbria")
    counties = {code: {d for d, _ in districts} for code, (_, _, districts) in counties_of(DEFAULT_ESTIMATES).items()}
    found = areas_by_authority(areas, set(authorities(DEFAULT_ESTIMATES).values()), counties)
    assert found == {"E10000006": (areas.county.code, "Cumbria")}
    table = lait.youth_justice(LAIT_FILE, authorities(DEFAULT_ESTIMATES), found)
    checked = lait.checked(tmp_path / "youth_justice.csv", table,
                           {area.code for area in areas.all if lait.could_be_council(area.code, area.district_codes)})
    assert set(checked["area_code"]) == {areas.county.code}


def results(dataset, area, quarter=Quarter(2022, 2)):
    return {r.measure.id: r for r in assess(dataset, quarter, dataset.areas.find(area)).results}


def test_the_paper_shows_the_year_ended_before_its_financial_year(dataset):
    # tests/data/youth_justice.csv: Testshire 108 in 2021 and 120 in 2020; the region 158
    first = results(dataset, "Testshire")["first_time_entrants_published"]
    assert (first.period_label, first.value, first.change.previous, first.region) == \
        ("calendar year 2021", 108, 120, ("East Midlands", 158))
    assert not first.change.tested and first.status.key == "no_target"
    earlier = results(dataset, "Testshire", Quarter(2021, 1))["first_time_entrants_published"]
    assert earlier.period_label == "calendar year 2020" and earlier.value == 120


def test_a_suppressed_figure_is_not_available_and_says_why(dataset):
    reoffending = results(dataset, "Testshire")["youth_reoffending_published"]
    assert reoffending.value is None
    assert reoffending.unavailable == f"the 2021 figure for Testshire is {lait.NOT_PUBLISHED}"


def test_a_year_not_yet_published_is_not_available_not_an_earlier_year(dataset):
    gap = load_dataset(dataset.data_dir)
    gap.youth_justice = gap.youth_justice[gap.youth_justice["year"] != 2020]
    assert results(gap, "Testshire", Quarter(2021, 1))["first_time_entrants_published"].unavailable == \
        "LAIT has no 2020 figure for Testshire"
    later = results(dataset, "Testshire", Quarter(2024, 1))["first_time_entrants_published"]
    assert later.value is None and later.unavailable == "LAIT has no 2023 figure yet (its latest year is 2021)"
    earlier = results(dataset, "Testshire", Quarter(2019, 1))["first_time_entrants_published"]  # shows 2018
    assert earlier.value is None and earlier.unavailable == "LAIT's figures start in 2019"


def test_a_district_has_no_published_rate_and_is_pointed_to_the_whole(dataset):
    melton = results(dataset, "Melton")["first_time_entrants_published"]
    assert melton.value is None and melton.county_wide_only
    assert melton.unavailable == "reported for Testshire as a whole only, not by district"


def test_the_illustrative_notice_names_local_measures_and_never_the_published_rates(dataset):
    assessment = assess(dataset, Quarter(2022, 2), dataset.areas.county)
    illustrative, real = illustrative_notice(dataset, assessment).split(" are a sample generated by the project")
    assert "the figures for first time entrants to the youth justice system, domestic abuse incidents" in illustrative
    assert "published rate" not in illustrative
    # the 2021 re-offending figure is suppressed: only the first time entrants' figure is shown as real
    assert real.endswith("are real police.uk data, and the YJB published rates official figures.")


@needs_shared_data
def test_the_default_pack_reports_leicestershires_published_rates():
    dataset = load_dataset(paths.DATA_DIR)
    shown = results(dataset, "Leicestershire")
    findings = str(open_report_findings(dataset))
    assert ("Published figures for calendar year 2021, against 2020 and the East Midlands region (not tested, as only "
            "rates are published): first time entrants to the youth justice system (YJB published rate), 108 entrants "
            "per 100,000 residents aged 10 to 17 (123 in 2020, \u221215 per 100,000, \u221212%; region 158, lower, "
            "better); proven re-offending by young people (YJB published rate), 39.1% of young offenders re-offending "
            "(37.1% in 2020, +2.0 percentage points; region 22.8%, higher, worse) (Figure 3).") in findings
    assert wording.districts_cell(shown["youth_reoffending_published"], dataset.areas.county.nouns) == \
        "not by district; region 22.8% (higher, worse)"


def open_report_findings(dataset):
    from analysis.report import open_report

    return open_report("2022-23 Q2", "Leicestershire", dataset.data_dir, cache_dir="").outcome("reoffending").findings


@needs_shared_data
def test_a_published_rate_worse_than_the_region_is_for_the_boards_attention_as_untested():
    from analysis.report import open_report

    items = {item.measure: item.words for item in open_report("2022-23 Q2", "Leicestershire", paths.DATA_DIR,
                                                                cache_dir="").key_messages().attention}
    assert items["Proven re-offending by young people (YJB published rate)"] == (
        "39.1% in 2021, higher than the East Midlands region's 22.8% (official figures; not tested, as only rates "
        "are published)")
    assert "First time entrants to the youth justice system (YJB published rate)" not in items  # 108 against 158: better

"""Local templates: every bad file gets one line naming the file, the row or field, and what was expected."""
import pytest

from analysis.local_data import TEMPLATES, LocalDataError, load_local_data, read_template

MEASURE_SOURCES = {"hate_incidents": "local_counts", "marac_repeat_rate": "local_proportions"}
AREAS = {"E10999999", "E07000129", "E07000133"}


def write(tmp_path, name, text):
    path = tmp_path / "local" / f"{name}.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name, text, message", [
    ("local_counts", "measure_id,area_code,month,count,provisional\nhate_incidents,E07000129,2022-07,-3,no\n",
     r"local_counts.csv, row 2, count: -3 is not a whole number >= 0"),
    ("local_counts", "measure_id,area_code,month,count,provisional\nhate_incidents,E07000129,2022-7,3,no\n",
     r"row 2, month: 2022-7 is not a month YYYY-MM"),
    ("local_counts", "measure_id,area_code,month,count,provisional\nhate_incidents,E07000129,2022-07,x,no\n",
     r"row 2, count: x is not a whole number"),
    ("local_counts", "measure_id,area_code,month,count,provisional\nhate_incidents,E07000129,2022-07,3,maybe\n",
     r"row 2, provisional: maybe is not yes or no"),
    ("local_counts", "measure_id,area_code,month,count,provisional\nhate_incidents,E07000129,2022-07,3,no\n"
                     "hate_incidents,E07000129,2022-07,4,no\n",
     r"the same measure_id, area_code, month appears more than once"),
    ("local_counts", "measure,area_code,month,count,provisional\nhate_incidents,E07000129,2022-07,3,no\n",
     r"header has measure, area_code.*expected measure_id, area_code"),
    ("local_proportions", "measure_id,area_code,month,numerator,denominator,provisional\n"
                          "marac_repeat_rate,E10999999,2022-07,30,20,no\n",
     r"row 2: expected numerator <= denominator"),
    ("local_proportions", "measure_id,area_code,month,numerator,denominator,provisional\n"
                          "marac_repeat_rate,E10999999,2022-07,0,0,no\n",
     r"row 2, denominator: 0 is not a whole number > 0"),
    ("youth_reoffending", "area_code,cohort_year,offenders,reoffences,reoffenders,provisional\n"
                          "E10999999,2020-21,100,104,120,no\n",
     r"row 2: expected reoffenders <= offenders and <= reoffences"),
    ("youth_reoffending", "area_code,cohort_year,offenders,reoffences,reoffenders,provisional\n"
                          "E10999999,2020-21,100,5,0,no\n",
     r"row 2: expected .*above 0 where there are reoffences"),
    ("youth_reoffending", "area_code,cohort_year,offenders,reoffences,reoffenders,provisional\n"
                          "E10999999,2020-21,100,104,,no\n",
     r"row 2, reoffenders: .* is not a whole number"),
    ("youth_reoffending", "area_code,cohort_year,offenders,provisional\nE10999999,2020-21,100,no\n",
     r"expected area_code, cohort_year, offenders, reoffences, reoffenders, provisional \(reoffenders optional\)"),
])
def test_bad_rows(tmp_path, name, text, message):
    with pytest.raises(LocalDataError, match=message):
        read_template(write(tmp_path, name, text), TEMPLATES[name])


def test_an_empty_file_is_refused(tmp_path):
    with pytest.raises(LocalDataError, match="cannot be read as a UTF-8 CSV"):
        read_template(write(tmp_path, "local_counts", ""), TEMPLATES["local_counts"])


def test_unknown_measure_and_area_are_refused(tmp_path):
    write(tmp_path, "local_counts", "measure_id,area_code,month,count,provisional\nburglary,E07000129,2022-07,3,no\n")
    with pytest.raises(LocalDataError, match=r"row 2, measure_id: 'burglary' is not a local_counts measure.*hate_incidents"):
        load_local_data(tmp_path, MEASURE_SOURCES, AREAS)
    write(tmp_path, "local_counts", "measure_id,area_code,month,count,provisional\nhate_incidents,E0700,2022-07,3,no\n")
    with pytest.raises(LocalDataError, match=r"row 2, area_code: 'E0700' is not the area, one of its parts or one of their districts"):
        load_local_data(tmp_path, MEASURE_SOURCES, AREAS)


def test_missing_files_are_empty_and_sources_mark_illustrative_data(tmp_path):
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "sources.yml").write_text("local_counts.csv: {illustrative: true}\n", encoding="utf-8")
    local = load_local_data(tmp_path, MEASURE_SOURCES, AREAS)
    assert local.tables["local_counts"].empty and local.illustrative == ("local_counts",)


def test_the_illustrative_sample_of_a_partnership_uses_its_districts_residents():
    """A force area's parts are partnerships: each part's sample is scaled by the residents of its
    districts (a part of two districts of 1,000 and 3,000 residents has 4,000)."""
    import numpy as np

    from analysis.areas import Area, AreaSet, KINDS
    from analysis.illustrative import MONTHS, generate

    nouns = KINDS["police force area"]
    parts = (Area("E22000001", "North", "partnership", ("E07000001", "E07000002"), nouns),
             Area("E22000002", "South", "partnership", ("E07000003",), nouns))
    whole = Area("E23000001", "Force", "police force area", ("E07000001", "E07000002", "E07000003"), nouns, True, "force")
    residents = {"E07000001": 1000, "E07000002": 3000, "E07000003": 4000}
    tables = generate(AreaSet(whole, parts, "force"), residents, {code: 10_000 for code in residents})
    hate = tables["local_counts"].query("measure_id == 'hate_incidents'").groupby("area_code")["count"].sum()
    # the same expected rate for both parts (4,000 residents each): their totals differ by chance alone
    assert set(hate.index) == {"E22000001", "E22000002"}
    expected = 4000 * 0.0008 / 12 * len(MONTHS) * 1.125  # residents x yearly rate, over the months, with the rise
    assert np.allclose(hate.to_numpy(), expected, rtol=0.35)

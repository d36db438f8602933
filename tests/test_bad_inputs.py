"""The catalogue of bad inputs: each gets a one-line error naming the file and the row or field and
what was expected, a non-zero exit, and nothing written or published from it."""
import shutil
from pathlib import Path

import pytest

from analysis.__main__ import main
from conftest import TEST_DATA

GOOD_FOLDER = TEST_DATA / "police-uk"
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
          "Crime type,Last outcome category,Context")
ROW = "b1,2022-08,Test Police,Test Police,-1.2,52.6,On or near A Street,E01025625,Blaby 006A,Burglary,Open,"


def error_output(capsys) -> str:
    """What the command printed to stderr, less its warnings about the data (the hand-made 2022 files
    have rows placed nowhere, which a build warns of before it meets the bad input)."""
    return "\n".join(line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("warning: "))


def raw_folder(tmp_path: Path, name: str, content: bytes) -> Path:
    """The hand-made police.uk files with one file replaced (or added) by `content`."""
    folder = tmp_path / "police-uk"
    shutil.copytree(GOOD_FOLDER, folder)
    (folder / "2022" / "2022-08-testforce-street.csv").unlink()
    (folder / "2022" / name).write_bytes(content)
    return folder


RAW_CASES = {
    "wrong header column": ("2022-08-testforce-street.csv", (HEADER.replace("LSOA code", "LSOA") + "\n" + ROW + "\n").encode(),
                            "2022-08-testforce-street.csv: header lacks column(s) 'LSOA code'"),
    "missing header column": ("2022-08-testforce-street.csv",
                              (HEADER.replace(",Crime type", "") + "\n" + ROW.replace(",Burglary", "") + "\n").encode(),
                              "header lacks column(s) 'Crime type'"),
    "truncated last row": ("2022-08-testforce-street.csv", (HEADER + "\n" + ROW + "\n" + ROW[:40]).encode(),
                           "row 3: 6 fields, expected 12 as in the header"),
    "month not YYYY-MM in a row": ("2022-08-testforce-street.csv", (HEADER + "\n" + ROW.replace("2022-08", "2022-8") + "\n").encode(),
                                   "row 2: Month is '2022-8', expected 2022-08"),
    "month not YYYY-MM in a name": ("2022-8-testforce-street.csv", (HEADER + "\n" + ROW + "\n").encode(),
                                    "2022-8-testforce-street.csv: file name is not YYYY-MM-<force>-street.csv"),
    "not UTF-8": ("2022-08-testforce-street.csv", (HEADER + "\n" + ROW.replace("A Street", "Caf\xe9")).encode("latin-1"),
                  "row 2: not UTF-8 text (byte 0xe9)"),
    "empty file": ("2022-08-testforce-street.csv", b"", "2022-08-testforce-street.csv: the file is empty"),
    "month 13 in a name": ("2022-13-testforce-street.csv", (HEADER + "\n" + ROW.replace("2022-08", "2022-13") + "\n").encode(),
                           "2022-13-testforce-street.csv: month 13 in the file name is not a month (01 to 12)"),
    "month 00 in a name": ("2022-00-testforce-street.csv", (HEADER + "\n" + ROW.replace("2022-08", "2022-00") + "\n").encode(),
                           "2022-00-testforce-street.csv: month 00 in the file name is not a month (01 to 12)"),
    "a month not yet begun": ("2999-08-testforce-street.csv", (HEADER + "\n" + ROW.replace("2022-08", "2999-08") + "\n").encode(),
                              "2999-08-testforce-street.csv: 2999-08 in the file name is after this month"),
    "a second force's row": ("2022-08-testforce-street.csv",
                             (HEADER + "\n" + ROW + "\n" + ROW.replace("Test Police,Test Police", "Other Police,Other Police")
                              + "\n").encode(),
                             "row 3: Falls within 'Other Police', while row 2 has 'Test Police'; expected one force per file"),
    "a quote never closed": ("2022-08-testforce-street.csv",
                             (HEADER + "\n" + ROW + "\n" + ROW + '"a note\n' + "\n".join([ROW] * 5) + "\n").encode(),
                             "row 3: a quote (\") that is never closed; the parser read 2 rows of 7 lines"),
}


@pytest.mark.parametrize("case", RAW_CASES)
def test_bad_police_uk_files(case, tmp_path, small_data_dir, capsys):
    name, content, message = RAW_CASES[case]
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    before = (data / "derived" / "crime_counts.csv").read_bytes()
    code = main(["data", "--police-uk", str(raw_folder(tmp_path, name, content)), "--lookup", str(TEST_DATA / "lookup.csv"),
                 "--population", str(TEST_DATA / "population.csv"), "--data", str(data)])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and message in error, error
    assert (data / "derived" / "crime_counts.csv").read_bytes() == before


def test_the_same_month_supplied_twice(tmp_path, small_data_dir, capsys):
    folder = tmp_path / "police-uk"
    shutil.copytree(GOOD_FOLDER, folder)
    shutil.copy(GOOD_FOLDER / "2022" / "2022-08-testforce-street.csv", folder / "2022-08-testforce-street.csv")
    code = main(["data", "--police-uk", str(folder), "--lookup", str(TEST_DATA / "lookup.csv"),
                 "--population", str(TEST_DATA / "population.csv"), "--data", str(small_data_dir)])
    assert code == 2 and "month 2022-08 of force testforce is also supplied by" in capsys.readouterr().err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BUILD_CASES = {
    "local template with a negative count": (
        "local/local_counts.csv", "hate_incidents,E07000129,2022-07,7,no", "hate_incidents,E07000129,2022-07,-7,no",
        "local_counts.csv, row 8, count: -7 is not a whole number >= 0"),
    "zero denominator": (
        "local/local_proportions.csv", "2022-07,8,30,no", "2022-07,0,0,no",
        "local_proportions.csv, row 5, denominator: 0 is not a whole number > 0"),
    "numerator larger than its denominator": (
        "local/local_proportions.csv", "2022-07,8,30,no", "2022-07,31,30,no",
        "local_proportions.csv, row 5: expected numerator <= denominator"),
    "unknown measure id": (
        "local/local_counts.csv", "hate_incidents,E07000129,2021-07", "hate_crimes,E07000129,2021-07",
        "local_counts.csv, row 2, measure_id: 'hate_crimes' is not a local_counts measure"),
    "target for a measure that does not exist": (
        "targets.yml", "youth_reoffending_rate:", "youth_reoffending:",
        "targets.yml, 2020-21, youth_reoffending: no measure of that id in the catalogue"),
    "unknown polarity in the catalogue": (
        "measures.yml", "  polarity: lower_is_better\n  periods", "  polarity: down\n  periods",
        "measures.yml, measure 1 (total_crime): polarity is 'down'"),
    "two districts with one code": (
        "areas.yml", "{code: E07000133, name: Melton}", "{code: E07000129, name: Melton}",
        "areas.yml: 'Melton' (E07000129) has the same code as 'Blaby' (E07000129)"),
    "two districts with one file name": (
        "areas.yml", "name: Melton}", "name: Blaby!}", "has the same file name as 'Blaby'"),
    "a district name without letters": ("areas.yml", "name: Melton}", "name: '123'}", "name '123' needs letters"),
    "a target given as yes": (
        "targets.yml", "youth_reoffending_rate: {value: 1.01}", "youth_reoffending_rate: {value: yes}",
        "targets.yml, 2020-21, youth_reoffending_rate: at_most target needs value as numbers, got {'value': True}"),
    "a target that is not a number": (
        "targets.yml", "youth_reoffending_rate: {value: 1.01}", "youth_reoffending_rate: {value: .nan}",
        "youth_reoffending_rate: value nan is not a target for re-offences per young offender; expected a number "
        "from 0 to 1,000,000,000"),
    "rate per zero residents": (
        "measures.yml", "rate_per: 1000", "rate_per: 0", "a count needs rate_per, a whole number above 0"),
    "a misspelt crime type": (
        "measures.yml", "crime_types: [Burglary]", "crime_types: [Burglery]",
        "measures.yml, measure 3 (burglary): crime_types is 'Burglery', expected one of: Anti-social behaviour"),
    "a misspelt exclusion": (
        "measures.yml", "exclude_crime_types: [Anti-social behaviour]", "exclude_crime_types: [Antisocial behaviour]",
        "measures.yml, measure 1 (total_crime): exclude_crime_types is 'Antisocial behaviour'"),
    "a district of no residents": (
        "derived/population.csv", "E07000133,Melton,2019,50000", "E07000133,Melton,2019,0",
        "population.csv, row 3: population is '0', expected a whole number from 1 to 100,000,000"),
    "a month listed twice": (
        "derived/months.csv", "2021-08,testforce,2021-08-testforce-street.csv,3\n",
        "2021-08,testforce,2021-08-testforce-street.csv,3\n2021-08,testforce,2021-08-testforce-street.csv,3\n",
        "months.csv, row 4: 2021-08 of testforce is listed twice; expected one row per month and force"),
    "a derived count whose sum would pass 64 bits": (
        "derived/crime_counts.csv", "2022-07,E07000129,Blaby,Burglary,3\n", "2022-07,E07000129,Blaby,Burglary,9223372036854775807\n",
        "crime_counts.csv, row 13: count is '9223372036854775807', expected a whole number from 0 to 1,000,000,000"),
    "a derived count beyond any float's whole numbers": (
        "derived/crime_counts.csv", "2022-07,E07000129,Blaby,Burglary,3\n", "2022-07,E07000129,Blaby,Burglary,1e20\n",
        "row 13: count is '1e20', expected a whole number from 0 to 1,000,000,000"),
    "a population beyond a billion": (
        "derived/population.csv", "E07000133,Melton,2019,50000", "E07000133,Melton,2019,50000000000",
        "population.csv, row 3: population is '50000000000', expected a whole number from 1 to 100,000,000"),
    "a local count beyond a billion": (
        "local/local_counts.csv", "hate_incidents,E07000129,2022-07,7,no", "hate_incidents,E07000129,2022-07,99999999999999999999,no",
        "local_counts.csv, row 8, count: 99999999999999999999 is not a whole number"),
    "a local denominator beyond a billion": (
        "local/local_proportions.csv", "2022-07,8,30,no", "2022-07,8,3000000000,no",
        "local_proportions.csv, row 5, denominator: 3000000000 is not a whole number > 0 and at most 1,000,000,000"),
    "offences before beyond a billion": (
        "local/iom_cohorts.csv", "2020-21,50,500,", "2020-21,50,5000000000,",
        "iom_cohorts.csv, row 2, offences_before: 5000000000 is not a whole number > 0 and at most 1,000,000,000"),
    "a count in a month no file has": (
        "derived/crime_counts.csv", "testforce,2022-07,E07000129,Blaby,Burglary,3", "testforce,2021-12,E07000129,Blaby,Burglary,3",
        "crime_counts.csv: 2021-12 of testforce counts 3 rows with derived/unplaced_counts.csv, while derived/months.csv "
        "gives its file 0; expected every row of a file counted once"),
    "a count given twice": (
        "derived/crime_counts.csv", "testforce,2022-07,E07000129,Blaby,Burglary,3\n",
        "testforce,2022-07,E07000129,Blaby,Burglary,3\ntestforce,2022-07,E07000129,Blaby,Burglary,3\n",
        "crime_counts.csv, row 14: testforce, 2022-07, E07000129, Burglary is given twice; expected one row each"),
    "a file's rows inflated": (
        "derived/months.csv", "2022-07-testforce-street.csv,9", "2022-07-testforce-street.csv,1000000000",
        "2022-07 of testforce counts 9 rows with derived/unplaced_counts.csv, while derived/months.csv gives its file "
        "1,000,000,000"),
    "a month not yet come": (
        "derived/months.csv", "2022-09,testforce,", "9999-09,testforce,",
        "months.csv, row 7: month 9999-09 is outside 2000-01 to this month"),
    "a month of year 0": (
        "derived/crime_counts.csv", "testforce,2022-07,E07000129,Blaby,Burglary,3", "testforce,0000-07,E07000129,Blaby,Burglary,3",
        "crime_counts.csv, row 13: month 0000-07 is outside 2000-01 to this month"),
    "a month in full-width digits": (
        "derived/crime_counts.csv", "testforce,2022-07,E07000129,Blaby,Burglary,3",
        "testforce,\uff12\uff10\uff12\uff12-07,E07000129,Blaby,Burglary,3",
        "crime_counts.csv, row 13: month '\uff12\uff10\uff12\uff12-07' is not in the form YYYY-MM"),
    "a count written 1E3": (
        "derived/crime_counts.csv", "testforce,2022-07,E07000129,Blaby,Burglary,3", "testforce,2022-07,E07000129,Blaby,Burglary,1E3",
        "crime_counts.csv, row 13: count is '1E3', expected a whole number from 0 to 1,000,000,000"),
    "a population estimate of year 9999": (
        "derived/population.csv", "E07000133,Melton,2019,50000", "E07000133,Melton,9999,50000",
        "population.csv, row 3: year is '9999', expected a whole number from 1991 to"),
    "a percentage target far below 0": (
        "targets.yml", "marac_repeat_rate: {low: 25, high: 30}", "marac_repeat_rate: {low: -1.0e+308, high: 30}",
        "marac_repeat_rate: low -1e+308 is not a target for % of cases; expected a number from 0 to 100"),
    "a target too large for a float": (
        "targets.yml", "{value: 1.01}", "{value: 1" + "0" * 400 + "}",
        "youth_reoffending_rate: value 1000000000000000000000000000000000000000 is not a target"),
    "a target year given twice": (
        "targets.yml", '"2021-22":', '"2020-21":',
        "targets.yml: cannot be read (line 3: '2020-21' is given twice in one mapping)"),
    "rate per beyond a million": (
        "measures.yml", "rate_per: 1000", "rate_per: 1000000000000000000000000000000",
        "a count needs rate_per, a whole number above 0: one of 1, 10, 100, 1,000, 10,000, 100,000, 1,000,000 residents"),
    "rate per not a power of ten": ("measures.yml", "rate_per: 1000", "rate_per: 1234", "got 1234"),
    "a measure title left empty": ("measures.yml", "title: Robbery", "title: ~",
                                   "measures.yml, measure 6 (robbery): title is None, expected text"),
    "a measure's key given twice": (
        "measures.yml", "title: Total recorded crime", "title: Total recorded crime\n    title: Burglary",
        "measures.yml: cannot be read (line 38: 'title' is given twice in one mapping)"),
    "an exclusion left empty": (
        "measures.yml", "exclude_crime_types: [Anti-social behaviour]", "exclude_crime_types: ~",
        "exclude_crime_types is None, expected a list of police.uk crime types"),
    "a cohort year that is not a financial year": (
        "local/youth_reoffending.csv", "E10999999,2019-20,", "E10999999,2019-22,",
        "youth_reoffending.csv, row 2, cohort_year: 2019-22 is not a financial year YYYY-YY"),
    "a cohort year of another century": (
        "local/iom_cohorts.csv", "E10999999,2020-21,", "E10999999,1920-21,",
        "iom_cohorts.csv, row 2, cohort_year: 1920-21 is not a financial year YYYY-YY"),
    "a local month not yet come": (
        "local/local_counts.csv", "hate_incidents,E07000129,2022-07,7,no", "hate_incidents,E07000129,9999-07,7,no",
        "local_counts.csv, row 8, month: 9999-07 is not a month YYYY-MM from 2000-01 to this month"),
    "an area name left empty": ("areas.yml", "name: Melton}", "name: ~}", "areas.yml: name is None, expected text"),
    "an area name that is a list": ("areas.yml", "name: Melton}", "name: [Melton]}", "name is ['Melton'], expected text"),
    "a district code left empty": ("areas.yml", "{code: E07000133,", "{code: ~,",
                                   "areas.yml: code is None, expected an ONS code such as E07000133"),
    "a force area whose force has no files": (
        "areas.yml", "kind: county", "kind: police force area\n  force: testforse",
        "areas.yml: force 'testforse' has no police.uk files in derived/months.csv (forces there: testforce)"),
    "a meeting date that is no date": (
        "report.yml", '"2022-23 Q2": 2022-12-08', '"2022-23 Q2": 2022-02-30',
        "report.yml: cannot be read (line 7: '2022-02-30' is not a date (day is out of range for month))"),
    "a meeting date given for one quarter written two ways": (
        "report.yml", '"2022-23 Q2": 2022-12-08', '"2022-23 Q2": 2022-12-08\n  "2022-23Q2": 2022-12-15',
        "meeting_dates, '2022-23Q2': 2022-23 Q2 is given twice (written two ways)"),
    "a tab in the paper's words": (
        "report.yml", "board: ", "\tboard: ", "report.yml: cannot be read (line 2: found character '\\t' that cannot"),
    "a local file's description left empty": (
        "local/sources.yml", "description: hand-made test rows}", "description: ~}",
        "sources.yml: expected a mapping of file name -> {illustrative: true or false, description: text}"),
    "a population row given twice": (
        "derived/population.csv", "E07000133,Melton,2019,50000", "E07000133,Melton,2019,50000\nE07000133,Melton,2019,50000",
        "population.csv, row 4: E07000133 in 2019 is given twice; expected one estimate per area and year"),
    "a population year lacking a district": (
        "derived/population.csv", "E07000133,Melton,2019,50000", "E07000133,Melton,2019,50000\nE07000133,Melton,2020,51000",
        "population.csv: 2020 lacks E07000129; expected every area in every year's estimates"),
    "a misspelt crime type in the counts": (
        "derived/crime_counts.csv", "E07000129,Blaby,Burglary,3", "E07000129,Blaby,Burglarly,3",
        "crime_counts.csv, row 13: crime_type is 'Burglarly', expected a police.uk crime type"),
    "a district code in lower case": (
        "derived/crime_counts.csv", "testforce,2022-07,E07000129,Blaby,Burglary,3", "testforce,2022-07,e07000129,Blaby,Burglary,3",
        "crime_counts.csv, row 13: district_code is 'e07000129', expected an ONS district code"),
    "a target year given two ways": (
        "targets.yml", '"2021-22":', '"2020/21":\n  iom_offending_reduction: {value: 30}\n"2021-22":',
        "targets.yml, 2020/21: 2020-21 is given twice (written two ways); expected one entry per year"),
    "a meeting date before its quarter ends": (
        "report.yml", '"2022-23 Q2": 2022-12-08', '"2022-23 Q2": 1999-12-08',
        "meeting_dates, '2022-23 Q2': 1999-12-08 is not after 2022-23 Q2 ends or is more than a year after"),
    "a YAML integer of thousands of digits": (
        "targets.yml", "{value: 1.01}", "{value: 1" + "0" * 5000 + "}",
        "targets.yml: cannot be read (Exceeds the limit (4300 digits) for integer string conversion"),
    "a force area with a partnership left out": (
        "areas.yml", "kind: county\n  parts:\n    - {code: E07000129, name: Blaby}",
        "kind: police force area\n  force: testforce\n  parts:",
        "areas.yml: only 6 of the 20 rows of testforce's files placed in a district fall in Testshire's districts; "
        "expected at least 90% "
        "(is the force right, and every partnership listed?)"),
    "a target finer than the paper shows": (
        "targets.yml", "{value: 1.01}", "{value: 1.0404}",
        "youth_reoffending_rate: value 1.0404 has more decimals than the paper shows for re-offences per young "
        "offender (2); expected e.g. 1.04"),
    "derived counts with a bad month": (
        "derived/crime_counts.csv", "2022-07,", "2022-13,",
        "crime_counts.csv, row"),
    "a published rate in exponent form": (
        "derived/youth_justice.csv", "2021,108,,", "2021,1E3,,",
        "youth_justice.csv, row 4: value is '1E3', expected a number from 0 to 100,000 as LAIT publishes it, or blank "
        "where it publishes none"),
    "a re-offending percentage above 100": (
        "derived/youth_justice.csv", "2020,37.14,,", "2020,137.14,,",
        "youth_justice.csv, row 6: value is '137.14', expected a number from 0 to 100"),
    "a region's value negative": (
        "derived/youth_justice.csv", "East Midlands,158", "East Midlands,-158",
        "youth_justice.csv, row 4: region_value is '-158', expected a number from 0 to 100,000"),
    "a published rate of an area not in the pack": (
        "derived/youth_justice.csv", "FirstYJS,E10999999,Testshire,2021", "FirstYJS,E10000018,Leicestershire,2021",
        "youth_justice.csv, row 4: area_code is 'E10000018', expected the code of an area of areas.yml"),
    "a published year given twice": (
        "derived/youth_justice.csv", "FirstYJS,E10999999,Testshire,2020", "FirstYJS,E10999999,Testshire,2021",
        "youth_justice.csv, row 4: FirstYJS for E10999999 in 2021 is given twice"),
    "a published rate's region not LAIT's": (
        "derived/youth_justice.csv", "2021,108,,East Midlands", "2021,108,,England",
        "youth_justice.csv, row 4: region is 'England', expected one of LAIT's regions"),
    "a published rate for a district of a county": (
        "derived/youth_justice.csv", "FirstYJS,E10999999,Testshire,2021", "FirstYJS,E07000133,Melton,2021",
        "youth_justice.csv, row 4: area_code is 'E07000133', expected the code of an area of areas.yml that LAIT could "
        "publish (not a district of a county, nor in Wales)"),
    "a published rate with a reason of one's own": (
        "derived/youth_justice.csv", "2021,108,,", "2021,,108 (provisional),",
        "youth_justice.csv, row 4: value '' and note '108 (provisional)'; expected"),
    "a blank published rate without its reason": (
        "derived/youth_justice.csv", "2021,108,,", "2021,,,",
        "youth_justice.csv, row 4: value '' and note ''; expected, where and only where the value is blank, the note"),
    "a published rate per 1.0e+5": (
        "measures.yml", "rate_per: 100000\n    numerator: children", "rate_per: 1.0e+5\n    numerator: children",
        "LAIT publishes FirstYJS per 100,000: rate_per must be 100000"),
    "an unknown LAIT measure": (
        "derived/youth_justice.csv", "FirstYJS,E10999999,Testshire,2021", "FirstYJ,E10999999,Testshire,2021",
        "youth_justice.csv, row 4: lait_measure is 'FirstYJ', expected one of FirstYJS, ReoffYO"),
    "a target for a published rate": (
        "measures.yml", "    target: none\n    test: none; published", "    target: at_most\n    test: none; published",
        "first_time_entrants_published): a published rate has no interval to judge a target by; target must be none"),
    "a published rate per the wrong number": (
        "measures.yml", "rate_per: 100000\n    numerator: children", "rate_per: 1000\n    numerator: children",
        "first_time_entrants_published): LAIT publishes FirstYJS per 100,000: rate_per must be 100000"),
    "a calendar year for a police.uk count": (
        "measures.yml", "periods: [quarter]\n  - <<: *crime\n    id: criminal_damage_arson",
        "periods: [calendar_year]\n  - <<: *crime\n    id: criminal_damage_arson",
        "(asb_incidents): periods [calendar_year] go with source dfe_lait, and only with it"),
}


@pytest.mark.parametrize("case", BUILD_CASES)
def test_bad_prepared_data(case, tmp_path, small_data_dir, capsys):
    file_name, old, new, message = BUILD_CASES[case]
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    edit(data / file_name, old, new)
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and message in error, error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["--quarter", "2022 Q2"], "quarter '2022 Q2' is not in the accepted form YYYY-YY Qn"),
    (["--quarter", "2030-31 Q1"], "no data for 2030-31 Q1 (Apr-Jun 2030)"),
    (["--areas", "Atlantis"], "unknown area 'Atlantis'; expected one of: Testshire, Blaby, Melton"),
    (["--timeout", "0"], "--timeout: expected seconds above 0, got 0"),
    (["--workers", "0"], "--workers: expected at least 1, got 0"),
])
def test_bad_choices(argv, message, tmp_path, small_data_dir, capsys):
    code = main(["build", *argv, "--data", str(small_data_dir), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and message in error, error
    assert not (tmp_path / "out").exists()


def test_strict_refuses_a_quarter_with_a_month_missing(tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    edit(data / "derived" / "months.csv", "2022-09,testforce,2022-09-testforce-street.csv,2\n", "")
    recount(data, "testforce,2022-09,", None)
    code = main(["build", "--quarter", "2022-23 Q2", "--strict", "--data", str(data), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "2022-23 Q2 lacks Sep 2022" in error and "--strict refuses" in error
    assert not (tmp_path / "out").exists()


def recount(data: Path, prefix: str, new_prefix: str | None) -> None:
    """The derived counts of the rows starting `prefix` (force and month) moved to `new_prefix`, or dropped,
    as `python -m analysis data` would count them for the months.csv edited alike."""
    for name in ("crime_counts.csv", "unplaced_counts.csv"):
        path = data / "derived" / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text("".join(line if not line.startswith(prefix) else "" if new_prefix is None
                                else new_prefix + line.removeprefix(prefix) for line in lines))


def build_page(data: Path, tmp_path: Path, argv=()) -> tuple[int, str]:
    code = main(["build", "--quarter", "2022-23 Q2", "--areas", "Testshire", "--data", str(data),
                 "--out", str(tmp_path / "out"), *argv])
    page = tmp_path / "out" / "2022-23-Q2" / "testshire.html"
    return code, page.read_text(encoding="utf-8") if page.is_file() else ""


@pytest.mark.parametrize("replacement, counted_as, problem", [
    (("2022-09,testforce,2022-09-testforce-street.csv,2", "2022-09,testforce,2022-09-testforce-street.csv,0"), None,
     "2022-09-testforce-street.csv has 0 rows against 3 in a typical testforce month"),
    (("2022-09,testforce,2022-09-testforce-street.csv,2", "2022-09,otherforce,2022-09-otherforce-street.csv,2"),
     "otherforce,2022-09,", "there is no testforce file for it"),
])
def test_an_empty_or_foreign_month_is_missing_not_a_fall(replacement, counted_as, problem, tmp_path, small_data_dir,
                                                         capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    edit(data / "derived" / "months.csv", *replacement)
    recount(data, "testforce,2022-09,", counted_as)
    code, page = build_page(data, tmp_path)
    said = f"The police.uk file for Sep 2022 is not used: {problem}."
    assert code == 0 and said in capsys.readouterr().err and said in page
    assert "Total recorded crime: not available (data lack 1 month(s) of 2022-23 Q2)" in page and "significant fall" not in page
    code, _ = build_page(data, tmp_path / "strict", ["--strict"])
    assert code == 2 and "2022-23 Q2 lacks Sep 2022" in capsys.readouterr().err


def test_a_crime_type_no_measure_counts_is_said(tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    edit(data / "measures.yml", 'crime_types: "*"', "crime_types: [Burglary, Robbery, Shoplifting, Vehicle crime]")
    edit(data / "measures.yml", "crime_types: [Criminal damage and arson]", "crime_types: [Public order]")
    code, page = build_page(data, tmp_path)
    said = "The police.uk crime type 'Criminal damage and arson' ("
    assert code == 0 and said in capsys.readouterr().err and said in page
    assert "is counted by no measure of the catalogue" in page


@pytest.mark.parametrize("name", ["areas.yml", "measures.yml", "targets.yml", "report.yml", "local/sources.yml"])
def test_a_yaml_file_that_is_not_utf8_is_named(name, tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    path = data / name
    path.write_bytes(path.read_bytes().replace(b"\n", b"\n# caf\xe9\n", 1))  # Latin-1, not UTF-8
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and f"{name}: cannot be read as UTF-8" in error, error


BOMB = "[" + ", ".join(['&l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
                       + [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 9)]) + "]"


@pytest.mark.parametrize("name, old, new", [
    ("targets.yml", "youth_reoffending_rate: {value: 1.01}", f"youth_reoffending_rate: {BOMB}"),
    ("report.yml", "board: ", f"laughs: {BOMB}\nboard: "),
    ("areas.yml", "area:", f"laughs: {BOMB}\narea:"),
    ("measures.yml", "measures:", f"laughs: {BOMB}\nmeasures:"),
    ("local/sources.yml", "local_counts.csv:", f"laughs: {BOMB}\nlocal_counts.csv:"),
])
def test_a_yaml_alias_bomb_is_refused_at_once_naming_the_file(name, old, new, tmp_path, small_data_dir, capsys):
    """Nine aliases of nine aliases, eight deep: a few lines that expand to 43 million values; a
    message quoting them took 45 s and hundreds of megabytes before."""
    import time

    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    edit(data / name, old, new)
    started = time.perf_counter()
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and len(error) < 500, error[:500]
    assert f"{name}: " in error and "more than 100,000" in error and time.perf_counter() - started < 30


@pytest.mark.parametrize("text, message", [
    ("events:\n  - {date: 2021-07-19}\n", "events.yml, event 1: expected date and label"),
    ("events:\n  - {date: 2021-02-30, label: x}\n",
     "events.yml: cannot be read (line 2: '2021-02-30' is not a date (day is out of range for month))"),
    ("events: " + BOMB + "\n", "more than 100,000"),
])
def test_a_bad_events_file_stops_the_build_in_one_line(text, message, tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    (data / "events.yml").write_text(text, encoding="utf-8")
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and message in error, error[:500]
    assert not (tmp_path / "out").exists()


def test_a_corrupt_published_manifest_is_rebuilt_with_a_warning(tmp_path, small_data_dir, capsys):
    from analysis.build import build_pack

    out = tmp_path / "out"
    build_pack("2022-23 Q2", ["Melton"], small_data_dir, out)
    (out / "2022-23-Q2" / "manifest.json").write_text('{"results": [')  # cut short
    capsys.readouterr()
    manifest = build_pack("2022-23 Q2", ["Melton"], small_data_dir, out)
    assert manifest["status"] == "complete" and manifest["results"][0]["status"] == "built"
    assert "manifest.json: cannot be read (" in capsys.readouterr().err


def test_an_out_folder_that_cannot_be_written_is_one_line(tmp_path, small_data_dir, capsys):
    (tmp_path / "a-file").write_text("not a folder")
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(small_data_dir), "--out", str(tmp_path / "a-file")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and "a-file: cannot be written" in error, error


def test_a_published_quarter_that_is_a_link_is_refused_and_its_files_left_alone(tmp_path, small_data_dir, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "board notes.docx").write_bytes(b"the user's own file")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "2022-23-Q2").symlink_to(elsewhere)
    code = main(["build", "--quarter", "2022-23 Q2", "--areas", "Melton", "--data", str(small_data_dir),
                 "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and f"2022-23-Q2: a link to {elsewhere}, not a folder" in error, error
    assert [path.name for path in elsewhere.iterdir()] == ["board notes.docx"]
    assert (tmp_path / "out" / "2022-23-Q2").is_symlink()


@pytest.mark.parametrize("name, text, message", [
    ("targets.yml", "- 2020-21\n- 2021-22\n", "targets.yml: expected financial years, each a mapping of measure id -> target"),
    ("targets.yml", '"2020-21": [youth_reoffending_rate]\n', "targets.yml, 2020-21: expected a mapping of measure id -> target"),
    ("targets.yml", "42\n", "targets.yml: expected financial years"),
    ("measures.yml", "measures: ~\n", "measures.yml: expected a 'measures:' list, got None"),
    ("local/sources.yml", "iom_cohorts.csv: 5\n", "sources.yml: expected a mapping of file name -> {illustrative"),
    ("areas.yml", "area: [Testshire]\n", "areas.yml: expected area: {code, name, kind"),
])
def test_a_yaml_file_of_the_wrong_shape_is_one_line(name, text, message, tmp_path, small_data_dir, capsys):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    (data / name).write_text(text, encoding="utf-8")
    code = main(["build", "--quarter", "2022-23 Q2", "--data", str(data), "--out", str(tmp_path / "out")])
    error = error_output(capsys)
    assert code == 2 and "\n" not in error and message in error, error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, message", [
    (["build", "--timeout", "abc"], "error: argument --timeout: invalid int value: 'abc'"),
    (["build", "--timeout", "1.5"], "error: argument --timeout: invalid int value: '1.5'"),
    (["init", "--data", "x"], "error: one of the arguments --county --police-force --csp --national is required"),
])
def test_a_bad_option_is_one_line_naming_it(argv, message, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    error = capsys.readouterr().err.strip()
    assert stopped.value.code == 2 and "\n" not in error and error.startswith(message), error


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, small_data_dir, capsys, monkeypatch):
    """The disk filling as the pack is published (a 200 kB tmpfs gave a traceback from shutil.copy2): one line."""
    import errno

    from analysis import build

    def full(staging, target, ours):
        raise OSError(errno.ENOSPC, "No space left on device", str(target / "melton.pdf"))

    monkeypatch.setattr(build, "_publish", full)
    code = main(["build", "--quarter", "2022-23 Q2", "--areas", "Melton", "--data", str(small_data_dir),
                 "--out", str(tmp_path / "out")])
    error = error_output(capsys).splitlines()[-1]
    assert code == 2 and error == f"error: {tmp_path / 'out' / '2022-23-Q2' / 'melton.pdf'}: No space left on device"


def test_a_pipe_named_as_a_police_uk_file_is_refused_not_waited_on(tmp_path, small_data_dir, capsys):
    import os

    folder = tmp_path / "police-uk"
    shutil.copytree(GOOD_FOLDER, folder)
    (folder / "2022" / "2022-08-testforce-street.csv").unlink()
    os.mkfifo(folder / "2022" / "2022-08-testforce-street.csv")  # a read would block for ever
    code = main(["data", "--police-uk", str(folder), "--lookup", str(TEST_DATA / "lookup.csv"),
                 "--population", str(TEST_DATA / "population.csv"), "--data", str(small_data_dir)])
    error = error_output(capsys)
    assert code == 2 and error.endswith("2022-08-testforce-street.csv: not a regular file; expected a police.uk "
                                        "street-level CSV file"), error

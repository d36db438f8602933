import pytest

from analysis.periods import PeriodError, Quarter, complete_quarters, month_name, months_ending


@pytest.mark.parametrize("text", ["2022-23 Q2", "2022-23Q2", "2022/23 Q2", " 2022-23 q2 "])
def test_accepted_forms_parse_to_the_same_quarter(text):
    assert Quarter.parse(text) == Quarter(2022, 2)


@pytest.mark.parametrize("text", ["2022 Q2", "2022-24 Q2", "2022-23 Q5", "Q2 2022-23", "22-23 Q2", ""])
def test_other_forms_are_refused_with_the_accepted_form(text):
    with pytest.raises(PeriodError, match="2022-23 Q2"):
        Quarter.parse(text)


@pytest.mark.parametrize("quarter, months", [
    ("2022-23 Q1", ["2022-04", "2022-05", "2022-06"]),
    ("2022-23 Q2", ["2022-07", "2022-08", "2022-09"]),
    ("2022-23 Q3", ["2022-10", "2022-11", "2022-12"]),
    ("2022-23 Q4", ["2023-01", "2023-02", "2023-03"]),
    ("1999-00 Q4", ["2000-01", "2000-02", "2000-03"]),
])
def test_financial_quarters_run_april_to_march(quarter, months):
    assert Quarter.parse(quarter).months == months


def test_labels_and_slugs():
    quarter = Quarter.parse("2022/23 Q2")
    assert (quarter.label, quarter.slug, quarter.month_span) == ("2022-23 Q2", "2022-23-Q2", "Jul-Sep 2022")


def test_same_quarter_last_year_and_previous_quarter():
    assert Quarter(2022, 2).same_quarter_last_year() == Quarter(2021, 2)
    assert Quarter(2022, 1).previous() == Quarter(2021, 4)
    assert Quarter(2022, 3).previous() == Quarter(2022, 2)


@pytest.mark.parametrize("month, quarter", [("2022-03", Quarter(2021, 4)), ("2022-04", Quarter(2022, 1)),
                                            ("2022-12", Quarter(2022, 3)), ("2023-01", Quarter(2022, 4))])
def test_quarter_containing_a_month(month, quarter):
    assert Quarter.containing(month) == quarter


def test_months_ending_crosses_year_ends():
    assert months_ending("2022-02", 4) == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert len(months_ending("2022-09", 24)) == 24 and months_ending("2022-09", 24)[0] == "2020-10"


def test_complete_quarters_need_all_three_months():
    present = {"2014-04", "2014-05", "2014-06", "2014-07", "2014-08", "2014-10", "2014-11"}
    assert complete_quarters(present) == [Quarter(2014, 1)]


def test_month_names_and_bad_months():
    assert month_name("2022-07") == "Jul 2022"
    with pytest.raises(PeriodError, match="YYYY-MM"):
        month_name("2022-13")

"""Sentences, checked one by one against the wording rules of DESIGN.md, on Testshire's results."""
import dataclasses
from types import SimpleNamespace

import pytest

from analysis import wording
from analysis.areas import KINDS
from analysis.assess import Change, assess
from analysis.dataset import load_dataset
from analysis.periods import Quarter
from analysis.stats import compare_counts


@pytest.fixture(scope="module")
def county(small_data_dir):
    dataset = load_dataset(small_data_dir)
    return {(r.measure.id, r.period_type): r for r in assess(dataset, Quarter(2022, 2), dataset.areas.county).results}


def test_a_change_that_is_not_significant_is_similar_with_its_size_and_no_percent_of_a_small_base(county):
    assert wording.result_sentence(county["total_crime", "quarter"]) == (
        "Total recorded crime: 8 crimes in 2022-23 Q2 (0.05 per 1,000 residents), similar to the same period "
        "last year (6 in 2021-22 Q2; +2): no significant change.")


def test_a_significant_change_gets_its_direction_size_and_percent(county):
    base = county["burglary", "quarter"]
    comparison = compare_counts(60, 30)  # p < 0.001 (exact binomial, n = 90)
    significant = dataclasses.replace(base, value=60.0, change=Change(
        30, 30, comparison.percent_change, "rate ratio", comparison.rate_ratio, comparison.ratio_low,
        comparison.ratio_high, comparison.p_value, True))
    sentence = wording.result_sentence(significant)
    assert "up on the same period last year (30 in 2021-22 Q2; +30, +100%): a significant increase." in sentence


def test_provisional_figures_are_flagged_and_never_called_significant(county):
    sentence = wording.result_sentence(county["hate_incidents", "quarter"])
    assert "residents), provisional, against 20 in 2021-22 Q2" in sentence
    assert "the figures are provisional, so the change is not tested" in sentence
    assert "increase" not in sentence


def test_a_missed_target_gives_its_size_and_whether_it_is_beyond_chance(county):
    sentence = wording.result_sentence(county["youth_reoffending_rate", "annual_cohort"])
    assert sentence.endswith("Missed the 2020-21 target by 0.03 re-offences per young offender "
                             "(1.04 against a target of at most 1.01); the gap is within chance variation.")


def test_a_band_target_says_where_the_value_sits(county):
    assert wording.result_sentence(county["marac_repeat_rate", "quarter"]).endswith(
        "Inside the expected range of 25% to 30%.")


def test_an_unavailable_measure_says_why(county):
    assert wording.result_sentence(county["asb_affected", "quarter"]) == (
        "Residents affected by anti-social behaviour: not available (not reported for Testshire).")
    assert wording.result_sentence(county["total_crime", "year_to_date"]).startswith(
        "Total recorded crime: not available (data lack 3 month(s) of the year to date, Apr-Sep 2022)")


def test_neutral_measures_report_direction_without_a_target(county):
    assert "No target: the direction is reported, not judged." in wording.result_sentence(county["hate_incidents", "quarter"])


def test_dashboard_cells(county):
    assert wording.target_cell(county["total_crime", "quarter"]) == "reduction"  # the dashboard's key says what it means
    assert wording.target_cell(county["marac_repeat_rate", "quarter"]) == "25% to 30%"
    assert wording.change_cell(county["total_crime", "quarter"]) == "+2 (no significant change)"
    assert wording.districts_cell(county["total_crime", "quarter"], KINDS["county"]) == "2 similar"
    assert wording.districts_cell(county["youth_reoffending_rate", "annual_cohort"], KINDS["county"]) == "county-wide only"
    assert wording.districts_cell(county["youth_reoffending_rate", "annual_cohort"], KINDS["police force area"]) == \
        "force-wide only"


def test_a_large_change_that_is_not_significant_is_not_called_similar(county):
    # 29 to 46 burglaries: +17, +59%. Exact conditional test: 46 of 75 under p = 0.5, two-sided
    # p = 0.063 (binomial tail P(X >= 46) = 0.0316, doubled): not significant at 5%.
    base = county["burglary", "quarter"]
    comparison = compare_counts(46, 29)
    assert comparison.p_value == pytest.approx(0.063, abs=0.001)
    large = dataclasses.replace(base, value=46.0, change=Change(
        29, 17, comparison.percent_change, "rate ratio", comparison.rate_ratio, comparison.ratio_low,
        comparison.ratio_high, comparison.p_value, True))
    sentence = wording.result_sentence(large)
    assert "against 29 in 2021-22 Q2; +17, +59%: not statistically significant." in sentence
    assert "similar" not in sentence and "increase" not in sentence
    assert wording.change_cell(large) == "+17, +59% (not statistically significant)"


@pytest.mark.parametrize("value, text", [(12987, "12,987"), (0, "0")])
def test_counts_have_thousands_separators(value, text):
    assert wording.count(value) == text


def test_significance_is_explained_in_one_sentence():
    assert "95%" in wording.SIGNIFICANCE_MEANING and wording.SIGNIFICANCE_MEANING.count(". ") == 0


def shown_change(statistic: str, value: float, previous: float) -> str:
    """difference_text for a result with only what it reads."""
    result = SimpleNamespace(measure=SimpleNamespace(statistic=statistic), value=value,
                             change=SimpleNamespace(previous=previous, difference=value - previous))
    return wording.difference_text(result)


def test_a_change_is_worked_from_the_values_as_shown():
    # 25.34% shows as 25.3% and 18.66% as 18.7%: the page reads 25.3 - 18.7 = +6.6 points, though the
    # unrounded difference, 6.68, would show as +6.7.
    assert shown_change("proportion", 25.34, 18.66) == "+6.6 percentage points"
    # 40.4% fewer offences shows as 40%, 36.6% as 37%: 3 points more reduction on the page (not 3.8),
    # in words whose direction is plain: a larger reduction, not "+3", which could read as more offending.
    assert shown_change("percent_reduction", 40.4, 36.6) == "a reduction 3 percentage points larger"
    assert shown_change("percent_reduction", 35.2, 36.6) == "a reduction 2 percentage points smaller"
    assert shown_change("percent_reduction", 36.4, 37.4) == "a reduction 1 percentage point smaller"  # 36% and 37%
    assert shown_change("percent_reduction", 37.4, 36.6) == "the same reduction"  # both show as 37%
    # 1.044 re-offences per offender shows as 1.04, 1.025 as 1.02 (stored as 1.02499...): +0.02.
    assert shown_change("rate_per_person", 1.044, 1.025) == "+0.02"
    assert shown_change("proportion", 25.34, 25.26) == "0.0 percentage points"  # both show as 25.3%
    assert shown_change("count", 988, 805) == "+183"


def test_a_trend_says_how_many_months_it_was_fitted_on_when_fewer_than_six():
    trend = SimpleNamespace(label="rising", months_used=6, monthly_percent_change=6.04)
    assert wording.trend_words(trend) == "rising six-month trend (+6.0% a month)"
    trend.months_used = 5
    assert wording.trend_words(trend) == "rising trend over the 5 months with figures of the last 6 (+6.0% a month)"


def test_a_change_past_a_single_test_but_not_the_papers_false_discovery_control_says_so(county):
    # 65 against 40 burglaries: about p = 0.02 as one test (exact binomial, n = 105; normal approximation
    # z = 12.5 / 5.12 = 2.44); say the paper's 21 tests put its q-value at 0.08: not significant, and
    # the sentence says why.
    base = county["burglary", "quarter"]
    comparison = compare_counts(65, 40)
    assert comparison.p_value < 0.05
    change = Change(40, 25, comparison.percent_change, "rate ratio", comparison.rate_ratio, comparison.ratio_low,
                    comparison.ratio_high, comparison.p_value, True, q_value=0.08, tests=21)
    sentence = wording.result_sentence(dataclasses.replace(base, value=65.0, change=change))
    assert (f"+25, +62%: not statistically significant ({wording.p_value(comparison.p_value)} alone, not "
            f"significant once the paper's 21 tests are allowed for)") in sentence
    assert "significant increase" not in sentence

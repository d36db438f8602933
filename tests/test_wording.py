"""Sentences, checked one by one against the wording rules of DESIGN.md."""
import pytest

from analysis import wording
from analysis.areas import Area
from analysis.assess import MeasureAssessment, Population, QuarterAssessment
from analysis.measures import Measure
from analysis.periods import Quarter
from analysis.stats import compare_counts

BURGLARY = Measure("burglary", "Burglary", "Ongoing reductions in crime", "police.uk", "crimes",
                   "lower_is_better", ("Burglary",))
ROBBERY = Measure("robbery", "Robbery", "Ongoing reductions in crime", "police.uk", "crimes",
                  "lower_is_better", ("Robbery",))
AREA = Area("E07000133", "Melton", "district", ("E07000133",))


def assessment(*items, months_missing=(), previous_missing=()):
    return QuarterAssessment(Quarter(2022, 2), AREA, Population(50_000, 2019), months_missing, previous_missing, items)


def item(measure, count, previous):
    comparison = None if count is None or previous is None else compare_counts(count, previous)
    rate = None if count is None else count / 50
    return MeasureAssessment(measure, count, rate, previous, comparison)


def test_a_change_that_is_not_significant_is_similar_with_its_size():
    burglary = item(BURGLARY, 46, 29)  # p = 0.06: not significant
    sentence = wording.measure_sentence(burglary, assessment(burglary))
    assert sentence == ("Burglary: 46 crimes in 2022-23 Q2 (0.92 per 1,000 residents), similar to the same "
                        "quarter last year (29; +17, +59%): no significant change.")
    assert "increase" not in sentence


def test_a_significant_change_gets_direction_and_size():
    burglary = item(BURGLARY, 60, 30)  # p < 0.01
    sentence = wording.measure_sentence(burglary, assessment(burglary))
    assert "up on the same quarter last year (30; +30, +100%): a significant increase." in sentence
    fall = item(BURGLARY, 30, 60)
    assert "down on the same quarter last year (60; \u221230, \u221250%): a significant fall." in \
        wording.measure_sentence(fall, assessment(fall))


def test_small_counts_get_no_percentage():
    robbery = item(ROBBERY, 4, 5)
    sentence = wording.measure_sentence(robbery, assessment(robbery))
    assert "(5; \u22121)" in sentence and "%" not in sentence


def test_no_comparison_says_so():
    burglary = item(BURGLARY, 46, None)
    sentence = wording.measure_sentence(burglary, assessment(burglary, previous_missing=("2021-07",)))
    assert sentence.endswith("no comparison available, as the data lack Jul 2021 (2021-22 Q2).")


def test_months_missing_means_not_available_never_a_fall():
    burglary = item(BURGLARY, None, 29)
    sentence = wording.measure_sentence(burglary, assessment(burglary, months_missing=("2022-09",)))
    assert sentence == "Burglary: not available for 2022-23 Q2, because the data lack Sep 2022."
    summary = wording.summary_sentences(assessment(burglary, months_missing=("2022-09",)))
    assert summary == ["The 2022-23 Q2 figures for Melton are not available: the data lack Sep 2022. "
                       "No figures are given for an incomplete quarter."]


def test_summary_lists_significant_changes_then_the_similar():
    items = (item(BURGLARY, 100, 100), item(BURGLARY, 60, 30), item(ROBBERY, 4, 5))
    summary = wording.summary_sentences(assessment(*items))
    assert summary[1] == "Significant increases on the same quarter last year: burglary (+30, +100%)."
    assert summary[2] == "Similar to the same quarter last year (no significant change): robbery."


@pytest.mark.parametrize("value, text", [(12987, "12,987"), (0, "0")])
def test_counts_have_thousands_separators(value, text):
    assert wording.count(value) == text


def test_significance_is_explained_in_one_sentence():
    assert "95%" in wording.SIGNIFICANCE_MEANING and wording.SIGNIFICANCE_MEANING.count(". ") == 0

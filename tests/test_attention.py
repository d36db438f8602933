"""What needs the board's attention, the key messages, the exceptions, and status words that agree
with the figures; on Testshire (hand-made data) and on the project's default data."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis import attention, present, wording
from analysis.assess import assess
from analysis.commentary import Commentary
from analysis.dataset import load_dataset
from analysis.periods import Quarter
from analysis.report import open_report
from analysis.spc import xmr_chart


@pytest.fixture(scope="module")
def testshire(small_data_dir):
    dataset = load_dataset(small_data_dir)
    return dataset, assess(dataset, Quarter(2022, 2), dataset.areas.county)


@pytest.fixture(scope="module")
def melton(small_data_dir):
    dataset = load_dataset(small_data_dir)
    return dataset, assess(dataset, Quarter(2022, 2), dataset.areas.find("Melton"))


@pytest.fixture(scope="module")
def leicestershire():
    """The default pack's county report (data/, committed aggregates of police.uk and the sample)."""
    return open_report("2022-23 Q2", "Leicestershire", "data", "")


def headline(assessment, measure_id):
    return next(r for r in assessment.headline if r.measure.id == measure_id)


def test_the_overview_names_every_measure_that_is_not_on_track(testshire):
    # Testshire 2022-23 Q2 (tests/data): total crime 8 against 6, burglary 5 against 3 and criminal
    # damage 2 against 0 are higher than last year but not significantly (at risk); the 2020-21 youth
    # cohort's 1.04 is above its target of at most 1.01 and the cohort is closed (missed).
    _, assessment = testshire
    text = wording.overview("Testshire", attention.reported(assessment), "total_crime")
    assert "1 missed their target (youth re-offending frequency rate)" in text
    assert "3 at risk (total recorded crime, burglary and criminal damage and arson)" in text
    assert "6 on track" in text and "met their target (IOM and PPO cohort offending reduction)" in text


# Status -> (measure in Testshire, a phrase the words must hold, phrases they must not).
AGREEMENT = {
    "on_track": ("vehicle_crime", "similar to the same period last year (3 in 2021-22 Q2; \u22122)", ["at risk", "off"]),
    "at_risk": ("total_crime", "At risk: the target is to be no higher than the same period last year", ["increase"]),
    "missed": ("youth_reoffending_rate", "Missed the 2020-21 target by 0.03", ["at risk", "On course"]),
    "met": ("iom_offending_reduction", "Met the 2021-22 target", ["at risk", "On course"]),
    "no_target": ("hate_incidents", "No target: the direction is reported, not judged.", ["at risk"]),
    "not_available": ("first_time_entrants", "not available (", ["at risk"]),
}


@pytest.mark.parametrize("status", AGREEMENT)
def test_status_and_words_agree(testshire, status):
    _, assessment = testshire
    measure_id, said, never = AGREEMENT[status]
    result = headline(assessment, measure_id)
    assert result.status.key == status
    words = wording.notable_sentence(result, attention.signals(assessment, result))
    assert said in words and not any(phrase in words for phrase in never)
    row = present.dashboard(assessment).table.set_index("measure_id").loc[measure_id]
    assert row["status"] == result.status.word


def test_an_off_track_measure_says_its_significant_rise(leicestershire):
    # Burglary in Leicestershire: 730 in 2022-23 Q2 against 438 a year before (police.uk).
    burglary = headline(leicestershire.assessment, "burglary")
    assert burglary.status.key == "off_track"
    sentence = wording.notable_sentence(burglary, attention.signals(leicestershire.assessment, burglary))
    assert "up on the same period last year (438 in 2021-22 Q2; +292, +67%): a significant increase" in sentence


def test_spc_reason_names_the_month_and_the_limit():
    # Eleven months alternating 10 and 12, then 30: mean 150 / 12 = 12.5; moving ranges ten of 2 and
    # one of 20, mean 40 / 11 = 3.636; upper limit 12.5 + 2.66 x 3.636 = 22.17.
    months = pd.period_range("2021-10", "2022-09", freq="M").strftime("%Y-%m")
    chart = xmr_chart(pd.Series([10, 12] * 5 + [10, 30], index=months, dtype=float), "lower_is_better")
    assert wording.spc_reason(chart) == "Sep 2022 (30.0) above the upper process limit (22.2)"


def test_no_signal_is_taken_from_provisional_limits(testshire):
    # Testshire has six months of data: its SPC limits are provisional, so the September point
    # above them is not a signal in the words (the dashboard still shows the chart's reading).
    _, assessment = testshire
    damage = headline(assessment, "criminal_damage_arson")
    assert damage.spc.provisional
    assert [s.kind for s in attention.signals(assessment, damage)] == ["status"]


def test_key_messages_name_the_domestic_abuse_signal_and_the_rises_most_serious_first(leicestershire):
    messages = leicestershire.key_messages()
    measures = [item.measure for item in messages.attention]
    off_track = [r.measure.title for r in leicestershire.assessment.headline if r.status.key == "off_track"]
    assert measures[:len(off_track)] == off_track  # off track first, in catalogue order
    abuse = next(item for item in messages.attention
                 if item.measure == "Domestic abuse incidents reported to the police (illustrative)")
    assert "SPC special cause" in abuse.words and "Sep 2022" in abuse.words and "above the upper process limit" in abuse.words
    assert abuse.anchor == "Repeat-victimisation-and-vulnerable-victims"
    assert "significant increase" in messages.attention[0].words
    for title in off_track:
        assert wording.lower_first(title) in messages.overview  # named, not only counted


def test_every_off_track_or_missed_measure_is_in_the_exceptions_table(leicestershire):
    table = leicestershire.exceptions().frame
    not_met = {r.measure.title for r in leicestershire.assessment.headline if r.status.key in ("off_track", "missed")}
    assert not_met <= set(table["Measure"])
    assert "Youth re-offending frequency rate (illustrative)" in set(table["Measure"])  # from the sample
    assert (table["Cause"] == "not provided").all()  # no commentary was read


def test_a_district_dashboard_shows_the_districts_own_position_and_leaves_out_county_wide_measures(melton):
    dataset, melton = melton
    board = present.dashboard(melton)
    for result in melton.headline:
        if result.county_wide_only:
            assert result.measure.id not in set(board.table["measure_id"])
            assert wording.lower_first(result.measure.title) in board.key
        elif result.districts is not None:
            label = result.districts.set_index("area").loc["Melton", "label"]
            cell = board.table.set_index("measure_id").loc[result.measure.id, "districts"]
            assert cell == label  # "against the county" once, in the key
    assert "Districts: Melton against the county at the 95% funnel limits." in board.key
    assert any(r.county_wide_only for r in melton.headline)


def test_the_county_grid_has_every_measure_against_every_district(testshire):
    _, assessment = testshire
    grid = present.district_grid(assessment).frame
    assert list(grid.columns) == ["Measure", "Blaby", "Melton"]
    with_districts = [r.measure.title for r in assessment.headline if r.districts is not None]
    assert list(grid["Measure"]) == with_districts
    assert set(np.unique(grid[["Blaby", "Melton"]].to_numpy())) <= {"\u25b2 higher", "\u2013", "\u25bc lower"}


def test_a_paper_without_commentary_says_so(testshire):
    dataset, assessment = testshire
    messages = present.key_messages(dataset, assessment, Commentary(None))
    assert "No analyst's commentary was provided for Testshire" in str(messages)


def test_recommendations_can_name_the_exceptions(testshire):
    dataset, assessment = testshire
    config = dataclasses.replace(dataset.report, recommendations=("notes the actions for {exceptions};",))
    made = present.recommendations(dataclasses.replace(dataset, report=config), assessment, Commentary(None))
    assert made.items == ["notes the actions for youth re-offending frequency rate; no action is recorded yet for "
                          "youth re-offending frequency rate;"]


def test_a_significant_fall_of_a_measure_on_track_is_notable_not_grouped_as_nothing_notable(leicestershire):
    # Anti-social behaviour incidents in Leicestershire, 2021-22 Q2 against 2020-21 Q2, counted here
    # from the police.uk rows: a fall of about a third, far beyond chance; on track, and good news.
    counts = pd.read_csv("data/derived/crime_counts.csv")
    asb_rows = counts[counts["crime_type"] == "Anti-social behaviour"]
    county = set(load_dataset("data").areas.county.district_codes)
    quarter = lambda months: int(asb_rows[asb_rows["month"].isin(months) & asb_rows["district_code"].isin(county)]["count"].sum())
    now, before = quarter(["2021-07", "2021-08", "2021-09"]), quarter(["2020-07", "2020-08", "2020-09"])
    assert now < 0.75 * before
    report = open_report("2021-22 Q2", "Leicestershire", "data", "")
    asb = headline(report.assessment, "asb_incidents")
    assert asb.status.key == "on_track" and asb.change.difference == now - before and asb.change.significant
    findings = report.outcome("asb").findings
    assert any(sentence.startswith(f"Anti-social behaviour incidents: {now:,} incidents") and "significant fall" in sentence
               for sentence in findings)
    assert not any(f"anti-social behaviour incidents ({now:,}" in sentence for sentence in findings)


def test_an_exception_entry_without_words_makes_no_row_and_old_words_are_marked(testshire):
    from analysis.commentary import parse

    dataset, assessment = testshire
    text = ("---\narea: Testshire\nquarter: 2022-23 Q2\n---\n## Exceptions\n### robbery\n<!-- figures: old -->\n"
            "- Cause:\n### burglary\n<!-- figures: Burglary: 5 crimes. -->\n- Cause: Two streets.\n")
    commentary = parse(text, "testshire.md", Quarter(2022, 2), "Testshire", {m.id for m in dataset.measures})
    table = present.exceptions(assessment, commentary).frame.set_index("Measure")
    assert "Robbery" not in table.index  # drafted once, never written, no longer an exception
    assert table.loc["Burglary", "Status"] == ("! At risk; no longer an exception; words written for earlier figures, "
                                               "not yet checked")
    assert attention.missing_commentary(assessment, commentary)[-1] == \
        "Exceptions, burglary: words written for other figures, to check"


def test_the_purpose_can_name_the_exceptions_too(testshire):
    dataset, assessment = testshire
    config = dataclasses.replace(dataset.report, purpose="Exceptions: {exceptions}.")
    made = present.purpose(dataclasses.replace(dataset, report=config), assessment, Commentary(None))
    assert made.lead == ("Exceptions: youth re-offending frequency rate; no action is recorded yet for youth "
                         "re-offending frequency rate.")


def test_a_measure_with_no_comparison_is_never_grouped_as_on_track():
    # 2020-21 Q3: the police.uk data lack Oct and Nov 2019, so crime has no comparison with last year.
    report = open_report("2020-21 Q3", "Melton", "data", "")
    assert headline(report.assessment, "total_crime").status.key == "not_available"
    findings = report.outcome("crime").findings
    grouped = [sentence for sentence in findings if sentence.startswith("No significant change")]
    assert not any("no comparison available" in sentence for sentence in grouped)
    assert any(s.startswith("Total recorded crime:") and "no comparison is available" in s for s in findings)

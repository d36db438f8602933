"""Known events (data/events.yml): validated on load, marked on the charts, named by the comparisons that span them."""
import datetime
import shutil

import pytest

from analysis import paths
from analysis.events import EventError, KnownEvent, load_events, spanned
from analysis.yamlfile import YamlFileError


def write(tmp_path, text):
    (tmp_path / paths.EVENTS_FILE).write_text(text, encoding="utf-8")
    return tmp_path


def test_events_load_oldest_first_and_an_absent_file_declares_none(tmp_path):
    assert load_events(tmp_path) == ()
    events = load_events(write(tmp_path, "events:\n  - {date: 2021-07-19, label: restrictions end}\n"
                                         "  - {date: 2020-03-23, label: '  first   lockdown '}\n"))
    assert events == (KnownEvent(datetime.date(2020, 3, 23), "first lockdown"),
                      KnownEvent(datetime.date(2021, 7, 19), "restrictions end"))
    assert str(events[1]) == "restrictions end (19 Jul 2021)"


@pytest.mark.parametrize("text, message", [
    ("events: {date: 2021-07-19}\n", "expected 'events:' with a list"),
    ("- {date: 2021-07-19, label: x}\n", "expected 'events:' with a list"),
    ("events:\n  - {date: 2021-07-19}\n", r"event 1: expected date and label"),
    ("events:\n  - {date: 19/07/2021, label: x}\n", r"event 1: date '19/07/2021' is not a date written YYYY-MM-DD"),
    ("events:\n  - {date: 2021-02-30, label: x}\n",
     r"cannot be read \(line 2: '2021-02-30' is not a date \(day is out of range for month\)\)"),
    ("events:\n  - {date: 2021-07-19, label: ''}\n", r"event 1: label '' should be text of 1 to 60 characters"),
    ("events:\n  - {date: 2021-07-19, label: " + "x" * 61 + "}\n", "should be text of 1 to 60 characters"),
    ("events:\n  - {date: 2021-07-19, label: 5}\n", "label 5 should be text"),
    ("events: [\n", r"cannot be read \(line 2: expected the node content"),
])
def test_a_bad_events_file_is_refused_naming_the_file_and_entry(tmp_path, text, message):
    with pytest.raises((EventError, YamlFileError), match=message) as error:
        load_events(write(tmp_path, text))
    assert str(tmp_path / paths.EVENTS_FILE) in str(error.value)


def test_spanned_takes_the_events_from_the_first_months_start_to_the_last_months_end():
    events = (KnownEvent(datetime.date(2021, 7, 1), "a"), KnownEvent(datetime.date(2021, 7, 31), "b"),
              KnownEvent(datetime.date(2022, 10, 1), "c"))
    assert spanned(events, "2021-07", "2022-09") == events[:2]
    assert spanned(events, "2021-08", "2022-10") == events[2:]


def test_comparisons_that_span_an_event_say_so_and_charts_mark_it(small_data_dir, tmp_path):
    # Testshire compares Jul-Sep 2022 with Jul-Sep 2021: 19 Jul 2021 is in the span, 1 Oct 2022 is not.
    from analysis import wording
    from analysis.assess import assess
    from analysis.dataset import load_dataset
    from analysis.periods import Quarter

    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    write(data, "events:\n  - {date: 2021-07-19, label: restrictions end}\n  - {date: 2022-10-01, label: later}\n")
    dataset = load_dataset(data)
    results = assess(dataset, Quarter(2022, 2), dataset.areas.county).results
    crime = next(r for r in results if r.measure.id == "total_crime" and r.period_type == "quarter")
    assert [event.label for event in crime.events] == ["restrictions end"]
    assert wording.result_sentence(crime).endswith("no significant change\u2020.")
    assert wording.events_note(results) == "\u2020 Spans restrictions end (19 Jul 2021)."
    assert wording.events_note(results, explained=True).endswith(
        "A comparison marked \u2020 spans a known event, which may account for part of the change.")
    unchanged = next(r for r in results if r.change is None)
    assert unchanged.events == () and wording.events_note([unchanged]) == ""


def test_the_monthly_charts_draw_each_known_event_in_their_months_and_the_note_names_it():
    # The bundled data/events.yml; the county's 2022-23 Q2 charts run Oct 2020 (position 0) to Sep 2022.
    # 5 Nov 2020: month 1, 1 - 0.5 + 4/31; 6 Jan 2021: month 3, 3 - 0.5 + 5/31; 19 Jul 2021: month 9,
    # 9 - 0.5 + 18/31. The first lockdown (23 Mar 2020) is before the charts' months.
    from analysis.report import open_report

    chart = open_report("2022-23 Q2", "Leicestershire", str(paths.DATA_DIR)).outcome("crime").chart()
    for axis in chart.axes:
        if axis.get_visible():
            lines = [line.get_xdata()[0] for line in axis.lines if line.get_label() == "known event (see the note)"]
            assert lines == pytest.approx([1 - 0.5 + 4 / 31, 3 - 0.5 + 5 / 31, 9 - 0.5 + 18 / 31])
    assert ("Known events (pink vertical lines): the second national COVID-19 lockdown in England (5 Nov 2020); the third "
            "national COVID-19 lockdown in England (6 Jan 2021); the end of most COVID-19 restrictions in England "
            "(19 Jul 2021).") in chart.note

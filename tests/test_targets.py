import pytest

from analysis import paths
from analysis.measures import load_measures
from analysis.targets import (STATUSES, Target, TargetError, check_target, load_targets, status_against_last_year,
                              status_against_target)

MEASURES = load_measures(paths.DATA_DIR)


def write_targets(tmp_path, text):
    (tmp_path / "targets.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_the_default_targets_load():
    targets = load_targets(paths.DATA_DIR, MEASURES)
    assert targets[("2013-14", "youth_reoffending_rate")] == Target("at_most", value=1.01)
    assert targets[("2014-15", "marac_repeat_rate")] == Target("band", low=25, high=30)


@pytest.mark.parametrize("text, message", [
    ('"2022-23":\n  no_such_measure: {value: 1}\n', "no_such_measure: no measure of that id"),
    ('"2022-23":\n  total_crime: {value: 1}\n', "target for this measure is 'reduction', which takes no value"),
    ('"2022-23":\n  marac_repeat_rate: {value: 25}\n', "band target needs low and high as numbers"),
    ('"2022-23":\n  marac_repeat_rate: {low: 30, high: 25}\n', "band low 30 is above high 25"),
    ('"2022-23":\n  youth_reoffending_rate: {value: high}\n', "at_most target needs value as numbers"),
    ('"2022":\n  youth_reoffending_rate: {value: 1}\n', "'2022' is not a financial year"),
])
def test_bad_targets_are_refused_naming_year_and_measure(tmp_path, text, message):
    with pytest.raises(TargetError, match=message):
        load_targets(write_targets(tmp_path, text), MEASURES)


def test_at_most_target_missed_within_chance_is_at_risk():
    # 1.04 against at most 1.01, interval 0.85 to 1.25: missed by 0.03, the interval holds the target.
    check = check_target(Target("at_most", value=1.01), 1.04, (0.85, 1.25))
    assert (check.met, check.gap, check.gap_beyond_chance) == (False, pytest.approx(0.03), False)
    assert status_against_target(check) == STATUSES["at_risk"]


def test_at_most_target_missed_beyond_chance_is_off_track():
    check = check_target(Target("at_most", value=1.01), 1.30, (1.15, 1.46))
    assert status_against_target(check) == STATUSES["off_track"]


def test_at_least_target_met_is_on_track():
    check = check_target(Target("at_least", value=30), 39.5, (35.0, 44.0))
    assert check.met and status_against_target(check) == STATUSES["on_track"]


@pytest.mark.parametrize("value, interval, position, status", [
    (27.0, (18.8, 36.6), "inside", "on_track"),
    (20.0, (13.3, 28.9), "below", "at_risk"),
    (15.0, (10.0, 21.0), "below", "off_track"),
    (34.0, (31.0, 37.0), "above", "off_track"),
])
def test_band_positions(value, interval, position, status):
    check = check_target(Target("band", low=25, high=30), value, interval)
    assert check.position == position and status_against_target(check).key == status


@pytest.mark.parametrize("change, significant, status", [
    (-5, False, "on_track"), (0, False, "on_track"), (5, False, "at_risk"), (5, True, "off_track")])
def test_reduction_target_rule(change, significant, status):
    assert status_against_last_year(change, significant).key == status


def test_every_status_has_a_word_and_a_symbol():
    assert all(s.word and s.symbol and s.colour for s in STATUSES.values())
    assert len({s.symbol for s in STATUSES.values()}) == len(STATUSES)

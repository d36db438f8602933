"""XmR chart: every expected value is worked by hand in the comment beside it.

Constants: limits mean +/- 2.66 x MR-bar; 2-sigma lines mean +/- 1.773333 x MR-bar.
"""
import math

import pandas as pd
import pytest

from analysis.spc import xmr_chart


def monthly(values, start="2023-01"):
    months = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.Series(values, index=months, dtype=float)


def flagged(chart, rule):
    """1-based positions of the points a rule flags."""
    return [position for position, point in enumerate(chart.points, start=1) if getattr(point, rule)]


def special_causes(chart):
    return [position for position, point in enumerate(chart.points, start=1) if point.side is not None]


ALTERNATING_9_11 = [9, 11] * 6  # mean 10; 11 moving ranges of 2, MR-bar 2; limits 4.68 and 15.32


def test_point_beyond_a_process_limit():
    # 8,12 alternating for 11 points, then 30. Sum 6x8 + 5x12 + 30 = 138, mean 11.5.
    # Moving ranges: ten of 4, then 8 -> 30 = 22; MR-bar 62/11 = 5.636364.
    # Limits 11.5 +/- 2.66 x 5.636364 = 11.5 +/- 14.992727: -3.492727 and 26.492727.
    # 2-sigma 11.5 +/- 9.995152: 1.504848 and 21.495152.
    # Only point 12 (30) is beyond a limit (and the only one beyond 2 sigma, so no 2-of-3); the other
    # points alternate either side of the mean and up/down, so no shift and no trend.
    chart = xmr_chart(monthly([8, 12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 30]), "lower_is_better")
    limits = chart.limits
    assert limits.mean == pytest.approx(11.5)
    assert limits.mean_moving_range == pytest.approx(62 / 11)
    assert (limits.lower_process_limit, limits.upper_process_limit) == (
        pytest.approx(-3.492727, abs=1e-6), pytest.approx(26.492727, abs=1e-6))
    assert (limits.lower_two_sigma, limits.upper_two_sigma) == (
        pytest.approx(1.504848, abs=1e-6), pytest.approx(21.495152, abs=1e-6))
    assert special_causes(chart) == flagged(chart, "beyond_limit") == [12]
    assert (chart.points[-1].side, chart.points[-1].signal) == ("high", "concern")  # high is bad here
    assert chart.variation_icon == "special cause concern"
    assert not chart.provisional and chart.note is None


def test_seven_point_rising_trend_flags_every_point_of_the_run():
    # 10,14,10,14,10, then 9,10,11,12,13,14,15. Sum 58 + 84 = 142, mean 11.833333.
    # Moving ranges 4,4,4,4,1,1,1,1,1,1,1: MR-bar 23/11 = 2.090909.
    # Limits 6.271515 and 17.395152; 2-sigma 8.125455 and 15.541212 (9 and 15 are inside).
    # Points 6..12 rise at every step: 7 points, a trend. Sides of the mean -+-+----++++: runs of 4 at
    # most, so no shift.
    chart = xmr_chart(monthly([10, 14, 10, 14, 10, 9, 10, 11, 12, 13, 14, 15]), "higher_is_better")
    assert chart.limits.mean == pytest.approx(142 / 12)
    assert chart.limits.mean_moving_range == pytest.approx(23 / 11)
    assert special_causes(chart) == flagged(chart, "trend") == [6, 7, 8, 9, 10, 11, 12]
    assert {point.side for point in chart.points[5:]} == {"high"}
    assert {point.signal for point in chart.points[5:]} == {"improvement"}
    assert chart.variation_icon == "special cause improvement"


def test_a_tie_breaks_a_trend():
    # As above with 9,10,11,11,12,13,14 at the end: sum 58 + 80 = 138, mean 11.5;
    # moving ranges 4,4,4,4,1,1,1,0,1,1,1: MR-bar 22/11 = 2; 2-sigma 7.953333 and 15.046667.
    # The tie 11,11 splits the 7 non-decreasing points into rising runs of 3 and 4: no trend.
    # Sides -+-+-----+++ (run of 5 below at most): no shift. Nothing else is flagged.
    chart = xmr_chart(monthly([10, 14, 10, 14, 10, 9, 10, 11, 11, 12, 13, 14]), "higher_is_better")
    assert chart.limits.mean_moving_range == pytest.approx(2.0)
    assert special_causes(chart) == []
    assert chart.variation_icon == "common cause"


SHIFT = [8, 9, 8, 9, 8, 9, 8, 12, 11, 12, 11, 12, 11, 12]


def test_seven_points_on_each_side_of_the_mean_are_shifts():
    # Sum 59 + 81 = 140 over 14 points: mean 10. Moving ranges: six of 1, 4, six of 1: MR-bar 16/13
    # = 1.230769. Limits 6.726154 and 13.273846; 2-sigma 7.817436 and 12.182564 (8 and 12 inside).
    # Points 1-7 are below the mean, 8-14 above: two shifts. Up/down alternate: no trend.
    chart = xmr_chart(monthly(SHIFT), "higher_is_better")
    assert chart.limits.mean == pytest.approx(10.0)
    assert chart.limits.mean_moving_range == pytest.approx(16 / 13)
    assert (chart.limits.lower_two_sigma, chart.limits.upper_two_sigma) == (
        pytest.approx(7.817436, abs=1e-6), pytest.approx(12.182564, abs=1e-6))
    assert special_causes(chart) == flagged(chart, "shift") == list(range(1, 15))
    assert [point.signal for point in chart.points] == ["concern"] * 7 + ["improvement"] * 7
    assert chart.variation_icon == "special cause improvement"


def test_a_point_on_the_mean_breaks_a_shift():
    # 8,9,8,9,8,7 (sum 49) then 12,11,12,10,12,11,12,11 (sum 91): mean 140/14 = 10, so the 10 at
    # point 10 is on the mean. Above it: points 7-9 (3) and 11-14 (4), no run of 7; counted with
    # either run (or skipped) it would make 8 (or 7) high points in a row. Points 1-6 below: 6.
    # Moving ranges 1,1,1,1,1,5,1,1,2,2,1,1,1: MR-bar 19/13 = 1.461538; 2-sigma 7.408205 and
    # 12.591795: 7 is beyond the lower line but alone in its windows, so no 2-of-3. No trend.
    chart = xmr_chart(monthly([8, 9, 8, 9, 8, 7, 12, 11, 12, 10, 12, 11, 12, 11]), "lower_is_better")
    assert chart.limits.mean == 10.0
    assert chart.limits.lower_two_sigma == pytest.approx(7.408205, abs=1e-6)
    assert special_causes(chart) == []


def test_two_of_three_beyond_two_sigma_flags_only_those_beyond():
    # Twelve alternating 9,11 (sum 120; 11 moving ranges of 2), then 16, 11, 16.
    # Mean 163/15 = 10.866667. Moving ranges 22 + 5 + 5 + 5 = 37: MR-bar 37/14 = 2.642857.
    # 2-sigma 10.866667 +/- 4.686667: 6.18 and 15.553333; limits 3.836667 and 17.896667.
    # Window of points 13-15 (16, 11, 16): all three above the mean, two above the upper 2-sigma
    # line, so 13 and 15 are flagged; 14 (11) is not. Sides of the mean alternate until 12-15
    # (4 above): no shift; no trend.
    chart = xmr_chart(monthly(ALTERNATING_9_11 + [16, 11, 16]), "lower_is_better")
    assert chart.limits.upper_two_sigma == pytest.approx(15.553333, abs=1e-6)
    assert chart.limits.upper_process_limit == pytest.approx(17.896667, abs=1e-6)
    assert special_causes(chart) == flagged(chart, "two_of_three") == [13, 15]
    assert chart.variation_icon == "special cause concern"


def test_two_beyond_two_sigma_with_the_third_point_across_the_mean_are_not_a_signal():
    # Issue 12's example, after NHSRplotthedots' fix #143: twelve alternating 9,11 then 16, 9, 16.
    # Mean (120 + 41)/15 = 161/15 = 10.733333. Moving ranges 22 + 5 + 7 + 7 = 41: MR-bar 41/14 = 2.928571.
    # Upper 2-sigma 10.733333 + 1.773333 x 2.928571 = 15.926667; upper limit 10.733333 + 7.79 = 18.523333.
    # Points 13 and 15 (16) are above the 2-sigma line, but 14 (9) is below the mean: no 2-of-3.
    # Nothing beyond a limit; sides alternate (no run of 7); no 7-point trend: common cause throughout.
    chart = xmr_chart(monthly(ALTERNATING_9_11 + [16, 9, 16]), "lower_is_better")
    assert chart.limits.mean == pytest.approx(10.733333, abs=1e-6)
    assert chart.limits.upper_two_sigma == pytest.approx(15.926667, abs=1e-6)
    assert chart.limits.upper_process_limit == pytest.approx(18.523333, abs=1e-6)
    assert special_causes(chart) == [] and chart.variation_icon == "common cause"


def test_two_beyond_two_sigma_on_opposite_sides_are_not_a_signal():
    # As above with 16, 11, 5: mean 152/15 = 10.133333; MR-bar (22 + 5 + 5 + 6)/14 = 2.714286;
    # 2-sigma 10.133333 +/- 4.813333: 5.32 and 14.946667; limits 2.913333 and 17.353333.
    # 16 is above the upper line and 5 below the lower one: one on each side, no signal.
    chart = xmr_chart(monthly(ALTERNATING_9_11 + [16, 11, 5]), "lower_is_better")
    assert (chart.limits.lower_two_sigma, chart.limits.upper_two_sigma) == (
        pytest.approx(5.32), pytest.approx(14.946667, abs=1e-6))
    assert special_causes(chart) == []


def test_a_missing_month_is_left_out_not_counted_as_zero():
    # 10, 12, (missing), 18, 12: four points, mean 52/4 = 13 (as zero it would be 10.4).
    # Moving ranges join the months either side of the gap: 2, 6, 6, MR-bar 14/3 = 4.666667.
    # Limits 13 +/- 12.413333: 0.586667 and 25.413333. Four points: provisional.
    chart = xmr_chart(monthly([10, 12, math.nan, 18, 12]), "lower_is_better")
    assert [point.month for point in chart.points] == ["2023-01", "2023-02", "2023-04", "2023-05"]
    assert chart.limits.mean == pytest.approx(13.0)
    assert chart.limits.mean_moving_range == pytest.approx(14 / 3)
    assert chart.limits.upper_process_limit == pytest.approx(25.413333, abs=1e-6)
    assert chart.provisional and "provisional" in chart.note


def test_limits_are_provisional_below_twelve_points():
    eleven = xmr_chart(monthly(ALTERNATING_9_11[:11]), "lower_is_better")
    twelve = xmr_chart(monthly(ALTERNATING_9_11), "lower_is_better")
    assert eleven.provisional and "provisional" in eleven.note and "11 months" in eleven.note
    assert not twelve.provisional and twelve.note is None


@pytest.mark.parametrize("values", [[7.0], [math.nan, math.nan], []])
def test_fewer_than_two_points_give_no_limits(values):
    chart = xmr_chart(monthly(values), "lower_is_better", target=5)
    assert chart.limits is None and chart.provisional
    assert "No process limits" in chart.note
    assert (chart.variation_icon, chart.assurance_icon) == (None, None)
    assert all(point.signal == "common cause" for point in chart.points)


@pytest.mark.parametrize("polarity, target, icon", [
    # Alternating 9, 11: mean 10, MR-bar 2, limits 4.68 and 15.32.
    ("lower_is_better", 20, "consistently meets target"),   # the whole process is below 20
    ("lower_is_better", 3, "consistently fails target"),    # the whole process is above 3
    ("lower_is_better", 12, "hit and miss"),                # 12 is between the limits
    ("higher_is_better", 20, "consistently fails target"),
    ("higher_is_better", 3, "consistently meets target"),
    ("higher_is_better", 12, "hit and miss"),
    ("neutral", 20, None),                                  # no good side, no assurance
    ("lower_is_better", None, None),
])
def test_assurance_icon(polarity, target, icon):
    chart = xmr_chart(monthly(ALTERNATING_9_11), polarity, target)
    assert (chart.limits.lower_process_limit, chart.limits.upper_process_limit) == (
        pytest.approx(4.68), pytest.approx(15.32))
    assert chart.assurance_icon == icon


@pytest.mark.parametrize("values, icon", [
    (SHIFT, "special cause neither (high)"),         # ends with 7 points above the mean
    (SHIFT[::-1], "special cause neither (low)"),    # same mean and MR-bar, ends 7 below
])
def test_neutral_measures_report_high_or_low_special_cause(values, icon):
    chart = xmr_chart(monthly(values), "neutral")
    assert {point.signal for point in chart.points} == {"neither"}
    assert chart.variation_icon == icon


@pytest.mark.parametrize("arguments, field", [
    ((monthly([1, 2]), "down_is_good"), "polarity"),
    ((pd.Series([1.0, "n/a"], index=["2023-01", "2023-02"]), "neutral"), "series"),
    ((pd.Series([1.0, 2.0], index=["2023-02", "2023-01"]), "neutral"), "series"),
    ((pd.Series([1.0, 2.0], index=["Jan 2023", "Feb 2023"]), "neutral"), "series"),
    ((monthly([1, 2]), "neutral", "ten"), "target"),
])
def test_invalid_inputs_name_the_field(arguments, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        xmr_chart(*arguments)


def test_no_icon_from_fewer_than_twelve_points():
    """NHSRplotthedots flags a series of fewer than 12 points (ptd_add_short_group_warnings, threshold
    12): its limits are trial limits. Here such a series gets trial limits but no variation or
    assurance icon, so a handful of months never reads as a signal or as assurance on the dashboard.
    Eleven months of 9, 11, ... then 30: 30 is far above the limits of any 11 points of these, yet no icon."""
    short = xmr_chart(monthly(ALTERNATING_9_11[:10] + [30]), "lower_is_better", target=12)
    assert short.limits is not None and short.provisional
    assert (short.variation_icon, short.assurance_icon) == (None, None)
    assert "11 months" in short.note and "12" in short.note
    full = xmr_chart(monthly(ALTERNATING_9_11 + [30]), "lower_is_better", target=12)
    assert full.variation_icon == "special cause concern" and full.assurance_icon == "hit and miss"

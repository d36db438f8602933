"""Property tests: periods and statistics hold their invariants for any input hypothesis finds."""
from hypothesis import given
from hypothesis import strategies as st

from analysis.intervals import count_interval, wilson
from analysis.periods import Quarter, months_ending, window_months, year_earlier
from analysis.stats import compare_counts

quarters = st.builds(Quarter, st.integers(1990, 2090), st.integers(1, 4))
counts = st.integers(0, 5000)
levels = st.sampled_from([0.8, 0.9, 0.95, 0.99, 0.998])


@given(quarters, st.sampled_from(["{fy} Q{n}", "{fy}Q{n}", "{slash} Q{n}"]))
def test_quarter_parse_format_round_trip(quarter, form):
    text = form.format(fy=quarter.financial_year, slash=quarter.financial_year.replace("-", "/"), n=quarter.number)
    assert Quarter.parse(text) == quarter
    assert Quarter.parse(quarter.label) == quarter


@given(quarters)
def test_same_quarter_last_year_is_twelve_months_earlier(quarter):
    assert quarter.same_quarter_last_year().months == year_earlier(quarter.months)
    assert all(Quarter.containing(month) == quarter for month in quarter.months)


@given(quarters, st.sampled_from(["quarter", "year_to_date", "rolling_12_months"]))
def test_windows_are_consecutive_months_ending_with_the_quarter(quarter, period):
    months = window_months(period, quarter)
    assert months == months_ending(quarter.months[-1], len(months))
    assert len(set(months)) == len(months) == {"quarter": 3, "year_to_date": 3 * quarter.number,
                                               "rolling_12_months": 12}[period]


@given(counts, levels)
def test_count_interval_contains_its_estimate(count, level):
    low, high = count_interval(count, level)
    assert low <= count <= high


@given(counts.filter(lambda c: c > 0), levels, levels)
def test_count_interval_widens_as_the_level_rises(count, first, second):
    narrow, wide = sorted([first, second])
    low_n, high_n = count_interval(count, narrow)
    low_w, high_w = count_interval(count, wide)
    assert low_w <= low_n + 1e-9 and high_n <= high_w + 1e-9


@given(st.integers(1, 2000), st.integers(1, 2000), st.integers(2, 10))
def test_wilson_narrows_as_the_sample_grows(successes, extra, factor):
    trials = successes + extra
    low, high = wilson(successes, trials)
    big_low, big_high = wilson(successes * factor, trials * factor)
    assert low <= successes / trials <= high
    assert big_high - big_low < high - low


@given(counts, counts)
def test_p_value_is_a_probability_and_symmetric(first, second):
    forward, backward = compare_counts(first, second), compare_counts(second, first)
    assert 0 <= forward.p_value <= 1
    assert abs(forward.p_value - backward.p_value) < 1e-9

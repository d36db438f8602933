"""Assessment of Testshire (tests/data): expected values are counted by hand from the CSV rows, and
the statistics are those of the modules tested against independent values elsewhere."""
import math
import shutil

import pytest

from analysis.assess import assess, population, row_accounting
from analysis.dataset import load_dataset
from analysis.intervals import count_interval, newcombe_difference, wilson
from analysis.periods import Quarter
from analysis.stats import compare_counts


@pytest.fixture(scope="module")
def dataset(small_data_dir):
    return load_dataset(small_data_dir)


@pytest.fixture(scope="module")
def county(dataset):
    return assess(dataset, Quarter(2022, 2), dataset.areas.county)


def result(assessment, measure_id, period=None):
    return next(r for r in assessment.results
                if r.measure.id == measure_id and (period is None or r.period_type == period))


def test_county_crime_against_same_quarter_last_year(county):
    # 2022 Jul-Sep: Blaby burglary 3+1+1, Melton vehicle 1 and criminal damage 1+1 -> 8 crimes;
    # 2021 Jul-Sep: Blaby burglary 3 and vehicle 3 -> 6 crimes. Population 100,000 + 50,000.
    total = result(county, "total_crime", "quarter")
    assert (total.value, total.change.previous) == (8, 6)
    assert total.rate[0] == pytest.approx(8 / 150)
    comparison = compare_counts(8, 6, 150_000, 150_000)
    assert (total.change.p_value, total.change.estimate) == (comparison.p_value, comparison.rate_ratio)
    assert (total.low, total.high) == count_interval(8)
    assert total.status.key == "at_risk"  # higher than last year, not significantly
    assert result(county, "vehicle_crime", "quarter").status.key == "on_track"  # 1 against 3
    assert result(county, "robbery", "quarter").value == 0  # the robbery was in Leicester


def test_year_to_date_needs_every_month(county):
    ytd = result(county, "total_crime", "year_to_date")
    assert ytd.value is None and ytd.status.key == "not_available"
    assert "3 month(s)" in ytd.unavailable


def test_county_local_counts_are_the_sum_of_districts_and_provisional_is_not_tested(county):
    # Blaby 7+8+9 and Melton 3+3+4 = 34 against 15 + 5 = 20; Melton's Sep 2022 row is provisional.
    hate = result(county, "hate_incidents")
    assert (hate.value, hate.change.previous, hate.provisional) == (34, 20, True)
    assert not hate.change.tested and not hate.change.significant
    assert hate.status.key == "no_target"


def test_district_local_counts_are_tested(dataset):
    blaby = assess(dataset, Quarter(2022, 2), dataset.areas.find("Blaby"))
    hate = result(blaby, "hate_incidents")
    assert (hate.value, hate.change.previous, hate.provisional, hate.change.tested) == (24, 15, False, True)
    assert hate.change.p_value == compare_counts(24, 15, 100_000, 100_000).p_value


def test_proportion_with_band_target(county):
    # 8+9+10 = 27 of 30+30+40 = 100 against 5+6+7 = 18 of 100; band 25% to 30% for 2022-23.
    marac = result(county, "marac_repeat_rate", "quarter")
    assert marac.value == pytest.approx(27.0)
    assert (marac.low, marac.high) == pytest.approx(tuple(100 * x for x in wilson(27, 100)))
    difference, low, high = newcombe_difference(27, 100, 18, 100)
    assert (marac.change.estimate, marac.change.low, marac.change.high) == pytest.approx((100 * difference, 100 * low, 100 * high))
    assert marac.target_check.position == "inside" and marac.status.key == "on_track"
    assert result(county, "marac_repeat_rate", "rolling_12_months").status.key == "not_available"


def test_youth_reoffending_rate_against_target(county):
    # Latest cohort before 2022-23 is 2020-21: 104 re-offences by 100 offenders = 1.04, target at
    # most 1.01: missed by 0.03. The rate's interval (Byar, 104 events) / 100 contains 1.01.
    youth = result(county, "youth_reoffending_rate")
    assert youth.period_label == "2020-21 cohort"
    assert youth.value == pytest.approx(1.04)
    assert youth.target_check.gap == pytest.approx(0.03)
    assert not youth.target_check.met and not youth.target_check.gap_beyond_chance
    assert youth.status.key == "missed"  # a closed cohort: its year is over, so missed, not "at risk"
    assert youth.change.p_value == compare_counts(104, 95, 100, 100).p_value


def test_iom_reduction_against_the_year_before(county):
    # 2021-22 cohort: 360 offences after against 600 before = 40% fewer; target at least 30%.
    iom = result(county, "iom_offending_reduction")
    assert iom.value == pytest.approx(40.0)
    comparison = compare_counts(360, 600)
    assert (iom.low, iom.high) == pytest.approx((100 * (1 - comparison.ratio_high), 100 * (1 - comparison.ratio_low)))
    assert iom.status.key == "met"  # a closed cohort
    assert iom.change.previous == pytest.approx(30.0) and not iom.change.tested


def test_measures_without_data_are_not_available(county, dataset):
    assert result(county, "asb_affected", "quarter").status.key == "not_available"
    melton = assess(dataset, Quarter(2022, 2), dataset.areas.find("Melton"))
    assert result(melton, "marac_repeat_rate", "quarter").unavailable == (
        "reported for Testshire as a whole only, not by district")


def test_no_comparison_when_last_year_is_not_in_the_data(dataset):
    earlier = assess(dataset, Quarter(2021, 2), dataset.areas.county)
    total = result(earlier, "total_crime", "quarter")
    assert total.value == 6 and total.change is None and total.status.key == "not_available"


def test_a_quarter_with_months_missing_has_no_values(dataset):
    later = assess(dataset, Quarter(2022, 3), dataset.areas.county)
    assert all(r.value is None for r in later.results if r.period_type not in ("annual_cohort", "calendar_year"))


def test_districts_are_compared_with_the_county(county):
    districts = result(county, "total_crime", "quarter").districts.set_index("area")
    assert districts.loc["Blaby", "value"] == pytest.approx(5 / 100)
    assert districts.loc["Melton", "value"] == pytest.approx(3 / 50)
    assert set(districts["label"]) == {"county", "similar"}


def test_every_result_has_status_trend_and_spc_where_monthly(county):
    for r in county.results:
        assert r.status is not None
        if r.value is not None and r.measure.monthly:
            assert r.trend is not None and r.spc is not None


def test_population_uses_latest_estimate_not_after_the_year(dataset):
    assert population(dataset, dataset.areas.county, 2022).residents == 150_000
    assert population(dataset, dataset.areas.county, 2022).year == 2019


def test_every_row_of_the_quarter_is_accounted_for(dataset):
    assert row_accounting(dataset, Quarter(2022, 2)) == {
        "rows in files": 13,
        "in Testshire": 10,
        "in other districts (outside the areas reported)": 1,
        "LSOA not in lookup": 1,
        "no LSOA code": 1,
    }


def test_a_cohort_after_one_where_no_one_re_offended_is_compared_not_crashed(small_data_dir, tmp_path):
    # The 2019-20 cohort: 100 offenders, 0 re-offences; 2020-21: 100 and 104. Given n = 104, the
    # current count is Binomial(104, 1/2) under no change and all 104 fell in the current cohort:
    # two-sided p = 2 x 0.5^104, far below 0.05. The rate ratio is undefined (0 before): no percent.
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    path = data / "local" / "youth_reoffending.csv"
    path.write_text(path.read_text().replace("2019-20,100,95,no", "2019-20,100,0,no"))
    dataset = load_dataset(data)
    result = next(r for r in assess(dataset, Quarter(2022, 2), dataset.areas.county).results
                  if r.measure.id == "youth_reoffending_rate")
    change = result.change
    assert (change.previous, change.difference, change.percent, change.estimate) == (0.0, 1.04, None, None)
    assert change.p_value == pytest.approx(2 * 0.5 ** 104) and change.high == math.inf and change.significant
    from analysis import wording
    assert "+1.04" in wording.result_sentence(result)


def test_youth_re_offending_allows_for_re_offences_clustering_in_re_offenders(small_data_dir, tmp_path):
    # Testshire's cohorts with re-offenders: 2019-20, 100 offenders, 40 re-offenders, 95 re-offences;
    # 2020-21, 100, 40, 104. Pooled: a share p = 80 / 200 = 0.4 re-offend, m = 199 / 80 = 2.4875 times
    # each, so phi = m (1 - p) = 1.4925 (two cohorts are too few for the spread between them).
    # Effective counts 104 / 1.4925 = 69.68 -> 70 and 95 / 1.4925 = 63.65 -> 64: under no change, 70
    # is Binomial(134, 1/2); p = twice the smaller tail. The rate's interval is that of 69.68 events,
    # scaled back by phi, per offender.
    from scipy.stats import binom

    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    (data / "local" / "youth_reoffending.csv").write_text(
        "area_code,cohort_year,offenders,reoffences,reoffenders,provisional\n"
        "E10999999,2019-20,100,95,40,no\nE10999999,2020-21,100,104,40,no\n")
    dataset = load_dataset(data)
    youth = result(assess(dataset, Quarter(2022, 2), dataset.areas.county), "youth_reoffending_rate")
    assert youth.dispersion == pytest.approx(1.4925) and youth.change.dispersion == pytest.approx(1.4925)
    assert youth.change.p_value == pytest.approx(2 * min(binom.sf(69, 134, 0.5), binom.cdf(70, 134, 0.5)))
    low, high = count_interval(104 / 1.4925)
    assert (youth.low, youth.high) == pytest.approx((low * 1.4925 / 100, high * 1.4925 / 100))
    assert youth.value == pytest.approx(1.04) and youth.change.estimate == pytest.approx(104 / 95)


def _rising(template, p_values, tested=True):
    """Copies of a reduction-target result whose change rose, with the given p-values."""
    import dataclasses

    return tuple(dataclasses.replace(template, change=dataclasses.replace(
        template.change, difference=5.0, p_value=p, tested=tested, q_value=None)) for p in p_values)


@pytest.mark.parametrize("p_values, q_values, off_track", [
    # Benjamini-Hochberg by hand, q(i) = min over j >= i of p(j) n / j, n = 5: 0.011 x 5 = 0.055,
    # 0.021 x 5/2 = 0.0525, 0.031 x 5/3 = 0.051667, 0.041 x 5/4 = 0.05125, 0.20: four pass a single 5%
    # test, none the false discovery rate control (each q is the smallest to its right, 0.05125).
    ([0.011, 0.021, 0.031, 0.041, 0.20], [0.05125] * 4 + [0.20], [False] * 5),
    # 0.001 x 5 = 0.005; 0.021 x 5/2 = 0.0525, then 0.031 x 5/3 = 0.051667; 0.5 x 5/4 = 0.625; 0.9.
    ([0.001, 0.021, 0.031, 0.5, 0.9], [0.005, 0.051667, 0.051667, 0.625, 0.9], [True, False, False, False, False]),
])
def test_a_change_is_significant_only_past_the_false_discovery_rate_control(county, p_values, q_values, off_track):
    from analysis.assess import control_false_discoveries

    template = result(county, "total_crime", "quarter")
    untested = _rising(template, [0.001], tested=False)  # provisional: not in the family
    adjusted = control_false_discoveries(_rising(template, p_values) + untested)
    assert [r.change.q_value for r in adjusted[:5]] == pytest.approx(q_values, abs=1e-6)
    assert [r.change.tests for r in adjusted[:5]] == [5] * 5 and adjusted[5].change.q_value is None
    assert [r.change.significant for r in adjusted[:5]] == off_track
    assert [r.status.key for r in adjusted[:5]] == ["off_track" if flag else "at_risk" for flag in off_track]
    assert all(r.change.nominally_significant for r, p in zip(adjusted, p_values) if p < 0.05)

"""Expected values are worked by hand from the binomial distribution, as noted beside each."""
import math

import pytest

from analysis.stats import compare_counts, compare_dispersed_counts, dispersion_between, dispersion_within, rate_per


def test_ten_against_two_hand_worked():
    # Equal exposure: given n = 12, the current count is Binomial(12, 1/2) under no change.
    # P(X >= 10) = (C(12,10) + C(12,11) + C(12,12)) / 2^12 = (66 + 12 + 1) / 4096 = 79/4096;
    # the distribution is symmetric, so the two-sided p-value is 158/4096 = 0.03857.
    result = compare_counts(10, 2)
    assert result.p_value == pytest.approx(158 / 4096, rel=1e-9)
    assert result.significant
    assert result.rate_ratio == pytest.approx(5.0)
    assert (result.change, result.percent_change) == (8, pytest.approx(400.0))


def test_three_against_none_hand_worked():
    # n = 3: P(X = 3) = 1/8, two-sided 1/4. Clopper-Pearson lower limit for 3/3 is 0.025^(1/3),
    # so the ratio's lower limit is p/(1-p) with p = 0.025^(1/3) = 0.29240; no upper limit.
    result = compare_counts(3, 0)
    assert result.p_value == pytest.approx(0.25)
    assert not result.significant
    p = 0.025 ** (1 / 3)
    assert result.ratio_low == pytest.approx(p / (1 - p), rel=1e-6)
    assert math.isinf(result.ratio_high)
    assert result.rate_ratio is None and result.percent_change is None


def test_equal_counts_are_no_change():
    result = compare_counts(5, 5)
    assert result.p_value == pytest.approx(1.0)
    assert result.rate_ratio == pytest.approx(1.0)
    assert result.ratio_low < 1 < result.ratio_high


def test_no_events_in_either_period():
    result = compare_counts(0, 0)
    assert (result.p_value, result.rate_ratio, result.significant) == (1.0, None, False)


def test_exposure_enters_the_ratio_and_the_test():
    # 30 events in twice the exposure of 15 events: the same rate, so p = 1 and ratio 1.
    # (n = 45, p0 = 2/3, observed 30 = its expected value.)
    result = compare_counts(30, 15, current_exposure=2, previous_exposure=1)
    assert result.rate_ratio == pytest.approx(1.0)
    assert result.p_value == pytest.approx(1.0)


def test_ratio_interval_from_clopper_pearson_limits():
    # Symmetry: the interval for (a, b) is the reciprocal of the one for (b, a).
    forward, backward = compare_counts(40, 25), compare_counts(25, 40)
    assert forward.ratio_low == pytest.approx(1 / backward.ratio_high)
    assert forward.ratio_high == pytest.approx(1 / backward.ratio_low)
    assert forward.p_value == pytest.approx(backward.p_value)


def test_p_value_and_interval_agree_with_unequal_exposures():
    # Issue 12's example: 5 against 15 at exposures 311 and 334. Given n = 20, the current count is
    # Binomial(20, p0) with p0 = 311/645 under no change; P(X <= 5) = sum over k = 0..5 of
    # C(20, k) p0^k (1 - p0)^(20 - k) = 0.0299797, and P(X >= 5) is near 1: p = 2 x 0.0299797 = 0.0599595,
    # not significant, as the interval (which reaches above 1) says. The default two-sided exact
    # test gave 0.044 here.
    p0 = 311 / 645
    lower_tail = sum(math.comb(20, k) * p0 ** k * (1 - p0) ** (20 - k) for k in range(6))
    result = compare_counts(5, 15, current_exposure=311, previous_exposure=334)
    assert lower_tail == pytest.approx(0.0299797, abs=1e-7)
    assert result.p_value == pytest.approx(2 * lower_tail, rel=1e-9)
    assert not result.significant and result.ratio_low < 1 < result.ratio_high


def test_significant_exactly_when_the_interval_leaves_out_one():
    for current in range(0, 40, 3):
        for previous in range(0, 40, 4):
            for exposures in ((311, 334), (1000, 1000), (52_000, 48_500), (7, 19)):
                result = compare_counts(current, previous, *exposures)
                excludes_one = result.ratio_high < 1 or result.ratio_low > 1
                assert result.significant == excludes_one, (current, previous, exposures, result)


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match=">= 0"):
        compare_counts(-1, 3)


def test_rate_per_thousand():
    assert rate_per(8, 150_000) == pytest.approx(8 / 150)


def test_dispersion_between_cohorts_by_hand():
    # Five cohorts of 100 with 90, 110, 100, 120 and 80: pooled rate 1, expected 100 each; Pearson
    # X^2 = (100 + 100 + 0 + 400 + 400) / 100 = 10 on 4 degrees of freedom: phi = 2.5.
    assert dispersion_between([90, 110, 100, 120, 80], [100] * 5) == pytest.approx(2.5)
    # Less spread than Poisson is taken as Poisson; two cohorts are too few to say.
    assert dispersion_between([100, 101, 99], [100] * 3) == 1.0
    assert dispersion_between([50, 150], [100, 100]) == 1.0


def test_dispersion_within_by_hand():
    # 100 offenders, 40 re-offend, 120 re-offences: m = 3 each, p = 0.4: phi >= 3 x 0.6 = 1.8.
    assert dispersion_within(100, 40, 120) == pytest.approx(1.8)
    # Nobody re-offended; or almost all once each (m = 1.1, p = 0.9: 0.11): no more than Poisson.
    assert dispersion_within(100, 0, 0) == 1.0
    assert dispersion_within(100, 90, 99) == 1.0


def test_compare_dispersed_counts_is_the_exact_test_on_counts_divided_by_phi():
    # 200 against 300 with phi 2: 100 against 150 effective events. Under no change the first is
    # Binomial(250, 1/2): p = 2 P(X <= 100). Its Clopper-Pearson interval for 100 of 250, beta
    # quantiles, gives the ratio p / (1 - p) interval; the rate ratio itself is 200 / 300.
    from scipy.stats import beta, binom

    comparison = compare_dispersed_counts(200, 300, 1, 1, 2.0)
    assert comparison.p_value == pytest.approx(2 * binom.cdf(100, 250, 0.5))
    low, high = beta.ppf(0.025, 100, 151), beta.ppf(0.975, 101, 150)
    assert (comparison.ratio_low, comparison.ratio_high) == pytest.approx((low / (1 - low), high / (1 - high)))
    assert comparison.rate_ratio == pytest.approx(2 / 3) and comparison.dispersion == 2.0
    plain = compare_counts(200, 300)
    assert compare_dispersed_counts(200, 300, 1, 1, 1.0).p_value == plain.p_value < comparison.p_value


def test_compare_dispersed_counts_refuses_a_dispersion_below_one_and_survives_zero():
    with pytest.raises(ValueError, match="dispersion"):
        compare_dispersed_counts(5, 6, 1, 1, 0.5)
    assert compare_dispersed_counts(5, 0, 100, 100, 1.5).rate_ratio is None

"""Six-month trend: checked against a hand-worked exact fit and an independent scipy fit."""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

from analysis.trend import six_month_trend

DOUBLING = [10, 20, 40, 80, 160, 320]  # 10 x 2^t


def monthly(values, start="2023-01"):
    months = pd.period_range(start, periods=len(values), freq="M").strftime("%Y-%m")
    return pd.Series(values, index=months, dtype=float)


def poisson_fit_by_likelihood(counts):
    """Slope, its Poisson variance and Pearson chi2 / df, by minimising the Poisson negative log-likelihood."""
    t = np.arange(len(counts), dtype=float)
    y = np.asarray(counts, dtype=float)

    def negative_log_likelihood(beta):
        eta = beta[0] + beta[1] * t
        return np.sum(np.exp(eta) - y * eta)

    def gradient(beta):
        residual = np.exp(beta[0] + beta[1] * t) - y
        return np.array([residual.sum(), (residual * t).sum()])

    beta = optimize.minimize(negative_log_likelihood, [math.log(y.mean()), 0.0], jac=gradient,
                             method="BFGS", options={"gtol": 1e-10}).x
    mu = np.exp(beta[0] + beta[1] * t)
    information = np.array([[mu.sum(), (t * mu).sum()], [(t * mu).sum(), (t * t * mu).sum()]])
    slope_variance = np.linalg.inv(information)[1, 1]
    dispersion = np.sum((y - mu) ** 2 / mu) / (len(y) - 2)
    return beta[1], slope_variance, dispersion


def test_doubling_counts_have_slope_ln2_hand_worked():
    # mu_t = 10 x 2^t fits exactly, so the slope is ln 2: +100% a month; Pearson chi2 = 0 (Poisson).
    # Information: sum mu = 630, sum t mu = 10(0+2+8+24+64+160) = 2580,
    # sum t^2 mu = 10(0+2+16+72+256+800) = 11460. Var(slope) = 630 / (630 x 11460 - 2580^2)
    # = 630 / 563400, SE = 0.033440; z = 0.693147 / 0.033440 = 20.73.
    # 95% interval exp(ln 2 +/- 1.959964 SE) - 1: +87.31% to +113.55%.
    result = six_month_trend(monthly(DOUBLING), "lower_is_better")
    se = math.sqrt(630 / 563400)
    assert result.monthly_percent_change == pytest.approx(100.0, rel=1e-6)
    assert result.percent_change_low == pytest.approx(100 * math.expm1(math.log(2) - 1.959964 * se), rel=1e-5)
    assert result.percent_change_high == pytest.approx(100 * math.expm1(math.log(2) + 1.959964 * se), rel=1e-5)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(math.log(2) / se), rel=1e-4)
    assert not result.quasi_poisson and result.months_used == 6
    assert result.label == "worsening"


def test_overdispersed_counts_use_quasi_poisson_against_scipy():
    counts = [40, 60, 42, 70, 55, 80]
    slope, poisson_variance, dispersion = poisson_fit_by_likelihood(counts)
    assert dispersion > 1  # over-dispersed: the scale is Pearson chi2 / 4, tests on t with 4 df
    se = math.sqrt(poisson_variance * dispersion)
    t_crit = stats.t.ppf(0.975, 4)
    result = six_month_trend(monthly(counts), "lower_is_better")
    assert result.quasi_poisson and result.dispersion == pytest.approx(dispersion, rel=1e-6)
    assert result.monthly_percent_change == pytest.approx(100 * math.expm1(slope), rel=1e-6)
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(slope) / se, 4), rel=1e-5)
    assert result.percent_change_low == pytest.approx(100 * math.expm1(slope - t_crit * se), rel=1e-5)
    assert result.percent_change_high == pytest.approx(100 * math.expm1(slope + t_crit * se), rel=1e-5)
    # Plain Poisson errors would call this rise significant; quasi-Poisson does not.
    assert 2 * stats.norm.sf(slope / math.sqrt(poisson_variance)) < 0.05
    assert result.p_value > 0.05 and result.label == "no clear trend"


def test_underdispersed_counts_keep_the_poisson_scale_against_scipy():
    counts = [100, 106, 111, 118, 125, 131]
    slope, poisson_variance, dispersion = poisson_fit_by_likelihood(counts)
    assert dispersion < 1  # the scale stays 1, normal tests
    result = six_month_trend(monthly(counts), "higher_is_better")
    assert not result.quasi_poisson
    assert result.monthly_percent_change == pytest.approx(100 * math.expm1(slope), rel=1e-6)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(slope / math.sqrt(poisson_variance)), rel=1e-5)
    assert result.p_value < 0.05 and result.label == "improving"


@pytest.mark.parametrize("counts, polarity, label", [
    (DOUBLING, "lower_is_better", "worsening"),
    (DOUBLING, "higher_is_better", "improving"),
    (DOUBLING, "neutral", "rising"),
    (DOUBLING[::-1], "lower_is_better", "improving"),
    (DOUBLING[::-1], "higher_is_better", "worsening"),
    (DOUBLING[::-1], "neutral", "falling"),
])
def test_labels_by_polarity(counts, polarity, label):
    assert six_month_trend(monthly(counts), polarity).label == label


def test_flat_series_has_no_clear_trend():
    # Constant counts: the fitted slope is 0 (0% a month) and the p-value 1.
    result = six_month_trend(monthly([50] * 6), "lower_is_better")
    assert result.monthly_percent_change == pytest.approx(0.0, abs=1e-9)
    assert result.p_value == pytest.approx(1.0)
    assert result.label == "no clear trend"


def test_only_the_last_six_months_count():
    older = [500, 3, 900]
    assert six_month_trend(monthly(older + DOUBLING), "neutral") == six_month_trend(monthly(DOUBLING), "neutral")


def test_a_missing_month_keeps_its_place_on_the_month_axis():
    # 10, 20, (missing), 80, 160, 320 still lie on 10 x 2^t at t = 0, 1, 3, 4, 5: slope exactly ln 2.
    # Closing the gap (t = 0..4) would not fit exactly and would give a different slope.
    result = six_month_trend(monthly([10, 20, math.nan, 80, 160, 320]), "neutral")
    assert result.months_used == 5
    assert result.monthly_percent_change == pytest.approx(100.0, rel=1e-6)


@pytest.mark.parametrize("counts, months_used", [
    ([12, 15, math.nan, math.nan, 9, math.nan], 3),    # 3 of the last 6 months have data
    ([30, 40, 50, 12, 15, math.nan, math.nan, 9, math.nan], 3),  # older months do not fill in
    ([12, 15, 9], 3),
    ([], 0),
])
def test_fewer_than_four_months_is_not_available(counts, months_used):
    result = six_month_trend(monthly(counts), "lower_is_better")
    assert (result.label, result.months_used, result.p_value) == ("not available", months_used, None)
    assert "at least 4" in result.reason


@pytest.mark.parametrize("counts", [[0] * 6, [0, 0, 0, 0, 0, 7], [4, 0, 0, 0, 0, 0]])
def test_no_finite_slope_is_not_available(counts):
    # All zero, or every count in the last (first) month: the likelihood keeps rising as the slope
    # goes to +infinity (-infinity).
    result = six_month_trend(monthly(counts), "lower_is_better")
    assert result.label == "not available" and "no finite slope" in result.reason


@pytest.mark.parametrize("arguments, field", [
    ((monthly(DOUBLING), "up"), "polarity"),
    ((monthly([5, -1, 4, 6]), "neutral"), "series"),
    ((pd.Series([1, "x"], index=["2023-01", "2023-02"]), "neutral"), "series"),
    ((monthly(DOUBLING), "neutral", 95), "level"),
])
def test_invalid_inputs_name_the_field(arguments, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        six_month_trend(*arguments)


def test_exposure_makes_it_the_trend_of_a_rate():
    # Cases double every month and so do the denominators: the proportion is flat, so with the
    # exposure as an offset the fitted slope is exactly 0 (log rate constant) and there is no trend.
    months = ["2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09"]
    cases = pd.Series([10.0, 20, 40, 80, 160, 320], index=months)
    denominators = pd.Series([40.0, 80, 160, 320, 640, 1280], index=months)
    flat = six_month_trend(cases, "lower_is_better", exposure=denominators)
    assert flat.label == "no clear trend"
    assert flat.monthly_percent_change == pytest.approx(0.0, abs=1e-6)
    assert six_month_trend(cases, "lower_is_better").label == "worsening"

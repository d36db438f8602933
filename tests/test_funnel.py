"""Funnel limits and labels against PHEindicatormethods' peer test files (v2.1.0).

Covered: testdata_funnel_rate_outputs.csv, _2 and _3 (every row; all 2s/3s limit and
population_1_year columns); testdata_funnel_prop_outputs.csv and _with_axis_variation.csv (every
row, all four limits); the significance column of testdata_funnel_prop_inputs.csv (every row); and
the eight significance columns of testdata_funnel_rate_dsr_inputs.csv (every row with events; the
0-event row is skipped, see ZERO_EVENTS_SKIPPED). Not covered: testdata_funnel_ratio_* (funnels of
observed / expected ratios, which the report does not draw) and testdata_funnel_rate_input_funnels
.csv (inputs of the rate outputs, whose baseline is read from the outputs' own baseline column).
"""
import numpy as np
import pandas as pd
import pytest

from analysis import paths
from analysis.periods import Quarter
from analysis.funnel import (
    FUNNEL_LEVELS, HIGHER, LOWER, SIMILAR, THREE_SIGMA, TWO_SIGMA, label_area, overdispersed_proportion_limits,
    overdispersed_rate_limits, overdispersion, proportion_funnel_limits, proportion_z_scores, rate_funnel_limits,
    rate_funnel_populations, rate_z_scores,
)

PHE_TESTS = paths.PROJECT_ROOT.parent / "shared" / "peer-tests" / "phe-indicator-methods"
needs_phe_tests = pytest.mark.skipif(
    not PHE_TESTS.is_dir(), reason=f"PHE peer test data not found beside the clone ({PHE_TESTS})"
)
SIGMAS = {TWO_SIGMA: "2s", THREE_SIGMA: "3s"}
# PHE's label -> ours at (95%, 99.8%): "High (0.025)" is outside the 95% limits only.
PHE_LABELS = {
    "High (0.001)": (HIGHER, HIGHER),
    "High (0.025)": (HIGHER, SIMILAR),
    "Not significant": (SIMILAR, SIMILAR),
    "Low (0.025)": (LOWER, SIMILAR),
    "Low (0.001)": (LOWER, LOWER),
}


def _csv(name: str) -> pd.DataFrame:
    if not PHE_TESTS.is_dir():
        return pd.DataFrame()
    return pd.read_csv(PHE_TESTS / name, encoding="utf-8-sig")


# Rate funnels: PHE's tests call phe_funnels(multiplier = 1e5, statistic = "rate",
# years_of_data = 3); the statistic column reads "per 100,000", and the inputs' denominator_derived
# is ev / rate * 100000 / 3.
RATE_MULTIPLIER = 100_000
YEARS_OF_DATA = 3
RATE_FUNNEL_CASES = [
    pytest.param(row, id=f"{name}-events{row.Events}")
    for name in ("testdata_funnel_rate_outputs.csv", "testdata_funnel_rate_outputs_2.csv",
                 "testdata_funnel_rate_outputs_3.csv")
    for row in _csv(name).itertuples(index=False)
]


def _bisection_tolerance(events: int) -> float:
    """PHE bisects v = E / (1 + O + E) down to steps of 1e-7 (poisson_funnel), so the expected
    count E is off by up to about 1e-7 / v relatively: 2e-4 for the 99.8% upper limit at 1 event
    (E = 0.001, v = 0.0005), under 1e-6 from 10 events (E > 4, v > 0.25)."""
    return 2e-4 if events < 10 else 1e-6


@needs_phe_tests
@pytest.mark.parametrize("level", FUNNEL_LEVELS)
@pytest.mark.parametrize("row", RATE_FUNNEL_CASES)
def test_rate_funnel_limits(row, level):
    sigma, tolerance = SIGMAS[level], _bisection_tolerance(row.Events)
    populations = rate_funnel_populations(row.Events, row.baseline, RATE_MULTIPLIER, level)
    limits = rate_funnel_limits(row.Events, row.baseline, RATE_MULTIPLIER, level)
    for side, population, limit in zip(("lower", "upper"), populations, limits):
        expected_population = getattr(row, f"{side}_{sigma}_population_1_year")
        assert population / YEARS_OF_DATA == pytest.approx(expected_population, rel=tolerance)
        assert limit == pytest.approx(getattr(row, f"{side}_{sigma}_limit"), rel=tolerance)


# Proportion funnels: PHE's testFunnels.R draws them from testdata_funnel_prop_inputs.csv, all rows,
# and for the axis variation from the rows with denominator < 31000. The outputs are rounded to 6
# and to 8 decimals.
PROP_INPUTS = _csv("testdata_funnel_prop_inputs.csv")
PROP_FUNNEL_FILES = {
    "testdata_funnel_prop_outputs.csv": (np.inf, 1e-6),
    "testdata_funnel_prop_outputs_with_axis_variation.csv": (31000, 1e-8),
}
PROP_LIMIT_COLUMNS = {TWO_SIGMA: ("Lower2s0025limit", "Upper2s0025limit"),
                      THREE_SIGMA: ("Lower3s0001limit", "Upper3s0001limit")}


def _percentage_baseline(inputs: pd.DataFrame) -> float:
    """The pooled value, as in phe_funnels: sum of numerators / sum of denominators, in %."""
    return 100 * inputs["numerator"].sum() / inputs["denominator"].sum()


PROP_FUNNEL_CASES = [
    pytest.param(row, _percentage_baseline(PROP_INPUTS[PROP_INPUTS["denominator"] < below]),
                 tolerance, id=f"{name}-population{row.Population}")
    for name, (below, tolerance) in PROP_FUNNEL_FILES.items()
    for row in _csv(name).itertuples(index=False)
]


@needs_phe_tests
@pytest.mark.parametrize("level", FUNNEL_LEVELS)
@pytest.mark.parametrize("row, baseline, tolerance", PROP_FUNNEL_CASES)
def test_proportion_funnel_limits(row, baseline, tolerance, level):
    assert baseline == pytest.approx(row.Baseline, abs=tolerance)
    expected = tuple(getattr(row, column) for column in PROP_LIMIT_COLUMNS[level])
    limits = proportion_funnel_limits(row.Population, baseline, 100, level)
    assert limits == pytest.approx(expected, abs=tolerance)


@needs_phe_tests
@pytest.mark.parametrize("area", [pytest.param(row, id=f"row{i + 2}-{row.Area}")
                                  for i, row in enumerate(PROP_INPUTS.itertuples(index=False))])
def test_proportion_significance(area):
    baseline = _percentage_baseline(PROP_INPUTS)
    value = 100 * area.numerator / area.denominator
    labels = tuple(
        label_area(value, *proportion_funnel_limits(area.denominator, baseline, 100, level))
        for level in FUNNEL_LEVELS
    )
    assert labels == PHE_LABELS[area.significance]


# Rate significance: column <kind>_per_<multiplier>_<with|without>_0 of
# testdata_funnel_rate_dsr_inputs.csv. PHE's test computes the "without_0" columns with the 0-event
# row filtered out first, so that row's cells there are no expected values and it is left out.
RATE_INPUTS = _csv("testdata_funnel_rate_dsr_inputs.csv")
ZERO_EVENTS_SKIPPED = {
    "dsr": "PHE does not assess a DSR with under 10 events ('Not applicable ...')",
    "crude": "0 events: rate funnel limits start at 1 event (PHE judges the row by its population)",
}


def _rate_significance_cases() -> list:
    cases = []
    for column in RATE_INPUTS.columns[5:]:
        kind, _, multiplier, zero = column.split("_", 3)
        areas = RATE_INPUTS if zero == "with_0" else RATE_INPUTS[RATE_INPUTS["count"] > 0]
        for i, area in areas.iterrows():
            no_events = area["count"] == 0
            marks = [pytest.mark.skip(reason=ZERO_EVENTS_SKIPPED[kind])] if no_events else []
            cases.append(pytest.param(kind, int(multiplier), areas, area, column, marks=marks,
                                      id=f"{column}-row{i + 2}"))
    return cases


def _rate_baseline(kind: str, multiplier: int, areas: pd.DataFrame, rate_column: str) -> float:
    """phe_funnel_significance's weighted average: events / sum of the denominators implied by the
    rates (events / rate * multiplier; for 0 events the population if crude, none if a DSR)."""
    implied = areas["count"] / areas[rate_column] * multiplier
    if kind == "crude":
        implied = implied.where(areas["count"] > 0, areas["pop"])
    return multiplier * areas["count"].sum() / implied.sum()


@needs_phe_tests
@pytest.mark.parametrize("kind, multiplier, areas, area, column", _rate_significance_cases())
def test_rate_significance(kind, multiplier, areas, area, column):
    # DSRs are rate_dsr whatever the multiplier; crude rates are the column per that multiplier.
    # PHE labels with Byar's limits from 10 events, the funnel with exact ones: no area here is
    # near enough a line for that to matter.
    rate_column = "rate_dsr" if kind == "dsr" else f"rate_crude_per_{multiplier}"
    baseline = _rate_baseline(kind, multiplier, areas, rate_column)
    limits = [rate_funnel_limits(area["count"], baseline, multiplier, level)
              for level in FUNNEL_LEVELS]
    labels = tuple(label_area(area[rate_column], *pair) for pair in limits)
    assert labels == PHE_LABELS[area[column]]


def test_label_area_on_a_limit_is_similar():
    on_or_inside = (label_area(5, 4, 6), label_area(6, 4, 6), label_area(4, 4, 6))
    assert on_or_inside == (SIMILAR, SIMILAR, SIMILAR)
    assert (label_area(6.1, 4, 6), label_area(3.9, 4, 6)) == (HIGHER, LOWER)


def test_proportion_funnel_hand_worked():
    # Baseline 50% in 100: 1.959964 * sqrt(0.5 * 0.5 / 100) = 0.0979982, so 40.20% to 59.80%;
    # in 1 at 99.8%, 3.090232 * 0.5 = 1.545 either side of 0.5, cut to 0% and 100%.
    assert proportion_funnel_limits(100, 50) == pytest.approx((40.20018, 59.79982), abs=1e-5)
    assert proportion_funnel_limits(1, 50, level=THREE_SIGMA) == (0.0, 100.0)


def test_rate_funnel_hand_worked():
    # 1 event, baseline 100 per 1,000: exact 95% interval of 1 is chi2(0.025; 2)/2 = -ln(0.975) =
    # 0.0253178 to chi2(0.975; 4)/2 = 5.5716 (Garwood). Populations 5.5716 / 0.1 = 55.716 and
    # 0.253178; limits 1000 / 55.716 = 17.948 and 1000 / 0.253178 = 3949.8 per 1,000.
    assert rate_funnel_populations(1, 100) == pytest.approx((55.716, 0.253178), rel=1e-4)
    assert rate_funnel_limits(1, 100) == pytest.approx((17.948, 3949.8), rel=1e-4)


def test_rate_funnel_needs_an_event():
    with pytest.raises(ValueError):
        rate_funnel_limits(0, 50)


# Overdispersion (Spiegelhalter 2005, Qual Saf Health Care 14:347-351, and its appendix), worked by
# hand for five districts at a county rate of 10 per 1,000. Populations 10,000 to 250,000 give
# expected counts E = 100, 400, 900, 1,600 and 2,500; the observed counts O are squares, so the
# square-root z-scores 2 (sqrt O - sqrt E) are whole numbers.
OBSERVED = np.array([49, 361, 1024, 1681, 2704])  # sqrt: 7, 19, 32, 41, 52
EXPECTED = np.array([100, 400, 900, 1600, 2500])  # sqrt: 10, 20, 30, 40, 50


def test_rate_z_scores_by_hand():
    # 2 (7 - 10), 2 (19 - 20), 2 (32 - 30), 2 (41 - 40), 2 (52 - 50)
    assert rate_z_scores(OBSERVED, EXPECTED).tolist() == [-6, -2, 4, 2, 4]


def test_overdispersion_by_hand():
    # Sorted z: -6, -2, 2, 4, 4. Winsorising 10% of 5 rounds down to none, so one at each end (at
    # least one): -6 becomes the next lowest, -2; the highest 4 the next highest, 4. Winsorised: -2,
    # -2, 4, 2, 4; squares 4, 4, 16, 4, 16, sum 44, phi = 8.8. Weights 1 / s^2 = 4E: 400, 1,600,
    # 3,600, 6,400, 10,000; sum 22,000; sum of squares 156,640,000, over the sum 7,120. tau2 = (44 -
    # 4) / (22,000 - 7,120) = 40 / 14,880 = 0.00268817.
    spread = overdispersion(rate_z_scores(OBSERVED, EXPECTED), 1 / (2 * np.sqrt(EXPECTED)))
    assert spread.phi == pytest.approx(8.8)
    assert spread.tau2 == pytest.approx(40 / 14_880)
    assert spread.areas == 5


def test_one_outlying_district_cannot_widen_everyone_s_limits():
    # Seven districts, z = 1, -1, 2, -2, 0.5, -0.5 and an outlier of -40 (a data-supply failure, say):
    # sorted -40, -2, -1, -0.5, 0.5, 1, 2; winsorised at one each end, -40 becomes the next lowest, -2,
    # and 2 the next highest, 1: 1, -1, 1, -2, 0.5, -0.5, -2; phi = (1 + 1 + 1 + 4 + 0.25 + 0.25 + 4) / 7
    # = 11.5 / 7 = 1.6429, against (1 + 1 + 4 + 4 + 0.25 + 0.25 + 1600) / 7 = 230 unwinsorised.
    z_scores = np.array([1, -1, 2, -2, 0.5, -0.5, -40])
    assert overdispersion(z_scores, np.full(7, 0.1)).phi == pytest.approx(11.5 / 7)


def test_fewer_than_three_areas_add_nothing():
    # Two areas (or one) cannot tell a spread between areas from chance: no widening.
    assert overdispersion(np.array([5.0, -5.0]), np.array([0.1, 0.1])).tau2 == 0
    assert overdispersion(np.array([5.0]), np.array([0.1])).tau2 == 0


def test_no_more_spread_than_chance_adds_nothing():
    # z = 1, -1, 0.5, -0.5, 0: winsorised at one each end, -1 becomes -0.5 and 1 becomes 0.5; phi =
    # (4 x 0.25 + 0) / 5 = 0.2, and 5 x 0.2 = 1 <= 4, so tau2 = 0.
    spread = overdispersion(np.array([1, -1, 0.5, -0.5, 0]), np.full(5, 0.1))
    assert spread.phi == pytest.approx(0.2)
    assert spread.tau2 == 0


def test_overdispersed_rate_limits_by_hand():
    # The district with E = 1,600 (160,000 residents): s^2 = 1 / 6,400 = 0.00015625; with tau2,
    # sqrt(0.00015625 + 0.00372043) = 0.0622630; x 1.959964 = 0.1220332. Ratio limits (1 -/+ that)^2
    # = 0.8779668^2 = 0.770826 and 1.1220332^2 = 1.258958; at 10 per 1,000, 7.70826 and 12.58958. Its rate, 1,681 / 160,000 =
    # 10.51 per 1,000, is inside: similar. Plain Poisson limits at 1,681 events are about 10 -/+ 0.48.
    low, high = overdispersed_rate_limits(1600, 10, 55.36 / 14_880)
    assert (low, high) == pytest.approx((7.70826, 12.58958), abs=2e-5)
    assert label_area(1681 / 160, low, high) == SIMILAR
    assert label_area(1681 / 160, *rate_funnel_limits(1681, 10)) == HIGHER


def test_overdispersed_proportion_limits_by_hand():
    # 30% in 100 with tau2 0.0016 (a between-area sd of 4 points): sqrt(0.3 x 0.7 / 100 + 0.0016) =
    # sqrt(0.0037) = 0.0608276; x 1.959964 = 0.1192199: 18.078% to 41.922%. With tau2 0, the PHE limits.
    assert overdispersed_proportion_limits(100, 30, 0.0016) == pytest.approx((18.07801, 41.92199), abs=1e-4)
    assert overdispersed_proportion_limits(100, 30, 0) == pytest.approx(proportion_funnel_limits(100, 30))


def test_proportion_z_scores_by_hand():
    # (0.4 - 0.3) / sqrt(0.3 x 0.7 / 100) = 0.1 / 0.0458258 = 2.182179
    assert proportion_z_scores(np.array([0.4]), np.array([100]), 0.3) == pytest.approx([2.182179])


@pytest.fixture(scope="module")
def bundled():
    from analysis.dataset import load_dataset

    return load_dataset(paths.DATA_DIR)


def test_district_table_judges_by_the_measures_limits(bundled):
    """Total crime in 2022-23 Q2 (the bundled data): the districts vary far beyond chance, so the
    widened limits judge them; `district_limits: poisson` gives PHE's exact limits instead, which flag
    more districts. Each label is checked against limits worked from the table's own counts."""
    import dataclasses

    from analysis.assess import district_table

    measure, quarter = bundled.measure("total_crime"), Quarter(2022, 2)
    widened = district_table(bundled, measure, quarter, "quarter")
    plain = district_table(bundled, dataclasses.replace(measure, district_limits="poisson"),
                           quarter, "quarter")
    county = widened[widened["is_county"]].iloc[0]
    assert county["phi"] > 5 and county["tau2"] > 0 and (plain["tau2"] == 0).all()
    for row in widened[~widened["is_county"]].itertuples():
        expected = county["value"] * row.denominator / 1000
        assert row.label == label_area(row.value, *overdispersed_rate_limits(expected, county["value"], county["tau2"]))
    for row in plain[~plain["is_county"]].itertuples():
        assert row.label == label_area(row.value, *rate_funnel_limits(row.numerator, county["value"]))
    flagged = [(table["label"].isin([HIGHER, LOWER])).sum() for table in (widened, plain)]
    assert flagged[0] < flagged[1]


def test_a_district_with_no_events_is_lower_only_where_none_is_unlikely(bundled):
    """Robbery, 2020-21 Q1 (the bundled data): Melton had none, where about 2.2 were expected at the
    county's rate; a chance of none of exp(-2.2) = 0.11 is well inside the 95% limits, so Melton is
    similar, whatever the widening: widened limits are never narrower than PHE's exact ones."""
    from analysis.assess import district_table

    table = district_table(bundled, bundled.measure("robbery"), Quarter(2020, 1), "quarter").set_index("area")
    county = table[table["is_county"]].iloc[0]
    melton = table.loc["Melton"]
    expected = county["value"] * melton["denominator"] / 1000
    assert melton["numerator"] == 0 and 1.5 < expected < 3 and np.exp(-expected) > 0.025
    assert melton["label"] == SIMILAR


def test_in_the_first_quarter_the_year_to_date_is_the_same_test_and_counts_once(bundled):
    """2022-23 Q1: the year to date is the quarter, so each measure's year-to-date test repeats its
    quarter's; the paper's count of tests leaves the repeats out."""
    from analysis.assess import assess

    results = assess(bundled, Quarter(2022, 1), bundled.areas.county).results
    tested = [r for r in results if r.change is not None and r.change.q_value is not None]
    repeats = [r for r in tested if r.period_type == "year_to_date"]
    assert repeats and {r.change.tests for r in tested} == {len(tested) - len(repeats)}

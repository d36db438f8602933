"""Intervals against PHEindicatormethods' peer test workbooks (v2.1.0), Newcombe 1998, hand working.

The workbooks' expected values are full-precision spreadsheet results (README beside them), so they
are compared to 1e-9. The README's 5e-5 is for limits that PHE's R code bisects; no limit in these
workbooks is bisected (the exact Poisson rows come from chi-squared quantiles in the spreadsheet).
"""
import math

import pandas as pd
import pytest

from analysis import paths
from analysis.intervals import (
    byar, count_interval, exact_poisson, newcombe_difference, proportion_interval, rate_interval,
    two_proportion_test, wilson,
)

PHE_TESTS = paths.PROJECT_ROOT.parent / "shared" / "peer-tests" / "phe-indicator-methods"
needs_phe_tests = pytest.mark.skipif(
    not PHE_TESTS.is_dir(), reason=f"PHE peer test data not found beside the clone ({PHE_TESTS})"
)
WORKBOOK_TOLERANCE = 1e-9
LEVELS = {"95%": 0.95, "99.8%": 0.998}
# Sheets without a confidence column give both levels on each row, in these columns.
LIMIT_COLUMNS = {0.95: ("lower95_0cl", "upper95_0cl"), 0.998: ("lower99_8cl", "upper99_8cl")}


def _sheets(workbook: str) -> dict[str, pd.DataFrame]:
    if not PHE_TESTS.is_dir():
        return {}
    return pd.read_excel(PHE_TESTS / workbook, sheet_name=None, engine="openpyxl")


def _by_area_cases(workbook: str) -> list:
    """One case per row and level: numerator, denominator, multiplier, level, expected triple."""
    cases = []
    for sheet, table in _sheets(workbook).items():
        one_level = "confidence" in table
        for row in table.itertuples(index=False):
            for level in [LEVELS[row.confidence]] if one_level else list(LIMIT_COLUMNS):
                low, high = ("lowercl", "uppercl") if one_level else LIMIT_COLUMNS[level]
                expected = (row.value, getattr(row, low), getattr(row, high))
                case_id = f"{sheet}-{row.Area}-per{row.multiplier}-{level}"
                cases.append(pytest.param(row.Numerator, row.Denominator, row.multiplier, level,
                                          expected, id=case_id))
    return cases


def _assert_matches(got: tuple, expected: tuple) -> None:
    """Equal to the tolerance; a blank (NA) expected value must be NaN here too."""
    for value, want in zip(got, expected):
        if math.isnan(want):
            assert math.isnan(value)
        else:
            assert value == pytest.approx(want, rel=WORKBOOK_TOLERANCE)


BYAR_WILSON_ROWS = [
    pytest.param(row, id=f"row{i + 2}-{row.method}-{row.x}-{row.confidence}")
    for i, row in enumerate(_sheets("testdata_Byars_Wilson.xlsx")
                            .get("testdata_B_W", pd.DataFrame()).itertuples(index=False))
]


@needs_phe_tests
@pytest.mark.parametrize("row", BYAR_WILSON_ROWS)
def test_byar_and_wilson_workbook(row):
    level = LEVELS[row.confidence]
    if row.method == "Wilson":
        _assert_matches(wilson(row.x, row.n, level), (row.lowercl, row.uppercl))
    elif math.isnan(row.lowercl):
        # Row 14 (1 event, 99.8%) leaves the lower limit blank, and PHE's testByars.R does not use
        # the row: z = 3.0902, 1 - 1/9 - 3.0902/3 = -0.1412, so Byar's lower limit is negative.
        low, high = byar(row.x, level)
        assert low < 0
        assert high == pytest.approx(row.uppercl, rel=WORKBOOK_TOLERANCE)
    else:
        _assert_matches(byar(row.x, level), (row.lowercl, row.uppercl))


@needs_phe_tests
@pytest.mark.parametrize("count, denominator, multiplier, level, expected",
                         _by_area_cases("testdata_Rate.xlsx"))
def test_rate_workbook(count, denominator, multiplier, level, expected):
    # Every row of both sheets: exact Poisson below 10 events, Byar's from 10 (Area2 of
    # testdata_Rate_g has exactly 10). Rows with a blank numerator or denominator expect blank (NA)
    # results: NaN in gives NaN out.
    _assert_matches(rate_interval(count, denominator, multiplier, level), expected)


@needs_phe_tests
@pytest.mark.parametrize("successes, trials, multiplier, level, expected",
                         _by_area_cases("testdata_Proportion.xlsx"))
def test_proportion_workbook(successes, trials, multiplier, level, expected):
    # Every row of both sheets, as proportions of 1 and as percentages; blank inputs, blank results.
    _assert_matches(proportion_interval(successes, trials, multiplier, level), expected)


def test_count_interval_switches_from_exact_to_byar_at_10():
    assert count_interval(9) == exact_poisson(9)
    assert count_interval(10) == byar(10)


def test_exact_poisson_for_no_events():
    # Lower limit 0; upper chi2(0.975; 2 df) / 2 = -ln(0.025) = 3.68888, as chi-squared with 2 df
    # is exponential with mean 2.
    assert exact_poisson(0) == (0.0, pytest.approx(-math.log(0.025), rel=1e-12))


def test_byar_needs_an_event():
    with pytest.raises(ValueError):
        byar(0)


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        rate_interval(-1, 100)


def test_newcombe_hybrid_score_interval():
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, example (a) 56/70 vs 48/80:
    # difference 0.2000; method 10 (score interval, no continuity correction) 0.0524 to 0.3339.
    difference, low, high = newcombe_difference(56, 70, 48, 80)
    assert difference == pytest.approx(0.2)
    assert low == pytest.approx(0.0524, abs=5e-5)
    assert high == pytest.approx(0.3339, abs=5e-5)


def test_two_proportion_test_hand_worked():
    # 56/70 vs 48/80: pooled p = 104/150 = 0.693333, p(1-p) = 0.212622,
    # 1/70 + 1/80 = 0.0267857, SE = sqrt(0.212622 * 0.0267857) = sqrt(0.00569524) = 0.0754668,
    # z = 0.2 / 0.0754668 = 2.6502; two-sided p = 2 * (1 - Phi(2.6502)) = 2 * 0.004023 = 0.00805.
    assert two_proportion_test(56, 70, 48, 80) == pytest.approx(0.00805, abs=5e-5)


def test_two_proportion_test_equal_proportions():
    # 30/60 and 15/30 are both 1/2: z = 0, p = 1. With no successes at all z is 0/0: p = 1.
    assert two_proportion_test(30, 60, 15, 30) == pytest.approx(1.0)
    assert two_proportion_test(0, 60, 0, 30) == 1.0

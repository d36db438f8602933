"""Assessment of Testshire (tests/data): expected counts are counted by hand from the CSV rows."""
import pytest

from analysis.assess import assess, district_rates, monthly_series, population, row_accounting
from analysis.dataset import load_dataset
from analysis.periods import Quarter
from analysis.stats import compare_counts


@pytest.fixture(scope="module")
def dataset(small_data_dir):
    return load_dataset(small_data_dir)


def by_id(assessment):
    return {item.measure.id: item for item in assessment.measures}


def test_county_quarter_against_same_quarter_last_year(dataset):
    # 2022 Jul-Sep: Blaby burglary 3+1+1, Melton vehicle 1 and criminal damage 1+1 -> 8 crimes;
    # 2021 Jul-Sep: Blaby burglary 3 and vehicle 3 -> 6 crimes. Population 100,000 + 50,000.
    result = by_id(assess(dataset, Quarter(2022, 2), dataset.areas.county))
    total = result["total_crime"]
    assert (total.count, total.previous_count) == (8, 6)
    assert total.rate_per_1000 == pytest.approx(8 / 150)
    assert total.comparison == compare_counts(8, 6, 150_000, 150_000)
    assert (result["burglary"].count, result["burglary"].previous_count) == (5, 3)
    assert (result["asb_incidents"].count, result["asb_incidents"].previous_count) == (2, 3)
    assert result["robbery"].count == 0  # the robbery was in Leicester, outside the county


def test_district_counts_only_its_own_rows(dataset):
    result = by_id(assess(dataset, Quarter(2022, 2), dataset.areas.find("melton")))
    assert (result["total_crime"].count, result["vehicle_crime"].count, result["criminal_damage_arson"].count) == (3, 1, 2)
    assert result["total_crime"].rate_per_1000 == pytest.approx(3 / 50)


def test_no_comparison_when_last_year_is_not_in_the_data(dataset):
    assessment = assess(dataset, Quarter(2021, 2), dataset.areas.county)
    assert assessment.previous_months_missing == ("2020-07", "2020-08", "2020-09")
    assert all(item.comparison is None and item.count is not None for item in assessment.measures)


def test_a_quarter_with_months_missing_has_no_counts(dataset):
    assessment = assess(dataset, Quarter(2022, 3), dataset.areas.county)
    assert assessment.months_missing == ("2022-10", "2022-11", "2022-12")
    assert all(item.count is None and item.comparison is None for item in assessment.measures)


def test_monthly_series_has_gaps_for_absent_months_and_zeros_for_quiet_ones(dataset):
    series = monthly_series(dataset, dataset.areas.find("melton"), ["2022-06", "2022-07", "2022-08"])
    assert series["vehicle_crime"].isna().tolist() == [True, False, False]
    assert series.loc["2022-08", "vehicle_crime"] == 0
    assert series.loc["2022-08", "criminal_damage_arson"] == 1


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


def test_district_rates_include_the_county(dataset):
    rates = district_rates(dataset, Quarter(2022, 2), "total_crime").set_index("area")
    assert rates.loc["Blaby", "count"] == 5 and rates.loc["Melton", "count"] == 3
    assert rates.loc["Testshire", "rate_per_1000"] == pytest.approx(8 / 150)

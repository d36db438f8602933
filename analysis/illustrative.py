"""`python -m analysis illustrative`: an illustrative sample of the local measures, with a fixed seed.

No public source publishes these measures for a county (data/README.md). So that the pack shows how
they are reported, this script generates plausible, clearly labelled figures into data/local/, and
marks each file `illustrative: true` in data/local/sources.yml: every report built on them says so.
Scale: youth re-offending near the national juvenile frequency rate (MoJ, about 1.0-1.2 re-offences
per offender for 2010-2013 cohorts) with cohorts of a few hundred; other measures at typical county
rates per resident. Replace the files with real exports, and set `illustrative: false`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.areas import AreaSet
from analysis.local_data import SOURCES_FILE
from analysis.paths import LOCAL
from analysis.periods import months_ending

SEED = 20140925  # the date of the 2014-15 Q1 board paper
LAST_MONTH = "2022-09"  # the end of the default pack's quarter: the sample is a snapshot as reported then
MONTHS = months_ending(LAST_MONTH, 126)  # from April 2012
COHORT_YEARS = [f"{year}-{(year + 1) % 100:02d}" for year in range(2011, 2022)]

# Events per resident per year (all ages), by district, and whether the last quarter is provisional.
DISTRICT_COUNT_RATES = {
    "domestic_abuse_incidents": 0.015,
    "hate_incidents": 0.0008,
}
COUNTY_COUNT_RATES = {
    "domestic_abuse_referrals": 0.005,
    "domestic_abuse_high_risk": 0.0012,
}
PROVISIONAL_MEASURES = {"domestic_abuse_referrals"}


def generate(areas: AreaSet, residents: dict[str, int], young_residents: dict[str, int],
             seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The four local templates' tables, for the whole area (cohort and MARAC measures) and its parts,
    each part's residents those of its districts (`residents`, `young_residents`: by district)."""
    rng = np.random.default_rng(seed)
    progress = np.linspace(0, 1, len(MONTHS))  # 0 in April 2012 .. 1 in the last month
    season = 1 + 0.12 * np.sin(2 * np.pi * (np.arange(len(MONTHS)) - 2) / 12)  # summer peak
    county = areas.county.code
    counts, proportions = [], []

    def monthly(measure_id: str, area_code: str, expected: np.ndarray) -> None:
        provisional = [measure_id in PROVISIONAL_MEASURES and m in MONTHS[-3:] for m in MONTHS]
        counts.append(pd.DataFrame({"measure_id": measure_id, "area_code": area_code, "month": MONTHS,
                                    "count": rng.poisson(expected), "provisional": provisional}))

    def surveyed(measure_id: str, area_code: str, cases: np.ndarray, share: np.ndarray) -> None:
        proportions.append(pd.DataFrame({"measure_id": measure_id, "area_code": area_code, "month": MONTHS,
                                         "numerator": rng.binomial(cases, share), "denominator": cases,
                                         "provisional": False}))

    for district in areas.districts:
        people = sum(residents[code] for code in district.district_codes)  # a partnership: its districts'
        young = sum(young_residents[code] for code in district.district_codes)
        for measure_id, yearly in DISTRICT_COUNT_RATES.items():
            monthly(measure_id, district.code, people * yearly / 12 * season * (1 + 0.25 * progress))
        monthly("first_time_entrants", district.code, young * (0.006 - 0.004 * progress) / 12)
        respondents = np.maximum(rng.poisson(70, len(MONTHS)), 1)
        surveyed("asb_affected", district.code, respondents, 0.10 - 0.02 * progress)
        surveyed("agree_dealing_with_asb", district.code, respondents, 0.55 + 0.05 * progress)
    county_people = sum(residents[code] for code in areas.county.district_codes)
    for measure_id, yearly in COUNTY_COUNT_RATES.items():
        monthly(measure_id, county, county_people * yearly / 12 * season * (1 + 0.2 * progress))
    surveyed("marac_repeat_rate", county, rng.poisson(80, len(MONTHS)), 0.20 + 0.07 * progress)

    offenders = np.linspace(380, 150, len(COHORT_YEARS)).round().astype(int)
    youth = pd.DataFrame({"area_code": county, "cohort_year": COHORT_YEARS[:-1], "offenders": offenders[:-1],
                          "reoffences": rng.poisson(offenders[:-1] * rng.normal(1.0, 0.04, len(COHORT_YEARS) - 1)),
                          "provisional": False})
    scheme = rng.poisson(120, len(COHORT_YEARS))
    before = rng.poisson(scheme * 12)
    iom = pd.DataFrame({"area_code": county, "cohort_year": COHORT_YEARS, "offenders": scheme,
                        "offences_before": before, "offences_after": rng.binomial(before, 0.62), "provisional": False})
    # About 38% re-offend, each 2.6 times on average (MoJ's juvenile cohorts: 43%, 3.4); drawn last,
    # so the other figures are those of earlier samples
    youth.insert(4, "reoffenders", np.minimum(rng.binomial(youth["offenders"], 0.38), youth["reoffences"]))
    tables = {"local_counts": pd.concat(counts), "local_proportions": pd.concat(proportions),
              "youth_reoffending": youth, "iom_cohorts": iom}
    for table in tables.values():
        table["provisional"] = np.where(table["provisional"], "yes", "no")
    return tables


def write(tables: dict[str, pd.DataFrame], data_dir: Path, seed: int = SEED) -> None:
    folder = Path(data_dir) / LOCAL
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
    note = f"an illustrative sample made by the project (seed {seed}), not real local figures"
    sources = {f"{name}.csv": {"illustrative": True, "description": note} for name in tables}
    (Path(data_dir) / SOURCES_FILE).write_text(
        "# Where each local data file comes from. Set illustrative: false for real exports.\n"
        + yaml.safe_dump(sources, sort_keys=True), encoding="utf-8")


def latest_residents(data_dir: Path, file_name: str) -> dict[str, int]:
    """District -> residents in the latest estimate of a derived population file."""
    population = pd.read_csv(Path(data_dir) / file_name, dtype={"area_code": str})
    latest = population[population["year"] == population["year"].max()]
    return dict(zip(latest["area_code"], latest["population"].astype(int)))

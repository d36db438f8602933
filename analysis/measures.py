"""The measure catalogue (`data/measures.yml`): every measure declared once, validated on load."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.funnel import DISTRICT_LIMITS, OVERDISPERSED
from analysis.lait import MEASURES
from analysis.paths import MEASURES_FILE
from analysis.yamlfile import read_yaml

OUTCOMES = (
    "Ongoing reductions in crime",
    "Reducing re-offending",
    "Repeat victimisation and vulnerable victims",
    "ASB and satisfaction",
)
POLARITIES = ("lower_is_better", "higher_is_better", "neutral")
STATISTICS = ("count", "proportion", "rate_per_person", "percent_reduction", "published_rate")
PERIODS = ("quarter", "year_to_date", "rolling_12_months", "annual_cohort", "calendar_year")
ANNUAL_PERIODS = ("annual_cohort", "calendar_year")  # one figure a year, not monthly
TARGET_KINDS = ("reduction", "at_most", "at_least", "band", "none")
SOURCES = ("police_uk", "local_counts", "local_proportions", "youth_reoffending", "iom_cohorts", "dfe_lait")
POPULATIONS = ("all_ages", "aged_10_17")
ALL_TYPES = "*"
# Every crime type police.uk street-level files use (data.police.uk/about, "Crime categories"),
# including the categories of files before May 2013.
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences", "Violent crime", "Public disorder and weapons",
)

# The statistic each source can give.
SOURCE_STATISTICS = {
    "police_uk": "count", "local_counts": "count", "local_proportions": "proportion",
    "youth_reoffending": "rate_per_person", "iom_cohorts": "percent_reduction", "dfe_lait": "published_rate",
}
# The decimals the paper shows each statistic's values with: a target must need no more, or a value
# and its target could read alike while one misses the other ("1.04 against at most 1.04").
DECIMALS = {"count": 0, "rate_per_person": 2, "proportion": 1, "percent_reduction": 0, "published_rate": 1}
RATES_PER = tuple(10 ** power for power in range(7))  # "per 1,000 residents": a power of ten, up to a million
REQUIRED = ("id", "title", "outcome", "source", "statistic", "unit", "numerator", "denominator", "polarity",
            "periods", "comparison", "target", "test")


class CatalogueError(ValueError):
    """A catalogue entry that is missing a field or has a value outside what is allowed."""


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    outcome: str
    source: str
    statistic: str
    unit: str
    numerator: str
    denominator: str
    polarity: str
    periods: tuple[str, ...]
    comparison: str
    target: str
    test: str
    caveats: str = ""
    rate_per: int | None = None  # counts: rate per this many residents
    population: str = "all_ages"  # counts: which residents the rate is per
    crime_types: tuple[str, ...] | str = ()  # police_uk: the crime types counted, or ALL_TYPES
    exclude_crime_types: tuple[str, ...] = ()
    district_limits: str = OVERDISPERSED  # funnel limits: allowing for the spread between districts, or Poisson
    lait_measure: str = ""  # dfe_lait: LAIT's short description of the measure (analysis/lait.py)

    @property
    def headline_period(self) -> str:
        return self.periods[0]

    @property
    def monthly(self) -> bool:
        """Whether its figures are monthly (not one per cohort or calendar year)."""
        return self.headline_period not in ANNUAL_PERIODS

    def counts(self, crime_type: str) -> bool:
        """Whether a police.uk crime type is part of this measure."""
        if self.source != "police_uk" or crime_type in self.exclude_crime_types:
            return False
        return self.crime_types == ALL_TYPES or crime_type in self.crime_types


def load_measures(data_dir: Path) -> list[Measure]:
    path = Path(data_dir) / MEASURES_FILE
    try:
        entries = read_yaml(path)["measures"]
    except (OSError, KeyError, TypeError) as error:
        raise CatalogueError(f"{path}: expected a 'measures:' list ({error!r})") from error
    if not isinstance(entries, list):
        raise CatalogueError(f"{path}: expected a 'measures:' list, got {entries!r:.60}")
    measures, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        measure = _measure(f"{path}, measure {number}", entry)
        if measure.id in seen:
            raise CatalogueError(f"{path}, measure {number}: id {measure.id!r} is declared twice")
        seen.add(measure.id)
        measures.append(measure)
    return measures


def _measure(where: str, entry: object) -> Measure:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: expected a mapping of fields, got {entry!r}")
    where = f"{where} ({entry.get('id', 'no id')})"
    missing = [key for key in REQUIRED if key not in entry]
    if missing:
        raise CatalogueError(f"{where}: missing field(s) {', '.join(missing)}")
    for key in (*REQUIRED, "caveats"):
        if key != "periods" and key in entry and not (isinstance(entry[key], str) and entry[key].strip()):
            raise CatalogueError(f"{where}: {key} is {entry[key]!r:.60}, expected text")
    _one_of(where, "outcome", entry["outcome"], OUTCOMES)
    _one_of(where, "polarity", entry["polarity"], POLARITIES)
    _one_of(where, "source", entry["source"], SOURCES)
    _one_of(where, "statistic", entry["statistic"], (SOURCE_STATISTICS[entry["source"]],))
    _one_of(where, "target", entry["target"], TARGET_KINDS)
    _one_of(where, "population", entry.get("population", "all_ages"), POPULATIONS)
    _one_of(where, "district_limits", entry.get("district_limits", OVERDISPERSED), DISTRICT_LIMITS)
    polarity_needed = {"reduction": "lower_is_better", "at_most": "lower_is_better", "at_least": "higher_is_better"}
    if polarity_needed.get(entry["target"], entry["polarity"]) != entry["polarity"]:
        raise CatalogueError(f"{where}: a {entry['target']} target needs polarity "
                             f"{polarity_needed[entry['target']]}, not {entry['polarity']}")
    periods = entry["periods"]
    if not isinstance(periods, list) or not periods:
        raise CatalogueError(f"{where}: periods must be a list of {', '.join(PERIODS)}")
    for period in periods:
        _one_of(where, "periods", period, PERIODS)
    rate_per = entry.get("rate_per")
    if entry["statistic"] == "count" and (type(rate_per) is not int or rate_per not in RATES_PER):
        raise CatalogueError(f"{where}: a count needs rate_per, a whole number above 0: one of "
                             f"{', '.join(f'{rate:,}' for rate in RATES_PER)} residents; got {rate_per!r:.40}")
    if (entry["source"] == "dfe_lait") != (periods == ["calendar_year"]):
        raise CatalogueError(f"{where}: periods [calendar_year] go with source dfe_lait, and only with it")
    if entry["source"] == "dfe_lait":
        _one_of(where, "lait_measure", entry.get("lait_measure"), tuple(MEASURES))
        if rate_per != MEASURES[entry["lait_measure"]][0] or type(rate_per) not in (int, type(None)):
            per = MEASURES[entry["lait_measure"]][0]
            raise CatalogueError(f"{where}: LAIT publishes {entry['lait_measure']} " + (
                f"per {per:,}: rate_per must be {per}" if per else "as a percentage: give no rate_per"))
        if entry["target"] != "none":  # published rates carry no counts, so no interval to judge a target by
            raise CatalogueError(f"{where}: a published rate has no interval to judge a target by; target must be none")
    crime_types = entry.get("crime_types", ())
    if entry["source"] == "police_uk" and crime_types != ALL_TYPES and not (isinstance(crime_types, list) and crime_types):
        raise CatalogueError(f"{where}: crime_types must be a list of police.uk crime types or {ALL_TYPES!r}")
    for field in ("crime_types", "exclude_crime_types"):
        named = entry.get(field, [])
        if named != ALL_TYPES and not isinstance(named, list):
            raise CatalogueError(f"{where}: {field} is {named!r:.60}, expected a list of police.uk crime types")
        for crime_type in [] if named == ALL_TYPES else named:
            _one_of(where, field, crime_type, POLICE_UK_CRIME_TYPES)
    fields = {key: entry[key] for key in REQUIRED}
    return Measure(
        **{key: str(value) for key, value in fields.items() if key != "periods"},
        periods=tuple(periods),
        caveats=str(entry.get("caveats", "")),
        rate_per=entry.get("rate_per"),
        population=entry.get("population", "all_ages"),
        crime_types=crime_types if crime_types == ALL_TYPES else tuple(map(str, crime_types)),
        exclude_crime_types=tuple(map(str, entry.get("exclude_crime_types", []))),
        district_limits=entry.get("district_limits", OVERDISPERSED),
        lait_measure=str(entry.get("lait_measure", "")),
    )


def _one_of(where: str, field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise CatalogueError(f"{where}: {field} is {value!r}, expected one of: {', '.join(allowed)}")

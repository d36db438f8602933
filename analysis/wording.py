"""Plain-English sentences from assessment results.

Rules (DESIGN.md): a change that is not significant is "similar" with its size, never "increased";
only a significant change gets a direction word; counts stand next to percentages; percentages of
small counts are not given (3 to 6 is not usefully "+100%"); provisional figures are shown and
flagged but never called a significant change.
"""
from __future__ import annotations

from analysis.assess import Assessment, Result
from analysis.dataset import Dataset
from analysis.periods import Quarter, month_name, year_earlier
from analysis.stats import SIGNIFICANCE_LEVEL

SMALLEST_BASE_FOR_PERCENT = 20  # below this a count's % change is left out: 10 to 3 is not "-70%"
MINUS = "\u2212"

SIGNIFICANCE_MEANING = (
    f"A change is called significant when a change this large would happen by chance less than "
    f"{100 * (1 - SIGNIFICANCE_LEVEL):.0f} times in 100 ({100 * SIGNIFICANCE_LEVEL:.0f}% level); "
    f"any other change is described as similar, whatever its size."
)


def count(value: float) -> str:
    return f"{value:,.0f}"


def rate(value: float) -> str:
    return f"{value:,.1f}" if value >= 0.95 else f"{value:.2f}"


def signed(text: str) -> str:
    """'+12' stays, '-12' gets a true minus sign; a value that rounds to zero has no sign."""
    if not any(ch in "123456789" for ch in text.split(" ")[0]):
        text = text[1:] if text[:1] in "+-" else text
    return text.replace("-", MINUS)


def value_text(result: Result) -> str:
    """The value in its measure's own form: '12,987', '27.3%', '1.04', '38%'."""
    return _formatted(result.measure.statistic, result.value)


def _formatted(statistic: str, value: float) -> str:
    if statistic == "count":
        return count(value)
    if statistic == "rate_per_person":
        return f"{value:.2f}"
    return f"{value:.1f}%" if statistic == "proportion" else f"{value:.0f}%"


def value_with_unit(result: Result) -> str:
    """'12,987 crimes', '1 crime', '27.3% of cases (27 of 99)', '40% fewer offences (360 after, 600 before)'."""
    unit, statistic = result.measure.unit, result.measure.statistic
    if statistic == "proportion":
        return f"{value_text(result)} {unit.removeprefix('% ')} ({count(result.numerator)} of {count(result.denominator)})"
    if statistic == "percent_reduction":
        counts = f"({count(result.numerator)} offences after, {count(result.denominator)} before)"
        if result.value < 0:
            return f"{-result.value:.0f}% more offences {counts}"
        return f"{value_text(result)} {unit.removeprefix('% ')} {counts}"
    if statistic == "count" and round(result.value) == 1 and unit.endswith("s"):
        unit = unit[:-1]
    return f"{value_text(result)} {unit}"


def gap_unit(result: Result) -> str:
    """The unit a difference is measured in."""
    statistic = result.measure.statistic
    if statistic in ("proportion", "percent_reduction"):
        return "percentage points"
    return result.measure.unit


def difference_text(result: Result, difference: float) -> str:
    statistic = result.measure.statistic
    if statistic == "count":
        return signed(f"{difference:+,.0f}")
    if statistic == "rate_per_person":  # from the values as shown, so the sum adds up on the page
        return signed(f"{round(result.value, 2) - round(result.change.previous, 2):+.2f}")
    return signed(f"{difference:+.1f} percentage points")


def previous_text(result: Result) -> str:
    return _formatted(result.measure.statistic, result.change.previous)


def change_size(result: Result) -> str:
    """'+366, +62%' for counts with a base of 10 or more; otherwise the difference alone."""
    change = result.change
    parts = [difference_text(result, change.difference)]
    if change.percent is not None and change.previous >= SMALLEST_BASE_FOR_PERCENT and result.measure.statistic == "count":
        parts.append(signed(f"{change.percent:+.0f}%"))
    return ", ".join(parts)


def change_verdict(result: Result) -> str:
    """'significant increase' / 'significant fall' / 'no significant change' / why there is no test."""
    change = result.change
    if change is None:
        return "no comparison available"
    if not change.tested:
        return "provisional: not tested" if result.provisional else "not tested"
    if not change.significant:
        return "no significant change"
    return "significant increase" if change.difference > 0 else "significant fall"


def change_sentence(result: Result) -> str:
    """The comparison with the previous period, in words."""
    change = result.change
    cohort = result.period_type == "annual_cohort"
    against = "the previous cohort" if cohort else "the same period last year"
    if change is None:
        return f"no comparison is available with {against}"
    size = f"{previous_text(result)} in {_the(result.previous_label)}; {change_size(result)}"
    if not change.tested:
        reason = "the figures are provisional, so the change is not tested" if result.provisional else \
            "the change between cohorts is not tested"
        return f"against {size}: {reason}"
    if not change.significant:
        return f"similar to {against} ({size}): no significant change"
    direction = "up" if change.difference > 0 else "down"
    return f"{direction} on {against} ({size}): a {change_verdict(result)}"


def target_sentence(result: Result) -> str:
    """Against target: met or missed, by how much, and whether the gap is larger than chance."""
    check = result.target_check
    if check is None:
        return result.status_reason[0].upper() + result.status_reason[1:] if result.measure.target != "reduction" else ""
    target = check.target
    year = result.status_reason.removeprefix("against the ").removesuffix(" target")
    if target.kind == "band":
        band = f"the expected range of {target.low:g}% to {target.high:g}%"
        if check.position == "inside":
            return f"Inside {band}"
        chance = "more than chance variation would explain" if check.gap_beyond_chance else "within chance variation"
        return f"{check.position.capitalize()} {band} by {abs(check.gap):.1f} percentage points ({chance})"
    in_year = result.period_type != "annual_cohort"  # the year is not over: on course, not met
    if check.met:
        verb = f"On course for the {year} target" if in_year else f"Met the {year} target"
        return f"{verb} ({value_text(result)} against a target of {_target_phrase(result)})"
    chance = "larger than chance variation" if check.gap_beyond_chance else "within chance variation"
    return (f"{'Off course for' if in_year else 'Missed'} the {year} target by {_gap(result, abs(check.gap))} {gap_unit(result)} "
            f"({value_text(result)} against a target of {_target_phrase(result)}); the gap is {chance}")


def result_sentence(result: Result) -> str:
    """One or two sentences on one measure."""
    measure = result.measure
    if result.value is None:
        return f"{measure.title}: not available ({result.unavailable})."
    head = f"{measure.title}: {value_with_unit(result)} in {_the(result.period_label)}"
    if result.rate is not None:
        head += f" ({rate(result.rate[0])} per {count(measure.rate_per)} {_residents(result)})"
    if result.provisional:
        head += ", provisional"
    sentence = f"{head}, {change_sentence(result)}."
    target = target_sentence(result)
    return f"{sentence} {target}." if target else sentence


def summary_sentences(assessment: Assessment) -> list[str]:
    """Top of the report: the status tally, what is off track, and the significant changes."""
    headline = assessment.headline
    tally = {}
    for result in headline:
        tally[result.status.word.lower()] = tally.get(result.status.word.lower(), 0) + 1
    order = {"on track": "on track", "at risk": "at risk", "off track": "off track",
             "no target": "with no target", "not available": "not available"}
    parts = [f"{tally[word]} {phrase}" for word, phrase in order.items() if word in tally]
    sentences = [f"Of the {len(headline)} measures for {assessment.area.name}, " + listed(parts) + "."]
    off_track = [r for r in headline if r.status.key == "off_track"]
    if off_track:
        sentences.append("Off track: " + listed([f"{lower_first(r.measure.title)} ({_off_track_reason(r)})"
                                                   for r in off_track]) + ".")
    changed = [r for r in headline if r.change is not None and r.change.significant and r.status.key != "off_track"]
    rises = [r for r in changed if r.change.difference > 0]
    falls = [r for r in changed if r.change.difference < 0]
    for label, items in (("Significant increases", rises), ("Significant falls", falls)):
        if items:
            sentences.append(f"{label}: " + "; ".join(f"{lower_first(r.measure.title)} ({change_size(r)})" for r in items) + ".")
    if not changed and not off_track:
        sentences.append("No headline measure changed significantly on the same period last year.")
    return sentences


def data_gaps(dataset: Dataset, quarter: Quarter, assessment: Assessment | None = None) -> list[str]:
    """What the data lack for this quarter and its comparison with last year: police.uk months,
    local measures whose figures end before the quarter does or lack one of its months, and (given
    an assessment) any other period a measure's figures for the area lack. Each gap is said once,
    the first way found; empty when nothing is missing."""
    gaps: dict[tuple[str, str], str] = {}  # (whose data, which period) -> the sentence
    for month, problem in sorted(dataset.month_problems.items()):
        if month in quarter.months or month in year_earlier(quarter.months):
            gaps[("police file", month)] = f"The police.uk file for {month_name(month)} is not used: {problem}."
    missing = [m for m in quarter.months if m not in dataset.months_present]
    if missing:
        gaps[("police.uk", quarter.label)] = (
            f"The police.uk data lack {listed(list(map(month_name, missing)))} of {quarter}: its crime and "
            f"anti-social behaviour figures are not available, and are not a fall.")
    last_year = quarter.same_quarter_last_year()
    earlier = [m for m in last_year.months if m not in dataset.months_present]
    if earlier:
        gaps[("police.uk comparison", last_year.label)] = (
            f"The police.uk data lack {listed(list(map(month_name, earlier)))} of {last_year}: there is no "
            f"comparison with last year for crime and anti-social behaviour.")
    counts = dataset.crime_counts[dataset.crime_counts["month"].isin(quarter.months)]
    for crime_type in dataset.uncounted_crime_types:
        rows = int(counts.loc[counts["crime_type"] == crime_type, "count"].sum())
        gaps[("crime type", crime_type)] = (f"The police.uk crime type {crime_type!r} ({count(rows)} in {quarter}) "
                                            f"is counted by no measure of the catalogue (data/measures.yml).")
    for measure in dataset.measures:
        table = dataset.local.tables.get(measure.source)
        if measure.source == "police_uk" or table is None or "month" not in table:
            continue
        months = set(table.loc[table["measure_id"] == measure.id, "month"])
        lacking = [m for m in quarter.months if m not in months]
        if months and max(months) < quarter.months[-1]:
            gaps[(measure.title, "")] = (f"{measure.title}: the figures in local/{measure.source}.csv end in "
                                         f"{month_name(max(months))}, before {quarter} ends "
                                         f"({month_name(quarter.months[-1])}).")
        elif months and lacking:
            gaps[(measure.title, "")] = (f"{measure.title}: local/{measure.source}.csv lacks "
                                         f"{listed(list(map(month_name, lacking)))}.")
    for result in assessment.results if assessment else ():
        whose = "police.uk" if result.measure.source == "police_uk" else result.measure.title
        figures = "The police.uk data" if whose == "police.uk" else \
            f"{result.measure.title}: the figures for {assessment.area.name}"
        if (result.unavailable or "").startswith("data lack"):
            key = (whose, result.period_label if whose == "police.uk" else "")
            gaps.setdefault(key, f"{figures} {result.unavailable.removeprefix('data ')}"
                                 + (": those figures are not available." if whose == "police.uk" else "."))
        elif result.value is not None and result.change is None and result.period_type != "annual_cohort":
            key = ("police.uk comparison", result.previous_label) if whose == "police.uk" else (whose, "")
            gaps.setdefault(key, f"{figures} lack months of {result.previous_label}: there is no comparison with it.")
    return list(gaps.values())


def quarter_heading(quarter: Quarter) -> str:
    """'2022-23 Quarter 2 (Jul-Sep 2022)'."""
    return f"{quarter.financial_year} Quarter {quarter.number} ({quarter.month_span})"


def _off_track_reason(result: Result) -> str:
    if result.target_check is None:
        return f"{change_size(result)} on the same period last year, a {change_verdict(result)}"
    if result.target_check.target.kind == "band":
        return f"{value_text(result)} against the expected range of {_target_phrase(result)}"
    return f"{value_text(result)} against a target of {_target_phrase(result)}"


def lower_first(title: str) -> str:
    """'Burglary' -> 'burglary', but 'ASB incidents' and 'MARAC' keep their capitals."""
    return title if title[:2].isupper() else title[:1].lower() + title[1:]


def _target_phrase(result: Result) -> str:
    target = result.target_check.target
    if target.kind == "band":
        return f"{target.low:g}% to {target.high:g}%"
    return f"{'at most' if target.kind == 'at_most' else 'at least'} {_target_value(result, target.value)}"


def _the(label: str) -> str:
    """Period labels read after 'in': cohorts take 'the'; the others carry their own article."""
    return f"the {label}" if label.endswith("cohort") else label


def _target_value(result: Result, value: float) -> str:
    statistic = result.measure.statistic
    if statistic == "rate_per_person":
        return f"{value:.2f}"
    return f"{value:g}%" if statistic in ("proportion", "percent_reduction") else f"{value:,g}"


def _gap(result: Result, gap: float) -> str:
    return f"{gap:.2f}" if result.measure.statistic == "rate_per_person" else f"{gap:.1f}"


def _residents(result: Result) -> str:
    return "residents aged 10 to 17" if result.measure.population == "aged_10_17" else "residents"


def listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def target_cell(result: Result) -> str:
    """The dashboard's target column."""
    kind = result.measure.target
    if kind == "none":
        return "none (direction reported)"
    if kind == "reduction":
        return "lower than the same period last year"
    if result.target_check is None:
        return "not available" if result.value is None else result.status_reason
    return _target_phrase(result)


def change_cell(result: Result) -> str:
    if result.change is None:
        return "no comparison available"
    return f"{change_size(result)} ({change_verdict(result)})"


def trend_cell(result: Result) -> str:
    if result.trend is None:
        return "annual figure" if result.period_type == "annual_cohort" else "not available"
    return result.trend.label


def spc_cell(result: Result) -> str:
    chart = result.spc
    if chart is None:
        return "annual figure" if result.period_type == "annual_cohort" else "not available"
    if chart.variation_icon is None:
        return chart.note or "too few months"
    text = chart.variation_icon + (f"; {chart.assurance_icon}" if chart.assurance_icon else "")
    return text + (" (provisional limits)" if chart.provisional else "")


def districts_cell(result: Result) -> str:
    """'2 higher, 5 similar' or why there is no comparison."""
    if result.districts is None:
        return "county-wide only" if result.value is not None else "not available"
    labels = result.districts.loc[~result.districts["is_county"], "label"]
    return ", ".join(f"{(labels == label).sum()} {label}" for label in ("higher", "similar", "lower")
                     if (labels == label).any())


def districts_sentence(result: Result) -> str:
    """Which districts differ from the county, at the 95% funnel limits."""
    table = result.districts[~result.districts["is_county"]]
    parts = []
    for label in ("higher", "lower"):
        names = table.loc[table["label"] == label, "area"].tolist()
        if names:
            parts.append(f"{listed(names)} {'is' if len(names) == 1 else 'are'} {label} than the county")
    if not parts:
        return f"{result.measure.title}: every district is similar to the county at the 95% funnel limits."
    return f"{result.measure.title}: " + "; ".join(parts) + " (95% funnel limits); the others are similar."

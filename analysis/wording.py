"""Plain-English sentences from assessment results.

Rules (DESIGN.md): a change that is not significant is "similar" with its size, never "increased";
only a significant change gets a direction word; counts stand next to percentages; percentages of
small counts are not given (3 to 6 is not usefully "+100%"); provisional figures are shown and
flagged but never called a significant change.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from analysis.areas import Nouns
from analysis.assess import Assessment, Result, placement_shifts, rows_in_no_part
from analysis.dataset import Dataset
from analysis.funnel import OVERDISPERSED
from analysis.measures import DECIMALS
from analysis.periods import Quarter, month_name, year_earlier
from analysis.spc import FIRM_LIMIT_POINTS, RUN_LENGTH
from analysis.stats import SIGNIFICANCE_LEVEL
from analysis.trend import TREND_MONTHS

SMALLEST_BASE_FOR_PERCENT = 20  # below this a count's % change is left out: 10 to 3 is not "-70%"
LARGE_PERCENT, LARGE_POINTS = 10, 5  # a change this large is never called "similar", significant or not
MINUS = "\u2212"
EVENT_MARK = "\u2020"  # a comparison that spans a known event (data/events.yml)

SIGNIFICANCE_MEANING = (
    f"A change is called significant when a change this large would happen by chance less than "
    f"{100 * (1 - SIGNIFICANCE_LEVEL):.0f} times in 100 if nothing had really changed ({100 * SIGNIFICANCE_LEVEL:.0f}% "
    f"level), once the paper's other tests are allowed for (Appendix 3); "
    f"any other change is described as similar or, when it is {LARGE_PERCENT}% or more of a count of at least "
    f"{SMALLEST_BASE_FOR_PERCENT} (or {LARGE_POINTS} percentage points), as not statistically significant."
)


def count(value: float) -> str:
    return f"{value:,.0f}"


SMALL_RATE = 0.95  # below this a rate shows two decimal places (0.09, not 0.1), in text and tables alike


def rate(value: float) -> str:
    return f"{value:,.1f}" if value >= SMALL_RATE else f"{value:.2f}"


def signed(text: str) -> str:
    """'+12' stays, '-12' gets a true minus sign; a value that rounds to zero has no sign."""
    if not any(ch in "123456789" for ch in text.split(" ")[0]):
        text = text[1:] if text[:1] in "+-" else text
    return text.replace("-", MINUS)


def value_text(result: Result) -> str:
    """The value in its measure's own form: '12,987', '27.3%', '1.04', '38%'."""
    return _formatted(result.measure, result.value)


def _formatted(measure, value: float) -> str:
    statistic = measure.statistic
    if statistic == "count" or (statistic == "published_rate" and measure.rate_per):  # YJB's rates are whole numbers
        return count(value)
    shown = f"{value:.{DECIMALS[statistic]}f}"
    if statistic == "published_rate":  # as its published decimals read: 55.55 is 55.6, whatever binary makes of it
        shown = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-DECIMALS[statistic]), ROUND_HALF_UP))
    return shown if statistic == "rate_per_person" else f"{shown}%"


def value_with_unit(result: Result) -> str:
    """'12,987 crimes', '1 crime', '27.3% of cases (27 of 99)', '40% fewer offences (360 after, 600 before)'."""
    unit, statistic = result.measure.unit, result.measure.statistic
    if statistic == "proportion":
        return f"{value_text(result)} {unit.removeprefix('% ')} ({count(result.numerator)} of {count(result.denominator)})"
    if statistic == "published_rate":
        return f"{value_text(result)} {unit.removeprefix('% ')}"
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
    if _in_points(result):
        return "percentage points"
    return result.measure.unit


def _in_points(result: Result) -> bool:
    """Whether the measure is a percentage, whose differences are percentage points."""
    statistic = result.measure.statistic
    return statistic in ("proportion", "percent_reduction") or (statistic == "published_rate" and not result.measure.rate_per)


def difference_text(result: Result) -> str:
    """The change on the previous value, worked from the two values as the page shows them, so the sum
    adds up on the page (25.3% against 18.7% is +6.6 points, whatever the unrounded values)."""
    statistic, change = result.measure.statistic, result.change
    if statistic == "count" or (statistic == "published_rate" and result.measure.rate_per):
        shown = float(value_text(result).replace(",", "")) - float(previous_text(result).replace(",", ""))
        return signed(f"{shown:+,.0f}")
    places = {"rate_per_person": 2, "proportion": 1, "published_rate": 1}.get(statistic, 0)
    shown = float(f"{result.value:.{places}f}") - float(f"{change.previous:.{places}f}")
    if statistic == "percent_reduction":  # "+3 points" of a reduction could read as 3 points more offending
        size = f"{abs(shown):.0f} percentage point{'' if abs(shown) == 1 else 's'}"
        return "the same reduction" if shown == 0 else f"a reduction {size} {'larger' if shown > 0 else 'smaller'}"
    return signed(f"{shown:+.{places}f}" + ("" if statistic == "rate_per_person" else " percentage points"))


def previous_text(result: Result) -> str:
    return _formatted(result.measure, result.change.previous)


def change_size(result: Result, unit: str = "") -> str:
    """'+366, +62%' for counts with a base of 10 or more; otherwise the difference alone; `unit` after
    the difference ('-15 per 100,000, -12%')."""
    change = result.change
    parts = [difference_text(result) + unit]
    if change.percent is not None and change.previous >= SMALLEST_BASE_FOR_PERCENT and result.measure.statistic in (
            "count", "published_rate"):
        parts.append(signed(f"{change.percent:+.0f}%"))
    return ", ".join(parts)


def tests_sentence(assessment: Assessment, papers: int) -> str:
    """How many changes the paper tests, and why that matters."""
    tested = [r for r in assessment.results if r.change is not None and r.change.q_value is not None]
    if not tested:
        return ("This paper tests no change on an earlier period: none has one to compare with, or its figures "
                "are provisional.")
    tests, measures = tested[0].change.tests, len({r.measure.id for r in tested})
    pack = f" (each of the pack's {papers} papers allows for its own)" if papers > 1 else ""
    return (f"This paper tests {tests} change{'' if tests == 1 else 's'} in {measures} measure"
            f"{'' if measures == 1 else 's'}{pack}: "
            f"by chance alone about 1 in 20 would pass a 5% test, so the false discovery rate is kept at 5% "
            f"(Benjamini-Hochberg).")


def chance_note(change) -> str:
    """' (p = 0.033 alone, not significant once the paper's 21 tests are allowed for)' where a change
    passes a single 5% test but not the paper's false discovery rate control; else ''."""
    if change is None or change.significant or not change.nominally_significant:
        return ""
    return f" ({p_value(change.p_value)} alone, not significant once the paper's {change.tests} tests are allowed for)"


def change_verdict(result: Result) -> str:
    """'significant increase' / 'significant fall' / 'no significant change' / why there is no test."""
    change = result.change
    if change is None:
        return "no comparison available"
    if not change.tested:
        return "provisional: not tested" if result.provisional else \
            "rates only: not tested" if result.period_type == "calendar_year" else "not tested"
    if not change.significant:
        return "not statistically significant" if large_change(result) else "no significant change"
    return "significant increase" if change.difference > 0 else "significant fall"


def large_change(result: Result) -> bool:
    """A change too large to call "similar" when it is not significant: 10% or more of a count or
    rate (of a base of at least SMALLEST_BASE_FOR_PERCENT), or 5 percentage points."""
    change = result.change
    if result.measure.statistic in ("proportion", "percent_reduction"):
        return abs(round(change.difference, 1)) >= LARGE_POINTS  # as shown: -4.96 reads -5.0
    if change.percent is None or abs(change.percent) < LARGE_PERCENT:
        return False
    return result.measure.statistic != "count" or change.previous >= SMALLEST_BASE_FOR_PERCENT


def p_value(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def period_phrase(result: Result) -> str:
    """'2022-23 Q2', 'the year to date, Apr-Sep 2022', 'the 2020-21 cohort'."""
    label = _the(result.period_label)
    return f"the {label}" if label.startswith(("year to date", "12 months")) else label


def status_explanation(result: Result) -> str:
    """Why a measure has its status, in words: the key messages and the exceptions give this reason."""
    check, change = result.target_check, result.change
    if check is not None:
        gap = "larger than chance variation" if check.gap_beyond_chance else "within chance variation"
        if check.met:
            return f"{value_text(result)} against a target of {_target_phrase(result)}"
        against = "the expected range of" if check.target.kind == "band" else "a target of"
        return f"{value_text(result)} against {against} {_target_phrase(result)}; the gap is {gap}"
    if result.measure.target == "reduction" and change is not None:
        size = f"{change_size(result)} on {_the(result.previous_label)} ({previous_text(result)})"
        if change.difference <= 0:
            return f"at or below the same period last year: {size}"
        if change.significant:
            return f"{size}, a significant increase ({p_value(change.p_value)})"
        return f"{size}, a rise within what chance could explain{chance_note(change)}"
    return result.status_reason


def district_methods(assessment: Assessment) -> str:
    """How the parts are judged against the whole area: the funnel limits the catalogue chose."""
    compared = [r for r in assessment.headline if r.districts is not None]
    widened = [r for r in compared if r.measure.district_limits == OVERDISPERSED]
    nouns = assessment.area.nouns
    text = f"{nouns.parts.capitalize()}: funnel limits around the {nouns.whole} value at 95% and 99.8%"
    if not widened:
        return text + f", PHE's exact Poisson limits (not widened for the spread between {nouns.parts})."
    return (text + f", widened for the spread between {nouns.parts} beyond chance (Spiegelhalter's random-effects "
            "method, 10% winsorised z-scores; \u03c6 measures that spread, 1 where it is chance alone): counts in "
            f"the thousands vary between {nouns.parts} many times more than chance, and plain Poisson limits would "
            f"flag most {nouns.parts}. Where {nouns.parts} vary no more than chance"
            + (", or the catalogue asks for them," if len(widened) < len(compared) else "")
            + " PHE's exact Poisson limits are used. Each funnel plot says which.")


def cohort_methods(assessment: Assessment) -> str:
    """What the re-offending and IOM figures' tests allow for, with the dispersion used, and what they
    cannot show; '' where the paper reports neither."""
    dispersion = {r.measure.statistic: r.dispersion for r in assessment.headline if r.dispersion is not None}
    parts = []
    if "rate_per_person" in dispersion:
        parts.append("Youth re-offending: a few prolific offenders commit many of the re-offences, so the count varies "
                     "more than chance alone would make it. Its interval and its test against the cohort before take it "
                     f"as \u03c6 = {dispersion['rate_per_person']:.1f} times as variable (from the spread between the "
                     "cohorts and, where the data say how many re-offended, from how unevenly the re-offences fall). "
                     "The test says whether the rate changed by more than that; not why.")
    if "percent_reduction" in dispersion:
        parts.append("IOM: the reduction compares the cohort's offences in the year after joining with the year before "
                     f"(interval allowing for the spread between cohorts, \u03c6 = {dispersion['percent_reduction']:.1f}). "
                     "IOM cohorts are chosen for high offending, which tends to fall anyway (regression to the mean), "
                     "so a reduction does not show that IOM caused it; the change from the cohort before is not tested.")
    return " ".join(parts)


def spc_reason(chart) -> str:
    """Why the latest month is special cause: 'Sep 2022 (1,302) above the upper process limit (1,250)'."""
    point, limits = chart.points[-1], chart.limits
    high = point.side == "high"
    month = month_name(point.month)
    if point.beyond_limit:
        limit = limits.upper_process_limit if high else limits.lower_process_limit
        return (f"{month} ({_chart_value(point.value)}) {'above the upper' if high else 'below the lower'} "
                f"process limit ({_chart_value(limit)})")
    if point.trend:
        return f"{RUN_LENGTH} or more months each {'higher' if high else 'lower'} than the last, to {month}"
    if point.two_of_three:
        return f"two of three months to {month} close to the {'upper' if high else 'lower'} process limit"
    return f"{RUN_LENGTH} or more months in a row {'above' if high else 'below'} average, to {month}"


def _chart_value(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def trend_size(trend) -> str:
    return signed(f"{trend.monthly_percent_change:+.1f}") + "% a month"


def trend_words(trend) -> str:
    """'rising six-month trend (+6.0% a month)', or, fitted on fewer months, 'rising trend over the 5
    months with figures of the last six (+6.0% a month)'."""
    if trend.months_used < TREND_MONTHS:
        return (f"{trend.label} trend over the {trend.months_used} months with figures of the last {TREND_MONTHS}"
                f" ({trend_size(trend)})")
    return f"{trend.label} six-month trend ({trend_size(trend)})"


def change_sentence(result: Result) -> str:
    """The comparison with the previous period, in words, marked \u2020 where it spans a known event
    (`events_note` says which)."""
    return _comparison(result) + (EVENT_MARK if result.change is not None and result.events else "")


def events_note(results, explained: bool = False) -> str:
    """'\u2020 Spans the end of most COVID-19 restrictions in England (19 Jul 2021).': the known events
    the results' comparisons span; `explained` adds what that means (the paper says it once)."""
    events = sorted({event for result in results if result.change is not None for event in result.events},
                    key=lambda event: event.date)
    if not events:
        return ""
    meaning = f" A comparison marked {EVENT_MARK} spans a known event, which may account for part of the change." \
        if explained else ""
    return f"{EVENT_MARK} Spans {listed([str(event) for event in events])}.{meaning}"


def _comparison(result: Result) -> str:
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
        if large_change(result):
            return f"against {size}: not statistically significant{chance_note(change)}"
        return f"similar to {against} ({size}): no significant change{chance_note(change)}"
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
        band = f"the expected range of {plain(target.low)}% to {plain(target.high)}%"
        if check.position == "inside":
            return f"Inside {band}"
        chance = "more than chance variation would explain" if check.gap_beyond_chance else "within chance variation"
        return f"{check.position.capitalize()} {band} by {abs(check.gap):.1f} percentage points ({chance})"
    in_year = result.period_type != "annual_cohort"  # the year is not over: on course, not met
    if check.met:
        verb = f"On course for the {year} target" if in_year else f"Met the {year} target"
        return f"{verb} ({value_text(result)} against a target of {_target_phrase(result)})"
    chance = "larger than chance variation" if check.gap_beyond_chance else "within chance variation"
    numbers = f"{value_text(result)} against a target of {_target_phrase(result)}"
    gap = f"{_gap(result, abs(check.gap))} {gap_unit(result)}"
    if in_year:  # the status word itself: "At risk" or "Off track" while the year runs
        return f"{result.status.word} for the {year} target, which it misses by {gap} ({numbers}); the gap is {chance}"
    return f"Missed the {year} target by {gap} ({numbers}); the gap is {chance}"


def result_sentence(result: Result) -> str:
    """One or two sentences on one measure."""
    measure = result.measure
    if result.value is None:
        return f"{measure.title}: not available ({result.unavailable})."
    if result.period_type == "calendar_year":
        return published_sentence([result])
    head = f"{measure.title}: {value_with_unit(result)} in {_the(result.period_label)}"
    if result.rate is not None:
        head += f" ({rate(result.rate[0])} per {count(measure.rate_per)} {_residents(result)})"
    if result.provisional:
        head += ", provisional"
    sentence = f"{head}, {change_sentence(result)}."
    target = target_sentence(result)
    return f"{sentence} {target}." if target else sentence


def _against_region(result: Result) -> tuple[str, str]:
    """A published rate beside its region's as shown: 'lower', 'higher' or 'the same', and ', better'
    or ', worse' where the measure has a direction ('' otherwise)."""
    own, theirs = value_text(result), _formatted(result.measure, result.region[1])
    position = "the same" if own == theirs else "lower" if result.value < result.region[1] else "higher"
    better = {"lower_is_better": "lower", "higher_is_better": "higher"}.get(result.measure.polarity)
    return position, "" if position == "the same" or better is None else (", better" if position == better else ", worse")


def worse_than_region(result: Result) -> str:
    """For the board's attention: a published rate worse than its region's, said to be untested; '' otherwise."""
    if result.region is None or _against_region(result)[1] != ", worse":
        return ""
    name, value = result.region
    return (f"{value_text(result)} in {result.year}, {_against_region(result)[0]} "
            f"than the {name} region's {_formatted(result.measure, value)} (official figures; not tested, as only "
            f"rates are published)")


def published_sentence(results: list[Result]) -> str:
    """Published rates of one year, each against the year before and its region's, as shown, saying
    which is better: in one sentence, as neither difference is tested (the rates come without counts)."""
    year, before = results[0].year, results[0].year - 1
    region = next((f" and the {r.region[0]} region" for r in results if r.region is not None), "")
    return (f"Published figures for calendar year {year}, against {before}{region} (not tested, as only rates are "
            f"published): " + "; ".join(_published_figures(result) for result in results) + ".")


def _published_figures(result: Result) -> str:
    """'... 108 entrants per 100,000 residents aged 10 to 17 (123 in 2020, -15 per 100,000, -12%; region 158, lower, better)'."""
    before = result.year - 1
    per = f" per {count(result.measure.rate_per)}" if result.measure.rate_per else ""
    against = [f"{previous_text(result)} in {before}, {change_size(result, per)}" if result.change is not None
               else f"{before} not published",
               f"region {_formatted(result.measure, result.region[1])}, {''.join(_against_region(result))}"
               if result.region is not None else "region not published"]
    return f"{lower_first(result.measure.title)}, {value_with_unit(result)} ({'; '.join(against)})"


def overview(area: str, headline: list[Result], headline_measure: str) -> str:
    """The key messages' opening paragraph: the overall direction of crime, the status of every
    measure with the ones that are not on track named, and the good news."""
    sentences = []
    lead = next((r for r in headline if r.measure.id == headline_measure and r.value is not None), None)
    if lead is not None:
        sentences.append(f"{lead.measure.title} in {area}: {value_with_unit(lead)} in "
                         f"{_the(lead.period_label)}, {change_sentence(lead)}.")
    by_status: dict[str, list[str]] = {}
    for result in headline:  # a figure without a comparison or target to judge it is not "not available"
        key = "unjudged" if result.status.key == "not_available" and result.value is not None else result.status.key
        by_status.setdefault(key, []).append(lower_first(result.measure.title))
    parts = []
    for key, phrase, named in STATUS_TALLY:
        titles = by_status.get(key, [])
        if titles:
            parts.append(f"{len(titles)} {phrase}" + (f" ({listed(titles)})" if named else ""))
    sentences.append(f"Of the {len(headline)} measures reported for {area}, {listed(parts)}.")
    better = [r for r in headline if r.change is not None and r.change.significant and r.measure.polarity != "neutral"
              and (r.change.difference < 0) == (r.measure.polarity == "lower_is_better")]
    if better:
        sentences.append("Significant improvements on last year: " + "; ".join(
            f"{lower_first(r.measure.title)} ({change_size(r)})" for r in better) + ".")
    return " ".join(sentences)


# How the status tally reads: (status key, phrase, whether the measures are named).
STATUS_TALLY = (("off_track", "off track", True), ("missed", "missed their target", True),
                ("at_risk", "at risk", True), ("on_track", "on track", False), ("met", "met their target", True),
                ("no_target", "with no target", False),
                ("unjudged", "with figures but no comparison or target to judge them by", True),
                ("not_available", "not available", True))


def any_judged(results: list[Result]) -> bool:
    """Whether any measure was judged: a tested change, an SPC reading or a status against a target."""
    return any((r.change is not None and r.change.tested) or (r.spc and r.spc.variation_icon)
               or r.status.key in ("on_track", "at_risk", "off_track", "met", "missed") for r in results)


def nothing_for_attention(results: list[Result]) -> str:
    """What the key messages say when no measure needs the board's attention: that none was found
    wanting, or, where nothing could be judged, that (never a reassurance no test gave)."""
    if any_judged(results):
        return ("No measure needs the board's attention this quarter: nothing is off track and no test or SPC rule "
                "found a change for the worse.")
    return ("No measure could be judged this quarter: none has an earlier period to compare with, a target, or the "
            "12 months an SPC chart needs; the figures are given as they are.")


def notable_sentence(result: Result, signals) -> str:
    """A notable measure: its figures, then what the status, other periods, SPC and trend add."""
    sentences = [result_sentence(result)]
    if result.measure.target == "reduction" and result.status.key == "at_risk":
        sentences.append("At risk: the target is to be no higher than the same period last year, and the rise is "
                         "within what chance could explain.")
    for signal in signals:
        if signal.kind != "status" and not (signal.kind == "change" and signal.headline):
            sentences.append(signal.words[0].upper() + signal.words[1:] + ".")
    return " ".join(sentences)


def quiet_sentence(results: list[Result]) -> str:
    """The measures with nothing notable, in one sentence with their figures."""
    return ("No significant change, SPC signal or clear trend, and on track or with no target: " + listed([f"{lower_first(r.measure.title)} ({value_with_unit(r)}, {_change_brief(r)})"
                                              for r in results]) + ".")


def _change_brief(result: Result) -> str:
    return "no comparison available" if result.change is None else f"{change_size(result)} on {_the(result.previous_label)}"


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
    shift = placement_shift(dataset, quarter)
    if shift:
        gaps[("placement", quarter.label)] = shift
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
        elif result.value is not None and result.change is None and result.period_type not in ("annual_cohort",
                                                                                                "calendar_year"):
            key = ("police.uk comparison", result.previous_label) if whose == "police.uk" else (whose, "")
            gaps.setdefault(key, f"{figures} lack months of {result.previous_label}, so there is no comparison "
                                 f"with that period.")
    return list(gaps.values())


def rows_in_no_part_sentence(dataset: Dataset, quarter: Quarter) -> str:
    """The rows no part of the area can count, in the quarter and the same quarter last year."""
    whole = dataset.areas.county
    shares = [(period, rows_in_no_part(dataset, period)) for period in (quarter, quarter.same_quarter_last_year())]
    said = [f"{count(rows[0])} of {count(rows[1])} ({100 * rows[0] / rows[1]:.1f}%) in {period}"
            for period, rows in shares if rows]
    if not said:
        return ""
    which = (f"Rows in {whole.name}'s total but in none of its {whole.nouns.parts} (placed outside it, or without a "
             f"location)" if whole.force else
             "Rows placed in no district (without a location, or with an LSOA not in the lookup)")
    return f"{which}: {'; '.join(said)}{'' if len(said) == 2 else f'; no {shares[1][0]} files'}."


def placement_shift(dataset: Dataset, quarter: Quarter) -> str:
    """A warning where, for a police.uk measure, the share of its records no part can count differs
    materially between the quarter and the same quarter last year (`assess.placement_shifts`): its
    change on last year moves by about as much, not because of crime. Each is named with its shift."""
    last_year, whole = quarter.same_quarter_last_year(), dataset.areas.county
    shifts = {lower_first(measure.title): shift for measure, shift in placement_shifts(dataset, quarter).items()}
    sentences = []
    for more in (True, False):
        named = [f"{title} {abs(shift):.1f}" for title, shift in shifts.items() if (shift > 0) == more]
        if not named:
            continue
        which = (f"{'More' if more else 'Fewer'} of {whole.name}'s police.uk records were in none of its "
                 f"{whole.nouns.parts} in {quarter} than in {last_year}, so the {whole.nouns.parts}' counts"
                 if whole.force else
                 f"{'More' if more else 'Fewer'} police.uk records had no location (so no district) in {quarter} "
                 f"than in {last_year}, so this quarter's counts")
        sentences.append(f"{which} are too {'low' if more else 'high'} and their changes on last year about this many "
                         f"percentage points {'lower' if more else 'higher'} than crime alone would make them: "
                         f"{listed(named)}.")
    if not sentences:
        return ""
    unaffected = [lower_first(m.title) for m in dataset.measures if m.source == "police_uk" and lower_first(m.title) not in shifts]
    if unaffected:
        named = listed(unaffected)
        sentences.append(f"{named[:1].upper()}{named[1:]} {'is' if len(unaffected) == 1 else 'are'} not materially affected.")
    if whole.force:
        sentences.append(f"{whole.name}'s own totals count every record and are not affected.")
    return " ".join(sentences)


def quarter_heading(quarter: Quarter) -> str:
    """'2022-23 Quarter 2 (Jul-Sep 2022)'."""
    return f"{quarter.financial_year} Quarter {quarter.number} ({quarter.month_span})"


def lower_first(title: str) -> str:
    """'Burglary' -> 'burglary', but 'ASB incidents' and 'MARAC' keep their capitals."""
    return title if title[:2].isupper() else title[:1].lower() + title[1:]


def _target_phrase(result: Result) -> str:
    target = result.target_check.target
    if target.kind == "band":
        return f"{plain(target.low)}% to {plain(target.high)}%"
    return f"{'at most' if target.kind == 'at_most' else 'at least'} {_target_value(result, target.value)}"


def _the(label: str) -> str:
    """Period labels read after 'in': cohorts take 'the'; the others carry their own article."""
    return f"the {label}" if label.endswith("cohort") else label


def plain(value: float) -> str:
    """A target as written, in plain decimals with thousands separated: 1.01, 30, 1,200 (never 1.2e+03)."""
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def _target_value(result: Result, value: float) -> str:
    statistic = result.measure.statistic
    if statistic == "rate_per_person":
        return f"{value:.2f}"
    return f"{plain(value)}%" if statistic in ("proportion", "percent_reduction") else plain(value)


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
        return "none"  # the status, "No target", and the key say the direction is reported, not judged
    if kind == "reduction":
        return "reduction"
    if result.target_check is None:
        return "not available" if result.value is None else result.status_reason
    return _target_phrase(result)


def change_cell(result: Result) -> str:
    if result.change is None:
        return "no comparison available"
    return f"{change_size(result)} ({change_verdict(result)})"


def trend_cell(result: Result) -> str:
    if result.trend is None:
        return "annual figure" if result.period_type in ("annual_cohort", "calendar_year") else "not available"
    return result.trend.label


def spc_cell(result: Result) -> str:
    chart = result.spc
    if chart is None:
        return "annual figure" if result.period_type in ("annual_cohort", "calendar_year") else "not available"
    if chart.variation_icon is None:
        return f"too few months ({len(chart.points)} of the {FIRM_LIMIT_POINTS} needed)"
    return chart.variation_icon + (f"; {chart.assurance_icon}" if chart.assurance_icon else "")


def districts_cell(result: Result, nouns: Nouns, district: str | None = None) -> str:
    """The county's spread ('2 higher, 5 similar'), a district's own position ('higher than the
    county'), or why there is no comparison."""
    if result.period_type == "calendar_year" and result.value is not None:  # compared with its region instead
        return (f"not by {nouns.part}; region {_formatted(result.measure, result.region[1])} "
                f"({''.join(_against_region(result))})" if result.region else f"not by {nouns.part}")
    if result.districts is None:
        return f"{nouns.wide} only" if result.value is not None else "not available"
    labels = result.districts.loc[~result.districts["is_county"], "label"]
    if district is not None:  # the dashboard's key says "against the county"
        return result.districts.set_index("area").loc[district, "label"]
    return ", ".join(f"{(labels == label).sum()} {label}" for label in ("higher", "similar", "lower")
                     if (labels == label).any())


def districts_sentence(result: Result, nouns: Nouns) -> str:
    """Which districts differ from the county, at the 95% funnel limits."""
    table = result.districts[~result.districts["is_county"]]
    parts = []
    for label in ("higher", "lower"):
        names = table.loc[table["label"] == label, "area"].tolist()
        if names:
            parts.append(f"{listed(names)} {'is' if len(names) == 1 else 'are'} {label} than the {nouns.whole}")
    if not parts:
        return (f"{result.measure.title}: every {nouns.part} is similar to the {nouns.whole} at the 95% funnel "
                f"limits.")
    return f"{result.measure.title}: " + "; ".join(parts) + " (95% funnel limits); the others are similar."


def funnel_limits(result: Result, nouns: Nouns) -> tuple[str, str]:
    """Which funnel limits judged the districts, and the overdispersion behind the choice:
    ('widened for the spread between districts', 'overdispersion phi 12.0; chance alone gives about 1')."""
    county = result.districts[result.districts["is_county"]].iloc[0]
    spread = f"overdispersion \u03c6 {county['phi']:.1f}; chance alone gives about 1"
    if county["tau2"] > 0:
        return f"widened for the spread between {nouns.parts}", spread
    if result.measure.district_limits == OVERDISPERSED:
        return f"Poisson: the {nouns.parts} vary no more than chance allows", spread
    return f"Poisson, not widened for the spread between {nouns.parts}", spread


def districts_differ(result: Result, differ, nouns: Nouns) -> str:
    """'Burglary: Charnwood higher (1.3 per 1,000) and Melton lower (0.7) than the county (1.0 per
    1,000 residents), at the 95% funnel limits.'"""
    table = result.districts
    county = table[table["is_county"]].iloc[0]
    unit = f" per {result.measure.rate_per:,} {_residents(result)}" if result.measure.statistic == "count" else "%"
    percent = "%" if result.measure.statistic != "count" else ""
    named = [f"{row.area} {row.label} ({rate(row.value)}{percent})" for row in differ.itertuples()]
    return (f"{result.measure.title}: {listed(named)} than the {nouns.whole} ({rate(county['value'])}{unit}), "
            f"at the 95% funnel limits.")


def district_standing(district: str, standings: list, nouns: Nouns) -> str:
    """'Melton against the county (95% funnel limits): higher for shoplifting (1.1 per 1,000
    residents; 1st of 7 districts) ...; similar for the other 8 measures.'"""
    parts = []
    for label in ("higher", "lower"):
        named = [f"{lower_first(result.measure.title)} ({_district_value(result, district)}; {_ordinal(rank)} highest "
                 f"of {count_})" for result, position, rank, count_ in standings if position == label]
        if named:
            parts.append(f"{label} than the {nouns.whole} for {listed(named)}")
    similar = sum(1 for _, position, _, _ in standings if position == "similar")
    if similar:
        parts.append(f"similar to the {nouns.whole} for {'the other ' if parts else ''}{similar} "
                     f"measure{'' if similar == 1 else 's'}")
    if not parts:
        return f"{district}: no measure has {nouns.part} figures this quarter."
    return f"{district}, at the 95% funnel limits: " + "; ".join(parts) + "."


def _district_value(result: Result, district: str) -> str:
    value = result.districts.set_index("area").loc[district, "value"]
    unit = f" per {result.measure.rate_per:,} {_residents(result)}" if result.measure.statistic == "count" else "%"
    return f"{rate(value)}{unit}"


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def exception_figure(result: Result) -> str:
    """The exceptions table's figure: the value against its target, or its change on last year."""
    if result.value is None:
        return "not available"
    if result.target_check is not None:
        return f"{value_text(result)} against a target of {_target_phrase(result)}"
    if result.change is None:
        return value_with_unit(result)
    return f"{value_with_unit(result)}; {change_size(result)} on {_the(result.previous_label)}"

"""What needs the board's attention, and the analyst's words, in one area's quarter.

One rule decides it for the key messages, the exceptions table, the outcome sections and the
commentary drafts, so they never disagree. Signals, most serious first:
0 off track, or a closed cohort that missed its target;
1 a significant change for the worse on the same period last year, in the headline period;
2 an SPC special cause of concern in the latest month (from firm limits: 12 months or more);
3 a significant change for the worse in another period (the year to date), an SPC special cause in
  the latest month of a measure with no better direction, or a significant six-month trend for the
  worse (or, with no better direction, any significant trend);
4 at risk (worse than last year or the target, by no more than chance explains);
5 good news: a significant improvement, an SPC special cause of improvement, an improving trend.
Measures with signals 0 to 2 are the quarter's exceptions: each needs a cause, an action, an owner
and a due date. Measures with any signal are the outcome section's notable findings; a district's
position (higher or lower than the county, at the 95% funnel limits) is a locality item.
"""
from __future__ import annotations

from dataclasses import dataclass

from analysis import wording
from analysis.assess import Assessment, Result
from analysis.commentary import EXCEPTIONS, FIELDS, LOCALITY, NO_LONGER_CALLED_FOR, Commentary, Item, same_figures

EXCEPTION_SEVERITY = 2  # signals of this severity or more serious make a measure an exception
ATTENTION_SEVERITY = 3  # signals shown in the key messages' list (at risk is named in the overview)


@dataclass(frozen=True)
class Signal:
    severity: int
    words: str  # "off track: 730 against ...", "SPC special cause concern: Sep 2022 above the upper process limit"
    kind: str  # status | change | spc | trend
    headline: bool = True  # about the headline period (a change may be about another period)


@dataclass(frozen=True)
class Notable:
    """A measure with something to say: its headline result, its signals (most serious first)."""

    result: Result
    signals: tuple[Signal, ...]

    @property
    def severity(self) -> int:
        return self.signals[0].severity

    @property
    def is_exception(self) -> bool:
        return self.severity <= EXCEPTION_SEVERITY

    @property
    def measure_id(self) -> str:
        return self.result.measure.id


def signals(assessment: Assessment, result: Result) -> tuple[Signal, ...]:
    """Every signal of one headline result, most serious first."""
    found = []
    if result.status.key in ("off_track", "missed"):
        found.append(Signal(0, f"{result.status.word.lower()}: {wording.status_explanation(result)}", "status"))
    elif result.status.key == "at_risk":
        found.append(Signal(4, f"at risk: {wording.status_explanation(result)}", "status"))
    polarity = result.measure.polarity
    for period in [result, *other_periods(assessment, result)]:
        change = period.change
        if change is None or not change.significant or (period is result and result.measure.target == "reduction"
                                                         and result.status.key in ("off_track", "at_risk")):
            continue  # the status of a reduction target already says how the headline period rose
        if period is not result and result.change is not None and result.change.significant \
                and (result.change.difference > 0) == (change.difference > 0):
            continue  # the year to date says no more than the headline period's significant change
        worse = polarity != "neutral" and (change.difference > 0) == (polarity == "lower_is_better")
        better = polarity != "neutral" and not worse
        severity = (1 if period is result else 3) if worse else 5 if better else 3
        found.append(Signal(severity, f"{wording.change_verdict(period)} in {wording.period_phrase(period)} "
                                      f"({wording.change_size(period)}, {wording.p_value(change.p_value)})",
                            "change", period is result))
    spc = result.spc  # fewer than 12 months give no icon: no signal is taken from them
    if spc is not None and spc.variation_icon is not None and spc.points[-1].signal != "common cause":
        signal = spc.points[-1].signal
        severity = {"concern": 2, "neither": 3, "improvement": 5}[signal]
        found.append(Signal(severity, f"SPC special cause{'' if signal == 'neither' else ' ' + signal}: "
                                      f"{wording.spc_reason(spc)}", "spc"))
    trend = result.trend
    if trend is not None and trend.significant and trend.label in ("worsening", "rising", "falling", "improving"):
        severity = 5 if trend.label == "improving" else 3
        found.append(Signal(severity, wording.trend_words(trend), "trend"))
    return tuple(sorted(found, key=lambda s: s.severity))


def notable(assessment: Assessment) -> list[Notable]:
    """The measures with a signal, most serious first (catalogue order among equals)."""
    found = [Notable(result, found) for result in reported(assessment) if (found := signals(assessment, result))]
    return sorted(found, key=lambda item: item.severity)


def exceptions(assessment: Assessment) -> list[Notable]:
    return [item for item in notable(assessment) if item.is_exception]


def attention(assessment: Assessment) -> list[Notable]:
    """The key messages' ranked list: exceptions, then the other signals for the worse or of no
    better direction (at-risk measures and good news are named in the overview instead)."""
    return [item for item in notable(assessment) if item.severity <= ATTENTION_SEVERITY]


def reported(assessment: Assessment) -> list[Result]:
    """The headline results the paper reports: in a district's paper, not the measures reported for
    the county as a whole only (they are named once instead)."""
    return [result for result in assessment.headline if not result.county_wide_only]


def county_wide_only(assessment: Assessment) -> list[Result]:
    return [result for result in assessment.headline if result.county_wide_only]


def other_periods(assessment: Assessment, headline: Result) -> list[Result]:
    """The measure's results for its periods other than the headline one (the year to date)."""
    return [r for r in assessment.results if r.measure.id == headline.measure.id and r is not headline]


def district_positions(assessment: Assessment) -> dict[str, dict[str, str]]:
    """measure id -> {district: 'higher' | 'similar' | 'lower'} for every measure with district figures."""
    positions = {}
    for result in assessment.headline:
        if result.districts is None:
            continue
        table = result.districts[~result.districts["is_county"]]
        positions[result.measure.id] = dict(zip(table["area"], table["label"]))
    return positions


def locality_items(assessment: Assessment) -> dict[str, str]:
    """measure id -> the districts that differ from the county, in words: in a district's report,
    that district only; in the county's, every district that differs."""
    items = {}
    for result in assessment.headline:
        if result.districts is None:
            continue
        table = result.districts[~result.districts["is_county"]]
        if not assessment.area.is_county:
            table = table[table["area"] == assessment.area.name]
        differ = table[table["label"] != "similar"]
        if not differ.empty:
            items[result.measure.id] = wording.districts_differ(result, differ, assessment.area.nouns)
    return items


def commentary_items(assessment: Assessment) -> list[Item]:
    """What needs the analyst's words, with its figures: each exception (under Exceptions); each
    other measure with a significant change, an SPC special cause or a significant trend (under its
    outcome); each measure whose districts differ from the county (under Locality comparisons)."""
    items = []
    for item in notable(assessment):
        if all(signal.severity == 4 for signal in item.signals):  # at risk alone: the figures say why
            continue
        section = EXCEPTIONS if item.is_exception else item.result.measure.outcome
        items.append(Item(section, item.measure_id, figures(item)))
    items += [Item(LOCALITY, measure_id, words) for measure_id, words in locality_items(assessment).items()]
    return items


def figures(item: Notable) -> str:
    """The figures the analyst's words are about: the measure's sentence and its signals."""
    return wording.result_sentence(item.result) + " Signals: " + "; ".join(s.words for s in item.signals) + "."


def stale(assessment: Assessment, commentary: Commentary) -> set[tuple[str, str]]:
    """(section, measure id) of words written for other figures: marked by a re-draft, or recorded
    (by their figures note) against figures that have since changed or no longer call for words.
    Words typed without a draft record no figures and are taken as the analyst's own."""
    written = [entry for entry in commentary.entries if entry.written]
    if not written:
        return set()
    current = {(i.section, i.measure_id): i.figures for i in commentary_items(assessment)}
    return {(entry.section, entry.measure_id) for entry in written if (
        entry.figures_changed or (entry.figures is not None and not same_figures(
            entry.figures, current.get((entry.section, entry.measure_id), NO_LONGER_CALLED_FOR))))}


def missing_commentary(assessment: Assessment, commentary: Commentary) -> list[str]:
    """What the build reports (and --strict refuses): exceptions without a cause, action, owner and
    due date, and words written for other figures."""
    missing = []
    for item in exceptions(assessment):
        entry = commentary.entry(EXCEPTIONS, item.measure_id)
        lacking = list(FIELDS) if entry is None else [name for name in FIELDS if not entry.fields.get(name)]
        if lacking:
            missing.append(f"exception {item.measure_id} has no " + ", ".join(f.lower() for f in lacking[:-1])
                           + (" or " if len(lacking) > 1 else "") + lacking[-1].lower())
    for section, measure_id in sorted(stale(assessment, commentary)):
        missing.append(f"{section}, {measure_id}: words written for other figures, to check")
    return missing

"""Plain-English sentences from assessment results.

Rules (DESIGN.md): a change that is not significant is "similar" with its size, never "increased";
only a significant change gets a direction word; counts stand next to percentages; percentages of
small counts are not given, since a change from 3 to 6 is not usefully "+100%".
"""
from __future__ import annotations

import math

from analysis.assess import MeasureAssessment, QuarterAssessment
from analysis.periods import Quarter, month_name
from analysis.stats import SIGNIFICANCE_LEVEL

SMALLEST_BASE_FOR_PERCENT = 10

SIGNIFICANCE_MEANING = (
    f"A change is called significant when chance alone would produce one as large less than "
    f"{100 * (1 - SIGNIFICANCE_LEVEL):.0f} times in 100 (an exact test for two counts, at the "
    f"{100 * SIGNIFICANCE_LEVEL:.0f}% level); any other change is described as similar."
)


def count(value: int) -> str:
    return f"{value:,}"


def rate(value: float) -> str:
    return f"{value:,.1f}" if value >= 0.95 else f"{value:.2f}"


def signed_count(value: int) -> str:
    return f"{value:+,}".replace("-", "\u2212")


def percent(value: float) -> str:
    return f"{value:+.0f}%".replace("-", "\u2212")


def ratio_interval(low: float, high: float) -> str:
    upper = "no upper limit" if math.isinf(high) else f"{high:.2f}"
    return f"{low:.2f} to {upper}"


def change_size(item: MeasureAssessment) -> str:
    """'+366, +62%' or, for a small base, '+2'."""
    comparison = item.comparison
    parts = [signed_count(comparison.change)]
    if comparison.previous >= SMALLEST_BASE_FOR_PERCENT:
        parts.append(percent(comparison.percent_change))
    return ", ".join(parts)


def change_verdict(item: MeasureAssessment) -> str:
    """'significant increase' / 'significant fall' / 'no significant change' / why there is none."""
    comparison = item.comparison
    if comparison is None:
        return "no comparison available"
    if not comparison.significant:
        return "no significant change"
    return "significant increase" if comparison.change > 0 else "significant fall"


def missing_months_text(months: tuple[str, ...]) -> str:
    return ", ".join(month_name(m) for m in months)


def measure_sentence(item: MeasureAssessment, assessment: QuarterAssessment) -> str:
    """One sentence on one measure for the quarter."""
    measure, quarter = item.measure, assessment.quarter
    if item.count is None:
        return (f"{measure.title}: not available for {quarter}, because the data lack "
                f"{missing_months_text(assessment.months_missing)}.")
    head = f"{measure.title}: {count(item.count)} {measure.unit} in {quarter} ({rate(item.rate_per_1000)} per 1,000 residents)"
    previous = quarter.same_quarter_last_year()
    if item.comparison is None:
        return (f"{head}; no comparison available, as the data lack "
                f"{missing_months_text(assessment.previous_months_missing)} ({previous}).")
    if not item.comparison.significant:
        return (f"{head}, similar to the same quarter last year ({count(item.previous_count)}; "
                f"{change_size(item)}): no significant change.")
    direction = "up" if item.comparison.change > 0 else "down"
    return (f"{head}, {direction} on the same quarter last year ({count(item.previous_count)}; "
            f"{change_size(item)}): a {change_verdict(item)}.")


def summary_sentences(assessment: QuarterAssessment) -> list[str]:
    """The short summary at the top of a report: headline measure, then what changed significantly."""
    area, quarter = assessment.area, assessment.quarter
    if assessment.months_missing:
        return [f"The {quarter} figures for {area.name} are not available: the data lack "
                f"{missing_months_text(assessment.months_missing)}. No figures are given for an incomplete quarter."]
    sentences = [measure_sentence(assessment.measures[0], assessment)]
    if not assessment.comparison_available:
        sentences.append(f"No comparison with the same quarter last year is available, as the data lack "
                         f"{missing_months_text(assessment.previous_months_missing)}.")
        return sentences
    others = assessment.measures[1:]
    rises = [m for m in others if m.comparison.significant and m.comparison.change > 0]
    falls = [m for m in others if m.comparison.significant and m.comparison.change < 0]
    similar = [m for m in others if not m.comparison.significant]
    for label, items in (("Significant increases", rises), ("Significant falls", falls)):
        if items:
            listed = "; ".join(f"{m.measure.title.lower()} ({change_size(m)})"
                               for m in sorted(items, key=lambda m: m.comparison.p_value))
            sentences.append(f"{label} on the same quarter last year: {listed}.")
    if similar:
        sentences.append("Similar to the same quarter last year (no significant change): "
                         + ", ".join(m.measure.title.lower() for m in similar) + ".")
    return sentences


def quarter_heading(quarter: Quarter) -> str:
    """'2022-23 Quarter 2 (Jul-Sep 2022)'."""
    return f"{quarter.financial_year} Quarter {quarter.number} ({quarter.month_span})"

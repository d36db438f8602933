"""Assessment results -> the HTML fragments a report notebook displays.

Every piece of text that comes from data (area names, measure titles, sentences) is escaped here,
so nothing in the data can become markup in the report.
"""
from __future__ import annotations

import html

from IPython.display import HTML

from analysis import charts, wording
from analysis.assess import QuarterAssessment, district_rates, monthly_series, row_accounting
from analysis.dataset import Dataset
from analysis.periods import Quarter, month_name, months_ending

CHART_MONTHS = 24
HEADLINE_MEASURE = 0  # the catalogue's first measure (total recorded crime) leads the report


def _e(text: object) -> str:
    return html.escape(str(text))


def report_title(area_name: str, quarter: Quarter) -> str:
    return f"{area_name} community safety performance, {quarter}"


def title_block(assessment: QuarterAssessment) -> HTML:
    kind = "County" if assessment.area.is_county else "District"
    return HTML(
        f'<header class="title-block"><h1>{_e(report_title(assessment.area.name, assessment.quarter))}</h1>'
        f'<p class="subtitle">{_e(kind)} report &middot; {_e(wording.quarter_heading(assessment.quarter))}</p></header>'
    )


def summary(assessment: QuarterAssessment) -> HTML:
    items = "".join(f"<li>{_e(sentence)}</li>" for sentence in wording.summary_sentences(assessment))
    return HTML(f'<ul class="summary">{items}</ul><p class="note">{_e(wording.SIGNIFICANCE_MEANING)}</p>')


def measures_table(assessment: QuarterAssessment) -> HTML:
    """The measures table: count, rate, same quarter last year, change, significance and ratio interval."""
    head = ("Measure", f"{assessment.quarter}", "Per 1,000 residents", "Same quarter last year",
            "Change", "Significance", "Rate ratio (95% interval)")
    rows = []
    for item in assessment.measures:
        comparison = item.comparison
        cells = [
            item.measure.title,
            wording.count(item.count) if item.count is not None else "not available",
            wording.rate(item.rate_per_1000) if item.rate_per_1000 is not None else "not available",
            wording.count(item.previous_count) if item.previous_count is not None else "not available",
            wording.change_size(item) if comparison else "",
            wording.change_verdict(item),
            (f"{comparison.rate_ratio:.2f} ({wording.ratio_interval(comparison.ratio_low, comparison.ratio_high)})"
             if comparison and comparison.rate_ratio is not None else ""),
        ]
        rows.append("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in cells) + "</tr>")
    header = "".join(f'<th scope="col">{_e(cell)}</th>' for cell in head)
    return HTML(f'<table class="measures"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def measure_sentences(assessment: QuarterAssessment) -> HTML:
    items = "".join(f"<li>{_e(wording.measure_sentence(item, assessment))}</li>" for item in assessment.measures)
    return HTML(f'<ul class="measure-sentences">{items}</ul>')


def monthly_chart(dataset: Dataset, assessment: QuarterAssessment) -> HTML:
    months = months_ending(assessment.quarter.months[-1], CHART_MONTHS)
    series = monthly_series(dataset, assessment.area, months)
    figure = charts.monthly_counts(series, dataset.measures, assessment.quarter, assessment.area.name)
    absent = [m for m in months if m not in dataset.months_present]
    alt = (f"Line charts of monthly counts in {assessment.area.name} for each measure, "
           f"{month_name(months[0])} to {month_name(months[-1])}, with {assessment.quarter} shaded.")
    note = ""
    if absent:
        note = (f'<p class="note">The data lack {len(absent)} of these {CHART_MONTHS} months '
                f'({_e(month_name(absent[0]))} to {_e(month_name(absent[-1]))} among them); the lines have gaps there.</p>')
        alt += f" The data lack {len(absent)} of the months, shown as gaps."
    return HTML(charts.figure_html(figure, alt) + note)


def district_chart(dataset: Dataset, assessment: QuarterAssessment) -> HTML:
    if assessment.months_missing:
        return HTML('<p class="note">District comparison not available: the quarter has months missing.</p>')
    measure = dataset.measures[HEADLINE_MEASURE]
    rates = district_rates(dataset, assessment.quarter, measure.id)
    figure = charts.district_rates(rates, measure, assessment.quarter, assessment.area.name)
    districts = rates[~rates["is_county"]].sort_values("rate_per_1000", ascending=False)
    county = rates[rates["is_county"]].iloc[0]
    alt = (f"Bar chart of {measure.title.lower()} per 1,000 residents by district in {assessment.quarter}, "
           f"highest {districts.iloc[0]['area']} ({districts.iloc[0]['rate_per_1000']:.1f}), lowest "
           f"{districts.iloc[-1]['area']} ({districts.iloc[-1]['rate_per_1000']:.1f}); "
           f"{county['area']} overall {county['rate_per_1000']:.1f}.")
    return HTML(charts.figure_html(figure, alt))


def methods_notes(dataset: Dataset, assessment: QuarterAssessment) -> HTML:
    """Sources, coverage, population year, the test used, and where every row of the quarter went."""
    months = sorted(dataset.months_present)
    accounting = row_accounting(dataset, assessment.quarter)
    accounted = "; ".join(f"{wording.count(value)} {reason}" for reason, value in accounting.items())
    population = assessment.population
    population_note = f"ONS mid-{population.year} population estimate ({wording.count(population.residents)} residents)"
    if population.year < assessment.quarter.start_year:
        population_note += f", the latest available for {assessment.quarter.financial_year}"
    sentences = [
        f"Crime and anti-social behaviour: police.uk street-level data, {len(months)} months between "
        f"{month_name(months[0])} and {month_name(months[-1])}, placed in districts by LSOA with the ONS lookup.",
        f"Police.uk rows for {assessment.quarter}: {accounted}.",
        f"Rates per 1,000 residents use the {population_note}.",
        "Changes on the same quarter last year are tested with the exact conditional test for two Poisson "
        "counts; the rate ratio's 95% interval is the exact (Clopper-Pearson) interval.",
        "Contains public sector information licensed under the Open Government Licence v3.0.",
    ]
    return HTML('<ul class="methods">' + "".join(f"<li>{_e(s)}</li>" for s in sentences) + "</ul>")

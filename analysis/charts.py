"""Charts in one house style; each function returns a matplotlib figure, drawn from results data."""
from __future__ import annotations

import base64
import html
import io

import matplotlib

matplotlib.use("Agg")  # figures are embedded as images, never shown in a window

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from analysis.measures import Measure  # noqa: E402
from analysis.periods import Quarter, month_name  # noqa: E402

PALETTE = sns.color_palette("colorblind")
HIGHLIGHT, MUTED, REFERENCE = PALETTE[0], "#b8c4d6", "#333333"
A4_WIDTH_INCHES = 7.0

sns.set_theme(context="paper", style="whitegrid", palette=PALETTE, font_scale=1.1)


def monthly_counts(series: pd.DataFrame, measures: list[Measure], quarter: Quarter, area_name: str) -> plt.Figure:
    """One small panel per measure: monthly counts, the reported quarter shaded, gaps where data lack months."""
    columns = 2
    rows = -(-len(measures) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(A4_WIDTH_INCHES, 1.9 * rows), sharex=True)
    positions = range(len(series.index))
    quarter_positions = [i for i, month in enumerate(series.index) if month in quarter.months]
    for axis, measure in zip(axes.flat, measures):
        axis.plot(positions, series[measure.id], color=HIGHLIGHT, marker="o", markersize=2.5, linewidth=1.5)
        if quarter_positions:
            axis.axvspan(quarter_positions[0] - 0.5, quarter_positions[-1] + 0.5, color=MUTED, alpha=0.45, linewidth=0)
        axis.set_title(measure.title, fontsize=9, loc="left")
        axis.set_ylim(bottom=0)
        axis.tick_params(labelsize=7)
    for axis in axes.flat[len(measures):]:
        axis.set_visible(False)
    ticks = [i for i, month in enumerate(series.index) if month.endswith(("-01", "-04", "-07", "-10"))]
    for axis in axes[-1]:
        axis.set_xticks(ticks, [month_name(series.index[i]) for i in ticks], rotation=45, ha="right")
    figure.suptitle(f"{area_name}: monthly counts, {month_name(series.index[0])} to "
                    f"{month_name(series.index[-1])} (shaded: {quarter})", fontsize=10, x=0.01, ha="left")
    figure.tight_layout()
    return figure


def district_rates(rates: pd.DataFrame, measure: Measure, quarter: Quarter, highlight: str) -> plt.Figure:
    """Horizontal bars of each district's rate per 1,000, the county rate as a reference line."""
    districts = rates[~rates["is_county"]].sort_values("rate_per_1000")
    county = rates[rates["is_county"]].iloc[0]
    figure, axis = plt.subplots(figsize=(A4_WIDTH_INCHES, 0.42 * len(districts) + 1.2))
    colours = [HIGHLIGHT if area == highlight else MUTED for area in districts["area"]]
    axis.barh(districts["area"], districts["rate_per_1000"], color=colours)
    axis.axvline(county["rate_per_1000"], color=REFERENCE, linestyle="--", linewidth=1.2,
                 label=f"{county['area']} overall: {county['rate_per_1000']:.1f}")
    axis.legend(loc="lower right", fontsize=8, frameon=True)
    for position, value in enumerate(districts["rate_per_1000"]):
        axis.text(value, position, f" {value:.1f}", va="center", fontsize=8)
    axis.set_xlabel(f"{measure.title} per 1,000 residents, {quarter}")
    axis.set_xlim(right=districts["rate_per_1000"].max() * 1.15)
    axis.set_title(f"{measure.title}: rate per 1,000 residents by district, {quarter}", fontsize=10, loc="left")
    figure.tight_layout()
    return figure


def figure_html(figure: plt.Figure, alt: str) -> str:
    """The figure as an embedded PNG <img> with escaped alt text; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<figure class="chart"><img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}"></figure>'

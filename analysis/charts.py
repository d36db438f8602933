"""Charts in one house style; each function returns a matplotlib figure, drawn from results data."""
from __future__ import annotations

import base64
import html
import io
import textwrap

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


def monthly_values(series: pd.DataFrame, measures: list[Measure], quarter: Quarter, area_name: str) -> plt.Figure:
    """One small panel per measure: monthly counts (or %), the reported quarter shaded, gaps where data lack months."""
    columns = 2
    rows = -(-len(measures) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(A4_WIDTH_INCHES, 2.0 * rows + 0.9), squeeze=False)
    positions = range(len(series.index))
    ticks = [i for i, month in enumerate(series.index) if month.endswith(("-01", "-04", "-07", "-10"))]
    quarter_positions = [i for i, month in enumerate(series.index) if month in quarter.months]
    for axis, measure in zip(axes.flat, measures):
        axis.plot(positions, series[measure.id], color=HIGHLIGHT, marker="o", markersize=2.5, linewidth=1.5)
        if quarter_positions:
            axis.axvspan(quarter_positions[0] - 0.5, quarter_positions[-1] + 0.5, color=MUTED, alpha=0.45, linewidth=0)
        title = measure.title + (" (%)" if measure.statistic == "proportion" else "")
        axis.set_title(textwrap.shorten(title, 52, placeholder="..."), fontsize=9, loc="left")
        axis.set_ylim(bottom=0)
        axis.set_xlim(-0.5, len(series.index) - 0.5)
        axis.set_xticks(ticks, [month_name(series.index[i]) for i in ticks], rotation=45, ha="right")
        axis.tick_params(labelsize=7)
    for index, axis in enumerate(axes.flat):
        if index >= len(measures):
            axis.set_visible(False)
        elif index + columns < len(measures):  # another panel below shows the month labels
            axis.tick_params(labelbottom=False)
    figure.suptitle(f"{area_name}: monthly figures, {month_name(series.index[0])} to "
                    f"{month_name(series.index[-1])} (shaded: {quarter})", fontsize=10, x=0.01, ha="left")
    height = figure.get_figheight()
    figure.subplots_adjust(left=0.07, right=0.98, top=1 - 0.8 / height, bottom=0.75 / height,
                           hspace=0.6, wspace=0.18)
    return figure


def district_rates(rates: pd.DataFrame, measure: Measure, quarter: Quarter, highlight: str) -> plt.Figure:
    """Each district's rate per `rate_per` with its 95% interval, labelled higher / similar / lower,
    and the county rate as a reference line."""
    districts = rates[~rates["is_county"]].sort_values("value")
    county = rates[rates["is_county"]].iloc[0]
    figure, axis = plt.subplots(figsize=(A4_WIDTH_INCHES, 0.42 * len(districts) + 1.3))
    colours = [HIGHLIGHT if area == highlight else MUTED for area in districts["area"]]
    errors = [districts["value"] - districts["low"], districts["high"] - districts["value"]]
    axis.barh(districts["area"], districts["value"], color=colours, xerr=errors, ecolor=REFERENCE, capsize=2)
    axis.axvline(county["value"], color=REFERENCE, linestyle="--", linewidth=1.2,
                 label=f"{county['area']} overall: {county['value']:.1f}")
    axis.legend(loc="lower right", fontsize=8, frameon=True)
    for position, (high, value, label) in enumerate(zip(districts["high"], districts["value"], districts["label"])):
        axis.text(high, position, f" {value:.1f} ({label})", va="center", fontsize=8)
    unit = f"per {measure.rate_per:,} residents"
    axis.set_xlabel(f"{measure.title} {unit}, {quarter} (bars: 95% intervals)")
    axis.set_xlim(right=districts["high"].max() * 1.3)
    axis.set_title(f"{measure.title} {unit} by district, {quarter}", fontsize=10, loc="left")
    height = figure.get_figheight()
    figure.subplots_adjust(left=0.27, right=0.97, top=1 - 0.35 / height, bottom=0.6 / height)
    return figure


def figure_html(figure: plt.Figure, alt: str) -> str:
    """The figure as an embedded PNG <img> with escaped alt text; the figure is closed."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150)
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<figure class="chart"><img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}"></figure>'

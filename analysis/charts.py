"""Charts in one house style, drawn from results data.

Each function returns an `analysis.paper.Chart`: a matplotlib Figure (restyle it as any other) that
also carries its alt text and its numbers. Nothing here touches matplotlib's global state: figures
are made without pyplot, and the house style applies only while a chart is drawn or saved.
"""
from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass

import matplotlib.ticker
import numpy as np
import pandas as pd

from analysis.areas import Nouns
from analysis.funnel import (THREE_SIGMA, TWO_SIGMA, overdispersed_proportion_limits, overdispersed_rate_limits,
                             proportion_funnel_limits, rate_funnel_limits, rate_funnel_populations)
from analysis.measures import Measure
from analysis.paper import PALETTE, Chart, house_style
from analysis.periods import Quarter, month_name
from analysis.spc import XmRChart

HIGHLIGHT, MUTED, REFERENCE = PALETTE[0], "#b8c4d6", "#333333"
FUNNEL_POINT = "#b0b0b0"  # a district on the funnel plot; this paper's own is REFERENCE
A4_WIDTH_INCHES = 7.0
KEY_LINE, KEY_GAP = 7 * 1.2 / 72, 0.05  # inches: a 7 pt line of the funnel plot's key, and the space between entries
# Making Data Count's colours (darkened to at least 4.5:1 on white): special cause improvement,
# concern, neither; common cause grey
SPC_COLOURS = {"improvement": "#1f5fa8", "concern": "#b35900", "neither": "#6a3d9a", "common cause": "#595959"}
SPC_POINT_LABELS = {"improvement": "special cause: improvement", "concern": "special cause: concern",
                    "neither": "special cause: neither better nor worse"}
ASSURANCE_LETTERS = {"consistently meets target": ("P", SPC_COLOURS["improvement"]),
                     "consistently fails target": ("F", SPC_COLOURS["concern"]),
                     "hit and miss": ("\u00b1", SPC_COLOURS["common cause"])}
SPC_ICON_KEY = ("SPC icons: H or L, a special cause high or low in the latest month (blue improvement, orange "
                "concern, purple neither); ~ common cause; then P consistently meets the target, F consistently "
                "fails it, \u00b1 hit and miss.")


def spc_icons(chart: XmRChart | None) -> tuple[tuple[str, str, str], ...]:
    """Making Data Count's variation and assurance icons for the latest month, as (letter, colour,
    meaning); none without a reading (fewer than 12 months)."""
    if chart is None or chart.variation_icon is None:
        return ()
    latest = chart.points[-1]
    icons = [({"high": "H", "low": "L"}.get(latest.side, "~"), SPC_COLOURS[latest.signal], chart.variation_icon)]
    if chart.assurance_icon:
        icons.append((*ASSURANCE_LETTERS[chart.assurance_icon], chart.assurance_icon))
    return tuple(icons)


@dataclass(frozen=True)
class Panel:
    """One measure's monthly chart: this year's values, the same months a year before, and, where
    known, the SPC mean and process limits and a target line or band."""

    title: str
    values: pd.Series  # by month, missing where the data lack the month
    last_year: pd.Series  # the same months a year earlier, indexed like `values`
    limits: tuple[float, float, float] | None = None  # SPC mean, lower and upper process limits
    target: float | None = None
    band: tuple[float, float] | None = None
    provisional: tuple[int, ...] = ()  # positions of months whose figures are provisional (hollow dots)
    signals: dict[int, str] = dataclasses.field(default_factory=dict)  # position -> special cause's meaning
    icons: tuple[tuple[str, str, str], ...] = ()  # `spc_icons`: shown at the panel's top right


def monthly_panels(panels: list[Panel], quarter: Quarter, area_name: str, outcome: str, alt: str,
                   note: str = "", events: tuple[float, ...] = ()) -> Chart:
    """Small multiples of monthly values: the reported quarter shaded, last year dashed, SPC limits
    dotted, targets as lines or bands; gaps where the data lack months. The title names the outcome,
    so the chart needs no heading of its own (a heading can be left at a page's foot). `events` are the
    positions of known events on the month axis (0 is the first month), drawn as vertical lines."""
    columns = 2
    rows = -(-len(panels) // columns)
    months = panels[0].values.index
    numbers = pd.DataFrame({panel.title: panel.values for panel in panels}, index=months).rename(index=month_name)
    numbers.index.name = "Month"
    titles = [textwrap.fill(panel.title, 40) for panel in panels]  # wrapped, never cut short
    extra_lines = max(title.count("\n") for title in titles)  # room above the top row for long titles
    figure = Chart(alt, numbers, note, figsize=(A4_WIDTH_INCHES, 1.75 * rows + 1.4))
    with house_style():
        axes = figure.subplots(rows, columns, squeeze=False)
        positions = range(len(months))
        ticks = [i for i, month in enumerate(months) if month.endswith(("-01", "-04", "-07", "-10"))]
        quarter_positions = [i for i, month in enumerate(months) if month in quarter.months]
        for axis, panel, title in zip(axes.flat, panels, titles):
            if quarter_positions:
                axis.axvspan(quarter_positions[0] - 0.5, quarter_positions[-1] + 0.5, color=MUTED, alpha=0.45,
                             linewidth=0)
            for position in events:
                axis.axvline(position, color=PALETTE[4], linewidth=1, label="known event (see the note)")
            if panel.band is not None:
                axis.axhspan(*panel.band, color=PALETTE[2], alpha=0.15, linewidth=0, label="expected range")
            if panel.limits is not None:
                mean, low, high = panel.limits
                axis.axhline(mean, color=REFERENCE, linewidth=0.8, label="SPC mean")
                for limit in (low, high):
                    axis.axhline(limit, color=REFERENCE, linewidth=0.8, linestyle=":", label="SPC limits")
            if panel.target is not None:
                axis.axhline(panel.target, color=PALETTE[3], linewidth=1.2, linestyle="-.", label="target")
            if pd.notna(panel.last_year).any():  # no line, no key entry, where the year before has no data
                axis.plot(positions, panel.last_year, color=PALETTE[9], linewidth=1, linestyle="--",
                          label="same month a year before")
            # Dots on the reported quarter's months, and on any month the line cannot show (gaps both sides)
            known = panel.values.notna().to_numpy()
            alone = [i for i in positions if known[i] and not (i > 0 and known[i - 1])
                     and not (i + 1 < len(known) and known[i + 1])]
            # Grey line and dots, as Making Data Count draws them: colour is kept for special causes
            axis.plot(positions, panel.values, color=SPC_COLOURS["common cause"], marker="o", markersize=3,
                      markevery=sorted(set(quarter_positions) | set(alone)), linewidth=1.5, label="monthly figure",
                      clip_on=False)  # a month at zero shows whole, on the axis
            for signal, colour in SPC_COLOURS.items():
                at = [i for i, meaning in panel.signals.items() if meaning == signal]
                if at:
                    axis.plot(at, panel.values.iloc[at], linestyle="none", marker="o", markersize=4.5, color=colour,
                              zorder=4, clip_on=False, label=SPC_POINT_LABELS[signal])
            for offset, (letter, colour, _) in enumerate(reversed(panel.icons)):
                axis.text(1 - offset * 0.07, 1.04, letter, transform=axis.transAxes, ha="right", va="bottom",
                          fontsize=8, fontweight="bold", color="white",
                          bbox={"boxstyle": "circle,pad=0.25", "facecolor": colour, "edgecolor": "none"})
            if panel.provisional:
                axis.plot(list(panel.provisional), panel.values.iloc[list(panel.provisional)], linestyle="none",
                          marker="o", markersize=4.5, markerfacecolor="white", markeredgecolor=SPC_COLOURS["common cause"],
                          clip_on=False, label="provisional (see the note)")
            axis.set_title(title, fontsize=9, loc="left")
            axis.set_ylim(bottom=0, top=axis.get_ylim()[1] * 1.08)
            axis.set_xlim(-0.5, len(months) - 0.5)
            axis.set_xticks(ticks, [month_name(months[i]) for i in ticks], rotation=45, ha="right")
            axis.tick_params(labelsize=7)
        for index, axis in enumerate(axes.flat):
            if index >= len(panels):
                axis.set_visible(False)
            elif index + columns < len(panels):  # another panel below shows the month labels
                axis.tick_params(labelbottom=False)
        handles = {label: handle for axis in axes.flat for handle, label in zip(*axis.get_legend_handles_labels())}
        legend_rows = 1 if len(handles) <= 5 else 2  # six entries do not fit one line of the page's width
        figure.set_figheight(figure.get_figheight() + 0.17 * (legend_rows - 1))
        height = figure.get_figheight()
        figure.legend(handles.values(), handles.keys(), loc="upper left", bbox_to_anchor=(0.01, 1 - 0.58 / height),
                      ncol=-(-len(handles) // legend_rows), fontsize=7, frameon=False)
        figure.suptitle(f"{outcome}\n{area_name}: monthly figures, {month_name(months[0])} to {month_name(months[-1])} "
                        f"(shaded: {quarter})", fontsize=10, x=0.01, y=1 - 0.1 / height, ha="left", va="top")
        figure.subplots_adjust(left=0.07, right=0.98, top=1 - (1.25 + 0.15 * extra_lines + 0.17 * (legend_rows - 1)) / height,
                               bottom=0.75 / height, hspace=0.8, wspace=0.18)
    return figure


def published_rates(panels: dict[str, pd.DataFrame], area_name: str, outcome: str, alt: str, note: str = "") -> Chart:
    """Published yearly rates, one panel per measure (title -> a table by year of the area's value and
    its region's): the area's line solid with dots, the region's dashed, gaps where a value is
    suppressed; the last year is the one the paper reports."""
    columns = 2
    rows = -(-len(panels) // columns)
    numbers = pd.concat([table.add_prefix(f"{title}: ") for title, table in panels.items()], axis=1)
    numbers.index.name = "Year"
    figure = Chart(alt, numbers, note, figsize=(A4_WIDTH_INCHES, 1.9 * rows + 1.2))
    with house_style():
        axes = figure.subplots(rows, columns, squeeze=False)
        for axis, (title, table) in zip(axes.flat, panels.items()):
            years = list(table.index)
            area, region = table.columns
            axis.plot(years, table[region], color=PALETTE[9], linewidth=1, linestyle="--", marker="o", markersize=2.5,
                      label=region, clip_on=False)
            axis.plot(years, table[area], color=HIGHLIGHT, linewidth=1.8, marker="o", markersize=3.5, label=area_name,
                      clip_on=False)
            axis.set_title(textwrap.fill(title, 40), fontsize=9, loc="left")
            axis.set_ylim(bottom=0, top=max(1, np.nanmax(table.to_numpy(dtype=float), initial=0)) * 1.12)
            axis.set_xticks(years, [str(year) for year in years])
            axis.tick_params(labelsize=7)
        for index, axis in enumerate(axes.flat):
            axis.set_visible(index < len(panels))
        handles = {label: handle for axis in axes.flat for handle, label in zip(*axis.get_legend_handles_labels())}
        height = figure.get_figheight()
        figure.legend(handles.values(), handles.keys(), loc="upper left", bbox_to_anchor=(0.01, 1 - 0.58 / height),
                      ncol=len(handles), fontsize=7, frameon=False)
        figure.suptitle(f"{outcome}\n{area_name}: published yearly rates against the region", fontsize=10, x=0.01,
                        y=1 - 0.1 / height, ha="left", va="top")
        figure.subplots_adjust(left=0.07, right=0.98, top=1 - 1.35 / height, bottom=0.45 / height, hspace=0.8,
                               wspace=0.18)
    return figure


def funnel(table: pd.DataFrame, measure: Measure, title: str, quarter: Quarter, highlight: str, alt: str,
           limits_name: str, nouns: Nouns) -> Chart:
    """Funnel plot: each district's value against its size, with the 95% and 99.8% limits around the
    county that judged it (`limits_name` says which, in the title). Each point carries a number,
    highest value first, and the key beside the plot names the district and its label: no name can
    cover a point, a limit line or another name. (A label-placement library, adjustText, left names
    on the limit lines of the narrow funnels district counts make.)"""
    districts, county = table[~table["is_county"]], table[table["is_county"]].iloc[0]
    rate = measure.statistic == "count"
    districts = districts.sort_values("value", ascending=False)
    numbers = pd.concat([districts, table[table["is_county"]]]).set_index("area").rename_axis("Area")[
        ["denominator", "value", "label"]].rename(columns={
            "denominator": "residents" if rate else "respondents or cases",
            "value": f"per {measure.rate_per:,}" if rate else "%", "label": f"against the {nouns.whole}"})
    numbers.insert(0, "point", [str(n) for n in range(1, len(districts) + 1)] + [""])
    figure = Chart(alt, numbers, figsize=(A4_WIDTH_INCHES, 3.6))
    tau2 = float(county["tau2"])
    with house_style():
        axis = figure.subplots()
        sizes = np.linspace(max(1.0, districts["denominator"].min() * 0.5), districts["denominator"].max() * 1.3, 120)
        for level, style in ((TWO_SIGMA, "--"), (THREE_SIGMA, ":")):
            label = f"{level:.1%} limits".replace(".0%", "%")
            if tau2 > 0:  # widened, never narrower than PHE's limits (as `assess.district_table` judges)
                limits = [_widened_limits(measure, county["value"], size, tau2, level) for size in sizes]
                lower, upper = (sizes, [low for low, _ in limits]), (sizes, [high for _, high in limits])
            elif rate:
                events = np.unique(np.geomspace(1, max(2, county["value"] * sizes[-1] / measure.rate_per * 1.5), 80).round())
                at = [rate_funnel_populations(e, county["value"], measure.rate_per, level) for e in events]
                limits = [rate_funnel_limits(e, county["value"], measure.rate_per, level) for e in events]
                lower, upper = ([p[0] for p in at], [v[0] for v in limits]), ([p[1] for p in at], [v[1] for v in limits])
            else:
                limits = [proportion_funnel_limits(size, county["value"], 100, level) for size in sizes]
                lower, upper = (sizes, [low for low, _ in limits]), (sizes, [high for _, high in limits])
            axis.plot(*lower, color=REFERENCE, linestyle=style, linewidth=1)
            axis.plot(*upper, color=REFERENCE, linestyle=style, linewidth=1, label=label)
        axis.axhline(county["value"], color=REFERENCE, linewidth=1, label=f"{county['area']}: {county['value']:.1f}")
        # greys: on these pages orange and blue mean an SPC concern and improvement
        colours = [REFERENCE if area == highlight else FUNNEL_POINT for area in districts["area"]]
        axis.scatter(districts["denominator"], districts["value"], color=colours, zorder=3, s=80,
                     edgecolors="white", linewidths=0.6)
        key = []
        for number, row in enumerate(districts.itertuples(), start=1):
            # white on the dark grey, black on the light: at least 4.5:1 either way
            axis.annotate(str(number), (row.denominator, row.value), ha="center", va="center_baseline", fontsize=6,
                          color="white" if row.area == highlight else "black", fontweight="bold", zorder=4)
            key.append(f"{number}  {row.area}: {row.label}" + (" (this paper)" if row.area == highlight else ""))
        axis.set_xlim(sizes[0], sizes[-1])
        spread = districts["value"].max() - districts["value"].min()
        axis.set_ylim(max(0, districts["value"].min() - spread), districts["value"].max() + spread)
        axis.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
        axis.xaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
        axis.set_xlabel("residents" if rate else "respondents or cases")
        axis.set_ylabel(f"per {measure.rate_per:,}" if rate else "%")
        axis.set_title(textwrap.fill(f"{title}: {nouns.parts} against the {nouns.whole}, {quarter} (funnel plot; limits "
                                     f"{limits_name})", 80), fontsize=10, loc="left")
        axis.legend(fontsize=7, loc="lower left", bbox_to_anchor=(1.04, 0), frameon=False, borderaxespad=0)
        # The key: one entry under another, however many districts and however long their names (the
        # figure grows to hold them, above the legend)
        entries = [textwrap.fill(text, 36, subsequent_indent="    ") for text in key]
        lines = sum(entry.count("\n") + 1 for entry in entries)
        height = max(figure.get_figheight(), (lines * KEY_LINE + len(entries) * KEY_GAP) + 1.6)
        figure.set_figheight(height)
        top = 1 - 0.43 / height
        for entry in entries:
            figure.text(0.7, top, entry, fontsize=7, va="top", linespacing=1.2)
            top -= (KEY_LINE * (entry.count("\n") + 1) + KEY_GAP) / height
        figure.subplots_adjust(left=0.1, right=0.67, top=1 - 0.43 / height, bottom=0.5 / height)
    return figure


def _widened_limits(measure: Measure, baseline: float, size: float, tau2: float, level: float) -> tuple[float, float]:
    """The funnel's widened limits at a size, or PHE's where they are wider (small expected counts)."""
    if measure.statistic == "count":
        expected = baseline * size / measure.rate_per
        widened = overdispersed_rate_limits(expected, baseline, tau2, level)
        exact = rate_funnel_limits(expected, baseline, measure.rate_per, level) if expected >= 1 else widened
    else:
        widened = overdispersed_proportion_limits(size, baseline, tau2, 100, level)
        exact = proportion_funnel_limits(size, baseline, 100, level)
    return min(widened[0], exact[0]), max(widened[1], exact[1])


def district_rates(rates: pd.DataFrame, measure: Measure, title: str, quarter: Quarter, highlight: str,
                   alt: str, nouns: Nouns) -> Chart:
    """Each district's rate per `rate_per` with its 95% interval, labelled higher / similar / lower,
    and the county rate as a reference line; the chart's numbers are the table `rates`."""
    districts = rates[~rates["is_county"]].sort_values("value")
    county = rates[rates["is_county"]].iloc[0]
    numbers = rates.set_index("area").rename_axis("Area")[["numerator", "denominator", "value", "low", "high", "label"]].rename(
        columns={"numerator": "count", "denominator": "residents", "value": f"per {measure.rate_per:,}",
                 "low": "95% low", "high": "95% high", "label": f"against the {nouns.whole}"})
    names = [textwrap.fill(area, 26) for area in districts["area"]]  # a long name wraps, never runs off the page
    extra_lines = sum(name.count("\n") for name in names)
    figure = Chart(alt, numbers, figsize=(A4_WIDTH_INCHES, 0.36 * len(districts) + 0.15 * extra_lines + 1.5))
    with house_style():
        axis = figure.subplots()
        colours = [HIGHLIGHT if area == highlight else MUTED for area in districts["area"]]
        errors = [districts["value"] - districts["low"], districts["high"] - districts["value"]]
        axis.barh(names, districts["value"], color=colours, xerr=errors, ecolor=REFERENCE, capsize=2)
        axis.axvline(county["value"], color=REFERENCE, linestyle="--", linewidth=1.2,
                     label=f"{county['area']} overall: {county['value']:.1f}")
        # Values in a column of their own to the right of the plot, where no whisker or line can cross them
        labels = matplotlib.transforms.blended_transform_factory(axis.transAxes, axis.transData)
        for position, (value, label) in enumerate(zip(districts["value"], districts["label"])):
            axis.text(1.02, position, f"{value:.1f} ({label})", va="center", fontsize=8, transform=labels)
        unit = f"per {measure.rate_per:,} residents"
        axis.set_xlabel(f"{unit}, {quarter} (whiskers: 95% intervals)")
        axis.set_xlim(0, districts["high"].max() * 1.05)
        axis.tick_params(labelsize=8)
        axis.set_title(textwrap.fill(f"{title} {unit} by {nouns.part}, {quarter}", 80), fontsize=10, loc="left")
        height = figure.get_figheight()
        axis.legend(loc="upper left", bbox_to_anchor=(0, -0.6 / (height - 1.3)), fontsize=8, frameon=False,
                    borderaxespad=0)
        figure.subplots_adjust(left=0.27, right=0.8, top=1 - 0.45 / height, bottom=0.85 / height)
    return figure

"""The paper's form on the real 2022-23 Q2 data: charts whose labels cover nothing, numbered figures the
text refers to, illustrative marks a copied page keeps, status colours readable, a tagged PDF, and the
HTML on a phone and for a screen reader."""
import io
import re

import pandas as pd
import matplotlib.colors
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.transforms import Bbox
from pypdf import PdfReader

from analysis import paths
from analysis.periods import Quarter
from analysis.report import open_report
from analysis.targets import STATUSES

CHROMIUM = __import__("shutil").which("chromium")


@pytest.fixture(scope="module")
def reports():
    return {area: open_report("2022-23 Q2", area, str(paths.DATA_DIR)) for area in ("Leicestershire", "Melton")}


def drawn(chart):
    """The chart laid out as it is saved, and its renderer, to measure where its texts fall."""
    FigureCanvasAgg(chart)
    chart.canvas.draw()
    return chart.canvas.get_renderer()


def boxes_overlap(boxes: list[Bbox]) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes) if i < j and a.overlaps(b)]


def inside(box: Bbox, outer: Bbox) -> bool:
    return box.x0 >= outer.x0 - 1 and box.y0 >= outer.y0 - 1 and box.x1 <= outer.x1 + 1 and box.y1 <= outer.y1 + 1


@pytest.mark.parametrize("area", ["Leicestershire", "Melton"])
def test_funnel_names_cover_no_point_line_or_other_name(reports, area):
    """Q2's districts crowd the narrow funnel (Melton, Oadby and Wigston, Blaby, Hinckley and Bosworth sit on
    its lines): the names are in a key beside the plot, each point carries its number."""
    chart = reports[area].locality().funnel_chart()
    renderer = drawn(chart)
    axis = chart.axes[0]
    plot, legend, page = axis.get_window_extent(renderer), axis.get_legend().get_window_extent(renderer), chart.bbox
    key = [text.get_window_extent(renderer) for text in chart.texts]
    assert len(key) == 7 and [text.get_text().split("  ")[1].split(":")[0] for text in chart.texts][:2] == \
        ["Charnwood", "North West Leicestershire"]  # highest rate first (20.3 and 20.0 per 1,000)
    assert boxes_overlap(key + [legend]) == []
    assert all(inside(box, page) and not box.overlaps(plot) for box in key + [legend])
    numbers = [text.get_window_extent(renderer) for text in axis.texts]
    assert [text.get_text() for text in axis.texts] == [str(n) for n in range(1, 8)] and boxes_overlap(numbers) == []
    assert inside(axis._left_title.get_window_extent(renderer), page)


@pytest.mark.parametrize("area", ["Leicestershire", "Melton"])
def test_bar_values_sit_clear_of_whiskers_lines_and_legend(reports, area):
    chart = reports[area].locality().rates_chart()
    renderer = drawn(chart)
    axis = chart.axes[0]
    plot, legend = axis.get_window_extent(renderer), axis.get_legend().get_window_extent(renderer)
    values = [text.get_window_extent(renderer) for text in axis.texts]
    assert len(values) == 7 and "20.3 (similar)" in [text.get_text() for text in axis.texts]
    assert boxes_overlap(values + [legend]) == []
    assert all(not box.overlaps(plot) and inside(box, chart.bbox) for box in values)  # nothing in the plot reaches them
    assert not legend.overlaps(plot) and inside(legend, chart.bbox)
    assert "(whiskers: 95% intervals)" in axis.get_xlabel()


def test_long_titles_wrap_and_stay_on_the_chart(reports):
    chart = reports["Leicestershire"].outcome("reoffending").chart()
    renderer = drawn(chart)
    titles = [axis._left_title for axis in chart.axes if axis.get_visible()]  # set_title(loc="left")
    entrants = next(t for t in titles if t.get_text().startswith("First time entrants"))
    assert "\n" in entrants.get_text() and "youth justice system (illustrative)" in " ".join(entrants.get_text().split())
    for title in titles + [chart._suptitle]:
        assert inside(title.get_window_extent(renderer), chart.bbox)


def test_every_chart_of_illustrative_data_says_so_on_the_chart(reports):
    report = reports["Leicestershire"]
    illustrative = {m.title.removesuffix(" (illustrative)") for m in report.dataset.measures
                    if m.source in report.dataset.local.illustrative}
    assert "Repeat cases at MARAC" in illustrative and "Total recorded crime" not in illustrative
    charted = {}
    for outcome in ("crime", "reoffending", "victims", "asb"):
        for axis in report.outcome(outcome).chart().axes:
            if axis.get_visible():
                title = " ".join(axis.get_title(loc="left").split())
                charted[title.replace(" (illustrative)", "").replace(" (%)", "")] = title
    assert charted, "no panels"
    for measure, title in charted.items():
        assert ("(illustrative)" in title) == (measure in illustrative), title
    dashboard = report.dashboard().table
    for row in dashboard.itertuples():
        source = report.dataset.measure(row.measure_id).source
        assert ("(illustrative)" in row.measure) == (source in report.dataset.local.illustrative), row.measure


def test_figures_are_numbered_in_order_and_the_text_refers_to_each(reports):
    report = reports["Leicestershire"]
    charts = [report.outcome("crime").chart(), report.outcome("reoffending").chart(),
              report.outcome("reoffending").published_chart(), report.outcome("victims").chart(),
              report.outcome("asb").chart(), report.locality().rates_chart(), report.locality().funnel_chart()]
    assert [chart.figure_number for chart in charts] == [1, 2, 3, 4, 5, 6, 7]
    assert all(chart.caption and chart.caption in chart.alt for chart in charts)  # the finding, in the alt text too
    assert charts[0].caption.startswith("Monthly figures, Oct 2020 to Sep 2022, with the SPC mean and limits. "
                                        "Latest month: a special cause of concern for total recorded crime")
    for name, number in (("crime", 1), ("reoffending", 2), ("victims", 4), ("asb", 5)):
        for sentence in report.outcome(name).findings:
            about = sentence.split(":")[0].split(" (")[0]
            # annual cohorts (youth re-offending, IOM) have no monthly chart; published yearly rates have their own
            # figure; every other measure is in its outcome's figure; a sentence on both kinds names the charted one
            expected = {"Youth re-offending frequency rate": "",
                        "Published figures for calendar year 2021, against 2020 and the East Midlands region": " (Figure 3).",
                        "No significant change, SPC signal or clear trend, and on track or with no target":
                        f" (Figure {number}: first time entrants to the youth justice system (illustrative))."
                        if number == 2 else f" (Figure {number})."}.get(about, f" (Figure {number}).")
            assert sentence.endswith(expected), sentence
    assert str(report.locality().findings).startswith("- Total recorded crime: Harborough is lower than the county")
    assert "the others are similar (Figures 6 and 7)." in str(report.locality().findings)
    melton = reports["Melton"].locality().findings[0]
    assert melton.endswith("(Figures 5 and 6: total recorded crime).")  # no published rates: no figure of them


def contrast_against_white(colour: str) -> float:
    """WCAG 2 contrast ratio: (L1 + 0.05) / (L2 + 0.05) with relative luminance from sRGB."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_status_symbols_reach_4_5_to_1_against_white():
    # WebAIM's checker: #767676 on white is 4.54:1, the lightest grey that passes; Okabe-Ito amber #E69F00 is 2.25:1
    assert contrast_against_white("#767676") == pytest.approx(4.54, abs=0.01)
    assert contrast_against_white("#E69F00") == pytest.approx(2.25, abs=0.01)
    for status in STATUSES.values():
        assert contrast_against_white(status.colour) >= 4.5, status


def test_spc_colours_reach_4_5_to_1_so_white_letters_read_on_the_icons():
    from analysis.charts import SPC_COLOURS

    assert all(contrast_against_white(colour) >= 4.5 for colour in SPC_COLOURS.values())


def test_charts_colour_the_special_causes_the_spc_finds_and_show_its_icons(reports, pack):
    """Total recorded crime, county, 2022-23 Q2: each month the XmR chart reads as a special cause of
    concern (improvement) is an orange (blue) dot at its place on the 24-month axis (Oct 2020 = 0),
    and no other month is coloured; the
    panel's icons are the dashboard's (H, orange); the caption gives the reason in words."""
    from analysis.charts import SPC_COLOURS

    report = reports["Leicestershire"]
    spc = report.result("total_crime").spc
    months = [point.month for point in spc.points]
    special = {f"special cause: {signal}": sorted(months.index(p.month) + 24 - len(months)
                                                  for p in spc.points if p.signal == signal)
               for signal in ("concern", "improvement")}
    chart = report.outcome("crime").chart()
    axis = next(axis for axis in chart.axes if axis.get_title(loc="left") == "Total recorded crime")
    dots = {line.get_label(): sorted(line.get_xdata()) for line in axis.lines if line.get_label().startswith("special")}
    assert all(special.values()) and dots == special
    assert [(text.get_text(), text.get_bbox_patch().get_facecolor()) for text in axis.texts] == [
        ("H", matplotlib.colors.to_rgba(SPC_COLOURS["concern"]))]
    assert "total recorded crime (7 or more months in a row above average, to Sep 2022)" in chart.caption \
        or "total recorded crime (Sep 2022" in chart.caption
    page = (pack / "leicestershire.html").read_text(encoding="utf-8")
    dashboard = page[page.index('<table class="dashboard">'):]
    row = dashboard[dashboard.index("<td>Total recorded crime</td>"):]
    assert row[:row.index("</tr>")].count('class="spc-icon"') == 1 and f'background:{SPC_COLOURS["concern"]}' in row


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    from analysis.build import build_pack

    out = tmp_path_factory.mktemp("outputs")
    build_pack("2022-23 Q2", ["Leicestershire", "Melton"], paths.DATA_DIR, out, workers=2)
    return out / "2022-23-Q2"


def structure(pdf) -> list[tuple[str, object]]:
    """(tag, alt text) of every element of a PDF's structure tree."""
    found = []

    def walk(node):
        node = node.get_object()
        if "/S" in node:
            found.append((str(node["/S"]), node.get("/Alt")))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get"):
                walk(kid)

    walk(PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


FIGURES = {"leicestershire": 7, "melton": 6}  # the county's paper has the published youth-justice rates' chart too


@pytest.mark.slow
@pytest.mark.parametrize("area", ["leicestershire", "melton"])
def test_the_pdf_is_tagged_with_language_headings_table_headers_and_chart_alt_text(pack, area):
    reader = PdfReader(pack / f"{area}.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB" and root["/MarkInfo"]["/Marked"]
    tags = structure(pack / f"{area}.pdf")
    names = [tag for tag, _ in tags]
    assert names.count("/H1") == 1 and names.count("/H2") >= 12 and "/TH" in names and "/Table" in names
    page = (pack / f"{area}.html").read_text(encoding="utf-8")
    alts = [__import__("html").unescape(alt) for alt in re.findall(r'<img [^>]*alt="([^"]+)"', page)]
    assert [str(alt) for tag, alt in tags if tag == "/Figure"] == alts and len(alts) == FIGURES[area]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("area", ["leicestershire", "melton"])
def test_on_a_phone_only_wide_tables_scroll_and_axe_finds_no_serious_violation(pack, area):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for width in (390, 1280):
            page = browser.new_page(viewport={"width": width, "height": 844})
            page.goto((pack / f"{area}.html").resolve().as_uri(), wait_until="load")
            document = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            assert document[0] <= document[1], f"the page scrolls sideways at {width}px: {document}"
            scrolling = page.evaluate("""[...document.querySelectorAll('body *')]
                .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
                .map(e => e.className)""")
            assert all("table-scroll" in name for name in scrolling), scrolling
            if width == 390:
                assert "dashboard" in " ".join(page.evaluate(
                    "[...document.querySelectorAll('.table-scroll')].filter(e => e.scrollWidth > e.clientWidth)"
                    ".map(e => e.innerHTML.slice(0, 30))"))
                # every chart's numbers come before it, as a table
                above = page.evaluate("""[...document.querySelectorAll('div.chart-block')].map(b =>
                    b.querySelector('div.chart-data').getBoundingClientRect().bottom
                    <= b.querySelector('figure.chart').getBoundingClientRect().top)""")
                assert above == [True] * FIGURES[area]
            violations = Axe().run(page).response["violations"]
            serious = [(v["id"], v["impact"], len(v["nodes"])) for v in violations if v["impact"] in ("serious", "critical")]
            assert serious == [], f"{width}px: {serious}"
            page.close()
        browser.close()


def wcag_contrast(first, second) -> float:
    """WCAG 2 contrast ratio of two RGB colours (0-1 channels)."""
    def luminance(rgb):
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("area", ["Leicestershire", "Melton"])
def test_funnel_point_numbers_are_readable_on_their_points(reports, area):
    from matplotlib.colors import to_rgb

    chart = reports[area].locality().funnel_chart()
    points = chart.axes[0].collections[0].get_facecolors()
    numbers = [to_rgb(text.get_color()) for text in chart.axes[0].texts]
    assert len(points) == len(numbers) == 7
    assert all(wcag_contrast(point, number) >= 4.5 for point, number in zip(points, numbers))


def long_named(reports, count: int, name: str):
    """The county's real total crime comparison with `count` districts under long names."""
    table = reports["Leicestershire"].result("total_crime").districts
    districts = table[~table["is_county"]]
    many = pd.concat([districts] * (-(-count // len(districts))))[:count].reset_index(drop=True)
    many["area"] = [f"{name} {n}" for n in range(count)]
    many["denominator"] = many["denominator"] * (1 + many.index / 50)
    return pd.concat([many, table[table["is_county"]]], ignore_index=True)


def test_a_long_key_of_long_names_stays_on_the_funnel_plot_one_entry_under_another(reports):
    from analysis import charts
    from analysis.areas import KINDS

    table = long_named(reports, 14, "Hinckley and Bosworth Borough Council area including Market Bosworth")
    measure = reports["Leicestershire"].dataset.measure("total_crime")
    chart = charts.funnel(table, measure, "Total recorded crime", Quarter(2022, 2), "x", "alt",
                          "widened for the spread between districts", KINDS["county"])
    renderer = drawn(chart)
    axis = chart.axes[0]
    key = [text.get_window_extent(renderer) for text in chart.texts]
    legend, plot = axis.get_legend().get_window_extent(renderer), axis.get_window_extent(renderer)
    assert len(key) == 14 and boxes_overlap(key + [legend]) == []
    assert all(inside(box, chart.bbox) and not box.overlaps(plot) for box in key + [legend])


def test_long_district_names_wrap_on_the_bar_chart_and_a_dollar_stays_a_dollar(reports):
    from analysis import charts
    from analysis.areas import KINDS

    table = long_named(reports, 7, "Mowbray and the Vale of Belvoir ($2^{10}$ ward) and Melton Town")
    measure = reports["Leicestershire"].dataset.measure("total_crime")
    chart = charts.district_rates(table, measure, "Total recorded crime", Quarter(2022, 2), "x", "alt", KINDS["county"])
    renderer = drawn(chart)
    labels = chart.axes[0].get_yticklabels()
    assert all(inside(label.get_window_extent(renderer), chart.bbox) for label in labels)
    assert "$2^{10}$" in " ".join(label.get_text() for label in labels).replace("\n", " ")
    svg = io.StringIO()
    chart.savefig(svg, format="svg")
    assert "$2^{10}$" in svg.getvalue().replace("\n", " ")  # drawn as typed, not as mathematics


def test_provisional_months_are_hollow_and_the_caption_says_which_month_spc_reads(reports):
    report = reports["Leicestershire"]
    chart = report.outcome("victims").chart()
    referrals = next(axis for axis in chart.axes if axis.get_title(loc="left").startswith("Referrals"))
    hollow = [line for line in referrals.lines if line.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [21, 22, 23]  # Jul-Sep 2022, provisional in the data
    assert "the reading is for the last final month: referrals to domestic abuse support services (illustrative) " \
        "(Jun 2022)." in chart.caption
    assert chart.note.startswith("Provisional figures (hollow dots) are left out of the SPC limits, signals and trends: "
                                 "Referrals to domestic abuse support services (illustrative), Jul 2022-Sep 2022.")


def test_a_small_rate_reads_the_same_in_a_table_as_in_a_sentence():
    # Robbery in Leicestershire: 61 crimes in 702,000 residents is 0.087 per 1,000: "0.09" in the
    # sentence (wording.rate) and in a chart's numbers table, never "0.1"; 1.34 is "1.3" in both.
    from analysis.paper import table_html
    from analysis.wording import rate

    page = table_html(pd.DataFrame({"per 1,000": [61 / 702, 1.34]}), "chart-data")
    assert ["<td>0.09</td>", "<td>1.3</td>"] == re.findall(r"<td>[^<]*</td>", page)
    assert (rate(61 / 702), rate(1.34)) == ("0.09", "1.3")


def test_a_chart_of_fewer_than_twelve_months_draws_no_limits_it_does_not_read():
    """2020-21 Q2: the bundled data start in Dec 2019, so the county's charts have 10 months each: no
    SPC reading, so no limits (a point beyond a drawn limit would look like a signal the paper does
    not take), no coloured points, no icons, and a caption that says why."""
    from analysis.report import open_report

    chart = open_report("2020-21 Q2", "Leicestershire", str(paths.DATA_DIR)).outcome("crime").chart()
    labels = {line.get_label() for axis in chart.axes for line in axis.lines}
    assert "SPC limits" not in labels and "SPC mean" not in labels
    assert not any(label.startswith("special cause") for label in labels)
    assert all(not axis.texts for axis in chart.axes)
    assert chart.caption.startswith("Monthly figures, Oct 2018 to Sep 2020. ") or "too few months (10 of the 12 needed)" in chart.caption
    assert "too few months (10 of the 12 needed)" in chart.caption and "with the SPC mean and limits" not in chart.caption

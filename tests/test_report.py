"""The analyst's objects (analysis.report, analysis.paper): what the notebook's cells return, how they
display, the cache behind them, and the export that keeps only the paper's parts."""
import pickle
import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure

from analysis import paths
from analysis.paper import PAPER_KEY
from analysis.render import NotPartOfThePaper, ReportHTMLExporter
from analysis.report import open_report


@pytest.fixture(scope="module")
def report(small_data_dir):
    return open_report("2022-23 Q2", "Testshire", str(small_data_dir))


def shown(obj) -> tuple[dict, dict]:
    return obj._repr_mimebundle_()


def test_every_part_of_the_paper_is_a_real_object_that_displays_marked_as_the_paper(report):
    crime = report.outcome("crime")
    assert isinstance(crime.findings, list) and all(isinstance(s, str) for s in crime.findings)
    assert isinstance(crime.table, pd.DataFrame) and set(crime.table["outcome"]) == {"Ongoing reductions in crime"}
    assert {"value", "low", "high", "p_value", "change_low", "change_high", "status", "trend"} <= set(crime.table)
    dashboard = report.dashboard()
    assert list(dashboard.table["measure_id"]) == [r.measure.id for r in report.assessment.headline]
    for part in (report.title_block(), report.purpose(), report.key_messages(), report.exceptions(), crime.findings,
                 crime.commentary, crime.chart(), report.locality().findings, report.recommendations(), dashboard,
                 report.methods()):
        data, metadata = shown(part)
        assert PAPER_KEY in metadata and data["text/html"] and data["text/plain"]
    assert shown(report.title_block())[1][PAPER_KEY]["title"] == "Safer Communities performance 2022-23 Q2: Testshire"


def test_the_illustrative_notice_names_each_measure_made_from_the_sample(report):
    notice = report.title_block().notice  # tests/data/local/sources.yml marks local_counts illustrative
    assert "first time entrants to the youth justice system" in notice and "hate incidents reported" in notice
    assert "repeat cases at MARAC" not in notice  # local_proportions is not marked illustrative there


def test_a_chart_is_a_figure_the_analyst_can_restyle_and_show_again(report):
    chart = report.outcome("crime").chart()
    assert isinstance(chart, Figure) and chart.axes
    before = shown(chart)[0]["text/html"]
    assert 'alt="Line charts of monthly figures in Testshire' in before and "The numbers in Figure 1</p>" in before
    chart.axes[0].set_title("Restyled by an analyst")
    assert shown(chart)[0]["text/html"] != before  # drawn again, as it is now


def test_an_added_sentence_reaches_the_display(report):
    findings = report.outcome("asb").findings
    findings.append("An analyst's <b>note</b>.")
    assert "An analyst&#x27;s &lt;b&gt;note&lt;/b&gt;." in shown(findings)[0]["text/html"]


def test_compare_gives_the_papers_test_for_the_papers_comparison_and_says_why_when_it_cannot(report):
    result = report.result("total_crime")
    same = report.compare("total_crime", against=report.quarter.same_quarter_last_year())
    assert same.change.p_value == result.change.p_value and same.change.estimate == result.change.estimate
    assert "p = " in str(same)
    missing = report.compare("total_crime", against="2020-21 Q2")
    assert missing.change is None and "lack Jul 2020, Aug 2020, Sep 2020" in str(missing)
    with pytest.raises(KeyError, match="no measure 'burglery'"):
        report.compare("burglery", against="2021-22 Q2")


def test_relative_folders_are_taken_from_the_project_wherever_the_notebook_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert open_report("2022-23 Q2", "Melton").dataset.data_dir == paths.DATA_DIR.resolve()


def test_the_cache_holds_data_keyed_by_the_inputs_and_a_bad_entry_is_recomputed(small_data_dir, tmp_path, capsys):
    cache = tmp_path / "cache"
    first = open_report("2022-23 Q2", "Melton", str(small_data_dir), str(cache))
    entries = list(cache.glob("*.pickle"))
    assert [entry.stem for entry in entries] == [first.key]
    assert open_report("2022-23 Q2", "Melton", str(small_data_dir), str(cache)).table.equals(first.table)
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # truncated
    again = open_report("2022-23 Q2", "Melton", str(small_data_dir), str(cache))
    assert "cache entry unreadable" in capsys.readouterr().err and again.table.equals(first.table)
    entries[0].write_bytes(pickle.dumps(open_report("2022-23 Q2", "Blaby", str(small_data_dir))))  # another report
    assert open_report("2022-23 Q2", "Melton", str(small_data_dir), str(cache)).assessment.area.name == "Melton"


def test_changed_data_give_a_new_key_and_fresh_figures(small_data_dir, tmp_path):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    cache = tmp_path / "cache"
    before = open_report("2022-23 Q2", "Melton", str(data), str(cache))
    counts = data / "local" / "local_counts.csv"
    counts.write_text(counts.read_text().replace("hate_incidents,E07000133,2022-07,3,no", "hate_incidents,E07000133,2022-07,4,no"))
    after = open_report("2022-23 Q2", "Melton", str(data), str(cache))
    assert after.key != before.key
    assert after.result("hate_incidents").value == before.result("hate_incidents").value + 1


def test_importing_the_package_leaves_matplotlib_as_the_user_set_it():
    script = ("import matplotlib\n"
              "matplotlib.rcParams['font.size'] = 13\n"
              "before = dict(matplotlib.rcParams); backend = matplotlib.rcParams._get_backend_or_none()\n"
              "import analysis.report, analysis.charts, analysis.build\n"
              "analysis.report.open_report('2022-23 Q2', 'Melton').outcome('crime').chart()._repr_mimebundle_()\n"
              "assert dict(matplotlib.rcParams) == before, 'rcParams changed'\n"
              "assert matplotlib.rcParams._get_backend_or_none() == backend, 'backend changed'\n")
    subprocess.run([sys.executable, "-c", script], check=True, cwd=paths.PROJECT_ROOT, capture_output=True)


def executed(cells: list[tuple[str, tuple[list, list]]]) -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: code cells with (tags, outputs)."""
    notebook = nbformat.v4.new_notebook()
    for source, (tags, outputs) in cells:
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": tags})
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
        notebook.cells.append(cell)
    return notebook


PRINTED = {"output_type": "stream", "name": "stdout", "text": "exploring\n"}
FRAME = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
         "data": {"text/plain": "   a\n0  1", "text/html": "<table></table>"}}
PART = {"output_type": "display_data", "metadata": {PAPER_KEY: {"part": "title", "title": "Our title"}},
        "data": {"text/plain": "Our title", "text/html": "<h1>Our title</h1>"}}


@pytest.mark.parametrize("stray, what", [(PRINTED, "printed text"), (FRAME, "an output (text/html, text/plain)")])
def test_an_untagged_cell_showing_anything_but_the_paper_stops_the_export(stray, what):
    notebook = executed([("report.title_block()", ([], [PART])), ("report.table", (["analyst-only"], [FRAME])),
                         ("crime.table", ([], [stray]))])
    with pytest.raises(NotPartOfThePaper, match=rf"code cell 3 of the notebook \('crime.table'\) shows {re.escape(what)}"
                                                 rf".*tag the cell 'analyst-only'"):
        ReportHTMLExporter().from_notebook_node(notebook)


def test_analyst_only_cells_and_warnings_are_left_out_and_the_page_takes_the_reports_title():
    warning = {"output_type": "stream", "name": "stderr", "text": "UserWarning: something\n"}
    notebook = executed([("report.title_block()", ([], [PART, warning])), ("print(1)", (["analyst-only"], [PRINTED]))])
    page, _ = ReportHTMLExporter().from_notebook_node(notebook)
    assert "<title>Our title</title>" in page and "exploring" not in page and "UserWarning" not in page


def test_exported_by_hand_with_nbconvert_the_title_is_the_reports(tmp_path):
    notebook = executed([("report.title_block()", ([], [PART]))])
    nbformat.write(notebook, tmp_path / "some-file-name.ipynb")
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "report_html", "some-file-name.ipynb"],
                   cwd=tmp_path, check=True, capture_output=True)
    assert "<title>Our title</title>" in (tmp_path / "some-file-name.html").read_text(encoding="utf-8")


def test_a_raw_cell_is_refused_not_published():
    notebook = executed([("report.title_block()", ([], [PART]))])
    notebook.cells.append(nbformat.v4.new_raw_cell("# disabled: check these figures with the force first"))
    with pytest.raises(NotPartOfThePaper, match="a raw cell .*# disabled.* is not part of the paper"):
        ReportHTMLExporter().from_notebook_node(notebook)


def test_charts_do_not_take_the_users_matplotlib_settings(report):
    import matplotlib

    with matplotlib.rc_context({"lines.linestyle": ":", "lines.linewidth": 9}):
        chart = report.outcome("crime").chart()
    styles = {line.get_linestyle() for axis in chart.axes for line in axis.get_lines() if line.get_label() == "monthly figure"}
    assert styles == {"-"}


def test_what_an_analyst_does_to_one_reports_data_stays_in_that_report(small_data_dir):
    from analysis.targets import Target

    melton = open_report("2022-23 Q2", "Melton", str(small_data_dir))
    melton.dataset.targets.clear()
    melton.dataset.crime_counts["count"] *= 2
    blaby = open_report("2022-23 Q2", "Blaby", str(small_data_dir))
    assert blaby.dataset.targets and blaby.result("total_crime").value == open_report(
        "2022-23 Q2", "Blaby", str(small_data_dir)).result("total_crime").value
    assert isinstance(next(iter(blaby.dataset.targets.values())), Target)


def test_a_report_computed_by_older_code_is_never_found_under_the_current_codes_key(small_data_dir, tmp_path, monkeypatch):
    import analysis.report

    cache = tmp_path / "cache"
    monkeypatch.setattr(analysis.report, "LOADED_PACKAGE", "the package as an older process loaded it")
    stale = open_report("2022-23 Q2", "Melton", str(small_data_dir), str(cache))
    monkeypatch.undo()
    fresh = open_report("2022-23 Q2", "Melton", str(small_data_dir), str(cache))
    assert fresh.key != stale.key and len(list(cache.glob("*.pickle"))) == 2


@pytest.mark.parametrize("source, reason", [
    ("hate_incidents,E07000133,2022-09,", "Hate incidents reported (illustrative): the figures for Melton lack 1 month(s) of 2022-23 Q2."),
    ("hate_incidents,E07000133,2021-08,", "Hate incidents reported (illustrative): the figures for Melton lack months of 2021-22 Q2, "
                                          "so there is no comparison with that period."),
])
def test_the_paper_says_what_one_areas_data_lack(small_data_dir, tmp_path, source, reason):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    counts = data / "local" / "local_counts.csv"
    counts.write_text("".join(line for line in counts.read_text().splitlines(keepends=True) if not line.startswith(source)))
    melton = open_report("2022-23 Q2", "Melton", str(data))
    year_to_date = "The police.uk data lack 3 month(s) of the year to date, Apr-Sep 2022: those figures are not available."
    for part in (melton.key_messages(), melton.methods()):
        assert reason in str(part) and year_to_date in str(part)
    assert "is missing from the data" not in str(melton.methods())

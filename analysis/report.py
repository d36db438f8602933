"""The report an analyst works with: `open_report(quarter, area)` and the paper's parts from it.

`Report` holds the loaded data and the assessment (every measure's figures, intervals, tests,
trend, SPC and district comparison); its methods return the paper's parts (analysis.paper objects:
sentences, tables, charts) and analysts' views such as `table` and `compare`. A batch build
computes each report once, outside the notebook kernel, and caches it as data (a pickle of the
dataset and assessment, never rendered HTML) under a key made from the input files, the package
code and the parameters; the notebook then opens it from the cache and draws it.
"""
from __future__ import annotations

import copy
import functools
import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis import paths, present
from analysis.assess import Assessment, Change, Result, assess, compare
from analysis.commentary import LOCALITY, Commentary, load_commentary
from analysis.dataset import Dataset, load_dataset
from analysis.fingerprint import fingerprint, input_hashes, package_hash
from analysis.measures import OUTCOMES
from analysis.paper import (Chart, CommentaryBlock, Dashboard, Findings, KeyMessages, Recommendations, Table,
                            TitleBlock, escape)
from analysis.periods import Quarter

OUTCOME_KEYS = dict(zip(("crime", "reoffending", "victims", "asb"), OUTCOMES))
# The package as this process loaded it. Reports are cached under it, so a process still running
# older code (a JupyterLab kernel, a long-lived Dask worker) never stores or finds a report under
# the key of the code now on disk.
LOADED_PACKAGE = package_hash()


@dataclass(repr=False)
class Outcome:
    """One outcome of the paper: its results, their sentences, figures table and monthly chart."""

    report: Report
    name: str

    def __repr__(self) -> str:
        return f"Outcome({self.name!r}: {len(self.results)} results; .findings, .table, .chart(), .published_chart())"

    @property
    def results(self) -> list[Result]:
        return present.outcome_results(self.report.assessment, self.name)

    @property
    def findings(self) -> Findings:
        return present.outcome_findings(self.report.assessment, self.name, self.report.charted)

    @property
    def table(self) -> pd.DataFrame:
        """The figures, intervals and tests of this outcome's measures, every period."""
        table = self.report.table
        return table[table["outcome"] == self.name].reset_index(drop=True)

    @property
    def commentary(self) -> CommentaryBlock:
        """The analyst's words for this outcome, from the commentary store."""
        return present.outcome_commentary(self.report.assessment, self.report.commentary, self.name)

    def chart(self) -> Chart | None:
        """The monthly chart (None where no measure of the outcome has monthly figures for the area)."""
        report = self.report
        return present.monthly_chart(report.dataset, report.assessment, self.name, report.figures.get(self.name))

    def published_chart(self) -> Chart | None:
        """The published yearly rates against the region (None where the outcome has none for the area)."""
        report = self.report
        return present.published_chart(report.dataset, report.assessment, self.name,
                                       report.figures.get(present.published_key(self.name)))


@dataclass(repr=False)
class Locality:
    """How the districts compare with the county for one measure, with the district's own rank and
    funnel position for every measure in a district report."""

    report: Report
    result: Result

    def __repr__(self) -> str:
        return (f"Locality({self.result.measure.id!r}, {self.report.assessment.area.name}: .table, .rates_chart(), "
                f".funnel_chart(), .findings, .positions)")

    @property
    def table(self) -> pd.DataFrame | None:
        """Each district's and the county's figure, 95% interval and funnel label."""
        return self.result.districts

    def rates_chart(self) -> Chart | None:
        report = self.report
        return present.rates_chart(report.dataset, report.assessment, self.result, report.figures.get("rates"))

    def funnel_chart(self) -> Chart | None:
        report = self.report
        return present.funnel_chart(report.dataset, report.assessment, self.result, report.figures.get("funnel"))

    @property
    def findings(self) -> Findings:
        figures = self.report.figures
        numbers = [figures[key] for key in ("rates", "funnel") if key in figures] if self.result.districts is not None else []
        return present.locality_findings(self.report.assessment, self.result, numbers)

    @property
    def commentary(self) -> CommentaryBlock:
        return present.outcome_commentary(self.report.assessment, self.report.commentary, LOCALITY)

    @property
    def grid(self) -> Table | None:
        """The county's paper: every measure against every district (None in a district's paper)."""
        return present.district_grid(self.report.assessment)

    @property
    def positions(self) -> Table | None:
        """District reports: rank and funnel position for each measure (None in the county report)."""
        return present.district_positions(self.report.assessment)


@dataclass(frozen=True)
class Comparison:
    """An ad-hoc comparison made by `Report.compare`, with the paper's tests; for analysts, not the paper.
    `change` holds the estimate, its 95% interval and the p-value; `unavailable` says why there is none."""

    measure: str
    current: str
    against: str
    change: Change | None
    unavailable: str | None = None

    def __str__(self) -> str:
        head = f"{self.measure}, {self.current} against {self.against}: "
        change = self.change
        if change is None:
            return head + f"not available ({self.unavailable})"
        interval = "" if change.estimate is None else \
            f"{change.estimate_name} {change.estimate:.3f} (95% interval {change.low:.3f} to {change.high:.3f}), "
        test = "not tested" if not change.tested else \
            f"p = {change.p_value:.3g}: {'significant' if change.significant else 'not significant'} at the 95% level"
        return head + f"difference {change.difference:+,.3g}; {interval}{test}"

    def _repr_html_(self) -> str:
        return f"<p>{escape(self)}</p>"


@dataclass(repr=False)
class Report:
    """One area's report for one quarter: the data it was computed from and their assessment."""

    dataset: Dataset
    assessment: Assessment
    key: str  # the cache key: quarter, area, input file hashes and package code
    commentary: Commentary = field(default_factory=lambda: Commentary(None))  # the analyst's words, read afresh on every open (never cached)

    def __repr__(self) -> str:
        return (f"Report({self.quarter}, {self.assessment.area.name}: {len(self.assessment.headline)} measures, "
                f"data from {self.dataset.data_dir})")

    @property
    def quarter(self) -> Quarter:
        return self.assessment.quarter

    @property
    def title(self) -> str:
        return present.report_title(self.dataset, self.assessment)

    @functools.cached_property
    def _figures(self) -> tuple[dict[str, int], dict[str, int]]:
        return present.figure_numbers(self.dataset, self.assessment, self.result(present.HEADLINE_MEASURE))

    @property
    def figures(self) -> dict[str, int]:
        """The paper's figure numbers: each outcome's monthly chart by outcome name, then 'rates' and
        'funnel' for the districts (the headline measure's comparison)."""
        return self._figures[0]

    @property
    def charted(self) -> dict[str, int]:
        """The figure that charts each measure month by month (measure id -> figure number)."""
        return self._figures[1]

    @property
    def table(self) -> pd.DataFrame:
        """Every measure and period: value, interval, change, its test, status, trend and SPC signal."""
        return self.assessment.frame()

    def result(self, measure_id: str, period: str | None = None) -> Result:
        """A measure's result for its headline period, or for `period` ('quarter', 'year_to_date', ...)."""
        for result in self.assessment.results:
            if result.measure.id == measure_id and result.period_type == (period or result.measure.headline_period):
                return result
        raise KeyError(f"no result for measure {measure_id!r}, period {period or 'headline'}; "
                       f"measures: {', '.join(m.id for m in self.dataset.measures)}")

    def title_block(self) -> TitleBlock:
        return present.title_block(self.dataset, self.assessment, self.key)

    def purpose(self) -> Findings:
        return present.purpose(self.dataset, self.assessment, self.commentary)

    def key_messages(self) -> KeyMessages:
        return present.key_messages(self.dataset, self.assessment, self.commentary)

    def exceptions(self) -> Table:
        """The exceptions, with the analyst's cause, action, owner and due date."""
        return present.exceptions(self.assessment, self.commentary)

    def outcome(self, name: str) -> Outcome:
        """One outcome by key ('crime', 'reoffending', 'victims', 'asb') or full name."""
        if name not in OUTCOME_KEYS and name not in OUTCOMES:
            raise KeyError(f"no outcome {name!r}; outcomes: {', '.join(OUTCOME_KEYS)}")
        return Outcome(self, OUTCOME_KEYS.get(name, name))

    def locality(self, measure_id: str = present.HEADLINE_MEASURE) -> Locality:
        return Locality(self, self.result(measure_id))

    def recommendations(self) -> Recommendations:
        return present.recommendations(self.dataset, self.assessment, self.commentary)

    def dashboard(self) -> Dashboard:
        return present.dashboard(self.assessment)

    def methods(self) -> Findings:
        return present.methods(self.dataset, self.assessment)

    def compare(self, measure_id: str, against: str | Quarter) -> Comparison:
        """This quarter (or latest cohort) against another quarter ('2019-20 Q2') or cohort year ('2018-19')."""
        measure = self.dataset.measure(measure_id)
        current, previous, change = compare(self.dataset, measure, self.assessment.area, self.assessment.quarter,
                                            str(against))
        if isinstance(change, str):
            return Comparison(measure.title, current, previous, None, change)
        return Comparison(measure.title, current, previous, change)


_loaded: dict[Path, Dataset] = {}


def current_dataset(data_dir: Path) -> Dataset:
    """The data as they are on disk now: loaded once per process while the files stay unchanged,
    so a batch worker builds several areas from one load and never from stale data. Reports get
    their own copy (see open_report), so nothing done to a report's data reaches this one."""
    dataset = _loaded.get(data_dir)
    if dataset is None or dataset.input_hashes != input_hashes(data_dir):
        dataset = _loaded[data_dir] = load_dataset(data_dir)
    return dataset


def open_report(quarter: str, area: str, data_dir: str = "data", cache_dir: str = "",
                commentary_dir: str = "", refresh: bool = False) -> Report:
    """The report for a quarter and area: from the cache in `cache_dir` where it holds this report
    for these very inputs and code (unless `refresh`), otherwise computed now (and cached, if
    `cache_dir`), with the analyst's commentary read from `commentary_dir` (none if ""). Relative
    folders are taken from the project folder, wherever the notebook runs."""
    report = _report(quarter, area, data_dir, cache_dir, refresh)
    if commentary_dir:
        found = report.assessment.area
        report.commentary = load_commentary(paths.from_project(commentary_dir), report.quarter, found.name, found.slug,
                                            {m.id for m in report.dataset.measures})
    return report


def _report(quarter: str, area: str, data_dir: str, cache_dir: str, refresh: bool) -> Report:
    data_path = paths.from_project(data_dir)
    period = Quarter.parse(quarter)
    key = fingerprint(str(period), area, input_hashes(data_path), LOADED_PACKAGE)
    entry = paths.from_project(cache_dir) / f"{key}.pickle" if cache_dir else None
    if entry is not None and entry.is_file() and not refresh:
        try:
            report = pickle.loads(entry.read_bytes())
            if isinstance(report, Report) and report.key == key and report.quarter == period \
                    and report.dataset.areas.find(area) == report.assessment.area:
                return report
            raise ValueError("it holds another report")
        except Exception as error:  # a truncated or foreign entry is recomputed, never trusted
            print(f"warning: {entry}: cache entry unreadable ({error}); computing afresh", file=sys.stderr)
    dataset = current_dataset(data_path)
    assessment = assess(dataset, period, dataset.areas.find(area))
    report = Report(copy.deepcopy(dataset), assessment, fingerprint(str(period), area, dataset.input_hashes, LOADED_PACKAGE))
    if entry is not None:
        entry = entry.with_name(f"{report.key}.pickle")  # keyed by the bytes actually read
        entry.parent.mkdir(parents=True, exist_ok=True)
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(report))
        partial.replace(entry)
    return report

"""A report's content, computed once per quarter and area and cached as JSON.

The notebook only loads and shows it, so a kernel imports no statistics or plotting library and a
batch build computes nothing twice. The cache key is the fingerprint of the inputs, the code and
the parameters: a change to any of them computes the content afresh. The cache holds HTML fragments
already escaped by analysis.present, and plain values: data, never code.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from IPython.display import HTML

from analysis.fingerprint import code_hash, fingerprint, input_hashes

OUTCOME_KEYS = ("crime", "reoffending", "victims", "asb")  # in the order of analysis.measures.OUTCOMES


@dataclass(frozen=True)
class ReportContent:
    title: str
    fragments: dict[str, str]  # escaped HTML, by part of the report
    assessment_rows: list[dict]  # the assessment, one row per measure and period, for analysts

    def show(self, part: str) -> HTML:
        return HTML(self.fragments[part])

    def assessment_table(self):
        """The assessment as a DataFrame, to check the figures."""
        import pandas as pd

        return pd.DataFrame(self.assessment_rows)


def load_content(quarter: str, area: str, data_dir: str, cache_dir: str | None = None) -> ReportContent:
    """The cached content for these parameters, or content computed now (and cached if `cache_dir`)."""
    data_dir = Path(data_dir).resolve()
    key = fingerprint(quarter, area, input_hashes(data_dir), code_hash())
    cached = Path(cache_dir) / f"{key}.json" if cache_dir else None
    if cached is not None and cached.is_file():
        return ReportContent(**json.loads(cached.read_text(encoding="utf-8")))
    content = compute_content(str(data_dir), quarter, area)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(content.__dict__), encoding="utf-8")
        partial.replace(cached)
    return content


def compute_content(data_dir: str, quarter: str, area: str) -> ReportContent:
    from analysis import present
    from analysis.assess import assess
    from analysis.measures import OUTCOMES
    from analysis.periods import Quarter

    dataset = _dataset(data_dir)
    assessment = assess(dataset, Quarter.parse(quarter), dataset.areas.find(area))
    fragments = {
        "title": present.title_block(dataset, assessment),
        "summary": present.summary(dataset, assessment),
        "locality": present.locality(dataset, assessment),
        "recommendations": present.recommendations(dataset, assessment),
        "dashboard": present.dashboard(assessment),
        "methods": present.methods_notes(dataset, assessment),
    }
    for key, outcome in zip(OUTCOME_KEYS, OUTCOMES):
        fragments[key] = present.outcome_section(assessment, outcome)
        fragments[f"{key}-chart"] = present.monthly_chart(dataset, assessment, outcome)
    frame = assessment.frame()
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return ReportContent(present.report_title(dataset, assessment), fragments, rows)


@lru_cache(maxsize=4)
def _dataset(data_dir: str):
    """One load of the data per process: a batch worker builds several areas from it."""
    from analysis.dataset import load_dataset

    return load_dataset(data_dir)

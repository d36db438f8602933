"""`python -m analysis commentary`: draft each area's commentary file for a quarter.

Every item that needs the analyst's words (analysis.attention.commentary_items) is put in the
area's file with its figures filled in; words already written are never changed, and words whose
figures have changed since are marked for checking (analysis.commentary.draft).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from analysis import paths
from analysis.attention import commentary_items
from analysis.build import CACHE_DIR, choose_quarter, commentary_store
from analysis.commentary import CommentaryError, commentary_path, draft
from analysis.report import current_dataset, open_report


def draft_commentary(quarter: str | None, area_names: list[str] | None, data_dir: Path,
                     store: Path | None = None) -> list[Path]:
    """Draft (or bring up to date) the files of the areas asked for, in `store` (by default
    `commentary/` beside the data directory); return the files written."""
    dataset = current_dataset(Path(data_dir).resolve())
    store = commentary_store(dataset.data_dir, store)
    period = choose_quarter(dataset, quarter)
    areas = dataset.areas.all if not area_names else tuple(dict.fromkeys(map(dataset.areas.find, area_names)))
    measure_ids = {measure.id for measure in dataset.measures}
    written = []
    for number, area in enumerate(areas, start=1):
        report = open_report(period.label, area.name, str(dataset.data_dir), str(paths.OUTPUTS_DIR / CACHE_DIR))
        path = _target(commentary_path(store, period, area.slug))  # a linked file is written where it lies
        before = _read(path)
        items = commentary_items(report.assessment)
        text, added, marked = draft(before, period, area.name, items, measure_ids, path)
        if text != before:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                partial.write_bytes(text.encode("utf-8"))  # bytes: the file's own line endings are kept
                partial.replace(path)
            except OSError as error:
                raise CommentaryError(f"{path}: cannot be written ({error})") from None
            written.append(path)
        state = "created" if before is None else "updated" if text != before else "unchanged"
        print(f"[{number}/{len(areas)}] {area.name}: {_shown(path)} {state}; {len(items)} item(s) need words, "
              f"{len(added)} added, {len(marked)} marked as written for other figures", file=sys.stderr)
    return written


def _shown(path: Path) -> Path:
    """The path as the user can type it: relative to where they are, where it lies below."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _target(path: Path) -> Path:
    try:
        return path.resolve(strict=path.is_symlink())  # a broken or looping link is an error
    except (OSError, RuntimeError) as error:
        raise CommentaryError(f"{path}: a link that leads to no file ({error})") from None


def _read(path: Path) -> str | None:
    """The file's text as written (its line endings kept), or None where there is none yet."""
    if not path.exists():
        return None
    if not path.is_file():
        raise CommentaryError(f"{path}: not a file")
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommentaryError(f"{path}: cannot be read as UTF-8 text ({error})") from None

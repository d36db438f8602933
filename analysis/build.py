"""The quarterly batch: execute the report notebook for each area, render HTML and PDF, write a manifest.

Areas build in parallel processes into a staging folder; the pack is published to
`outputs/<quarter>/` only when every area built, so a failed run never replaces a good pack.
"""
from __future__ import annotations

import ast
import fcntl
import json
import multiprocessing
import os
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import nbformat
import pandas as pd
import papermill

from analysis import paths
from analysis.areas import Area, AreaError, AreaSet, load_areas, national_packs
from analysis.assess import row_accounting
from analysis.attention import missing_commentary
from analysis.commentary import CommentaryError, commentary_path
from analysis.dataset import DataError, Dataset, load_dataset
from analysis.fingerprint import code_hash, file_hash, fingerprint, package_hash
from analysis.kernel import BATCH_ENGINE, discard_kernel, kernel_for
from analysis.periods import Quarter, complete_quarters, month_name
from analysis.paper import PAPER_KEY
from analysis.render import ReportHTMLExporter, pdf_from_html
from analysis.report import LOADED_PACKAGE, open_report
from analysis.wording import data_gaps

LOCK_FILE = ".build.lock"  # under the outputs folder: held by the build writing there
CACHE_DIR = ".cache"  # under the outputs folder: each report's data and assessment, computed once
CELL_TIMEOUT_SECONDS = 600  # default per-cell limit: a cell running longer fails its area
SCHEDULER_WAIT_SECONDS = 5  # a --scheduler that does not answer in this time fails the build
REPORTED_PACKAGES = ("pandas", "pyarrow", "scipy", "statsmodels", "matplotlib", "seaborn",
                     "papermill", "nbconvert", "ipykernel", "weasyprint")


@dataclass(frozen=True)
class AreaJob:
    """What one worker process needs to build one area's report."""

    quarter: str
    area: Area
    data_dir: str
    staging: str
    notebook: str
    timeout: int
    cache_dir: str
    code: str  # hash of the package and notebooks: a worker's kernel is replaced when it changes
    package: str  # hash of the package alone, as on disk when the build started
    inputs: dict[str, str]  # hashes of the input files when the build started
    commentary_dir: str
    commentary: str  # hash of the area's commentary file when the build started ("" where there is none)
    refresh: bool = False  # compute the report afresh, whatever the cache holds (--force)

    @property
    def parameters(self) -> dict[str, str]:
        return {"quarter": self.quarter, "area": self.area.name, "data_dir": self.data_dir, "cache_dir": self.cache_dir,
                "commentary_dir": self.commentary_dir}

    @property
    def commentary_file(self) -> Path:
        return commentary_path(Path(self.commentary_dir), Quarter.parse(self.quarter), self.area.slug)

    @property
    def fingerprint(self) -> str:
        """Changes when the inputs, the commentary, the code or the parameters change: the report is then out of date."""
        return fingerprint(self.parameters, self.notebook, self.inputs, self.commentary, self.code)


def check_parameters(notebook: Path, parameters: dict[str, object]) -> None:
    """Refuse parameters the notebook does not declare, or of another type, before anything runs
    (papermill itself only warns and goes on)."""
    declared = papermill.inspect_notebook(str(notebook))
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ValueError(f"{notebook}: no parameter named {', '.join(unknown)}; "
                         f"the parameters cell declares {', '.join(declared)}")
    for name, value in parameters.items():
        expected = declared[name]["inferred_type_name"]
        if expected == "None":  # no annotation: the type of the literal default (parsed, never run)
            expected = type(ast.literal_eval(declared[name]["default"])).__name__
        if type(value).__name__ != expected:
            raise ValueError(f"{notebook}: parameter {name} is {type(value).__name__} {value!r}, expected {expected}")


def latest_complete_quarter(dataset: Dataset) -> Quarter:
    quarters = complete_quarters(dataset.months_present)
    if not quarters:
        raise DataError(f"{dataset.data_dir}: the data hold no complete quarter")
    return quarters[-1]


def choose_quarter(dataset: Dataset, text: str | None) -> Quarter:
    """The quarter asked for, or the latest complete one; a quarter with no data at all is refused."""
    if text is None:
        return latest_complete_quarter(dataset)
    quarter = Quarter.parse(text)
    if not set(quarter.months) & dataset.months_present:
        months = sorted(dataset.months_present)
        raise DataError(f"no data for {quarter} ({quarter.month_span}); the data cover "
                        f"{month_name(months[0])} to {month_name(months[-1])}")
    return quarter


def build_pack(quarter: str | None = None, area_names: list[str] | None = None,
               data_dir: Path = paths.DATA_DIR, out_dir: Path = paths.OUTPUTS_DIR, workers: int = 1,
               notebook: Path = paths.NOTEBOOK, strict: bool = False,
               timeout: int = CELL_TIMEOUT_SECONDS, force: bool = False, scheduler: str | None = None,
               commentary_dir: Path | None = None, clear_cache: bool = False) -> dict:
    """Build every area's notebook, HTML and PDF; return the manifest (also written as manifest.json).

    `strict` refuses a quarter with a month missing (otherwise its figures are "not available"), and
    a pack with an exception that lacks the analyst's cause, action, owner or due date (otherwise
    listed, and shown as "not provided"); the analyst's words come from `commentary_dir` (by default
    `commentary/` beside the data directory: the project's own for `data/`);
    `timeout` is the limit, in seconds, for any one cell of an area's notebook. Areas already
    published from the same inputs, code and parameters are kept as they are unless `force`; the
    others build in `workers` local processes, or on the Dask cluster at `scheduler`. `force` also
    computes each report afresh rather than from the cache; `clear_cache` empties the cache first.
    """
    if timeout <= 0:
        raise ValueError(f"--timeout: expected seconds above 0, got {timeout}")
    if workers < 1:
        raise ValueError(f"--workers: expected at least 1, got {workers}")
    dataset = load_dataset(data_dir)
    period = choose_quarter(dataset, quarter)
    missing = [m for m in period.months if m not in dataset.months_present]
    if strict and missing:
        raise DataError(f"{period} lacks {', '.join(map(month_name, missing))} in {dataset.data_dir}; "
                        f"--strict refuses an incomplete quarter")
    everything = not area_names or [name.lower() for name in area_names] == ["all"]
    requested = dataset.areas.all if everything else tuple(dict.fromkeys(map(dataset.areas.find, area_names)))
    for gap in data_gaps(dataset, period):
        print(f"warning: {gap}", file=sys.stderr)
    out_dir = Path(out_dir).resolve()
    staging, target = out_dir / f".staging-{period.slug}", out_dir / period.slug
    if target.is_symlink():  # publishing swaps the folder by renames: a link would be replaced, its files moved
        raise OutputsUnwritable(f"{target}: a link to {os.readlink(target)}, not a folder; the published quarter "
                                f"must be a folder of --out (point --out at where the pack should be)")
    inputs, code = dataset.input_hashes, code_hash()
    commentary_dir = commentary_store(dataset.data_dir, commentary_dir)
    jobs = {area.slug: AreaJob(period.label, area, str(dataset.data_dir), str(staging), str(notebook), timeout,
                               str(out_dir / CACHE_DIR), code, package_hash(), inputs, str(commentary_dir),
                               _commentary_hash(commentary_path(commentary_dir, period, area.slug)), force)
            for area in dataset.areas.all}
    check_parameters(Path(notebook), next(iter(jobs.values())).parameters)
    with exclusive(out_dir):  # one build at a time writes to an outputs folder
        if clear_cache:
            shutil.rmtree(out_dir / CACHE_DIR, ignore_errors=True)
            print(f"cleared the report cache {out_dir / CACHE_DIR}", file=sys.stderr)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)

        # Keep published reports whose inputs, code and parameters are unchanged; build the rest asked for.
        kept, stale = _up_to_date(target, staging, {slug: job.fingerprint for slug, job in jobs.items()})
        retired = [result for result in stale if result["slug"] not in jobs]  # renamed or removed in areas.yml
        stale = [result for result in stale if result["slug"] in jobs]
        if retired:
            print(f"no longer areas of {dataset.data_dir / paths.AREAS_FILE}, so not in the new pack: "
                  f"{', '.join(result['area'] for result in retired)} (their papers leave the pack when it is "
                  f"published)", file=sys.stderr)
        if force:  # the areas asked for are rebuilt whatever their state; the others stay as published
            kept = [result for result in kept if result["slug"] not in {area.slug for area in requested}]
        kept_slugs = {result["slug"] for result in kept}
        to_build = [jobs[area.slug] for area in requested if area.slug not in kept_slugs]
        outdated = _keep_out_of_date(target, staging, [r for r in stale if r["slug"] not in {j.area.slug for j in to_build}])
        print(f"building {period}: {len(to_build)} area(s) to build, {len(kept)} up to date, "
              f"{'on ' + scheduler if scheduler else f'{min(workers, max(len(to_build), 1))} worker(s)'}", file=sys.stderr)
        started = time.perf_counter()
        results = run_jobs(to_build, workers, scheduler)
        for result in results:
            result["fingerprint"] = jobs[result["slug"]].fingerprint
            if result["status"] == "built":  # what is published, to tell a cut-short or edited file later
                result["files"] = {path.name: file_hash(path) for path in _published_files(staging, result["slug"])}
        lacking = _report_missing_commentary(results + kept, strict)
        failures = [r for r in results if r["status"] != "built"] + lacking
        order = [area.slug for area in dataset.areas.all]
        results = sorted(results + ([] if failures else kept + outdated), key=lambda result: order.index(result["slug"]))

        manifest = {
            "quarter": period.label,
            "months": period.months,
            "months_missing": missing,
            "areas": [result["area"] for result in results],
            "parameters": {"quarter": period.label, "data_dir": str(dataset.data_dir), "notebook": str(notebook),
                           "strict": strict, "cell_timeout_seconds": timeout, "force": force},
            "status": "failed" if failures else "complete",
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "wall_seconds": round(time.perf_counter() - started, 2),
            "police_uk_rows": row_accounting(dataset, period),
            "input_files": inputs,
            "code_hash": code,
            "packages": {name: metadata.version(name) for name in REPORTED_PACKAGES},
            "python": sys.version.split()[0],
            "results": results,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")

        if failures:
            for failure in failures:
                print(f"FAILED {failure['area']} {period}: {failure['error']}", file=sys.stderr)
            print(f"nothing published; partial outputs kept in {staging}", file=sys.stderr)
            return manifest
        ours = {"manifest.json"} | {f"{slug}{suffix}" for slug in [*jobs, *(result["slug"] for result in retired)]
                                    for suffix in (".ipynb", ".html", ".pdf")}
        _publish(staging, target, ours)
        print(f"published {target}: {len(results)} area(s), {len(to_build)} built now", file=sys.stderr)
        return manifest


def build_national(data_dir: Path, force_names: list[str] | None = None, area_names: list[str] | None = None,
                   out_dir: Path = paths.OUTPUTS_DIR, **options) -> list[dict]:
    """Build each pack of a national folder (every force, or those named) into `<out>/<pack folder>/`,
    as `build_pack` builds one, its areas those named (in any of them) or all. Refused before anything
    is built if a pack to build has no derived data; a pack that fails does not stop the others, and
    nothing of it is published. Returns each pack's manifest."""
    packs = {pack.name: load_areas(pack) for pack in national_packs(data_dir)}
    chosen = list(packs) if not force_names else list(dict.fromkeys(_pack_named(packs, name, data_dir)
                                                                    for name in force_names))
    wanted: dict[str, list[str] | None] = dict.fromkeys(chosen)
    if area_names and [name.lower() for name in area_names] != ["all"]:
        wanted = {}
        for name in area_names:  # area names are unique across England and Wales: one pack holds each
            holders = [pack for pack in chosen if _has_area(packs[pack], name)]
            if not holders:
                raise AreaError(f"unknown area {name!r}: no pack of {data_dir} to build "
                                f"({', '.join(chosen[:5])}{', ...' if len(chosen) > 5 else ''}) has it")
            wanted.setdefault(holders[0], []).append(name)
        unused = [pack for pack in chosen if pack not in wanted] if force_names else []
        if unused:
            raise AreaError(f"--forces {', '.join(unused)}: none of the --areas named is in {'its' if len(unused) == 1 else 'their'} "
                            f"pack; name an area of each force, or leave out --areas to build every area of the forces")
    bare = [name for name in wanted if not (Path(data_dir) / name / paths.MONTHS_FILE).is_file()]
    if bare:
        raise DataError(f"{data_dir}: no derived police.uk data for {len(bare)} of the {len(wanted)} packs to build "
                        f"({', '.join(bare[:5])}{', ...' if len(bare) > 5 else ''}); derive them with `python -m "
                        f"analysis data --data {data_dir} --police-uk FOLDER ...`"
                        + ("" if force_names else ", or name the forces to build with --forces"))
    months = {name: set(pd.read_csv(Path(data_dir) / name / paths.MONTHS_FILE, dtype=str)["month"]) for name in wanted}
    if options.get("quarter") is None:  # one quarter for the whole set, or the packs would not compare
        latest = {name: (complete_quarters(present) or [None])[-1] for name, present in months.items()}
        if len(set(latest.values())) > 1:
            raise DataError(f"{data_dir}: the packs' latest complete quarters differ ("
                            + ", ".join(f"{name} {quarter or 'none'}" for name, quarter in latest.items())
                            + "); name the quarter to build with --quarter")
    else:
        quarter = Quarter.parse(options["quarter"])
        lacking = [name for name, present in months.items() if not set(quarter.months) & present]
        if lacking:
            raise DataError(f"{data_dir}: no police.uk data for {quarter} in {len(lacking)} of the {len(wanted)} packs "
                            f"to build ({', '.join(lacking[:5])}{', ...' if len(lacking) > 5 else ''}); name the "
                            f"forces to build with --forces, or derive their data for {quarter}")
    manifests = []
    for number, (pack, names) in enumerate(wanted.items(), start=1):
        print(f"pack {number} of {len(wanted)}: {packs[pack].county.name} ({pack})", file=sys.stderr, flush=True)
        try:
            manifests.append(build_pack(area_names=names, data_dir=Path(data_dir) / pack, out_dir=Path(out_dir) / pack,
                                        **options))
        except ValueError as error:  # bad input in one pack: said, and the others still built
            print(f"FAILED pack {pack}: {error}", file=sys.stderr)
            manifests.append({"status": "failed", "pack": pack, "error": str(error)})
    failed = [pack for pack, manifest in zip(wanted, manifests) if manifest["status"] != "complete"]
    print(f"national: {len(wanted) - len(failed)} of {len(wanted)} pack(s) complete"
          + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return manifests


def _pack_named(packs: dict[str, AreaSet], name: str, data_dir: Path) -> str:
    """A pack by its folder (police.uk's name for the force) or its force area's name, in any case."""
    for folder, areas in packs.items():
        if name.strip().lower() in (folder, areas.county.name.lower(), areas.county.slug):
            return folder
    raise AreaError(f"{data_dir}: no pack for force {name!r}; the packs are: {', '.join(packs)}")


def _has_area(areas: AreaSet, name: str) -> bool:
    try:
        areas.find(name)
    except AreaError:
        return False
    return True


def run_jobs(jobs: list[AreaJob], workers: int, scheduler: str | None = None) -> list[dict]:
    """Each area in its own process: a local pool, or the workers of a Dask distributed cluster; a line
    as each area is done, with how many are left."""
    if not jobs:
        return []
    if scheduler:
        from distributed import Client
        from distributed import as_completed as cluster_completed

        try:
            client = Client(scheduler, timeout=f"{SCHEDULER_WAIT_SECONDS}s")
        except OSError as error:  # no scheduler there, or it does not answer
            raise SchedulerUnreachable(f"--scheduler {scheduler}: {error}; start the Dask scheduler there, "
                                       f"or build without --scheduler") from None
        with client:
            return [_progress(future.result(), done, len(jobs))
                    for done, future in enumerate(cluster_completed(client.map(build_area, jobs, pure=False)), start=1)]
    # multiprocessing's Pool, not concurrent.futures': leaving its block on an interruption (Ctrl-C,
    # or SIGTERM, which the command line turns into one) terminates the workers, and with them
    # their kernels, instead of waiting for them to finish
    with multiprocessing.Pool(max(1, min(workers, len(jobs))), initializer=_worker_signals) as pool:
        return [_progress(result, done, len(jobs))
                for done, result in enumerate(pool.imap_unordered(build_area, jobs), start=1)]


def _worker_signals() -> None:
    """A worker leaves interruptions to the build (which ends it, and its kernel sees its parent go):
    Ctrl-C reaches the whole process group, and a worker's own traceback would only be noise."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _progress(result: dict, done: int, total: int) -> dict:
    left = f"{total - done} to go" if done < total else "all done"
    state = f"built in {result['seconds_total']:.0f} s" if result["status"] == "built" else "failed"
    print(f"  {result['area']}: {state} ({done} of {total}, {left})", file=sys.stderr, flush=True)
    return result


def build_area(job: AreaJob) -> dict:
    """Execute, then render one area's report; a failure (an error in a cell, a cell over the time
    limit, a kernel that dies) is reported with its cell, not raised."""
    started = time.perf_counter()
    area, staging = job.area, job.staging
    notebook_path = Path(staging) / f"{area.slug}.ipynb"
    result = {"area": area.name, "slug": area.slug, "status": "built", "error": None,
              "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "parameters": job.parameters}
    try:
        if job.package != LOADED_PACKAGE:
            raise RuntimeError("this worker runs the package as it was when the worker started, not as it is now; "
                               "restart the workers (e.g. the Dask workers) and build again")
        if _commentary_hash(job.commentary_file) != job.commentary:
            raise DataError(f"{job.commentary_file} changed during the build; build again once the words are in place")
        # computed here, opened by the kernel
        report = open_report(job.quarter, area.name, job.data_dir, job.cache_dir, job.commentary_dir, job.refresh)
        _check_same_data(job, report.dataset.input_hashes)
        result["commentary_missing"] = missing_commentary(report.assessment, report.commentary)
        result["commentary_file"] = str(job.commentary_file)
        computed_at = time.perf_counter()
        kernel = kernel_for(str(Path(job.notebook).parent), job.code)
        try:
            papermill.execute_notebook(job.notebook, str(notebook_path), parameters=job.parameters, km=kernel,
                                       engine_name=BATCH_ENGINE, progress_bar=False, kernel_name="python3",
                                       execution_timeout=job.timeout)
        finally:
            kernel.close_clients()
        executed_at = time.perf_counter()
        executed = nbformat.read(notebook_path, as_version=4)
        shown = {output["metadata"][PAPER_KEY].get("report_key") for cell in executed.cells if cell.cell_type == "code"
                 for output in cell.get("outputs", []) if PAPER_KEY in output.get("metadata", {})} - {None}
        if not shown:
            raise RuntimeError("the notebook shows no title block (report.title_block()), which records the data "
                               "its figures come from")
        if shown != {report.key}:
            raise RuntimeError("the notebook's figures are not those of the report computed for this build "
                               "(the data or code changed while it ran); build again")
        html, _ = ReportHTMLExporter().from_notebook_node(executed)
        (Path(staging) / f"{area.slug}.html").write_text(html, encoding="utf-8")
        (Path(staging) / f"{area.slug}.pdf").write_bytes(pdf_from_html(html))
        result["seconds"] = {"content": round(computed_at - started, 2), "execute": round(executed_at - computed_at, 2),
                             "render": round(time.perf_counter() - executed_at, 2)}
    except papermill.PapermillExecutionError as error:
        discard_kernel()
        result.update(status="failed", error=f"cell {error.exec_count or error.cell_index}: {error.ename}: {error.evalue}")
    except Exception as error:  # a failure of one area must not stop the others
        discard_kernel()
        first_line = next(iter(str(error).strip().splitlines()), "")  # a timeout's message goes on to quote the cell
        result.update(status="failed", error=f"{type(error).__name__}: {first_line}")
    result["seconds_total"] = round(time.perf_counter() - started, 2)
    return result


def commentary_store(data_dir: Path, asked: Path | None) -> Path:
    """The commentary store asked for, or `commentary/` beside the data directory: the words belong
    to the data set they are about."""
    store = Path(asked).resolve() if asked is not None else Path(data_dir).resolve().parent / paths.COMMENTARY
    if store.exists() and not store.is_dir():
        raise CommentaryError(f"{store}: the commentary store must be a folder")
    return store


def _commentary_hash(path: Path) -> str:
    if not path.exists() and not path.is_symlink():
        return ""
    if not path.is_file():
        raise CommentaryError(f"{path}: not a readable file (a broken link, a folder or a device)")
    try:
        return file_hash(path)
    except OSError as error:
        raise CommentaryError(f"{path}: cannot be read ({error})") from None


def _report_missing_commentary(results: list[dict], strict: bool) -> list[dict]:
    """Say, per area, which exceptions lack the analyst's words and which words were written for
    other figures; with `strict`, each such area is a failure (returned), so nothing is published."""
    failures = []
    for result in results:
        missing = result.get("commentary_missing") or []
        if missing:
            file = result.get("commentary_file")
            drafted = "" if file and Path(file).exists() else " (no file yet: `python -m analysis commentary` drafts it)"
            print(f"{result['area']} ({file or 'no commentary file'}{drafted}): commentary to write or "
                  f"check: {'; '.join(missing)}", file=sys.stderr)
            if strict:
                failures.append({**result, "status": "failed",
                                 "error": f"--strict refuses missing commentary ({len(missing)} item(s))"})
    return failures


def _check_same_data(job: AreaJob, read: dict[str, str]) -> None:
    """Refuse an area whose data are not those the build started with: a pack is made from one set of inputs."""
    changed = sorted(name for name in read.keys() | job.inputs.keys() if read.get(name) != job.inputs.get(name))
    if changed:
        raise DataError(f"{', '.join(changed)} changed in {job.data_dir} during the build; build again once the data "
                        f"are in place")


def _up_to_date(target: Path, staging: Path, fingerprints: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """The published areas whose fingerprint is unchanged and whose files are as published (copied
    into the staging folder), and the published results of the others."""
    previous = target / "manifest.json"
    if not previous.is_file():
        return [], []
    try:
        published = json.loads(previous.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError, TypeError) as error:  # cut short, or not ours: rebuild everything
        print(f"warning: {previous}: cannot be read ({error}); every area is rebuilt", file=sys.stderr)
        return [], []
    kept, stale = [], []
    for result in published:
        current = result.get("fingerprint") == fingerprints.get(result["slug"])
        damage = _damage(target, result) if current else None  # the stale are checked if they are to be kept
        if current and not damage:
            _copy_published(target, staging, result)
            kept.append({key: value for key, value in result.items() if key != "out_of_date"})
        else:
            if damage:
                print(f"warning: {damage}; {result['area']} is built again", file=sys.stderr)
            stale.append(result)
    return kept, stale


def _keep_out_of_date(target: Path, staging: Path, stale: list[dict]) -> list[dict]:
    """Published areas out of date and not asked for: kept as published, marked `out_of_date` in the
    manifest and said, never silently dropped; one whose files are damaged cannot be kept, and is said."""
    kept, lost = [], []
    for result in stale:
        damage = _damage(target, result)
        if damage:
            lost.append(f"{result['area']} ({damage})")
            continue
        _copy_published(target, staging, result)
        kept.append({**result, "out_of_date": "built from other inputs or code than this build's"})
    if kept:
        names = ", ".join(result["area"] for result in kept)
        print(f"out of date and not asked for, kept as published and marked out of date in the manifest: {names} "
              f"(build them with --areas to bring them up to date)", file=sys.stderr)
    if lost:
        print(f"out of date, not asked for and damaged, left out of the new pack: {'; '.join(lost)}", file=sys.stderr)
    return kept


def _published_files(folder: Path, slug: str) -> list[Path]:
    return [folder / f"{slug}{suffix}" for suffix in (".ipynb", ".html", ".pdf")]


def _copy_published(target: Path, staging: Path, result: dict) -> None:
    for path in _published_files(target, result["slug"]):
        shutil.copy2(path, staging / path.name)


def _damage(target: Path, result: dict) -> str | None:
    """Which of an area's published files is missing or not the bytes the manifest recorded (cut
    short or edited since), or None."""
    recorded = result.get("files") or {}
    for path in _published_files(target, result["slug"]):
        if not path.is_file():
            return f"{path}: missing"
        if file_hash(path) != recorded.get(path.name):
            return f"{path}: not as published (cut short or edited)"
    return None


def _publish(staging: Path, target: Path, ours: set[str]) -> None:
    """Swap the new pack in with renames, so readers never see half of one. Files in the published
    folder that the project did not write (`ours` are the names it writes) move into the new pack."""
    others = sorted(path.name for path in target.iterdir() if path.name not in ours) if target.is_dir() else []
    for name in others:
        shutil.move(target / name, staging / name)
    if others:
        print(f"kept in {target}, not written by the project: {', '.join(others)}", file=sys.stderr)
    previous = target.with_name(f".previous-{target.name}")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)


def clean_outputs(out_dir: Path = paths.OUTPUTS_DIR) -> list[Path]:
    """Delete what builds wrote under `out_dir` (each published quarter's files its manifest lists,
    staging folders, the report cache), never a file the project did not write; return what was kept."""
    out_dir = Path(out_dir).resolve()
    if not out_dir.is_dir():
        return []
    kept = []
    with exclusive(out_dir):
        for folder in [*out_dir.glob(".staging-*"), *out_dir.glob(".previous-*"), out_dir / CACHE_DIR]:
            shutil.rmtree(folder, ignore_errors=True)
        for pack in sorted(out_dir.glob(f"*/{LOCK_FILE}")):  # a national build's packs, each in a folder of its own
            kept += clean_outputs(pack.parent)
        for manifest in sorted(out_dir.glob("*/manifest.json")):
            folder = manifest.parent
            try:
                slugs = [result["slug"] for result in json.loads(manifest.read_text(encoding="utf-8"))["results"]]
            except (OSError, ValueError, KeyError, TypeError) as error:  # which files are ours is unknown: keep all
                print(f"warning: {manifest}: cannot be read ({error}); {folder} left as it is", file=sys.stderr)
                kept += sorted(folder.iterdir())
                continue
            for name in ["manifest.json", *(f"{slug}{suffix}" for slug in slugs for suffix in (".ipynb", ".html", ".pdf"))]:
                (folder / name).unlink(missing_ok=True)
            kept += sorted(folder.iterdir())
            if not any(folder.iterdir()):
                folder.rmdir()
    return kept


class SchedulerUnreachable(ValueError):
    """No Dask scheduler answered at the address given."""


class BuildBusy(ValueError):
    """Another build is writing to the same outputs folder."""


class OutputsUnwritable(ValueError):
    """The outputs folder cannot be made or written to."""


@contextmanager
def exclusive(out_dir: Path):
    """Hold the outputs folder's lock for a build; a second build refuses at once. The system
    releases the lock when the process ends, however it ends."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock = open(out_dir / LOCK_FILE, "a+")
    except OSError as error:
        raise OutputsUnwritable(f"{out_dir}: cannot be written ({error.strerror}); choose another --out") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise BuildBusy(f"{out_dir}: another build is writing here ({lock.read().strip() or 'unknown'}); "
                            f"wait for it to end, then build again") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"process {os.getpid()}, started {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
        lock.flush()
        yield

"""`make bench` (`python -m analysis.bench`): how fast the pack builds, against a floor, in one run.

Figures are medians of several runs measured in the same run, so they compare with each other on a
noisy machine: the pack against the floor (the same number of minimal notebooks through the same
papermill -> HTML -> PDF path), one worker against all cores, a rebuild with nothing changed, and
ingest against a plain pandas.read_csv loop, with peak memory; then a synthetic national year.
Writes the figures to outputs/bench.json as well.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis import paths
from analysis.paper import PAPER_KEY

# Appended to each measured script: the peak resident memory (KiB) of its largest process (itself or
# a child: a worker, a kernel), and the seconds of its work alone (after its imports), a line each.
REPORT = ("import resource, sys, time\n"
          "print('peak', max(resource.getrusage(who).ru_maxrss\n"
          "                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)), file=sys.stderr)\n"
          "print('work', time.perf_counter() - _started, file=sys.stderr)")


def timed(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds (interpreter start included), seconds of the work alone, peak memory (MiB)."""
    started = time.perf_counter()
    run = subprocess.run(command, cwd=paths.PROJECT_ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{run.stderr[-2000:]}")
    reported = dict(line.split(" ", 1) for line in run.stderr.splitlines() if line.startswith(("peak ", "work ")))
    return seconds, float(reported["work"]), int(reported["peak"]) // 1024


def python(imports: str, work: str) -> list[str]:
    """A script that imports, then times its work, then reports (REPORT)."""
    return [sys.executable, "-c", f"{imports}\nimport time\n_started = time.perf_counter()\n{work}\n" + REPORT]


def build(out: Path, workers: int, force: bool = True) -> list[str]:
    return python("from analysis.build import build_pack",
                  f"manifest = build_pack(out_dir={str(out)!r}, workers={workers}, force={force})\n"
                  f"assert manifest['status'] == 'complete'")


def floor(folder: Path, count: int, reuse_kernel: bool = False) -> list[str]:
    """`count` minimal notebooks (a parameters cell and one line of the paper, shown without imports)
    executed by the batch engine and rendered as the pack's are: each in a new kernel, as papermill
    runs notebooks by default, or (`reuse_kernel`) all in one kernel, as a build worker runs its areas."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('area: str = "x"', metadata={"tags": ["parameters"]}),
                      nbformat.v4.new_code_cell(
                          "from IPython.display import display\n"
                          f"display({{'text/plain': area, 'text/html': '<p>' + area + '</p>'}}, raw=True, "
                          f"metadata={{{PAPER_KEY!r}: {{'part': 'floor'}}}})")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = folder / "minimal.ipynb"
    nbformat.write(notebook, source)
    imports = ("import papermill, nbformat\n"
               "from analysis.kernel import BATCH_ENGINE, KERNEL_ARGUMENTS, kernel_for\n"
               "from analysis.render import ReportHTMLExporter, pdf_from_html")
    kernel = (f"km=kernel_for({str(folder)!r}, 'floor')" if reuse_kernel
              else "extra_arguments=KERNEL_ARGUMENTS")
    work = (f"for n in range({count}):\n"
            f"    out = '{folder}/run-' + str(n) + '.ipynb'\n"
            f"    papermill.execute_notebook('{source}', out, parameters={{'area': str(n)}}, progress_bar=False,\n"
            f"                               kernel_name='python3', engine_name=BATCH_ENGINE, {kernel})\n"
            f"    page = ReportHTMLExporter().from_notebook_node(nbformat.read(out, as_version=4))[0]\n"
            f"    open(out + '.html', 'w').write(page)\n"
            f"    open(out + '.pdf', 'wb').write(pdf_from_html(page))")
    return python(imports, work)


def ingest_ours(folders: list[Path], lookup: Path, cache: Path | None = None) -> list[str]:
    return python("from pathlib import Path\nfrom analysis.ingest import ingest, read_lookup",
                  f"ingest({[str(f) for f in folders]!r}, read_lookup(Path({str(lookup)!r})), "
                  f"cache_dir={str(cache) if cache else None!r})")


def ingest_pandas(folders: list[Path]) -> list[str]:
    return python("import pandas as pd\nfrom pathlib import Path",
                  f"for folder in {[str(f) for f in folders]!r}:\n"
                  f"    for path in sorted(Path(folder).rglob('*-street.csv')):\n"
                  f"        pd.read_csv(path)")


def median_of(runs: int, command: list[str]) -> dict:
    """Medians of wall seconds and of work seconds over the runs, and the highest peak memory."""
    measured = [timed(command) for _ in range(runs)]
    return {"seconds": round(statistics.median(wall for wall, _, _ in measured), 2),
            "work_seconds": round(statistics.median(work for _, work, _ in measured), 3),
            "runs": [round(wall, 2) for wall, _, _ in measured], "peak_mib": max(peak for _, _, peak in measured)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (median reported)")
    parser.add_argument("--national-rows", type=int, default=6_000_000, help="rows of the synthetic national year")
    parser.add_argument("--out", type=Path, default=paths.OUTPUTS_DIR / "bench.json")
    args = parser.parse_args(argv)
    from analysis.dataset import load_dataset
    from analysis.prepare import DEFAULT_LOOKUP, DEFAULT_POLICE_UK

    areas = len(load_dataset(paths.DATA_DIR).areas.all)
    cores = os.cpu_count() or 1
    figures: dict = {"areas": areas, "cores": cores, "runs": args.runs}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        figures["floor"] = median_of(args.runs, floor(scratch, areas))
        figures["floor_one_kernel"] = median_of(args.runs, floor(scratch, areas, reuse_kernel=True))
        figures["pack_1_worker"] = median_of(args.runs, build(scratch / "one", 1))
        figures["pack_all_cores"] = median_of(args.runs, build(scratch / "all", cores))
        figures["rebuild_unchanged"] = median_of(args.runs, build(scratch / "all", cores, force=False))
        figures["pack_over_floor"] = round(figures["pack_1_worker"]["seconds"] / figures["floor"]["seconds"], 2)
        figures["pack_over_floor_one_kernel"] = round(
            figures["pack_1_worker"]["seconds"] / figures["floor_one_kernel"]["seconds"], 2)
        figures["speed_up_all_cores"] = round(figures["pack_1_worker"]["seconds"] / figures["pack_all_cores"]["seconds"], 2)
        if DEFAULT_POLICE_UK:
            rows = sum(path.read_bytes().count(b"\n") - 1  # lines less the header
                       for folder in DEFAULT_POLICE_UK for path in Path(folder).rglob("*-street.csv"))
            ours = median_of(args.runs, ingest_ours(DEFAULT_POLICE_UK, DEFAULT_LOOKUP))
            plain = median_of(args.runs, ingest_pandas(DEFAULT_POLICE_UK))
            figures["ingest"] = {"rows": rows, "ours": ours, "pandas_read_csv_loop": plain,
                                 "ours_rows_per_second": round(rows / ours["work_seconds"]),
                                 "pandas_rows_per_second": round(rows / plain["work_seconds"]),
                                 "speed_up": round(plain["work_seconds"] / ours["work_seconds"], 2)}
            figures["national"] = national_year(scratch / "national", args.national_rows, DEFAULT_LOOKUP, args.runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return 0


def national_year(folder: Path, rows: int, lookup: Path, runs: int) -> dict:
    """Generate a synthetic year for all 43 forces, then ingest it once, with its time and peak memory;
    then a month added to the eleven before it, their counts cached (as `data` keeps them), against
    ingesting all twelve afresh, each the median of `runs`."""
    import shutil

    import pandas as pd

    from analysis.synthetic import write_year

    codes = pd.read_csv(lookup, usecols=["LSOA11CD", "LAD15CD"]).sort_values(["LAD15CD", "LSOA11CD"])["LSOA11CD"].tolist()
    written = write_year(folder, codes, rows=rows)
    seconds, work, peak = timed(ingest_ours([folder], lookup))
    newest = max(path.name[:7] for path in folder.glob("*.csv"))
    held, eleven = folder.parent / "held-back", folder.parent / "cache-eleven-months"
    held.mkdir()
    for path in folder.glob(f"{newest}-*.csv"):
        path.rename(held / path.name)
    timed(ingest_ours([folder], lookup, eleven))  # the cache as it stood before the month arrived
    for path in held.iterdir():
        path.rename(folder / path.name)
    full = median_of(runs, ingest_ours([folder], lookup))
    added = []
    for run in range(runs):
        cache = folder.parent / f"cache-run-{run}"
        shutil.copytree(eleven, cache)
        added.append(timed(ingest_ours([folder], lookup, cache))[1])
    add_month = statistics.median(added)
    return {"rows": written, "files": len(list(folder.glob("*.csv"))), "ingest_seconds": round(work, 2),
            "with_interpreter_start_seconds": round(seconds, 2), "rows_per_second": round(written / work),
            "peak_mib": peak, "full_rebuild_seconds": full["work_seconds"],
            "add_one_month_seconds": round(add_month, 3), "add_one_month_runs": [round(s, 3) for s in added],
            "full_rebuild_over_add_one_month": round(full["work_seconds"] / add_month, 1)}


if __name__ == "__main__":
    sys.exit(main())

"""`make bench` (`python -m analysis.bench`): how fast the pack builds, against a floor, in one run.

Figures are medians of several runs measured in the same run, so they compare with each other on a
noisy machine: the pack against the floor (the same number of minimal notebooks through the same
papermill -> HTML -> PDF path), one worker against all cores, a rebuild with nothing changed, and
ingest against a plain pandas.read_csv loop, with peak memory; then a synthetic national year, and
force packs of a national folder (`init --national`), at least 40 areas, derived by one `data` and
built by one `build --forces` on a Dask LocalCluster, against the county pack on the same cluster.
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

# A process's own peak resident memory (KiB): Linux's VmHWM. Not getrusage's ru_maxrss for the
# process itself, which counts the memory its parent had when it was forked (the bench's own).
OWN_PEAK = "next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))"
# Appended to each measured script: the peak resident memory (KiB) of its largest process (itself or
# a child: a worker, a kernel), and the seconds of its work alone (after its imports), a line each.
REPORT = ("import resource, sys, time\n"
          f"print('peak', max({OWN_PEAK}, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr)\n"
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


def build(out: Path, workers: int, force: bool = True, scheduler: str | None = None) -> list[str]:
    """The default pack's build, in local processes or on the Dask cluster at `scheduler`."""
    return python("from analysis.build import build_pack",
                  f"manifest = build_pack(out_dir={str(out)!r}, workers={workers}, force={force}, scheduler={scheduler!r})\n"
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
    parser.add_argument("--national-areas", type=int, default=40,
                        help="least areas of the national packs built on the Dask cluster")
    parser.add_argument("--national-runs", type=int, default=1, help="runs of each national pack build (median reported)")
    parser.add_argument("--out", type=Path, default=paths.OUTPUTS_DIR / "bench.json")
    args = parser.parse_args(argv)
    from analysis.dataset import load_dataset
    from analysis.prepare import DEFAULT_LOOKUP, DEFAULT_PARTNERSHIPS, DEFAULT_POLICE_UK

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
            figures["national"] = national_year(scratch / "national", args.national_rows, DEFAULT_LOOKUP, DEFAULT_PARTNERSHIPS,
                                                args.runs)
            figures["national_packs"] = national_packs(scratch / "national-packs", DEFAULT_LOOKUP, DEFAULT_PARTNERSHIPS,
                                                       args.national_areas, args.national_runs, cores)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return 0


def force_lsoas(lookup: Path, partnerships: Path) -> dict[str, list[str]]:
    """ONS police force area name -> the LSOAs of its districts."""
    import pandas as pd

    from analysis.geography import partnerships as read_partnerships

    table = pd.read_csv(lookup, dtype=str, usecols=["LSOA11CD", "LAD15CD"])
    force_of = read_partnerships(partnerships).set_index("LAD17CD")["PFA17NM"]
    table["force"] = table["LAD15CD"].map(force_of)
    return {force: sorted(rows["LSOA11CD"]) for force, rows in table.groupby("force")}


def national_year(folder: Path, rows: int, lookup: Path, partnerships: Path, runs: int) -> dict:
    """Generate a synthetic year for all 43 forces, then ingest it once, with its time and peak memory;
    then a month added to the eleven before it, their counts cached (as `data` keeps them), against
    ingesting all twelve afresh, each the median of `runs`."""
    import shutil

    from analysis.new_area import police_uk_name
    from analysis.synthetic import write_forces

    forces = {police_uk_name(force): lsoas for force, lsoas in force_lsoas(lookup, partnerships).items()}
    written = write_forces(folder, forces, rows=rows)
    seconds, work, peak = timed(ingest_ours([folder], lookup))
    files = sorted(folder.rglob("*-street.csv"))
    newest = max(path.name[:7] for path in files)
    held, eleven = folder.parent / "held-back", folder.parent / "cache-eleven-months"
    held.mkdir()
    for path in files:
        if path.name.startswith(newest):
            path.rename(held / path.name)
    timed(ingest_ours([folder], lookup, eleven))  # the cache as it stood before the month arrived
    for path in held.iterdir():
        path.rename(folder / path.name.removeprefix(f"{newest}-").removesuffix("-street.csv") / path.name)
    full = median_of(runs, ingest_ours([folder], lookup))
    added = []
    for run in range(runs):
        cache = folder.parent / f"cache-run-{run}"
        shutil.copytree(eleven, cache)
        added.append(timed(ingest_ours([folder], lookup, cache))[1])
    add_month = statistics.median(added)
    return {"rows": written, "files": len(files), "ingest_seconds": round(work, 2),
            "with_interpreter_start_seconds": round(seconds, 2), "rows_per_second": round(written / work),
            "peak_mib": peak, "full_rebuild_seconds": full["work_seconds"],
            "add_one_month_seconds": round(add_month, 3), "add_one_month_runs": [round(s, 3) for s in added],
            "full_rebuild_over_add_one_month": round(full["work_seconds"] / add_month, 1)}


# A Dask LocalCluster in a process of its own, whose scheduler runs in that process: it prints the
# scheduler's address, serves until its input closes, then prints its peak resident memory (KiB).
CLUSTER = ("import sys\n"
           "from distributed import LocalCluster\n"
           "cluster = LocalCluster(n_workers={workers}, threads_per_worker=1, dashboard_address=None)\n"
           "print(cluster.scheduler_address, flush=True)\n"
           "sys.stdin.read()\n"
           f"print({OWN_PEAK}, flush=True)\n"
           "cluster.close()\n")


def build_national(national: Path, forces: list[str], areas: list[str] | None, out: Path, scheduler: str) -> list[str]:
    """Build the packs of the forces named in a national folder (their areas named, or all) on the cluster at `scheduler`."""
    return python("from analysis.build import build_national",
                  f"manifests = build_national({str(national)!r}, {forces!r}, {areas!r}, {str(out)!r}, force=True, "
                  f"scheduler={scheduler!r})\n"
                  f"assert all(manifest['status'] == 'complete' for manifest in manifests), manifests")


def national_packs(folder: Path, lookup: Path, partnerships: Path, least_areas: int, runs: int, workers: int) -> dict:
    """A national folder as a user makes one (`init --national`), with synthetic files for whole
    police force areas in name order until their packs hold `least_areas` areas: three years of
    them in police.uk's national layout (a folder a month, every force's file in it), derived by one
    `data` on the national folder, with the illustrative local sample; then those packs built by
    `build --forces` on one Dask LocalCluster, against the county pack on the same cluster: time per
    area, the scheduler process's peak memory, and 10 areas against all of them."""
    from analysis import illustrative
    from analysis.areas import load_areas, national_packs as packs_of
    from analysis.new_area import init_national, police_uk_name
    from analysis.synthetic import write_forces

    national = folder / "national"
    init_national(national, paths.SHARED_DATA_DIR)
    lsoas = {police_uk_name(force): codes for force, codes in force_lsoas(lookup, partnerships).items()}
    chosen: dict[str, list[str]] = {}  # pack folder -> its areas' names
    for pack in packs_of(national):
        chosen[pack.name] = [area.name for area in load_areas(pack).all]
        if sum(map(len, chosen.values())) >= least_areas:
            break
    areas = sum(map(len, chosen.values()))
    by_force = folder / "by-force"
    rows = write_forces(by_force, {name: lsoas[name] for name in chosen}, months=36, rows=1_000_000)
    raw = folder / "police-uk"  # police.uk's national download: a folder a month, every force's file in it
    for path in sorted(by_force.rglob("*-street.csv")):
        (raw / path.name[:7]).mkdir(parents=True, exist_ok=True)
        path.rename(raw / path.name[:7] / path.name)
    derive = timed(python("from analysis.__main__ import main",
                          f"assert main(['data', '--data', {str(national)!r}, '--police-uk', {str(raw)!r}]) == 0"))
    for name in chosen:  # the illustrative local sample, as the county pack has: papers of the same measures
        data = national / name
        residents, young = (illustrative.latest_residents(data, file) for file in (paths.POPULATION_FILE,
                                                                                   paths.YOUTH_POPULATION_FILE))
        illustrative.write(illustrative.generate(load_areas(data), residents, young), data)
    first_ten: dict[str, list[str]] = {}
    for name, names in chosen.items():  # the first 10 areas, pack by pack
        if names := names[:10 - sum(map(len, first_ten.values()))]:
            first_ten[name] = names
    ten_areas = [area for names in first_ten.values() for area in names]
    cluster = subprocess.Popen([sys.executable, "-c", CLUSTER.format(workers=workers)], cwd=paths.PROJECT_ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = cluster.stdout.readline().strip()
        timed(build_national(national, list(first_ten), ten_areas, folder / "out-warm", address))  # workers start, untimed
        county = median_of(runs, build(folder / "out-county", workers, scheduler=address))
        ten = median_of(runs, build_national(national, list(first_ten), ten_areas, folder / "out-ten", address))
        everything = median_of(runs, build_national(national, list(chosen), None, folder / "out-all", address))
    finally:
        peak = cluster.communicate("", timeout=120)[0].split()
    county_areas = len(load_areas(paths.DATA_DIR).all)
    per_area, county_per_area = everything["work_seconds"] / areas, county["work_seconds"] / county_areas
    packs = {}  # each pack's own build, from its manifest (the last run's): a pack's areas each compare all its parts
    for manifest in sorted((folder / "out-all").glob("*/*/manifest.json")):
        built = json.loads(manifest.read_text(encoding="utf-8"))
        packs[manifest.parent.parent.name] = {"areas": len(built["areas"]), "seconds": built["wall_seconds"],
                                              "seconds_per_area": round(built["wall_seconds"] / len(built["areas"]), 2)}
    return {"forces": list(chosen), "areas": areas, "rows": rows, "months": 36,
            "workers": workers, "data_seconds_national_folder": round(derive[1], 2),
            "county_pack": county, "county_seconds_per_area": round(county_per_area, 2),
            "ten_areas": ten, "all_areas": everything, "seconds_per_area": round(per_area, 2),
            "per_area_over_county": round(per_area / county_per_area, 2),
            "all_over_ten": round(everything["work_seconds"] / ten["work_seconds"], 2), "areas_over_ten": round(areas / 10, 2),
            "packs": packs,
            "scheduler_peak_mib": int(peak[-1]) // 1024 if peak else None}


if __name__ == "__main__":
    sys.exit(main())

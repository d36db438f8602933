"""Command line: `python -m analysis init` sets up a data directory for any area, `python -m analysis data`
derives its data from the raw files, `python -m analysis commentary` drafts the analyst's commentary
files, `python -m analysis build` builds the pack."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from analysis import paths


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        """One line naming the option, as for any bad input (argparse would print its usage first)."""
        self.exit(2, f"error: {message} (`{self.prog} --help` lists the options)\n")


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    init = commands.add_parser("init", help="write a new data directory for a county, police force area or "
                                            "Community Safety Partnership, from the ONS lookups")
    which = init.add_mutually_exclusive_group(required=True)
    which.add_argument("--county", metavar="NAME", help="a county and its districts, e.g. Leicestershire")
    which.add_argument("--police-force", metavar="NAME",
                       help="a police force area and every Community Safety Partnership in it, e.g. Derbyshire")
    which.add_argument("--csp", metavar="NAME", help="one Community Safety Partnership and its districts")
    which.add_argument("--national", action="store_true",
                       help="every police force area of England and Wales, each a pack of its own in a folder of --data")
    init.add_argument("--data", type=Path, required=True, help="the new data directory (must not exist, or be empty)")
    init.add_argument("--raw", type=Path, default=paths.SHARED_DATA_DIR, metavar="FOLDER",
                      help="raw data folder holding ons/ (default: ../shared/data)")

    data = commands.add_parser("data", help="derive data/derived/ from raw police.uk and ONS files")
    data.add_argument("--raw", type=Path, default=paths.SHARED_DATA_DIR, metavar="FOLDER",
                      help="raw data folder: police-uk/<one folder per download>/ and ons/ (default: ../shared/data)")
    data.add_argument("--police-uk", nargs="+", action="extend", type=Path, metavar="FOLDER",
                      help="folders of YYYY-MM-<force>-street.csv files (default: every folder in <raw>/police-uk)")
    data.add_argument("--lookup", type=Path, help="ONS LSOA -> district lookup CSV (default: in <raw>/ons)")
    data.add_argument("--population", type=Path,
                      help="ONS mid-year estimates as published (.xls, sheet MYE 5), or a CSV of "
                           "area_code,area_name,year,population (default: the .xls in <raw>/ons)")
    data.add_argument("--age-estimates", type=Path,
                      help="ONS mid-year estimates by single year of age (.xls, MYE2; default: the .xls in <raw>/ons)")
    data.add_argument("--lait", type=Path,
                      help="DfE LAIT's long table, bds_long_0.parquet, for youth-justice rates (default: in <raw>/dfe-lait)")
    data.add_argument("--drop-missing-months", action="store_true",
                      help="remove months that are in data/derived but not in the folders read (kept by default)")
    data.add_argument("--data", type=Path, default=paths.DATA_DIR,
                      help="data directory to write into (a national folder: each force's pack, from its own files)")

    sample = commands.add_parser("illustrative", help="generate the illustrative local data sample into data/local/")
    sample.add_argument("--data", type=Path, default=paths.DATA_DIR, help="data directory to write into")
    sample.add_argument("--seed", type=int, help="random seed (default: the documented fixed seed)")

    build = commands.add_parser("build", help="build the quarterly pack: notebook, HTML and PDF per area")
    build.add_argument("--quarter", help="financial-year quarter, e.g. 2022-23Q2 (default: latest complete)")
    build.add_argument("--areas", nargs="+", action="extend", metavar="AREA",
                       help="area names, slugs or codes, or all (default: all, the whole area and each part)")
    build.add_argument("--out", type=Path, default=paths.OUTPUTS_DIR, help="outputs folder")
    build.add_argument("--data", type=Path, default=paths.DATA_DIR,
                       help="data directory (a national folder: every force's pack, each into <out>/<force>/)")
    build.add_argument("--forces", nargs="+", action="extend", metavar="FORCE",
                       help="in a national folder, the forces whose packs to build (default: every one)")
    build.add_argument("--notebook", type=Path, default=paths.NOTEBOOK, help="report notebook to execute")
    build.add_argument("--strict", action="store_true",
                       help="refuse a quarter with a month missing, an exception without the analyst's cause, "
                            "action, owner and due date, or words written for other figures")
    build.add_argument("--commentary", type=Path, metavar="FOLDER",
                       help="the analyst's commentary store (default: commentary/ beside the data directory)")
    build.add_argument("--timeout", type=int, default=600, metavar="SECONDS", help="time limit for any one notebook cell")
    build.add_argument("--force", action="store_true",
                       help="rebuild the areas asked for, even those up to date, computing their figures afresh")
    build.add_argument("--clear-cache", action="store_true",
                       help="empty the report cache (<out>/.cache) before building")
    build.add_argument("--scheduler", metavar="ADDRESS", help="run the areas on a Dask distributed cluster, e.g. tcp://host:8786")
    build.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="areas built at once")

    clean = commands.add_parser("clean", help="delete the packs, staging folders and cache that builds wrote "
                                              "(never a file the project did not write)")
    clean.add_argument("--out", type=Path, default=paths.OUTPUTS_DIR, help="outputs folder")

    words = commands.add_parser("commentary", help="draft the analyst's commentary files for a quarter: every "
                                                    "item that needs words, with its figures; words already "
                                                    "written are never changed")
    words.add_argument("--quarter", help="financial-year quarter, e.g. 2022-23Q2 (default: latest complete)")
    words.add_argument("--areas", nargs="+", action="extend", metavar="AREA", help="area names, slugs or codes (default: all)")
    words.add_argument("--data", type=Path, default=paths.DATA_DIR, help="data directory")
    words.add_argument("--commentary", type=Path, metavar="FOLDER",
                       help="the commentary store (default: commentary/ beside the data directory)")

    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)  # a build stopped by SIGTERM stops its workers and kernels too
    try:
        return {"init": _init, "data": _data, "illustrative": _illustrative, "build": _build, "clean": _clean,
                "commentary": _commentary}[args.command](args)
    except ValueError as error:  # every input error of the package is a ValueError with a clear message
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk, a folder that cannot be written: one line naming the file
        print(f"error: {error.filename or error.filename2 or args.command}: {error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (`_interrupted`): a build's pool has stopped its workers
        print("stopped before the end: " + ("nothing new published; the build's workers and kernels are stopped"
                                            if args.command == "build" else f"{args.command} interrupted"),
              file=sys.stderr)
        return 130


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def _init(args: argparse.Namespace) -> int:
    from analysis.new_area import init_area, init_national

    python = os.path.relpath(sys.executable)  # before init: a directory written in place of the current one moves it
    if args.national:
        forces, alone = init_national(args.data, args.raw)
        print(f"wrote {args.data}: {len(forces)} police force areas, each a pack in its own folder, with "
              f"{sum(len(area['parts']) for area in forces)} partnerships in all")
        for name in alone:
            print(f"left out: {name}, a police force area of one partnership, the same place (its pack would give "
                  f"it two papers with two different counts)")
        print(f"next: {python} -m analysis data --data {args.data} --police-uk FOLDER [FOLDER ...]"
              f" (police.uk downloads of every force: each pack takes its own force's files)")
        return 0
    area = init_area(args.data, args.raw, county=args.county, police_force=args.police_force, csp=args.csp)
    print(f"wrote {args.data}: {area['name']} ({area['kind']}, {area['code']}) and its {len(area['parts'])} parts: "
          + ", ".join(part["name"] for part in area["parts"]))
    print(f"next: {python} -m analysis data --data {args.data} --police-uk FOLDER [FOLDER ...]"
          f" (the folders of {area.get('force', 'the force')}'s police.uk downloads)")
    return 0


def _data(args: argparse.Namespace) -> int:
    from analysis import prepare
    from analysis.areas import national_packs
    from analysis.ingest import STREET_FILE, IngestError, find_street_files

    folders = args.police_uk or prepare.police_uk_folders(args.raw)
    packs = national_packs(args.data)
    if packs is None:
        return _derive(args, args.data, folders)
    found = {STREET_FILE.match(path.name)["force"] for path in find_street_files(folders)}
    with_files = [pack for pack in packs if pack.name in found]  # a pack's folder is its force's police.uk name
    if not with_files:
        raise IngestError(f"no police.uk files of any pack's force in {', '.join(map(str, folders))} (files of: "
                          f"{', '.join(sorted(found))}); expected files named YYYY-MM-<force>-street.csv for the "
                          f"forces of {args.data / paths.NATIONAL_FILE}")
    for number, pack in enumerate(with_files, start=1):
        print(f"pack {number} of {len(with_files)}: {pack.name}", flush=True)
        try:
            _derive(args, pack, folders, own_force_only=True)
        except (ValueError, OSError):
            if number > 1:  # each pack's files are written whole, or not at all
                print(f"stopped at pack {pack.name}: derived in this run, before it: "
                      f"{', '.join(done.name for done in with_files[:number - 1])}; it and the packs after it are "
                      f"as they were", file=sys.stderr)
            raise
    bare = [pack.name for pack in packs if pack not in with_files]
    if bare:
        print(f"not derived this time, no police.uk files of their force in the folders read (any data derived before "
              f"is kept): "
              f"{len(bare)} of the {len(packs)} packs ({', '.join(bare)})")
    others = sorted(found - {pack.name for pack in packs})
    if others:  # British Transport Police, Northern Ireland: no pack of England and Wales' force areas is theirs
        print(f"not used: the files of {', '.join(others)}, whose force has no pack in {args.data / paths.NATIONAL_FILE}")
    return 0


def _derive(args: argparse.Namespace, data_dir: Path, folders: list[Path], own_force_only: bool = False) -> int:
    """Derive one pack's data; in a national folder from its own force's files of the folders read."""
    from analysis import prepare
    from analysis.areas import load_areas
    from analysis.dataset import month_problems
    from analysis.periods import month_name

    raw, indent = args.raw, "  " if own_force_only else ""

    def say(line: str) -> None:  # a national folder's lines sit under their pack's
        print(indent + line, flush=True)

    ages = args.age_estimates or raw / prepare.ESTIMATES_NAME
    youth_file = data_dir / paths.YOUTH_POPULATION_FILE
    if not ages.is_file() and youth_file.is_file():
        say(f"ages 10-17: {ages} not found; {youth_file} kept as it is")
        ages = None
    lait = args.lait or raw / prepare.LAIT_NAME
    lait_file = data_dir / paths.YOUTH_JUSTICE_FILE
    if args.lait is None and not lait.is_file() and lait_file.is_file():  # a --lait named is read, or refused
        say(f"youth justice: {lait} not found; {lait_file} kept as it is")
        lait = None
    tables = prepare.derive_tables(folders, args.lookup or raw / prepare.LOOKUP_NAME,
                                   args.population or raw / prepare.ESTIMATES_NAME, data_dir, ages, lait, own_force_only)
    say("police.uk folders read:")
    for folder, months in prepare.folder_months(folders, load_areas(data_dir).force if own_force_only else None).items():
        if months or not own_force_only:
            say(f"  {folder}: {len(months)} month(s), {prepare.month_runs(months) if months else 'none'}")
    absent = prepare.keep_earlier_months(tables, data_dir, args.drop_missing_months)
    if absent:
        action = "dropped (--drop-missing-months)" if args.drop_missing_months else \
            "kept as derived before (`python -m analysis data --drop-missing-months` removes them)"
        say(f"in {data_dir / paths.MONTHS_FILE} but not in the folders read: "
            f"{prepare.month_runs(absent)}; {action}")
    for line in prepare.coverage(tables[paths.MONTHS_FILE]["month"]):
        say(line)
    for month, problem in month_problems(tables[paths.MONTHS_FILE]).items():
        say(f"warning: {month_name(month)} will be treated as missing: {problem}")
    if lait is not None and tables[paths.YOUTH_JUSTICE_FILE].empty:
        say("youth justice: DfE LAIT publishes no figures for any area of the pack (it publishes for each council "
            "with children's services: county, unitary and London borough councils); its measures will say so")
    written = prepare.write_tables(tables, data_dir)
    for name, table in tables.items():
        say(f"{'wrote' if name in written else 'unchanged'} {name}: {len(table):,} rows")
    return 0


def _illustrative(args: argparse.Namespace) -> int:
    from analysis import illustrative
    from analysis.areas import load_areas, national_packs
    from analysis.local_data import real_figures

    seed = illustrative.SEED if args.seed is None else args.seed
    packs = national_packs(args.data)
    derived = [pack for pack in packs if (pack / paths.POPULATION_FILE).is_file()] if packs else [args.data]
    if packs and len(derived) < len(packs):
        print(f"not filled, with no derived population yet (`python -m analysis data` first): "
              f"{', '.join(pack.name for pack in packs if pack not in derived)}")
    real = [path for data_dir in derived for path in real_figures(data_dir)]
    if real:  # the sample is written in place of the files: never over a board's own figures
        raise ValueError(f"{real[0]}{f' (and {len(real) - 1} other file(s))' if len(real) > 1 else ''}: real local "
                         f"figures (not marked illustrative in local/sources.yml), which the sample would replace; "
                         f"nothing written: move them aside, or mark them illustrative: true if they are")
    for data_dir in derived:
        residents = illustrative.latest_residents(data_dir, paths.POPULATION_FILE)
        young = illustrative.latest_residents(data_dir, paths.YOUTH_POPULATION_FILE)
        tables = illustrative.generate(load_areas(data_dir), residents, young, seed)
        illustrative.write(tables, data_dir, seed)
        for name, table in tables.items():
            print(f"wrote {Path(data_dir) / paths.LOCAL / name}.csv: {len(table):,} rows (illustrative)")
    return 0


def _clean(args: argparse.Namespace) -> int:
    from analysis.build import clean_outputs

    kept = clean_outputs(args.out)
    if kept:
        print("kept, not written by the project: " + ", ".join(str(path) for path in kept), file=sys.stderr)
    return 0


def _commentary(args: argparse.Namespace) -> int:
    from analysis.draft import draft_commentary

    draft_commentary(args.quarter, args.areas, args.data, args.commentary)
    return 0


def _build(args: argparse.Namespace) -> int:
    from analysis.areas import national_packs
    from analysis.build import build_national, build_pack

    options = dict(quarter=args.quarter, workers=args.workers, notebook=args.notebook, strict=args.strict,
                   timeout=args.timeout, force=args.force, scheduler=args.scheduler, commentary_dir=args.commentary,
                   clear_cache=args.clear_cache)
    if national_packs(args.data) is not None:
        manifests = build_national(args.data, args.forces, args.areas, args.out, **options)
        return 0 if all(manifest["status"] == "complete" for manifest in manifests) else 1
    if args.forces:
        raise ValueError(f"--forces: {args.data} is the data directory of one pack, not a national folder "
                         f"(`python -m analysis init --national`)")
    manifest = build_pack(area_names=args.areas, data_dir=args.data, out_dir=args.out, **options)
    return 0 if manifest["status"] == "complete" else 1


if __name__ == "__main__":
    sys.exit(main())

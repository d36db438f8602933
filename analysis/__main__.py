"""Command line: `python -m analysis data` rebuilds the derived data, `python -m analysis build` the pack."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from analysis import paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="derive data/derived/ from raw police.uk and ONS files")
    data.add_argument("--police-uk", nargs="+", type=Path, metavar="FOLDER",
                      help="folders of YYYY-MM-<force>-street.csv files (default: the shared police-uk folders)")
    data.add_argument("--lookup", type=Path, help="ONS LSOA -> district lookup CSV")
    data.add_argument("--population", type=Path, help="ONS population by district and year CSV")
    data.add_argument("--age-estimates", type=Path, help="ONS mid-year estimates by single year of age (.xls, MYE2)")
    data.add_argument("--data", type=Path, default=paths.DATA_DIR, help="data directory to write into")

    sample = commands.add_parser("illustrative", help="generate the illustrative local data sample into data/local/")
    sample.add_argument("--data", type=Path, default=paths.DATA_DIR, help="data directory to write into")
    sample.add_argument("--seed", type=int, help="random seed (default: the documented fixed seed)")

    build = commands.add_parser("build", help="build the quarterly pack: notebook, HTML and PDF per area")
    build.add_argument("--quarter", help="financial-year quarter, e.g. 2022-23Q2 (default: latest complete)")
    build.add_argument("--areas", nargs="+", metavar="AREA", help="area names or slugs (default: county and districts)")
    build.add_argument("--out", type=Path, default=paths.OUTPUTS_DIR, help="outputs folder")
    build.add_argument("--data", type=Path, default=paths.DATA_DIR, help="data directory")
    build.add_argument("--notebook", type=Path, default=paths.NOTEBOOK, help="report notebook to execute")
    build.add_argument("--strict", action="store_true", help="refuse a quarter with a month missing")
    build.add_argument("--timeout", type=int, default=600, metavar="SECONDS", help="time limit for any one notebook cell")
    build.add_argument("--force", action="store_true", help="rebuild every area, even those up to date")
    build.add_argument("--scheduler", metavar="ADDRESS", help="run the areas on a Dask distributed cluster, e.g. tcp://host:8786")
    build.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="areas built at once")

    args = parser.parse_args(argv)
    try:
        return {"data": _data, "illustrative": _illustrative, "build": _build}[args.command](args)
    except ValueError as error:  # every input error of the package is a ValueError with a clear message
        print(f"error: {error}", file=sys.stderr)
        return 2


def _data(args: argparse.Namespace) -> int:
    from analysis.prepare import (DEFAULT_AGE_ESTIMATES, DEFAULT_LOOKUP, DEFAULT_POLICE_UK, DEFAULT_POPULATION,
                                  derive_tables, write_tables)

    tables = derive_tables(
        args.police_uk or DEFAULT_POLICE_UK,
        args.lookup or DEFAULT_LOOKUP,
        args.population or DEFAULT_POPULATION,
        args.data,
        args.age_estimates or DEFAULT_AGE_ESTIMATES,
    )
    write_tables(tables, args.data)
    for name, table in tables.items():
        print(f"wrote {name}: {len(table):,} rows")
    return 0


def _illustrative(args: argparse.Namespace) -> int:
    from analysis import illustrative
    from analysis.areas import load_areas

    seed = illustrative.SEED if args.seed is None else args.seed
    residents = illustrative.latest_residents(args.data, paths.POPULATION_FILE)
    young = illustrative.latest_residents(args.data, paths.YOUTH_POPULATION_FILE)
    tables = illustrative.generate(load_areas(args.data), residents, young, seed)
    illustrative.write(tables, args.data, seed)
    for name, table in tables.items():
        print(f"wrote local/{name}.csv: {len(table):,} rows (illustrative)")
    return 0


def _build(args: argparse.Namespace) -> int:
    from analysis.build import build_pack

    manifest = build_pack(quarter=args.quarter, area_names=args.areas, data_dir=args.data,
                          out_dir=args.out, workers=args.workers, notebook=args.notebook,
                          strict=args.strict, timeout=args.timeout, force=args.force, scheduler=args.scheduler)
    return 0 if manifest["status"] == "complete" else 1


if __name__ == "__main__":
    sys.exit(main())

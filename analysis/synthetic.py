"""Synthetic police.uk street-level files in the real format, for measuring ingest at national volume.

All 43 territorial forces of England and Wales, 12 months, about 6 million rows: the volume a
national body would ingest each year. Each force's rows fall in its own police force area's LSOAs
(from the ONS lookups), in proportion to their number, with a share left without a location as in
the real files, and each force's files sit in a folder of their own, as police.uk downloads do: so
`init --police-force` and `data` take them as they take a real download. Not for reports: the
counts are random.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis.ingest import POLICE_UK_COLUMNS
from analysis.periods import months_ending

ROWS_PER_YEAR = 6_000_000
CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
)
TYPE_SHARES = np.array([18, 2, 5, 9, 3, 2, 8, 1, 8, 1, 6, 2, 6, 29], dtype=float) / 100
NO_LOCATION_SHARE = 0.025


def write_forces(folder: Path, force_lsoas: dict[str, list[str]], last_month: str = "2022-09", months: int = 12,
                 rows: int = ROWS_PER_YEAR, seed: int = 43) -> int:
    """Write `<force>/YYYY-MM-<force>-street.csv` under `folder` for each force (police.uk's name ->
    its area's LSOA codes) and each of the `months` months to `last_month`, `rows` a year across the
    forces; return the rows written."""
    rng = np.random.default_rng(seed)
    lsoas = sum(len(codes) for codes in force_lsoas.values())
    written = 0
    for name, codes in sorted(force_lsoas.items()):
        force_codes = np.array(codes)
        per_file = rows * len(codes) // (lsoas * 12)  # `rows` a year
        (folder / name).mkdir(parents=True, exist_ok=True)
        for month in months_ending(last_month, months):
            lsoa = force_codes[rng.integers(0, len(force_codes), per_file)]
            lsoa[rng.random(per_file) < NO_LOCATION_SHARE] = ""
            types = np.array(CRIME_TYPES)[rng.choice(len(CRIME_TYPES), per_file, p=TYPE_SHARES)]
            ids = np.char.add(f"{name}-{month}-", np.arange(per_file).astype(str))
            ids[types == "Anti-social behaviour"] = ""
            columns = {
                "Crime ID": ids, "Month": np.full(per_file, month), "Reported by": np.full(per_file, name),
                "Falls within": np.full(per_file, name), "Longitude": np.round(rng.uniform(-3, 1, per_file), 6),
                "Latitude": np.round(rng.uniform(50, 55, per_file), 6), "Location": np.full(per_file, "On or near High Street"),
                "LSOA code": lsoa, "LSOA name": lsoa, "Crime type": types,
                "Last outcome category": np.full(per_file, "Investigation complete; no suspect identified"),
                "Context": np.full(per_file, ""),
            }
            table = pa.table({column: columns[column] for column in POLICE_UK_COLUMNS})
            with open(folder / name / f"{month}-{name}-street.csv", "wb") as handle:  # unquoted, as police.uk writes
                handle.write((",".join(POLICE_UK_COLUMNS) + "\n").encode())
                pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False, quoting_style="none"))
            written += per_file
    return written

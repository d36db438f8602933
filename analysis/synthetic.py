"""Synthetic police.uk street-level files in the real format, for measuring ingest at national volume.

All 43 territorial forces of England and Wales, 12 months, about 6 million rows: the volume a
national body would ingest each year. LSOA codes are drawn from the ONS lookup given (so rows place
into districts as real ones do), each force's from one run of 800 LSOAs in the order given (the
bench gives them district by district, so a force covers a few neighbouring districts, as real
forces do), with a share left empty as in the real files. Not for reports.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from analysis.ingest import POLICE_UK_COLUMNS
from analysis.periods import months_ending

FORCES = 43
ROWS_PER_YEAR = 6_000_000
CRIME_TYPES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
)
TYPE_SHARES = np.array([18, 2, 5, 9, 3, 2, 8, 1, 8, 1, 6, 2, 6, 29], dtype=float) / 100
NO_LOCATION_SHARE = 0.025


def write_year(folder: Path, lsoa_codes: list[str], last_month: str = "2022-09", rows: int = ROWS_PER_YEAR,
               seed: int = 43) -> int:
    """Write one `YYYY-MM-force-NN-street.csv` per force and month into `folder`; return the rows written."""
    rng = np.random.default_rng(seed)
    codes = np.array(lsoa_codes)
    per_file = rows // (FORCES * 12)
    folder.mkdir(parents=True, exist_ok=True)
    for force in range(1, FORCES + 1):
        name = f"force-{force:02d}"
        start = rng.integers(0, len(codes) - 800)
        force_codes = codes[start:start + 800]  # each force covers its own patch: 800 neighbouring LSOAs
        for month in months_ending(last_month, 12):
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
            with open(folder / f"{month}-{name}-street.csv", "wb") as handle:  # unquoted, as police.uk writes
                handle.write((",".join(POLICE_UK_COLUMNS) + "\n").encode())
                pacsv.write_csv(table, handle, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return per_file * FORCES * 12

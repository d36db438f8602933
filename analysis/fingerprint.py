"""Fingerprints of what a report is made from (input files, code, parameters), to know what is up to date."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from analysis import paths

PACKAGE_FILES = ("analysis/**/*.py", "analysis/templates/**/*")
CODE_FILES = (*PACKAGE_FILES, "notebooks/*.ipynb")


def input_files(data_dir: Path) -> list[Path]:
    """Every file a report reads from a data directory."""
    data_dir = Path(data_dir)
    named = [data_dir / name for name in (paths.AREAS_FILE, paths.MEASURES_FILE, paths.TARGETS_FILE, paths.REPORT_FILE,
                                                  paths.EVENTS_FILE)]
    return named + sorted((data_dir / paths.DERIVED).glob("*.csv")) + sorted((data_dir / paths.LOCAL).glob("*"))


def file_hash(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def input_hashes(data_dir: Path) -> dict[str, str]:
    return {str(path.relative_to(data_dir)): file_hash(path) for path in input_files(data_dir) if path.is_file()}


def code_hash(patterns: tuple[str, ...] = CODE_FILES) -> str:
    """One hash of the package, its templates and the notebooks: any change to them changes it."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(paths.PROJECT_ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(paths.PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def package_hash() -> str:
    """The package alone: what a report's figures are computed by (the notebook only shows them)."""
    return code_hash(PACKAGE_FILES)


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()

"""pyproject.toml and environment.yml must ask for the same packages in the same ranges."""
import re
import tomllib

import yaml

from analysis.paths import PROJECT_ROOT


def normalise(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def test_pyproject_and_environment_agree():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pip = dict(map(normalise, project["dependencies"] + project["optional-dependencies"]["test"]))
    pip["python"] = project["requires-python"].replace(" ", "")
    environment = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    entries = [entry for entry in environment["dependencies"] if isinstance(entry, str) and entry != "pip"]
    entries += [entry for section in environment["dependencies"] if isinstance(section, dict) for entry in section["pip"]]
    conda = dict(map(normalise, entries))
    assert conda == pip

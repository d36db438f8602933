"""The one place that knows where things live."""
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
NOTEBOOK = PROJECT_ROOT / "notebooks" / "quarterly_report.ipynb"
COMMENTARY = "commentary"  # beside a data directory: the analyst's words, one Markdown file per quarter and area
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"



def from_project(path: str | Path) -> Path:
    """A folder named relative to the project folder (absolute paths stay as they are), so a
    notebook finds its data wherever it runs from."""
    return (PROJECT_ROOT / path).resolve()


# Raw public data sits beside a clone (in CI and on the team's machines), never inside it.
SHARED_DATA_DIR = PROJECT_ROOT.parent / "shared" / "data"

# Files under a data directory, written by `python -m analysis data` or by hand.
NATIONAL_FILE = "national.yml"  # a national folder (`init --national`): the force packs in it, one folder each
AREAS_FILE = "areas.yml"
MEASURES_FILE = "measures.yml"
TARGETS_FILE = "targets.yml"
REPORT_FILE = "report.yml"
EVENTS_FILE = "events.yml"
LOCAL = "local"
DERIVED = "derived"
CRIME_COUNTS_FILE = f"{DERIVED}/crime_counts.csv"
UNPLACED_COUNTS_FILE = f"{DERIVED}/unplaced_counts.csv"
MONTHS_FILE = f"{DERIVED}/months.csv"
POPULATION_FILE = f"{DERIVED}/population.csv"
YOUTH_POPULATION_FILE = f"{DERIVED}/population_10_17.csv"
YOUTH_JUSTICE_FILE = f"{DERIVED}/youth_justice.csv"  # DfE LAIT's published youth-justice rates
LSOA_LOOKUP_FILE = f"{DERIVED}/lsoa_districts.csv"

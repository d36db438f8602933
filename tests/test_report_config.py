"""The paper's own words per area (data/report.yml): a district's board and contact, the county's as
the default; a contact with its parts; clear errors for what cannot be used."""
import shutil

import pytest

from analysis.dataset import DataError, load_dataset
from analysis.periods import Quarter
from analysis.report_config import Contact, ReportConfigError, load_report_config

COUNTY = """board: Testshire Community Safety Partnership
report_title: Safer Communities performance
purpose: For {quarter}.
recommendations: ["notes the {quarter} figures and the actions for {exceptions};"]
contact: {name: Jo Bloggs, role: Community Safety Manager, phone: 0116 000 0000, email: jo@example.org}
background_papers: [Police.uk data]
"""


def data_with(small_data_dir, tmp_path, text):
    data = tmp_path / "data"
    shutil.copytree(small_data_dir, data)
    (data / "report.yml").write_text(text, encoding="utf-8")
    return data


def test_a_district_has_its_own_board_and_contact_and_the_county_is_the_default(small_data_dir, tmp_path):
    data = data_with(small_data_dir, tmp_path, COUNTY + """districts:
  Melton:
    board: Melton Community Safety Partnership
    contact: Melton Community Safety Officer
""")
    config = load_dataset(data).report
    melton, blaby = config.for_area("Melton"), config.for_area("Blaby")
    assert melton.board == "Melton Community Safety Partnership" and melton.contact == Contact("Melton Community Safety Officer")
    assert melton.recommendations == blaby.recommendations == ("notes the {quarter} figures and the actions for {exceptions};",)
    assert blaby.board == "Testshire Community Safety Partnership"
    assert blaby.contact == Contact("Jo Bloggs", "Community Safety Manager", "0116 000 0000", "jo@example.org")
    assert blaby.filled(blaby.recommendations[0], Quarter(2022, 2), "Blaby", "burglary") == \
        "notes the 2022-23 Q2 figures and the actions for burglary;"
    assert blaby.filled("{exceptions} in {area}", Quarter(2022, 2), "Blaby") == "none this quarter in Blaby"


@pytest.mark.parametrize("extra, message", [
    ("districts:\n  Meltonn:\n    board: X\n", "Meltonn not a district of areas.yml"),
    ("districts:\n  Melton:\n    purpose: X\n", "districts, Melton: expected some of board"),
    ("districts:\n  Melton:\n    contact: {phone: 1}\n", "contact: expected a name"),
    ("districts: [Melton]\n", "districts: expected district names"),
    ("colour: blue\n", "unknown field(s) colour"),
])
def test_what_cannot_be_used_is_refused_with_its_field(small_data_dir, tmp_path, extra, message):
    data = data_with(small_data_dir, tmp_path, COUNTY + extra)
    with pytest.raises((ReportConfigError, DataError), match="report.yml") as error:
        load_dataset(data)
    assert message in str(error.value)


def test_the_bundled_config_names_its_contact_and_background_papers():
    config = load_report_config("data")
    assert config.contact.name and config.background_papers
    assert any("{exceptions}" in text for text in config.recommendations)

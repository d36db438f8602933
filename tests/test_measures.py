import pytest
import yaml

from analysis import paths
from analysis.measures import PERIODS, CatalogueError, load_measures


def test_the_catalogue_declares_every_measure_of_the_board_paper():
    measures = load_measures(paths.DATA_DIR)
    ids = {m.id for m in measures}
    assert {"total_crime", "vehicle_crime", "burglary", "violence_sexual", "criminal_damage_arson", "shoplifting",
            "robbery", "asb_incidents", "youth_reoffending_rate", "first_time_entrants", "iom_offending_reduction",
            "marac_repeat_rate", "domestic_abuse_incidents", "domestic_abuse_referrals", "domestic_abuse_high_risk",
            "hate_incidents", "asb_affected", "agree_dealing_with_asb",
            # official youth-justice rates the board paper's measures lack counts for (DfE LAIT)
            "first_time_entrants_published", "youth_reoffending_published"} == ids
    assert all(set(m.periods) <= set(PERIODS) for m in measures)


def catalogue(tmp_path, **changes):
    entry = yaml.safe_load((paths.DATA_DIR / "measures.yml").read_text())["measures"][0]
    entry.update(changes)
    (tmp_path / "measures.yml").write_text(yaml.safe_dump({"measures": [entry]}), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("changes, message", [
    ({"polarity": "up"}, "polarity is 'up', expected one of: lower_is_better"),
    ({"target": "maximum"}, "target is 'maximum'"),
    ({"periods": ["fortnight"]}, "periods is 'fortnight'"),
    ({"statistic": "proportion"}, "statistic is 'proportion', expected one of: count"),
    ({"rate_per": None}, "a count needs rate_per"),
    ({"outcome": "Happiness"}, "outcome is 'Happiness'"),
    ({"district_limits": "wide"}, "district_limits is 'wide', expected one of: overdispersed, poisson"),
])
def test_bad_entries_are_refused_naming_the_measure(tmp_path, changes, message):
    with pytest.raises(CatalogueError, match=rf"measure 1 \(total_crime\): {message}"):
        load_measures(catalogue(tmp_path, **changes))


def test_a_missing_field_is_named(tmp_path):
    path = catalogue(tmp_path)
    entries = yaml.safe_load((path / "measures.yml").read_text())
    del entries["measures"][0]["polarity"]
    (path / "measures.yml").write_text(yaml.safe_dump(entries), encoding="utf-8")
    with pytest.raises(CatalogueError, match="missing field"):
        load_measures(path)

import pytest

from matchmaker.config import Config, config_from_dict, dump_config, load_config
from matchmaker.problems import InputError
from tests.conftest import DATA


def test_defaults_and_sample_campaign():
    assert Config().campaign.budget == 100_000
    config = load_config(DATA / "campaign.toml")
    assert config.campaign.budget == 1_200_000 and config.campaign.exclusivity
    assert config.categories["美妆"] == ("Beauty", "彩妆")
    assert config.input_path("creators") == DATA / "creators.csv"


@pytest.mark.parametrize("raw, fragment", [
    ({"campaign": {"budget": -1}}, "campaign.budget must be a number >= 0, got -1"),
    ({"campaign": {"max_overlap": 1.5}}, "campaign.max_overlap must be in 0..1"),
    ({"scoring": {"backend": "gpt"}}, "one of 'use', 'sentence-transformers'"),
    ({"solver": {"time_limit": 0}}, "solver.time_limit"),
    ({"campaign": {"budgett": 5}}, "unknown key"),
    ({"campain": {}}, "unknown section"),
])
def test_range_checks_and_unknown_keys(raw, fragment):
    with pytest.raises(InputError) as err:
        config_from_dict(raw, source="c.toml")
    assert fragment in str(err.value) and "c.toml" in str(err.value)


def test_flags_override_and_are_checked():
    config = Config().override(**{"campaign.budget": 5.0, "solver.seed": None})
    assert config.campaign.budget == 5.0 and config.solver.seed == 0
    with pytest.raises(ValueError, match="max_overlap"):
        Config().override(**{"campaign.max_overlap": 2.0})


def test_round_trip_through_toml(tmp_path):
    config = load_config(DATA / "campaign.toml")
    path = tmp_path / "c.toml"
    path.write_text(dump_config(config), encoding="utf-8")
    again = load_config(path)
    assert again.campaign == config.campaign and again.categories == config.categories


def test_bad_toml_is_an_input_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[campaign\nbudget = ", encoding="utf-8")
    with pytest.raises(InputError, match="bad.toml"):
        load_config(path)

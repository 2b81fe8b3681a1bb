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
    ({"campaign": {"budget": -1}}, "key 'campaign.budget': must be in 0..1,000,000,000,000 (got '-1.0')"),
    ({"campaign": {"budget": 1e17}}, "key 'campaign.budget': must be in 0..1,000,000,000,000"),
    ({"campaign": {"max_overlap": 1.5}}, "key 'campaign.max_overlap': must be in 0..1"),
    ({"solver": {"seed": 10**10}}, "key 'solver.seed': must be in 0..2147483647"),
    ({"solver": {"workers": 10**6}}, "key 'solver.workers': must be in 1..64"),
    ({"solver": {"time_limit": float("inf")}}, "key 'solver.time_limit'"),
    ({"campaign": {"max_overlap": float("nan")}}, "key 'campaign.max_overlap'"),
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


@pytest.mark.parametrize("toml, key, expected", [
    ('[campaign]\nexclusivity = "no"', "campaign.exclusivity", "expected true or false, got str"),
    ('[campaign]\nexclusivity = "false"', "campaign.exclusivity", "expected true or false, got str"),
    ("[campaign]\nexclusivity = 0", "campaign.exclusivity", "expected true or false, got int"),
    ("[solver]\nseed = 1.5", "solver.seed", "expected a whole number such as 2, got float"),
    ("[solver]\nworkers = true", "solver.workers", "expected a whole number such as 2, got bool"),
    ('[campaign]\nbudget = "100000"', "campaign.budget", "expected a number, got str"),
    ("[campaign]\nbudget = [1, 2]", "campaign.budget", "expected a number, got list"),
    ("[inputs]\ncreators = 5", "inputs.creators", "expected text in quotes, got int"),
    ("[scoring]\ncache_dir = false", "scoring.cache_dir", "expected text in quotes, got bool"),
    ('[categories]\n"美妆" = 5', "categories.美妆", "expected a list of category names"),
    ('[categories]\n"美妆" = ["Beauty", 3]', "categories.美妆", "expected a list of category names"),
    ("categories = 5", "categories", "expected a table"),
])
def test_wrong_types_name_file_section_and_key(tmp_path, toml, key, expected):
    path = tmp_path / "brand.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_config(path)
    [problem] = err.value.problems
    assert (problem.file, problem.column, problem.place) == ("brand.toml", key, "key")
    assert expected in problem.message
    assert f"brand.toml, key '{key}': expected" in str(problem)


def test_every_wrong_type_is_reported_at_once():
    with pytest.raises(InputError) as err:
        config_from_dict({"campaign": {"exclusivity": "no", "budget": "lots"}, "solver": {"seed": 1.5}},
                         source="c.toml")
    assert sorted(p.column for p in err.value.problems) == ["campaign.budget", "campaign.exclusivity",
                                                            "solver.seed"]


def test_whole_numbers_are_numbers_and_nothing_else_is_coerced():
    config = config_from_dict({"campaign": {"budget": 100_000, "exclusivity": True}, "solver": {"time_limit": 5}})
    assert isinstance(config.campaign.budget, float) and config.campaign.budget == 100_000.0
    assert config.campaign.exclusivity is True and isinstance(config.solver.time_limit, float)


@pytest.mark.parametrize("flags, fragment", [
    ({"campaign.exclusivity": "false"}, "campaign.exclusivity: expected true or false"),
    ({"solver.seed": 1.5}, "solver.seed: expected a whole number"),
])
def test_overrides_are_type_checked_too(flags, fragment):
    with pytest.raises(ValueError, match=fragment):
        Config().override(**flags)


def test_a_type_error_in_a_campaign_file_is_exit_2_naming_the_key(tmp_path, capsys):
    from matchmaker.cli import main

    path = tmp_path / "c.toml"
    path.write_text('[inputs]\ncreators = "x.csv"\nproducts = "y.csv"\n[campaign]\nexclusivity = "no"\n',
                    encoding="utf-8")
    assert main(["optimize", "--config", str(path), "--out", str(tmp_path / "plan.csv")]) == 2
    err = capsys.readouterr().err
    assert "c.toml, key 'campaign.exclusivity': expected true or false, got str" in err
    assert not (tmp_path / "plan.csv").exists()


def test_a_column_map_is_read_checked_and_written_back(tmp_path):
    config = config_from_dict({"columns": {"creators": {"Vertical focus": "categories"},
                                           "products": {"Niche": " category "}}})
    assert config.columns == {"creators": {"Vertical focus": "categories"}, "products": {"Niche": "category"}}
    path = tmp_path / "c.toml"
    path.write_text(dump_config(config), encoding="utf-8")
    assert load_config(path).columns == config.columns
    # the command line's --column replaces the entry of its header and of its column
    flagged = config.with_columns([("products", "Segment", "category"), ("creators", "Vertical focus", "bio")])
    assert flagged.columns == {"creators": {"Vertical focus": "bio"}, "products": {"Segment": "category"}}


@pytest.mark.parametrize("raw, key, fragment", [
    ({"sellers": {"Niche": "categories"}}, "columns.sellers",
     "unknown table; expected one of creators, products, pairs, overlaps, deals"),
    ({"creators": {"Niche": 3}}, "columns.creators", 'of "header" = "column"'),
    ({"creators": {"Niche": "categories", "Vertical": "categories"}}, "columns.creators",
     "two headers are mapped to the column categories"),
    ("creators", "columns", 'expected tables such as [columns.creators]'),
])
def test_a_bad_column_map_names_its_key(raw, key, fragment):
    with pytest.raises(InputError) as err:
        config_from_dict({"columns": raw}, source="c.toml")
    problem = err.value.problems[0]
    assert (problem.file, problem.column) == ("c.toml", key) and fragment in problem.message

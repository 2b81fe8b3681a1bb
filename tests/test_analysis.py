import pytest

from matchmaker.problems import InputError
from matchmaker.report.analysis import product_rules, with_product_rules
from tests.conftest import creator, make_data, product


def test_edited_rules_are_checked_like_the_products_table():
    data = make_data([creator("a")], [product("p", max_creators=3)])
    rules = product_rules(data)
    rules.loc[0, "min_creators"] = 2
    assert with_product_rules(data, rules).products.loc[0, "min_creators"] == 2
    rules.loc[0, "min_top_kol"] = 4
    with pytest.raises(InputError) as err:
        with_product_rules(data, rules)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("product rules", 2, "min_top_kol")
    assert "above max_creators" in problem.message


def _outcome():
    from matchmaker.pipeline import run
    from tests.conftest import HashEmbedder, creator, quick_config

    config = quick_config(**{"campaign.budget": 1500})
    creators = [creator("a", fee=1000, name="Ann", categories="美妆", followers=50_000),
                creator("b", fee=800, name="Bo", categories="美妆", tier="top_kol", followers=2_000_000),
                creator("c", fee=500, name="Cy", categories="食品", followers=5_000)]
    data = make_data(creators, [product("p", category="美妆")], config)
    return run(data, config, HashEmbedder())


def test_creator_table_filters_and_fit():
    from matchmaker.report.analysis import creator_table, filter_creators

    outcome = _outcome()
    table = creator_table(outcome, "p")
    assert table["creator_id"].tolist() == ["a", "b", "c"] and table["fit"].isna().tolist() == [False, False, True]
    assert table["booked"].sum() == len(outcome.plan)
    assert filter_creators(table, text="an")["creator_id"].tolist() == ["a"]
    assert filter_creators(table, categories=["食品"])["creator_id"].tolist() == ["c"]
    assert filter_creators(table, tiers=["top_kol"])["creator_id"].tolist() == ["b"]
    assert filter_creators(table, fee=(600, 1000))["creator_id"].tolist() == ["a", "b"]
    assert filter_creators(table, min_followers=40_000)["creator_id"].tolist() == ["a", "b"]


def test_creator_card_says_booked_or_why_not():
    from matchmaker.report.analysis import creator_card

    outcome = _outcome()
    booked = set(outcome.plan["creator_id"])
    assert len(booked) == 1  # 1,500 buys one of a (1,000) and b (800)
    for cid in ("a", "b"):
        [item] = creator_card(outcome, cid)["products"]
        assert item["booked"] == (cid in booked) and item["eligible"] == 2 and item["rank"] in (1, 2)
        assert item["blocked_by"] == (None if cid in booked else "budget")  # the other fee does not fit
    card = creator_card(outcome, "c")
    assert card["products"] == [] and card["name"] == "Cy" and card["categories"] == ["食品"]
    assert card["recent_posts"] == ""  # a creator list without posts


def test_why_not_booked_names_the_rule_that_blocks_it():
    from matchmaker.pipeline import run
    from matchmaker.report.analysis import creator_card
    from tests.conftest import HashEmbedder, creator, quick_config

    config = quick_config(**{"campaign.budget": 10_000})
    creators = [creator("a", fee=100, categories="美妆"), creator("b", fee=100, categories="美妆"),
                creator("k", fee=100, categories="美妆", tier="top_kol"), creator("z", fee=100, categories="美妆")]
    products = [product("p", category="美妆", max_creators=3, max_top_kol=0)]
    data = make_data(creators, products, config, overlaps=[("a", "b", 0.9)])
    outcome = run(data, config, HashEmbedder())
    plan = set(outcome.plan["creator_id"])
    assert "k" not in plan and creator_card(outcome, "k")["products"][0]["blocked_by"] == "max_top_kol"
    pair = {"a", "b"} - plan
    assert len(pair) == 1 and creator_card(outcome, pair.pop())["products"][0]["blocked_by"] == "overlap"

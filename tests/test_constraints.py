"""Each constraint family: a feasible case (the rule shapes the plan) and an infeasible one (named)."""


from matchmaker.check import check_plan
from matchmaker.pipeline import run
from tests.conftest import creator, make_data, product, quick_config


def solve_case(creators, products, pairs=None, overlaps=None, embedder=None, **flags):
    config = quick_config(**flags)
    data = make_data(creators, products, config, pairs=pairs, overlaps=overlaps)
    outcome = run(data, config, embedder=embedder)
    if outcome.result.has_plan:
        assert check_plan(outcome.plan, data, config) == []
    return outcome


def booked(outcome):
    return sorted(zip(outcome.plan["creator_id"], outcome.plan["product_id"]))


def reasons(outcome):
    return " ".join(outcome.reasons)


THREE = [creator("a", fee=100), creator("b", fee=100), creator("c", fee=100)]
VALUES = [("a", "p", 0.5), ("b", "p", 0.6), ("c", "p", 0.7)]


def test_budget_keeps_the_best_affordable_pairs():
    out = solve_case(THREE, [product("p")], VALUES, **{"campaign.budget": 200})
    assert booked(out) == [("b", "p"), ("c", "p")]
    assert out.result.status == "optimal"


def test_budget_too_small_for_a_minimum_is_named():
    out = solve_case(THREE, [product("p", min_creators=2)], VALUES, **{"campaign.budget": 150})
    assert out.result.status == "infeasible"
    assert "total budget of ¥150" in reasons(out)


def test_product_budget():
    out = solve_case(THREE, [product("p", budget=150)], VALUES)
    assert booked(out) == [("c", "p")]


def test_product_budget_infeasible():
    out = solve_case(THREE, [product("p", budget=150, min_creators=2)], VALUES)
    assert out.result.status == "infeasible"
    assert "product p" in reasons(out) and "budget" in reasons(out)


def test_capacity_limits_products_per_creator():
    creators = [creator("a", max_products=1)]
    out = solve_case(creators, [product("p"), product("q")], [("a", "p", 0.4), ("a", "q", 0.9)])
    assert booked(out) == [("a", "q")]


def test_capacity_infeasible():
    creators = [creator("a", max_products=1)]
    out = solve_case(creators, [product("p", min_creators=1), product("q", min_creators=1)],
                     [("a", "p", 0.4), ("a", "q", 0.9)])
    assert out.result.status == "infeasible"
    assert "max products" in reasons(out)


def test_max_creators_per_product():
    out = solve_case(THREE, [product("p", max_creators=1)], VALUES)
    assert booked(out) == [("c", "p")]


def test_min_creators_above_eligible_count_is_named():
    out = solve_case(THREE, [product("p", min_creators=4)], VALUES)
    assert out.result.status == "infeasible"
    assert "product p: min 4 creators, but only 3 eligible" in reasons(out)


TIERED = [creator("k1", fee=1000, tier="top_kol"), creator("a", fee=100), creator("b", fee=100)]
TIER_VALUES = [("k1", "p", 0.9), ("a", "p", 0.3), ("b", "p", 0.2)]


def test_max_top_kol_zero_excludes_top_kols():
    out = solve_case(TIERED, [product("p", max_top_kol=0)], TIER_VALUES)
    assert booked(out) == [("a", "p"), ("b", "p")]


def test_min_top_kol_forces_a_top_kol_even_when_poor_value():
    values = [("k1", "p", 0.01), ("a", "p", 0.3), ("b", "p", 0.2)]
    out = solve_case(TIERED, [product("p", min_top_kol=1, max_creators=2)], values)
    assert ("k1", "p") in booked(out) and len(booked(out)) == 2


def test_min_top_kol_above_supply_is_named():
    out = solve_case(TIERED, [product("p", min_top_kol=2)], TIER_VALUES)
    assert out.result.status == "infeasible"
    assert "min 2 Top-KOLs, but only 1 eligible Top-KOL" in reasons(out)


def test_top_kol_share_cap():
    # k1 costs 1000 of a 1200 spend (83%): over a 50% cap, so the plan keeps only Alliance creators
    out = solve_case(TIERED, [product("p")], TIER_VALUES, **{"campaign.top_kol_max_share": 0.5})
    assert booked(out) == [("a", "p"), ("b", "p")]


def test_top_kol_share_cap_infeasible_with_a_required_top_kol():
    out = solve_case(TIERED, [product("p", min_top_kol=1)], TIER_VALUES,
                     **{"campaign.top_kol_max_share": 0.5})
    assert out.result.status == "infeasible"
    assert "Top-KOLs at most 50% of the spend" in reasons(out)


def test_category_rule_with_case_space_insensitive_match_and_config_map(hash_embedder):
    creators = [creator("a", categories="Mom & Baby"), creator("b", categories="tech")]
    products = [product("p", category="mom&baby"), product("q", category="数码")]
    out = solve_case(creators, products, embedder=hash_embedder)
    assert booked(out) == [("a", "p")]
    config_map = quick_config().__class__(categories={"数码": ("Tech",)})
    from dataclasses import replace

    config = replace(config_map, solver=quick_config().solver, scoring=quick_config().scoring)
    data = make_data(creators, products, config)
    out = run(data, config, embedder=hash_embedder)
    assert booked(out) == [("a", "p"), ("b", "q")]


def test_category_rule_infeasible(hash_embedder):
    out = solve_case([creator("a", categories="beauty")],
                     [product("p"), product("q", category="tech", min_creators=1)], embedder=hash_embedder)
    assert out.result.status == "infeasible"
    assert "product q: min 1 creators, but only 0 eligible" in reasons(out)


def test_overlap_conflict_keeps_one_of_the_pair():
    out = solve_case(THREE, [product("p")], VALUES, overlaps=[("b", "c", 0.5), ("a", "b", 0.1)])
    assert booked(out) == [("a", "p"), ("c", "p")]
    assert set(out.conflicts["source"]) == {"table"}


def test_overlap_infeasible():
    out = solve_case(THREE[1:], [product("p", min_creators=2)], VALUES[1:], overlaps=[("b", "c", 0.5)])
    assert out.result.status == "infeasible"
    assert "overlapping audiences" in reasons(out) and "raise max_overlap" in reasons(out)


def test_min_experience_filters_creators():
    creators = [creator("a", experience_score=3.5), creator("b", experience_score=4.5), creator("c")]
    out = solve_case(creators, [product("p")], [("a", "p", 0.9), ("b", "p", 0.5), ("c", "p", 0.4)],
                     **{"campaign.min_experience": 4.0})
    assert booked(out) == [("b", "p"), ("c", "p")]  # unknown experience is not excluded


def test_min_experience_infeasible():
    out = solve_case([creator("a", experience_score=3.5)], [product("p", min_creators=1)],
                     [("a", "p", 0.9)], **{"campaign.min_experience": 4.0})
    assert out.result.status == "no_eligible_pairs"  # nothing to search: not even the solver is asked
    assert "only 0 eligible" in reasons(out)


def test_exclusivity_one_brand_per_category():
    creators = [creator("a", max_products=3)]
    products = [product("p", brand="A"), product("q", brand="B"), product("r", brand="A")]
    pairs = [("a", "p", 0.5), ("a", "q", 0.8), ("a", "r", 0.4)]
    out = solve_case(creators, products, pairs, **{"campaign.exclusivity": True})
    assert booked(out) == [("a", "p"), ("a", "r")]  # 0.9 for brand A beats 0.8 for brand B
    out = solve_case(creators, products, pairs)
    assert len(booked(out)) == 3


def test_exclusivity_infeasible():
    creators = [creator("a", max_products=2)]
    products = [product("p", brand="A", min_creators=1), product("q", brand="B", min_creators=1)]
    out = solve_case(creators, products, [("a", "p", 0.5), ("a", "q", 0.8)],
                     **{"campaign.exclusivity": True})
    assert out.result.status == "infeasible"
    assert "one brand per category" in reasons(out)


def test_top_kol_share_cap_is_exact_never_looser():
    # k + a: 200 of 300 is 66.67%, above a 66.66% cap (rounded to 0.1% it was 66.7%, and the plan broke it)
    creators = [creator("k", fee=200, tier="top_kol"), creator("a", fee=100)]
    out = solve_case(creators, [product("p")], [("k", "p", 0.9), ("a", "p", 0.5)],
                     **{"campaign.top_kol_max_share": 0.6666})
    assert booked(out) == [("a", "p")]


def test_top_kol_share_cap_is_exact_never_stricter():
    # one Top-KOL of three equal fees is 33.33%, within a 33.34% cap (rounded to 33.3% it was "infeasible")
    creators = [creator("k", fee=100, tier="top_kol"), creator("a", fee=100), creator("b", fee=100)]
    out = solve_case(creators, [product("p", min_top_kol=1)], [("k", "p", 0.9), ("a", "p", 0.5), ("b", "p", 0.4)],
                     **{"campaign.top_kol_max_share": 0.3334})
    assert out.result.status == "optimal" and booked(out) == [("a", "p"), ("b", "p"), ("k", "p")]

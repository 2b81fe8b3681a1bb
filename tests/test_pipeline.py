"""The pipeline: prepare once, solve many times with changes; the Outcome's summary and its re-check."""

import dataclasses
import json
import math
import time

import pytest

from matchmaker import PlanSource, Status, load, load_config, prepare, run, solve
from matchmaker.pipeline import MIN_SEARCH_SECONDS, SOLVE_CHANGES, search_params
from matchmaker.plan.solve import solve_instance
from tests.conftest import DATA, HashEmbedder, creator, make_data, product, quick_config

CREATORS = [creator("a", fee=100), creator("b", fee=200), creator("c", fee=300, tier="top_kol")]
PRODUCTS = [product("p"), product("q", brand="C")]


def booked(outcome):
    return sorted(zip(outcome.plan["creator_id"], outcome.plan["product_id"]))


@pytest.fixture
def prepared():
    config = quick_config()
    embedder = HashEmbedder()
    data = make_data(CREATORS, PRODUCTS, config)
    return prepare(data, config, embedder), embedder


def test_a_budget_sweep_embeds_and_scores_once(prepared):
    prep, embedder = prepared
    # the texts, then the category names (category inference)
    assert embedder.calls == 2 and set(prep.timings) == {"embed", "score", "overlap"}
    spends = []
    for budget in (0, 150, 350, 10_000):
        out = solve(prep, {"campaign.budget": budget})
        assert out.config.campaign.budget == budget and out.is_feasible()
        spends.append(out.summary()["budget_used"])
    assert embedder.calls == 2
    assert spends == [0, 100, 300, 600]
    assert prep.config.campaign.budget == quick_config().campaign.budget  # the prepared campaign is unchanged


def test_solve_on_a_prepared_campaign_equals_run_with_the_changed_config(prepared):
    prep, _ = prepared
    changes = {"campaign.budget": 350, "campaign.top_kol_max_share": 0.5, "solver.seed": 3, "solver.highs": True}
    direct = run(prep.data, quick_config(**changes), HashEmbedder())
    swept = solve(prep, changes)
    assert booked(direct) == booked(swept)
    assert direct.result.objective == pytest.approx(swept.result.objective)
    assert direct.candidates.drop(columns="chosen").equals(swept.candidates.drop(columns="chosen"))


@pytest.mark.parametrize("key", ["campaign.max_overlap", "campaign.min_experience", "scoring.w_style"])
def test_solve_refuses_a_change_that_needs_a_new_prepare(prepared, key):
    with pytest.raises(ValueError, match=f"{key} is fixed when the campaign is prepared"):
        solve(prepared[0], {key: 0.5})
    assert "campaign.budget" in SOLVE_CHANGES


def test_outcome_summary(prepared):
    out = solve(prepared[0], {"campaign.budget": 350})
    info = out.summary()
    assert info["status"] == "optimal" and info["plan_from"] == "cp-sat"
    assert info["bookings"] == len(out.plan) == 2 and info["budget_used"] == 300
    assert info["spend_by_tier"] == {"top_kol": 0.0, "alliance": 300.0}
    assert set(info["stage_seconds"]) == {"embed", "score", "overlap", "build", "solve", "check"}
    assert info["overlap_source"] == "estimated" and info["gap"] == 0
    json.dumps(info)  # plain JSON


def test_the_time_limit_covers_the_whole_command():
    config = quick_config(**{"solver.time_limit": 30.0})
    assert search_params(config, None).time_limit == 30.0  # no start given: the search gets it all
    left = search_params(config, time.perf_counter() - 12.0).time_limit
    assert 17.5 < left <= 18.0
    assert search_params(config, time.perf_counter() - 45.0).time_limit == MIN_SEARCH_SECONDS


def test_a_command_that_used_its_time_before_the_search_still_gets_greedy_and_a_short_search(prepared, monkeypatch):
    seen = []

    def spy(inst, params, *rest):
        seen.append(params.time_limit)
        return solve_instance(inst, params, *rest)

    monkeypatch.setattr("matchmaker.pipeline.solve_instance", spy)
    out = solve(prepared[0], {"solver.time_limit": 5.0}, started=time.perf_counter() - 60.0)
    assert seen == [MIN_SEARCH_SECONDS] and out.is_feasible()
    assert out.config.solver.time_limit == 5.0  # the campaign as written; only the search got less


def test_is_feasible_re_runs_the_checker(prepared):
    out = solve(prepared[0], {"campaign.budget": 350})
    assert out.is_feasible() and out.violations() == []
    # the same bookings judged against a smaller budget: the checker finds the broken rule
    tighter = dataclasses.replace(out, config=out.config.override(**{"campaign.budget": 100}))
    assert not tighter.is_feasible()
    assert any("above the budget" in v for v in tighter.violations())


def test_summary_of_a_plan_with_no_proved_bound_has_null_bound_and_gap(prepared):
    out = solve(prepared[0])
    unknown = dataclasses.replace(out, result=dataclasses.replace(out.result, bound=math.nan,
                                                                  source=PlanSource.GREEDY,
                                                                  status=Status.FEASIBLE))
    info = unknown.summary()
    assert info["best_bound"] is None and info["gap"] is None and info["plan_from"] == "greedy"
    assert "NaN" not in json.dumps(info)


def test_infeasible_outcome_has_reasons_and_no_plan(prepared):
    data = prepared[0].data
    products = data.products.assign(min_creators=[5, 0])
    out = run(dataclasses.replace(data, products=products), quick_config(), HashEmbedder())
    assert out.result.status is Status.INFEASIBLE and not out.is_feasible() and out.plan.empty
    assert "product p: min 5 creators, but only 3 eligible" in out.reasons[0]
    assert out.summary()["why_no_plan"] == list(out.reasons)


def test_same_seed_single_worker_gives_the_same_plan(hash_embedder):
    config = load_config(DATA / "campaign.toml").override(
        **{"solver.workers": 1, "solver.time_limit": 5.0, "scoring.cache_dir": ""})
    data = load(config)
    plans = [booked(run(data, config, embedder=hash_embedder)) for _ in range(2)]
    assert plans[0] == plans[1] and plans[0]


def test_products_no_creator_may_promote_are_named_before_solving_with_the_closest_categories():
    config = quick_config()
    data = make_data([creator("a", categories="美妆-护肤"), creator("b", categories="食品饮料")],
                     [product("p", category="护肤"), product("q", category="食品"), product("r", category="数码")],
                     config)
    prep = prepare(data, config, HashEmbedder())
    assert prep.notes == (
        "product q (category '食品'): no eligible creator; the closest creator categories are 食品饮料: map them "
        'in [categories], e.g. "食品" = ["食品饮料"]',
        "product r (category '数码'): no eligible creator; no creator category is close to it")
    out = solve(prep)
    assert out.summary()["products_without_creators"] == list(prep.notes) and len(out.plan) == 1


def test_a_product_whose_category_has_only_unbookable_creators_is_not_told_to_map_it_to_itself():
    config = quick_config()
    data = make_data([creator("a", categories="美妆"), creator("b", categories="母婴;食品", fee="-")],
                     [product("p", category="美妆"), product("q", category="母婴")], config)
    prep = prepare(data, config, HashEmbedder())
    assert prep.notes == ("product q (category '母婴'): no eligible creator; creators of this category exist, but "
                          "none can be booked (no fee, max_products 0, or below the minimum experience)",)


def test_no_eligible_pair_is_no_plan_never_optimal():
    config = quick_config()
    data = make_data([creator("a", categories="美妆")], [product("q", category="食品")], config)
    out = run(data, config, HashEmbedder())
    assert out.result.status is Status.NO_ELIGIBLE_PAIRS and not out.result.has_plan
    assert out.reasons[0].startswith("no creator may promote any product")
    assert out.reasons[1].startswith("product q (category '食品'): no eligible creator")


def test_a_plan_that_books_no_one_says_why(prepared):
    out = solve(prepared[0], {"campaign.budget": 50})
    assert out.result.has_plan and out.plan.empty
    assert out.reasons == ("the budget of ¥50 is below the cheapest eligible creator's fee (¥100): raise the budget",)


def test_closest_categories_by_embedding_across_languages():
    import numpy as np

    from matchmaker.fit.categories import closest

    vectors = {"Skincare": [1, 0, 0], "护肤": [0.9, 0.436, 0], "数码": [0, 0, 1], "宠物": [0, 1, 0]}
    encode = lambda labels: np.array([vectors[x] for x in labels], float)  # noqa: E731
    assert closest("Skincare", ["数码", "护肤", "宠物"], encode) == ["护肤"]
    assert closest("Skincare", ["数码", "宠物"], encode) == []
    assert closest("美妆-护肤", ["护肤", "数码"]) == ["护肤"]  # by the labels' words alone
    assert closest("食品", ["食品饮料", "数码"]) == ["食品饮料"] and closest("Skin care", ["Skincare"]) == ["Skincare"]
    assert closest("Beauty & Personal Care", ["Music", "Beauty"]) == ["Beauty"]
    # letters in common are not meaning: each of these scored 0.47-0.63 as a string and was suggested
    assert closest("lipstick", ["Lifestyle", "Music"]) == closest("pencil", ["Pets & Animals"]) == []
    assert closest("foundation", ["Education"]) == closest("art supplies", ["Party"]) == []


def test_a_product_category_finds_the_creator_category_by_the_texts_where_no_label_is_close():
    """A makeup type (lipstick) is near no creator niche by its label; its products' texts are near the beauty
    creators' bios, clearly nearer than the other niches' (the default model, through the pipeline's encoder)."""
    from matchmaker.fit.categories import suggest_categories
    from matchmaker.fit.embed import USEEmbedder
    from matchmaker.pipeline import text_encoder

    bios = {"Beauty": ["Makeup artist | bridal glam", "MUA, lashes and brows", "Skincare and makeup tutorials"],
            "Fitness": ["Personal trainer, HIIT and strength", "Marathon runner | gym life"],
            "Food": ["Home cook sharing easy recipes", "Street food and restaurant reviews"],
            "Technology": ["Gadget reviews and PC builds", "Smartphone unboxings"],
            "Travel": ["Backpacking through Asia", "Hotels and city guides"]}
    creators = [creator(f"{k}{i}", categories=k, bio=bio) for k, texts in bios.items() for i, bio in enumerate(texts)]
    products = [product("l1", category="lipstick", name="Matte lipstick", description="Velvet lip colour, 12 shades"),
                product("l2", category="lipstick", name="Lip crayon", description="Creamy long-wear lip colour"),
                product("t1", category="Technology", name="Earbuds", description="Wireless earbuds")]
    config = quick_config()
    data = make_data(creators, products, config)
    found = suggest_categories(data, {2}, text_encoder(config, USEEmbedder()))
    assert found == {"lipstick": ["Beauty"]}


def test_a_very_large_campaign_goes_on_with_a_pool_and_its_bound_covers_the_rest(hash_embedder, monkeypatch):
    from matchmaker.plan import prune

    config = load_config(DATA / "campaign.toml").override(
        **{"solver.workers": 1, "solver.time_limit": 20.0, "scoring.cache_dir": ""})
    data = load(config)
    whole = prepare(data, config, hash_embedder)
    full = solve(whole)
    monkeypatch.setattr(prune, "POOL_ABOVE", 0)  # the sample as if it were huge: a pool of 12 per ranking
    monkeypatch.setattr(prune, "POOL_MIN", 12)
    monkeypatch.setattr(prune, "POOL_FACTOR", 0)
    small = prepare(data, config, hash_embedder)
    assert 0 < len(small.candidates) < len(whole.candidates)
    assert len(small.candidates) + len(small.outside) == len(whole.candidates)
    pool_creators = set(small.candidates["c"])
    assert set(small.conflicts["a"]) | set(small.conflicts["b"]) <= pool_creators  # overlaps only in the pool
    out = solve(small)  # raises if the independent checker rejects the plan
    info = out.summary()
    assert set(out.plan["c"]) <= pool_creators
    assert info["eligible_pairs"] == len(whole.candidates) and info["left_out_pairs"] == len(small.outside)
    assert info["bound_from"] == "lp" or info["status"] == "optimal"
    assert info["best_bound"] >= full.result.objective - 1e-6  # the bound holds for every eligible pair
    assert out.result.objective <= full.result.bound + 1e-6


def test_no_plan_in_a_pool_says_the_pool_was_searched_never_infeasible(monkeypatch):
    from matchmaker.plan import prune

    config = quick_config(**{"campaign.budget": 1e6})
    creators = [creator(f"c{i}", fee=100 + i) for i in range(6)]
    data = make_data(creators, [product("p", min_creators=5)], config)
    assert run(data, config, HashEmbedder()).result.status == "optimal"  # all six: a plan exists
    monkeypatch.setattr(prune, "POOL_ABOVE", 0)  # a pool of 1 pair by each ranking: fewer than the minimum
    monkeypatch.setattr(prune, "POOL_MIN", 1)
    monkeypatch.setattr(prune, "POOL_FACTOR", 0)
    out = solve(prepare(data, config, HashEmbedder()))
    assert len(out.candidates) < 5 and out.result.status != "infeasible" and not out.result.has_plan
    assert any("pool of the best" in str(reason) for reason in out.reasons)

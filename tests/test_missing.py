"""Figures you can bank on: missing data is uncertainty, never a bonus (an unknown figure takes its peers'
lower quartile), the money model says where each figure comes from, a plan says in words what it must not be
banked on for, and no single booking takes more than its share of the budget."""

import numpy as np
import pytest

from matchmaker import prepare, solve
from matchmaker.fit.economics import economics
from matchmaker.fit.known import peer_fill
from matchmaker.fit.score import performance_scores
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config


def test_peer_fill_takes_the_groups_lower_quartile_else_the_pools():
    values = np.array([1.0, 2.0, 3.0, 5.0, np.nan, 100.0, np.nan])
    groups = np.array(["a", "a", "a", "a", "a", "b", "c"], dtype=object)
    filled, unknown = peer_fill(values, groups)
    assert unknown.tolist() == [False] * 4 + [True, False, True]
    assert filled[4] == pytest.approx(np.quantile([1, 2, 3, 5], 0.25))  # its tier's
    assert filled[6] == pytest.approx(np.quantile([1, 2, 3, 5, 100], 0.25))  # a group with none known: the pool's
    assert np.isnan(peer_fill(np.array([np.nan, np.nan]), np.array(["a", "a"], dtype=object))[0]).all()


def test_a_creator_without_reach_figures_does_not_outscore_its_peers():
    known = [creator(f"k{i}", followers=f, experience_score=4.0) for i, f in
             enumerate((5_000, 20_000, 80_000, 300_000, 1_000_000))]
    blank = creator("blank", experience_score=4.0)
    blank["followers"] = "-"
    data = make_data(known + [blank], [product("p")])
    score = performance_scores(data.creators)
    assert score[-1] <= np.quantile(score[:-1], 0.25) + 1e-9
    assert score[-1] < np.median(score[:-1])  # before: the blank creator's reach was left out, scoring 4/5 = 0.8


def test_every_booking_says_where_its_views_and_conversion_come_from():
    creators = [creator("views", avg_views=20_000), creator("fans", followers=50_000),
                creator("peer", followers=30_000), creator("blank")]
    creators[-1]["followers"] = "-"
    data = make_data(creators, [product("p", price=100, conversion_rate="1%")], quick_config())
    money = economics(data, quick_config(), np.arange(4), np.zeros(4, int), np.full(4, 0.5))
    assert money["views_from"].astype(str).tolist() == ["export", "followers", "followers", "peers"]
    assert (money["conversion_from"].astype(str) == "product").all()
    assert money["views"].iloc[3] > 0  # a stand-in, not zero views
    known_width = money["gmv_high"].iloc[1] / money["gmv_low"].iloc[1]
    assert money["gmv_high"].iloc[3] / money["gmv_low"].iloc[3] > known_width  # a wider range


def _outcome(creators, products, **flags):
    config = quick_config(**flags)
    data = make_data(creators, products, config)
    return solve(prepare(data, config, HashEmbedder()))


def test_a_plan_expected_to_lose_money_says_so():
    creators = [creator(f"c{i}", fee=50_000, avg_views=10_000) for i in range(3)]
    outcome = _outcome(creators, [product("p", price=50, min_creators=1)], **{"campaign.budget": 200_000})
    cautions = outcome.summary()["cautions"]
    assert outcome.money()["roi"] < 1
    assert any(c.startswith("the plan is expected to lose money") for c in cautions)
    assert any("the default prior" in c for c in cautions)  # no conversion data: a stand-in, said so


def test_profit_with_no_booking_that_pays_back_says_why():
    creators = [creator(f"c{i}", fee=50_000, avg_views=10_000) for i in range(3)]
    outcome = _outcome(creators, [product("p", price=50)],
                       **{"campaign.budget": 200_000, "economics.objective": "profit"})
    assert outcome.plan.empty
    (reason,) = outcome.reasons
    assert reason.startswith("no booking is expected to pay back") and "from default" in reason


def test_no_booking_takes_more_than_its_share_of_the_budget_unless_locked():
    creators = [creator("kol", fee=400_000, avg_views=5_000_000, tier="top_kol"),
                *[creator(f"a{i}", fee=20_000, avg_views=200_000) for i in range(20)]]
    products = [product("p", price=500, max_creators=30)]
    capped = _outcome(creators, products, **{"campaign.budget": 1_200_000, "campaign.max_booking_share": 0.25})
    assert "kol" not in set(capped.plan["creator_id"]) and capped.violations() == []
    assert capped.plan["cash"].max() <= 0.25 * 1_200_000
    free = _outcome(creators, products, **{"campaign.budget": 1_200_000})  # off by default
    assert "kol" in set(free.plan["creator_id"])  # the cap, not the money, kept it out
    config = quick_config(**{"campaign.budget": 1_200_000, "campaign.max_booking_share": 0.25})
    from matchmaker.inputs.validate import with_locks

    data = with_locks(make_data(creators, products, config), ["kol:p"])
    locked = solve(prepare(data, config, HashEmbedder()))
    assert "kol" in set(locked.plan["creator_id"]) and locked.violations() == []  # a lock is the user's choice
    nothing = _outcome(creators, products, **{"campaign.budget": 30_000, "campaign.max_booking_share": 0.25})
    assert nothing.plan.empty and "cost more than 25% of the budget (max_booking_share)" in nothing.reasons[0]


def test_a_profit_plan_that_leaves_budget_unspent_says_why():
    creators = [creator("good", fee=1_000, avg_views=200_000), creator("poor", fee=50_000, avg_views=10_000)]
    outcome = _outcome(creators, [product("p", price=500, max_creators=2)], **{"campaign.budget": 100_000})
    assert set(outcome.plan["creator_id"]) == {"good"}  # "poor" would lose money
    assert any(c.startswith("¥99,000 of the budget is left unspent") for c in outcome.cautions())


def test_the_summary_gives_each_products_expected_gmv_cost_and_roi():
    creators = [creator(f"a{i}", fee=1_000, avg_views=50_000) for i in range(4)]
    outcome = _outcome(creators, [product("p", price=300, max_creators=2), product("q", price=200, max_creators=2)],
                       **{"campaign.budget": 10_000})
    by_product = outcome.summary()["expected_by_product"]
    assert set(by_product) == {"p", "q"}
    for pid, figures in by_product.items():
        rows = outcome.plan[outcome.plan["product_id"] == pid]
        assert figures["gmv"] == pytest.approx(rows["gmv"].sum(), abs=0.01)
        assert figures["roi"] == pytest.approx(rows["gmv"].sum() / rows["cost"].sum(), abs=1e-3)

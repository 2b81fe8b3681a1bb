"""The independent checker catches every kind of broken plan."""

import pandas as pd
import pytest

from matchmaker.check import check_plan
from tests.conftest import creator, make_data, product, quick_config

CREATORS = [creator("a", fee=100, max_products=1, experience_score=4.5),
            creator("b", fee=200, categories="beauty;tech", experience_score=3.0),
            creator("k", fee=1000, tier="top_kol")]
PRODUCTS = [product("p", min_creators=1, max_creators=2, max_top_kol=0, budget=250),
            product("q", category="tech", brand="C"), product("r", brand="D", min_top_kol=0)]


def violations(plan_rows, overlaps=None, **flags):
    config = quick_config(**flags)
    data = make_data(CREATORS, PRODUCTS, config, overlaps=overlaps)
    plan = pd.DataFrame(plan_rows, columns=["creator_id", "product_id"])
    return check_plan(plan, data, config)


def test_a_good_plan_passes():
    assert violations([("a", "p"), ("b", "q")]) == []


@pytest.mark.parametrize("rows, flags, fragment", [
    ([("zz", "p")], {}, "unknown creator"),
    ([("a", "p"), ("a", "p")], {}, "booked 2 times"),
    ([("a", "q")], {}, "category 'tech'"),
    ([("b", "p")], {"campaign.min_experience": 4.0}, "experience"),
    ([("a", "p"), ("b", "q")], {"campaign.budget": 250}, "above the budget"),
    ([("a", "p"), ("a", "r")], {}, "has 2 products, max 1"),
    ([("b", "q")], {}, "p: 0 creators, min 1"),
    ([("k", "p"), ("a", "p")], {}, "Top-KOLs, max 0"),
    ([("a", "p"), ("b", "p")], {}, "above its budget"),
    ([("k", "r"), ("a", "p")], {"campaign.top_kol_max_share": 0.5}, "Top-KOL spend"),
    ([("b", "p"), ("b", "r")], {"campaign.exclusivity": True}, "2 brands in category"),
    ([("k", "r")], {"campaign.budget": 3000, "campaign.max_booking_share": 0.25}, "above 25% of the budget"),
])
def test_each_broken_rule_is_reported(rows, flags, fragment):
    found = violations(rows, **flags)
    assert any(fragment in v for v in found), found


def test_overlap_violation():
    found = violations([("a", "p"), ("b", "p")], overlaps=[("a", "b", 0.9)], **{"campaign.budget": 1e6})
    assert any("share too much audience" in v for v in found)


def test_overlaps_are_recomputed_from_the_data_and_agree_with_fit():
    """The checker's scalar estimate and fit's blocked numpy estimate: written apart, equal on every pair."""
    import numpy as np

    from matchmaker.check.overlap import Overlaps
    from matchmaker.fit.overlap import estimate_overlaps

    rng = np.random.default_rng(7)
    rows = []
    for i in range(40):
        extra = {"categories": ";".join(rng.choice(["beauty", "Tech", "food", "Mom & Baby"],
                                                   size=rng.integers(1, 3), replace=False))}
        if rng.random() < 0.7:
            extra["audience_female"] = round(float(rng.random()), 2)
        if rng.random() < 0.6:
            ages = rng.dirichlet([1, 1, 1]).round(2)
            extra.update(audience_age_18_24=ages[0], audience_age_25_34=ages[1], audience_age_35_plus=ages[2])
        if rng.random() < 0.5:
            extra["audience_region"] = str(rng.choice(["华东", "华南", "north"]))
        rows.append(creator(f"c{i}", **extra))
    data = make_data(rows, [product("p")])
    blocked = estimate_overlaps(data.creators, threshold=-1.0, niche_users=200_000)  # every pair
    found = {(a, b): v for a, b, v in zip(blocked["a"], blocked["b"], blocked["overlap"])}
    ids = data.creators["creator_id"].to_numpy()
    mine = Overlaps(data, niche_users=200_000)
    every = [(a, b) for a in range(40) for b in range(a + 1, 40)]
    recomputed = [mine(ids[a], ids[b]) for a, b in every]
    np.testing.assert_allclose(recomputed, [found.get(pair, 0.0) for pair in every], rtol=1e-9, atol=1e-15)
    assert (blocked["overlap"] > 0.1).any() and len(found) == len(every)  # other niches share a little too


def test_an_estimated_overlap_above_the_limit_is_caught_without_a_conflict_list():
    # a and b share "beauty" (b also tech): 2 x 10,000 x (0.9 x 0.45 / 20,000 + 0.01 / 6e8) = 0.405, whose
    # 80% lower end (x exp(-1.28 x 0.35) = 0.639) is 0.259, above 0.2
    found = violations([("a", "p"), ("b", "p")], **{"campaign.budget": 1e6, "campaign.max_overlap": 0.2,
                                                    "campaign.niche_users": 20_000})
    assert any("share too much audience" in v and "estimated" in v for v in found), found
    kept = violations([("a", "p"), ("b", "p")], **{"campaign.budget": 1e6, "campaign.max_overlap": 0.3,
                                                   "campaign.niche_users": 20_000})
    assert not any("share too much audience" in v for v in kept), kept  # 0.405 > 0.3, but not confidently


def test_the_checker_applies_hierarchical_categories_on_its_own():
    import pandas as pd

    from matchmaker.check import check_plan

    creators = [creator("leaf", categories="护肤", max_products=2), creator("sibling", categories="美妆-彩妆")]
    config = quick_config()
    data = make_data(creators, [product("p", category="美妆-护肤"), product("q", category="个护美妆/护肤")],
                     config)
    plan = pd.DataFrame({"creator_id": ["leaf", "sibling", "leaf"], "product_id": ["p", "p", "q"]})
    found = check_plan(plan, data, config)
    assert found == ["sibling -> p: category '美妆-护肤' is not related to the creator's ['美妆-彩妆']"]

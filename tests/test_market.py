"""The simulated market (eval/market.py): a truth the prior does not know, results drawn from it, every way
of spending the budget valued by it; the oracle is never worse than the prior for the same budget."""

import numpy as np
import pandas as pd
import pytest

from matchmaker import prepare
from matchmaker.eval.market import WAYS, results_of, run_market, summarise, true_figures, world
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config


@pytest.fixture(scope="module")
def prepared():
    config = quick_config(**{"economics.objective": "gmv", "campaign.budget": 20_000})
    creators = [creator(f"d{i}", fee=1000 + 500 * (i % 4), avg_views=10_000 * (1 + i % 5),
                        categories=["美妆", "个护", "美妆;个护"][i % 3]) for i in range(24)]
    products = [product("p1", price=100, category="美妆", min_creators=2, max_creators=6),
                product("p2", price=60, category="个护", min_creators=2, max_creators=6)]
    return prepare(make_data(creators, products, config), config, HashEmbedder())


def test_every_way_spends_the_budget_and_the_oracle_is_never_worse_than_the_prior(prepared):
    rounds = run_market(prepared, range(3), share=0.2, waves=2)
    assert len(rounds) == 3 and set(WAYS) <= set(rounds.columns)
    assert (rounds["oracle"] >= rounds["prior"] - 1e-6).all()
    summary = summarise(rounds)
    assert summary["seeds"] == 3
    assert summary["learning_low"] <= summary["learning_of_oracle"] <= summary["learning_high"]
    assert 0 <= summary["range_coverage"] <= 1


def test_results_come_from_the_truth(prepared):
    truth = world(prepared, 0, post_sd=0.3)
    plan = prepared.candidates.drop_duplicates("c").head(6)
    rng = np.random.default_rng(0)
    many = pd.concat([results_of(prepared, truth, plan, rng, 0) for _ in range(300)])
    seen = many.groupby("c")[["orders", "views"]].sum()
    true = true_figures(prepared, truth, plan).set_index(plan["c"].to_numpy())
    assert (seen["orders"] / seen["views"]).to_numpy() == pytest.approx(true.loc[seen.index, "conversion"], rel=0.1)
    assert (seen["views"] / 300).to_numpy() == pytest.approx(true.loc[seen.index, "views"], rel=0.1)


def test_a_repeat_booking_sells_less(prepared):
    truth = world(prepared, 1, repeat=0.6)
    plan = prepared.candidates.head(3)
    first = true_figures(prepared, truth, plan)
    again = true_figures(prepared, truth, plan, np.ones(3, bool))
    assert again["gmv"].to_numpy() == pytest.approx(0.6 * first["gmv"].to_numpy())

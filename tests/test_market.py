"""The simulated market (eval/market.py): the oracle, knowing the true rates, is never worse in expectation
than the prior's plan for the same budget; a pilot's results come from the truth; the summary's interval
is paired over seeds."""

import numpy as np
import pandas as pd
import pytest

from matchmaker import prepare
from matchmaker.eval.market import pilot_plan, pilot_results, run_market, summarise, truth
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config


@pytest.fixture(scope="module")
def prepared():
    config = quick_config(**{"economics.objective": "gmv", "campaign.budget": 20_000})
    creators = [creator(f"d{i}", fee=1000 + 500 * (i % 4), avg_views=10_000 * (1 + i % 5),
                        categories=["美妆", "个护", "美妆;个护"][i % 3]) for i in range(24)]
    products = [product("p1", price=100, category="美妆", min_creators=2, max_creators=6),
                product("p2", price=60, category="个护", min_creators=2, max_creators=6)]
    return prepare(make_data(creators, products, config), config, HashEmbedder())


def test_the_oracle_is_never_worse_than_the_prior_under_the_truth(prepared):
    rounds = run_market(prepared, range(4), (0.1,))
    assert len(rounds) == 4
    assert (rounds["oracle_expected"] >= rounds["no_pilot_expected"] - 1e-6).all()
    # (a pilot then a scale-up may beat it: the two phases book creators twice, the oracle's one plan once)
    summary = summarise(rounds).iloc[0]
    gain = rounds["pilot"] - rounds["no_pilot"]
    assert summary["gain"] == pytest.approx(gain.mean())
    assert summary["gain_low"] < summary["gain"] < summary["gain_high"]


def test_a_pilot_reports_what_the_truth_sells(prepared):
    world = truth(prepared, 0)
    test = pilot_plan(prepared, 0.2)
    assert 0 < test["cash"].sum() <= 0.2 * 20_000
    rng = np.random.default_rng(0)
    many = pd.concat([pilot_results(prepared, world, test, rng) for _ in range(200)])
    seen = many.groupby("creator_id")[["orders", "views"]].sum()
    rate = seen["orders"] / seen["views"]
    booked = test.set_index("creator_id").loc[rate.index]  # one product each here
    expected = booked["conversion"].to_numpy() * world.conversion[booked["c"].to_numpy(int)]
    assert rate.to_numpy() == pytest.approx(expected, rel=0.1)

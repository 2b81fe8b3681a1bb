"""CP-SAT's optimum against a second solver (SCIP, bundled with OR-Tools) on small random campaigns.

The MIP below is written from the tables directly and shares no code with matchmaker's model.
"""

import numpy as np
import pytest
from ortools.linear_solver import pywraplp

from matchmaker.pipeline import run
from tests.conftest import make_data, quick_config


def random_campaign(seed: int):
    rng = np.random.default_rng(seed)
    n_c, n_p = int(rng.integers(6, 11)), int(rng.integers(2, 5))
    creators = [{"creator_id": f"c{i}", "categories": "x", "tier": "top_kol" if rng.random() < 0.3 else "alliance",
                 "fee": int(rng.integers(1, 20)) * 100, "max_products": int(rng.integers(1, 3))}
                for i in range(n_c)]
    products = []
    for j in range(n_p):
        lo = int(rng.integers(0, 2))
        products.append({"product_id": f"p{j}", "brand": f"b{rng.integers(2)}", "category": f"k{rng.integers(2)}",
                         "min_creators": lo, "max_creators": lo + int(rng.integers(1, 4)),
                         "max_top_kol": int(rng.integers(0, 3)),
                         "budget": float(rng.integers(5, 30) * 100) if rng.random() < 0.4 else None})
    pairs = [(c["creator_id"], p["product_id"], round(float(rng.uniform(0.05, 1)), 4))
             for c in creators for p in products if rng.random() < 0.7]
    ids = [c["creator_id"] for c in creators]
    overlaps = [(ids[a], ids[b], 0.9) for a in range(n_c) for b in range(a + 1, n_c) if rng.random() < 0.15]
    flags = {"campaign.budget": float(rng.integers(10, 60) * 100),
             "campaign.top_kol_max_share": float(rng.choice([1.0, 0.5])),
             "campaign.exclusivity": bool(rng.random() < 0.5)}
    return creators, products, pairs, overlaps, flags


def scip_optimum(data, config):
    """Best value from SCIP, or None when infeasible."""
    s = pywraplp.Solver.CreateSolver("SCIP")
    creators = data.creators.set_index("creator_id")
    products = data.products.set_index("product_id")
    x = {(c, p): s.BoolVar(f"x_{c}_{p}") for c, p in zip(data.pairs["creator_id"], data.pairs["product_id"])}
    value = dict(zip(zip(data.pairs["creator_id"], data.pairs["product_id"]), data.pairs["value"]))
    fee = {c: float(creators.at[c, "fee"]) for c in creators.index}
    top = {c: creators.at[c, "tier"] == "top_kol" for c in creators.index}
    camp = config.campaign
    s.Add(sum(fee[c] * v for (c, _), v in x.items()) <= camp.budget)
    share = camp.top_kol_max_share
    if share < 1:
        spend = sum(fee[c] * v for (c, _), v in x.items())
        s.Add(sum(fee[c] * v for (c, _), v in x.items() if top[c]) <= share * spend)
    for c in creators.index:
        s.Add(sum(v for (cc, _), v in x.items() if cc == c) <= int(creators.at[c, "max_products"]))
    for p, row in products.iterrows():
        mine = [(c, v) for (c, pp), v in x.items() if pp == p]
        s.Add(sum(v for _, v in mine) >= int(row["min_creators"]))
        s.Add(sum(v for _, v in mine) <= int(row["max_creators"]))
        s.Add(sum(v for c, v in mine if top[c]) <= int(row["max_top_kol"]))
        if row["budget"] == row["budget"]:
            s.Add(sum(fee[c] * v for c, v in mine) <= row["budget"])
    for a, b in zip(data.overlaps["creator_a"], data.overlaps["creator_b"]):
        for p in products.index:
            if (a, p) in x and (b, p) in x:
                s.Add(x[a, p] + x[b, p] <= 1)
    if camp.exclusivity:
        for c in creators.index:
            for k in set(products["category"]):
                brands = set(products.loc[products["category"] == k, "brand"])
                if len(brands) < 2:
                    continue
                y = {b: s.BoolVar(f"y_{c}_{k}_{b}") for b in brands}
                for (cc, p), v in x.items():
                    if cc == c and products.at[p, "category"] == k:
                        s.Add(v <= y[products.at[p, "brand"]])
                s.Add(sum(y.values()) <= 1)
    s.Maximize(sum(value[key] * v for key, v in x.items()))
    status = s.Solve()
    if status == pywraplp.Solver.INFEASIBLE:
        return None
    assert status == pywraplp.Solver.OPTIMAL
    return s.Objective().Value()


@pytest.mark.parametrize("seed", range(25))
def test_cp_sat_matches_scip(seed):
    creators, products, pairs, overlaps, flags = random_campaign(seed)
    config = quick_config(**flags)
    data = make_data(creators, products, config, pairs=pairs, overlaps=overlaps)
    outcome = run(data, config)
    expected = scip_optimum(data, config)
    if expected is None:
        assert outcome.result.status == "infeasible"
    else:
        assert outcome.result.status == "optimal"
        assert outcome.result.objective == pytest.approx(expected, abs=1e-6)
        assert outcome.result.objective >= outcome.result.greedy_value - 1e-9

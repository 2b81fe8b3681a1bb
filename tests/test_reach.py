"""The reach objective counts a product's shared audience once: two creators of one product whose audiences
overlap (below max_overlap) lose overlap x the smaller views. In the model, the LP bound, greedy and the
plan's value alike."""

import numpy as np
import pytest
from ortools.sat.python import cp_model

from matchmaker import prepare, solve
from matchmaker.plan.constraints import VALUE_SCALE, build_model
from matchmaker.plan.greedy import greedy
from matchmaker.plan.relax import relax
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config


def reached(creators, overlaps, max_creators=2, **flags):
    config = quick_config(**{"economics.objective": "reach", "campaign.max_overlap": 0.3, **flags})
    data = make_data(creators, [product("p", price=100, max_creators=max_creators)], config, overlaps=overlaps)
    return solve(prepare(data, config, HashEmbedder()))


def test_a_shared_audience_is_counted_once():
    creators = [creator("a", fee=100, avg_views=100_000), creator("b", fee=100, avg_views=90_000),
                creator("c", fee=100, avg_views=70_000)]
    out = reached(creators, [("a", "b", 0.25)])
    # a + b reach 190,000 - 0.25 x 90,000 = 167,500; a + c reach 170,000
    assert sorted(out.plan["creator_id"]) == ["a", "c"] and out.result.status == "optimal"
    assert out.result.objective == pytest.approx(170_000)
    inst = out.instance
    both = np.nonzero(np.isin(inst.pair_c, [0, 1]))[0]
    assert inst.plan_value(both) == pytest.approx(167_500) and len(inst.penalty_w) == 1
    chosen, feasible = greedy(inst)
    assert feasible and inst.plan_value(chosen) == pytest.approx(170_000)  # greedy weighs b at 67,500, c at 70,000
    assert out.violations() == []
    apart = reached(creators, [("a", "b", 0.05)])  # a small overlap: a + b reach 185,500
    assert sorted(apart.plan["creator_id"]) == ["a", "b"]


def test_the_lp_bound_holds_with_shared_audiences():
    rng = np.random.default_rng(3)
    creators = [creator(f"c{i}", fee=int(rng.integers(1, 6)) * 100, avg_views=int(rng.integers(10, 100)) * 1000)
                for i in range(12)]
    overlaps = [(f"c{a}", f"c{b}", float(rng.choice([0.05, 0.15, 0.25, 0.5])))
                for a in range(12) for b in range(a + 1, 12) if rng.random() < 0.5]
    out = reached(creators, overlaps, max_creators=6, **{"campaign.budget": 1500})
    inst = out.instance
    assert len(inst.penalty_w) > 5
    model, _ = build_model(inst)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    best = solver.objective_value / VALUE_SCALE
    assert out.result.objective == pytest.approx(best, abs=1e-3)
    lp = relax(inst)
    assert lp.status == "optimal" and lp.bound >= best - 1e-6
    assert out.violations() == []


def test_large_campaigns_keep_the_largest_shared_audiences_or_say_they_count_them_twice(monkeypatch):
    from matchmaker import pipeline
    from matchmaker.plan import instance

    creators = [creator("a", fee=100, avg_views=100_000), creator("b", fee=100, avg_views=90_000),
                creator("c", fee=100, avg_views=70_000)]
    monkeypatch.setattr(instance, "MAX_PENALTIES", 1)
    capped = reached(creators, [("a", "b", 0.25), ("a", "c", 0.05)], max_creators=3)
    assert capped.instance.penalty_w.tolist() == [0.25 * 90_000]  # the larger of the two kept
    monkeypatch.setattr(pipeline, "SHARED_MAX_CREATORS", 2)
    big = reached(creators, [("a", "b", 0.25)])
    assert len(big.instance.penalty_w) == 0 and sorted(big.plan["creator_id"]) == ["a", "b"]
    assert any("are counted twice" in str(note) for note in big.notes)
    assert big.summary()["shared_audience"] == "counted twice"
    monkeypatch.undo()
    assert reached(creators, [("a", "b", 0.25)]).summary()["shared_audience"] == "counted once"

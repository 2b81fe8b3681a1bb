"""Properties on random small campaigns (hypothesis): every plan passes the independent checker, greedy
never breaks a rule, the plan is never below greedy, and each rule's check agrees with its constraint
(rule -> constraint -> check, one to one) on random plans, so a plan with one rule broken is rejected."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from matchmaker.check import CHECKS, check_plan
from matchmaker.check.rules import Booked
from matchmaker.inputs.validate import validate_deals
from matchmaker.pipeline import prepare, run
from matchmaker.plan.constraints import CONSTRAINTS, no_gate
from matchmaker.plan.greedy import greedy
from matchmaker.plan.instance import build_instance
from tests.conftest import creator, make_data, product, quick_config

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def campaigns(draw):
    """(data, config): 1-6 creators, 1-3 products, a pairs table, an overlaps table, random rules."""
    n_c, n_p = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    creators = [creator(f"c{i}", fee=draw(st.sampled_from([100, 200, 300, 500, 1000])),
                        tier=draw(st.sampled_from(["alliance", "top_kol"])),
                        max_products=draw(st.integers(1, 2)), categories=draw(st.sampled_from(["a", "b", "a;b"])),
                        followers=draw(st.sampled_from([10_000, 100_000, 1_000_000])),
                        commission_rate=draw(st.sampled_from([None, 0.1, 0.3])))
                for i in range(n_c)]
    products = []
    for j in range(n_p):
        low, low_top = draw(st.integers(0, 2)), draw(st.integers(0, 1))
        high = draw(st.one_of(st.none(), st.integers(max(low, low_top, 1), 3)))
        high_top = draw(st.one_of(st.none(), st.integers(low_top, 2)))
        products.append(product(f"p{j}", category=draw(st.sampled_from(["a", "b"])),
                                brand=draw(st.sampled_from(["X", "Y"])), min_creators=low, max_creators=high,
                                min_top_kol=low_top, max_top_kol=high_top,
                                budget=draw(st.one_of(st.none(), st.sampled_from([300, 800, 2000]))),
                                price=draw(st.sampled_from([50, 200, 1000]))))
    pairs = [(f"c{i}", f"p{j}", draw(st.integers(1, 100)) / 100)
             for i in range(n_c) for j in range(n_p) if draw(st.booleans())]
    overlaps = [(f"c{a}", f"c{b}", draw(st.sampled_from([0.1, 0.5, 0.9])))
                for a in range(n_c) for b in range(a + 1, n_c) if draw(st.booleans())]
    config = quick_config(**{
        "campaign.budget": draw(st.sampled_from([0, 300, 800, 2000, 1_000_000])),
        "campaign.top_kol_max_share": draw(st.sampled_from([0.25, 0.3334, 0.5, 0.6667, 1.0])),
        "campaign.exclusivity": draw(st.booleans()),
        "campaign.max_overlap": draw(st.sampled_from([0.3, 0.6])),
        "campaign.min_roi": draw(st.sampled_from([0.0, 0.0, 0.5, 2.0])),
        "campaign.max_cpm": draw(st.sampled_from([0.0, 0.0, 10.0, 60.0])),
        "campaign.max_commission": draw(st.sampled_from([0.0, 0.0, 100.0, 1000.0])),
        "solver.time_limit": 5.0})
    data = make_data(creators, products, config, pairs=pairs, overlaps=overlaps)
    deals = [(f"c{i}", f"p{j}", draw(st.sampled_from([50, 400, 900])), draw(st.sampled_from(["", "纯佣", "一口价"])))
             for i in range(n_c) for j in range(n_p) if draw(st.integers(0, 4)) == 0]
    if deals:  # a pair's own terms, over its creator's
        frame = pd.DataFrame(deals, columns=["creator_id", "product_id", "fee", "pricing"])
        data = data.replace(deals=validate_deals(frame, "deals.csv", data))
    # locks: a booking, or a creator for any product ("")
    locks = [(f"c{i}", draw(st.sampled_from(["", *(f"p{j}" for j in range(n_p))])))
             for i in range(n_c) if draw(st.integers(0, 5)) == 0]
    if locks:
        data = data.replace(locks=pd.DataFrame(locks, columns=["creator_id", "product_id"]).drop_duplicates())
    return data, config


def bookings(candidates: pd.DataFrame, picked) -> pd.DataFrame:
    return candidates.iloc[list(picked)][["creator_id", "product_id", "gmv", "commission", "views"]]


@SETTINGS
@given(campaigns())
def test_every_plan_passes_the_checker_and_is_never_below_greedy(campaign):
    data, config = campaign
    out = run(data, config)
    if out.result.has_plan:
        assert out.violations() == []
    if out.result.greedy_feasible:  # a feasible greedy plan exists, so there is a plan, at least as good
        assert out.result.has_plan and out.result.status != "infeasible"
        assert out.result.objective >= out.result.greedy_value - 1e-9


@SETTINGS
@given(campaigns())
def test_greedy_never_breaks_a_rule(campaign):
    data, config = campaign
    prepared = prepare(data, config)
    inst = build_instance(data, prepared.candidates, prepared.conflicts, config)
    picked, feasible = greedy(inst)
    plan = bookings(prepared.candidates, picked)
    if feasible:
        assert check_plan(plan, data, config) == []
    else:  # it may miss a minimum (or the share cap its minimums forced), never anything else
        broken = check_plan(plan, data, config)
        assert all(", min " in v or "Top-KOL spend" in v or v.startswith("expected ") or "is locked" in v
                   for v in broken), broken


def test_each_constraint_has_its_check_in_the_same_order():
    assert [f.__name__.removeprefix("add_") for f in CONSTRAINTS] == \
           [f.__name__.removeprefix("check_") for f in CHECKS]


def model_accepts(add, inst, plan_mask) -> bool:
    """Does the model with only this constraint family accept the plan (x fixed to it)?"""
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(inst.n_pairs)]
    add(model, x, inst, no_gate)
    for var, on in zip(x, plan_mask):
        model.add(var == int(on))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@settings(SETTINGS, max_examples=200)
@given(campaigns(), st.data())
def test_each_check_agrees_with_its_constraint_on_random_plans(campaign, draw):
    data, config = campaign
    prepared = prepare(data, config)
    inst = build_instance(data, prepared.candidates, prepared.conflicts, config)
    mask = [draw.draw(st.booleans()) for _ in range(inst.n_pairs)]
    booked = Booked(bookings(prepared.candidates, [i for i, on in enumerate(mask) if on]), data, config)
    for add, check in zip(CONSTRAINTS, CHECKS):
        found = check(booked)
        assert model_accepts(add, inst, mask) == (found == []), (add.__name__, found)


@settings(SETTINGS, max_examples=60)
@given(st.lists(st.integers(1, 10**9), min_size=2, max_size=8), st.lists(st.booleans(), min_size=8, max_size=8),
       st.floats(0.01, 0.99), st.integers(0, 10**10))
def test_random_caps_and_fees_never_give_a_plan_the_checker_rejects(fees, tops, share, budget):
    """Any share cap (not only multiples of 0.001) and fees up to the maximum: the model is never looser
    than the rule, and no number overflows the solver."""
    creators = [creator(f"c{i}", fee=fee, tier="top_kol" if tops[i] else "alliance") for i, fee in enumerate(fees)]
    config = quick_config(**{"campaign.top_kol_max_share": share, "campaign.budget": float(budget),
                             "solver.time_limit": 5.0})
    data = make_data(creators, [product("p"), product("q", brand="C")], config,
                     pairs=[(f"c{i}", p, 0.5 + 0.01 * i) for i in range(len(fees)) for p in ("p", "q")])
    out = run(data, config)
    assert out.result.status in ("optimal", "feasible")
    assert out.violations() == [] and out.result.objective >= out.result.greedy_value - 1e-9


@SETTINGS
@given(st.lists(st.floats(0, 1e7), min_size=1, max_size=12), st.data())
def test_unique_reach_lies_between_the_largest_audience_and_the_sum(followers, draw):
    import numpy as np

    from matchmaker.fit.overlap import unique_reach

    n = len(followers)
    rows = [(a, b, draw.draw(st.floats(0, 1))) for a in range(n) for b in range(a + 1, n) if draw.draw(st.booleans())]
    pairs = pd.DataFrame(rows, columns=["a", "b", "overlap"])
    reach = unique_reach(np.array(followers), pairs)
    assert max(followers) - 1e-6 <= reach <= sum(followers) + 1e-6

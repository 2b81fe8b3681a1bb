"""HiGHS's MIP, the portfolio's second exact solver: the same optimum as CP-SAT on small campaigns, plans
that keep every rule (checked independently), and a rule check that refuses a plan breaking any rule."""

from __future__ import annotations

import numpy as np
import pytest

from matchmaker.check import check_plan
from matchmaker.config import SolverParams
from matchmaker.eval.synthetic import synthetic_problem
from matchmaker.pipeline import prepare
from matchmaker.plan import solve
from matchmaker.plan.instance import build_instance
from matchmaker.plan.mip import feasible, solve_mip
from matchmaker.plan.solve import solve_instance

CASES = [(60, 4, 0, {}), (80, 5, 1, {"exclusivity": False}), (50, 3, 1, {"exclusivity": True}),
         (70, 4, 2, {"top_kol_max_share": 0.5})]


def prepared(n_creators, n_products, seed, campaign):
    data, config = synthetic_problem(n_creators, n_products, seed=seed, n_categories=3, conflict_rate=0.05)
    config = config.override(**{f"campaign.{k}": v for k, v in campaign.items()})
    prep = prepare(data, config)
    return prep, build_instance(prep.data, prep.candidates, prep.conflicts, config)


@pytest.mark.parametrize("n_creators, n_products, seed, campaign", CASES)
def test_highs_proves_the_optimum_cp_sat_proves(n_creators, n_products, seed, campaign):
    prep, inst = prepared(n_creators, n_products, seed, campaign)
    exact = solve_instance(inst, SolverParams(time_limit=30, workers=1, highs=False))
    mip = solve_mip(inst, 30, lambda: False)
    assert mip.optimal and mip.chosen is not None
    value = float(inst.value[mip.chosen].sum())
    if exact.status == "optimal":
        assert value == pytest.approx(exact.objective, rel=1e-5)
    assert mip.bound >= max(value, exact.objective) - 1e-6 * abs(mip.bound)
    assert check_plan(prep.candidates.iloc[mip.chosen], prep.data, prep.config) == []


def test_the_portfolio_keeps_the_better_plan_and_says_whose(monkeypatch):
    prep, inst = prepared(60, 4, 0, {})
    calls = []
    real = solve.solve_mip

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(solve, "solve_mip", spy)
    result = solve_instance(inst, SolverParams(time_limit=30, workers=2, highs=True))
    assert calls and result.status == "optimal" and result.source in ("cp-sat", "highs")
    alone = solve_instance(inst, SolverParams(time_limit=30, workers=2, highs=False))
    assert result.objective == pytest.approx(alone.objective, rel=1e-5)
    assert check_plan(prep.candidates.iloc[result.chosen], prep.data, prep.config) == []
    calls.clear()
    solve_instance(inst, SolverParams(time_limit=30, workers=1, highs=True))  # one worker: deterministic, CP-SAT alone
    assert not calls


def test_a_plan_that_breaks_any_rule_is_refused():
    _, inst = prepared(70, 4, 2, {"top_kol_max_share": 0.5})
    mip = solve_mip(inst, 30, lambda: False)
    assert feasible(inst, mip.chosen)
    rng = np.random.default_rng(0)
    unbooked = np.setdiff1d(np.arange(inst.n_pairs), mip.chosen)
    refused = 0
    for i in rng.choice(unbooked, 20, replace=False):  # the plan is optimal: adding a pair breaks a rule,
        more = np.append(mip.chosen, i)                 # or it would have been worth booking (values > 0)
        refused += not feasible(inst, more)
    assert refused == 20
    p = int(np.argmax(inst.prod_min))  # a product with a minimum, none of its bookings left: refused
    assert inst.prod_min[p] > 0 and not feasible(inst, mip.chosen[inst.pair_p[mip.chosen] != p])

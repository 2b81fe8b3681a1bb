"""The LP bound and pruning: the bound is never below the optimum, equals the LP a second solver (GLOP,
built here row by row) finds, its reduced costs are true bounds, and a pruned search proves the same
optimum as the full one, with pruned pairs coming back when they could improve the plan."""

from __future__ import annotations

import math

import numpy as np
import pytest
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from matchmaker.config import SolverParams
from matchmaker.eval.synthetic import synthetic_problem
from matchmaker.pipeline import prepare
from matchmaker.plan import prune, solve
from matchmaker.plan.constraints import MONEY_SCALE, build_model, to_int
from matchmaker.plan.instance import NO_LIMIT, build_instance
from matchmaker.plan.relax import BROKEN, EPS, relax
from matchmaker.plan.solve import solve_instance


def instance(n_creators: int, n_products: int, seed: int, **campaign):
    data, config = synthetic_problem(n_creators, n_products, seed=seed, n_categories=3, conflict_rate=0.05)
    config = config.override(**{f"campaign.{k}": v for k, v in campaign.items()})
    prep = prepare(data, config)
    return build_instance(prep.data, prep.candidates, prep.conflicts, config)


def glop_value(inst) -> float:
    """The LP relaxation written plainly, one row at a time, solved by GLOP: a second opinion."""
    s = pywraplp.Solver.CreateSolver("GLOP")
    x = [s.NumVar(0, 1, "") for _ in range(inst.n_pairs)]
    fee = to_int(inst.fee[inst.pair_c], MONEY_SCALE).astype(float)
    s.Add(sum(fee[i] * x[i] for i in range(inst.n_pairs)) <= min(inst.budget * MONEY_SCALE, fee.sum()))
    for c in set(inst.pair_c):
        s.Add(sum(x[i] for i in np.nonzero(inst.pair_c == c)[0]) <= inst.capacity[c])
    for p in range(len(inst.prod_min)):
        mine = np.nonzero(inst.pair_p == p)[0]
        tops = [i for i in mine if inst.top[inst.pair_c[i]]]
        s.Add(sum(x[i] for i in mine) >= int(inst.prod_min[p]))
        s.Add(sum(x[i] for i in tops) >= int(inst.prod_min_top[p]))
        if inst.prod_max[p] != NO_LIMIT:
            s.Add(sum(x[i] for i in mine) <= int(inst.prod_max[p]))
        if not math.isnan(inst.prod_budget[p]):
            s.Add(sum(fee[i] * x[i] for i in mine) <= min(inst.prod_budget[p] * MONEY_SCALE, fee[mine].sum()))
    where = {(c, p): i for i, (c, p) in enumerate(zip(inst.pair_c, inst.pair_p))}
    for a, b in inst.conflicts:
        for p in range(len(inst.prod_min)):
            if (a, p) in where and (b, p) in where:
                s.Add(x[where[a, p]] + x[where[b, p]] <= 1)
    if inst.exclusivity:
        for c in set(inst.pair_c):
            mine = np.nonzero(inst.pair_c == c)[0]
            for k in set(inst.prod_category[inst.pair_p[mine]]):
                in_k = [i for i in mine if inst.prod_category[inst.pair_p[i]] == k]
                brands = sorted(set(inst.prod_brand[inst.pair_p[in_k]]))
                if len(brands) > 1:
                    y = {b: s.NumVar(0, 1, "") for b in brands}
                    for i in in_k:
                        s.Add(x[i] <= y[inst.prod_brand[inst.pair_p[i]]])
                    s.Add(sum(y.values()) <= 1)
    for rule in inst.rules:  # the money rules in the model's own integers (their rounding is the model's)
        s.Add(sum(float(rule.coef[i]) * x[i] for i in range(inst.n_pairs)) <= rule.rhs)
    s.Maximize(sum(inst.value[i] * x[i] for i in range(inst.n_pairs)))
    assert s.Solve() == pywraplp.Solver.OPTIMAL
    return s.Objective().Value()


def optimum(inst, forced: int | None = None, proved: bool = True) -> float | None:
    """The best plan's value (None when there is none); with proved=False, the best found in 20 s."""
    model, x = build_model(inst)
    if forced is not None:
        model.add(x[forced] == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20.0
    code = solver.solve(model)
    if code == cp_model.INFEASIBLE:
        return None
    assert code == cp_model.OPTIMAL or (not proved and code == cp_model.FEASIBLE)
    return float(inst.value[[i for i, v in enumerate(x) if solver.boolean_value(v)]].sum())


CASES = [(60, 4, 0, {}), (80, 5, 1, {"exclusivity": False}), (50, 3, 1, {"exclusivity": True}),
         (70, 4, 2, {"top_kol_max_share": 0.5}), (60, 4, 3, {"max_cpm": 450.0})]


@pytest.mark.parametrize("n_creators, n_products, seed, campaign", CASES)
def test_the_lp_bound_is_the_lp_optimum_and_never_below_the_integer_optimum(n_creators, n_products, seed,
                                                                            campaign):
    inst = instance(n_creators, n_products, seed, **campaign)
    lp = relax(inst)
    assert lp.status == "optimal"
    exact = glop_value(inst)
    print(f"LP bound {lp.bound:.6f}, GLOP {exact:.6f}, {lp.bound / exact - 1:.2e} above")
    assert exact - 1e-9 <= lp.bound <= exact * (1 + 2 * EPS)  # a dual bound: never below, within PDLP's tolerance
    best = optimum(inst, proved=False)  # the Top-KOL share case is slow to prove: its best plan found will do
    assert best is not None and lp.bound >= best - 1e-9


def test_reduced_costs_bound_every_plan_that_books_the_pair():
    inst = instance(60, 4, 0)
    lp = relax(inst)
    rng = np.random.default_rng(0)
    for i in rng.choice(np.nonzero(lp.reduced > 1e-6)[0], 6, replace=False):
        forced = optimum(inst, int(i))
        assert forced is None or forced <= lp.bound - lp.reduced[i] + 1e-6


def test_conflict_rows_are_generated_until_none_is_broken():
    inst = instance(120, 4, 6)
    lp = relax(inst)
    assert lp.status == "optimal" and len(inst.conflicts) > 0
    # the overlap rows of the final LP: far fewer than every conflicting pair on a shared product
    from matchmaker.plan.relax import system

    base = system(inst)[0].shape[0]
    clash = inst.conflict_pairs()
    assert 0 < lp.rows - base < len(clash)
    assert (lp.x[clash[:, 0]] + lp.x[clash[:, 1]] <= 1 + BROKEN).all()


def pruned(monkeypatch, per_product: int):
    monkeypatch.setattr(solve, "PRUNE_ABOVE", 0)
    monkeypatch.setattr(prune, "MIN_PER_PRODUCT", per_product)
    monkeypatch.setattr(prune, "per_product", lambda inst: np.full(len(inst.prod_min), per_product))


@pytest.mark.parametrize("n_creators, n_products, seed, campaign", CASES[:3])
def test_a_pruned_search_proves_the_full_optimum(monkeypatch, n_creators, n_products, seed, campaign):
    inst = instance(n_creators, n_products, seed, **campaign)
    full = optimum(inst)
    pruned(monkeypatch, 8)
    result = solve_instance(inst, SolverParams(time_limit=30, workers=1))
    assert result.objective == pytest.approx(full, abs=1e-6)
    assert result.bound >= full - 1e-9
    assert result.searched_pairs <= inst.n_pairs


def test_a_pruned_pair_that_could_improve_the_plan_comes_back(monkeypatch):
    inst = instance(60, 4, 0)  # greedy 25.53, the best plan 27.38
    full = optimum(inst)
    assert full is not None
    pruned(monkeypatch, 1)  # one pair a product by each ranking: far too few for the best plan
    seen = []
    search = solve._search

    def spy(inst_, keep, *args):
        seen.append(int(keep.sum()))
        return search(inst_, keep, *args)

    monkeypatch.setattr(solve, "_search", spy)
    monkeypatch.setattr(prune, "keep_pairs", lambda inst_, relaxation, hint: _few(inst_, hint))
    monkeypatch.setattr(solve, "keep_pairs", lambda inst_, relaxation, hint: _few(inst_, hint))
    result = solve_instance(inst, SolverParams(time_limit=30, workers=1))
    assert len(seen) >= 2 and seen[1] > seen[0]  # pairs came back for another round
    assert all(later <= 2 * earlier for earlier, later in zip(seen, seen[1:]))  # the most promising, a round at a time
    assert result.objective == pytest.approx(full, abs=1e-6) and result.status == "optimal"
    assert result.bound_from == "cp-sat"


def _few(inst, hint) -> np.ndarray:
    keep = np.zeros(inst.n_pairs, dtype=bool)
    keep[hint] = True
    return keep


@pytest.mark.parametrize("n_creators, n_products, seed, campaign", CASES)
def test_lp_rounding_gives_a_plan_the_checker_accepts(n_creators, n_products, seed, campaign):
    from matchmaker.check import check_plan
    from matchmaker.plan.greedy import lp_rounding

    data, config = synthetic_problem(n_creators, n_products, seed=seed, n_categories=3, conflict_rate=0.05)
    config = config.override(**{f"campaign.{k}": v for k, v in campaign.items()})
    prep = prepare(data, config)
    inst = build_instance(prep.data, prep.candidates, prep.conflicts, config)
    lp = relax(inst)
    plan, ok = lp_rounding(inst, lp.x)
    assert ok and len(plan) and check_plan(prep.candidates.iloc[plan], data, config) == []
    assert float(inst.value[plan].sum()) <= lp.bound + 1e-9


def test_lp_rounding_of_an_integral_lp_solution_is_that_plan():
    from matchmaker.plan.greedy import lp_rounding

    inst = instance(60, 4, 0)
    best = optimum(inst)
    exact = np.zeros(inst.n_pairs)
    model, x = build_model(inst)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    exact[[i for i, var in enumerate(x) if solver.boolean_value(var)]] = 1.0
    plan, ok = lp_rounding(inst, exact)  # a 0/1 "LP solution": rounding keeps exactly its pairs
    assert ok and float(inst.value[plan].sum()) == pytest.approx(best, abs=1e-6)
    assert set(plan) == set(np.nonzero(exact)[0])


def test_any_dual_gives_a_bound_so_a_stopped_lp_still_bounds():
    """Weak duality, the reason a PDLP round stopped by the time limit still proves a bound: every y,
    however far from optimal, bounds the LP optimum (and so every plan)."""
    from matchmaker.plan.relax import dual_bound, system

    inst = instance(60, 4, 0)
    a, b, c = system(inst)
    exact = glop_value(inst)
    rng = np.random.default_rng(0)
    assert dual_bound(a, b, c, np.zeros(len(b)))[0] == pytest.approx(inst.value.clip(0).sum())
    for scale in (1e-9, 1e-6, 1e-3, 1.0):
        for _ in range(5):
            y = rng.exponential(scale, len(b)) * (rng.random(len(b)) < 0.5) - 0.1 * rng.random(len(b))
            found, reduced = dual_bound(a, b, c, y)
            assert found >= exact - 1e-9 and (reduced >= 0).all()
    polls = iter([False] + [True] * 1000)  # interrupted as soon as the first round starts
    lp = relax(inst, stop=lambda: next(polls))
    assert lp.solved and lp.bound >= exact - 1e-9 and lp.status in ("partial", "optimal")


def test_conflict_pairs_among_some_pairs_are_the_full_list_restricted_to_them():
    """The LP's overlap-row oracle (conflicts among the pairs its solution uses) against the full list,
    and the full list against the creator-level conflicts written out by hand."""
    inst = instance(120, 4, 6)
    full = inst.conflict_pairs()
    linked = {tuple(sorted(ab)) for ab in inst.conflicts.tolist()}
    by_hand = sorted((i, j) for i in range(inst.n_pairs) for j in range(i + 1, inst.n_pairs)
                     if inst.pair_p[i] == inst.pair_p[j] and tuple(sorted((inst.pair_c[i], inst.pair_c[j]))) in linked)
    assert len(full) > 0 and full.tolist() == [list(ij) for ij in by_hand]
    for c in range(len(inst.fee)):  # greedy's overlap look-up: the same graph
        expected = {b for a, b in linked if a == c} | {a for a, b in linked if b == c}
        assert sorted(inst.neighbours(c).tolist()) == sorted(expected)
    rng = np.random.default_rng(1)
    for share in (0.0, 0.1, 0.5, 1.0):
        among = rng.random(inst.n_pairs) < share
        expected = full[among[full[:, 0]] & among[full[:, 1]]]
        assert inst.conflict_pairs(among).tolist() == expected.tolist()


def test_a_pruned_search_cut_short_by_the_deadline_keeps_its_plan(monkeypatch):
    """A pruned round ends after the deadline (CP-SAT overruns its limit a little on big models) while
    pruned pairs could still improve the plan: the round's plan is kept and the loop ends, no error."""
    import time

    inst = instance(60, 4, 0)
    pruned(monkeypatch, 1)
    search = solve._search

    def late(inst_, keep, hint, params, deadline, *args):
        found = search(inst_, keep, hint, params, deadline, *args)
        time.sleep(max(0.0, deadline - time.perf_counter()) + 0.05)
        return found

    monkeypatch.setattr(solve, "_search", late)
    result = solve_instance(inst, SolverParams(time_limit=3, workers=1))
    assert result.has_plan and result.objective >= result.greedy_value - 1e-9 and result.status == "feasible"


def test_an_interrupted_lp_answers_at_once_with_a_bound_that_holds():
    """A stop request during a PDLP round interrupts it (MathOpt releases the GIL and polls stop()), and
    the dual in hand still bounds the LP optimum."""
    import time

    data, config = synthetic_problem(3000, 50, seed=0)
    prep = prepare(data, config)
    inst = build_instance(prep.data, prep.candidates, prep.conflicts, config)
    full = relax(inst, time_limit=120)
    began = time.perf_counter()
    lp = relax(inst, time_limit=120, stop=lambda: time.perf_counter() - began > 0.3)
    took = time.perf_counter() - began
    print(f"full LP {full.seconds:.1f} s, interrupted after {took:.2f} s")
    assert took < min(2.0, full.seconds / 2), (full.seconds, took)  # it would have run on; it did not
    assert lp.status != "optimal"
    if lp.solved:
        assert lp.bound >= full.bound * (1 - 2 * EPS)


def pooled(inst, keep: np.ndarray):
    """`inst` with only the pairs in `keep` searchable and the rest left out of the pool, as prepare makes it
    on a very large campaign: conflicts known only among the pool's creators, the rest counted in the bound."""
    from dataclasses import replace

    present = np.zeros(len(inst.fee), dtype=bool)
    present[inst.pair_c[keep]] = True
    links = inst.conflicts[present[inst.conflicts[:, 0]] & present[inst.conflicts[:, 1]]]
    rules = tuple(replace(rule, coef=rule.coef[keep], outside=rule.coef[~keep]) for rule in inst.rules)
    return replace(inst.subset(keep), conflicts=links, outside_c=inst.pair_c[~keep].astype(np.int32),
                   outside_p=inst.pair_p[~keep].astype(np.int32), outside_value=inst.value[~keep], rules=rules)


@pytest.mark.parametrize("n_creators, n_products, seed, campaign", CASES)
def test_a_pools_bound_holds_for_every_eligible_pair(n_creators, n_products, seed, campaign):
    inst = instance(n_creators, n_products, seed, **campaign)
    keep = prune._best_per_product(inst, inst.prod_min + 3)  # enough for the minimums, not for every pair
    assert 0 < keep.sum() < inst.n_pairs
    small = pooled(inst, keep)
    lp = relax(small)
    full_lp, full = glop_value(inst), optimum(inst, proved=False)
    inside = relax(inst.subset(keep)).bound  # the pool alone, its outside ignored
    print(f"pool bound {lp.bound:.6f}, full LP {full_lp:.6f}, pool-only bound {inside:.6f}")
    assert lp.bound >= full_lp - 1e-9 and lp.bound >= full - 1e-9
    assert lp.bound >= inside - 1e-9
    result = solve_instance(small, SolverParams(time_limit=20, workers=1))
    assert result.objective <= full + 1e-9 <= result.bound + 2e-9
    assert set(result.chosen) <= set(range(small.n_pairs))  # only pool pairs are ever booked


def test_a_valuable_pair_left_out_of_the_pool_keeps_the_gap_open():
    inst = instance(60, 4, 0)
    full = optimum(inst)
    best = np.argmax(inst.value * (inst.prod_max[inst.pair_p] != 0))  # the most valuable pair, left out
    keep = prune._best_per_product(inst, inst.prod_min + 4)
    keep[best] = False
    small = pooled(inst, keep)
    result = solve_instance(small, SolverParams(time_limit=20, workers=1))
    pool_best = optimum(inst.subset(keep))
    assert result.objective == pytest.approx(pool_best, abs=1e-6)
    assert result.bound >= full - 1e-9  # the bound still covers the left-out pair
    if full > pool_best + 1e-6:  # the pool's optimum is not the campaign's: never called optimal
        assert result.status != "optimal" and result.bound_from == "lp" and result.gap > 0


def test_a_pool_keeps_the_best_pairs_and_leaves_out_the_rest(monkeypatch):
    inst = instance(200, 4, 3)
    monkeypatch.setattr(prune, "POOL_ABOVE", 0)
    monkeypatch.setattr(prune, "POOL_MIN", 5)
    monkeypatch.setattr(prune, "POOL_FACTOR", 0)
    keep = prune.pool(inst)
    assert 0 < keep.sum() < inst.n_pairs
    for p in range(len(inst.prod_min)):
        mine = inst.pair_p == p
        kept = inst.value[mine & keep]
        assert inst.value[mine & ~keep].max() <= np.sort(kept)[-5] + 1e-12  # the 5 best by value are in
        per_yuan = inst.per_yuan
        assert per_yuan[mine & ~keep].max() <= np.sort(per_yuan[mine & keep])[-5] + 1e-12
    monkeypatch.setattr(prune, "POOL_ABOVE", inst.n_pairs)
    assert prune.pool(inst).all()  # below the threshold every pair is in

"""solve_instance: greedy first, CP-SAT seeded with it, the best plan kept; statuses, the plan's source
and the proved bound told truthfully, also when the search is cut short."""

import math

import numpy as np
import pytest
from ortools.sat.python import cp_model

import matchmaker.plan.solve as solve_module
from matchmaker.config import SolverParams
from matchmaker.plan.result import PlanSource, Status, relative_gap
from matchmaker.plan.solve import solve_instance
from tests.conftest import tiny_instance

PARAMS = SolverParams(time_limit=10.0, workers=1)
# budget 300: c0 alone (0.9) or c1 + c2 (0.5 + 0.5); the optimum is 1.0
KNAPSACK = dict(pairs=[(0, 0, 0.9), (1, 0, 0.5), (2, 0, 0.5)], fees=[300, 150, 150], budget=300)


def patch_solver(monkeypatch, **parameters):
    real = solve_module.solver_parameters

    def patched(params):
        solver = real(params)
        for name, value in parameters.items():
            setattr(solver.parameters, name, value)
        return solver

    monkeypatch.setattr(solve_module, "solver_parameters", patched)


def test_optimal_plan_from_cp_sat_with_its_bound():
    result = solve_instance(tiny_instance(**KNAPSACK), PARAMS)
    assert result.status is Status.OPTIMAL and result.source is PlanSource.CP_SAT and result.has_plan
    assert sorted(result.chosen) == [1, 2]
    assert result.objective == pytest.approx(1.0) and result.bound == pytest.approx(1.0) and result.gap == 0


def test_cp_sat_improves_on_greedy():
    # budget 10: both greedy passes (by value per yuan, by value) take c0 first and then nothing fits
    inst = tiny_instance([(0, 0, 0.7), (1, 0, 0.5), (2, 0, 0.5)], [6, 5, 5], budget=10)
    result = solve_instance(inst, PARAMS)
    assert result.greedy_feasible and result.greedy_value == pytest.approx(0.7)
    assert result.objective == pytest.approx(1.0) and sorted(result.chosen) == [1, 2]
    assert result.source is PlanSource.CP_SAT and result.status is Status.OPTIMAL


def test_proved_infeasible_keeps_no_plan():
    result = solve_instance(tiny_instance([(0, 0, 0.5)], [100], prod_min=[2]), PARAMS)
    assert result.status is Status.INFEASIBLE and result.source is PlanSource.NONE and not result.has_plan
    assert len(result.chosen) == 0


def test_time_limit_before_any_solution_keeps_greedy_and_proves_no_bound(monkeypatch):
    patch_solver(monkeypatch, max_time_in_seconds=1e-9)
    result = solve_instance(tiny_instance(**KNAPSACK), PARAMS)
    assert result.status is Status.FEASIBLE and result.source is PlanSource.GREEDY
    assert result.objective == result.greedy_value == pytest.approx(1.0)
    # CP-SAT reports a bound of 0 when it stops without a solution: it proved nothing, so the gap is
    # unknown, never the plan's own value as its bound (a false "gap 0")
    assert math.isnan(result.bound) and math.isnan(result.gap)


def test_time_limit_without_any_plan_says_so(monkeypatch):
    patch_solver(monkeypatch, max_time_in_seconds=1e-9)
    # greedy gives c0 (best value) to p0, and p1, which only c0 can take, misses its minimum
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.5), (0, 1, 0.1)], [100, 100], n_products=2, prod_min=[1, 1])
    result = solve_instance(inst, PARAMS)
    assert not result.greedy_feasible and result.status is Status.NO_PLAN_IN_TIME
    assert result.source is PlanSource.NONE and math.isnan(result.bound)


def test_a_kept_greedy_plan_is_labelled_greedy(monkeypatch):
    # CP-SAT's plan worse than greedy's (here its model gets an extra row it alone must keep): the
    # greedy plan is kept, and the result says so (it used to say "cp-sat")
    real = solve_module.build_model

    def one_booking_only(inst, *args, **kwargs):
        model, x = real(inst, *args, **kwargs)
        model.add(cp_model.LinearExpr.sum(x) <= 1)
        return model, x

    monkeypatch.setattr(solve_module, "build_model", one_booking_only)
    result = solve_instance(tiny_instance(**KNAPSACK), PARAMS)
    assert result.greedy_value == pytest.approx(1.0)
    assert result.source is PlanSource.GREEDY and result.objective == result.greedy_value
    assert sorted(result.chosen) == [1, 2]
    assert result.status is Status.FEASIBLE and result.bound >= result.objective


def test_a_model_the_solver_rejects_is_invalid_and_keeps_greedy(monkeypatch):
    real = solve_module.build_model

    def overflowing(inst, *args, **kwargs):
        model, x = real(inst, *args, **kwargs)
        model.add(cp_model.LinearExpr.weighted_sum(x, [2**62] * len(x)) <= 2**62)
        return model, x

    monkeypatch.setattr(solve_module, "build_model", overflowing)
    result = solve_instance(tiny_instance(**KNAPSACK), PARAMS)
    assert result.status is Status.INVALID and result.source is PlanSource.GREEDY
    assert math.isnan(result.bound)


def test_instance_arrays_are_read_only():
    inst = tiny_instance(**KNAPSACK)
    for name in ("value", "fee", "pair_c", "prod_budget", "conflicts"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(inst, name)[0] = 0


@pytest.mark.parametrize("objective, bound, gap", [(90, 100, 0.1), (0, 0, 0.0), (100, 100, 0.0),
                                                   (5, float("nan"), float("nan"))])
def test_relative_gap(objective, bound, gap):
    assert np.isclose(relative_gap(objective, bound), gap, equal_nan=True)


def test_statuses_are_strings_for_files_and_summaries():
    assert Status.NO_PLAN_IN_TIME == "no_plan_in_time" and f"{PlanSource.CP_SAT}" == "cp-sat"
    assert {s.value for s in Status} == {"optimal", "feasible", "infeasible", "no_plan_in_time",
                                         "interrupted", "invalid", "no_eligible_pairs"}


def test_an_interrupt_before_the_search_keeps_greedy_as_interrupted():
    interrupt = solve_module.Interrupt()
    interrupt.request()
    result = solve_instance(tiny_instance(**KNAPSACK), PARAMS, interrupt=interrupt)
    assert result.status is Status.INTERRUPTED and result.source is PlanSource.GREEDY
    assert result.objective == result.greedy_value and math.isnan(result.bound)
    assert not interrupt.searching


def test_an_interrupt_during_the_search_keeps_the_best_plan_so_far():
    from matchmaker.eval.synthetic import synthetic_problem
    from matchmaker.pipeline import run

    data, config = synthetic_problem(1500, 30, seed=1)
    interrupt = solve_module.Interrupt()
    # the first improving solution asks to stop: CP-SAT stops and its plan so far is kept
    out = run(data, config.override(**{"solver.time_limit": 60.0}), on_stage=lambda _: None,
              on_progress=lambda point: interrupt.request(), interrupt=interrupt)
    r = out.result
    assert r.status is Status.INTERRUPTED and r.seconds < 30 and out.is_feasible()
    assert r.objective >= r.greedy_value and r.bound >= r.objective


def test_a_request_inside_a_request_does_not_stop_the_search_again():
    """A second Ctrl-C's handler may run inside the first one's stop_search, which holds CpSolver's lock (a plain
    threading.Lock): a second stop_search from it would wait on that lock forever. The second request only marks."""
    import inspect
    import threading

    from matchmaker.plan.solve import Interrupt

    assert "__lock" in inspect.getsource(cp_model.CpSolver.stop_search)  # the lock this guards against
    interrupt = Interrupt()

    class Solver:  # stop_search as CpSolver's: under a lock; the second signal's handler runs inside it
        def __init__(self):
            self.lock, self.calls = threading.Lock(), 0

        def stop_search(self):
            with self.lock:
                self.calls += 1
                interrupt.request()

    solver = Solver()
    interrupt._solver = solver
    done = threading.Event()
    threading.Thread(target=lambda: (interrupt.request(), done.set()), daemon=True).start()
    assert done.wait(5), "the nested request waited on the solver's lock"
    assert solver.calls == 1 and interrupt.requested

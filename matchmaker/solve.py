"""Solve an Instance: greedy plan first, then CP-SAT seeded with it; the best feasible plan is kept."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from ortools.sat.python import cp_model

from .config import SolverParams
from .greedy import greedy
from .instance import Instance
from .model import VALUE_SCALE, build_model

log = logging.getLogger(__name__)

OPTIMAL, FEASIBLE, INFEASIBLE, NO_PLAN = "optimal", "feasible", "infeasible", "no_plan_in_time"


@dataclass(frozen=True)
class Progress:
    seconds: float
    objective: float
    bound: float

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)


@dataclass(frozen=True)
class SolveResult:
    status: str  # optimal | feasible | infeasible | no_plan_in_time
    chosen: np.ndarray  # pair indices of the plan (empty without a plan)
    objective: float  # value of the plan
    bound: float  # best proven upper bound on the value
    greedy_value: float
    greedy_feasible: bool
    seconds: float
    source: str  # "cp-sat" or "greedy" (the plan kept)
    trace: tuple[Progress, ...] = field(default=())

    @property
    def gap(self) -> float:
        return relative_gap(self.objective, self.bound)

    @property
    def has_plan(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE)


def relative_gap(objective: float, bound: float) -> float:
    """(bound - objective) / bound, 0 when both are 0."""
    if bound <= 1e-12:
        return 0.0
    return max(0.0, (bound - objective) / abs(bound))


class _Recorder(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float, on_progress: Callable[[Progress], None] | None):
        super().__init__()
        self.start, self.on_progress, self.trace = start, on_progress, []

    def on_solution_callback(self) -> None:
        point = Progress(time.perf_counter() - self.start, self.objective_value / VALUE_SCALE,
                         self.best_objective_bound / VALUE_SCALE)
        self.trace.append(point)
        if self.on_progress:
            self.on_progress(point)


def solver_parameters(params: SolverParams) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(params.time_limit)
    solver.parameters.random_seed = int(params.seed)
    solver.parameters.num_workers = int(params.workers)
    # Workaround reported for google/or-tools#5274/#5293 (wrong status with inclusion presolve).
    solver.parameters.presolve_inclusion_work_limit = 0
    # The LP with all cuts (max_lp) proves a far tighter bound on this model than the default portfolio
    # of two workers (benchmarks/README.md: 3,000 x 50 gap 28% -> optimal in ~12 s).
    if params.workers >= 2:
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    else:
        solver.parameters.linearization_level = 2
    return solver


def solve(inst: Instance, params: SolverParams,
          on_progress: Callable[[Progress], None] | None = None) -> SolveResult:
    start = time.perf_counter()
    hint, hint_ok = greedy(inst)
    greedy_value = float(inst.value[hint].sum()) if hint_ok else 0.0
    log.info("greedy: %d pairs, value %.4f, feasible %s", len(hint), greedy_value, hint_ok)
    model, x = build_model(inst)
    chosen_hint = np.zeros(inst.n_pairs, dtype=bool)
    chosen_hint[hint] = True
    for var, on in zip(x, chosen_hint):
        model.add_hint(var, bool(on))
    solver = solver_parameters(params)
    recorder = _Recorder(start, on_progress)
    status = solver.solve(model, recorder)
    seconds = time.perf_counter() - start
    trace = tuple(recorder.trace)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = np.array([i for i, var in enumerate(x) if solver.boolean_value(var)], dtype=int)
        value = float(inst.value[chosen].sum())
        bound = solver.best_objective_bound / VALUE_SCALE
        code = OPTIMAL if status == cp_model.OPTIMAL else FEASIBLE
        if hint_ok and greedy_value > value + 1e-9:  # never worse than the baseline
            chosen, value, code = hint, greedy_value, FEASIBLE
        return SolveResult(code, chosen, value, max(bound, value), greedy_value, hint_ok, seconds,
                           "cp-sat", trace)
    if status == cp_model.INFEASIBLE:
        return SolveResult(INFEASIBLE, np.zeros(0, int), 0.0, 0.0, greedy_value, hint_ok, seconds,
                           "none", trace)
    bound = solver.best_objective_bound / VALUE_SCALE
    if hint_ok:  # time ran out before CP-SAT found a plan: keep the greedy one
        return SolveResult(FEASIBLE, hint, greedy_value, max(bound, greedy_value), greedy_value,
                           True, seconds, "greedy", trace)
    return SolveResult(NO_PLAN, np.zeros(0, int), 0.0, bound, 0.0, False, seconds, "none", trace)

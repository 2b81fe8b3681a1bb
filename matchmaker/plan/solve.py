"""Solve an Instance: greedy plan first (on a large campaign also the LP relaxation, which gives a bound,
the pairs worth searching and a second heuristic plan by rounding), then CP-SAT seeded with the better
heuristic plan; the best feasible plan is kept, never one below the heuristics'.

The result says truthfully why the search stopped (Status), whose plan was kept (PlanSource) and the
bound CP-SAT proved: when it stopped without a solution it proved nothing, and the bound is unknown.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
from ortools.sat.python import cp_model

from ..config import SolverParams
from .constraints import VALUE_SCALE, build_model
from .greedy import greedy, lp_rounding
from .instance import Instance
from .local import improve
from .mip import HIGHS_MAX_PAIRS, solve_mip
from .prune import PRUNE_ABOVE, keep_pairs
from .relax import relax
from .result import PlanSource, Progress, SolveResult, Status

log = logging.getLogger(__name__)


class Interrupt:
    """A request to stop, from a signal handler or another thread. A running search stops and keeps its
    best plan; a search not yet started is skipped (greedy's plan is kept)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._solver: cp_model.CpSolver | None = None
        self.searching = False  # True while solve_instance runs (greedy or CP-SAT)

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    @contextmanager
    def search(self) -> Iterator[None]:
        """The span in which a request stops the search and keeps its best plan (nests)."""
        before, self.searching = self.searching, True
        try:
            yield
        finally:
            self.searching = before

    def request(self) -> None:
        """Stop the running search, once: a second request (a second Ctrl-C, whose handler may run inside the
        first one's stop_search, which holds CpSolver's lock) must not call stop_search again, or it waits
        forever on that lock."""
        first = not self._event.is_set()
        self._event.set()
        solver = self._solver
        if first and solver is not None:
            solver.stop_search()

    def run(self, solver: cp_model.CpSolver, model: cp_model.CpModel,
            callback: cp_model.CpSolverSolutionCallback) -> int:
        """solver.solve in a worker thread, so that the main thread, waiting here, still runs signal
        handlers (a C++ solve in the main thread would hold them until it ends)."""
        result: list[int] = []
        self._solver = solver
        if self.requested:  # asked before the solver could hear it
            solver.stop_search()
        worker = threading.Thread(target=lambda: result.append(solver.solve(model, callback)), daemon=True)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.2)
        finally:
            self._solver = None
        return result[0]

class _Recorder(cp_model.CpSolverSolutionCallback):
    """Each improving plan with the bound that holds for the full campaign (`full_bound(value, search
    bound)`: on a pruned search, CP-SAT's own bound is only the pruned model's)."""

    def __init__(self, start: float, on_progress: Callable[[Progress], None] | None,
                 full_bound: Callable[[float, float], float]):
        super().__init__()
        self.start, self.on_progress, self.full_bound, self.trace = start, on_progress, full_bound, []

    def on_solution_callback(self) -> None:
        self.record(self.objective_value / VALUE_SCALE, self.best_objective_bound / VALUE_SCALE)

    def record(self, value: float, search_bound: float) -> None:
        """An improving plan (CP-SAT's, from the callback, or HiGHS's when it ends)."""
        if self.trace and value <= self.trace[-1].objective:
            return
        point = Progress(time.perf_counter() - self.start, value, self.full_bound(value, search_bound))
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
    # Ctrl-C is matchmaker's to handle (Interrupt): CP-SAT's own catch swallowed it.
    solver.parameters.catch_sigint_signal = False
    # The LP with all cuts (max_lp) proves a far tighter bound on this model than the default portfolio
    # of two workers (benchmarks/README.md: 3,000 x 50 gap 28% -> optimal in ~12 s).
    if params.workers >= 2:
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
    else:
        solver.parameters.linearization_level = 2
    return solver


def solve_instance(inst: Instance, params: SolverParams,
                   on_progress: Callable[[Progress], None] | None = None,
                   interrupt: Interrupt | None = None) -> SolveResult:
    interrupt = interrupt or Interrupt()
    with interrupt.search():
        return _solve(inst, params, on_progress, interrupt)


@dataclass(frozen=True)
class Searched:
    """One round of the exact search on the kept pairs: CP-SAT, and HiGHS beside it on small models."""
    code: int  # CP-SAT's status (cp_model.OPTIMAL also when HiGHS proved the optimum)
    chosen: np.ndarray | None  # the best plan found (pair indices of the full instance), None: none
    source: PlanSource
    bound: float  # the least bound the solvers proved for the kept pairs (nan: none)
    bound_from: str
    built_in: float = 0.0  # seconds to build the CP-SAT model
    invalid: str = ""  # why CP-SAT rejected the model

    @property
    def found(self) -> bool:
        return self.chosen is not None


def use_highs(params: SolverParams, inst: Instance) -> bool:
    """HiGHS runs beside CP-SAT on small enough models, and only with 2+ workers: which of the two finishes
    first depends on the clock, and workers = 1 promises the same plan twice."""
    return params.highs and params.workers >= 2 and 0 < inst.n_pairs <= HIGHS_MAX_PAIRS


def _search(inst: Instance, keep: np.ndarray, hint: np.ndarray, params: SolverParams, deadline: float,
            recorder: _Recorder, interrupt: Interrupt) -> Searched:
    """CP-SAT on the pairs where `keep` is true, seeded with the plan `hint` (pair indices of inst); HiGHS's
    MIP beside it when the model is small enough. Whichever proves the optimum stops the other."""
    sub = inst if keep.all() else inst.subset(keep)
    index = np.nonzero(keep)[0]
    began = time.perf_counter()
    model, x = build_model(sub)
    built_in = time.perf_counter() - began
    log.info("search model: %d pairs, %d constraints, built in %.1f s", sub.n_pairs, len(model.proto.constraints),
             built_in)
    seeded = np.zeros(inst.n_pairs, dtype=bool)
    seeded[hint] = True
    for var, on in zip(x, seeded[keep]):
        model.add_hint(var, bool(on))
    solver = solver_parameters(replace(params, time_limit=max(0.001, deadline - time.perf_counter())))
    mip, done = [], threading.Event()

    def run_mip() -> None:
        try:
            mip.append(solve_mip(sub, deadline - time.perf_counter(), lambda: interrupt.requested or done.is_set()))
        except Exception:  # the portfolio's second opinion: CP-SAT's answer stands without it
            log.exception("HiGHS MIP failed")
            return
        if mip[0].optimal:
            solver.stop_search()

    helper = threading.Thread(target=run_mip, daemon=True) if use_highs(params, sub) else None
    if helper is not None and not interrupt.requested:
        helper.start()
    code = cp_model.UNKNOWN if interrupt.requested else interrupt.run(solver, model, recorder)
    done.set()
    if helper is not None and helper.is_alive():
        helper.join()
    found = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    plans, bounds = [], []
    if found:
        plans.append((index[[i for i, var in enumerate(x) if solver.boolean_value(var)]], PlanSource.CP_SAT))
        # CP-SAT proves its bound on the values rounded to 1/VALUE_SCALE: its gap is carried over to the plan's
        # exact value (else the rounding alone would show an optimal plan a gap of about 1e-5)
        slack = (solver.best_objective_bound - solver.objective_value) / VALUE_SCALE
        bounds.append((inst.plan_value(plans[0][0]) + slack, "cp-sat"))
    if mip:
        if mip[0].chosen is not None:
            plans.append((index[mip[0].chosen], PlanSource.HIGHS))
        if not math.isnan(mip[0].bound):
            bounds.append((mip[0].bound, "highs"))
        if mip[0].optimal:
            code = cp_model.OPTIMAL
    chosen, source = max(plans, key=lambda plan: inst.plan_value(plan[0])) if plans else (None, PlanSource.NONE)
    if chosen is not None and source is PlanSource.HIGHS:
        recorder.record(inst.plan_value(chosen), min(bound for bound, _ in bounds))
    bound, bound_from = min(bounds) if bounds else (math.nan, "")
    if chosen is not None and code == cp_model.INFEASIBLE:
        code = cp_model.FEASIBLE
    return Searched(code, chosen, source, bound, bound_from, built_in,
                    model.validate() if code == cp_model.MODEL_INVALID else "")


def most_promising(candidates: np.ndarray, promise: np.ndarray, at_most: int) -> np.ndarray:
    """The `at_most` candidates (a mask) with the highest promise (what a plan booking them could be worth at
    most), so a model with millions of overlap rows is not built when a few pairs would do; the rest may
    come back in a later round."""
    chosen = np.nonzero(candidates)[0]
    if len(chosen) > at_most:
        chosen = chosen[np.argsort(-promise[chosen], kind="stable")[:at_most]]
    mask = np.zeros(len(candidates), dtype=bool)
    mask[chosen] = True
    return mask


# A round of the search never sees more pairs than this (memory: 175,000 pairs peaked at 5.2 GB on
# 100,000 x 500, and a second round doubled to 350,000 reached 8 GB)
MAX_SEARCH_PAIRS = 200_000
LP_SHARE = 0.4  # of the time limit, at most, for the LP bound on a large campaign; the search gets the rest
LOCAL_SHARE = 0.05  # of the time limit, at most, for the local search on the heuristic plan (large campaigns)


def _solve(inst: Instance, params: SolverParams, on_progress: Callable[[Progress], None] | None,
           interrupt: Interrupt) -> SolveResult:
    start = time.perf_counter()
    # The baseline (hint): the best plan of the heuristics, which the result never falls below.
    hint, hint_ok = greedy(inst)
    greedy_value = inst.plan_value(hint) if hint_ok else 0.0
    greedy_ok, baseline_value, baseline_source = hint_ok, greedy_value, PlanSource.GREEDY
    log.info("greedy: %d pairs, value %.4f, feasible %s", len(hint), greedy_value, hint_ok)
    relaxation, keep = None, np.ones(inst.n_pairs, dtype=bool)
    pooled = len(inst.outside_c) > 0  # pairs left out of the pool: only the LP's bound covers them
    if (inst.n_pairs > PRUNE_ABOVE or pooled) and not interrupt.requested:
        # a bound of the full model, and the pairs that can matter: the search sees only those
        relaxation = relax(inst, time_limit=LP_SHARE * params.time_limit, stop=lambda: interrupt.requested)
        if relaxation.solved:
            rounded, rounded_ok = lp_rounding(inst, relaxation.x)
            rounded_value = inst.plan_value(rounded)
            log.info("LP rounding: value %.4f, feasible %s", rounded_value, rounded_ok)
            if rounded_ok and (not hint_ok or rounded_value > baseline_value + 1e-9):
                hint, hint_ok = rounded, True
                baseline_value, baseline_source = rounded_value, PlanSource.LP_ROUNDING
        # Without a rounded LP plan (the LP gave none, or none better than greedy's), local search improves
        # greedy's: measured on 3,000 x 50, it lifts greedy's 757.70 to 758.83 in 6 s where LP rounding gives
        # 782.62 in the LP's time, and finds nothing to add to that.
        if hint_ok and baseline_source is PlanSource.GREEDY and not interrupt.requested:
            better = improve(inst, hint, time.perf_counter() + LOCAL_SHARE * params.time_limit)
            better_value = inst.plan_value(better)
            log.info("local search: value %.4f (from %.4f)", better_value, baseline_value)
            if better_value > baseline_value + 1e-9:
                hint, baseline_value, baseline_source = better, better_value, PlanSource.LOCAL_SEARCH
        keep = keep_pairs(inst, relaxation, hint)
        log.info("search on %d of %d pairs", keep.sum(), inst.n_pairs)
    lp_bound = relaxation.bound if relaxation is not None and relaxation.solved else math.inf

    def proved(value: float, search_bound: float, by: str = "cp-sat") -> tuple[float, str]:
        """The best bound that holds for the full campaign, and which proved it: the search's own (proved by
        `by`) holds when it saw every pair that could beat `value` (keep: the pairs of the current round)."""
        complete = keep.all() or (relaxation is not None and not relaxation.could_improve(value)[~keep].any())
        if pooled:
            complete = complete and relaxation is not None and not relaxation.outside_could_improve(value)
        found = [(search_bound, by)] if complete and not math.isnan(search_bound) else []
        if lp_bound < math.inf:
            found.append((lp_bound, "lp"))
        if not found:
            return math.nan, ""
        bound, source = min(found)
        return max(bound, value), source

    recorder = _Recorder(start, on_progress, lambda value, bound: proved(value, bound)[0])
    deadline = start + params.time_limit
    start_from, earlier = hint, None  # earlier: a previous round's plan, should the last round find none
    while True:
        last = _search(inst, keep, start_from, params, deadline, recorder, interrupt)
        if not (last.found or last.code == cp_model.INFEASIBLE) or relaxation is None or keep.all():
            break
        # pairs that might be in a better plan than the one in hand (any plan, when the pruned search has none)
        in_hand = last if last.found else earlier
        floor = max(inst.plan_value(in_hand.chosen) if in_hand is not None else -math.inf,
                    baseline_value if hint_ok else -math.inf)
        back = ~keep & relaxation.could_improve(floor)
        # Building a model costs about the last build times the square of its growth (overlap rows grow
        # with the pairs of a product squared), and CP-SAT's loading and presolve some times that again
        # (measured: 7.7M overlap rows built in 22 s, then the search overran its limit by 18 s). So a round
        # at most doubles the search, and grows only as far as leaves the search 3 times its building time.
        left = deadline - time.perf_counter()
        growth = min(2.0, math.sqrt(max(0.0, left) / (4 * max(last.built_in, 1e-3))))
        if not back.any() or left < 2.0 or growth < 1.1 or interrupt.requested:
            break
        log.info("%d pruned pairs could improve the plan: searching again with the most promising", back.sum())
        added = min(max(1, int(keep.sum() * (growth - 1))), MAX_SEARCH_PAIRS - int(keep.sum()))
        if added <= 0:
            break
        keep = keep | most_promising(back, relaxation.bound - relaxation.reduced, added)
        if in_hand is not None:
            start_from, earlier = in_hand.chosen, in_hand
    seconds = time.perf_counter() - start
    stopped = Status.INTERRUPTED if interrupt.requested else Status.FEASIBLE
    searched_by = last.bound_from or "cp-sat"  # which exact solver proved the last round's bound

    def result(status: Status, plan: np.ndarray, source: PlanSource, search_bound: float) -> SolveResult:
        """The plan with the bound that holds for the full campaign, and what proved it."""
        value = inst.plan_value(plan)
        bound, bound_from = proved(value, search_bound, searched_by)
        return SolveResult(status, plan, value, bound, greedy_value, greedy_ok, seconds, source,
                           tuple(recorder.trace), bound_from, int(keep.sum()),
                           relaxation.seconds if relaxation is not None else 0.0)

    def keep_baseline(status: Status, search_bound: float) -> SolveResult:
        if hint_ok:
            return result(status, hint, baseline_source, search_bound)
        return result(status, np.zeros(0, int), PlanSource.NONE, search_bound)

    if last.found:
        if hint_ok and baseline_value > inst.plan_value(last.chosen) + 1e-9:  # never worse than the baseline
            return keep_baseline(stopped, max(last.bound, baseline_value))
        plan = result(stopped, last.chosen, last.source, last.bound)
        proved_best = last.code == cp_model.OPTIMAL and plan.bound_from == searched_by
        return replace(plan, status=Status.OPTIMAL) if proved_best else plan
    if earlier is not None and inst.plan_value(earlier.chosen) >= baseline_value:
        return result(stopped, earlier.chosen, earlier.source, math.nan)
    if last.code == cp_model.INFEASIBLE and keep.all() and not pooled:
        return result(Status.INFEASIBLE, np.zeros(0, int), PlanSource.NONE, 0.0)
    if last.code == cp_model.MODEL_INVALID:
        log.error("CP-SAT rejected the model: %s", last.invalid)
        return keep_baseline(Status.INVALID, math.nan)
    # Stopped (time limit or interrupt) before CP-SAT found a solution: it proved no bound (it reports 0).
    # (A pruned model proved infeasible says nothing about the full one: no plan found, no bound.)
    if interrupt.requested:
        return keep_baseline(Status.INTERRUPTED, math.nan)
    return keep_baseline(Status.FEASIBLE if hint_ok else Status.NO_PLAN_IN_TIME, math.nan)

"""HiGHS's MIP on the same rows as the LP relaxation, x integral: the portfolio's second exact solver.

On models of a few tens of thousands of pairs it proves optima CP-SAT only approaches (benchmarks/README.md:
3,000 x 50 seed 1, optimal in ~9 s where CP-SAT stopped 0.002% short at its limit); beyond that it finds
nothing in time (10,000 x 100), so the search runs it beside CP-SAT only up to HIGHS_MAX_PAIRS.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.math_opt import parameters_pb2

from . import mathopt
from .greedy import PlanState
from .instance import Instance
from .relax import minimum_without_pairs, system, with_overlap

log = logging.getLogger(__name__)

HIGHS_MAX_PAIRS = 50_000
GAP = 1e-6  # HiGHS's relative gap tolerance: "optimal" is within this of its bound


@dataclass(frozen=True)
class MipResult:
    chosen: np.ndarray | None  # pair indices of the best plan found (None: none)
    bound: float  # HiGHS's dual bound (nan: none)
    optimal: bool


def feasible(inst: Instance, chosen: np.ndarray) -> bool:
    """Every rule holds for the plan (the greedy plan's rule checks, pair by pair, then the minimums and
    the Top-KOL share): a MIP solution within the solver's tolerances is kept only if it truly fits."""
    state = PlanState(inst)
    for i in chosen:
        if state.blocker(int(i), share_check=False) is not None:
            return False
        state.take(int(i))
    return state.meets_minimums()


def solve_mip(inst: Instance, seconds: float, stop: Callable[[], bool]) -> MipResult:
    """HiGHS on the whole instance within `seconds`, interrupted when `stop()` says so."""
    none = MipResult(None, math.nan, False)
    if inst.n_pairs == 0 or minimum_without_pairs(inst):
        return none
    base, b, c = system(inst)
    a, b = with_overlap(base, b, inst.conflict_pairs())
    params = parameters_pb2.SolveParametersProto(relative_gap_tolerance=GAP)
    mathopt.time_limit(params, seconds)
    result = mathopt.solve(mathopt.model(a, b, c, integers=inst.n_pairs), mathopt.HIGHS, params, stop)
    bound = result.termination.objective_bounds.dual_bound
    bound = float(bound) if math.isfinite(bound) else math.nan
    found = mathopt.values(result, a.shape[1])
    chosen = None if found is None else np.nonzero(found[0][:inst.n_pairs] > 0.5)[0]
    if chosen is not None and not feasible(inst, chosen):
        log.warning("HiGHS's plan breaks a rule beyond its tolerances: not kept")
        chosen = None
    optimal = result.termination.reason == mathopt.OPTIMAL and chosen is not None
    log.info("HiGHS MIP: %s, value %s, bound %.4f", result.termination.reason,
             "none" if chosen is None else f"{inst.plan_value(chosen):.4f}", bound)
    return MipResult(chosen, bound, optimal)

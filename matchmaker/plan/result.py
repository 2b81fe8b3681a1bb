"""What a solve returns: why the search stopped (Status), whose plan was kept (PlanSource), the plan,
its value, the best bound actually proved, and the solver's progress."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Status(StrEnum):
    OPTIMAL = "optimal"  # the plan is proved best
    FEASIBLE = "feasible"  # a plan that keeps every rule; the gap says how far from best it may be
    INFEASIBLE = "infeasible"  # proved: no plan keeps every rule
    NO_PLAN_IN_TIME = "no_plan_in_time"  # time ran out before any plan was found; none is proved impossible
    INTERRUPTED = "interrupted"  # the user stopped the search; the best plan so far, if any, is kept
    INVALID = "invalid"  # the solver rejected the model (numbers out of range); greedy's plan, if any, is kept
    NO_ELIGIBLE_PAIRS = "no_eligible_pairs"  # no creator may promote any product: nothing to search


class PlanSource(StrEnum):
    CP_SAT = "cp-sat"
    HIGHS = "highs"  # HiGHS's MIP, run beside CP-SAT on models of up to mip.HIGHS_MAX_PAIRS pairs
    GREEDY = "greedy"
    LP_ROUNDING = "lp-rounding"  # the greedy pass in the order of the LP relaxation's solution
    LOCAL_SEARCH = "local-search"  # the heuristic plan improved by add, replace and swap moves (plan/local.py)
    NONE = "none"


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
    status: Status
    chosen: np.ndarray  # pair indices of the plan (empty without a plan)
    objective: float  # value of the plan
    bound: float  # best proven upper bound on the value; nan when nothing was proved
    greedy_value: float
    greedy_feasible: bool
    seconds: float
    source: PlanSource  # whose plan was kept
    trace: tuple[Progress, ...] = field(default=())
    bound_from: str = ""  # what proved it: "cp-sat" or "highs" (the search), "lp" (the LP relaxation), "" (nothing)
    searched_pairs: int = 0  # pairs the exact search saw (fewer than eligible when a large campaign is pruned)
    lp_seconds: float = 0.0

    @property
    def gap(self) -> float:
        """(bound - value) / bound; nan when no bound was proved."""
        return relative_gap(self.objective, self.bound)

    @property
    def has_plan(self) -> bool:
        return self.source is not PlanSource.NONE


def relative_gap(objective: float, bound: float) -> float:
    """(bound - objective) / bound, 0 when both are 0, nan when the bound is unknown."""
    if math.isnan(bound):
        return math.nan
    if bound <= 1e-12:
        return 0.0
    return max(0.0, (bound - objective) / abs(bound))

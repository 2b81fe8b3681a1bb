"""The LP relaxation of the whole model: a bound that holds at every size, and reduced costs that say
which pairs cannot be in a better plan.

The same rows as constraints.py, with x in [0, 1] instead of {0, 1}, built as one sparse matrix (no
Python loop per pair or conflict) and solved by HiGHS (scipy.optimize.linprog). Money uses the model's
integers (fen, budgets capped the same way), so the bound is a bound of exactly the model CP-SAT solves.

Reduced-cost test: with z the LP optimum and r_i >= 0 the reduced cost of pair i at its lower bound, every
plan that books pair i is worth at most z - r_i (LP duality). A pair with z - r_i <= v, v the value of a
plan in hand, cannot be in a better plan: it may be left out of the search without weakening any bound.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .constraints import MONEY_SCALE, _capped, to_int, top_share_coefficients
from .instance import NO_LIMIT, Instance

log = logging.getLogger(__name__)

# HiGHS solves to a relative tolerance near 1e-7; the bound is widened by this much so that it stays a
# bound (the reported gap is then at most this much too pessimistic).
SAFETY = 1e-6
METHOD = "highs-ipm"  # interior point: 2-3x faster than dual simplex on this LP at 145k pairs (benchmarks/README.md)


@dataclass(frozen=True)
class Relaxation:
    bound: float  # the LP optimum (widened by SAFETY): no plan is worth more; nan when not solved
    x: np.ndarray  # the LP solution per pair (zeros when not solved)
    reduced: np.ndarray  # r_i >= 0 per pair: a plan booking pair i is worth at most bound - r_i
    seconds: float
    rows: int
    status: str  # "optimal", or why there is no bound ("time limit", "infeasible", ...)

    @property
    def solved(self) -> bool:
        return not math.isnan(self.bound)

    def could_improve(self, value: float) -> np.ndarray:
        """Pairs that may be in a plan worth more than `value` (all pairs when the LP was not solved)."""
        if not self.solved:
            return np.ones(len(self.x), dtype=bool)
        return self.bound - self.reduced > value + SAFETY * max(1.0, abs(self.bound))


class _Rows:
    """A sparse system A x <= b assembled from blocks of (row, column, coefficient) triples."""

    def __init__(self, n_cols: int):
        self.n_cols, self.n_rows = n_cols, 0
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.b: list[np.ndarray] = []

    def add(self, row: np.ndarray, col: np.ndarray, coef: np.ndarray, rhs: np.ndarray) -> None:
        """Rows numbered 0..len(rhs)-1 in this block."""
        if len(rhs) == 0:
            return
        self.r.append(np.asarray(row, dtype=np.int64) + self.n_rows)
        self.c.append(np.asarray(col, dtype=np.int64))
        self.v.append(np.asarray(coef, dtype=float))
        self.b.append(np.asarray(rhs, dtype=float))
        self.n_rows += len(rhs)

    def grouped(self, keys: np.ndarray, cols: np.ndarray, coef: np.ndarray, rhs_of: np.ndarray,
                sign: float = 1.0) -> None:
        """One row per distinct key: sign * sum(coef over cols with that key) <= sign * rhs_of[key]."""
        if len(keys) == 0:
            return
        uniq, row = np.unique(keys, return_inverse=True)
        self.add(row, cols, sign * coef, sign * rhs_of[uniq])

    def matrix(self) -> tuple[sp.csr_matrix, np.ndarray]:
        if not self.r:
            return sp.csr_matrix((0, self.n_cols)), np.zeros(0)
        a = sp.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                          shape=(self.n_rows, self.n_cols))
        return a, np.concatenate(self.b)


def conflict_pairs(inst: Instance) -> np.ndarray:
    """(k, 2) pair indices (i, j) of the same product whose creators' audiences overlap too much."""
    if len(inst.conflicts) == 0 or inst.n_pairs == 0:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = pd.DataFrame({"c": inst.pair_c, "p": inst.pair_p, "i": np.arange(inst.n_pairs)})
    links = pd.DataFrame(inst.conflicts, columns=["a", "b"])
    left = links.merge(pairs.rename(columns={"c": "a", "i": "i"}), on="a")
    both = left.merge(pairs.rename(columns={"c": "b", "i": "j"}), on=["b", "p"])
    return both[["i", "j"]].to_numpy(np.int64)


def _rows(inst: Instance) -> tuple[_Rows, int]:
    """Every rule of constraints.py but overlap as sparse rows (overlap rows are added where violated, in
    relax); columns are the pairs, then one per exclusivity group."""
    n = inst.n_pairs
    pairs = np.arange(n)
    fees = to_int(inst.fee[inst.pair_c], MONEY_SCALE).astype(float)
    rows = _Rows(n)
    rows.add(np.zeros(n), pairs, fees, np.array([_capped(inst.budget, fees.astype(np.int64))]))
    # each product's own budget, where one is given
    has_budget = ~np.isnan(inst.prod_budget[inst.pair_p])
    if has_budget.any():
        p = inst.pair_p[has_budget]
        caps = np.zeros(len(inst.prod_budget))
        for q in np.unique(p):  # one number per product (the capped limit), not per pair
            caps[q] = _capped(inst.prod_budget[q], fees[has_budget][p == q].astype(np.int64))
        rows.grouped(p, pairs[has_budget], fees[has_budget], caps)
    # capacity: only creators with more eligible pairs than products they take
    per_creator = np.bincount(inst.pair_c, minlength=len(inst.capacity))
    tight = per_creator[inst.pair_c] > inst.capacity[inst.pair_c]
    rows.grouped(inst.pair_c[tight], pairs[tight], np.ones(tight.sum()), inst.capacity.astype(float))
    ones = np.ones(n)
    top = inst.top[inst.pair_c]
    for lows, highs, mask in ((inst.prod_min, inst.prod_max, np.ones(n, bool)),
                              (inst.prod_min_top, inst.prod_max_top, top)):
        has_min = mask & (lows[inst.pair_p] > 0)
        rows.grouped(inst.pair_p[has_min], pairs[has_min], ones[has_min], lows.astype(float), sign=-1.0)
        has_max = mask & (highs[inst.pair_p] != NO_LIMIT)
        rows.grouped(inst.pair_p[has_max], pairs[has_max], ones[has_max], highs.astype(float))
    # a product whose minimum has no eligible pair at all: the LP is infeasible, as the model is
    empty_min = np.setdiff1d(np.nonzero((inst.prod_min > 0) | (inst.prod_min_top > 0))[0], inst.pair_p)
    if len(empty_min):
        rows.add(np.zeros(1), np.zeros(1), np.zeros(1), np.array([-1.0]))  # 0 <= -1
    if inst.top_share < 1.0:
        rows.add(np.zeros(n), pairs, top_share_coefficients(inst).astype(float), np.zeros(1))
    extra = 0
    if inst.exclusivity:
        frame = pd.DataFrame({"c": inst.pair_c, "k": inst.prod_category[inst.pair_p],
                              "b": inst.prod_brand[inst.pair_p], "i": pairs})
        brands = frame.groupby(["c", "k"])["b"].transform("nunique")
        frame = frame[brands >= 2].reset_index(drop=True)
        if len(frame):  # y per (creator, category, brand): x_i <= y, and one y per (creator, category)
            frame["y"] = n + frame.groupby(["c", "k", "b"], sort=False).ngroup().to_numpy()
            extra = int(frame["y"].max()) + 1 - n
            rows.n_cols = n + extra
            m = len(frame)
            rows.add(np.repeat(np.arange(m), 2), np.stack([frame["i"], frame["y"]], axis=1).ravel(),
                     np.tile([1.0, -1.0], m), np.zeros(m))
            heads = frame.drop_duplicates("y")
            ck = heads.groupby(["c", "k"], sort=False).ngroup().to_numpy()
            rows.add(ck, heads["y"].to_numpy(), np.ones(len(heads)), np.ones(int(ck.max()) + 1))
    return rows, extra


def _conflict_rows(clash: np.ndarray, n_cols: int) -> sp.csr_matrix:
    k = len(clash)
    return sp.csr_matrix((np.ones(2 * k), (np.repeat(np.arange(k), 2), clash.ravel())), shape=(k, n_cols))


def relax(inst: Instance, time_limit: float = 60.0, stop: Callable[[], bool] = lambda: False) -> Relaxation:
    """Solve the LP relaxation within `time_limit` seconds; without an optimum there is no bound.

    The overlap rows (one per conflicting pair of pairs: millions at 10,000 creators) are generated: solve
    without them, add the ones the solution breaks, solve again. Every round is a relaxation of the model,
    so its optimum is a bound; when the solution breaks none, it is the full LP's optimum. When time runs
    out between rounds, or `stop()` says so (an interrupt), the last round's bound stands."""
    from scipy.optimize import linprog  # here: a second of import time, for large campaigns only

    start = time.perf_counter()
    n = inst.n_pairs
    if n == 0:
        return Relaxation(0.0, np.zeros(0), np.zeros(0), 0.0, 0, "optimal")
    rows, extra = _rows(inst)
    base, b = rows.matrix()
    c = np.concatenate([-inst.value, np.zeros(extra)])
    clash = conflict_pairs(inst)
    active = np.zeros(len(clash), dtype=bool)
    best: Relaxation | None = None
    while True:
        left = time_limit - (time.perf_counter() - start)
        if left <= 0.5 or stop():
            break
        a = sp.vstack([base, _conflict_rows(clash[active], base.shape[1])], format="csr")
        rhs = np.concatenate([b, np.ones(int(active.sum()))])
        result = linprog(c, A_ub=a, b_ub=rhs, bounds=(0.0, 1.0), method=METHOD,
                         options={"time_limit": max(0.5, left), "presolve": True})
        if result.status != 0:
            status = {1: "time limit", 2: "infeasible", 3: "unbounded"}.get(result.status, "numerical difficulties")
            if best is None or result.status == 2:
                seconds = time.perf_counter() - start
                log.info("LP relaxation: no bound (%s) after %.1f s", status, seconds)
                return Relaxation(math.nan, np.zeros(n), np.zeros(n), seconds, a.shape[0], status)
            break
        z = -float(result.fun)
        x = np.asarray(result.x[:n])
        broken = ~active & (x[clash[:, 0]] + x[clash[:, 1]] > 1.0 + 1e-6) if len(clash) else active
        best = Relaxation(z + SAFETY * max(1.0, abs(z)), x,
                          np.maximum(0.0, np.asarray(result.lower.marginals, dtype=float)[:n]),
                          time.perf_counter() - start, a.shape[0], "optimal" if not broken.any() else "partial")
        log.info("LP relaxation: bound %.4f with %d of %d overlap rows, %.1f s", best.bound, active.sum(),
                 len(clash), best.seconds)
        if not broken.any():
            break
        active |= broken
    if best is None:
        return Relaxation(math.nan, np.zeros(n), np.zeros(n), time.perf_counter() - start, base.shape[0],
                          "time limit")
    return best

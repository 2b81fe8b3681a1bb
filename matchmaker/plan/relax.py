"""The LP relaxation of the whole model: a bound that holds at every size, and reduced costs that say
which pairs cannot be in a better plan.

The same rows as constraints.py, with x in [0, 1] instead of {0, 1}, built as one sparse matrix (no
Python loop per pair or conflict) and solved by PDLP, OR-Tools' first-order LP solver, through MathOpt
(it releases the GIL and can be interrupted). Money uses the model's integers (fen, budgets capped the
same way), so the bound is a bound of exactly the model CP-SAT solves.

The bound does not rest on the LP being solved. For max c.x subject to A x <= b, 0 <= x <= 1, every
y >= 0 gives (weak duality)

    c.x <= b.y + sum_i max(0, d_i),   d = c - A'y,

and a plan that books pair i is worth at most that minus r_i = max(0, -d_i). Every dual PDLP returns,
converged or stopped by the time limit, is turned into such a bound and the least is kept; so the
reported bound is valid whatever the solver's tolerance, and tight when it converged. A pair with
bound - r_i <= v, v the value of a plan in hand, cannot be in a better plan.

Overlap rows (one per conflicting pair of pairs: millions at 10,000 creators) are never listed in full:
they are generated among the pairs the LP solution uses (Instance.conflict_pairs(among=...)), round by
round, until the solution breaks none. Dropping rows is a relaxation, so every round's bound holds.
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
from ortools.math_opt import parameters_pb2

from . import mathopt
from .constraints import MONEY_SCALE, _capped, to_int, top_share_coefficients
from .instance import NO_LIMIT, Instance

log = logging.getLogger(__name__)

# The bound is computed in floating point from exact data; it is widened by this much (relative) for the
# rounding in its sums. The reported gap is at most this much too pessimistic.
SAFETY = 1e-9
EPS = 1e-4  # PDLP's relative optimality tolerance: a converged round's bound is within about this of the LP's
BROKEN = 1e-3  # an overlap row is broken when the LP solution exceeds it by more than this; with the broken
AHEAD = 0.5  # rows, those within this of binding are added too (fewer rounds: measured at 10,000 x 100)
USED = 1e-6  # a pair the LP solution uses (x above this): searched, and where overlap rows are looked for


Layout = dict[str, tuple[np.ndarray, int]]  # role -> (sorted keys, its first row): where a system's rows are


@dataclass(frozen=True)
class Relaxation:
    bound: float  # no plan is worth more (from the best dual found, widened by SAFETY); nan when none
    x: np.ndarray  # the last LP solution per pair (zeros when not solved)
    reduced: np.ndarray  # r_i >= 0 per pair: a plan booking pair i is worth at most bound - r_i
    seconds: float
    rows: int
    status: str  # "optimal" (converged, no overlap row broken), "partial" (time ran out: the bound still
    # holds), or why there is no bound ("time limit", "infeasible", ...)
    outside_reduced: float = math.inf  # the least r among the pairs left out of the pool (inf: none)

    @property
    def solved(self) -> bool:
        return not math.isnan(self.bound)

    def could_improve(self, value: float) -> np.ndarray:
        """Pairs that may be in a plan worth more than `value` (all pairs when there is no bound)."""
        if not self.solved:
            return np.ones(len(self.x), dtype=bool)
        return self.bound - self.reduced > value + SAFETY * max(1.0, abs(self.bound))

    def outside_could_improve(self, value: float) -> bool:
        """A pair left out of the pool may be in a plan worth more than `value` (always, with no bound)."""
        if not self.solved:
            return True
        return self.bound - self.outside_reduced > value + SAFETY * max(1.0, abs(self.bound))


class _Rows:
    """A sparse system A x <= b assembled from blocks of rows, each block a rule (its role) with one row
    per key (a product, a creator, ...).

    With a `layout` (the roles and keys of a system already built) no rows are made: the columns given
    are placed in that system's rows of the same role and key, which is how pairs left out of the pool
    (Instance.outside_*) are priced by the pool's dual. Where that system has no such row the entry is
    dropped: a relaxation, as long as the coefficient is >= 0 (asserted)."""

    def __init__(self, n_cols: int, layout: Layout | None = None):
        self.n_cols = n_cols
        # placed in a layout, the columns span that system's rows (the ones with a role)
        self.n_rows = 0 if layout is None else max((first + len(keys) for keys, first in layout.values()), default=0)
        self.layout = layout
        self.roles: Layout = {}
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.b: list[np.ndarray] = []

    def add(self, row: np.ndarray, col: np.ndarray, coef: np.ndarray, rhs: np.ndarray) -> None:
        """Rows numbered 0..len(rhs)-1 in this block (not placed in a layout: no role, no key)."""
        if len(rhs) == 0:
            return
        self.r.append(np.asarray(row, dtype=np.int64) + self.n_rows)
        self.c.append(np.asarray(col, dtype=np.int64))
        self.v.append(np.asarray(coef, dtype=float))
        self.b.append(np.asarray(rhs, dtype=float))
        self.n_rows += len(rhs)

    def grouped(self, role: str, keys: np.ndarray, cols: np.ndarray, coef: np.ndarray, rhs_of: np.ndarray,
                sign: float = 1.0) -> None:
        """One row per distinct key: sign * sum(coef over cols with that key) <= sign * rhs_of[key]."""
        if len(keys) == 0:
            return
        if self.layout is None:
            uniq, row = np.unique(keys, return_inverse=True)
            self.roles[role] = (uniq, self.n_rows)
            self.add(row, cols, sign * coef, sign * rhs_of[uniq])
            return
        known, first = self.layout.get(role, (np.zeros(0, dtype=np.int64), 0))
        at = np.searchsorted(known, keys).clip(max=max(len(known) - 1, 0))
        hit = known[at] == keys if len(known) else np.zeros(len(keys), dtype=bool)
        assert (sign * np.asarray(coef)[~hit] >= 0).all(), f"{role}: a negative entry has no row to go to"
        self.r.append(first + at[hit])
        self.c.append(np.asarray(cols)[hit])
        self.v.append(sign * np.asarray(coef, dtype=float)[hit])

    def one(self, role: str, cols: np.ndarray, coef: np.ndarray, rhs: float) -> None:
        """A single row: sum(coef over cols) <= rhs."""
        self.grouped(role, np.zeros(len(cols), dtype=np.int64), cols, coef, np.array([rhs]))

    def matrix(self) -> tuple[sp.csr_matrix, np.ndarray]:
        if not self.r:
            return sp.csr_matrix((self.n_rows, self.n_cols)), np.zeros(self.n_rows)
        a = sp.csr_matrix((np.concatenate(self.v), (np.concatenate(self.r), np.concatenate(self.c))),
                          shape=(self.n_rows, self.n_cols))
        return a, np.concatenate(self.b) if self.b else np.zeros(0)


def _rows(inst: Instance, pair_c: np.ndarray | None = None, pair_p: np.ndarray | None = None,
          layout: Layout | None = None, outside: slice | None = None) -> tuple[_Rows, int]:
    """Every rule of constraints.py but overlap as sparse rows (overlap rows are added where violated, in
    relax); columns are the pairs, then one per exclusivity group. With `pair_c`, `pair_p` and the layout
    of the instance's own rows: those pairs' columns in those rows (exclusivity left out: a relaxation);
    `outside`: which of the pairs left out of the pool they are (their entries in the money rules)."""
    pair_c = inst.pair_c if pair_c is None else pair_c
    pair_p = inst.pair_p if pair_p is None else pair_p
    n = len(pair_c)
    pairs = np.arange(n)
    fees = to_int(inst.cost(pair_c, pair_p), MONEY_SCALE).astype(float)
    rows = _Rows(n, layout)
    rows.one("budget", pairs, fees, _capped(inst.budget, fees.astype(np.int64)))
    # each product's own budget, where one is given
    has_budget = ~np.isnan(inst.prod_budget[pair_p])
    if has_budget.any():
        p = pair_p[has_budget]
        caps = np.zeros(len(inst.prod_budget))
        for q in np.unique(p) if layout is None else ():  # one number per product (the capped limit), not per pair
            caps[q] = _capped(inst.prod_budget[q], fees[has_budget][p == q].astype(np.int64))
        rows.grouped("product budget", p, pairs[has_budget], fees[has_budget], caps)
    # capacity: only creators with more eligible pairs than products they take
    per_creator = np.bincount(pair_c, minlength=len(inst.capacity))
    tight = per_creator[pair_c] > inst.capacity[pair_c]
    rows.grouped("capacity", pair_c[tight], pairs[tight], np.ones(tight.sum()), inst.capacity.astype(float))
    ones = np.ones(n)
    top = inst.top[pair_c]
    for rule, lows, highs, mask in (("creators", inst.prod_min, inst.prod_max, np.ones(n, bool)),
                                    ("Top-KOLs", inst.prod_min_top, inst.prod_max_top, top)):
        has_min = mask & (lows[pair_p] > 0)
        rows.grouped(f"min {rule}", pair_p[has_min], pairs[has_min], ones[has_min], lows.astype(float), sign=-1.0)
        has_max = mask & (highs[pair_p] != NO_LIMIT)
        rows.grouped(f"max {rule}", pair_p[has_max], pairs[has_max], ones[has_max], highs.astype(float))
    if inst.top_share < 1.0:
        rows.one("Top-KOL share", pairs, top_share_coefficients(inst, pair_c, pair_p).astype(float), 0.0)
    for rule in inst.rules:
        rows.one(rule.name, pairs, (rule.coef if outside is None else rule.outside[outside]).astype(float),
                 float(rule.rhs))
    if outside is None and len(inst.locked_pairs):  # x_i >= 1 for a locked pair (never one left out of the pool)
        locked = inst.locked_pairs
        rows.grouped("lock", locked, locked, np.ones(len(locked)), np.ones(n), sign=-1.0)
    if outside is None and len(inst.creator_locks):  # a creator locked for any product: its x sum to 1 or more
        mine = inst.creator_locked_pairs
        rows.grouped("creator lock", pair_c[mine], mine, np.ones(len(mine)), np.ones(len(inst.fee)), sign=-1.0)
    extra = 0
    if inst.exclusivity and layout is None:
        frame = pd.DataFrame({"c": pair_c, "k": inst.prod_category[pair_p],
                              "b": inst.prod_brand[pair_p], "i": pairs})
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


def _system(inst: Instance) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, Layout]:
    rows, extra = _rows(inst)
    c = np.concatenate([inst.value, np.zeros(extra)])
    k = len(inst.penalty_w)
    if k:  # one column z per pair of shared audience, worth -w: x_i + x_j - z <= 1 (z >= 0 from the bounds)
        first = rows.n_cols
        rows.n_cols += k
        rows.add(np.repeat(np.arange(k), 3),
                 np.stack([inst.penalty_i, inst.penalty_j, first + np.arange(k)], axis=1).ravel(),
                 np.tile([1.0, 1.0, -1.0], k), np.ones(k))
        c = np.concatenate([c, -inst.penalty_w])
    a, b = rows.matrix()
    return a, b, c, rows.roles


def system(inst: Instance) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """A, b and c of max c.x, A x <= b, 0 <= x <= 1 for every rule but overlap: the relaxation's, and with
    x integral the MIP's (mip.py). Columns: the pairs, then one per exclusivity group."""
    return _system(inst)[:3]


OUTSIDE_CHUNK = 1_000_000  # pairs left out of the pool priced at once (memory: a few arrays of this many)


def outside_gain(inst: Instance, layout: Layout, y: np.ndarray) -> tuple[float, float]:
    """What the pairs left out of the pool add to the dual bound of the pool's rows (`layout`, dual y of
    those rows, >= 0): sum max(0, d), d = value - A'y for each such pair in the rows of the full model
    that are the pool's (the rest of the full model's rows dropped: a relaxation); and the least
    r = max(0, -d) among them (inf when there are none): a plan booking one is worth at most bound - r."""
    gain, least = 0.0, math.inf
    for start in range(0, len(inst.outside_c), OUTSIDE_CHUNK):
        part = slice(start, start + OUTSIDE_CHUNK)
        rows, _ = _rows(inst, inst.outside_c[part], inst.outside_p[part], layout, part)
        a, _ = rows.matrix()
        d = inst.outside_value[part] - a.T @ y[:a.shape[0]]
        gain += float(np.maximum(d, 0.0).sum())
        least = min(least, float(np.maximum(-d, 0.0).min()))
    return gain, least


def with_overlap(a: sp.csr_matrix, b: np.ndarray, clash: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """A and b with one row x_i + x_j <= 1 for each pair (i, j) of `clash`."""
    k = len(clash)
    rows = sp.csr_matrix((np.ones(2 * k), (np.repeat(np.arange(k), 2), clash.ravel())), shape=(k, a.shape[1]))
    return sp.vstack([a, rows], format="csr"), np.concatenate([b, np.ones(k)])


def usable_dual(y: np.ndarray) -> np.ndarray:
    """y with every entry that is negative or not finite as 0: a dual every bound below may use."""
    return np.maximum(np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0), 0.0)


def dual_bound(a: sp.csr_matrix, b: np.ndarray, c: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The bound b.y + sum max(0, c - A'y) for max c.x, A x <= b, 0 <= x <= 1, from any y (negative
    entries count as 0), and each column's reduced cost r = max(0, A'y - c)."""
    y = usable_dual(y)
    d = c - a.T @ y
    return float(b @ y + np.maximum(d, 0.0).sum()), np.maximum(-d, 0.0)


def _pdlp(a: sp.csr_matrix, b: np.ndarray, c: np.ndarray, seconds: float,
          stop: Callable[[], bool]) -> tuple[int, np.ndarray | None, np.ndarray | None]:
    """One PDLP solve: the termination reason, and the primal and dual solutions when it returned them."""
    params = parameters_pb2.SolveParametersProto(threads=2)
    mathopt.time_limit(params, seconds)
    optimality = params.pdlp.termination_criteria.simple_optimality_criteria
    optimality.eps_optimal_relative, optimality.eps_optimal_absolute = EPS, 0.0
    result = mathopt.solve(mathopt.model(a, b, c), mathopt.PDLP, params, stop)
    found = mathopt.values(result, a.shape[1], a.shape[0])
    return (result.termination.reason, *found) if found else (result.termination.reason, None, None)


def minimum_without_pairs(inst: Instance) -> bool:
    """A product with a minimum but no eligible pair, or a lock on a pair that is not eligible: the LP is
    infeasible, as the model is."""
    wanted = np.nonzero((inst.prod_min > 0) | (inst.prod_min_top > 0))[0]
    return len(np.setdiff1d(wanted, inst.pair_p)) > 0 or bool(inst.unplaced_locks or inst.unplaced_creator_locks)


def relax(inst: Instance, time_limit: float = 60.0, stop: Callable[[], bool] = lambda: False) -> Relaxation:
    """Bound the model by its LP relaxation within `time_limit` seconds (or until `stop()`).

    Round by round: solve with the overlap rows found so far, turn the dual into a bound (the least
    so far is kept), add the overlap rows the solution breaks among the pairs it uses, and again, until it
    breaks none (status "optimal"), or time runs out or a round no longer moves the bound (status
    "partial": the bound still holds)."""
    start = time.perf_counter()
    n = inst.n_pairs
    if n == 0:
        return Relaxation(0.0, np.zeros(0), np.zeros(0), 0.0, 0, "optimal")
    if minimum_without_pairs(inst):
        return Relaxation(math.nan, np.zeros(n), np.zeros(n), 0.0, 0, "infeasible")
    base, b, c, layout = _system(inst)
    clash = np.zeros((0, 2), dtype=np.int64)
    bound, reduced, x, status = math.inf, np.zeros(n), np.zeros(n), "time limit"
    outside = math.inf  # the least reduced cost of a pair left out of the pool, at the best dual
    before = math.inf  # the bound before the last round that added rows
    while True:
        left = time_limit - (time.perf_counter() - start)
        if left <= 0.5 or stop():
            break
        a, rhs = with_overlap(base, b, clash)
        scale = 1.0 / np.maximum(abs(a).max(axis=1).toarray().ravel(), 1e-12)  # rows of norm 1 for PDLP
        reason, primal, dual = _pdlp(sp.diags(scale) @ a, rhs * scale, c, left, stop)
        if reason in mathopt.INFEASIBLE:
            seconds = time.perf_counter() - start
            log.info("LP relaxation: infeasible after %.1f s", seconds)
            return Relaxation(math.nan, np.zeros(n), np.zeros(n), seconds, a.shape[0], "infeasible")
        if primal is None:
            break
        y = usable_dual(dual * scale)
        found, r = dual_bound(a, rhs, c, y)
        gain, least = outside_gain(inst, layout, y) if len(inst.outside_c) else (0.0, math.inf)
        found += gain
        if found < bound:
            bound, reduced, outside = found, r[:n], least
        x = np.clip(primal[:n], 0.0, 1.0)
        pairs = inst.conflict_pairs(among=x > USED)
        load = x[pairs[:, 0]] + x[pairs[:, 1]]
        near = pairs[load > 1.0 - AHEAD]
        if len(clash) and len(near):  # not the rows already in (a stopped round may still break them)
            near = near[~pd.MultiIndex.from_arrays(near.T).isin(pd.MultiIndex.from_arrays(clash.T))]
        broken = (x[near[:, 0]] + x[near[:, 1]] > 1.0 + BROKEN).any()
        status = "optimal" if reason == mathopt.OPTIMAL and not (load > 1.0 + BROKEN).any() else "partial"
        log.info("LP relaxation: bound %.4f (this round %.4f, of it %.4f from pairs left out of the pool) with "
                 "%d overlap rows, %.1f s", bound, found, gain, len(clash), time.perf_counter() - start)
        # stop when none is broken, or when the last round moved the bound by less than the solver's own
        # tolerance: the rest of the time is the search's
        if not broken or before - bound < EPS * abs(bound):
            break
        before, clash = bound, np.concatenate([clash, near])
    seconds = time.perf_counter() - start
    if bound == math.inf:
        return Relaxation(math.nan, np.zeros(n), np.zeros(n), seconds, base.shape[0], status)
    return Relaxation(bound + SAFETY * max(1.0, abs(bound)), x, reduced, seconds, base.shape[0] + len(clash),
                      status, outside)

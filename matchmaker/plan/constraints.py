"""The CP-SAT assignment model, one function per constraint family (listed in CONSTRAINTS).

x[c,p] = 1 when creator c promotes product p; variables exist only for eligible pairs (category,
experience and capacity filters are applied in fit/score.py). Objective: the total value of chosen
pairs. Every float becomes an integer in `to_int`, and nowhere else.

Each constraint function takes a `gate(rule_name)` returning enforcement literals: empty in a
normal solve; in explain.py one switch literal per rule, so CP-SAT can name the rules in conflict.
Each has its twin in the independent checker (check/rules.py: add_budget <-> check_budget, ...).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from ortools.sat.python import cp_model

from .instance import INT_ROOM, MONEY_SCALE, NO_LIMIT, Instance

VALUE_SCALE = 10_000  # value 0.8731 -> 8731

Gate = Callable[[str], list]


def to_int(values: np.ndarray | float, scale: int) -> np.ndarray:
    """The one place floats become CP-SAT integers (rounded to the nearest unit of 1/scale)."""
    return np.rint(np.asarray(values, dtype=float) * scale).astype(np.int64)


def to_ratio(share: float, max_denominator: int = 10**6) -> Fraction:
    """A share as the exact ratio of integers it was written as (0.6667 -> 6667/10000), so a cap in
    the model is neither looser nor stricter than the rule the checker applies. A share that needs a
    larger denominator (1/3 as 0.3333333333333333) is rounded down to 1/max_denominator: never looser."""
    exact = Fraction(repr(float(share)))
    if exact.denominator <= max_denominator:
        return exact
    return Fraction(math.floor(exact * max_denominator), max_denominator)



def _capped(limit: float, fees: np.ndarray) -> int:
    """A money limit in fen, no larger than the total of the fees it bounds (the same rule, small numbers)."""
    return int(min(to_int(limit, MONEY_SCALE), int(fees.sum())))


def no_gate(_: str) -> list:
    return []


def _enforce(ct: cp_model.Constraint, literals: list) -> None:
    if literals:
        ct.only_enforce_if(literals)


def _by(keys: np.ndarray) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        groups[int(key)].append(i)
    return groups


def add_budget(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Total spend (fees and samples) within the campaign budget."""
    fees = to_int(inst.pair_cost, MONEY_SCALE)
    ct = m.add(cp_model.LinearExpr.weighted_sum(x, fees.tolist()) <= _capped(inst.budget, fees))
    _enforce(ct, gate("budget"))


def add_product_budgets(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Each product's spend within its own budget, where one is given."""
    fees = to_int(inst.pair_cost, MONEY_SCALE)
    for p, pairs in _by(inst.pair_p).items():
        if not np.isnan(inst.prod_budget[p]):
            spend = cp_model.LinearExpr.weighted_sum([x[i] for i in pairs], fees[pairs].tolist())
            ct = m.add(spend <= _capped(inst.prod_budget[p], fees[pairs]))
            _enforce(ct, gate(f"product_budget:{p}"))


def add_capacity(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Each creator in at most max_products products."""
    for c, pairs in _by(inst.pair_c).items():
        if len(pairs) > inst.capacity[c]:
            _enforce(m.add(cp_model.LinearExpr.sum([x[i] for i in pairs]) <= int(inst.capacity[c])),
                     gate("capacity"))


def add_product_counts(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Each product gets between min_creators and max_creators creators."""
    pairs_of = _by(inst.pair_p)
    for p in range(len(inst.prod_min)):
        chosen = cp_model.LinearExpr.sum([x[i] for i in pairs_of.get(p, [])])
        if inst.prod_min[p] > 0:
            _enforce(m.add(chosen >= int(inst.prod_min[p])), gate(f"min_creators:{p}"))
        if inst.prod_max[p] != NO_LIMIT:
            _enforce(m.add(chosen <= int(inst.prod_max[p])), gate(f"max_creators:{p}"))


def add_tier_mix(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Top-KOLs per product within min/max_top_kol; Top-KOL share of the spend within the cap."""
    pairs_of = _by(inst.pair_p)
    for p in range(len(inst.prod_min)):
        tops = cp_model.LinearExpr.sum([x[i] for i in pairs_of.get(p, []) if inst.top[inst.pair_c[i]]])
        if inst.prod_min_top[p] > 0:
            _enforce(m.add(tops >= int(inst.prod_min_top[p])), gate(f"min_top_kol:{p}"))
        if inst.prod_max_top[p] != NO_LIMIT:
            _enforce(m.add(tops <= int(inst.prod_max_top[p])), gate(f"max_top_kol:{p}"))
    if inst.top_share < 1.0:
        coeffs = top_share_coefficients(inst)
        _enforce(m.add(cp_model.LinearExpr.weighted_sum(x, coeffs.tolist()) <= 0), gate("top_kol_share"))


def top_share_coefficients(inst: Instance, pair_c: np.ndarray | None = None,
                           pair_p: np.ndarray | None = None) -> np.ndarray:
    """The Top-KOL share cap as one row, coefficients . x <= 0 (the model's, and the LP relaxation's):
    top_spend <= (a/b) * spend  <=>  sum_top (b-a) cost x - sum_alliance a cost x <= 0, costs in fen.
    With `pair_c`, `pair_p`: those pairs' coefficients in the instance's row (the ratio a/b is the instance's)."""
    fees = to_int(inst.pair_cost, MONEY_SCALE)
    share = to_ratio(inst.top_share, max(1, min(10**6, INT_ROOM // max(1, int(fees.sum())))))
    a, b = share.numerator, share.denominator
    if pair_c is None:
        return np.where(inst.top[inst.pair_c], b - a, -a) * fees
    return np.where(inst.top[pair_c], b - a, -a) * to_int(inst.cost(pair_c, pair_p), MONEY_SCALE)


def add_overlap(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Two creators whose audiences overlap too much never share a product."""
    literals = gate("overlap")
    for i, j in inst.conflict_pairs().tolist():
        if literals:
            _enforce(m.add(x[i] + x[j] <= 1), literals)
        else:
            m.add_at_most_one([x[i], x[j]])


def add_exclusivity(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """A creator promotes at most one brand in each category (when exclusivity is on)."""
    if not inst.exclusivity:
        return
    groups: dict[tuple[int, int], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, (c, p) in enumerate(zip(inst.pair_c, inst.pair_p)):
        groups[(int(c), int(inst.prod_category[p]))][int(inst.prod_brand[p])].append(i)
    literals = gate("exclusivity")
    for (c, k), brands in groups.items():
        if len(brands) < 2:
            continue
        uses = []
        for b, pairs in brands.items():
            y = m.new_bool_var(f"brand[c{c},k{k},b{b}]")
            for i in pairs:
                m.add_implication(x[i], y)
            uses.append(y)
        _enforce(m.add(sum(uses) <= 1), literals)


def add_money_rules(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """The plan's expected ROI at least min_roi, its expected CPM at most max_cpm, its expected commission at
    most max_commission (where the campaign sets them): one row each, as Instance.rules gives it."""
    for rule in inst.rules:
        ct = m.add(cp_model.LinearExpr.weighted_sum(x, rule.coef.tolist()) <= rule.rhs)
        _enforce(ct, gate(rule.name))


def add_locks(m: cp_model.CpModel, x: list, inst: Instance, gate: Gate) -> None:
    """Every locked booking is made, and every creator locked for any product is booked for one (a lock no
    eligible pair can keep: no plan)."""
    literals = gate("lock") if inst.has_locks else []
    for i in inst.locked_pairs.tolist():
        _enforce(m.add(x[i] == 1), literals)
    pairs = inst.creator_locked_pairs
    for c in inst.creator_locks.tolist():
        _enforce(m.add_bool_or([x[i] for i in pairs[inst.pair_c[pairs] == c].tolist()]), literals)
    if inst.unplaced_locks or inst.unplaced_creator_locks:
        _enforce(m.add_bool_or([]), literals)


CONSTRAINTS = (add_budget, add_product_budgets, add_capacity, add_product_counts, add_tier_mix,
               add_overlap, add_exclusivity, add_money_rules, add_locks)


def build_model(inst: Instance, gate: Gate = no_gate, objective: bool = True,
                model: cp_model.CpModel | None = None) -> tuple[cp_model.CpModel, list]:
    """The model and its x variables (one per eligible pair, in Instance order)."""
    m = model if model is not None else cp_model.CpModel()
    x = [m.new_bool_var(f"x[{inst.creator_ids[c]},{inst.product_ids[p]}]")
         for c, p in zip(inst.pair_c, inst.pair_p)]
    for add in CONSTRAINTS:
        add(m, x, inst, gate)
    if objective:
        terms, weights = list(x), to_int(inst.value, VALUE_SCALE).tolist()
        for i, j, w in zip(inst.penalty_i.tolist(), inst.penalty_j.tolist(), to_int(inst.penalty_w, VALUE_SCALE)):
            z = m.new_bool_var(f"both[{i},{j}]")  # booked together: the shared audience counted once
            m.add(z >= x[i] + x[j] - 1)
            terms.append(z)
            weights.append(-int(w))
        m.maximize(cp_model.LinearExpr.weighted_sum(terms, weights))
    return m, x

"""Why no plan exists: the rules in conflict, in plain words, with what to relax.

Two steps: quick counting checks that name an obvious cause ("product P3: min 2 Top-KOLs, but only
1 eligible Top-KOL"), then CP-SAT with one switch literal per rule, passed as assumptions, whose
infeasible core names a small set of rules that cannot all hold together.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from ..problems import Message, msg
from .constraints import build_model
from .instance import Instance


def _money(value: float) -> str:
    return f"¥{value:,.0f}"


def quick_checks(inst: Instance) -> list[Message]:
    """Causes visible by counting, one sentence each."""
    reasons: list[Message] = [
        msg("{creator} is locked for {product}, but that pair is not eligible (categories, experience, capacity, "
            "a missing quote, or a ban)", creator=cid, product=pid) for cid, pid in inst.unplaced_locks]
    reasons += [msg("{creator} is locked (for any product), but no product is eligible for it (categories, "
                    "experience, capacity, a missing quote, or a ban)", creator=cid)
                for cid in inst.unplaced_creator_locks]
    cheapest_total = 0.0
    for p, pid in enumerate(inst.product_ids):
        pairs = np.nonzero(inst.pair_p == p)[0]
        creators = inst.pair_c[pairs]
        tops = creators[inst.top[creators]]
        if inst.prod_min[p] > len(creators):
            reasons.append(msg("product {product}: min {need} creators, but only {found} eligible creator(s) "
                               "(category, experience and capacity rules)", product=pid, need=inst.prod_min[p],
                               found=len(creators)))
        if inst.prod_min_top[p] > len(tops):
            reasons.append(msg("product {product}: min {need} Top-KOLs, but only {found} eligible Top-KOL(s)",
                               product=pid, need=inst.prod_min_top[p], found=len(tops)))
        costs = inst.pair_cost[pairs]
        fees = np.sort(costs)
        need = max(inst.prod_min[p], inst.prod_min_top[p])
        if need and len(fees) >= need:
            cheapest = float(np.sort(costs[inst.top[creators]])[:inst.prod_min_top[p]].sum()) + \
                float(fees[:max(0, need - inst.prod_min_top[p])].sum())
            cheapest_total += cheapest
            if not np.isnan(inst.prod_budget[p]) and cheapest > inst.prod_budget[p] + 1e-9:
                reasons.append(msg("product {product}: its minimum creators cost at least {cost}, above its own "
                                   "budget of {budget}", product=pid, cost=_money(cheapest),
                                   budget=_money(inst.prod_budget[p])))
    if cheapest_total > inst.budget + 1e-9 and not reasons:
        reasons.append(msg("the products' minimum creators cost at least {cost} together, above the total budget "
                           "of {budget}", cost=_money(cheapest_total), budget=_money(inst.budget)))
    return reasons


def describe_rule(rule: str, inst: Instance) -> Message:
    kind, _, index = rule.partition(":")
    if not index:
        return {
            "budget": msg("the total budget of {budget}", budget=_money(inst.budget)),
            "capacity": msg("each creator's max products"),
            "top_kol_share": msg("Top-KOLs at most {share:.0%} of the spend", share=inst.top_share),
            "overlap": msg("no two creators with overlapping audiences on one product"),
            "exclusivity": msg("one brand per category for each creator"),
            "lock": msg("the {n} locked booking(s)", n=len(inst.locked_pairs) + len(inst.creator_locks)),
        **{rule.name: _money_rule(rule.name, rule.limit) for rule in inst.rules},
        }[kind]
    p = int(index)
    pid = inst.product_ids[p]
    return {
        "product_budget": msg("product {product}: its budget of {budget}", product=pid,
                              budget=_money(inst.prod_budget[p])),
        "min_creators": msg("product {product}: at least {n} creators", product=pid, n=inst.prod_min[p]),
        "max_creators": msg("product {product}: at most {n} creators", product=pid, n=inst.prod_max[p]),
        "min_top_kol": msg("product {product}: at least {n} Top-KOLs", product=pid, n=inst.prod_min_top[p]),
        "max_top_kol": msg("product {product}: at most {n} Top-KOLs", product=pid, n=inst.prod_max_top[p]),
    }[kind]


def _money_rule(name: str, limit: float) -> Message:
    return {"min_roi": msg("an expected ROI of at least {roi:g}", roi=limit),
            "max_cpm": msg("an expected CPM of at most {cpm}", cpm=_money(limit)),
            "max_commission": msg("expected commission of at most {cap}", cap=_money(limit))}[name]


SUGGESTIONS = {
    "budget": msg("raise the budget"), "product_budget": msg("raise that product's budget"),
    "capacity": msg("let creators take more products"), "min_creators": msg("lower the minimum creators"),
    "max_creators": msg("raise the maximum creators"), "min_top_kol": msg("lower the minimum Top-KOLs"),
    "max_top_kol": msg("raise the maximum Top-KOLs"), "top_kol_share": msg("raise the Top-KOL share cap"),
    "overlap": msg("raise max_overlap"), "exclusivity": msg("turn off exclusivity"),
    "min_roi": msg("lower the ROI floor (min_roi)"), "max_cpm": msg("raise the CPM ceiling (max_cpm)"),
    "max_commission": msg("raise the commission cap (max_commission)"), "lock": msg("unlock some bookings"),
}


def conflicting_rules(inst: Instance, time_limit: float = 10.0) -> list[str]:
    """Rule names (as in model.py's gates) of an infeasible core; [] if none was found in time."""
    model = cp_model.CpModel()
    switches: dict[str, cp_model.IntVar] = {}

    def gate(rule: str) -> list:
        if rule not in switches:
            switches[rule] = model.new_bool_var(f"rule[{rule}]")
        return [switches[rule]]

    build_model(inst, gate=gate, objective=False, model=model)
    model.add_assumptions(list(switches.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    if solver.solve(model) != cp_model.INFEASIBLE:
        return []
    core = set(solver.sufficient_assumptions_for_infeasibility())
    return [rule for rule, lit in switches.items() if lit.index in core]


PRODUCT_FAMILIES = {
    "product_budget": msg("the products' own budgets"), "min_creators": msg("the products' minimum creators"),
    "max_creators": msg("the products' maximum creators"), "min_top_kol": msg("the products' minimum Top-KOLs"),
    "max_top_kol": msg("the products' maximum Top-KOLs"),
}


def _feasible_without(inst: Instance, off: set[str], time_limit: float) -> bool | None:
    """Is there a plan when the rule families in `off` are dropped (None: not decided in time)?"""
    model = cp_model.CpModel()
    never = model.new_constant(0)
    build_model(inst, gate=lambda rule: [never] if rule.partition(":")[0] in off else [], objective=False,
                model=model)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    return None if status == cp_model.UNKNOWN else status != cp_model.INFEASIBLE


def conflicting_families(inst: Instance, time_limit: float = 10.0) -> list[str]:
    """Rule families (budget, min_creators, min_roi, ...) none of which can be dropped without a plan
    appearing: a deletion filter, one quick solve per family, for when the core of single rules is not
    found in time (a ROI floor's row is slow to reason about with assumptions); [] if undecided."""
    families: list[str] = []
    model = cp_model.CpModel()
    build_model(inst, gate=lambda rule: families.append(rule.partition(":")[0]) or [model.new_bool_var("")],
                objective=False, model=model)
    kept = list(dict.fromkeys(families))
    each = time_limit / max(1, len(kept))
    for family in list(kept):
        if _feasible_without(inst, {f for f in families if f not in kept} | {family}, each) is False:
            kept.remove(family)  # still no plan without it: not needed for the conflict
    return kept if _feasible_without(inst, set(families) - set(kept), each) is False else []


def explain(inst: Instance) -> list[Message]:
    """Plain sentences: the obvious causes, else the conflicting rules and what to relax."""
    reasons = quick_checks(inst)
    if reasons:
        return reasons
    rules = conflicting_rules(inst)
    if not rules:
        rules = conflicting_families(inst)
        if rules:
            named = tuple(PRODUCT_FAMILIES.get(r) or describe_rule(r, inst) for r in rules)
            fixes = tuple(sorted({SUGGESTIONS[r] for r in rules}))
            return [msg("these rules cannot all hold together: {rules}. To find a plan, do one of: {fixes}.",
                        rules=named, fixes=fixes)]
    if not rules:
        return [msg("no plan satisfies all the rules together (no smaller set of conflicting rules was found in "
                    "time); try relaxing the budget or the per-product minimums")]
    named = tuple(describe_rule(r, inst) for r in rules)
    fixes = tuple(sorted({SUGGESTIONS[r.partition(':')[0]] for r in rules}))
    return [msg("these rules cannot all hold together: {rules}. To find a plan, do one of: {fixes}.",
                rules=named, fixes=fixes)]

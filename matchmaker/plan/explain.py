"""Why no plan exists: the rules in conflict, in plain words, with what to relax.

Two steps: quick counting checks that name an obvious cause ("product P3: min 2 Top-KOLs, but only
1 eligible Top-KOL"), then CP-SAT with one switch literal per rule, passed as assumptions, whose
infeasible core names a small set of rules that cannot all hold together.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from .constraints import build_model
from .instance import Instance


def _money(value: float) -> str:
    return f"¥{value:,.0f}"


def quick_checks(inst: Instance) -> list[str]:
    """Causes visible by counting, one sentence each."""
    reasons: list[str] = []
    cheapest_total = 0.0
    for p, pid in enumerate(inst.product_ids):
        pairs = np.nonzero(inst.pair_p == p)[0]
        creators = inst.pair_c[pairs]
        tops = creators[inst.top[creators]]
        if inst.prod_min[p] > len(creators):
            reasons.append(f"product {pid}: min {inst.prod_min[p]} creators, but only {len(creators)} "
                           f"eligible creator(s) (category, experience and capacity rules)")
        if inst.prod_min_top[p] > len(tops):
            reasons.append(f"product {pid}: min {inst.prod_min_top[p]} Top-KOLs, but only {len(tops)} "
                           f"eligible Top-KOL(s)")
        fees = np.sort(inst.fee[creators])
        need = max(inst.prod_min[p], inst.prod_min_top[p])
        if need and len(fees) >= need:
            cheapest = float(np.sort(inst.fee[tops])[:inst.prod_min_top[p]].sum()) + \
                float(fees[:max(0, need - inst.prod_min_top[p])].sum())
            cheapest_total += cheapest
            if not np.isnan(inst.prod_budget[p]) and cheapest > inst.prod_budget[p] + 1e-9:
                reasons.append(f"product {pid}: its minimum creators cost at least {_money(cheapest)}, "
                               f"above its own budget of {_money(inst.prod_budget[p])}")
    if cheapest_total > inst.budget + 1e-9 and not reasons:
        reasons.append(f"the products' minimum creators cost at least {_money(cheapest_total)} "
                       f"together, above the total budget of {_money(inst.budget)}")
    return reasons


def describe_rule(rule: str, inst: Instance) -> str:
    kind, _, index = rule.partition(":")
    pid = inst.product_ids[int(index)] if index else ""
    p = int(index) if index else 0
    return {
        "budget": f"the total budget of {_money(inst.budget)}",
        "product_budget": f"product {pid}: its budget of {_money(inst.prod_budget[p])}" if index else "",
        "capacity": "each creator's max products",
        "min_creators": f"product {pid}: at least {inst.prod_min[p]} creators" if index else "",
        "max_creators": f"product {pid}: at most {inst.prod_max[p]} creators" if index else "",
        "min_top_kol": f"product {pid}: at least {inst.prod_min_top[p]} Top-KOLs" if index else "",
        "max_top_kol": f"product {pid}: at most {inst.prod_max_top[p]} Top-KOLs" if index else "",
        "top_kol_share": f"Top-KOLs at most {inst.top_share:.0%} of the spend",
        "overlap": "no two creators with overlapping audiences on one product",
        "exclusivity": "one brand per category for each creator",
    }[kind]


SUGGESTIONS = {
    "budget": "raise the budget", "product_budget": "raise that product's budget",
    "capacity": "let creators take more products", "min_creators": "lower the minimum creators",
    "max_creators": "raise the maximum creators", "min_top_kol": "lower the minimum Top-KOLs",
    "max_top_kol": "raise the maximum Top-KOLs", "top_kol_share": "raise the Top-KOL share cap",
    "overlap": "raise max_overlap", "exclusivity": "turn off exclusivity",
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


def explain(inst: Instance) -> list[str]:
    """Plain sentences: the obvious causes, else the conflicting rules and what to relax."""
    reasons = quick_checks(inst)
    if reasons:
        return reasons
    rules = conflicting_rules(inst)
    if not rules:
        return ["no plan satisfies all the rules together (no smaller set of conflicting rules was "
                "found in time); try relaxing the budget or the per-product minimums"]
    named = "; ".join(describe_rule(r, inst) for r in rules)
    fixes = sorted({SUGGESTIONS[r.partition(':')[0]] for r in rules})
    return [f"these rules cannot all hold together: {named}. To find a plan: {', or '.join(fixes)}."]

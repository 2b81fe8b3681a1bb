"""What-if on a prepared campaign, with no embedding, scoring or overlap estimate done again (docs,
"What-if"): the value/budget frontier, the overlap-threshold sweep, and what each rule costs (the plan's value
with that rule relaxed, less the plan's value). Each point keeps its plan (an Outcome), so a chart can show it.

Rules that decide which pairs are eligible (categories, minimum experience) are fixed when the campaign is
prepared: relaxing them means preparing again, so they are not among the rules costed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from ..fit.overlap import conflicts, forbidding_limit
from ..outcome import Outcome
from ..pipeline import Prepared, solve

SWEEPS = ("budget", "overlap", "rules")
MAX_POINTS = 50  # points in one sweep (each is a solve)


@dataclass(frozen=True)
class Point:
    sweep: str  # budget, overlap or rules
    setting: str  # the budget, the threshold, or the rule relaxed ("(none)": the campaign as it is)
    outcome: Outcome


def points_table(points: Sequence[Point]) -> pd.DataFrame:
    """One row per point: its setting, status, value, bound, gap, spend, expected GMV, bookings; for the rules
    sweep, rule_cost (what the rule costs: the value with it relaxed, less the campaign's)."""
    rows = []
    for point in points:
        s = point.outcome.summary()
        rows.append({"sweep": point.sweep, "setting": point.setting, "status": s["status"], "value": s["objective"],
                     "bound": s["best_bound"], "gap": s["gap"], "spend": s["budget_used"],
                     "gmv": s["expected"]["gmv"], "bookings": s["bookings"]})
    table = pd.DataFrame(rows, columns=["sweep", "setting", "status", "value", "bound", "gap", "spend", "gmv",
                                        "bookings"])
    rules = table["sweep"] == "rules"
    if rules.any():
        base = table.loc[rules & (table["setting"] == "(none)"), "value"]
        table.loc[rules, "rule_cost"] = table.loc[rules, "value"] - (base.iloc[0] if len(base) else float("nan"))
    return table


def budget_sweep(prepared: Prepared, budgets: Sequence[float], **solve_args: Any) -> list[Point]:
    """The best plan at each budget (the frontier)."""
    return [Point("budget", f"{b:g}", solve(prepared, {"campaign.budget": float(b)}, **solve_args))
            for b in _few(budgets)]


def with_max_overlap(prepared: Prepared, threshold: float, pairs: pd.DataFrame | None = None) -> Prepared:
    """The prepared campaign with another overlap threshold: its conflicts (and, for reach, the shared
    audiences) split again from `pairs`, the overlaps above the lowest threshold asked for (conflicts())."""
    pairs = prepared.conflicts if pairs is None else pairs
    config = prepared.config.override(**{"campaign.max_overlap": float(threshold)})
    shared = prepared.shared
    # an estimate forbids a pair only where it is confidently above the threshold (fit/overlap.py)
    limit = forbidding_limit(prepared.data, threshold)
    if shared is not None:  # the reach objective: shared audiences at or below the threshold count once
        pool = pd.concat([shared[["a", "b", "overlap"]], pairs[["a", "b", "overlap"]]], ignore_index=True)
        shared = pool[pool["overlap"] <= limit].drop_duplicates(["a", "b"]).reset_index(drop=True)
    clash = pairs[pairs["overlap"] > limit].reset_index(drop=True)
    return replace(prepared, config=config, conflicts=clash, shared=shared)


def overlap_sweep(prepared: Prepared, thresholds: Sequence[float], **solve_args: Any) -> list[Point]:
    """The best plan at each max_overlap: the overlaps above the lowest threshold are found once."""
    thresholds = _few(thresholds)
    lowest = min(thresholds, default=prepared.config.campaign.max_overlap)
    pairs = prepared.conflicts
    if lowest < prepared.config.campaign.max_overlap:
        among = pd.unique(prepared.candidates["c"].to_numpy(int))
        pairs = conflicts(prepared.data, lowest, among=among, niche_users=prepared.config.campaign.niche_users)
    return [Point("overlap", f"{t:g}", solve(with_max_overlap(prepared, t, pairs), **solve_args)) for t in thresholds]


def _relaxations(prepared: Prepared) -> dict[str, Callable[[Prepared], tuple[Prepared, dict]]]:
    """The campaign's active rules, each with how to relax it on the prepared campaign."""
    data, campaign = prepared.data, prepared.config.campaign
    products = data.products
    out: dict[str, Callable[[Prepared], tuple[Prepared, dict]]] = {}
    if len(prepared.conflicts):
        out["overlap rule"] = lambda p: (with_max_overlap(p, 1.0), {})
    if campaign.top_kol_max_share < 1:
        out["Top-KOL share cap"] = lambda p: (p, {"campaign.top_kol_max_share": 1.0})
    if campaign.exclusivity:
        out["exclusivity"] = lambda p: (p, {"campaign.exclusivity": False})
    for key, name in (("min_roi", "ROI floor"), ("max_cpm", "CPM ceiling"), ("max_commission", "commission cap")):
        if getattr(campaign, key):
            out[name] = lambda p, key=key: (p, {f"campaign.{key}": 0.0})
    for columns, name, blank in ((("min_creators", "min_top_kol"), "per-product minimums", pd.array([0], "Int64")),
                                 (("max_creators", "max_top_kol"), "per-product maximums", pd.array([pd.NA], "Int64")),
                                 (("budget",), "per-product budgets", pd.array([float("nan")], "float64"))):
        if any(products[c].notna().any() and (products[c].fillna(0) > 0).any() for c in columns):
            out[name] = lambda p, columns=columns, blank=blank: (
                _with_products(p, {c: blank for c in columns}), {})
    if data.locks is not None and len(data.locks):
        out["locks"] = lambda p: (replace(p, data=p.data.replace(locks=None)), {})
    if data.bans:
        out["bans"] = lambda p: (replace(p, data=p.data.replace(bans=())), {})
    return out


def _with_products(prepared: Prepared, values: dict[str, Any]) -> Prepared:
    """The prepared campaign with each of its products' `values` (column -> a one-item array: value and dtype)."""
    products = prepared.data.products.copy()
    for column, value in values.items():
        products[column] = pd.Series(value.repeat(len(products)), index=products.index)
    return replace(prepared, data=prepared.data.replace(products=products))


def rule_costs(prepared: Prepared, **solve_args: Any) -> list[Point]:
    """The campaign as it is, then each active rule relaxed in turn."""
    points = [Point("rules", "(none)", solve(prepared, **solve_args))]
    for name, relax in _relaxations(prepared).items():
        relaxed, changes = relax(prepared)
        points.append(Point("rules", name, solve(relaxed, changes, **solve_args)))
    return points


def _few(values: Sequence[float]) -> list[float]:
    values = sorted(dict.fromkeys(float(v) for v in values))
    if len(values) > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} points in a sweep, got {len(values)}")
    return values

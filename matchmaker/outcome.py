"""The outcome of a solve: the plan, why the search stopped, the bound, and what the plan costs."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .check import check_plan
from .config import Config
from .data import ProblemData
from .fit.economics import bookings_range
from .fit.overlap import overlap_rows, unique_reach
from .plan.instance import Instance
from .plan.result import SolveResult
from .problems import Message, msg

CONCENTRATION = 0.2  # a booking above this share of the spend is said to carry the campaign


def _number(value: float, digits: int) -> float | None:
    """Rounded for a summary; None (JSON null) when unknown."""
    return None if math.isnan(value) else round(value, digits)


@dataclass(frozen=True)
class Outcome:
    data: ProblemData
    config: Config  # the campaign as solved (the prepared config with the solve's changes)
    candidates: pd.DataFrame  # every eligible pair with value and components; "chosen" marks the plan
    conflicts: pd.DataFrame  # creator pairs above max_overlap, as the model used them
    instance: Instance
    result: SolveResult
    reasons: tuple[str, ...] = ()  # why no plan exists (or why it books no one)
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # products no creator may promote, with the closest creator categories
    capped: int = 0  # eligible pairs left out for costing above max_booking_share of the budget

    @property
    def plan(self) -> pd.DataFrame:
        return self.candidates[self.candidates["chosen"]].reset_index(drop=True)

    def violations(self) -> list[str]:
        """The rules the plan breaks, by the independent checker (re-run on every call)."""
        return check_plan(self.plan, self.data, self.config)

    def is_feasible(self) -> bool:
        """A plan exists and the independent checker finds it keeps every rule."""
        return self.result.has_plan and not self.violations()

    def booked_overlaps(self) -> pd.DataFrame:
        """Every overlap above 0 among the booked creators (a, b positions, overlap), given or estimated."""
        return overlap_rows(self.data, 0.0, among=np.unique(self.plan["c"].to_numpy(int)),
                            niche_users=self.config.campaign.niche_users)

    def estimated_reach(self) -> float:
        """The booked creators' estimated unique audience (fit.overlap.unique_reach; docs, "The app")."""
        booked = np.unique(self.plan["c"].to_numpy(int))
        pairs = self.booked_overlaps()
        local = np.searchsorted(booked, pairs[["a", "b"]].to_numpy(int)) if len(pairs) else np.zeros((0, 2), int)
        among = pd.DataFrame({"a": local[:, 0], "b": local[:, 1], "overlap": pairs["overlap"].to_numpy(float)})
        return unique_reach(self.data.creators["followers"].to_numpy(float)[booked], among)

    def money(self) -> dict[str, Any]:
        """The plan's expected figures (fit/economics.py): views, orders, GMV with its likely (80%) range
        (economics.total_range), cash (fees and samples), commission, cost, ROI (GMV / cost) and profit."""
        plan = self.plan
        total = {k: float(plan[k].sum()) if k in plan and len(plan) else 0.0
                 for k in ("views", "orders", "gmv", "gmv_low", "gmv_high", "cash", "commission", "commission_low",
                           "commission_high", "cost", "profit", "profit_low")}
        if len(plan) and total["gmv"] > 0:
            low, high = self.gmv_range(plan)
            total.update(gmv_low=low, gmv_high=high, commission_low=total["commission"] * low / total["gmv"],
                         commission_high=total["commission"] * high / total["gmv"])
        cost = total["cost"]

        def ratio(gmv: float, commission: float) -> float | None:  # commission moves with the GMV
            return round(gmv / (total["cash"] + commission), 3) if cost > 0 else None

        return {**{k: round(v, 2) for k, v in total.items()},
                "roi": ratio(total["gmv"], total["commission"]),
                "roi_low": ratio(total["gmv_low"], total["commission_low"]),
                "roi_high": ratio(total["gmv_high"], total["commission_high"]),
                "cpm": round(1000 * cost / total["views"], 2) if total["views"] > 0 else None,
                "priced": bool(len(plan)) and bool(self.data.products["price"].notna().to_numpy()[plan["p"]].all())}

    def gmv_range(self, bookings: pd.DataFrame) -> tuple[float, float]:
        """The likely (80%) range of these bookings' total GMV (economics.bookings_range)."""
        return bookings_range(self.data, bookings)

    def cautions(self) -> tuple[Message, ...]:
        """What a marketer must know before banking on the plan's figures, in words: a plan (or bookings)
        expected to lose money, one booking carrying the campaign, and figures that are stand-ins for data."""
        plan, out = self.plan, []
        if not len(plan):
            return ()
        e = self.money()
        unpriced = int((~(self.data.products["price"].to_numpy(float) > 0)).sum())
        if self.config.economics.objective == "fit" and unpriced:
            out.append(msg("the plan maximises the fit score: {n} of {total} products have no price, so expected GMV "
                           "and profit are unknown (give prices to plan for money)", n=unpriced,
                           total=self.data.n_products))
        if e["priced"] and e["roi"] is not None and e["roi"] < 1:
            out.append(msg("the plan is expected to lose money: expected GMV ¥{gmv:,.0f} for a cost of ¥{cost:,.0f} "
                           "(ROI {roi:.2f}); set a minimum ROI of 1 (min_roi) or maximise expected profit to keep "
                           "only bookings expected to pay back", gmv=e["gmv"], cost=e["cost"], roi=e["roi"]))
        losing = plan["roi"].to_numpy(float) < 1
        if e["priced"] and losing.any():
            out.append(msg("{n} of {total} bookings are expected to return less than they cost (¥{spend:,.0f} of "
                           "spend)", n=int(losing.sum()), total=len(plan), spend=float(plan["cash"][losing].sum())))
        spend = float(plan["cash"].sum())
        budget = self.config.campaign.budget
        if self.config.economics.objective == "profit" and budget > 0 and spend < 0.8 * budget:
            out.append(msg("¥{left:,.0f} of the budget is left unspent: no other booking is expected to add profit at "
                           "these figures; give conversion data or run a pilot, or maximise expected GMV to spend "
                           "it", left=budget - spend))
        top = int(plan["cash"].to_numpy(float).argmax())
        if spend > 0 and len(plan) > 1 and plan["cash"].iloc[top] > CONCENTRATION * spend:
            out.append(msg("one booking ({creator} for {product}) takes {share:.0%} of the spend: the campaign's "
                           "result rides on it", creator=str(plan["creator_id"].iloc[top]),
                           product=self.data.product_label(plan["product_id"].iloc[top]),
                           share=float(plan["cash"].iloc[top]) / spend))
        if "views_from" in plan:
            peers = plan["views_from"].astype(str).isin(("peers", "none")).to_numpy()
            if peers.any():
                out.append(msg("{n} bookings are of creators with no views or followers in the export: their views "
                               "are their tier's lower quartile, a stand-in with a wide range, not data",
                               n=int(peers.sum())))
            source = plan["conversion_from"].astype(str)
            default = (source == "default").to_numpy()
            if default.any():
                out.append(msg("the conversion of {n} of {total} bookings is the default prior ({rate:.2%} of views "
                               "become orders), not data: give products a conversion rate, the campaign a "
                               "[conversion] table by category, or run a pilot", n=int(default.sum()), total=len(plan),
                               rate=self.config.economics.conversion))
            moved = (source == "default + history").to_numpy()
            if moved.any():
                out.append(msg("the conversion of {n} of {total} bookings is the default prior ({rate:.2%} of views "
                               "become orders) moved by each creator's sales history against its peers: the level is "
                               "still the default's; give products a conversion rate or run a pilot",
                               n=int(moved.sum()), total=len(plan), rate=self.config.economics.conversion))
        if self.data.overlaps is None and len(self.conflicts):
            out.append(msg("audience overlaps are estimated from categories and audience shares, not measured: "
                           "{n:,} creator pairs were kept apart on the estimate", n=len(self.conflicts)))
        return tuple(out)

    def summary(self) -> dict[str, Any]:
        """Status, whose plan, objective, proved bound and gap (null when nothing was proved), budget
        used, spend by tier and by product, sizes and stage times."""
        r, plan = self.result, self.plan
        budget = self.config.campaign.budget
        spend = float(plan["cash"].sum())
        tiers = self.data.creators["tier"].to_numpy(object)[plan["c"].to_numpy(int)]
        by_tier = {t: float(plan["cash"][tiers == t].sum()) for t in ("top_kol", "alliance")}
        by_product = {str(k): float(v) for k, v in plan.groupby("product_id")["cash"].sum().sort_index().items()}
        money = plan.groupby("product_id")[["gmv", "gmv_low", "gmv_high", "cost", "profit"]].sum().sort_index() \
            if len(plan) and "gmv" in plan else pd.DataFrame()
        ranges = {str(k): self.gmv_range(group) for k, group in plan.groupby("product_id")} if len(money) else {}
        expected_by_product = {str(k): {"gmv": round(r.gmv, 2), "gmv_low": round(ranges[str(k)][0], 2),
                                        "gmv_high": round(ranges[str(k)][1], 2), "cost": round(r.cost, 2),
                                        "profit": round(r.profit, 2),
                                        "roi": round(r.gmv / r.cost, 3) if r.cost > 0 else None}
                               for k, r in money.iterrows()}
        return {
            "campaign": self.config.campaign.name,
            "objective_kind": self.config.economics.objective,  # what "objective" measures: fit, gmv, profit, reach
            "conservative": self.config.economics.conservative,  # gmv or profit at the low end of its range
            # reach: a product's audience shared below max_overlap counted once (or, on a very large campaign, twice)
            "shared_audience": "counted once" if self.instance.shared_known else "counted twice",
            "status": str(r.status),
            "plan_from": str(r.source),
            "objective": round(r.objective, 6),
            "fit_score": round(float(plan["fit"].sum()), 6),  # the plan's total fit, whatever it maximised
            "best_bound": _number(r.bound, 6),
            "gap": _number(r.gap, 6),
            "bound_from": r.bound_from or None,  # "cp-sat" (the search proved it) or "lp" (the LP relaxation)
            "searched_pairs": r.searched_pairs,
            "greedy_value": round(r.greedy_value, 6),
            "seconds": round(r.seconds, 3),
            "budget": budget,
            "budget_used": round(spend, 2),
            "budget_used_share": round(spend / budget, 4) if budget else 0.0,
            "bookings": int(len(plan)),
            "creators_booked": int(plan["creator_id"].nunique()),
            "estimated_unique_reach": round(self.estimated_reach()),
            "expected": self.money(),
            "spend_by_tier": by_tier,
            "spend_by_product": by_product,
            "expected_by_product": expected_by_product,  # per product: GMV with its range, cost, profit, ROI
            "eligible_pairs": int(len(self.candidates) + len(self.instance.outside_c) + self.capped),
            "capped_pairs": int(self.capped),  # above max_booking_share of the budget: never booked
            "left_out_pairs": int(len(self.instance.outside_c)),  # not in the pool (never booked; in the bound)
            "overlap_conflicts": int(len(self.conflicts)),
            "overlap_source": "table" if self.data.overlaps is not None else "estimated",
            "why_no_plan": list(self.reasons),
            "cautions": list(self.cautions()),  # the plan's figures a marketer must not bank on blindly
            "products_without_creators": list(self.notes),
            "warnings": len(self.data.warnings),
            "stage_seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }

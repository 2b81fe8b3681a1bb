"""The independent plan checker, one check per rule family. It shares no code with the model, the
greedy plan or scoring: it reads the validated tables and the plan and re-derives every rule with
plain Python. Each check has its twin constraint in plan/constraints.py (check_budget <-> add_budget,
...), listed in the same order in CHECKS; the tests hold the two lists one to one.

check_plan returns a list of violations (empty = the plan keeps every rule). A plan is written only
after it passes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pandas as pd

from ..config import Config
from ..data import ProblemData
from .overlap import Overlaps, text_key

MONEY_TOLERANCE = 0.01  # CNY per booked slot: the model counts money in whole fen
OVERLAP_TOLERANCE = 1e-6  # the solver's overlap estimate is computed in float32


class Booked:
    """The plan and the tables, indexed for the checks: rows (creator_id, product_id), fees, tiers."""

    def __init__(self, plan: pd.DataFrame, data: ProblemData, config: Config):
        self.data, self.config, self.campaign = data, config, config.campaign
        # only the booked creators' rows (a plan is small, a creator table may have a million rows)
        creators = data.creators[data.creators["creator_id"].isin(plan["creator_id"])]
        self.creators = creators.set_index("creator_id")
        self.booked = creators
        self.products = data.products.set_index("product_id")
        self.rows = list(zip(plan["creator_id"], plan["product_id"]))
        self.plan = plan
        known = [cid for cid, _ in self.rows if cid in self.creators.index]  # check_bookings names the rest
        deals = data.deals
        self.deals = {} if deals is None else {(r["creator_id"], r["product_id"]): r for r in deals.to_dict("records")}
        self.fee = {(cid, pid): self._fee_paid(cid, pid) for cid, pid in self.rows if cid in self.creators.index}
        self.top = {cid: self.creators.at[cid, "tier"] == "top_kol" for cid in known}
        self.by_product: dict[str, list[str]] = defaultdict(list)
        for cid, pid in self.rows:
            self.by_product[pid].append(cid)

    def _term(self, cid: str, pid: str, name: str) -> object:
        """A term of booking cid for pid: the pair's deal's where it gives one, else the creator's."""
        deal = self.deals.get((cid, pid))
        if deal is not None and not pd.isna(deal[name]) and deal[name] != "":
            return deal[name]
        return self.creators.at[cid, name]

    def _fee_paid(self, cid: str, pid: str) -> float:
        """The quote less the agency's rebate; nothing on a commission-only deal (nan: no quote)."""
        if self._term(cid, pid, "pricing") == "commission":
            return 0.0
        rebate = self._term(cid, pid, "rebate")
        return float(self._term(cid, pid, "fee")) * (1.0 - (0.0 if pd.isna(rebate) else float(rebate)))

    def cost(self, cid: str, pid: str) -> float:
        """What booking cid for pid costs in cash: the fee paid and the product's sample."""
        sample = self.products.at[pid, "sample_cost"]
        return self.fee[(cid, pid)] + (0.0 if pd.isna(sample) else float(sample))

    @property
    def spend(self) -> float:
        return sum(self.cost(cid, pid) for cid, pid in self.rows)

    def slack(self, bookings: int) -> float:
        return MONEY_TOLERANCE * bookings


def check_bookings(b: Booked) -> list[str]:
    """Every booking names a known creator and product, once."""
    out = [f"unknown creator {cid}" for cid, _ in b.rows if cid not in b.creators.index]
    out += [f"unknown product {pid}" for _, pid in b.rows if pid not in b.products.index]
    out += [f"{cid} booked {n} times for {pid}" for (cid, pid), n in Counter(b.rows).items() if n > 1]
    return out


# Levels inside one category (docs, "The model"): > ＞ › » → / ／, a dash with spaces around it, or a dash
# between Chinese characters. Written here again, apart from inputs/parse.py, on purpose.
_LEVEL_BREAK = re.compile(r"\s*[>＞›»→/／]\s*|\s+[-－—]\s+|(?<=[\u4e00-\u9fff])[-－—](?=[\u4e00-\u9fff])")


def _levels(category: object) -> list[str]:
    return [key for key in (text_key(part) for part in _LEVEL_BREAK.split(str(category))) if key]


def _related(product: list[str], creator: list[str]) -> bool:
    """One category path is the other's ancestor (or equal), or both end in the same leaf."""
    n = min(len(product), len(creator))
    return n > 0 and (product[:n] == creator[:n] or product[-1] == creator[-1])


def check_eligibility(b: Booked) -> list[str]:
    """Only eligible pairs: listed in the pairs table, or with a creator category related to the
    product's (or to one the config's category map allows for it); never a creator below the minimum
    experience score."""
    out = []
    mapped = {text_key(k): [_levels(v) for v in vs] for k, vs in b.config.categories.items()}
    pairs = b.data.pairs
    if pairs is not None:  # the listed pairs among the booked creators
        pairs = pairs[pairs["creator_id"].isin(b.creators.index)]
    listed = set(zip(pairs["creator_id"], pairs["product_id"])) if pairs is not None else None
    for cid, pid in b.rows:
        if listed is not None:
            if (cid, pid) not in listed:
                out.append(f"{cid} -> {pid} is not in the pairs table")
        else:
            category = b.products.at[pid, "category"]
            wanted = [_levels(category), *mapped.get(text_key(category), [])]
            if not any(_related(w, _levels(k)) for w in wanted for k in b.creators.at[cid, "categories"]):
                out.append(f"{cid} -> {pid}: category {category!r} is not related to the creator's "
                           f"{list(b.creators.at[cid, 'categories'])}")
        if pd.isna(b.fee[(cid, pid)]):
            out.append(f"{cid}: no fee (quote) and not a commission-only deal, so never bookable")
        score = b.creators.at[cid, "experience_score"]
        if not pd.isna(score) and score < b.campaign.min_experience:
            out.append(f"{cid}: experience {score} below the minimum {b.campaign.min_experience}")
    return out


def check_budget(b: Booked) -> list[str]:
    spend = b.spend
    if spend > b.campaign.budget + b.slack(len(b.rows)):
        return [f"total spend {spend:,.2f} above the budget {b.campaign.budget:,.2f}"]
    return []


def check_product_budgets(b: Booked) -> list[str]:
    out = []
    for pid, who in b.by_product.items():
        cap = b.products.at[pid, "budget"]
        spend = sum(b.cost(cid, pid) for cid in who)
        if not pd.isna(cap) and spend > cap + b.slack(len(who)):
            out.append(f"{pid}: spend {spend:,.2f} above its budget {cap:,.2f}")
    return out


def check_capacity(b: Booked) -> list[str]:
    out = []
    for cid, n in Counter(cid for cid, _ in b.rows).items():
        cap = int(b.creators.at[cid, "max_products"])
        if n > cap:
            out.append(f"{cid} has {n} products, max {cap}")
    return out


def _within(pid: str, label: str, have: int, lo: object, hi: object) -> list[str]:
    out = []
    if not pd.isna(lo) and have < lo:
        out.append(f"{pid}: {have} {label}, min {lo}")
    if not pd.isna(hi) and have > hi:
        out.append(f"{pid}: {have} {label}, max {hi}")
    return out


def check_product_counts(b: Booked) -> list[str]:
    out = []
    for pid, p in b.products.iterrows():
        out += _within(pid, "creators", len(b.by_product.get(pid, [])), p["min_creators"], p["max_creators"])
    return out


def check_tier_mix(b: Booked) -> list[str]:
    out = []
    for pid, p in b.products.iterrows():
        tops = sum(1 for cid in b.by_product.get(pid, []) if b.top[cid])
        out += _within(pid, "Top-KOLs", tops, p["min_top_kol"], p["max_top_kol"])
    share = b.campaign.top_kol_max_share
    spend = b.spend
    top_spend = sum(b.cost(cid, pid) for cid, pid in b.rows if b.top[cid])
    if share < 1 and top_spend > share * spend + b.slack(len(b.rows)):
        out.append(f"Top-KOL spend {top_spend:,.2f} is above {share:.0%} of the spend {spend:,.2f}")
    return out


def check_overlap(b: Booked) -> list[str]:
    """No two creators of one product above max_overlap, with overlaps recomputed from the data (an estimate
    breaks the rule only when its 80% lower end is above max_overlap)."""
    overlap = Overlaps(b.data, b.booked, b.campaign.niche_users)
    limit, out = b.campaign.max_overlap, []
    for pid, who in b.by_product.items():
        for i, first in enumerate(who):
            for second in who[i + 1:]:
                broken, value = overlap.breaks(first, second, limit + OVERLAP_TOLERANCE)
                if broken:
                    out.append(f"{pid}: {first} and {second} share too much audience "
                               f"({value:.3f} > {limit}{', estimated' if overlap.estimated else ''})")
    return out


def check_exclusivity(b: Booked) -> list[str]:
    if not b.campaign.exclusivity:
        return []
    brands: dict[tuple[str, str], set[str]] = defaultdict(set)
    for cid, pid in b.rows:
        brands[(cid, text_key(b.products.at[pid, "category"]))].add(text_key(b.products.at[pid, "brand"]))
    return [f"{cid} promotes {len(names)} brands in category {cat}: {sorted(names)}"
            for (cid, cat), names in brands.items() if len(names) > 1]


def check_money_rules(b: Booked) -> list[str]:
    """The plan's expected ROI, CPM and commission within the campaign's rules. The expected GMV, commission
    and views of each booking are the plan's own figures (the predictions, like the fit scores, are what
    the plan is checked against); the cash is derived here, as for the budget."""
    c = b.campaign
    rules = {"min_roi": c.min_roi, "max_cpm": c.max_cpm, "max_commission": c.max_commission}
    if not any(rules.values()) or not b.rows:
        return []
    missing = [k for k in ("gmv", "commission", "views") if k not in b.plan]
    if missing:
        return [f"the plan has no expected {', '.join(missing)} per booking, so its money rules cannot be checked"]
    gmv, commission, views = (float(b.plan[k].astype(float).sum()) for k in ("gmv", "commission", "views"))
    cost = b.spend + commission
    slack = b.slack(len(b.rows))
    out = []
    if c.min_roi > 0 and gmv < c.min_roi * cost - slack * (1 + c.min_roi):
        out.append(f"expected ROI {gmv / cost if cost else float('inf'):.4f} (GMV {gmv:,.2f} / cost {cost:,.2f}) "
                   f"below the floor {c.min_roi}")
    if c.max_cpm > 0 and 1000 * cost > c.max_cpm * views + 1000 * slack:
        cpm = f"{1000 * cost / views:,.2f}" if views else "unbounded (no views)"
        out.append(f"expected CPM {cpm} (cost {cost:,.2f} for {views:,.0f} views) above the ceiling {c.max_cpm}")
    if c.max_commission > 0 and commission > c.max_commission + slack:
        out.append(f"expected commission {commission:,.2f} above the cap {c.max_commission:,.2f}")
    return out


def check_locks(b: Booked) -> list[str]:
    """Every locked booking made (a lock without a product: the creator booked for one); no banned creator
    booked."""
    made, creators = set(b.rows), {cid for cid, _ in b.rows}
    locks = b.data.locks
    pairs = zip(locks["creator_id"], locks["product_id"]) if locks is not None else ()
    out = [f"{cid} -> {pid or 'any product'} is locked but not booked" for cid, pid in pairs
           if (cid not in creators if pid == "" else (cid, pid) not in made)]
    banned = set(b.data.bans)
    return out + [f"{cid} is banned but booked for {pid}" for cid, pid in b.rows if cid in banned]


# One check per constraint family of the model, in the same order as plan.constraints.CONSTRAINTS.
CHECKS = (check_budget, check_product_budgets, check_capacity, check_product_counts, check_tier_mix,
          check_overlap, check_exclusivity, check_money_rules, check_locks)


def check_booking_share(b: Booked) -> list[str]:
    """No booking costs more than max_booking_share of the budget, unless it is locked (a user's choice)."""
    share = b.campaign.max_booking_share
    if share >= 1:
        return []
    locked = set() if b.data.locks is None else set(b.data.locks["creator_id"])
    cap = share * b.campaign.budget
    return [f"{cid} for {pid} costs {b.cost(cid, pid):,.2f}, above {share:.0%} of the budget ({cap:,.2f})"
            for cid, pid in b.rows if cid not in locked and b.cost(cid, pid) > cap + b.slack(1)]


def check_plan(plan: pd.DataFrame, data: ProblemData, config: Config) -> list[str]:
    """plan: creator_id, product_id (one row per booking). Every rule the plan breaks, in words."""
    booked = Booked(plan, data, config)
    out = check_bookings(booked)
    if out:
        return out
    out += check_eligibility(booked) + check_booking_share(booked)
    for check in CHECKS:
        out += check(booked)
    return out

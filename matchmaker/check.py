"""An independent plan checker. It shares no code with the model, greedy or scoring: it reads the
validated tables and the plan, and re-derives every rule from them with plain pandas and Python.

check_plan returns a list of violations (empty = the plan keeps every rule). A plan is written only
after it passes.
"""

from __future__ import annotations

from collections import Counter, defaultdict

import pandas as pd

from .config import Config
from .data import ProblemData

MONEY_TOLERANCE = 0.01  # CNY per booked slot: the model counts money in whole fen


def _key(text: str) -> str:
    return "".join(str(text).split()).casefold()


def check_plan(plan: pd.DataFrame, data: ProblemData, config: Config,
               overlaps: pd.DataFrame) -> list[str]:
    """plan: creator_id, product_id (one row per booking). overlaps: creator_a, creator_b, overlap."""
    out: list[str] = []
    creators = data.creators.set_index("creator_id")
    products = data.products.set_index("product_id")
    camp = config.campaign
    rows = list(zip(plan["creator_id"], plan["product_id"]))
    for cid, pid in rows:
        if cid not in creators.index:
            out.append(f"unknown creator {cid}")
        if pid not in products.index:
            out.append(f"unknown product {pid}")
    if out:
        return out
    for (cid, pid), n in Counter(rows).items():
        if n > 1:
            out.append(f"{cid} booked {n} times for {pid}")

    # eligibility: pairs table, or category (with the config's category map); experience
    mapped = {_key(k): {_key(v) for v in vs} for k, vs in config.categories.items()}
    listed = set(zip(data.pairs["creator_id"], data.pairs["product_id"])) if data.pairs is not None else None
    for cid, pid in rows:
        if listed is not None:
            if (cid, pid) not in listed:
                out.append(f"{cid} -> {pid} is not in the pairs table")
        else:
            wanted = {_key(products.at[pid, "category"])} | mapped.get(_key(products.at[pid, "category"]), set())
            if not wanted & {_key(k) for k in creators.at[cid, "categories"]}:
                out.append(f"{cid} -> {pid}: category {products.at[pid, 'category']!r} is not among "
                           f"the creator's {list(creators.at[cid, 'categories'])}")
        score = creators.at[cid, "experience_score"]
        if not pd.isna(score) and score < camp.min_experience:
            out.append(f"{cid}: experience {score} below the minimum {camp.min_experience}")

    fee = {cid: float(creators.at[cid, "fee"]) for cid, _ in rows}
    top = {cid: creators.at[cid, "tier"] == "top_kol" for cid, _ in rows}
    spend = sum(fee[cid] for cid, _ in rows)
    slack = MONEY_TOLERANCE * len(rows)
    if spend > camp.budget + slack:
        out.append(f"total spend {spend:,.2f} above the budget {camp.budget:,.2f}")
    top_spend = sum(fee[cid] for cid, _ in rows if top[cid])
    if camp.top_kol_max_share < 1 and top_spend > camp.top_kol_max_share * spend + slack:
        out.append(f"Top-KOL spend {top_spend:,.2f} is above {camp.top_kol_max_share:.0%} of the "
                   f"spend {spend:,.2f}")

    load = Counter(cid for cid, _ in rows)
    for cid, n in load.items():
        if n > int(creators.at[cid, "max_products"]):
            out.append(f"{cid} has {n} products, max {creators.at[cid, 'max_products']}")

    booked: dict[str, list[str]] = defaultdict(list)
    for cid, pid in rows:
        booked[pid].append(cid)
    for pid, p in products.iterrows():
        who = booked.get(pid, [])
        n_top = sum(1 for cid in who if top[cid])
        p_spend = sum(fee[cid] for cid in who)
        for label, have, lo, hi in (("creators", len(who), p["min_creators"], p["max_creators"]),
                                    ("Top-KOLs", n_top, p["min_top_kol"], p["max_top_kol"])):
            if not pd.isna(lo) and have < lo:
                out.append(f"{pid}: {have} {label}, min {lo}")
            if not pd.isna(hi) and have > hi:
                out.append(f"{pid}: {have} {label}, max {hi}")
        if not pd.isna(p["budget"]) and p_spend > p["budget"] + MONEY_TOLERANCE * len(who):
            out.append(f"{pid}: spend {p_spend:,.2f} above its budget {p['budget']:,.2f}")

    too_close = overlaps[overlaps["overlap"] > camp.max_overlap]
    close = {frozenset((a, b)) for a, b in zip(too_close["creator_a"], too_close["creator_b"])}
    for pid, who in booked.items():
        for i, a in enumerate(who):
            for b in who[i + 1:]:
                if frozenset((a, b)) in close:
                    out.append(f"{pid}: {a} and {b} share too much audience (> {camp.max_overlap})")

    if camp.exclusivity:
        brands: dict[tuple[str, str], set[str]] = defaultdict(set)
        for cid, pid in rows:
            brands[(cid, _key(products.at[pid, "category"]))].add(_key(products.at[pid, "brand"]))
        for (cid, cat), names in brands.items():
            if len(names) > 1:
                out.append(f"{cid} promotes {len(names)} brands in category {cat}: {sorted(names)}")
    return out


__all__ = ["check_plan"]

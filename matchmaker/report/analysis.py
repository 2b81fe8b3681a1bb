"""Explaining a plan: estimated unique reach, per-booking reasons, and the frames behind the charts.

Pure pandas/numpy/networkx; the app and the notebooks draw these, the package never draws.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from ..data import ProblemData
from ..inputs.validate import rule_problems
from ..outcome import Outcome
from ..plan.greedy import blockers
from ..problems import InputError, Problem, msg

RULE_COLUMNS = ["product_id", "min_creators", "max_creators", "min_top_kol", "max_top_kol"]


def booking_reasons(outcome: Outcome, creator_id: str) -> pd.DataFrame:
    """For each product this creator is booked for: each score component, the average over the
    product's eligible creators, the fee and the value per 1,000 CNY."""
    cand = outcome.candidates
    mine = cand[(cand["creator_id"] == creator_id) & cand["chosen"]]
    rows = []
    for _, r in mine.iterrows():
        pool = cand[cand["p"] == r["p"]]
        rows.append({
            "product_id": r["product_id"], "fee": r["fee"], "value": r["value"],
            "style": r["style"], "style_avg": pool["style"].mean(),
            "audience": r["audience"], "audience_avg": pool["audience"].mean(),
            "performance": r["performance"], "performance_avg": pool["performance"].mean(),
            "value_rank": int((pool["value"] > r["value"]).sum()) + 1, "eligible": len(pool),
            "value_per_1000": r["value"] / max(r["fee"], 1.0) * 1000,
        })
    return pd.DataFrame(rows)


def spend_by(outcome: Outcome, key: str) -> pd.DataFrame:
    """Per product_id or per tier: spend (cash: fees after rebates, and samples), bookings, expected GMV with
    its range, and ROI (GMV / cost with commission)."""
    plan = outcome.plan
    if key == "tier":
        labels = outcome.data.creators["tier"].to_numpy(object)[plan["c"]]
    else:
        labels = plan[key].to_numpy(object)
    frame = pd.DataFrame({key: labels, **{k: plan[k].to_numpy(float) for k in ("cash", "gmv", "gmv_low", "gmv_high",
                                                                             "cost")}})
    out = frame.groupby(key, as_index=False).agg(spend=("cash", "sum"), bookings=("cash", "size"), gmv=("gmv", "sum"),
                                                  gmv_low=("gmv_low", "sum"), gmv_high=("gmv_high", "sum"),
                                                  cost=("cost", "sum"))
    out["roi"] = np.divide(out["gmv"], out["cost"], out=np.full(len(out), np.nan), where=out["cost"] > 0)
    return out


def roi_distribution(outcome: Outcome) -> pd.DataFrame:
    """Each booking's expected ROI (GMV / cost) and its tier; bookings without a cost are left out."""
    plan = outcome.plan[outcome.plan["cost"] > 0]
    return pd.DataFrame({"roi": plan["gmv"] / plan["cost"],
                         "tier": outcome.data.creators["tier"].to_numpy(object)[plan["c"].to_numpy(int)]})


def score_distribution(outcome: Outcome) -> pd.DataFrame:
    """Value and style of every eligible pair, marked chosen or rejected."""
    cand = outcome.candidates
    return pd.DataFrame({"value": cand["value"], "style": cand["style"],
                         "status": np.where(cand["chosen"], "chosen", "rejected")})


def overlap_network(outcome: Outcome, product_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (creator, x, y, followers, tier) of the creators booked for a product and edges between
    them with their audience overlap (all above 0, given or estimated), on a networkx circle."""
    plan = outcome.plan[outcome.plan["product_id"] == product_id]
    creators = outcome.data.creators
    graph = nx.Graph()
    graph.add_nodes_from(plan["c"].astype(int))
    pairs = outcome.booked_overlaps()
    mine = set(plan["c"].astype(int))
    for a, b, w in zip(pairs["a"], pairs["b"], pairs["overlap"]):
        if a in mine and b in mine:
            graph.add_edge(int(a), int(b), overlap=float(w))
    pos = nx.circular_layout(graph) if len(graph) else {}
    nodes = pd.DataFrame([{"creator_id": creators.at[c, "creator_id"], "name": creators.at[c, "name"],
                           "tier": creators.at[c, "tier"], "followers": creators.at[c, "followers"],
                           "x": float(xy[0]), "y": float(xy[1])} for c, xy in pos.items()])
    edges = pd.DataFrame([{"x": pos[a][0], "y": pos[a][1], "x2": pos[b][0], "y2": pos[b][1],
                           "overlap": d["overlap"]} for a, b, d in graph.edges(data=True)],
                         columns=["x", "y", "x2", "y2", "overlap"])
    return nodes, edges


def product_rules(data: ProblemData) -> pd.DataFrame:
    """The editable per-product rules (min/max creators and Top-KOLs)."""
    return data.products[RULE_COLUMNS].copy()


def with_product_rules(data: ProblemData, rules: pd.DataFrame) -> ProblemData:
    """A copy of the data with edited per-product rules; raises InputError naming bad cells."""
    problems = []
    products = data.products.copy()
    rules = rules.set_index("product_id")
    for col in RULE_COLUMNS[1:]:
        values = pd.to_numeric(rules[col], errors="coerce").reindex(products["product_id"])
        for pid, value, raw in zip(products["product_id"], values, rules[col].reindex(products["product_id"])):
            if not pd.isna(raw) and (pd.isna(value) or value < 0 or value != int(value)):
                problems.append(Problem("product rules", None, col, str(raw),
                                        msg("{product}: expected a whole number >= 0", product=pid)))
        products[col] = values.round().astype("Int64").to_numpy()
    problems += rule_problems(products, "product rules")
    if problems:
        raise InputError(problems)
    products["min_creators"] = products["min_creators"].fillna(0)
    products["min_top_kol"] = products["min_top_kol"].fillna(0)
    return data.replace(products=products)


def creator_table(outcome: Outcome, product_id: str | None = None) -> pd.DataFrame:
    """Every creator, for searching and filtering: id, name, tier, categories, followers, fee, whether
    booked, and (given a product) the fit to it: the pair's value, blank where not eligible."""
    creators = outcome.data.creators
    frame = pd.DataFrame({
        "creator_id": creators["creator_id"], "name": creators["name"], "tier": creators["tier"],
        "categories": ["、".join(c) for c in creators["categories"]], "followers": creators["followers"],
        "fee": creators["fee"], "booked": creators["creator_id"].isin(set(outcome.plan["creator_id"])),
    })
    if product_id is not None:
        pairs = outcome.candidates[outcome.candidates["product_id"] == product_id]
        frame["fit"] = frame["creator_id"].map(dict(zip(pairs["creator_id"], pairs["value"])))
    return frame


def filter_creators(frame: pd.DataFrame, text: str = "", categories: list[str] | None = None,
                    tiers: list[str] | None = None, fee: tuple[float, float] | None = None,
                    min_followers: float = 0.0) -> pd.DataFrame:
    """The creators matching every filter given: text in id or name, any of the categories, a tier, the
    fee range, at least min_followers (unknown followers pass only a zero minimum)."""
    keep = pd.Series(True, index=frame.index)
    if text:
        needle = text.strip().casefold()
        keep &= frame["creator_id"].str.casefold().str.contains(needle, regex=False) | \
            frame["name"].str.casefold().str.contains(needle, regex=False)
    if categories:
        keep &= frame["categories"].map(lambda cs: any(c in cs.split("、") for c in categories))
    if tiers:
        keep &= frame["tier"].isin(tiers)
    if fee is not None:
        keep &= frame["fee"].between(*fee)
    if min_followers > 0:
        keep &= frame["followers"].fillna(0) >= min_followers
    return frame[keep]


def creator_card(outcome: Outcome, creator_id: str) -> dict:
    """One creator: bio and figures, and per product either the booking, or why not: the rule adding it
    to the plan would break (budget, overlap, a cap...; plan.greedy.blockers), or "value" when it would
    break none and the plan chose better value per yuan. Not eligible: no product at all."""
    creators = outcome.data.creators.set_index("creator_id")
    c = creators.loc[creator_id]
    cand = outcome.candidates
    mine = cand[cand["creator_id"] == creator_id]
    why_not = dict(zip(mine.index, blockers(outcome.instance, outcome.result.chosen, mine.index.to_numpy())))
    products = []
    for i, r in mine.iterrows():
        pool = cand[cand["p"] == r["p"]]
        products.append({"product_id": r["product_id"], "booked": bool(r["chosen"]), "value": float(r["value"]),
                         "rank": int((pool["value"] > r["value"]).sum()) + 1, "eligible": len(pool),
                         "blocked_by": None if r["chosen"] else (why_not[i] or "value")})
    return {"creator_id": creator_id, "name": c["name"], "tier": c["tier"], "bio": c["bio"],
            "recent_posts": c.get("recent_posts", ""), "categories": list(c["categories"]), "followers": c["followers"],
            "fee": c["fee"],
            "engagement_rate": c["engagement_rate"], "experience_score": c["experience_score"],
            "products": products}

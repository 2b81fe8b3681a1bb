"""The plan as a table people read: one row per booking, with each score and a short reason.
(File formats are io's: io.write turns tables into CSV, .xlsx or JSON.)"""

from __future__ import annotations

import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..fit.overlap import forbidding_limit, overlap_rows
from ..outcome import Outcome
from .i18n import column, label, say

PLAN_COLUMNS = ["creator_id", "creator_name", "tier", "product_id", "product_name", "brand",
                "category", "fee", "value", "fit", "style", "audience", "performance", "expected_views",
                "expected_orders", "expected_gmv", "gmv_low", "gmv_high", "cash", "commission", "cost", "roi",
                "expected_profit", "views_from", "conversion_from", "why"]
# value: what the plan maximises (the fit, or expected GMV or profit); views_from, conversion_from: the sources


_WHY = {
    "en": {"pairs": "value {value:.3f} from the pairs table", "style": "style fit", "audience": "audience match",
           "performance": "performance",
           "line": "{best} {score:.2f} (style {style:.2f}, audience {audience:.2f}, performance {performance:.2f}) "
                   "for ¥{fee:,.0f}"},
    "zh": {"pairs": "价值 {value:.3f}（来自配对表）", "style": "风格匹配", "audience": "人群匹配",
           "performance": "带货表现",
           "line": "{best} {score:.2f}（风格 {style:.2f}，人群 {audience:.2f}，表现 {performance:.2f}），"
                   "费用 ¥{fee:,.0f}"},
}


def why_line(row: pd.Series, lang: str = "en") -> str:
    """Why one booking: its best part of the fit, each part, and the fee (lang: en or zh)."""
    words = _WHY.get(lang, _WHY["en"])
    if pd.isna(row["style"]):
        return words["pairs"].format(value=row["value"])
    best = max(("style", "audience", "performance"), key=lambda part: row[part])
    return words["line"].format(best=words[best], score=row[best], style=row["style"], audience=row["audience"],
                                performance=row["performance"], fee=row["fee"])


def plan_table(outcome: Outcome, lang: str = "en") -> pd.DataFrame:
    """One row per booking, best value first, with each score component and a short reason (in lang)."""
    plan = outcome.plan
    creators, products = outcome.data.creators, outcome.data.products
    table = pd.DataFrame({
        "creator_id": plan["creator_id"],
        "creator_name": creators["name"].to_numpy(object)[plan["c"]],
        "tier": creators["tier"].to_numpy(object)[plan["c"]],
        "product_id": plan["product_id"],
        "product_name": products["name"].to_numpy(object)[plan["p"]],
        "brand": products["brand"].to_numpy(object)[plan["p"]],
        "category": products["category"].to_numpy(object)[plan["p"]],
        "fee": plan["fee"], "value": plan["value"], "fit": plan["fit"], "style": plan["style"],
        "audience": plan["audience"], "performance": plan["performance"],
        "expected_views": plan["views"], "expected_orders": plan["orders"], "expected_gmv": plan["gmv"],
        "gmv_low": plan["gmv_low"], "gmv_high": plan["gmv_high"], "cash": plan["cash"],
        "commission": plan["commission"], "cost": plan["cost"], "roi": plan["roi"], "expected_profit": plan["profit"],
        # where the figures come from: views (export, followers, peers, pilot), conversion (product, category,
        # default, pilot)
        "views_from": plan["views_from"].astype(str) if "views_from" in plan else "",
        "conversion_from": plan["conversion_from"].astype(str) if "conversion_from" in plan else "",
    })
    table["why"] = [why_line(r, lang) for _, r in table.iterrows()] if len(table) else pd.Series(dtype=object)
    return table.sort_values(["product_id", "value"], ascending=[True, False]).reset_index(drop=True)


def overlap_table(data: ProblemData, config: Config, floor: float = 0.01) -> pd.DataFrame:
    """Every creator pair sharing more than `floor` of the smaller audience: given (the overlaps table) or
    estimated (fit/overlap.py), with the figures the estimate used and whether the pair may share a product."""
    rows = overlap_rows(data, floor, niche_users=config.campaign.niche_users)
    creators = data.creators
    a, b = rows["a"].to_numpy(int), rows["b"].to_numpy(int)
    given = data.overlaps is not None
    limit = forbidding_limit(data, config.campaign.max_overlap)
    cats = creators["categories"].to_numpy(object)
    return pd.DataFrame({
        "creator_a": creators["creator_id"].to_numpy(object)[a],
        "creator_b": creators["creator_id"].to_numpy(object)[b],
        "overlap": rows["overlap"].to_numpy(float), "source": "given" if given else "estimated",
        "kept_apart": rows["overlap"].to_numpy(float) > limit,
        "followers_a": creators["followers"].to_numpy(float)[a],
        "followers_b": creators["followers"].to_numpy(float)[b],
        "shared_categories": ["; ".join(sorted(set(cats[i]) & set(cats[j]))) for i, j in zip(a, b)],
        "female_a": creators["audience_female"].to_numpy(float)[a],
        "female_b": creators["audience_female"].to_numpy(float)[b],
    }).sort_values("overlap", ascending=False, kind="stable").reset_index(drop=True)


def for_people(table: pd.DataFrame, lang: str, headers: dict[str, str] | None = None) -> pd.DataFrame:
    """A table to show or download: scores rounded (0.86, not 0.8600000000000001), fees in whole yuan;
    in Chinese, Chinese headers (`headers` over the usual ones) and tier, choice and severity names."""
    out = table.copy()
    money = ("fee", "spend", "expected_views", "expected_gmv", "gmv_low", "gmv_high", "cash", "commission", "cost",
             "expected_profit")
    scores = ("value", "fit", "style", "audience", "performance", "overlap", "roi", "expected_orders")
    for names, digits in ((scores, 3), (money, 0)):
        for name in names:
            if name in out and pd.api.types.is_numeric_dtype(out[name]):
                out[name] = out[name].astype(float).round(digits)
    if lang != "zh":
        return out
    for name in ("tier", "status", "severity", "views_from", "conversion_from"):
        if name in out:
            out[name] = [label(lang, v) for v in out[name]]
    if "problem" in out:  # a problems table: the message and the column it names, in Chinese
        out["problem"] = [say(lang, v) for v in out["problem"]]
        out["column"] = [column(lang, v) if isinstance(v, str) else v for v in out["column"]]
    return out.rename(columns=lambda c: (headers or {}).get(c) or column(lang, c))


PROBLEM_HEADERS_ZH = {"value": "内容"}  # a problems table's "value" is the cell as written

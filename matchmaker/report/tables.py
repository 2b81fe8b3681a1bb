"""The plan as a table people read: one row per booking, with each score and a short reason.
(File formats are io's: io.write turns tables into CSV, .xlsx or JSON.)"""

from __future__ import annotations

import pandas as pd

from ..outcome import Outcome

PLAN_COLUMNS = ["creator_id", "creator_name", "tier", "product_id", "product_name", "brand",
                "category", "fee", "value", "style", "audience", "performance", "why"]


def _why(row: pd.Series) -> str:
    if pd.isna(row["style"]):
        return f"value {row['value']:.3f} from the pairs table"
    parts = [("style fit", row["style"]), ("audience match", row["audience"]),
             ("performance", row["performance"])]
    best = max(parts, key=lambda kv: kv[1])
    return (f"{best[0]} {best[1]:.2f} (style {row['style']:.2f}, audience {row['audience']:.2f}, "
            f"performance {row['performance']:.2f}) for ¥{row['fee']:,.0f}")


def plan_table(outcome: Outcome) -> pd.DataFrame:
    """One row per booking, best value first, with each score component and a short reason."""
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
        "fee": plan["fee"], "value": plan["value"], "style": plan["style"],
        "audience": plan["audience"], "performance": plan["performance"],
    })
    table["why"] = [_why(r) for _, r in table.iterrows()] if len(table) else pd.Series(dtype=object)
    return table.sort_values(["product_id", "value"], ascending=[True, False]).reset_index(drop=True)

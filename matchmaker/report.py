"""The plan and its summary as tables and files: CSV (formula-safe), .xlsx and JSON, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .pipeline import Outcome

PLAN_COLUMNS = ["creator_id", "creator_name", "tier", "product_id", "product_name", "brand",
                "category", "fee", "value", "style", "audience", "performance", "why"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def summary(outcome: Outcome) -> dict[str, Any]:
    """Status, objective, bound, gap, budget used, spend by tier and by product."""
    r, table = outcome.result, plan_table(outcome)
    budget = outcome.config.campaign.budget
    spend = float(table["fee"].sum())
    by_tier = {t: float(table.loc[table["tier"] == t, "fee"].sum()) for t in ("top_kol", "alliance")}
    by_product = {str(k): float(v) for k, v in table.groupby("product_id")["fee"].sum().items()}
    return {
        "campaign": outcome.config.campaign.name,
        "status": r.status,
        "plan_from": r.source,
        "objective": round(r.objective, 6),
        "best_bound": round(r.bound, 6),
        "gap": round(r.gap, 6),
        "greedy_value": round(r.greedy_value, 6),
        "seconds": round(r.seconds, 3),
        "budget": budget,
        "budget_used": round(spend, 2),
        "budget_used_share": round(spend / budget, 4) if budget else 0.0,
        "bookings": int(len(table)),
        "creators_booked": int(table["creator_id"].nunique()),
        "spend_by_tier": by_tier,
        "spend_by_product": by_product,
        "eligible_pairs": int(len(outcome.candidates)),
        "overlap_conflicts": int(len(outcome.conflicts)),
        "overlap_source": (outcome.conflicts["source"].iloc[0] if len(outcome.conflicts)
                           else ("table" if outcome.data.overlaps is not None else "estimated")),
        "why_no_plan": list(outcome.reasons),
        "warnings": len(outcome.data.warnings),
        "stage_seconds": {k: round(v, 3) for k, v in outcome.timings.items()},
    }


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells starting with = + - @ get a leading apostrophe, so Excel shows them as text."""
    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = [f"'{v}" if isinstance(v, str) and v.startswith(_FORMULA_START) else v
                         for v in safe[col]]
    return safe


def plan_bytes(table: pd.DataFrame, suffix: str) -> bytes:
    """The plan file's content for .csv, .xlsx or .json (also what the app offers for download)."""
    if suffix == ".csv":
        return formula_safe(table).to_csv(index=False).encode("utf-8-sig")
    if suffix == ".xlsx":
        import io

        buffer = io.BytesIO()
        formula_safe(table).to_excel(buffer, index=False, engine="openpyxl")
        return buffer.getvalue()
    if suffix == ".json":
        return table.to_json(orient="records", force_ascii=False, indent=1).encode()
    raise ValueError(f"unsupported plan file type {suffix!r}; expected .csv, .xlsx or .json")


def _default(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return str(value)


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default).encode()


def write_atomic(path: str | Path, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

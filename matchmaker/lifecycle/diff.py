"""What changed between two plans (docs, "Plan diff"): per creator, the bookings added, dropped and moved,
with why: the settings and choices (locks, bans) that changed, and each booking's value and fee.

Plans are the run store's rows (history.plan_rows): creator_id, product_id, value, fee, cash, ...
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..problems import Message, msg

CHANGES = ("added", "dropped", "moved")


@dataclass(frozen=True)
class PlanDiff:
    changes: pd.DataFrame  # creator_id, change, before, after, value_before, value_after, cash_before, cash_after, why
    settings: tuple[tuple[str, Any, Any], ...]  # (key, before, after) for every campaign setting that changed
    totals: pd.DataFrame  # index: bookings, creators, value, spend, gmv; columns: before, after, change

    def counts(self) -> dict[str, int]:
        return {kind: int((self.changes["change"] == kind).sum()) for kind in CHANGES}


def _flat(config: Config) -> dict[str, Any]:
    out = {}
    for section in ("campaign", "economics", "scoring", "solver"):
        for key, value in dataclasses.asdict(getattr(config, section)).items():
            out[f"{section}.{key}"] = value
    out["categories"] = dict(config.categories)
    return out


def setting_changes(before: Config, after: Config) -> tuple[tuple[str, Any, Any], ...]:
    """The settings that differ (time limit and seed aside: they change the search, not the campaign)."""
    a, b = _flat(before), _flat(after)
    skip = {"solver.time_limit", "solver.seed", "solver.workers", "solver.highs", "scoring.cache_dir"}
    return tuple((k, a[k], b[k]) for k in a if k not in skip and a[k] != b[k])


def _by_creator(plan: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {str(cid): group for cid, group in plan.groupby("creator_id", sort=False)} if len(plan) else {}


def _reasons(cid: str, old: pd.DataFrame | None, new: pd.DataFrame | None,
             choices: tuple[dict, dict], settings: tuple) -> Message:
    """Why one creator's bookings changed: its lock or ban, the settings that changed, its value for the fee."""
    before, after = choices
    was_locked = {p for c, p in before.get("locks", ()) if c == cid}
    now_locked = {p for c, p in after.get("locks", ()) if c == cid}
    parts: list[Message] = []
    if cid in after.get("bans", ()) and cid not in before.get("bans", ()):
        parts.append(msg("banned"))
    if now_locked - was_locked:
        parts.append(msg("locked to {products}", products=", ".join(sorted(p or "any product"
                                                                        for p in now_locked - was_locked))))
    if was_locked - now_locked:
        parts.append(msg("no longer locked"))
    for key, a, b in settings:
        if key == "campaign.budget":
            parts.append(msg("the budget went from ¥{before:,.0f} to ¥{after:,.0f}", before=a, after=b))
    for frame, when in ((old, "before"), (new, "after")):
        if frame is not None and len(frame):
            value, cash = float(frame["value"].sum()), float(frame["cash"].sum())
            per = f"{1000 * value / cash:,.3g}" if cash > 0 else "∞"
            template = msg("before: value {value:,.3f} for ¥{cash:,.0f} ({per} per ¥1,000)", value=value, cash=cash,
                           per=per) if when == "before" else \
                msg("now: value {value:,.3f} for ¥{cash:,.0f} ({per} per ¥1,000)", value=value, cash=cash, per=per)
            parts.append(template)
    changed = [k for k, _, _ in settings if k != "campaign.budget"]
    if changed:
        parts.append(msg("settings changed: {keys}", keys=", ".join(changed)))
    return msg("{reasons}", reasons=tuple(parts))


def plan_diff(before: pd.DataFrame, after: pd.DataFrame, config_before: Config, config_after: Config,
              choices_before: dict | None = None, choices_after: dict | None = None) -> PlanDiff:
    """Every creator whose bookings differ between two plans, with why; the changed settings; the totals."""
    settings = setting_changes(config_before, config_after)
    old, new = _by_creator(before), _by_creator(after)
    given = ({**{"locks": (), "bans": ()}, **(choices_before or {})},
             {**{"locks": (), "bans": ()}, **(choices_after or {})})
    a, b = ({"locks": [tuple(x) for x in c["locks"]], "bans": list(c["bans"])} for c in given)
    choices = (a, b)
    rows = []
    for cid in sorted(set(old) | set(new)):
        o, n = old.get(cid), new.get(cid)
        was = sorted(o["product_id"].astype(str)) if o is not None else []
        now = sorted(n["product_id"].astype(str)) if n is not None else []
        if was == now:
            continue
        change = "added" if not was else "dropped" if not now else "moved"
        rows.append({"creator_id": cid, "change": change, "before": ", ".join(was), "after": ", ".join(now),
                     "value_before": float(o["value"].sum()) if o is not None else 0.0,
                     "value_after": float(n["value"].sum()) if n is not None else 0.0,
                     "cash_before": float(o["cash"].sum()) if o is not None else 0.0,
                     "cash_after": float(n["cash"].sum()) if n is not None else 0.0,
                     "why": _reasons(cid, o, n, choices, settings)})
    columns = ["creator_id", "change", "before", "after", "value_before", "value_after", "cash_before", "cash_after",
               "why"]
    # column by column: records would turn the sentences (Message, translatable) into plain str
    frame = pd.DataFrame({c: pd.Series(np.array([r[c] for r in rows], dtype=object), dtype=object) for c in columns})
    for c in columns[4:8]:
        frame[c] = frame[c].astype(float)
    if len(frame):
        order = frame["change"].map({k: i for i, k in enumerate(CHANGES)}).to_numpy()
        frame = frame.iloc[np.lexsort((frame["creator_id"].to_numpy(str), order))].reset_index(drop=True)
    return PlanDiff(frame, settings, _totals(before, after))


def _totals(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    def figures(plan: pd.DataFrame) -> dict[str, float]:
        return {"bookings": float(len(plan)), "creators": float(plan["creator_id"].nunique()) if len(plan) else 0.0,
                "value": float(plan["value"].sum()), "spend": float(plan["cash"].sum()),
                "gmv": float(plan["gmv"].sum())}

    totals = pd.DataFrame({"before": figures(before), "after": figures(after)})
    totals["change"] = totals["after"] - totals["before"]
    return totals

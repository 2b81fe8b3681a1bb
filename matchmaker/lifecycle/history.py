"""Run history (docs, "Run history"): each outcome recorded in the run store (io/store.py) with its inputs,
campaign, plan and summary; an old run reopened as the data and campaign it was planned with.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import pandas as pd

from ..config import Config, ServerParams, dump_config, parse_config
from ..data import ProblemData
from ..io.store import RunRecord, Store
from ..outcome import Outcome
from ..pipeline import Prepared, prepare, replay

ROLES = ("creators", "products", "pairs", "overlaps", "deals", "locks")


def package_version() -> str:
    try:
        return version("matchmaker")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def store_of(config: Config) -> Store | None:
    path = config.store_path()
    return Store(path) if path else None


def plan_rows(outcome: Outcome) -> pd.DataFrame:
    """The plan as the store keeps it (io.store.PLAN_COLUMNS): ids, value, fit and its parts, fee, cash, cost,
    expected GMV and views, locked."""
    plan = outcome.plan
    locked = outcome.instance.locked
    chosen = outcome.candidates["chosen"].to_numpy()
    return pd.DataFrame({
        "creator_id": plan["creator_id"].astype(str), "product_id": plan["product_id"].astype(str),
        **{k: plan[k].astype(float) if k in plan else float("nan")
           for k in ("value", "fit", "style", "audience", "performance", "fee", "cash", "cost", "gmv", "views")},
        "locked": locked[chosen] if len(locked) == len(chosen) else False})


def _inputs(data: ProblemData) -> dict[str, tuple[str, str, pd.DataFrame]]:
    tables = {"creators": data.creators, "products": data.products, "pairs": data.pairs, "overlaps": data.overlaps,
              "deals": data.deals, "locks": data.locks}
    return {role: (data.files.get(role, ""), data.digests.get(role, ""), frame)
            for role, frame in tables.items() if frame is not None}


def record(store: Store, outcome: Outcome, kind: str, parent: str | None = None,
           extra: dict[str, Any] | None = None, run_id: str | None = None, tenant: str = "") -> str:
    """Record an outcome (its summary with `extra`; the campaign without the server's API keys) as `tenant`'s
    ("": this machine's own); the run id."""
    data = outcome.data
    config = replace(outcome.config, server=ServerParams())
    choices = {"locks": [] if data.locks is None else data.locks[["creator_id", "product_id"]].astype(str)
               .values.tolist(), "bans": list(data.bans)}
    return store.record(RunRecord(kind, config.campaign.name, dump_config(config),
                                  {**outcome.summary(), **(extra or {})}, plan_rows(outcome), _inputs(data), parent,
                                  package_version(), choices, tenant), run_id)


def reopen(store: Store, ref: str) -> tuple[ProblemData, Config]:
    """The validated data and the campaign a run was planned with (the locks and bans it was given included)."""
    run = store.run(ref)
    tables = store.tables(run["run_id"])
    frames = {role: frame for role, (_, frame) in tables.items()}
    bans = tuple(run["choices"].get("bans", ()))
    data = ProblemData(creators=frames["creators"], products=frames["products"], pairs=frames.get("pairs"),
                       overlaps=frames.get("overlaps"), deals=frames.get("deals"), locks=frames.get("locks"),
                       bans=bans, files={role: file for role, (file, _) in tables.items()},
                       digests=dict(zip(run["inputs"]["role"], run["inputs"]["source_sha256"])))
    return data, parse_config(run["config"], f"run {run['run_id']}")


def reopened(store: Store, ref: str, embedder: Any = None) -> tuple[Outcome, Prepared]:
    """A stored run as it was: its campaign prepared again from its stored inputs (the embeddings from the
    cache), its stored plan on it (pipeline.replay, checked again), without a new search."""
    run = store.run(ref)
    data, config = reopen(store, run["run_id"])
    prepared = prepare(data, config, embedder, on_stage=lambda name: None)
    return replay(prepared, store.plan(run["run_id"]), run["summary"]), prepared

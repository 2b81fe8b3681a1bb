"""Shared helpers: tiny hand-checkable campaigns built through the real validation path."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from matchmaker.config import Config
from matchmaker.inputs.validate import validate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _run_store(tmp_path_factory):
    """Every run the tests make (and the commands they start) is recorded in a store of their own, never in
    the working folder's."""
    previous = os.environ.get("MATCHMAKER_STORE")
    os.environ["MATCHMAKER_STORE"] = str(tmp_path_factory.mktemp("store") / "runs.duckdb")
    yield
    if previous is None:
        os.environ.pop("MATCHMAKER_STORE", None)
    else:
        os.environ["MATCHMAKER_STORE"] = previous
DATA = ROOT / "data"


def creator(cid: str, fee: float = 1000, categories: str = "beauty", tier: str = "alliance",
            **extra) -> dict:
    return {"creator_id": cid, "name": cid, "tier": tier, "followers": 10_000, "categories": categories,
            "bio": f"bio of {cid}", "fee": fee, **extra}


def product(pid: str, category: str = "beauty", brand: str = "B", **extra) -> dict:
    return {"product_id": pid, "brand": brand, "name": pid, "category": category,
            "description": f"product {pid}", **extra}


def make_data(creators: list[dict], products: list[dict], config: Config | None = None,
              pairs: list[tuple] | None = None, overlaps: list[tuple] | None = None):
    """ProblemData through validate(), as if the tables had been read from files."""
    raw = {"creators": ("creators.csv", pd.DataFrame(creators).astype(object)),
           "products": ("products.csv", pd.DataFrame(products).astype(object))}
    if pairs is not None:
        raw["pairs"] = ("pairs.csv", pd.DataFrame(pairs, columns=["creator_id", "product_id", "value"]))
    if overlaps is not None:
        raw["overlaps"] = ("overlaps.csv", pd.DataFrame(overlaps, columns=["creator_a", "creator_b", "overlap"]))
    return validate(raw, config or Config())


class HashEmbedder:
    """Tiny deterministic embedder for pipeline tests: character trigram hashing, unit length."""

    name = "test:hash"

    def __init__(self, dim: int = 64):
        self.dim = dim
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            for j in range(max(1, len(text) - 2)):
                h = int(hashlib.md5(text[j:j + 3].encode()).hexdigest(), 16)
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1)


def quick_config(**flags) -> Config:
    """Defaults with a short, deterministic solve and no on-disk cache."""
    base = Config().override(**{"solver.time_limit": 10.0, "solver.workers": 1,
                                "scoring.cache_dir": ""})
    return base.override(**flags) if flags else base


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


def tiny_instance(pairs: list[tuple[int, int, float]], fees: list[float], *, top: list[bool] | None = None,
                  capacity: list[int] | None = None, n_products: int = 1, budget: float = 1e9,
                  prod_min=None, prod_max=None, prod_min_top=None, prod_max_top=None, prod_budget=None,
                  brands=None, categories=None, conflicts=(), top_share: float = 1.0,
                  exclusivity: bool = False):
    """An Instance written by hand: pairs (creator, product, value); -1 means no limit."""
    from matchmaker.plan.instance import Instance

    n_c = len(fees)

    def per_product(values, default):
        return np.array(values if values is not None else [default] * n_products)

    return Instance(
        pair_c=np.array([c for c, _, _ in pairs], int), pair_p=np.array([p for _, p, _ in pairs], int),
        value=np.array([v for _, _, v in pairs], float), fee=np.array(fees, float),
        top=np.array(top or [False] * n_c, bool), capacity=np.array(capacity or [1] * n_c, int),
        prod_min=per_product(prod_min, 0), prod_max=per_product(prod_max, -1),
        prod_min_top=per_product(prod_min_top, 0), prod_max_top=per_product(prod_max_top, -1),
        prod_budget=per_product(prod_budget, np.nan).astype(float),
        prod_brand=per_product(brands, 0), prod_category=per_product(categories, 0),
        conflicts=np.array(list(conflicts), int).reshape(-1, 2), budget=float(budget),
        top_share=float(top_share), exclusivity=exclusivity,
        creator_ids=tuple(f"c{i}" for i in range(n_c)), product_ids=tuple(f"p{j}" for j in range(n_products)))

"""Seeded synthetic campaigns of any size, for benchmarks and scaling studies (not for tests' truths).

Creators get 1-2 of `n_categories` categories, log-normal followers, fees that grow with followers;
products one category each. Eligible pairs come as a pairs table (creator shares a category with
the product) with random values; audience overlaps as an overlaps table, dense inside a category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..inputs.validate import validate


def synthetic_tables(n_creators: int, n_products: int, seed: int = 0, n_categories: int = 10,
                     conflict_rate: float = 0.02) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    cats = [f"cat{k}" for k in range(n_categories)]
    followers = np.exp(rng.normal(np.log(60_000), 1.4, n_creators)).round()
    top = followers >= 1_000_000
    fee = (followers * rng.uniform(0.015, 0.05, n_creators) + 800).round(-2)
    first = rng.integers(n_categories, size=n_creators)
    second = np.where(rng.random(n_creators) < 0.5, rng.integers(n_categories, size=n_creators), first)
    creators = pd.DataFrame({
        "creator_id": [f"c{i}" for i in range(n_creators)],
        "tier": np.where(top, "top_kol", "alliance"),
        "followers": followers,
        "categories": [f"{cats[a]};{cats[b]}" if a != b else cats[a] for a, b in zip(first, second)],
        "fee": fee,
        "max_products": rng.integers(1, 4, n_creators),
    })
    product_cat = rng.integers(n_categories, size=n_products)
    lo = rng.integers(5, 15, n_products)
    products = pd.DataFrame({
        "product_id": [f"p{j}" for j in range(n_products)],
        "brand": [f"brand{j % 7}" for j in range(n_products)],
        "category": [cats[k] for k in product_cat],
        "min_creators": lo,
        "max_creators": lo + rng.integers(20, 70, n_products),
    })
    has = np.zeros((n_creators, n_categories), dtype=bool)
    has[np.arange(n_creators), first] = True
    has[np.arange(n_creators), second] = True
    tops_per_category = has[top].sum(axis=0)
    wants_top = rng.random(n_products) < 0.3  # a Top-KOL minimum, where the category has 3 or more
    products["min_top_kol"] = (wants_top & (tops_per_category[product_cat] >= 3)).astype(int)
    c_idx, p_idx = np.nonzero(has[:, product_cat])
    quality = rng.beta(2, 3, n_creators)
    value = np.clip(0.6 * quality[c_idx] + 0.4 * rng.random(len(c_idx)), 0.01, 1).round(4)
    pairs = pd.DataFrame({"creator_id": creators["creator_id"].to_numpy()[c_idx],
                          "product_id": products["product_id"].to_numpy()[p_idx], "value": value})
    rows = []
    for k in range(n_categories):
        members = np.nonzero(has[:, k])[0]
        n_pairs = int(conflict_rate * len(members) * (len(members) - 1) / 2)
        a, b = rng.choice(members, n_pairs), rng.choice(members, n_pairs)
        keep = a != b
        rows.append(np.stack([np.minimum(a, b)[keep], np.maximum(a, b)[keep]], axis=1))
    links = np.unique(np.concatenate(rows), axis=0)
    ids = creators["creator_id"].to_numpy()
    overlaps = pd.DataFrame({"creator_a": ids[links[:, 0]], "creator_b": ids[links[:, 1]],
                             "overlap": rng.uniform(0.31, 0.9, len(links)).round(3)})
    return {"creators": creators, "products": products, "pairs": pairs, "overlaps": overlaps}


def synthetic_problem(n_creators: int, n_products: int, seed: int = 0, config: Config | None = None,
                      **kwargs) -> tuple[ProblemData, Config]:
    """Validated ProblemData and a config whose budget binds (a third of the cost of every max)."""
    tables = synthetic_tables(n_creators, n_products, seed, **kwargs)
    config = config or Config()
    data = validate({k: (f"synthetic-{k}", v.astype(object)) for k, v in tables.items()}, config)
    median_fee = float(data.creators["fee"].median())
    budget = float(data.products["max_creators"].sum()) * median_fee / 3
    return data, config.override(**{"campaign.budget": round(budget, -3)})

"""Eligible pairs and their values: pure array code, no I/O.

value = (w_style*style + w_audience*audience + w_performance*performance) / (sum of weights),
each component in 0..1:
- style: cosine of the creator's bio and the product's name + description, corrected for hubness
  (z-score of the cosine among all creators for that product: generic product texts score high
  against everyone), squashed by a logistic so 0.5 is an average creator for this product.
  Neutral 0.5 when either text is blank.
- audience: mean of the known parts: gender (share of the creator's audience of the target gender),
  age (share in the target age bands), region (1 if the main region is the target, else 0).
  Neutral 0.5 when nothing is known.
- performance: mean of the known parts: reach (log of average or expected views, or of 10% of
  followers, relative to the largest in the pool), engagement (percentile rank in the pool), experience
  score / 5, completion rate (完播率, percentile rank in the pool). Neutral 0.5 when nothing is known.
A pairs table, when given, replaces eligibility and values (components are left blank).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..inputs.parse import category_path, norm_category
from ..inputs.schema import AGE_BANDS
from .known import mean_known

VIEW_RATE = 0.1  # expected views per follower when average views are unknown
CANDIDATE_COLUMNS = ["c", "p", "creator_id", "product_id", "fee", "style", "audience",
                     "performance", "value"]


def creator_text(creators: pd.DataFrame) -> list[str]:
    return [str(b) for b in creators["bio"]]


def product_text(products: pd.DataFrame) -> list[str]:
    return [f"{n} {d}".strip() for n, d in zip(products["name"], products["description"])]


def category_eligible(data: ProblemData, config: Config) -> np.ndarray:
    """Boolean (creators x products): a creator category matches the product's category, or one the
    config's [categories] map allows for it, as paths (inputs.parse.paths_match): one the other's ancestor,
    or the same leaf."""
    mapped = {norm_category(k): [category_path(v) for v in vs] for k, vs in config.categories.items()}
    by_prefix: dict[tuple, set[int]] = defaultdict(set)  # every ancestor-or-self of a creator path
    by_path: dict[tuple, set[int]] = defaultdict(set)
    by_leaf: dict[str, set[int]] = defaultdict(set)
    for c, cats in enumerate(data.creators["categories"]):
        for path in filter(None, map(category_path, cats)):
            by_path[path].add(c)
            by_leaf[path[-1]].add(c)
            for depth in range(1, len(path) + 1):
                by_prefix[path[:depth]].add(c)
    eligible = np.zeros((data.n_creators, data.n_products), dtype=bool)
    for p, cat in enumerate(data.products["category"]):
        for path in filter(None, [category_path(cat), *mapped.get(norm_category(cat), [])]):
            found = by_prefix.get(path, set()) | by_leaf.get(path[-1], set())  # creator below, or same leaf
            for depth in range(1, len(path)):
                found |= by_path.get(path[:depth], set())  # creator above (a parent category)
            eligible[list(found), p] = True
    return eligible


def creator_usable(data: ProblemData, config: Config) -> np.ndarray:
    """Creators that may be booked at all: a fee (quote), capacity above 0, experience not below the
    minimum."""
    exp = data.creators["experience_score"].to_numpy(float)
    low = ~np.isnan(exp) & (exp < config.campaign.min_experience)
    quoted = np.isfinite(data.creators["fee"].to_numpy(float))
    return quoted & (data.creators["max_products"].to_numpy() > 0) & ~low


def eligible_pairs(data: ProblemData, config: Config) -> np.ndarray:
    """Boolean (creators x products): category match (category_eligible) and a bookable creator."""
    return category_eligible(data, config) & creator_usable(data, config)[:, None]


def style_scores(creator_emb: np.ndarray, product_emb: np.ndarray, creator_blank: np.ndarray,
                 product_blank: np.ndarray) -> np.ndarray:
    """Hubness-corrected style fit (creators x products) in 0..1."""
    cos = creator_emb @ product_emb.T
    pool = cos[~creator_blank] if (~creator_blank).sum() >= 2 else cos
    mean, std = pool.mean(axis=0), pool.std(axis=0)
    z = (cos - mean) / np.where(std > 1e-6, std, 1.0)
    style = 1.0 / (1.0 + np.exp(-1.7 * z))
    style[creator_blank, :] = 0.5
    style[:, product_blank] = 0.5
    return style


def performance_scores(creators: pd.DataFrame) -> np.ndarray:
    """Per creator, in 0..1 (see module docstring)."""
    views = creators["avg_views"].to_numpy(float)
    views = np.where(np.isnan(views), creators["followers"].to_numpy(float) * VIEW_RATE, views)
    reach = np.log1p(views)
    top = np.nanmax(reach) if np.isfinite(reach).any() else np.nan
    reach = reach / top if top and top > 0 else np.full(len(views), np.nan)
    engagement = creators["engagement_rate"].astype(float).rank(pct=True).to_numpy(float)
    experience = creators["experience_score"].to_numpy(float) / 5.0
    completion = creators["completion_rate"].astype(float).rank(pct=True).to_numpy(float)
    return mean_known(np.vstack([reach, engagement, experience, completion]), 0.5)


def audience_scores(creators: pd.DataFrame, products: pd.DataFrame, c: np.ndarray,
                    p: np.ndarray) -> np.ndarray:
    """Per pair (c[i], p[i]), in 0..1 (see module docstring)."""
    female = creators["audience_female"].to_numpy(float)[c]
    gender = products["target_gender"].to_numpy(object)[p]
    g = np.where(gender == "female", female, np.where(gender == "male", 1.0 - female, np.nan))
    ages = np.vstack([creators[f"audience_age_{b}"].to_numpy(float) for b in AGE_BANDS]).T[c]
    wanted = np.array([[b in bands for b in AGE_BANDS] for bands in products["target_age"]],
                      dtype=bool).reshape(len(products), len(AGE_BANDS))[p]
    a = np.where(wanted.any(axis=1), np.where(wanted, ages, 0.0).sum(axis=1), np.nan)
    region_c = np.array([norm_category(r) for r in creators["audience_region"]], dtype=object)[c]
    region_p = np.array([norm_category(r) for r in products["target_region"]], dtype=object)[p]
    known = (region_c != "") & (region_p != "")
    r = np.where(known, (region_c == region_p).astype(float), np.nan)
    return mean_known(np.vstack([g, a, r]), 0.5)


def candidates(data: ProblemData, config: Config, creator_emb: np.ndarray | None = None,
               product_emb: np.ndarray | None = None) -> pd.DataFrame:
    """Eligible pairs with fee, value and its components (CANDIDATE_COLUMNS)."""
    creator_index = {cid: i for i, cid in enumerate(data.creators["creator_id"])}
    fees = data.creators["fee"].to_numpy(float)
    if data.pairs is not None:
        product_index = {pid: i for i, pid in enumerate(data.products["product_id"])}
        c = data.pairs["creator_id"].map(creator_index).to_numpy(int)
        p = data.pairs["product_id"].map(product_index).to_numpy(int)
        keep = creator_usable(data, config)[c]
        c, p = c[keep], p[keep]
        nan = np.full(len(c), np.nan)
        frame = pd.DataFrame({"c": c, "p": p, "style": nan, "audience": nan, "performance": nan,
                              "value": data.pairs["value"].to_numpy(float)[keep]})
    else:
        c, p = np.nonzero(eligible_pairs(data, config))
        w = config.scoring
        style = style_scores(creator_emb, product_emb,
                             (data.creators["bio"] == "").to_numpy(),
                             np.array([t == "" for t in product_text(data.products)]))[c, p]
        audience = audience_scores(data.creators, data.products, c, p)
        performance = performance_scores(data.creators)[c]
        value = (w.w_style * style + w.w_audience * audience + w.w_performance * performance) / \
            (w.w_style + w.w_audience + w.w_performance)
        frame = pd.DataFrame({"c": c, "p": p, "style": style, "audience": audience,
                              "performance": performance, "value": value})
    frame["creator_id"] = data.creators["creator_id"].to_numpy(object)[frame["c"]]
    frame["product_id"] = data.products["product_id"].to_numpy(object)[frame["p"]]
    frame["fee"] = fees[frame["c"]]
    return frame[CANDIDATE_COLUMNS].reset_index(drop=True)

"""A simulated platform population with true follower sets, to fit and test the overlap estimate (fit/overlap.py;
docs, "The model"; `python benchmarks/run.py overlap`).

The truth: `users` users, each with a gender, an age band, a follow propensity w ~ lognormal(0, activity_sd) and
a primary interest among `categories` niches (niche popularity differs by gender), plus a second interest with
probability 0.3. A creator has one or two categories, a gender tilt, an age tilt and a follower count from a
heavy-tailed distribution (at most a fifth of its niche). It draws its followers without replacement, with
probability proportional to w x (1 if the user is interested in one of its categories, else `leak`) x its
gender tilt x its age tilt. The true overlap of two creators is |A & B| / min(|A|, |B|).

The export shows what a platform shows: followers, categories, the measured female and age-band shares (each
unknown for `unknown_share` of creators). The estimate sees only that, and a niche size (`niche_users`): the mean
interested population, or a wrong one to test how much that matters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import spearmanr

from ..data import ProblemData
from ..fit.overlap import conflict_threshold, overlap_rows

BANDS = ("18_24", "25_34", "35_plus")


@dataclass(frozen=True)
class Population:
    creators: pd.DataFrame  # the export: creator_id, tier, followers, categories, audience shares
    truth: np.ndarray  # creators x creators true overlap (share of the smaller audience)
    niche_users: float  # the mean number of users interested in a category


def simulate(seed: int, users: int = 1_000_000, creators: int = 300, categories: int = 8, activity_sd: float = 0.83,
             leak: float = 0.02, unknown_share: float = 0.2, median_followers: float = 30_000) -> Population:
    rng = np.random.default_rng(seed)
    female = rng.random(users) < 0.5
    age = rng.choice(3, size=users, p=[0.35, 0.4, 0.25])
    w = rng.lognormal(0.0, activity_sd, users)
    pop_f, pop_m = rng.dirichlet(np.full(categories, 2.0)), rng.dirichlet(np.full(categories, 2.0))
    primary = np.where(female, rng.choice(categories, users, p=pop_f), rng.choice(categories, users, p=pop_m))
    second = np.where(rng.random(users) < 0.3, rng.integers(0, categories, users), -1)
    interested = np.zeros((categories, users), dtype=bool)
    interested[primary, np.arange(users)] = True
    has_second = second >= 0
    interested[second[has_second], np.arange(users)[has_second]] = True
    niche_sizes = interested.sum(axis=1)
    rows, follows = [], []
    for c in range(creators):
        cats = rng.choice(categories, size=1 + int(rng.random() < 0.3), replace=False)
        in_niche = interested[cats].any(axis=0)
        tilt = rng.beta(2, 2)
        age_tilt = rng.dirichlet(np.full(3, 3.0))
        size = int(np.clip(rng.lognormal(np.log(median_followers), 1.6), 1_000, niche_sizes[cats].min() / 5))
        weight = w * np.where(in_niche, 1.0, leak) * np.where(female, tilt, 1 - tilt) * age_tilt[age]
        keys = np.log(weight) - np.log(-np.log(rng.random(users)))  # Gumbel top-k: a weighted draw
        chosen = np.argpartition(-keys, size)[:size]
        follows.append(chosen)
        row = {"creator_id": f"s{c}", "tier": "top_kol" if size >= 1_000_000 else "alliance", "followers": size,
               "categories": tuple(f"k{k}" for k in cats), "audience_female": float(female[chosen].mean())}
        for b, band in enumerate(BANDS):
            row[f"audience_age_{band}"] = float((age[chosen] == b).mean())
        if rng.random() < unknown_share:
            row["audience_female"] = np.nan
        if rng.random() < unknown_share:
            for band in BANDS:
                row[f"audience_age_{band}"] = np.nan
        rows.append(row)
    owners = np.repeat(np.arange(creators), [len(f) for f in follows])
    matrix = sparse.csr_matrix((np.ones(len(owners), dtype=np.float32), (owners, np.concatenate(follows))),
                               shape=(creators, users))
    shared = (matrix @ matrix.T).toarray()
    sizes = np.array([len(f) for f in follows], dtype=float)
    truth = shared / np.minimum(sizes[:, None], sizes[None, :])
    frame = pd.DataFrame(rows).assign(audience_region="", name=lambda f: f["creator_id"])
    return Population(frame, truth, float(niche_sizes.mean()))


def _data(creators: pd.DataFrame) -> ProblemData:
    """Just what the overlap estimate reads: the creators table (no products, no other tables)."""
    return ProblemData(creators=creators, products=pd.DataFrame(), pairs=None, overlaps=None)


def measure(population: Population, niche_users: float | None = None, max_overlap: float = 0.3) -> dict:
    """The estimate against the truth over every creator pair: rank correlation (all pairs, and pairs of one
    niche), the log error's sd where the truth is at least 1%, and precision and recall of the conflicts at
    max_overlap (a conflict: the estimate confidently above it; truly: the true overlap above it)."""
    creators = population.creators
    n = len(creators)
    rows = overlap_rows(_data(creators), 0.0, niche_users=niche_users or population.niche_users)
    est = np.zeros((n, n))
    est[rows["a"], rows["b"]] = rows["overlap"]
    a, b = np.triu_indices(n, 1)
    e, t = est[a, b], population.truth[a, b]
    cats = creators["categories"].to_numpy(object)
    same = np.array([bool(set(cats[i]) & set(cats[j])) for i, j in zip(a, b)])
    sure = (t >= 0.01) & same
    predicted, real, point = e > conflict_threshold(max_overlap), t > max_overlap, e > max_overlap
    old = _old_estimate(creators, a, b)
    old_predicted = old > max_overlap
    return {"pairs": int(len(a)), "same_niche_pairs": int(same.sum()), "true_conflicts": int(real.sum()),
            "spearman_all": float(spearmanr(e, t).statistic),
            "spearman_same_niche": float(spearmanr(e[same], t[same]).statistic),
            "log_ratio_median": float(np.median(np.log(t[sure] / np.maximum(e[sure], 1e-12)))),
            "log_error_sd": float(np.std(np.log(t[sure] / np.maximum(e[sure], 1e-12)))),
            "precision": float((predicted & real).sum() / max(predicted.sum(), 1)),
            "recall": float((predicted & real).sum() / max(real.sum(), 1)),
            "predicted_conflicts": int(predicted.sum()),
            "point_precision": float((point & real).sum() / max(point.sum(), 1)),  # the estimate itself above it
            "point_recall": float((point & real).sum() / max(real.sum(), 1)),
            "old_spearman_same_niche": float(spearmanr(old[same], t[same]).statistic),
            "old_precision": float((old_predicted & real).sum() / max(old_predicted.sum(), 1)),
            "old_recall": float((old_predicted & real).sum() / max(real.sum(), 1)),
            "old_predicted_conflicts": int(old_predicted.sum())}


def _old_estimate(creators: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The estimate before 0.2.0, for comparison: 0.6 x Jaccard(categories) x the mean of the known audience
    similarities (gender, age), 0.4 when none is known."""
    cats = creators["categories"].to_numpy(object)
    jaccard = np.array([len(set(cats[i]) & set(cats[j])) / len(set(cats[i]) | set(cats[j])) for i, j in zip(a, b)])
    female = creators["audience_female"].to_numpy(float)
    ages = creators[[f"audience_age_{band}" for band in BANDS]].to_numpy(float)
    parts = np.vstack([1 - np.abs(female[a] - female[b]), 1 - 0.5 * np.abs(ages[a] - ages[b]).sum(axis=1)])
    known = ~np.isnan(parts)
    similarity = np.where(known.any(axis=0), np.where(known, parts, 0).sum(axis=0) / np.maximum(known.sum(axis=0), 1),
                          0.4)
    return 0.6 * jaccard * similarity

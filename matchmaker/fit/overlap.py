"""Audience overlap between creators and the conflict graph it induces.

With an overlaps table, its values are used as given (pairs not listed overlap 0). Without one, overlap is
estimated from what the creator table says, and marked "estimated". The estimate is the expected share of
the smaller audience that both creators reach when each draws its followers from the users of its niches
(docs, "The model"; measured against a simulated population in matchmaker/eval/population.py):

    overlap(a, b) = min(1, ACTIVITY * max(F_a, F_b) * T * G * A)
    T = sum over the categories k both have of (1 - LEAKAGE)^2 / (n_a n_b N)  +  LEAKAGE^2 / PLATFORM_USERS
        n_a: a's number of categories; N: campaign.niche_users, the users interested in one category
    G = f_a f_b / 0.5 + (1 - f_a)(1 - f_b) / 0.5        (female shares; 1 when either is unknown)
    A = sum over the age bands of a_band b_band / (1/3)  (1 when either is unknown)

F is the follower count (unknown: the lower quartile of the tier's, known.peer_fill). ACTIVITY is how much
more often active users follow: followers are not drawn uniformly. LEAKAGE is the share of an audience
outside the creator's categories, so two creators of different niches overlap a little, never 0.

So two large creators of one niche overlap more than two small ones, a creator with a mostly female audience
shares little with one with a mostly male audience, and two creators of one niche with 50,000 followers each
share about 0.4% at the default N (20 million). An estimate forbids a pair only where it is confidently above
max_overlap: its 80% lower end, estimate x exp(-1.28 ESTIMATE_LOG_SD), must exceed it (conflict_threshold); a
pair below that still shares audience, which the estimated unique reach discounts.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd

from ..config import CampaignParams
from ..data import ProblemData
from ..inputs.parse import norm_category
from ..inputs.schema import AGE_BANDS
from .known import peer_fill

NICHE_USERS = CampaignParams.niche_users  # the campaign's default
ACTIVITY = 2.0  # E[w^2] / E[w]^2 of users' follow propensity w (lognormal, sd 0.83)
LEAKAGE = 0.1  # the share of a creator's audience outside its categories
PLATFORM_USERS = 600_000_000.0  # the users an audience's leakage is spread over
ESTIMATE_LOG_SD = 0.35  # its log error on the simulated populations (eval/population.py), in and across markets
DENSE_MAX = 2_000  # up to this many creators every pair is compared (cross-niche pairs included)
CONFLICT_COLUMNS = ["a", "b", "creator_a", "creator_b", "overlap", "source"]


BLOCK_CELLS = 4_000_000  # creator pairs compared at once (memory: a few arrays of this many floats)


def conflict_threshold(max_overlap: float) -> float:
    """The estimate above which a pair is confidently above max_overlap (its 80% lower end is above it)."""
    return max_overlap * math.exp(1.28 * ESTIMATE_LOG_SD)


def forbidding_limit(data: ProblemData, max_overlap: float) -> float:
    """The overlap above which two creators may not share a product: max_overlap itself for a given overlaps
    table, conflict_threshold(max_overlap) for an estimate."""
    return max_overlap if data.overlaps is not None else conflict_threshold(max_overlap)


def _similarity(creators: pd.DataFrame, niche_users: float):
    """The per-creator arrays the estimate compares: category incidence (scaled by (1 - LEAKAGE) / n), followers,
    female share, age-band shares and whether they are known."""
    n = len(creators)
    cats = sorted({norm_category(k) for ks in creators["categories"] for k in ks})
    col = {k: j for j, k in enumerate(cats)}
    incidence = np.zeros((n, max(len(cats), 1)), dtype=np.float64)
    for i, ks in enumerate(creators["categories"]):
        keys = {col[norm_category(k)] for k in ks}
        for j in keys:
            incidence[i, j] = (1.0 - LEAKAGE) / len(keys)
    followers = peer_fill(creators["followers"].to_numpy(float), creators["tier"].to_numpy(object))[0]
    ages = np.vstack([creators[f"audience_age_{b}"].to_numpy(float) for b in AGE_BANDS]).T
    return (incidence, np.nan_to_num(followers), creators["audience_female"].to_numpy(float), ages,
            ~np.isnan(ages).any(axis=1), float(niche_users))


def _estimate(left: np.ndarray, right: np.ndarray, arrays) -> np.ndarray:
    """The estimate for every (left[i], right[j]), as a len(left) x len(right) matrix."""
    incidence, followers, female, ages, age_known, niche = arrays
    shared = incidence[left] @ incidence[right].T / niche + LEAKAGE ** 2 / PLATFORM_USERS
    fa, fb = female[left, None], female[None, right]
    g = (fa * fb + (1 - fa) * (1 - fb)) / 0.5
    g = np.where(np.isnan(g), 1.0, g)
    a = ages[left] @ ages[right].T * len(AGE_BANDS)
    a = np.where(age_known[left, None] & age_known[None, right], a, 1.0)
    larger = np.maximum(followers[left, None], followers[None, right])
    return np.minimum(1.0, ACTIVITY * larger * shared * g * a)


def _pairs_above(left: np.ndarray, right: np.ndarray, arrays, threshold: float, found: list) -> None:
    est = _estimate(left, right, arrays)
    i, j = np.nonzero(est > threshold)
    a, b = left[i], right[j]
    upper = a < b
    found.append((a[upper], b[upper], est[i[upper], j[upper]]))


def estimate_overlaps(creators: pd.DataFrame, threshold: float, niche_users: float,
                      arrays=None) -> pd.DataFrame:
    """Estimated overlaps above `threshold`, as rows a < b (creator positions).

    Up to DENSE_MAX creators every pair is compared. Above it only creators who share a category are (a
    cross-niche overlap, LEAKAGE^2 of the platform, is far below any threshold a campaign sets): one block of
    members per category, compared in chunks of at most BLOCK_CELLS pairs. A pair found twice is kept once."""
    arrays = arrays if arrays is not None else _similarity(creators, niche_users)
    incidence = arrays[0]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    n = len(creators)
    groups = [np.arange(n)] if n <= DENSE_MAX else [np.nonzero(incidence[:, k])[0] for k in range(incidence.shape[1])]
    for members in groups:
        step = max(1, BLOCK_CELLS // max(len(members), 1))
        for start in range(0, len(members), step):
            # pairs with a later member only: each unordered pair once per group
            _pairs_above(members[start:start + step], members[start:], arrays, threshold, found)
    if not found:
        return pd.DataFrame({"a": np.zeros(0, int), "b": np.zeros(0, int), "overlap": np.zeros(0)})
    frame = pd.DataFrame({"a": np.concatenate([f[0] for f in found]), "b": np.concatenate([f[1] for f in found]),
                          "overlap": np.concatenate([f[2] for f in found]).astype(float)})
    return frame.drop_duplicates(["a", "b"]).sort_values(["a", "b"]).reset_index(drop=True)


def overlap_rows(data: ProblemData, threshold: float, among: np.ndarray | None = None,
                 niche_users: float = NICHE_USERS) -> pd.DataFrame:
    """Pairs a < b (creator positions) whose overlap exceeds threshold, from the table or estimated (with
    campaign.niche_users); only among the given positions when `among` is set."""
    if data.overlaps is not None:
        index = {cid: i for i, cid in enumerate(data.creators["creator_id"])}
        table = data.overlaps[data.overlaps["overlap"] > threshold]
        a = table["creator_a"].map(index).to_numpy(int)
        b = table["creator_b"].map(index).to_numpy(int)
        keep = np.ones(len(a), bool) if among is None else np.isin(a, among) & np.isin(b, among)
        return pd.DataFrame({"a": np.minimum(a, b)[keep], "b": np.maximum(a, b)[keep],
                             "overlap": table["overlap"].to_numpy(float)[keep]})
    arrays = _similarity(data.creators, niche_users)  # the whole list: a follower count filled from all peers
    if among is None:
        return estimate_overlaps(data.creators, threshold, niche_users, arrays)
    subset = (arrays[0][among], arrays[1][among], arrays[2][among], arrays[3][among], arrays[4][among], arrays[5])
    frame = estimate_overlaps(data.creators.iloc[among].reset_index(drop=True), threshold, niche_users, subset)
    frame["a"], frame["b"] = among[frame["a"]], among[frame["b"]]
    return frame


def conflicts(data: ProblemData, max_overlap: float, among: np.ndarray | None = None,
              niche_users: float = NICHE_USERS) -> pd.DataFrame:
    """Creator pairs whose overlap exceeds max_overlap (CONFLICT_COLUMNS): from the table as given, or
    estimated and confidently above it (conflict_threshold); only among the given creator positions (those with
    an eligible pair) when `among` is set."""
    ids = data.creators["creator_id"].to_numpy(object)
    frame = overlap_rows(data, forbidding_limit(data, max_overlap), among, niche_users)
    source = "table" if data.overlaps is not None else "estimated"
    frame["creator_a"] = ids[frame["a"]] if len(frame) else pd.Series(dtype=object)
    frame["creator_b"] = ids[frame["b"]] if len(frame) else pd.Series(dtype=object)
    frame["source"] = source
    return frame[CONFLICT_COLUMNS].reset_index(drop=True)


def conflict_graph(conflict_rows: pd.DataFrame) -> nx.Graph:
    """Creators as nodes (by id), an edge per conflicting pair with its overlap."""
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(conflict_rows["creator_a"], conflict_rows["creator_b"], conflict_rows["overlap"]),
        weight="overlap")
    return graph


def unique_reach(followers: np.ndarray, overlaps: pd.DataFrame) -> float:
    """Estimated unique audience of a set of creators: followers (unknown = 0) and the overlaps among them
    (a, b positions into followers; overlap = the share of the smaller audience that both reach).

    Creators are added largest first; each brings the part of its audience no earlier creator reaches,
    the overlaps taken as independent: new(c) = f(c) * prod over earlier b of (1 - overlap(b, c)).
    Exact for two creators (f(a) + f(b) - overlap * f(b)), for disjoint, nested or identical audiences;
    never below the largest audience nor above the sum (docs, "The app")."""
    f = np.nan_to_num(np.asarray(followers, dtype=float), nan=0.0)
    if not len(f):
        return 0.0
    order = np.argsort(-f, kind="stable")
    rank = np.empty(len(f), dtype=int)
    rank[order] = np.arange(len(f))
    unseen = np.ones(len(f))  # the share of each creator's audience no earlier creator reaches
    a, b = overlaps["a"].to_numpy(int), overlaps["b"].to_numpy(int)
    later = np.where(rank[a] > rank[b], a, b)
    np.multiply.at(unseen, later, 1.0 - np.clip(overlaps["overlap"].to_numpy(float), 0.0, 1.0))
    return float((f * unseen).sum())

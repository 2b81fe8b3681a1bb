"""Audience overlap between creators and the conflict graph it induces.

With an overlaps table, its values are used as given (pairs not listed overlap 0). Without one,
overlap is estimated from what the creator table says, and marked "estimated":

    overlap(a, b) = 0.6 * J * S
    J = Jaccard similarity of the two creators' category sets
    S = mean of the known audience similarities, UNKNOWN_SIMILARITY (0.4) when none is known:
        gender  1 - |female share a - female share b|
        age     1 - half the L1 distance of the age-band shares
        region  1 if the main audience regions agree, 0.3 if they differ

0.6 is the largest overlap the estimate will claim (identical audiences in identical categories);
two creators in the same categories with no audience data are estimated at 0.6 * 0.4 = 0.24.
Two creators whose overlap exceeds `max_overlap` must not both be assigned to the same product.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd

from ..data import ProblemData
from ..inputs.parse import norm_category
from ..inputs.schema import AGE_BANDS
from .known import mean_known

ESTIMATE_SCALE = 0.6
UNKNOWN_SIMILARITY = 0.4
CONFLICT_COLUMNS = ["a", "b", "creator_a", "creator_b", "overlap", "source"]


BLOCK_CELLS = 4_000_000  # creator pairs compared at once (memory: a few arrays of this many floats)


def _similarity(creators: pd.DataFrame):
    """The per-creator arrays the estimate compares: category incidence and count, gender, age bands, region."""
    n = len(creators)
    cats = sorted({norm_category(k) for ks in creators["categories"] for k in ks})
    col = {k: j for j, k in enumerate(cats)}
    rows = [i for i, ks in enumerate(creators["categories"]) for _ in ks]
    cols = [col[norm_category(k)] for ks in creators["categories"] for k in ks]
    incidence = np.zeros((n, max(len(cats), 1)), dtype=np.float32)
    incidence[rows, cols] = 1.0
    ages = np.vstack([creators[f"audience_age_{b}"].to_numpy(float) for b in AGE_BANDS]).T
    regions = np.array([norm_category(r) for r in creators["audience_region"]], dtype=object)
    return (incidence, incidence.sum(axis=1), creators["audience_female"].to_numpy(float), ages,
            ~np.isnan(ages).any(axis=1), regions)


def _estimate(left: np.ndarray, right: np.ndarray, arrays) -> np.ndarray:
    """The estimate for every (left[i], right[j]), as a len(left) x len(right) matrix."""
    incidence, sizes, female, ages, age_known, regions = arrays
    inter = incidence[left] @ incidence[right].T
    union = sizes[left, None] + sizes[None, right] - inter
    est = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    g = 1.0 - np.abs(female[left, None] - female[None, right])
    a = 1.0 - 0.5 * np.abs(ages[left, None, :] - ages[None, right, :]).sum(axis=2)
    a = np.where(age_known[left, None] & age_known[None, right], a, np.nan)
    r_known = (regions[left, None] != "") & (regions[None, right] != "")
    r = np.where(r_known, np.where(regions[left, None] == regions[None, right], 1.0, 0.3), np.nan)
    return ESTIMATE_SCALE * est * mean_known(np.stack([g, a, r]), UNKNOWN_SIMILARITY)


def estimate_overlaps(creators: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Estimated overlaps above `threshold`, as rows a < b (creator positions).

    Only creators who share a category are compared (with none in common the Jaccard term, and so the
    estimate, is 0): one block of members per category, compared in chunks of at most BLOCK_CELLS pairs,
    never all pairs of creators. A pair sharing two categories is found twice and kept once."""
    arrays = _similarity(creators)
    incidence = arrays[0]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for k in range(incidence.shape[1]):
        members = np.nonzero(incidence[:, k])[0]
        step = max(1, BLOCK_CELLS // max(len(members), 1))
        for start in range(0, len(members), step):
            left = members[start:start + step]
            right = members[start:]  # pairs with a later member only: each unordered pair once per category
            est = _estimate(left, right, arrays)
            i, j = np.nonzero(est > threshold)
            a, b = left[i], right[j]
            upper = a < b
            found.append((a[upper], b[upper], est[i[upper], j[upper]]))
    if not found:
        return pd.DataFrame({"a": np.zeros(0, int), "b": np.zeros(0, int), "overlap": np.zeros(0)})
    frame = pd.DataFrame({"a": np.concatenate([f[0] for f in found]), "b": np.concatenate([f[1] for f in found]),
                          "overlap": np.concatenate([f[2] for f in found]).astype(float)})
    return frame.drop_duplicates(["a", "b"]).sort_values(["a", "b"]).reset_index(drop=True)


def overlap_rows(data: ProblemData, threshold: float, among: np.ndarray | None = None) -> pd.DataFrame:
    """Pairs a < b (creator positions) whose overlap exceeds threshold, from the table or estimated;
    only among the given positions when `among` is set."""
    if data.overlaps is not None:
        index = {cid: i for i, cid in enumerate(data.creators["creator_id"])}
        table = data.overlaps[data.overlaps["overlap"] > threshold]
        a = table["creator_a"].map(index).to_numpy(int)
        b = table["creator_b"].map(index).to_numpy(int)
        keep = np.ones(len(a), bool) if among is None else np.isin(a, among) & np.isin(b, among)
        return pd.DataFrame({"a": np.minimum(a, b)[keep], "b": np.maximum(a, b)[keep],
                             "overlap": table["overlap"].to_numpy(float)[keep]})
    if among is None:
        return estimate_overlaps(data.creators, threshold)
    frame = estimate_overlaps(data.creators.iloc[among].reset_index(drop=True), threshold)
    frame["a"], frame["b"] = among[frame["a"]], among[frame["b"]]
    return frame


def conflicts(data: ProblemData, max_overlap: float, among: np.ndarray | None = None) -> pd.DataFrame:
    """Creator pairs whose overlap exceeds max_overlap (CONFLICT_COLUMNS), from the table or estimated;
    only among the given creator positions (those with an eligible pair) when `among` is set."""
    ids = data.creators["creator_id"].to_numpy(object)
    frame = overlap_rows(data, max_overlap, among)
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

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


def estimate_overlaps(creators: pd.DataFrame, threshold: float, block: int = 1024) -> pd.DataFrame:
    """Estimated overlaps above `threshold`, as rows a < b (creator positions), in row blocks."""
    n = len(creators)
    cats = sorted({norm_category(k) for ks in creators["categories"] for k in ks})
    col = {k: j for j, k in enumerate(cats)}
    incidence = np.zeros((n, max(len(cats), 1)), dtype=np.float32)
    for i, ks in enumerate(creators["categories"]):
        for k in ks:
            incidence[i, col[norm_category(k)]] = 1.0
    sizes = incidence.sum(axis=1)
    female = creators["audience_female"].to_numpy(float)
    ages = np.vstack([creators[f"audience_age_{b}"].to_numpy(float) for b in AGE_BANDS]).T
    age_known = ~np.isnan(ages).any(axis=1)
    regions = np.array([norm_category(r) for r in creators["audience_region"]], dtype=object)
    rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for start in range(0, n, block):
        stop = min(start + block, n)
        inter = incidence[start:stop] @ incidence.T
        union = sizes[start:stop, None] + sizes[None, :] - inter
        est = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
        g = 1.0 - np.abs(female[start:stop, None] - female[None, :])
        a = 1.0 - 0.5 * np.abs(ages[start:stop, None, :] - ages[None, :, :]).sum(axis=2)
        a = np.where(age_known[start:stop, None] & age_known[None, :], a, np.nan)
        r_known = (regions[start:stop, None] != "") & (regions[None, :] != "")
        r = np.where(r_known, np.where(regions[start:stop, None] == regions[None, :], 1.0, 0.3), np.nan)
        est *= mean_known(np.stack([g, a, r]), UNKNOWN_SIMILARITY)
        est *= ESTIMATE_SCALE
        i, j = np.nonzero(est > threshold)
        i = i + start
        upper = i < j
        rows.append((i[upper], j[upper], est[i[upper] - start, j[upper]]))
    a_idx = np.concatenate([r[0] for r in rows]) if rows else np.zeros(0, int)
    b_idx = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0, int)
    values = np.concatenate([r[2] for r in rows]) if rows else np.zeros(0)
    return pd.DataFrame({"a": a_idx, "b": b_idx, "overlap": values.astype(float)})


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


def conflicts(data: ProblemData, max_overlap: float) -> pd.DataFrame:
    """Creator pairs whose overlap exceeds max_overlap (CONFLICT_COLUMNS), from the table or estimated."""
    ids = data.creators["creator_id"].to_numpy(object)
    frame = overlap_rows(data, max_overlap)
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
    never below the largest audience nor above the sum (README, "The app")."""
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

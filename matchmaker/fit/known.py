"""The mean of the known parts: how every composite score treats missing data (NaN)."""

from __future__ import annotations

import numpy as np


def mean_known(parts: np.ndarray, default: float) -> np.ndarray:
    """Mean over the first axis of the parts that are known (not NaN); `default` where none is."""
    known = ~np.isnan(parts)
    total = np.where(known, parts, 0.0).sum(axis=0)
    return np.where(known.any(axis=0), total / np.maximum(known.sum(axis=0), 1), default)


PEER_QUANTILE = 0.25  # an unknown figure takes its peers' lower quartile: missing data is never a bonus


def peer_fill(values: np.ndarray, groups: np.ndarray, q: float = PEER_QUANTILE) -> tuple[np.ndarray, np.ndarray]:
    """Each unknown (NaN) value replaced by the q-quantile of the known values of its group (its peers: the
    creators of its tier), else of the whole pool; NaN stays where nobody has the figure. Returns the filled
    values and where they were unknown."""
    values = np.asarray(values, dtype=float)
    unknown = np.isnan(values)
    out = values.copy()
    if not unknown.any() or unknown.all():
        return out, unknown
    pool = float(np.quantile(values[~unknown], q))
    groups = np.asarray(groups, dtype=object)
    for group in np.unique(groups[unknown]):
        members = groups == group
        known = values[members & ~unknown]
        out[members & unknown] = float(np.quantile(known, q)) if len(known) else pool
    return out, unknown

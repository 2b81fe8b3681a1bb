"""The mean of the known parts: how every composite score treats missing data (NaN)."""

from __future__ import annotations

import numpy as np


def mean_known(parts: np.ndarray, default: float) -> np.ndarray:
    """Mean over the first axis of the parts that are known (not NaN); `default` where none is."""
    known = ~np.isnan(parts)
    total = np.where(known, parts, 0.0).sum(axis=0)
    return np.where(known.any(axis=0), total / np.maximum(known.sum(axis=0), 1), default)

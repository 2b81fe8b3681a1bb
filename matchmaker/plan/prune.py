"""Which pairs the exact search sees on a large campaign, with a guarantee.

Kept: per product the best pairs by value, by value per yuan and by each money rule (enough for its min
and max rules), every pair the LP relaxation uses, and the hint's pairs. A pruned pair costs the search
nothing it could prove: after the search, `Relaxation.could_improve(plan value)` says whether any pruned
pair might be in a better plan. If none, the search's own bound holds for the full campaign; if some,
they come back for another round while time is left, and otherwise only the LP's bound (of the full
model) is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .instance import NO_LIMIT, Instance
from .relax import USED, Relaxation

PRUNE_ABOVE = 20_000  # eligible pairs: below this the exact search sees every pair
MIN_PER_PRODUCT = 40  # pairs kept per product by each ranking, at least


def per_product(inst: Instance) -> np.ndarray:
    """How many pairs to keep per product by each ranking: a few times its max creators (or its min)."""
    counts = np.bincount(inst.pair_p, minlength=len(inst.prod_min))
    wanted = np.where(inst.prod_max != NO_LIMIT, 3 * inst.prod_max, np.maximum(3 * inst.prod_min, counts))
    return np.maximum(wanted, MIN_PER_PRODUCT)


def _best_per_product(inst: Instance, limit: np.ndarray) -> np.ndarray:
    """Boolean mask over pairs: per product the `limit[p]` best by value, by value per yuan, by each money
    rule (the pairs that ease it most: the best ROI, the least CPM, ...) and the best Top-KOLs by value
    (enough for the Top-KOL minimums)."""
    frame = pd.DataFrame({"p": inst.pair_p, "value": inst.value, "per_yuan": inst.per_yuan,
                          **{f"rule {k}": -rule.coef for k, rule in enumerate(inst.rules)}})
    limit = limit[inst.pair_p]
    keep = np.zeros(inst.n_pairs, dtype=bool)
    for key in ("value", "per_yuan", *(f"rule {k}" for k in range(len(inst.rules)))):
        rank = frame.groupby("p")[key].rank(method="first", ascending=False).to_numpy()
        keep |= rank <= limit
    top = inst.top[inst.pair_c]
    if top.any():
        rank = frame[top].groupby("p")["value"].rank(method="first", ascending=False).to_numpy()
        keep[np.nonzero(top)[0][rank <= limit[top]]] = True
    return keep


def keep_pairs(inst: Instance, relaxation: Relaxation | None, hint: np.ndarray) -> np.ndarray:
    """Boolean mask over pairs: the ones the exact search sees."""
    keep = _best_per_product(inst, per_product(inst))
    if relaxation is not None and relaxation.solved:
        keep |= relaxation.x > USED
    keep[hint] = True
    keep[inst.locked_pairs] = True
    keep[inst.creator_locked_pairs] = True
    return keep


# Above this many eligible pairs (1,000,000 creators x 200 products: ~25M) only a pool goes on to the
# overlap estimate and the solver: per product POOL_FACTOR times the search's first round by each ranking,
# at least POOL_MIN. The pairs left out are never booked (their overlaps are not computed) but stay in the
# LP bound (Instance.outside_*), so the reported gap covers every eligible pair.
POOL_ABOVE = 2_000_000
POOL_FACTOR = 5
POOL_MIN = 200


def pool(inst: Instance) -> np.ndarray:
    """Boolean mask over pairs: the pool of a very large campaign (all pairs up to POOL_ABOVE)."""
    if inst.n_pairs <= POOL_ABOVE:
        return np.ones(inst.n_pairs, dtype=bool)
    keep = _best_per_product(inst, np.maximum(POOL_FACTOR * per_product(inst), POOL_MIN))
    keep[inst.locked_pairs] = True
    keep[inst.creator_locked_pairs] = True
    return keep

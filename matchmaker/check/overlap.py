"""Audience overlap of two booked creators, recomputed from ProblemData for the checker.

Written apart from fit/overlap.py on purpose (scalar Python against its blocked numpy), so a slip in
either shows as a disagreement in the tests. The rule it re-derives (docs, "The model"): the overlaps table
when one is given (pairs not listed overlap 0), else the estimated share of the smaller audience both reach,

    min(1, 2 * larger follower count * (shared niche term + 0.1^2 / 6e8) * gender term * age term),

the shared niche term being, over the categories both have, 0.9^2 / (n_a n_b niche_users); and an estimate
breaks the rule only when its 80% lower end (x exp(-1.28 * 0.35)) is above max_overlap. An unknown follower
count is the lower quartile of the known ones of the creator's tier (else of everyone's).
"""

from __future__ import annotations

import math
import statistics

import pandas as pd

from ..config import CampaignParams
from ..data import ProblemData

ACTIVITY, LEAKAGE, PLATFORM, LOG_SD, Z80 = 2.0, 0.1, 600_000_000.0, 0.35, 1.28


def text_key(text: object) -> str:
    return "".join(str(text).split()).casefold()


def _known(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _lower_quartile(values: list[float]) -> float:
    """numpy's default (linear) 25th percentile, written out."""
    ordered = sorted(values)
    position = 0.25 * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class Overlaps:
    """overlap(a, b) for creator ids, from the table or estimated; `estimated` says which."""

    def __init__(self, data: ProblemData, creators: pd.DataFrame | None = None,
                 niche_users: float = CampaignParams.niche_users):
        """creators: the rows of data.creators that will be asked about (default: all)."""
        creators = data.creators if creators is None else creators
        self.table: dict[frozenset, float] | None = None
        self.niche_users = float(niche_users)
        if data.overlaps is not None:
            o = data.overlaps
            ids = creators["creator_id"]
            o = o[o["creator_a"].isin(ids) & o["creator_b"].isin(ids)]
            self.table = {frozenset((a, b)): float(v)
                          for a, b, v in zip(o["creator_a"], o["creator_b"], o["overlap"])}
        self.creators = {r.creator_id: r for r in creators.itertuples(index=False)}
        by_tier: dict[str, list[float]] = {}
        for r in data.creators.itertuples(index=False):  # an unknown follower count: its tier's lower quartile
            value = _known(r.followers)
            by_tier.setdefault(r.tier, [])
            if value is not None:
                by_tier[r.tier].append(value)
        everyone = [f for values in by_tier.values() for f in values]
        pool = _lower_quartile(everyone) if everyone else 0.0
        self.fill = {tier: _lower_quartile(values) if values else pool for tier, values in by_tier.items()}

    @property
    def estimated(self) -> bool:
        return self.table is None

    def breaks(self, a: str, b: str, limit: float) -> tuple[bool, float]:
        """Whether the pair is above max_overlap by the rule (a table's value, or an estimate's lower end)."""
        value = self(a, b)
        return (value * math.exp(-Z80 * LOG_SD) if self.estimated else value) > limit, value

    def __call__(self, a: str, b: str) -> float:
        if self.table is not None:
            return self.table.get(frozenset((a, b)), 0.0)
        return self.estimate(self.creators[a], self.creators[b])

    def _followers(self, row) -> float:
        value = _known(row.followers)
        return value if value is not None else self.fill.get(row.tier, 0.0)

    def estimate(self, a, b) -> float:
        cats_a, cats_b = {text_key(k) for k in a.categories}, {text_key(k) for k in b.categories}
        niche = sum((1 - LEAKAGE) ** 2 / (len(cats_a) * len(cats_b) * self.niche_users) for _ in cats_a & cats_b)
        gender = 1.0
        fa, fb = _known(a.audience_female), _known(b.audience_female)
        if fa is not None and fb is not None:
            gender = (fa * fb + (1 - fa) * (1 - fb)) / 0.5
        bands = ("audience_age_18_24", "audience_age_25_34", "audience_age_35_plus")
        ages_a = [_known(getattr(a, band)) for band in bands]
        ages_b = [_known(getattr(b, band)) for band in bands]
        age = 1.0
        if None not in ages_a and None not in ages_b:
            age = statistics.fsum(x * y for x, y in zip(ages_a, ages_b)) * len(bands)
        larger = max(self._followers(a), self._followers(b))
        return min(1.0, ACTIVITY * larger * (niche + LEAKAGE ** 2 / PLATFORM) * gender * age)

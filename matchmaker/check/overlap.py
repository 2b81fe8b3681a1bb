"""Audience overlap of two booked creators, recomputed from ProblemData for the checker.

Written apart from fit/overlap.py on purpose (scalar Python against its blocked numpy), so a slip in
either shows as a disagreement in the tests. The rule it re-derives (docs, "Input format"): the
overlaps table when one is given (pairs not listed overlap 0), else the estimate
0.6 * Jaccard(category sets) * mean of the known audience similarities (0.4 when none is known).
"""

from __future__ import annotations

import math

import pandas as pd

from ..data import ProblemData


def text_key(text: object) -> str:
    return "".join(str(text).split()).casefold()


def _known(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


class Overlaps:
    """overlap(a, b) for creator ids, from the table or estimated."""

    def __init__(self, data: ProblemData, creators: pd.DataFrame | None = None):
        """creators: the rows of data.creators that will be asked about (default: all)."""
        creators = data.creators if creators is None else creators
        self.table: dict[frozenset, float] | None = None
        if data.overlaps is not None:
            o = data.overlaps
            ids = creators["creator_id"]
            o = o[o["creator_a"].isin(ids) & o["creator_b"].isin(ids)]
            self.table = {frozenset((a, b)): float(v)
                          for a, b, v in zip(o["creator_a"], o["creator_b"], o["overlap"])}
        self.creators = {r.creator_id: r for r in creators.itertuples(index=False)}

    def __call__(self, a: str, b: str) -> float:
        if self.table is not None:
            return self.table.get(frozenset((a, b)), 0.0)
        return self.estimate(self.creators[a], self.creators[b])

    @staticmethod
    def estimate(a: pd.Series, b: pd.Series) -> float:
        cats_a, cats_b = {text_key(k) for k in a.categories}, {text_key(k) for k in b.categories}
        union = cats_a | cats_b
        jaccard = len(cats_a & cats_b) / len(union) if union else 0.0
        similarities = []
        fa, fb = _known(a.audience_female), _known(b.audience_female)
        if fa is not None and fb is not None:
            similarities.append(1.0 - abs(fa - fb))
        bands = ("audience_age_18_24", "audience_age_25_34", "audience_age_35_plus")
        ages_a = [_known(getattr(a, band)) for band in bands]
        ages_b = [_known(getattr(b, band)) for band in bands]
        if None not in ages_a and None not in ages_b:
            similarities.append(1.0 - 0.5 * sum(abs(x - y) for x, y in zip(ages_a, ages_b)))
        ra, rb = text_key(a.audience_region), text_key(b.audience_region)
        if ra and rb:
            similarities.append(1.0 if ra == rb else 0.3)
        similarity = sum(similarities) / len(similarities) if similarities else 0.4
        return 0.6 * jaccard * similarity

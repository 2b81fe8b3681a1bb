"""The problem data: one immutable value, separate from file formats and from the solver."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .problems import Problem

TIERS = ("top_kol", "alliance")  # every creator is one of these


@dataclass(frozen=True)
class ProblemData:
    """Validated, canonical tables. Creator and product positions (0..n-1) index everything after.

    creators: creator_id, name, tier, followers, categories (tuple), bio, fee, max_products,
      engagement_rate, avg_views, audience_female, audience_age_18_24/25_34/35_plus,
      audience_region, experience_score, mcn, row (the source spreadsheet row)
    products: product_id, brand, name, category, description, price, min_creators, max_creators,
      min_top_kol, max_top_kol, budget, target_gender, target_age (tuple), target_region, row
    pairs (optional): creator_id, product_id, value  -- user-supplied eligible pairs and values
    overlaps (optional): creator_a, creator_b, overlap -- measured audience overlaps in 0..1
    locks (optional): creator_id, product_id -- bookings every plan must make (a pilot's kept bookings)
    bans: creator ids no plan may book
    Treat the frames as read-only; make changed copies with `replace`.
    """

    creators: pd.DataFrame
    products: pd.DataFrame
    pairs: pd.DataFrame | None = None
    overlaps: pd.DataFrame | None = None
    warnings: tuple[Problem, ...] = ()
    files: dict[str, str] = field(default_factory=dict)
    locks: pd.DataFrame | None = None
    bans: tuple[str, ...] = ()

    @property
    def n_creators(self) -> int:
        return len(self.creators)

    @property
    def n_products(self) -> int:
        return len(self.products)

    def replace(self, **changes) -> ProblemData:
        return replace(self, **changes)

    def fees_paid(self) -> np.ndarray:
        """Per creator, the fee paid for one slot: the quote less the rebate, 0 on a commission-only deal
        (nan: no quote and not commission-only, never booked). The checker derives it on its own."""
        creators = self.creators
        fee = creators["fee"].to_numpy(float) * (1.0 - np.nan_to_num(creators["rebate"].to_numpy(float)))
        return np.where(creators["pricing"].to_numpy(object) == "commission", 0.0, fee)

    def sample_costs(self) -> np.ndarray:
        """Per product, the cost of the sample sent with each booking (0 when none is given)."""
        return np.nan_to_num(self.products["sample_cost"].to_numpy(float))

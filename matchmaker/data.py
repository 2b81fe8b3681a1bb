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
    deals (optional): creator_id, product_id, fee, pricing, commission_rate, rebate -- terms for one
      product, over the creator's own
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
    deals: pd.DataFrame | None = None
    digests: dict[str, str] = field(default_factory=dict)  # table -> SHA-256 of the file it was read from

    @property
    def n_creators(self) -> int:
        return len(self.creators)

    @property
    def n_products(self) -> int:
        return len(self.products)

    def replace(self, **changes) -> ProblemData:
        return replace(self, **changes)

    def product_label(self, product_id: str) -> str:
        """A product as a person reads it: its name and, when the name is not its id, the id in brackets."""
        found = self.products.index[self.products["product_id"].astype(str) == str(product_id)]
        if not len(found):
            return str(product_id)
        name = self.products.at[found[0], "name"]
        name = "" if pd.isna(name) else str(name).strip()
        return f"{name} ({product_id})" if name and name != str(product_id) else str(product_id)

    def fees_paid(self) -> np.ndarray:
        """Per creator, the fee paid for one slot: the quote less the rebate, 0 on a commission-only deal
        (nan: no quote and not commission-only, never booked). The checker derives it on its own."""
        creators = self.creators
        fee = creators["fee"].to_numpy(float) * (1.0 - np.nan_to_num(creators["rebate"].to_numpy(float)))
        return np.where(creators["pricing"].to_numpy(object) == "commission", 0.0, fee)

    def pair_terms(self, c: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per booking (c[i], p[i]): the fee paid (nan: no quote, never booked), the pricing model and the
        creator's commission rate (nan: none), from the creator's terms and, over them, a deal for the pair."""
        creators = self.creators
        quote = creators["fee"].to_numpy(float)[c]
        rebate = creators["rebate"].to_numpy(float)[c]
        pricing = creators["pricing"].to_numpy(object)[c]
        rate = creators["commission_rate"].to_numpy(float)[c]
        if self.deals is not None and len(self.deals):
            keys = pd.MultiIndex.from_arrays([creators["creator_id"].to_numpy(object)[c],
                                              self.products["product_id"].to_numpy(object)[p]])
            deal = self.deals.set_index(["creator_id", "product_id"]).reindex(keys)
            given = deal["fee"].to_numpy(float)
            quote = np.where(np.isnan(given), quote, given)
            given = deal["rebate"].to_numpy(float)
            rebate = np.where(np.isnan(given), rebate, given)
            given = deal["pricing"].fillna("").to_numpy(object)
            pricing = np.where(given != "", given, pricing)
            given = deal["commission_rate"].to_numpy(float)
            rate = np.where(np.isnan(given), rate, given)
        paid = quote * (1.0 - np.nan_to_num(rebate))
        return np.where(pricing == "commission", 0.0, paid), pricing, rate

    def has_deal(self) -> np.ndarray:
        """Per creator: a deal gives it terms for some product (so it may be booked without a quote)."""
        if self.deals is None or not len(self.deals):
            return np.zeros(self.n_creators, dtype=bool)
        return self.creators["creator_id"].isin(set(self.deals["creator_id"])).to_numpy()

    def sample_costs(self) -> np.ndarray:
        """Per product, the cost of the sample sent with each booking (0 when none is given)."""
        return np.nan_to_num(self.products["sample_cost"].to_numpy(float))

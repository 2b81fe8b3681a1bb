"""Categories that do not meet: products no creator may promote, and the creator categories closest to
theirs (string similarity, and the cosine of the labels' embeddings when an embedder is at hand, so that
"Skincare" finds 护肤), to say what to add to the campaign's [categories] map."""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

from ..data import ProblemData
from ..inputs.parse import category_path, norm_category, paths_match
from ..problems import Message, msg

Encode = Callable[[list[str]], np.ndarray]  # unit-length rows, one per label
# Below this, a category is not suggested. Measured with the default (USE) embeddings of category labels:
# related pairs 0.46-0.92 (Beauty~护肤, 运动~Fitness, Food~食品), unrelated 0.25-0.40 (服饰~食品, 宠物~母婴).
MIN_SIMILARITY = 0.45


def closest(label: str, options: list[str], encode: Encode | None = None, n: int = 3) -> list[str]:
    """Up to n options like label (the better of string similarity and embedding cosine, at least
    MIN_SIMILARITY), most alike first."""
    if not options:
        return []
    key = norm_category(label)
    score = np.array([SequenceMatcher(None, key, norm_category(o)).ratio() for o in options])
    if encode is not None:
        vectors = encode([label, *options])
        score = np.maximum(score, vectors[1:] @ vectors[0])
    order = np.argsort(-score, kind="stable")[:n]
    return [options[i] for i in order if score[i] >= MIN_SIMILARITY]


def suggest_categories(data: ProblemData, matched: set[int], encode: Encode | None = None
                       ) -> dict[str, list[str]]:
    """A suggested [categories] map: for each category of the products not in `matched` (positions), the
    creator categories closest to it (none when nothing is close)."""
    labels = sorted({c for cats in data.creators["categories"] for c in cats})
    unmatched = {cat for p, cat in enumerate(data.products["category"]) if p not in matched and cat}
    return {cat: closest(cat, [o for o in labels if not _same(cat, o)], encode) for cat in sorted(unmatched)}


def _same(a: str, b: str) -> bool:
    """Categories that already match (a map from one to the other would change nothing)."""
    return paths_match(category_path(a), category_path(b))


def unmatched_products(data: ProblemData, candidates: pd.DataFrame, encode: Encode | None = None
                       ) -> list[Message]:
    """One sentence per product that no creator may promote, naming the closest creator categories."""
    if data.pairs is not None:
        return []
    matched = set(candidates["p"])
    near = suggest_categories(data, matched, encode)
    out = []
    for p, (pid, category) in enumerate(zip(data.products["product_id"], data.products["category"])):
        if p in matched:
            continue
        found = near.get(category, [])
        if category and any(_same(category, c) for cats in data.creators["categories"] for c in cats):
            out.append(msg("product {product} (category '{category}'): no eligible creator; creators of this "
                           "category exist, but none can be booked (no fee, max_products 0, or below the minimum "
                           "experience)", product=pid, category=category))
        elif not category:
            out.append(msg("product {product} (no category): no eligible creator", product=pid))
        elif found:
            out.append(msg("product {product} (category '{category}'): no eligible creator; the closest creator "
                           "categories are {closest}: map them in [categories], e.g. \"{category}\" = [\"{first}\"]",
                           product=pid, category=category, closest=", ".join(found), first=found[0]))
        else:
            out.append(msg("product {product} (category '{category}'): no eligible creator; no creator category is "
                           "close to it", product=pid, category=category))
    return out

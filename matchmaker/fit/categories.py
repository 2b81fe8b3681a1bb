"""Categories that do not meet: products no creator may promote, and the creator categories closest to
theirs, to say what to add to the campaign's [categories] map. Closest by the labels (one's words within the
other's, a spelling variant, or, with an embedder, the labels' embeddings, so that "Skincare" finds 护肤), and,
with an embedder and four creator categories or more, by the texts: the creator category whose creators' texts are
clearly nearer than the others' to the texts of the category's products ("lipstick" finds Beauty, which no
label rule does)."""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

import numpy as np
import pandas as pd

from ..data import ProblemData
from ..inputs.parse import category_path, has_chinese, norm_category, paths_match
from ..problems import Message, msg
from .score import creator_text, has_text, product_text

Encode = Callable[[list[str]], np.ndarray]  # unit-length rows, one per label
# Below this, a category is not suggested by its label's embedding. Measured with the default (USE) embeddings of
# category labels: related pairs 0.46-0.92 (Beauty~护肤, 运动~Fitness, Food~食品), unrelated 0.25-0.40 (服饰~食品,
# 宠物~母婴).
MIN_SIMILARITY = 0.45
# A spelling variant (Skin care ~ Skincare): string similarity at least this. Lower ratios are letters in
# common, not meaning: lipstick ~ Lifestyle 0.47, pencil ~ Pets & Animals 0.50, foundation ~ Education 0.63.
SPELLING = 0.85
# By the texts: a creator category is suggested when the mean of its creators' text vectors is nearer the mean of
# the category's products' than the other creator categories' by this many of their standard deviations (so with
# MIN_LABELS creator categories at least); each mean of at most PER_CATEGORY texts (the first ones).
MIN_Z, MIN_LABELS, PER_CATEGORY = 3.0, 4, 100
_WORD = re.compile(r"\W+")


def _words(label: str) -> set[str]:
    return {w for w in _WORD.split(str(label).casefold()) if w}


def _within(short: str, long: str) -> bool:
    """Every word of `short` is a word of `long` (Beauty ~ Beauty & Personal Care, 护肤 ~ 美妆-护肤), a Chinese word
    within one of its words (食品 ~ 食品饮料); not letters within a word (art is not in party)."""
    words = _words(long)
    return bool(_words(short)) and all(w in words or (has_chinese(w) and any(w in x for x in words))
                                       for w in _words(short))


def closest(label: str, options: list[str], encode: Encode | None = None, n: int = 3) -> list[str]:
    """Up to n options like label by the labels alone, most alike first: one's words within the other's, a spelling
    variant (SPELLING), or (with encode) an embedding cosine of at least MIN_SIMILARITY."""
    if not options:
        return []
    key = norm_category(label)
    ratio = np.array([SequenceMatcher(None, key, norm_category(o)).ratio() for o in options])
    score = np.where([_within(label, o) or _within(o, label) for o in options], 1.0,
                     np.where(ratio >= SPELLING, ratio, 0.0))
    if encode is not None:
        vectors = encode([label, *options])
        score = np.maximum(score, vectors[1:] @ vectors[0])
    order = np.argsort(-score, kind="stable")[:n]
    return [options[i] for i in order if score[i] >= MIN_SIMILARITY]


def by_texts(data: ProblemData, labels: list[str], categories: list[str], encode: Encode) -> dict[str, list[str]]:
    """For each product category, the creator categories (of `labels`) whose creators' texts are clearly nearer its
    products' texts than the others' (MIN_Z), most alike first. Each side is the normalised mean of the vectors of its
    label and of at most PER_CATEGORY of its texts."""
    def mean(texts: list[str]) -> np.ndarray:
        vector = np.asarray(encode(texts), float).mean(axis=0)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    own: dict[str, list[str]] = {label: [] for label in labels}
    spoken = np.flatnonzero(has_text(data.creators))
    for bio, cats in zip(creator_text(data.creators.iloc[spoken]), data.creators["categories"].iloc[spoken]):
        for label in cats:
            if len(own[label]) < PER_CATEGORY:
                own[label].append(bio)
    creators = np.stack([mean([label, *own[label]]) for label in labels])
    texts = pd.Series(product_text(data.products), index=data.products["category"].to_numpy())
    found = {}
    for category in categories:
        near = creators @ mean([category, *texts.loc[[category]].head(PER_CATEGORY)])
        others = [np.delete(near, i) for i in range(len(near))]
        z = [(x - rest.mean()) / max(float(rest.std()), 1e-12) for x, rest in zip(near, others)]
        found[category] = [labels[i] for i in np.argsort(-near, kind="stable")[:3] if z[i] >= MIN_Z]
    return found


def suggest_categories(data: ProblemData, matched: set[int], encode: Encode | None = None
                       ) -> dict[str, list[str]]:
    """A suggested [categories] map: for each category of the products not in `matched` (positions), up to three
    creator categories close to it, by the labels (closest), then by the texts (by_texts); none when nothing is."""
    labels = sorted({c for cats in data.creators["categories"] for c in cats})
    unmatched = sorted({cat for p, cat in enumerate(data.products["category"]) if p not in matched and cat})
    options = {cat: [o for o in labels if not _same(cat, o)] for cat in unmatched}
    near = {cat: closest(cat, options[cat], encode) for cat in unmatched}
    if encode is not None and len(labels) >= MIN_LABELS and unmatched:
        texts = by_texts(data, labels, unmatched, encode)
        near = {cat: list(dict.fromkeys([*found, *(o for o in texts[cat] if o in options[cat])]))[:3]
                for cat, found in near.items()}
    return near


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

"""Eligible pairs and their values: pure array code, no I/O.

value = (w_style*style + w_audience*audience + w_performance*performance) / (sum of weights),
each component in 0..1:
- style: cosine of the creator's text and the product's (category, name, description), corrected for
  hubness (z-score of the cosine among all creators for that product: generic product texts score high
  against everyone), squashed by a logistic so 0.5 is an average creator for this product. With
  [scoring] pieces (Pieces), the creator's text is its bio's segments and its posts, and a pair's cosine the
  mean of its best pieces'. Neutral 0.5 when either text is blank. With more signals than the cosine, the
  z-score is their z-scores' mean times sqrt(count): with [scoring] category_inference the inferred
  category's (each text's distribution over the product categories' names, a softmax of its cosines with
  them; the chance both sides are of one category), with [scoring] category_prototypes the cosine with the
  product's category prototype (the mean of the vectors of the catalogue's products of that category; none for
  a product alone in its category, whose style then has one signal fewer).
- audience: mean of the known parts: gender (share of the creator's audience of the target gender),
  age (share in the target age bands), region (1 if the main region is the target, else 0).
  Neutral 0.5 when nothing is known.
- performance: mean of the parts: reach (log of average or expected views, or of 10% of followers, relative
  to the largest in the pool), engagement (percentile rank in the pool), experience score / 5, completion
  rate (完播率, percentile rank in the pool). A creator's unknown part takes the lower quartile of its tier's
  known values (missing data is uncertainty, never a bonus); a part nobody has is left out. Neutral 0.5
  when the pool has none of them.
A pairs table, when given, replaces eligibility and values (components are left blank).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..inputs.parse import category_path, norm_category
from ..inputs.schema import AGE_BANDS
from .economics import objective_values
from .embed import Shared
from .engine import Engine, LocalEngine, partitions
from .known import mean_known, peer_fill

VIEW_RATE = 0.1  # expected views per follower when average views are unknown
CANDIDATE_COLUMNS = ["c", "p", "creator_id", "product_id", "fee", "cash", "style", "audience",
                     "performance", "fit", "value"]  # fee: paid (after the rebate); cash: fee + sample


def creator_text(creators: pd.DataFrame) -> list[str]:
    return [str(b) for b in creators["bio"]]


def product_text(products: pd.DataFrame) -> list[str]:
    """The product's category (a path as written), name and description: "美妆. 澜樱丝绒雾面口红 ..."."""
    return [". ".join(filter(None, (str(c).strip(), f"{n} {d}".strip())))
            for c, n, d in zip(products["category"], products["name"], products["description"])]


# A bio's segments: split at |, ｜, bullets, slashes, line ends, and sentence ends followed by a space
_SEGMENT = re.compile(r"\s*(?:[|｜•▪\ufe0f↟/\n]+|(?<=[.!?。！？])\s+)\s*")
_POST = re.compile(r"\s*[|｜\n]+\s*")  # posts (captions, titles, hashtags): one per line or between bars
MAX_PIECES = 32  # per creator: the first ones (a bound on memory with long post histories)


def creator_pieces(creators: pd.DataFrame) -> list[tuple[str, ...]]:
    """Each creator's text as the pieces style scores one by one (docs, "Fit quality"): the bio's segments
    and the recent_posts column's posts, each once, in order, at most MAX_PIECES; the text whole when it has no piece
    of two characters, ("",) when it has no text."""
    posts = creators["recent_posts"] if "recent_posts" in creators else [""] * len(creators)
    out = []
    for bio, post in zip(creators["bio"], posts):
        pieces = [x for x in _SEGMENT.split(str(bio or "")) if len(x) >= 2]
        pieces += [x for x in _POST.split(str(post or "")) if len(x) >= 2]
        out.append(tuple(dict.fromkeys(pieces))[:MAX_PIECES] or (f"{bio or ''} {post or ''}".strip(),))
    return out


def blank_products(products: pd.DataFrame) -> np.ndarray:
    """Per product: no text to score style on (then style is neutral)."""
    return np.array([t == "" for t in product_text(products)], dtype=bool)


def has_text(creators: pd.DataFrame) -> np.ndarray:
    """Per creator: a bio or posts to score style on (else style is neutral)."""
    text = creators["bio"].astype(str).str.strip() != ""
    if "recent_posts" in creators:
        text |= creators["recent_posts"].astype(str).str.strip() != ""
    return text.to_numpy(bool)


@dataclass(frozen=True)
class Pieces:
    """Creators' texts as pieces (creator_pieces): creator i's pieces are rows starts[i]..starts[i+1] of
    `vectors` (every creator has one at least); a pair's cosine is the mean of its `top` best pieces'."""

    vectors: np.ndarray | Shared
    starts: np.ndarray
    top: int

    def __len__(self) -> int:
        return len(self.starts) - 1

    def __getitem__(self, part: slice) -> Pieces:
        """Creators `part` (a slice), with only their own pieces' distinct vectors."""
        start, stop, _ = part.indices(len(self))
        stop = max(start, stop)
        first, last = self.starts[start], self.starts[stop]
        if isinstance(self.vectors, Shared):
            distinct, rows = np.unique(self.vectors.rows[first:last], return_inverse=True)
            vectors: np.ndarray | Shared = Shared(self.vectors.vectors[distinct], rows.reshape(-1))
        else:
            vectors = self.vectors[first:last]
        return Pieces(vectors, self.starts[start:stop + 1] - first, self.top)

    def each(self, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """fn of the pieces' vectors, row by row (computed once per distinct piece)."""
        if isinstance(self.vectors, Shared):
            return fn(self.vectors.vectors)[self.vectors.rows]
        return fn(np.asarray(self.vectors))

    def best(self, product_emb: np.ndarray) -> np.ndarray:
        """creators x products: the mean of each creator's `top` highest piece cosines with the product (of all
        its pieces when it has fewer), product columns in chunks (a bound on memory)."""
        counts = np.diff(self.starts)
        owner = np.repeat(np.arange(len(self)), counts)
        out = np.zeros((len(self), len(product_emb)))
        if not len(self):
            return out
        step = max(1, (1 << 23) // max(len(owner), 1))
        for k in range(0, len(product_emb), step):
            x = self.each(partial(_cosines64, product_emb[k:k + step]))
            total = np.zeros((len(self), x.shape[1]))
            for j in range(self.top):
                high = np.maximum.reduceat(x, self.starts[:-1], axis=0)
                total += np.where((counts > j)[:, None], high, 0.0)
                if j + 1 < self.top:  # take out each creator's first highest piece, per product
                    hit = x == high[owner]
                    seen = np.cumsum(hit, axis=0)
                    before = seen[self.starts[:-1]] - hit[self.starts[:-1]]
                    x = np.where(hit & (seen - before[owner] == 1), -np.inf, x)
            out[:, k:k + step] = total / np.minimum(counts, self.top)[:, None]
        return out


def category_eligible(data: ProblemData, config: Config) -> np.ndarray:
    """Boolean (creators x products): a creator category matches the product's category, or one the
    config's [categories] map allows for it, as paths (inputs.parse.paths_match): one the other's ancestor,
    or the same leaf."""
    mapped = {norm_category(k): [category_path(v) for v in vs] for k, vs in config.categories.items()}
    by_prefix: dict[tuple, set[int]] = defaultdict(set)  # every ancestor-or-self of a creator path
    by_path: dict[tuple, set[int]] = defaultdict(set)
    by_leaf: dict[str, set[int]] = defaultdict(set)
    for c, cats in enumerate(data.creators["categories"]):
        for path in filter(None, map(category_path, cats)):
            by_path[path].add(c)
            by_leaf[path[-1]].add(c)
            for depth in range(1, len(path) + 1):
                by_prefix[path[:depth]].add(c)
    eligible = np.zeros((data.n_creators, data.n_products), dtype=bool)
    for p, cat in enumerate(data.products["category"]):
        for path in filter(None, [category_path(cat), *mapped.get(norm_category(cat), [])]):
            found = by_prefix.get(path, set()) | by_leaf.get(path[-1], set())  # creator below, or same leaf
            for depth in range(1, len(path)):
                found |= by_path.get(path[:depth], set())  # creator above (a parent category)
            eligible[list(found), p] = True
    return eligible


def creator_usable(data: ProblemData, config: Config) -> np.ndarray:
    """Creators that may be booked at all: a fee (quote), capacity above 0, experience not below the
    minimum."""
    exp = data.creators["experience_score"].to_numpy(float)
    low = ~np.isnan(exp) & (exp < config.campaign.min_experience)
    quoted = np.isfinite(data.fees_paid()) | data.has_deal()  # a quote, a commission-only deal, or a deal
    return quoted & (data.creators["max_products"].to_numpy() > 0) & ~low


def eligible_pairs(data: ProblemData, config: Config) -> np.ndarray:
    """Boolean (creators x products): category match (category_eligible) and a bookable creator."""
    return category_eligible(data, config) & creator_usable(data, config)[:, None]


def _cosines64(product_emb: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    return vectors.astype(np.float64) @ product_emb.astype(np.float64).T


def cosines(creator_emb: np.ndarray | Pieces, product_emb: np.ndarray) -> np.ndarray:
    """creators x products, in float64: float32 products move in the 7th digit with how BLAS blocks the
    matrix, so a partition's scores would depend on its size. Of pieces: the best pieces' mean (Pieces.best)."""
    if isinstance(creator_emb, Pieces):
        return creator_emb.best(product_emb)
    return creator_emb.astype(np.float64) @ product_emb.astype(np.float64).T


@dataclass(frozen=True)
class CategorySignals:
    """What the products' categories add to a pair's cosine (docs, "Fit quality"): with [scoring]
    category_inference, the category names' embeddings (`names`) each text's category is inferred among, at the
    softmax's `temperature`; with [scoring] category_prototypes, the categories' prototypes (`prototypes`, one row
    each) and which is each product's (`prototype_of`, -1: none): category_prototypes."""

    names: np.ndarray | None = None
    temperature: float = 0.1
    prototypes: np.ndarray | None = None
    prototype_of: np.ndarray | None = None


def category_prototypes(products: pd.DataFrame, product_emb: np.ndarray,
                        product_blank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The catalogue's category prototypes, once each, and which is each product's (-1: none). A category's is the
    normalised mean of the vectors of the products with text in it or below it (categories as paths,
    inputs.parse.category_path), so that a creator close to a category's products in general is close to each of
    them. A product's is that of the narrowest category on its path that holds two such products or more: its
    own category, else its parent, and so on. None when no category on its path does: a product alone would be its
    own prototype, its cosine again."""
    paths = [category_path(c) for c in products["category"]]
    counted = np.array([bool(path) for path in paths], dtype=bool) & ~np.asarray(product_blank, bool)
    under: dict[tuple[str, ...], list[int]] = defaultdict(list)  # category -> the counted products in or below it
    for i in np.flatnonzero(counted):
        for depth in range(1, len(paths[i]) + 1):
            under[paths[i][:depth]].append(i)
    index: dict[tuple[str, ...], int] = {}
    of = np.full(len(paths), -1, dtype=np.int64)
    for i in np.flatnonzero(counted):
        path = paths[i]
        found = next((path[:d] for d in range(len(path), 0, -1) if len(under[path[:d]]) >= 2), None)
        if found is not None:
            of[i] = index.setdefault(found, len(index))
    vectors = np.asarray(product_emb, dtype=np.float64)
    prototypes = np.zeros((len(index), vectors.shape[1] if vectors.ndim == 2 else 0))
    for category, k in index.items():
        mean = vectors[under[category]].mean(axis=0)
        prototypes[k] = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return prototypes, of


def category_chance(creator_emb: np.ndarray | Pieces, product_emb: np.ndarray, names: np.ndarray,
                    temperature: float) -> np.ndarray:
    """creators x products: the chance both are of one category, each side's distribution over the category names
    a softmax of its cosines with them at the temperature (docs, "Fit quality"). A creator's, of pieces: per
    name the highest of its pieces' chances, made a distribution again (a creator is of a category when
    one of its pieces speaks of it, as its cosine is its best pieces')."""

    def distribution(emb: np.ndarray) -> np.ndarray:
        logits = cosines(emb, names) / temperature
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        return weights / weights.sum(axis=1, keepdims=True)

    if isinstance(creator_emb, Pieces):
        highest = np.maximum.reduceat(creator_emb.each(distribution), creator_emb.starts[:-1], axis=0) \
            if len(creator_emb) else np.zeros((0, len(names)))
        own = highest / highest.sum(axis=1, keepdims=True)
    else:
        own = distribution(creator_emb)
    return own @ distribution(product_emb).T


def signals(creator_emb: np.ndarray | Pieces, product_emb: np.ndarray,
            categories: CategorySignals | None) -> list[np.ndarray]:
    """The style's signals (creators x products): the cosine; with category names the inferred category's
    chance; with prototypes the cosine with the product's category prototype (of pieces: the best pieces')."""
    found = [cosines(creator_emb, product_emb)]
    if categories is not None and categories.names is not None:
        found.append(category_chance(creator_emb, product_emb, categories.names, categories.temperature))
    if categories is not None and categories.prototypes is not None:  # nan: the product has no prototype
        of = categories.prototype_of
        found.append(np.where(of >= 0, cosines(creator_emb, categories.prototypes)[:, np.maximum(of, 0)], np.nan))
    return found


Moments = tuple[np.ndarray, np.ndarray, np.ndarray]  # per product: count, mean, sum of squared deviations


def style_moments(creator_emb: np.ndarray | Pieces, creator_blank: np.ndarray, product_emb: np.ndarray,
                  categories: CategorySignals | None = None) -> list[tuple[Moments, Moments]]:
    """Per signal and product, the moments of the signal (signals: the cosine, ...) with one
    partition's creators: over the creators with a bio, and over all of them."""

    def moments(block: np.ndarray) -> Moments:
        n = np.full(block.shape[1], float(len(block)))
        mean = block.mean(axis=0) if len(block) else np.zeros(block.shape[1])
        return n, mean, ((block - mean) ** 2).sum(axis=0)

    return [(moments(x[~creator_blank]), moments(x)) for x in signals(creator_emb, product_emb, categories)]


def _combined(parts: list[Moments]) -> Moments:
    """Moments of the union of the partitions (Chan et al.'s pairwise update, in partition order)."""
    n, mean, m2 = parts[0]
    for n_b, mean_b, m2_b in parts[1:]:
        total = n + n_b
        delta = mean_b - mean
        share = np.divide(n_b, total, out=np.zeros_like(total), where=total > 0)
        mean, m2, n = mean + delta * share, m2 + m2_b + delta ** 2 * n * share, total
    return n, mean, m2


Pool = list[tuple[np.ndarray, np.ndarray]]  # per signal: each product's mean and standard deviation


def style_pool(moments: list[list[tuple[Moments, Moments]]]) -> Pool:
    """Per signal, the mean and standard deviation of each product's signal among all creators (among those
    with a bio, when two or more have one), from the partitions' style_moments."""
    pool = []
    for k in range(len(moments[0])):
        with_bio, everyone = _combined([m[k][0] for m in moments]), _combined([m[k][1] for m in moments])
        n, mean, m2 = with_bio if with_bio[0][0] >= 2 else everyone
        pool.append((mean, np.sqrt(m2 / np.maximum(n, 1))))
    return pool


def style_of(found: list[np.ndarray], pool: Pool) -> np.ndarray:
    """Hubness-corrected style fit in 0..1 of the signals (columns or the pool's arrays indexed alike): each
    signal's z-score per product, their mean times sqrt(count) (unit variance when independent), squashed. A
    signal a product does not have (nan: no category prototype) is not counted for it."""
    zs = [(x - mean) / np.where(std > 1e-6, std, 1.0) for x, (mean, std) in zip(found, pool)]
    count = sum((~np.isnan(z)).astype(float) for z in zs)
    z = sum(np.nan_to_num(z, nan=0.0) for z in zs) / np.sqrt(np.maximum(count, 1.0))
    return 1.0 / (1.0 + np.exp(-1.7 * z))


def style_scores(creator_emb: np.ndarray | Pieces, product_emb: np.ndarray, creator_blank: np.ndarray,
                 product_blank: np.ndarray, categories: CategorySignals | None = None) -> np.ndarray:
    """Hubness-corrected style fit (creators x products) in 0..1."""
    pool = style_pool([style_moments(creator_emb, creator_blank, product_emb, categories)])
    style = style_of(signals(creator_emb, product_emb, categories), pool)
    style[creator_blank, :] = 0.5
    style[:, product_blank] = 0.5
    return style


def performance_scores(creators: pd.DataFrame) -> np.ndarray:
    """Per creator, in 0..1 (see module docstring). An unknown part takes the lower quartile of the creators
    of its tier that have it (known.peer_fill), so a creator missing a figure never scores above its peers
    on that part; a part nobody in the pool has is left out for everyone."""
    tier = creators["tier"].to_numpy(object)
    views = creators["avg_views"].to_numpy(float)
    views = np.where(np.isnan(views), creators["followers"].to_numpy(float) * VIEW_RATE, views)
    reach = peer_fill(np.log1p(views), tier)[0]
    top = np.nanmax(reach) if np.isfinite(reach).any() else np.nan
    reach = reach / top if top and top > 0 else np.full(len(views), np.nan)
    engagement = peer_fill(creators["engagement_rate"].astype(float).rank(pct=True).to_numpy(float), tier)[0]
    experience = peer_fill(creators["experience_score"].to_numpy(float) / 5.0, tier)[0]
    completion = peer_fill(creators["completion_rate"].astype(float).rank(pct=True).to_numpy(float), tier)[0]
    return mean_known(np.vstack([reach, engagement, experience, completion]), 0.5)


def audience_scores(creators: pd.DataFrame, products: pd.DataFrame, c: np.ndarray,
                    p: np.ndarray) -> np.ndarray:
    """Per pair (c[i], p[i]), in 0..1 (see module docstring)."""
    female = creators["audience_female"].to_numpy(float)[c]
    gender = products["target_gender"].to_numpy(object)[p]
    g = np.where(gender == "female", female, np.where(gender == "male", 1.0 - female, np.nan))
    ages = np.vstack([creators[f"audience_age_{b}"].to_numpy(float) for b in AGE_BANDS]).T[c]
    wanted = np.array([[b in bands for b in AGE_BANDS] for bands in products["target_age"]],
                      dtype=bool).reshape(len(products), len(AGE_BANDS))[p]
    a = np.where(wanted.any(axis=1), np.where(wanted, ages, 0.0).sum(axis=1), np.nan)
    region_c = np.array([norm_category(r) for r in creators["audience_region"]], dtype=object)[c]
    region_p = np.array([norm_category(r) for r in products["target_region"]], dtype=object)[p]
    known = (region_c != "") & (region_p != "")
    r = np.where(known, (region_c == region_p).astype(float), np.nan)
    return mean_known(np.vstack([g, a, r]), 0.5)


def score_partition(offset: int, creators: pd.DataFrame, creator_emb: np.ndarray | Pieces, performance: np.ndarray,
                    usable: np.ndarray, products: pd.DataFrame, product_emb: np.ndarray,
                    product_blank: np.ndarray, pool: Pool, config: Config,
                    deals: pd.DataFrame | None = None, categories: CategorySignals | None = None) -> pd.DataFrame:
    """The eligible pairs of one partition of creators (rows offset.. of the creator table), with their
    style, audience, performance and value; `performance` and `usable` are the partition's rows of the
    whole pool's performance_scores and creator_usable, `pool` the style_pool of all partitions."""
    part = ProblemData(creators.reset_index(drop=True), products, deals=deals)
    c, p = np.nonzero(category_eligible(part, config) & usable[:, None])
    found = [x[c, p] for x in signals(creator_emb, product_emb, categories)]
    style = style_of(found, [(mean[p], std[p]) for mean, std in pool])
    style[~has_text(creators)[c] | product_blank[p]] = 0.5
    audience = audience_scores(part.creators, products, c, p)
    w = config.scoring
    fit = (w.w_style * style + w.w_audience * audience + w.w_performance * performance[c]) / \
        (w.w_style + w.w_audience + w.w_performance)
    return pd.DataFrame({"c": c + offset, "p": p, "style": style, "audience": audience,
                         "performance": performance[c], "fit": fit,
                         "value": objective_values(part, config, c, p, fit)})


def candidates(data: ProblemData, config: Config, creator_emb: np.ndarray | Shared | Pieces | None = None,
               product_emb: np.ndarray | None = None, engine: Engine | None = None,
               categories: CategorySignals | None = None) -> pd.DataFrame:
    """Eligible pairs with fee, value and its components (CANDIDATE_COLUMNS), scored partition by
    partition of creators on the engine (in this process by default); `categories`, what the products'
    categories add to the cosine (pipeline.category_signals)."""
    creator_index = {cid: i for i, cid in enumerate(data.creators["creator_id"])}
    fees = data.fees_paid()
    if data.pairs is not None:
        product_index = {pid: i for i, pid in enumerate(data.products["product_id"])}
        c = data.pairs["creator_id"].map(creator_index).to_numpy(int)
        p = data.pairs["product_id"].map(product_index).to_numpy(int)
        keep = creator_usable(data, config)[c]
        c, p = c[keep], p[keep]
        nan = np.full(len(c), np.nan)
        fit = data.pairs["value"].to_numpy(float)[keep]
        frame = pd.DataFrame({"c": c, "p": p, "style": nan, "audience": nan, "performance": nan, "fit": fit,
                              "value": objective_values(data, config, c, p, fit)})
    else:
        engine = engine or LocalEngine()
        parts = partitions(data.n_creators, engine.partition_rows)
        creator_blank = ~has_text(data.creators)
        product_blank = blank_products(data.products)
        # partitions' rows are made as the engine takes them (a generator): one partition's vectors at a time
        pool = style_pool(engine.map(style_moments, ((creator_emb[s], creator_blank[s]) for s in parts),
                                     shared=(product_emb, categories)))
        performance, usable = performance_scores(data.creators), creator_usable(data, config)
        items = ((s.start, data.creators.iloc[s], creator_emb[s], performance[s], usable[s]) for s in parts)
        frames = engine.map(score_partition, items,
                            shared=(data.products, product_emb, product_blank, pool, config, data.deals, categories))
        frame = pd.concat(frames, ignore_index=True)
    frame["creator_id"] = data.creators["creator_id"].to_numpy(object)[frame["c"]]
    frame["product_id"] = data.products["product_id"].to_numpy(object)[frame["p"]]
    frame["fee"] = data.pair_terms(frame["c"].to_numpy(int), frame["p"].to_numpy(int))[0] \
        if data.deals is not None else fees[frame["c"]]
    frame["cash"] = frame["fee"].to_numpy() + data.sample_costs()[frame["p"]]
    # a creator bookable only through its deals: the pairs without one have no fee
    return frame.loc[frame["fee"].notna(), CANDIDATE_COLUMNS].reset_index(drop=True)

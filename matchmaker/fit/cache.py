"""Embeddings on disk: one SQLite file, keyed by sha256(backend/model + text), so a text is encoded once.

A file that is not such a cache (corrupt, truncated, another program's database) is moved aside with a
warning and a new cache is started: a cache is only ever a speed-up, never a reason for a run to fail.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

log = logging.getLogger(__name__)
T = TypeVar("T")


class EmbeddingCache:
    """Embeddings on disk in one SQLite file, keyed by sha256(backend/model + text)."""

    def __init__(self, folder: str | Path):
        Path(folder).mkdir(parents=True, exist_ok=True)
        self.path = Path(folder) / "embeddings.sqlite"
        self._safely(self._open, None)

    def _open(self) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, vec BLOB)")
            db.execute("SELECT key, vec FROM emb LIMIT 1").fetchall()  # a foreign table of that name fails

    def _safely(self, action: Callable[[], T], fallback: T) -> T:
        """Run a cache action; on a broken file, move it aside, start a new cache, return the fallback."""
        try:
            return action()
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
            self.path.replace(aside)
            log.warning("the embedding cache %s could not be used (%s); moved aside to %s and rebuilt",
                        self.path, exc, aside.name)
            self._open()
            return fallback

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode()).hexdigest()

    def get(self, keys: list[str]) -> dict[str, np.ndarray]:
        def read() -> dict[str, np.ndarray]:
            found: dict[str, np.ndarray] = {}
            with sqlite3.connect(self.path) as db:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, blob in db.execute(f"SELECT key, vec FROM emb WHERE key IN ({marks})", chunk):
                        found[key] = np.frombuffer(blob, dtype=np.float32)
            return found

        return self._safely(read, {})

    def put(self, items: dict[str, np.ndarray]) -> None:
        def write() -> None:
            with sqlite3.connect(self.path) as db:
                db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)",
                               [(k, np.asarray(v, np.float32).tobytes()) for k, v in items.items()])

        self._safely(write, None)

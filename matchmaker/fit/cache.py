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
        """The cached vectors of these keys (those not cached are left out)."""
        found: dict[str, np.ndarray] = {}

        def keep(positions: np.ndarray, vectors: np.ndarray) -> None:
            found.update((keys[p], v) for p, v in zip(positions, vectors))

        self.lookup(keys, keep)
        return found

    def lookup(self, keys: list[str], into: Callable[[np.ndarray, np.ndarray], None], block: int = 8192) -> None:
        """Hand every cached key's vector to `into(positions in keys, vectors)`, a block of rows at a time:
        one join against a temporary table of the keys, so a million look-ups take seconds and memory
        holds one block. After a broken file (moved aside), nothing more is handed over."""
        def read() -> None:
            with sqlite3.connect(self.path) as db:
                db.execute("CREATE TEMP TABLE want (pos INTEGER PRIMARY KEY, key TEXT)")
                db.executemany("INSERT INTO want VALUES (?, ?)", enumerate(keys))
                rows = db.execute("SELECT want.pos, emb.vec FROM want JOIN emb ON emb.key = want.key")
                while chunk := rows.fetchmany(block):
                    positions = np.fromiter((pos for pos, _ in chunk), dtype=np.int64, count=len(chunk))
                    vectors = np.frombuffer(b"".join(blob for _, blob in chunk), dtype=np.float32)
                    into(positions, vectors.reshape(len(chunk), -1))

        self._safely(read, None)

    def put(self, items: dict[str, np.ndarray]) -> None:
        def write() -> None:
            with sqlite3.connect(self.path) as db:
                db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)",
                               [(k, np.asarray(v, np.float32).tobytes()) for k, v in items.items()])

        self._safely(write, None)

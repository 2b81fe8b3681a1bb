"""Limits that protect the machine from an input too large to read: each is checked as early as it can
be (file size before reading, rows before parsing, an .xlsx's unpacked size from its zip directory) and
raised through an environment variable, which belongs to whoever runs matchmaker (never to an uploaded
campaign file). docs, "Limits"."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields

from .problems import InputError, Message, Problem, msg

MB = 2**20


@dataclass(frozen=True)
class Limits:
    max_input_mb: int = 200  # one input file, as stored
    max_unpacked_mb: int = 150  # an .xlsx or Parquet file, unpacked (a zip bomb unpacks far more)
    max_rows: int = 1_000_000  # rows of one table (a pairs or overlaps table is often the largest)
    max_columns: int = 500
    max_cell_chars: int = 10_000  # characters in one cell

    @staticmethod
    def variable(name: str) -> str:
        return f"MATCHMAKER_{name.upper()}"

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, with MATCHMAKER_MAX_ROWS=... (and the like) in the environment taking over."""
        values, problems = {}, []
        for f in fields(cls):
            raw = os.environ.get(cls.variable(f.name))
            if raw is None:
                continue
            if not raw.strip().isdigit() or int(raw) < 1:
                problems.append(Problem("environment", None, cls.variable(f.name), raw,
                                        msg("expected a whole number >= 1"), place="variable"))
                continue
            values[f.name] = int(raw)
        if problems:
            raise InputError(problems)
        return cls(**values)

    def problem(self, file: str, name: str, found: float, what: Message, row: int | None = None,
                column: str | None = None) -> Problem:
        """The problem for a file (or cell) over one limit: what was found, the limit, how to raise it."""
        limit = getattr(self, name)
        return Problem(file, row, column, None,
                       msg("{what} ({found:,.0f}) is above the limit of {limit:,}; split the file, or raise the "
                           "limit with the environment variable {variable}", what=what, found=found, limit=limit,
                           variable=self.variable(name)))

    def check(self, file: str, name: str, found: float, what: Message) -> None:
        if found > getattr(self, name):
            raise InputError([self.problem(file, name, found, what)])

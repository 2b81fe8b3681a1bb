"""The pipeline, in order: load/validate -> embed -> score -> overlap -> solve -> check -> report.

Shared by the CLI, the app and the notebooks. Nothing here writes files (see report.py).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .check import check_plan
from .config import Config
from .data import ProblemData
from .embed import Embedder, EmbeddingCache, embed_texts, make_embedder
from .explain import explain
from .instance import Instance, build_instance
from .overlap import conflicts
from .problems import InputError, Problem
from .read import read_table
from .score import candidates, creator_text, product_text
from .solve import Progress, SolveResult, solve
from .validate import validate

log = logging.getLogger(__name__)

Source = str | Path | tuple[bytes, str] | pd.DataFrame  # a path, an upload (bytes, file name), a frame


class PlanCheckError(RuntimeError):
    """The independent checker rejected a plan: a bug, never the user's input."""


@dataclass(frozen=True)
class Outcome:
    data: ProblemData
    config: Config
    candidates: pd.DataFrame  # every eligible pair with value and components; "chosen" marks the plan
    conflicts: pd.DataFrame  # creator pairs above max_overlap
    instance: Instance
    result: SolveResult
    reasons: tuple[str, ...] = ()  # why no plan exists, when none does
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def plan(self) -> pd.DataFrame:
        return self.candidates[self.candidates["chosen"]].reset_index(drop=True)


def read_source(source: Source, name: str) -> tuple[str, pd.DataFrame]:
    if isinstance(source, pd.DataFrame):
        return name, source
    if isinstance(source, tuple):
        data, file = source
        return file, read_table(data, file)
    return Path(source).name, read_table(source)


def load(config: Config, creators: Source | None = None, products: Source | None = None,
         pairs: Source | None = None, overlaps: Source | None = None,
         mappings: dict[str, dict[str, str]] | None = None) -> ProblemData:
    """Read and validate the inputs (arguments, else the config's [inputs]); raises InputError."""
    given = {"creators": creators, "products": products, "pairs": pairs, "overlaps": overlaps}
    raw: dict[str, tuple[str, pd.DataFrame]] = {}
    problems = []
    for table, source in given.items():
        source = source if source is not None else config.input_path(table)
        if source is None:
            if table in ("creators", "products"):
                problems.append(Problem(table, None, None, None,
                                        f"no {table} file given (--{table} or [inputs] {table})"))
            continue
        try:
            raw[table] = read_source(source, f"{table} table")
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return validate(raw, config, mappings)


def embeddings(data: ProblemData, config: Config, embedder: Embedder | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Creator-bio and product-text embeddings, through the on-disk cache."""
    embedder = embedder or make_embedder(config.scoring.backend, config.resolved_model())
    cache = EmbeddingCache(Path(config.scoring.cache_dir)) if config.scoring.cache_dir else None
    texts = creator_text(data.creators) + product_text(data.products)
    vectors = embed_texts(texts, embedder, cache, on_progress)
    return vectors[:data.n_creators], vectors[data.n_creators:]


def run(data: ProblemData, config: Config, embedder: Embedder | None = None,
        on_stage: Callable[[str], None] | None = None,
        on_embed: Callable[[int, int], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None) -> Outcome:
    """Score, solve, check. The plan in the outcome has passed the independent checker."""
    stage = on_stage or (lambda name: log.info("%s", name))
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    if data.pairs is None:
        stage("embedding texts")
        creator_emb, product_emb = embeddings(data, config, embedder, on_embed)
        lap("embed")
    else:
        creator_emb = product_emb = None
    stage("scoring pairs")
    pairs = candidates(data, config, creator_emb, product_emb)
    lap("score")
    stage("finding audience overlaps")
    clash = conflicts(data, config.campaign.max_overlap)
    lap("overlap")
    inst = build_instance(data, pairs, clash, config)
    stage(f"solving ({len(pairs)} eligible pairs, {len(clash)} overlap conflicts)")
    result = solve(inst, config.solver, on_progress)
    lap("solve")
    chosen = np.zeros(len(pairs), dtype=bool)
    chosen[result.chosen] = True
    pairs = pairs.assign(chosen=chosen)
    reasons: tuple[str, ...] = ()
    if result.has_plan:
        stage("checking the plan")
        violations = check_plan(pairs[chosen], data, config, clash)
        if violations:
            raise PlanCheckError("the plan failed the independent check: " + "; ".join(violations[:5]))
    elif result.status == "infeasible":
        stage("explaining why no plan exists")
        reasons = tuple(explain(inst))
    else:
        reasons = (f"no plan was found within the time limit of {config.solver.time_limit:g} s and the "
                   "greedy plan misses a minimum; the rules may still be satisfiable: raise the time "
                   "limit, or relax the per-product minimums",)
    lap("check")
    return Outcome(data, config, pairs, clash, inst, result, reasons, timings)

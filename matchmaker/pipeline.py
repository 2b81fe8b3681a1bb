"""The pipeline, in order: load (read, validate) -> prepare (embed, score, overlap) -> solve (greedy,
CP-SAT) -> check. Shared by the CLI, the app and the notebooks. Nothing here writes files.

`prepare` does everything that does not depend on the budget, the Top-KOL share cap, exclusivity or
the solver settings; `solve` takes a Prepared campaign plus such changes, so a budget sweep or a
re-plan reuses the embeddings, scores and overlaps. `run` is the two in one call.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import Config, SolverParams
from .data import ProblemData
from .fit.cache import EmbeddingCache
from .fit.categories import unmatched_products
from .fit.economics import economics, objective_values, resolved_objective
from .fit.embed import Embedder, EngineEmbedder, Shared, embed_texts, make_embedder
from .fit.engine import Engine, make_engine
from .fit.learned import FEATURES, predict
from .fit.overlap import conflicts, forbidding_limit, overlap_rows
from .fit.pilot import Learned
from .fit.score import (
    CategorySignals,
    Pieces,
    blank_products,
    candidates,
    category_prototypes,
    creator_pieces,
    creator_text,
    has_text,
    product_text,
    style_scores,
)
from .inputs.schema import header_score
from .inputs.validate import validate, with_locks
from .io.read import Table, read_export, read_json
from .outcome import Outcome
from .plan.explain import explain, quick_checks
from .plan.instance import build_instance, has_money_rules
from .plan.prune import pool
from .plan.result import PlanSource, Progress, SolveResult, Status
from .plan.solve import Interrupt, solve_instance
from .problems import InputError, Message, Problem, msg

log = logging.getLogger(__name__)

Source = str | Path | tuple[bytes, str] | pd.DataFrame  # a path, an upload (bytes, file name), a frame

MIN_SEARCH_SECONDS = 1.0  # the search's share when the stages before it used up the whole time limit
SHARED_FLOOR = 0.01  # the reach objective ignores audiences shared less than this
# ... and above this many bookable creators ignores every audience shared below max_overlap (measured: without
# this limit, 10,000 creators x 200 products reached 24 GB resident and failed)
SHARED_MAX_CREATORS = 3_000

# What `solve` may change on a prepared campaign; anything else changes what `prepare` computed.
SOLVE_CHANGES = ("campaign.name", "campaign.budget", "campaign.top_kol_max_share", "campaign.exclusivity",
                 "campaign.max_booking_share",
                 "campaign.min_roi", "campaign.max_cpm", "campaign.max_commission",
                 "solver.time_limit", "solver.seed", "solver.workers", "solver.highs")


class PlanCheckError(RuntimeError):
    """The independent checker rejected a plan: a bug, never the user's input."""


@dataclass(frozen=True)
class Prepared:
    """A campaign ready to solve: its data, the config it was prepared with, every eligible pair with
    its value (candidates) and the creator pairs whose audiences overlap too much (conflicts)."""

    data: ProblemData
    config: Config
    candidates: pd.DataFrame
    conflicts: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[Message, ...] = ()  # products no creator may promote, with the closest creator categories
    outside: pd.DataFrame | None = None  # c, p, value, fit: eligible pairs left out of the pool (a very large
    # campaign, plan.prune.pool): never booked, counted in the bound
    learned: Learned | None = None  # what a pilot taught (replan.repriced): the figures of every pair use it
    shared: pd.DataFrame | None = None  # the reach objective: creator pairs a, b sharing `overlap` of an
    # audience (SHARED_FLOOR < overlap <= max_overlap), whose views booked for one product count once

    def nbytes(self) -> int:
        """The memory its tables and arrays hold, text included (pandas' deep memory usage): what keeping it costs."""
        def size(value: object) -> int:
            if isinstance(value, (pd.DataFrame, pd.Series)):
                return int(np.sum(value.memory_usage(index=True, deep=True)))
            return int(value.nbytes) if isinstance(value, np.ndarray) else 0

        parts = [getattr(self, f.name) for f in fields(self)] + [getattr(self.data, f.name) for f in fields(self.data)]
        return sum(map(size, parts))


def read_source(source: Source, name: str, table: str = "creators", sheet: str | None = None,
                declared: Iterable[str] = ()) -> tuple[str, Table]:
    """A path, an upload (bytes, file name) or a frame (called `name`), read as an export of `table`
    (creators, ...): the file name problems will give, and the table. The header row is found by the aliases and
    the `declared` headers (the campaign's [columns.TABLE])."""
    if isinstance(source, pd.DataFrame):
        return name, Table(source)
    score = header_score(table, declared)
    if isinstance(source, tuple):
        data, file = source
        return file, read_export(data, file, sheet=sheet, header_score=score)
    return Path(source).name, read_export(source, Path(source).name, sheet=sheet, header_score=score)


def load(config: Config, creators: Source | None = None, products: Source | None = None,
         pairs: Source | None = None, overlaps: Source | None = None,
         mappings: dict[str, dict[str, str]] | None = None,
         sheets: dict[str, str] | None = None, locks: list[str] | None = None,
         bans: list[str] | None = None, deals: Source | None = None) -> ProblemData:
    """Read and validate the inputs (arguments, else the config's [inputs]); `sheets` names the sheet of a
    workbook per table ({"creators": "达人列表"}); `locks` ("creator_id:product_id") are bookings every plan
    makes and `bans` creators no plan books; `deals` a table of terms per creator and product. Raises
    InputError."""
    given = {"creators": creators, "products": products, "pairs": pairs, "overlaps": overlaps, "deals": deals}
    raw: dict[str, tuple[str, pd.DataFrame]] = {}
    problems, notes, digests = [], [], {}
    for table, source in given.items():
        source = source if source is not None else config.input_path(table)
        if source is None:
            if table in ("creators", "products"):
                problems.append(Problem(table, None, None, None,
                                        msg("no {table} file given (--{table} or [inputs] {table})", table=table)))
            continue
        try:
            name, read = read_source(source, f"{table} table", table, (sheets or {}).get(table),
                                     config.columns.get(table, {}))
        except InputError as exc:
            problems += exc.problems
            continue
        raw[table] = (name, read.frame)
        notes += read.notes
        digests[table] = read.digest
    if problems:
        raise InputError(problems)
    data = validate(raw, config, mappings, tuple(notes)).replace(digests=digests)
    return with_locks(data, locks, bans) if locks or bans else data


def _cache(config: Config) -> EmbeddingCache | None:
    return EmbeddingCache(Path(config.scoring.cache_dir)) if config.scoring.cache_dir else None


def text_encoder(config: Config, embedder: Embedder | None = None) -> Callable[[list[str]], np.ndarray]:
    """Texts (such as category labels) to unit vectors with the campaign's embedder, through its cache."""
    embedder = embedder or make_embedder(config.scoring.backend, config.resolved_model())
    return partial(embed_texts, embedder=embedder, cache=_cache(config))


def embeddings(data: ProblemData, encode: Callable[..., Any],
               on_progress: Callable[[int, int], None] | None = None, pieces: int = 0
               ) -> tuple[Shared | Pieces, np.ndarray]:
    """Creator-text embeddings (kept once per distinct text: Shared) and product-text embeddings, with a
    text_encoder (through the on-disk cache). With `pieces` ([scoring] pieces), the creators' as Pieces: each
    piece of their bios and posts (creator_pieces), a pair's cosine the mean of its `pieces` best."""
    if not pieces:
        texts = creator_text(data.creators)
    else:
        split = creator_pieces(data.creators)
        texts = [piece for own in split for piece in own]
        starts = np.concatenate([[0], np.cumsum([len(own) for own in split])]).astype(np.int64)
    vectors = encode(texts + product_text(data.products), progress=on_progress, shared=True)
    own = vectors[np.arange(len(texts))]
    return (Pieces(own, starts, pieces) if pieces else own), vectors[len(texts):]


def category_signals(data: ProblemData, config: Config, encode: Callable[[list[str]], np.ndarray],
                     product_emb: np.ndarray) -> CategorySignals | None:
    """What the products' categories add to the cosine (fit/score.CategorySignals): with [scoring]
    category_inference the product categories' names embedded (the labels each text's category is inferred
    among) and the softmax's temperature; with [scoring] category_prototypes the categories' prototypes from the
    products' vectors. None when neither is on."""
    scoring = config.scoring
    names = sorted({str(c) for c in data.products["category"] if str(c).strip()})
    found = CategorySignals(temperature=scoring.category_temperature)
    if scoring.category_inference and names:
        found = replace(found, names=encode(names))
    if scoring.category_prototypes:
        prototypes, of = category_prototypes(data.products, product_emb, blank_products(data.products))
        if len(prototypes):  # some category has two products or more
            found = replace(found, prototypes=prototypes, prototype_of=of)
    return found if found.names is not None or found.prototypes is not None else None


def style_matrix(data: ProblemData, config: Config, embedder: Embedder | None = None) -> np.ndarray:
    """creators x products: the style fit prepare gives each pair, for every pair (category eligibility aside):
    the same embeddings, pieces, category signals and hubness correction (fit/score.py). For measuring it."""
    encode = text_encoder(config, embedder)
    creator_emb, product_emb = embeddings(data, encode, pieces=config.scoring.pieces)
    creator_emb = creator_emb[0:data.n_creators]  # the creators' vectors as a partition has them
    return style_scores(creator_emb, product_emb, ~has_text(data.creators), blank_products(data.products),
                        category_signals(data, config, encode, product_emb))


class _Laps:
    """Seconds per stage, in the order the stages ran."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = now - self.clock
        self.clock = now


def _stage(on_stage: Callable[[str], None] | None) -> Callable[[str], None]:
    return on_stage or (lambda name: log.info("%s", name))


def engine_of(config: Config) -> Engine:
    """The engine the config's [engine] names (a RayEngine joins or starts Ray)."""
    return make_engine(config.engine.kind, config.engine.address, config.engine.partition_rows)


def prepare(data: ProblemData, config: Config, embedder: Embedder | None = None,
            on_stage: Callable[[str], None] | None = None,
            on_embed: Callable[[int, int], None] | None = None, engine: Engine | None = None) -> Prepared:
    """Embed, score every eligible pair, find the overlap conflicts. Embedding and scoring run on the
    engine (default: the config's [engine]); on Ray, the texts are embedded there with the config's
    backend, named as `embedder` for the cache."""
    stage, lap = _stage(on_stage), _Laps()
    config = resolved_objective(data, config)  # "auto": profit when every product is priced, else fit
    if engine is None and config.engine.kind == "ray":  # joining a cluster is a stage of its own
        stage(f"joining Ray ({config.engine.address or 'RAY_ADDRESS, else a new local Ray'})")
        engine = engine_of(config)
        lap("engine")
    engine = engine or engine_of(config)
    encode = None
    if data.pairs is None:
        stage("embedding texts")
        embedder = embedder or make_embedder(config.scoring.backend, config.resolved_model())
        encode = text_encoder(config, embedder)
        bulk = encode if engine.kind == "local" else text_encoder(config, EngineEmbedder(
            embedder.name, config.scoring.backend, config.resolved_model(), engine))
        creator_emb, product_emb = embeddings(data, bulk, on_embed, config.scoring.pieces)
        lap("embed")
    else:
        creator_emb = product_emb = None
    categories = category_signals(data, config, encode, product_emb) if encode is not None else None
    stage("scoring pairs")
    pairs = candidates(data, config, creator_emb, product_emb, engine, categories)
    if config.scoring.learned and data.pairs is None:  # the fit score is a learned model's probability
        pairs = _learned(data, config, pairs)
    notes = tuple(unmatched_products(data, pairs, encode))
    pairs, outside = _pooled(data, config, pairs, stage)
    money = economics(data, config, pairs["c"].to_numpy(int), pairs["p"].to_numpy(int), pairs["fit"].to_numpy(float))
    pairs = pd.concat([pairs, money.drop(columns=["fee_paid", "cash"])], axis=1)
    lap("score")
    stage("finding audience overlaps")
    among = np.unique(pairs["c"].to_numpy(int))
    niche = config.campaign.niche_users
    clash = conflicts(data, config.campaign.max_overlap, among=among, niche_users=niche)
    shared = None
    if config.economics.objective == "reach" and len(among) <= SHARED_MAX_CREATORS:
        shared = overlap_rows(data, SHARED_FLOOR, among=among, niche_users=niche)
        shared = shared[shared["overlap"] <= forbidding_limit(data, config.campaign.max_overlap)].reset_index(drop=True)
    elif config.economics.objective == "reach":
        notes += (msg("reach: with {n:,} bookable creators (above {cap:,}) the audiences they share below max_overlap "
                      "are counted twice; only those above it are kept apart", n=len(among), cap=SHARED_MAX_CREATORS),)
    lap("overlap")
    return Prepared(data, config, pairs, clash, lap.timings, notes, outside, shared=shared)


def _learned(data: ProblemData, config: Config, pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with the fit of [scoring] learned (fit/learned.py), and their values from it."""
    path = config.resolved_learned()
    weights = read_json(path)
    if list(weights.get("features", ())) != list(FEATURES) or len(weights.get("coef", ())) != len(FEATURES):
        raise InputError([Problem(path.name, None, "features", str(weights.get("features")),
                                  msg("expected a fit model written by matchmaker train-fit --kind linear"))])
    fit = predict(weights, pairs)
    return pairs.assign(fit=fit, value=objective_values(data, config, pairs["c"].to_numpy(int),
                                                        pairs["p"].to_numpy(int), fit))


def _pooled(data: ProblemData, config: Config, pairs: pd.DataFrame, stage: Callable[[str], None]
            ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pairs that go on to the overlap estimate and the solver, and those left out (None: none)."""
    keep = pool(build_instance(data, pairs, pd.DataFrame({"a": [], "b": []}), config, money=False))
    if keep.all():
        return pairs, None
    stage(f"keeping a pool of {keep.sum():,} of {len(pairs):,} eligible pairs (the rest count in the bound)")
    outside = pd.DataFrame({"c": pairs["c"].to_numpy(np.int32)[~keep], "p": pairs["p"].to_numpy(np.int32)[~keep],
                            "value": pairs["value"].to_numpy(float)[~keep], "fit": pairs["fit"].to_numpy(float)[~keep]})
    return pairs[keep].reset_index(drop=True), outside


OUTSIDE_CHUNK = 1_000_000  # pairs left out of the pool whose expected money is computed at once


def _outside_money(prepared: Prepared, config: Config) -> pd.DataFrame | None:
    """The pairs left out of the pool, with their expected GMV, commission and views when the campaign has
    money rules (their entries in the bound's rows), computed a chunk at a time."""
    outside = prepared.outside
    if outside is None or not has_money_rules(config):
        return outside
    parts = []
    for start in range(0, len(outside), OUTSIDE_CHUNK):
        part = outside.iloc[start:start + OUTSIDE_CHUNK]
        money = economics(prepared.data, config, part["c"].to_numpy(int), part["p"].to_numpy(int),
                          part["fit"].to_numpy(float), prepared.learned)
        parts.append(money[["gmv", "commission", "views"]])
    return pd.concat([outside.reset_index(drop=True), pd.concat(parts, ignore_index=True)], axis=1)


def _without_bans(data: ProblemData, pairs: pd.DataFrame, outside: pd.DataFrame | None
                  ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The pairs (and the pairs left out of the pool) without the banned creators'."""
    if not data.bans:
        return pairs, outside
    banned = data.creators["creator_id"].isin(data.bans).to_numpy()
    pairs = pairs[~banned[pairs["c"].to_numpy(int)]].reset_index(drop=True)
    if outside is not None:
        outside = outside[~banned[outside["c"].to_numpy(int)]].reset_index(drop=True)
    return pairs, outside


def _within_share(data: ProblemData, config: Config, pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs whose cash is at most campaign.max_booking_share of the budget, and the locked ones (a user's
    explicit booking is kept whatever it costs). Applied at each solve: the budget may change between solves."""
    share = config.campaign.max_booking_share
    if share >= 1 or not len(pairs) or config.campaign.budget <= 0:  # no budget: the budget rule says why
        return pairs
    keep = pairs["cash"].to_numpy(float) <= share * config.campaign.budget * (1 + 1e-9)
    locks = data.locks
    if locks is not None and len(locks):
        locked = set(locks["creator_id"])
        keep |= pairs["creator_id"].isin(locked).to_numpy()
    return pairs[keep].reset_index(drop=True) if not keep.all() else pairs


def _changed(config: Config, changes: Mapping[str, Any] | None) -> Config:
    fixed = sorted(set(changes or {}) - set(SOLVE_CHANGES))
    if fixed:
        raise ValueError(f"{', '.join(fixed)} is fixed when the campaign is prepared; call prepare() "
                         f"again with the changed config (solve may change {', '.join(SOLVE_CHANGES)})")
    return config.override(**changes) if changes else config


def _empty_plan_reasons(outcome: Outcome) -> tuple[Message, ...]:
    """Why the best plan books no one, though some pairs are eligible."""
    inst = outcome.instance
    cheapest = float(inst.pair_cost.min())
    if cheapest > inst.budget:
        return (msg("the budget of ¥{budget:,.0f} is below the cheapest eligible creator's fee (¥{fee:,.0f}): "
                    "raise the budget", budget=inst.budget, fee=cheapest),)
    pairs = outcome.candidates
    if outcome.config.economics.objective == "profit" and len(pairs) and (pairs["value"].to_numpy(float) <= 0).all():
        best = pairs.iloc[int(pairs["value"].to_numpy(float).argmax())]
        return (msg("no booking is expected to pay back, so the plan maximising expected profit books no one: the "
                    "best booking ({creator} for {product}) is expected to bring ¥{gmv:,.0f} of GMV for "
                    "¥{cost:,.0f} (profit ¥{profit:,.0f}); its conversion is {rate:.3%} of views from {source}. "
                    "Give products a conversion rate or margin, a [conversion] table by category, or run a pilot; "
                    "or maximise fit or GMV", creator=str(best["creator_id"]),
                    product=outcome.data.product_label(best["product_id"]),
                    gmv=float(best["gmv"]), cost=float(best["cost"]), profit=float(best["value"]),
                    rate=float(best["conversion"]), source=str(best.get("conversion_from", "the prior"))),)
    return (msg("every eligible booking breaks a rule (a product's budget or maximums, the Top-KOL share cap, "
                "overlaps or exclusivity): relax them"),)


def _no_plan_reasons(outcome: Outcome) -> tuple[Message, ...]:
    status, limit = outcome.result.status, outcome.config.solver.time_limit
    if status is Status.NO_ELIGIBLE_PAIRS:
        return (msg("no creator may promote any product (categories, experience and capacity rules)"),
                *outcome.notes, *quick_checks(outcome.instance))
    if status is Status.INFEASIBLE:
        return tuple(explain(outcome.instance))
    if status is Status.INVALID:
        return (msg("the solver rejected the model, so no plan could be searched for: a fee or budget is too "
                    "large for it; check the largest numbers in the inputs"),)
    if status is Status.INTERRUPTED:
        return (msg("the search was interrupted before any plan was found"),)
    left_out = len(outcome.instance.outside_c)
    if left_out:  # a very large campaign: only the pool was searched (plan.prune.pool)
        return (msg("no plan was found among the pool of the best {pool:,} of {total:,} eligible pairs searched on "
                    "this very large campaign; the per-product minimums may need pairs outside it: relax the "
                    "minimums or the overlap limit, or narrow the creator list",
                    pool=outcome.instance.n_pairs, total=outcome.instance.n_pairs + left_out),)
    return (msg("no plan was found within the time limit of {limit:g} s and the greedy plan misses a minimum; the "
                "rules may still be satisfiable: raise the time limit, or relax the per-product minimums",
                limit=limit),)


def search_params(config: Config, started: float | None) -> SolverParams:
    """The solver settings for the search; with `started` (time.perf_counter() when the command began)
    the time limit covers the whole command: the search gets what reading, embedding, scoring and
    building left of it, and at least MIN_SEARCH_SECONDS (greedy's plan is always made)."""
    params = config.solver
    if started is None:
        return params
    left = params.time_limit - (time.perf_counter() - started)
    return replace(params, time_limit=max(MIN_SEARCH_SECONDS, left))


def solve(prepared: Prepared, changes: Mapping[str, Any] | None = None,
          on_stage: Callable[[str], None] | None = None,
          on_progress: Callable[[Progress], None] | None = None,
          interrupt: Interrupt | None = None, started: float | None = None) -> Outcome:
    """Solve a prepared campaign with `changes` ("section.key": value, among SOLVE_CHANGES), then check.
    The plan in the outcome has passed the independent checker. `interrupt.request()` (from a signal
    handler or another thread) stops the search; the best plan so far is kept, status "interrupted".
    `started` makes the time limit cover everything since then (search_params)."""
    config = _changed(prepared.config, changes)
    stage, lap = _stage(on_stage), _Laps()
    pairs, outside = _without_bans(prepared.data, prepared.candidates, _outside_money(prepared, config))
    eligible = len(pairs)
    pairs = _within_share(prepared.data, config, pairs)
    capped = eligible - len(pairs)
    inst = build_instance(prepared.data, pairs, prepared.conflicts, config, outside, shared=prepared.shared)
    lap("build")
    if len(pairs):
        interrupt = interrupt or Interrupt()
        params = search_params(config, started)
        with interrupt.search():  # announced as searching only once a signal would stop the search
            stage(f"solving ({len(pairs)} eligible pairs, {len(prepared.conflicts)} overlap conflicts; "
                  f"{params.time_limit:.0f} s left of the time limit)")
            result = solve_instance(inst, params, on_progress, interrupt)
    else:  # nothing to search
        result = SolveResult(Status.NO_ELIGIBLE_PAIRS, np.zeros(0, int), 0.0, math.nan, 0.0, False, 0.0,
                             PlanSource.NONE)
    lap("solve")
    chosen = np.zeros(len(pairs), dtype=bool)
    chosen[result.chosen] = True
    outcome = Outcome(prepared.data, config, pairs.assign(chosen=chosen), prepared.conflicts, inst, result,
                      timings={**prepared.timings, **lap.timings}, notes=prepared.notes, capped=capped)
    if result.has_plan:
        stage("checking the plan")
        violations = outcome.violations()
        if violations:
            raise PlanCheckError("the plan failed the independent check: " + "; ".join(violations[:5]))
        reasons: tuple[Message, ...] = () if len(result.chosen) else _empty_plan_reasons(outcome)
    else:
        stage("explaining why no plan exists")
        reasons = _no_plan_reasons(outcome)
    if capped and not len(result.chosen):
        reasons = (msg("{n:,} eligible bookings cost more than {share:.0%} of the budget (max_booking_share) and were "
                       "left out: raise the budget or the share", n=capped,
                       share=config.campaign.max_booking_share),) + reasons
    lap("check")
    return replace(outcome, reasons=reasons, timings={**outcome.timings, **lap.timings})


def replay(prepared: Prepared, plan: pd.DataFrame, summary: Mapping[str, Any],
           changes: Mapping[str, Any] | None = None) -> Outcome:
    """A plan made before (a stored run's: creator_id, product_id, and its summary's status, value, bound and
    source) on its prepared campaign, as an Outcome, without a search; the independent checker sees it again."""
    config = _changed(prepared.config, changes)
    pairs, outside = _without_bans(prepared.data, prepared.candidates, _outside_money(prepared, config))
    inst = build_instance(prepared.data, pairs, prepared.conflicts, config, outside, shared=prepared.shared)
    keys = pd.MultiIndex.from_arrays([pairs["creator_id"].astype(str), pairs["product_id"].astype(str)])
    wanted = pd.MultiIndex.from_arrays([plan["creator_id"].astype(str), plan["product_id"].astype(str)])
    chosen = np.asarray(keys.isin(wanted), dtype=bool)
    if chosen.sum() != len(wanted.unique()):
        raise PlanCheckError(f"{len(wanted.unique()) - int(chosen.sum())} booking(s) of the plan are no eligible pair "
                             "of its campaign")
    number = {k: math.nan if summary.get(k) is None else float(summary[k]) for k in ("objective", "best_bound")}
    result = SolveResult(Status(summary["status"]), np.nonzero(chosen)[0], number["objective"], number["best_bound"],
                         float(summary.get("greedy_value") or 0.0), False, float(summary.get("seconds") or 0.0),
                         PlanSource(summary.get("plan_from", "none")), bound_from=summary.get("bound_from") or "",
                         searched_pairs=int(summary.get("searched_pairs") or 0))
    outcome = Outcome(prepared.data, config, pairs.assign(chosen=chosen), prepared.conflicts, inst, result,
                      timings=dict(prepared.timings), notes=prepared.notes,
                      reasons=tuple(summary.get("why_no_plan") or ()))
    violations = outcome.violations() if result.has_plan else []
    if violations:
        raise PlanCheckError("the plan failed the independent check: " + "; ".join(violations[:5]))
    return outcome


def run(data: ProblemData, config: Config, embedder: Embedder | None = None,
        on_stage: Callable[[str], None] | None = None,
        on_embed: Callable[[int, int], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        interrupt: Interrupt | None = None, started: float | None = None) -> Outcome:
    """prepare, then solve with the config as it is."""
    return solve(prepare(data, config, embedder, on_stage, on_embed), on_stage=on_stage,
                 on_progress=on_progress, interrupt=interrupt, started=started)

"""Command line: optimize, validate, demo, batch, replan, train-fit here; whatif, runs and serve in lifecycle.py.
Exit codes: 0 plan written, 2 bad input, 3 no plan, 1 internal error, 130 interrupted (Ctrl-C or SIGTERM).

No traceback ever reaches the user: input problems are listed, anything unexpected is one line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from ..config import BACKENDS, OBJECTIVES, Config, dump_config, load_config
from ..data import ProblemData
from ..fit.categories import suggest_categories
from ..fit.score import eligible_pairs
from ..history import record, store_of
from ..inputs.validate import validate_choices, with_locks
from ..io.read import read_table
from ..io.store import Store, StoreBusy
from ..io.write import TABLE_SUFFIXES, csv_bytes, json_bytes, table_bytes, write_atomic
from ..outcome import Outcome
from ..pipeline import load, prepare, solve, text_encoder
from ..plan.result import Progress, Status
from ..plan.solve import Interrupt
from ..problems import InputError, Problem, grouped, msg, problems_frame
from ..replan import MODES, stay_close
from ..report.tables import plan_table

EXIT_OK, EXIT_INPUT, EXIT_NO_PLAN, EXIT_ERROR, EXIT_INTERRUPTED = 0, 2, 3, 1, 130
# A batch exits with its worst campaign's code, worst last: no plan, bad input, internal error, interrupted.
SEVERITY = (EXIT_OK, EXIT_NO_PLAN, EXIT_INPUT, EXIT_ERROR, EXIT_INTERRUPTED)
DATA_DIR = Path(__file__).resolve().parents[2] / "data"


_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but TAB and LF


def _say(text: str) -> None:
    """A message on stderr; control characters from the inputs are shown escaped, never sent raw."""
    print(_TERMINAL_UNSAFE.sub(lambda m: repr(m.group())[1:-1], text), file=sys.stderr, flush=True)


def _column_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--column", action="append", metavar="TABLE:HEADER=COLUMN",
                        help="read a header no alias knows as a column, e.g. creators:Niche=categories (repeat; over "
                             "the config's [columns])")


def _declared(flags: list[str] | None) -> list[tuple[str, str, str]]:
    """--column TABLE:HEADER=COLUMN flags as (table, header, column); InputError naming a malformed one."""
    out = []
    for flag in flags or []:
        table, colon, rest = flag.partition(":")
        header, equals, column = rest.rpartition("=")
        if not (colon and equals and table.strip() and header.strip() and column.strip()):
            raise InputError([Problem("command line", None, "--column", flag, msg(
                "expected TABLE:HEADER=COLUMN, such as creators:Niche=categories"))])
        out.append((table.strip(), header.strip(), column.strip()))
    return out


def _inputs(parser: argparse.ArgumentParser) -> None:
    _column_flag(parser)
    parser.add_argument("--creators", help="creator list (.csv, .xlsx, .parquet)")
    parser.add_argument("--products", help="product catalogue (.csv, .xlsx, .parquet)")
    parser.add_argument("--pairs", help="optional creator_id, product_id, value table")
    parser.add_argument("--overlaps", help="optional creator_a, creator_b, overlap table")
    parser.add_argument("--deals", help="optional terms per creator and product: fee, pricing, commission, rebate")
    parser.add_argument("--sheet", help="the creators workbook's sheet (default: the one that looks like the table)")
    parser.add_argument("--products-sheet", help="the products workbook's sheet")
    parser.add_argument("--config", help="campaign TOML (every parameter; flags override it)")
    parser.add_argument("--budget", type=float, help="total budget in CNY")
    parser.add_argument("--max-overlap", type=float, help="max audience overlap of two creators on one product")
    parser.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    parser.add_argument("--seed", type=int, help="solver random seed")
    parser.add_argument("--backend", choices=BACKENDS, help="embedding backend")
    parser.add_argument("--objective", choices=OBJECTIVES,
                        help="what the plan maximises: the fit score, expected GMV, profit or views (reach)")
    parser.add_argument("--conservative", action="store_true", default=None,
                        help="maximise GMV or profit at the low end of its range")
    parser.add_argument("--lock", action="append", metavar="CREATOR:PRODUCT",
                        help="a booking every plan must make (repeat for more)")
    parser.add_argument("--ban", action="append", metavar="CREATOR", help="a creator no plan may book (repeat)")
    parser.add_argument("--min-roi", type=float, help="expected GMV / expected cost at least this (0: no floor)")
    parser.add_argument("--max-cpm", type=float, help="expected cost per 1,000 expected views at most this (CNY)")
    parser.add_argument("--max-commission", type=float, help="expected commission at most this (CNY)")
    parser.add_argument("--choices", metavar="FILE",
                        help="locks and bans as a table: creator_id, product_id, action (lock/锁定 or ban/排除)")
    parser.add_argument("--keep-from", metavar="RUN", help="lock every booking of this stored run")
    _store_flag(parser)


def _store_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="PATH",
                        help='run store (DuckDB file; default MATCHMAKER_STORE, else [store] path; "" records nothing)')


def _engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("local", "ray"),
                        help="where embedding and scoring run (default: [engine] kind, else local)")
    parser.add_argument("--ray-address", help='Ray cluster: "auto", "ray://host:10001" (default: RAY_ADDRESS, '
                                              "else a new local Ray)")


def _engine_flags(args: argparse.Namespace) -> dict:
    return {"engine.kind": getattr(args, "engine", None), "engine.address": getattr(args, "ray_address", None)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="matchmaker", description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    sub = parser.add_subparsers(dest="command", required=True)
    opt = sub.add_parser("optimize", help="find the best plan and write it")
    _inputs(opt)
    opt.add_argument("--out", required=True, help="plan file: .csv, .xlsx or .json")
    opt.add_argument("--summary-json", help="summary file (.json)")
    opt.add_argument("--near", metavar="RUN", help="re-plan with minimal change from this stored run's plan")
    opt.add_argument("--change-penalty", type=float,
                     help="with --near: what each changed booking costs, in the objective's units (default: a tenth "
                          "of the previous bookings' mean value)")
    _engine(opt)
    val = sub.add_parser("validate", help="list every input problem, no solve")
    _inputs(val)
    val.add_argument("--problems-csv", help="also write every problem, one per row, to this CSV")
    val.add_argument("--save-categories", help="write the campaign TOML with the suggested [categories] added")
    demo = sub.add_parser("demo", help="the bundled sample campaign, end to end")
    demo.add_argument("--out", default="out/demo-plan.csv", help="plan file (default out/demo-plan.csv)")
    demo.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    _store_flag(demo)
    batch = sub.add_parser("batch", help="one plan per campaign TOML in a folder, plus a summary table")
    batch.add_argument("folder", help="folder of campaign .toml files (each names its inputs)")
    batch.add_argument("--out", required=True, help="output folder")
    batch.add_argument("--time-limit", type=float, help="solver time limit per campaign")
    _store_flag(batch)
    _engine(batch)
    again = sub.add_parser("replan", help="learn from a pilot's results and plan the rest of the budget")
    _inputs(again)
    again.add_argument("--results", required=True,
                       help="the pilot's results per booking (.csv, .xlsx): creator, product, views, orders "
                            "(Compass/罗盘 or Buyin headers)")
    again.add_argument("--mode", choices=MODES, default="extend",
                       help="the pilot's bookings: keep (book them again), extend (compete with what they "
                            "taught; default) or drop (never again)")
    again.add_argument("--out", required=True, help="plan file: .csv, .xlsx or .json")
    again.add_argument("--changes", help="what changed and why, one row per creator (.csv, .xlsx)")
    again.add_argument("--summary-json", help="summary file (.json)")
    what = sub.add_parser("whatif", help="sweep the budget or overlap threshold, or cost each rule, on one "
                                         "prepared campaign")
    _inputs(what)
    what.add_argument("--budgets", help="comma-separated budgets (CNY): the value/budget frontier")
    what.add_argument("--thresholds", help="comma-separated max_overlap thresholds (0..1): the overlap sweep")
    what.add_argument("--rules", action="store_true", help="what each rule costs: the value with it relaxed")
    what.add_argument("--out", required=True, help="one row per point (.csv, .xlsx, .json)")
    what.add_argument("--plans", metavar="FOLDER", help="also write each point's plan to this folder")
    runs = sub.add_parser("runs", help="the run history: list, show, diff, export, prune")
    verbs = runs.add_subparsers(dest="verb", required=True)
    listing = verbs.add_parser("list", help="the stored runs, newest first")
    listing.add_argument("--limit", type=int, default=20, help="at most this many (default 20; 0: all)")
    listing.add_argument("--campaign", help="only this campaign's runs")
    show = verbs.add_parser("show", help="one run: summary, inputs, settings")
    show.add_argument("run", help='run id, a unique prefix of it, or "last"')
    show.add_argument("--plan", action="store_true", help="also print the plan")
    diff = verbs.add_parser("diff", help="what changed from run A to run B, and why")
    diff.add_argument("before", help="run A")
    diff.add_argument("after", help="run B")
    diff.add_argument("--out", help="every change, one row per creator (.csv, .xlsx, .json)")
    prune = verbs.add_parser("prune", help="remove old runs: all but the newest N, or those older than D days")
    prune.add_argument("--keep", type=int, metavar="N", help="keep the newest N runs (of --campaign, else all)")
    prune.add_argument("--older-than", type=float, metavar="DAYS", help="remove the runs older than this")
    prune.add_argument("--campaign", help="only this campaign's runs")
    prune.add_argument("--dry-run", action="store_true", help="say which runs would go; remove nothing")
    export = verbs.add_parser("export", help="a run's plan, summary, campaign and validated inputs as files")
    export.add_argument("run", help='run id, a unique prefix of it, or "last"')
    export.add_argument("--out", required=True, help="plan file: .csv, .xlsx or .json")
    export.add_argument("--summary-json", help="summary file (.json)")
    export.add_argument("--campaign-toml", help="the campaign as solved (.toml)")
    export.add_argument("--inputs-dir", help="folder for the validated input tables (one CSV each)")
    for verb in (listing, show, diff, prune, export):
        _store_flag(verb)
    serve = sub.add_parser("serve", help="the HTTP API (README, \"HTTP API\")")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--config", help="server TOML: [store] path, [server] keys and limits, defaults for runs")
    serve.add_argument("--allow-local", action="store_true",
                       help="without API keys, answer requests from this machine only (never on another address)")
    _store_flag(serve)
    fit = sub.add_parser("eval-fit", help="measure the fit score on labelled creators and products (README, "
                                          "\"Fit quality\")")
    fit.add_argument("--creators", required=True, help="creator list (bios, posts, categories; fees not needed)")
    fit.add_argument("--products", required=True, help="product catalogue (brands not needed)")
    fit.add_argument("--config", help="campaign TOML: its [scoring], and its [categories] map for which pairs match")
    fit.add_argument("--backend", choices=BACKENDS, help="embedding backend")
    fit.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the intervals (default 1000)")
    fit.add_argument("--out", help="the figures as a table (.csv, .xlsx or .json)")
    _column_flag(fit)
    train = sub.add_parser("train-fit", help="fine-tune the fit model on past collaborations")
    train.add_argument("--history", help="past collaborations: creator_id, product_id")
    train.add_argument("--results", help="with --kind linear: a pilot's results (creator_id, product_id, views, "
                                         "orders), each booking labelled by whether it converted at least at the "
                                         "bookings' median rate")
    train.add_argument("--creators", help="creator list (bios)")
    train.add_argument("--products", help="product catalogue (texts)")
    train.add_argument("--config", help="campaign TOML (its [inputs] and scoring.model as the base)")
    train.add_argument("--out", required=True, help="model folder to write, e.g. models/my-brand")
    train.add_argument("--kind", choices=("embedding", "linear"), default="embedding",
                       help="embedding: fine-tune MiniLM on the pairs' texts; linear: logistic regression over each "
                            "pair's style, audience and performance, with its held-out lift (split by creator)")
    train.add_argument("--epochs", type=int, default=1)
    train.add_argument("--batch-size", type=int, default=16)
    _column_flag(train)
    return parser


def _train(args: argparse.Namespace) -> int:
    from ..fit.train import history_pairs, train_fit
    from ..inputs.validate import validate_history

    config = _config(args)
    if not args.history and not (args.results and args.kind == "linear"):
        raise InputError([Problem("command line", None, "--history", None,
                                  msg("train-fit needs --history (or, with --kind linear, --results)"))])
    data = load(config, creators=args.creators, products=args.products)
    name = Path(args.history).name if args.history else None
    history = validate_history(read_table(args.history), name) if args.history else None
    if args.kind == "linear":
        from .lifecycle import train_linear  # after this module: it uses its helpers

        return train_linear(config, data, history, name, Path(args.out), args.results)
    pairs = history_pairs(history, data, name)
    _say(f"- fine-tuning on {len(pairs)} collaborations ({args.epochs} epoch(s))")
    folder = train_fit(pairs, args.out, config.resolved_model(), args.epochs, args.batch_size, config.solver.seed)
    _say(f"Model written to {folder}. Select it with [scoring] backend = \"sentence-transformers\", "
         f"model = \"{folder}\".")
    return EXIT_OK


def _replan(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """Learn from a pilot, plan the rest of the budget, write the plan and what changed."""
    from ..inputs.validate import validate_results
    from ..replan import replan

    config, out = _config(args), Path(args.out)
    changes_path = Path(args.changes) if args.changes else None
    for path in (out, changes_path):
        if path is not None:
            _table_file(path, None)
    store = _store(args, config)
    more = _more(args, store)
    data = load(config, **_sources(args))
    data = more(data) if more else data
    results = validate_results(read_table(args.results), Path(args.results).name, data)
    _show_warnings(data, args.quiet)
    progress = _progress(args.quiet, time.perf_counter())
    prepared = prepare(data, config, on_stage=progress.get("on_stage"), on_embed=progress.get("on_embed"))
    again = replan(prepared, results, args.mode, on_stage=progress.get("on_stage"), interrupt=interrupt)
    learned = again.learned
    _say(f"Pilot: {len(results)} bookings, ¥{again.pilot_spend:,.0f} spent, {learned.evidence['orders'].sum():,.0f} "
         f"orders against {learned.evidence['expected_orders'].sum():,.0f} expected; creators differ by "
         f"alpha {learned.alpha:.2f} (from the {learned.alpha_from}). Re-planning the remaining "
         f"¥{again.outcome.config.campaign.budget:,.0f} ({args.mode} the pilot's bookings).")
    for note in again.notes:
        _say(f"note: {note}")
    before = again.before.summary()["expected"]
    extra = {"pilot_spend": round(again.pilot_spend, 2), "pilot_mode": args.mode, "before_pilot": before,
             "pilot_alpha": learned.alpha}
    code = _written_outcome(again.outcome, out, Path(args.summary_json) if args.summary_json else None, written,
                            extra)
    _record(store, again.outcome, "replan", None, extra)
    if code in (EXIT_OK, EXIT_INTERRUPTED):
        after = again.outcome.summary()["expected"]
        _say(f"As the pilot taught, the re-plan is expected to sell ¥{after['gmv']:,.0f}; the plan made without "
             f"the pilot's lessons (¥{before['gmv']:,.0f} as the prior expected it) ¥{again.before_gmv:,.0f}. "
             f"{len(again.changes)} creator(s) changed:")
        for line in again.changes["why"].head(10):
            _say(f"  {line}")
        if changes_path:
            written(changes_path, table_bytes(again.changes, changes_path.suffix.lower()))
            _say(f"Every change: {changes_path}")
    return code


def _config(args: argparse.Namespace) -> Config:
    config = load_config(getattr(args, "config", None)).with_columns(_declared(getattr(args, "column", None)))
    try:
        return config.override(**{
            "campaign.budget": getattr(args, "budget", None),
            "campaign.max_overlap": getattr(args, "max_overlap", None),
            "solver.time_limit": getattr(args, "time_limit", None),
            "solver.seed": getattr(args, "seed", None),
            "scoring.backend": getattr(args, "backend", None),
            "economics.objective": getattr(args, "objective", None),
            "economics.conservative": getattr(args, "conservative", None),
            "campaign.min_roi": getattr(args, "min_roi", None),
            "campaign.max_cpm": getattr(args, "max_cpm", None),
            "campaign.max_commission": getattr(args, "max_commission", None),
            **_engine_flags(args),
        })
    except ValueError as exc:
        raise InputError([Problem("command line", None, None, None, str(exc))]) from exc


def _progress(quiet: bool, started: float):
    """Printers for each stage (with the seconds since the command began), each improving plan (at most
    one a second) and the embedding batches."""
    if quiet:
        return {}
    last = {"t": -1.0}

    def on_progress(point: Progress) -> None:
        if point.seconds - last["t"] >= 1.0:
            last["t"] = point.seconds
            proved = "no bound proved yet" if math.isnan(point.bound) else \
                f"bound {point.bound:.4f}  gap {point.gap:.2%}"
            _say(f"  {point.seconds:6.1f}s  value {point.objective:.4f}  {proved}")

    shown = {"t": -math.inf}

    def on_embed(done: int, total: int) -> None:  # at most every 2 s, and the last batch
        now = time.perf_counter()
        if now - shown["t"] >= 2.0 or done == total:
            shown["t"] = now
            _say(f"  embedded {done}/{total} new texts")

    def on_stage(name: str) -> None:
        _say(f"- {name}  [{time.perf_counter() - started:.1f} s]")

    return {"on_stage": on_stage, "on_progress": on_progress, "on_embed": on_embed}


def _show_warnings(data, quiet: bool) -> None:
    if data.warnings and not quiet:
        _say(f"{len(data.warnings)} warning(s):")
        for line in grouped(list(data.warnings)):
            _say(f"  {line}")


class Written:
    """The files this command has written (each whole: written atomically), for honest messages."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def __call__(self, path: Path, content: bytes) -> None:
        write_atomic(path, content)
        self.paths.append(path)

    def __str__(self) -> str:
        return ", ".join(map(str, self.paths)) if self.paths else "nothing"


def optimize(config: Config, out: Path, summary_path: Path | None, quiet: bool, written: Written,
             interrupt: Interrupt | None = None, store: Store | None = None, kind: str = "optimize",
             more: Callable[[ProblemData], ProblemData] | None = None, near: str | None = None,
             change_penalty: float | None = None, **sources) -> tuple[int, Outcome | None]:
    """Load (then `more`: locks and bans from files and runs), solve (with minimal change from the run `near`),
    check, write, record in the store. Returns the exit code and the outcome."""
    _table_file(out, "--out")
    if change_penalty is not None and not (0 <= change_penalty < math.inf):
        raise InputError([Problem("command line", None, "--change-penalty", str(change_penalty),
                                  msg("expected a number 0 or more"))])
    previous = _need(store, "--near").plan(near) if near else None
    started = time.perf_counter()  # the time limit covers the whole command (pipeline.search_params)
    data = load(config, **sources)
    data = more(data) if more else data
    loaded = time.perf_counter() - started
    _show_warnings(data, quiet)
    progress = _progress(quiet, started)
    prepared = prepare(data, config, on_stage=progress.get("on_stage"), on_embed=progress.get("on_embed"))
    for note in prepared.notes:  # before the search: what cannot be planned at all
        _say(f"warning: {note}")
    solve_args = {"on_stage": progress.get("on_stage"), "on_progress": progress.get("on_progress"),
                  "interrupt": interrupt, "started": started}
    extra, parent = {}, None
    if previous is not None:
        parent = store.resolve(near)
        outcome, figures = stay_close(prepared, previous, change_penalty, **solve_args)
        extra = {"stay_close": {**figures, "previous_run": parent}}
        _say(f"Staying close to run {parent}: {figures['kept']} of its {figures['previous_bookings']} bookings kept, "
             f"{figures['added']} added, {figures['dropped']} dropped (each change costs {figures['penalty']:.4g}); "
             f"the plan's own value {figures['plan_value']:,.4f}")
    else:
        outcome = solve(prepared, **solve_args)
    outcome = dataclasses.replace(outcome, timings={"load": loaded, **outcome.timings})
    code = _written_outcome(outcome, out, summary_path, written, extra)
    _record(store, outcome, kind, parent, extra)
    return code, outcome


def _table_file(path: Path, column: str | None) -> None:
    """A table to write must end in a suffix io.write knows (InputError naming it otherwise)."""
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise InputError([Problem("command line", None, column, str(path),
                                  f"expected a file ending in {', '.join(TABLE_SUFFIXES)}")])


def _need(store: Store | None, flag: str) -> Store:
    if store is None:
        raise InputError([Problem("command line", None, flag, None,
                                  msg("needs the run store; it is switched off (--store \"\" or MATCHMAKER_STORE)"))])
    return store


def _record(store: Store | None, outcome: Outcome, kind: str, parent: str | None = None,
            extra: dict | None = None) -> str | None:
    """Record the run in the store (when there is one); a failure to is a warning, the files stay written."""
    if store is None or (outcome.result.status is Status.INTERRUPTED and not outcome.result.has_plan):
        return None
    try:
        run_id = record(store, outcome, kind, parent, extra)
    except (StoreBusy, OSError, duckdb.Error) as exc:
        _say(f"warning: the run was not recorded in {store.path}: {exc}")
        return None
    _say(f"Recorded as run {run_id} in {store.path}")
    return run_id


def _store(args: argparse.Namespace, config: Config | None = None) -> Store | None:
    """--store, else MATCHMAKER_STORE, else the config's [store] path; None: no store."""
    given = getattr(args, "store", None)
    if given is not None:
        return Store(given) if given.strip() else None
    return store_of(config or Config())


def _more(args: argparse.Namespace, store: Store | None) -> Callable[[ProblemData], ProblemData] | None:
    """The locks and bans of --choices and --keep-from, added to the loaded data."""
    choices, keep = getattr(args, "choices", None), getattr(args, "keep_from", None)
    if not choices and not keep:
        return None
    kept = _need(store, "--keep-from").plan(keep) if keep else None

    def add(data: ProblemData) -> ProblemData:
        locks, bans = [], []
        if choices:
            locks, bans = validate_choices(read_table(choices), Path(choices).name, data)
        if kept is not None:
            locks += [f"{c}:{p}" for c, p in zip(kept["creator_id"], kept["product_id"])]
        source = Path(choices).name if choices and not keep else f"run {keep}" if not choices else \
            f"{Path(choices).name} / run {keep}"
        return with_locks(data, locks, bans, source=source)

    return add


def _written_outcome(outcome: Outcome, out: Path, summary_path: Path | None, written: Written,
                     extra: dict | None = None) -> int:
    """The plan and its summary written (nothing when there is no plan), said in a line; the exit code."""
    info = {**outcome.summary(), **(extra or {})}
    interrupted = outcome.result.status is Status.INTERRUPTED
    if not outcome.result.has_plan or not len(outcome.plan):
        if interrupted:
            _say("Interrupted before any plan was found; nothing was written.")
            return EXIT_INTERRUPTED
        if summary_path:
            written(summary_path, json_bytes(info))
        headline = f"No feasible plan ({outcome.result.status})." if not outcome.result.has_plan else \
            "The best plan books no one; no plan was written."
        _say(headline)
        for reason in outcome.reasons:
            _say(f"  - {reason}")
        return EXIT_NO_PLAN
    written(out, table_bytes(plan_table(outcome), out.suffix.lower()))
    if summary_path:
        written(summary_path, json_bytes(info))
    _say(f"{'Interrupted: the best plan so far' if interrupted else 'Plan'} written to {out}: "
         f"{info['bookings']} bookings, {info['creators_booked']} creators, "
         f"¥{info['budget_used']:,.0f} of ¥{info['budget']:,.0f}, est. unique reach "
         f"{info['estimated_unique_reach']:,.0f}; {_money_words(info)}; {_objective_words(info)}, "
         f"{_bound_words(info)} ({info['status']}, plan from {info['plan_from']}); "
         f"greedy {info['greedy_value']:,.3f}")
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _money_words(info: dict) -> str:
    """Expected GMV with its range, and ROI (README, "Money")."""
    e = info["expected"]
    if not e["priced"]:
        return "expected GMV unknown (a booked product has no price)"
    roi = f", ROI {e['roi']:.2f}" if e["roi"] is not None else ""
    return f"expected GMV ¥{e['gmv']:,.0f} (¥{e['gmv_low']:,.0f}-¥{e['gmv_high']:,.0f}){roi}"


def _objective_words(info: dict) -> str:
    """What the plan maximised and its value; re-planned with minimal change, the plan's own value and the value
    less the change penalties (which the bound is for)."""
    close = info.get("stay_close")
    if close:
        own = _objective_words({**info, "stay_close": None, "objective": close["plan_value"]})
        return f"{own} (with each change's penalty {info['objective']:,.3f}, which the bound is for)"
    kind = info["objective_kind"]
    low = " at its low end" if info.get("conservative") else ""
    return {"fit": f"fit score {info['objective']:.3f}",
            "gmv": f"objective expected GMV{low} ¥{info['objective']:,.0f}",
            "profit": f"objective expected profit{low} ¥{info['objective']:,.0f}",
            "reach": f"objective expected {'unique ' if info['shared_audience'] == 'counted once' else ''}views "
                     f"{info['objective']:,.0f}"}[kind]


def _internal_error(exc: Exception) -> str:
    """A bug, said in one line (the traceback only in the debug log); returns the line's gist."""
    gist = f"{exc.__class__.__name__}: {exc}"
    _say(f"Internal error: {gist}")
    logging.getLogger(__name__).debug("internal error", exc_info=True)
    return gist


def _validate(args: argparse.Namespace, written: Written) -> int:
    """Every input problem, and a suggested [categories] map for products no creator may promote."""
    config = _config(args)
    data = load(config, **_sources(args))
    _show_warnings(data, False)
    _say(f"OK: {data.n_creators} creators, {data.n_products} products, no errors.")
    if data.pairs is not None:
        return EXIT_OK
    eligible = eligible_pairs(data, config)
    suggested = suggest_categories(data, set(np.nonzero(eligible.any(axis=0))[0]), _label_encoder(config))
    if suggested:
        _say("Products of these categories have no eligible creator; suggested [categories] lines:")
        for category, near in suggested.items():
            _say(f'  "{category}" = {json.dumps(near, ensure_ascii=False)}' if near else
                 f"  # {category}: no creator category is close to it")
    if args.save_categories:
        extra = {k: tuple(v) for k, v in suggested.items() if v}
        merged = dataclasses.replace(config, categories={**config.categories, **extra})
        written(Path(args.save_categories), dump_config(merged).encode())
        _say(f"Campaign with the suggested categories written to {args.save_categories}")
    return EXIT_OK


def _label_encoder(config: Config):
    """Category labels embedded with the campaign's backend (through its cache); None if it cannot load."""
    try:
        return text_encoder(config)
    except Exception:  # the suggestion falls back to string similarity
        logging.getLogger(__name__).warning("no embedding model for category suggestions", exc_info=True)
        return None


def _bound_words(info: dict) -> str:
    """"bound 94.277, gap 0.00%", or that no bound was proved."""
    if info["best_bound"] is None:
        return "no bound proved (gap unknown)"
    by = {"lp": " (LP relaxation)", "highs": " (HiGHS)", "cp-sat": ""}.get(info.get("bound_from") or "", "")
    return f"bound {info['best_bound']:.3f}{by}, gap {info['gap']:.2%}"


def _sources(args: argparse.Namespace) -> dict:
    sheets = {"creators": args.sheet, "products": args.products_sheet}
    return {**{k: getattr(args, k, None) for k in ("creators", "products", "pairs", "overlaps", "deals")},
            "sheets": {k: v for k, v in sheets.items() if v}, "locks": getattr(args, "lock", None),
            "bans": getattr(args, "ban", None)}


def _batch(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """Every campaign is tried: a bad one is a row of the summary, the others still get their plans.
    An interrupt stops the batch after the campaign it stopped; the summary is written in any case."""
    folder, out = Path(args.folder), Path(args.out)
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise InputError([Problem(str(folder), None, None, None, "no campaign .toml files in this folder")])
    rows, worst = [], EXIT_OK
    for path in files:
        row = {"config": path.name}
        if interrupt.requested:
            code, row["status"] = EXIT_INTERRUPTED, "not run (interrupted)"
        else:
            _say(f"== {path.name}")
            code = _batch_campaign(args, path, out, row, written, interrupt)
        row["exit_code"] = code
        rows.append(row)
        worst = max(worst, code, key=SEVERITY.index)
    written(out / "batch-summary.csv", csv_bytes(pd.DataFrame(rows)))
    _say(f"Batch summary written to {out / 'batch-summary.csv'} ({len(rows)} campaigns)")
    return worst


def _batch_campaign(args: argparse.Namespace, path: Path, out: Path, row: dict, written: Written,
                    interrupt: Interrupt) -> int:
    """One campaign of a batch; its summary fields (or its error) go into row."""
    try:
        config = load_config(path).override(**{"solver.time_limit": args.time_limit or None}, **_engine_flags(args))
        code, outcome = optimize(config, out / f"{path.stem}-plan.csv", out / f"{path.stem}-summary.json",
                                 args.quiet, written, interrupt, _store(args, config), "batch")
        row.update({k: v for k, v in outcome.summary().items() if not isinstance(v, (dict, list))})
        return code
    except InputError as exc:
        row["status"], row["error"] = "bad input", "; ".join(str(p) for p in exc.problems[:5])
        _say("\n".join(grouped(exc.problems)))
        return EXIT_INPUT
    except KeyboardInterrupt:
        interrupt.request()
        row["status"] = "interrupted"
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug in one campaign: reported in its row, the others still run
        row["status"], row["error"] = "internal error", _internal_error(exc)
        return EXIT_ERROR


@contextmanager
def _stop_on_signals(interrupt: Interrupt):
    """Ctrl-C (SIGINT) and SIGTERM: the first stops a running search, whose best plan so far is then
    checked and written with status "interrupted" (exit 130); before the search (reading, embedding)
    it aborts with nothing written. A second one aborts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if interrupt.requested or not interrupt.searching:
            interrupt.request()
            raise KeyboardInterrupt
        _say("\nStopping the search; the best plan so far will be checked and written "
             "(press Ctrl-C again to abort at once).")
        interrupt.request()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    interrupt, written = Interrupt(), Written()
    with _stop_on_signals(interrupt):
        return _command(args, interrupt, written)


def _command(args: argparse.Namespace, interrupt: Interrupt, written: Written) -> int:
    try:
        if args.command == "optimize":
            config = _config(args)
            store = _store(args, config)
            return optimize(config, Path(args.out), Path(args.summary_json) if args.summary_json else None,
                            args.quiet, written, interrupt, store, more=_more(args, store), near=args.near,
                            change_penalty=args.change_penalty, **_sources(args))[0]
        if args.command in ("whatif", "runs", "serve", "eval-fit"):
            from . import lifecycle  # after this module: it uses its helpers

            return lifecycle.COMMANDS[args.command](args, written, interrupt)
        if args.command == "validate":
            return _validate(args, written)
        if args.command == "demo":
            config = load_config(DATA_DIR / "campaign.toml")
            if args.time_limit:
                config = config.override(**{"solver.time_limit": args.time_limit})
            return optimize(config, Path(args.out), Path(args.out).with_suffix(".summary.json"),
                            args.quiet, written, interrupt, _store(args, config), "demo")[0]
        if args.command == "train-fit":
            return _train(args)
        if args.command == "replan":
            return _replan(args, written, interrupt)
        return _batch(args, written, interrupt)
    except InputError as exc:
        _say(f"Input problems ({len(exc.problems)}); nothing was written:")
        for line in grouped(exc.problems):
            _say(f"  {line}")
        report_path = getattr(args, "problems_csv", None)
        if report_path:
            table = problems_frame(exc.problems + exc.warnings)
            written(Path(report_path), csv_bytes(table))
            _say(f"Every problem, one per row: {report_path}")
        return EXIT_INPUT
    except KeyboardInterrupt:
        _say(f"Interrupted; written before the interrupt: {written} (no file is ever half-written).")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (| head): nothing more to say
        sys.stdout = None
        return EXIT_OK
    except Exception as exc:  # a bug: one line, never a traceback
        _internal_error(exc)
        return EXIT_ERROR


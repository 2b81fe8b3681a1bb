"""Command line: optimize, validate, demo, batch, replan, train-fit here; whatif, runs, serve and eval-fit in
lifecycle.py; every command and flag in parser.py.
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

from ..config import Config, dump_config, load_config, sample_campaign
from ..data import ProblemData
from ..fit.categories import suggest_categories
from ..fit.score import eligible_pairs
from ..inputs.validate import validate_choices, with_locks
from ..io.read import read_table
from ..io.store import Store, StoreBusy
from ..io.write import TABLE_SUFFIXES, csv_bytes, json_bytes, table_bytes, write_atomic
from ..lifecycle.history import record, store_of
from ..lifecycle.replan import stay_close
from ..outcome import Outcome
from ..pipeline import Prepared, load, prepare, solve, text_encoder
from ..plan.result import Progress, Status
from ..plan.solve import Interrupt
from ..problems import InputError, Problem, grouped, msg, problems_frame
from ..report.tables import overlap_table, plan_table
from .parser import build as build_parser

EXIT_OK, EXIT_INPUT, EXIT_NO_PLAN, EXIT_ERROR, EXIT_INTERRUPTED = 0, 2, 3, 1, 130
# A batch exits with its worst campaign's code, worst last: no plan, bad input, internal error, interrupted.
SEVERITY = (EXIT_OK, EXIT_NO_PLAN, EXIT_INPUT, EXIT_ERROR, EXIT_INTERRUPTED)


_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # control characters but TAB and LF


def _say(text: str) -> None:
    """A message on stderr; control characters from the inputs are shown escaped, never sent raw."""
    print(_TERMINAL_UNSAFE.sub(lambda m: repr(m.group())[1:-1], text), file=sys.stderr, flush=True)


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


def _engine_flags(args: argparse.Namespace) -> dict:
    return {"engine.kind": getattr(args, "engine", None), "engine.address": getattr(args, "ray_address", None)}


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
    from ..lifecycle.replan import replan

    config, out = _config(args), Path(args.out)
    changes_path = Path(args.changes) if args.changes else None
    for path in (out, changes_path):
        if path is not None:
            _table_file(path, None)
    store = _store(args, config)
    parent = _need(store, "--after").resolve(args.after) if args.after else None
    if args.waves < 1:
        raise InputError([Problem("command line", None, "--waves", args.waves, msg("expected 1 or more"))])
    data = loaded(args, config, store)
    results = validate_results(read_table(args.results), Path(args.results).name, data, max(args.maturity, 0),
                               _as_of(args.as_of))
    prepared, progress = prepared_campaign(args, config, store, data)
    again = replan(prepared, results, args.mode, on_stage=progress.get("on_stage"), interrupt=interrupt,
                   waves=args.waves)
    learned = again.learned
    _say(f"Pilot: {len(results)} bookings, ¥{again.pilot_spend:,.0f} spent, {learned.evidence['orders'].sum():,.0f} "
         f"orders against {learned.evidence['expected_orders'].sum():,.0f} expected; creators differ by "
         f"alpha {learned.alpha:.2f} (from the {learned.alpha_from}). Re-planning the remaining "
         f"¥{again.outcome.config.campaign.budget:,.0f} ({args.mode} the pilot's bookings).")
    for note in again.notes:
        _say(f"note: {note}")
    before = again.before.summary()["expected"]
    extra = {"pilot_spend": round(again.pilot_spend, 2), "pilot_mode": args.mode, "before_pilot": before,
             "pilot_alpha": learned.alpha, "waves_left": args.waves, "wave_budget": round(again.budget, 2),
             "held_out": again.held_out}
    code = _written_outcome(again.outcome, out, Path(args.summary_json) if args.summary_json else None, written,
                            extra)
    _record(store, again.outcome, "replan", parent, extra)
    if code in (EXIT_OK, EXIT_INTERRUPTED):
        after = again.outcome.summary()["expected"]
        _say(f"As the pilot taught, the re-plan is expected to sell ¥{after['gmv']:,.0f}; the plan made without "
             f"the pilot's lessons (¥{before['gmv']:,.0f} as the prior expected it) ¥{again.before_gmv:,.0f}. "
             f"The difference is not a measured gain: both are valued by the estimates that chose the re-plan "
             f"(docs, \"Pilot, then scale\", says what learning was measured to add). "
             f"{len(again.changes)} creator(s) changed:")
        judged = again.held_out
        if judged is None:
            _say("  Held out: too few creators in the results (under 10) to judge the lessons on creators they did "
                 "not see; the lessons for untested creators are a guess.")
        else:
            _say(f"  Held out: judged on half of the tested creators, learned from the other half (cross-fitted), "
                 f"the lessons predict the orders of creators they did not see {_better(judged['saved'])} than the "
                 f"prior (Poisson deviance {judged['learned_deviance']:,.0f} against {judged['prior_deviance']:,.0f}).")
        for line in again.changes["why"].head(10):
            _say(f"  {line}")
        if changes_path:
            written(changes_path, table_bytes(again.changes, changes_path.suffix.lower()))
            _say(f"Every change: {changes_path}")
    return code


def _better(saved: float) -> str:
    return f"{saved:.0%} better" if saved >= 0 else f"{-saved:.0%} worse"


def loaded(args: argparse.Namespace, config: Config, store: Store | None) -> ProblemData:
    """The command's inputs read and validated, with --choices and --keep-from; their warnings said."""
    more = _more(args, store)
    data = load(config, **_sources(args))
    data = more(data) if more else data
    _show_warnings(data, args.quiet)
    return data


def prepared_campaign(args: argparse.Namespace, config: Config, store: Store | None,
                      data: ProblemData | None = None) -> tuple[Prepared, dict]:
    """The command's campaign prepared (`data`: already loaded), its stages said as they go; and the printers
    (_progress) for the stages after."""
    data = loaded(args, config, store) if data is None else data
    progress = _progress(args.quiet, time.perf_counter())
    return prepare(data, config, on_stage=progress.get("on_stage"), on_embed=progress.get("on_embed")), progress


def _as_of(text: str | None) -> pd.Timestamp | None:
    """--as-of as a day; InputError when it is not a date."""
    if text is None:
        return None
    day = pd.to_datetime(text, errors="coerce")
    if pd.isna(day):
        raise InputError([Problem("command line", None, "--as-of", text, msg("expected a date such as 2026-12-07"))])
    return pd.Timestamp(day)


def _pilot(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """Design a pilot (lifecycle/pilot.design): write it with what each booking is there to learn."""
    from ..lifecycle.pilot import design

    config, out = _config(args), Path(args.out)
    _table_file(out, None)
    if args.share is not None and not 0 < args.share <= 1:
        raise InputError([Problem("command line", None, "--share", args.share, msg("expected a share in (0, 1]"))])
    store = _store(args, config)
    prepared = prepared_campaign(args, config, store)[0]
    test = design(prepared, args.share, interrupt=interrupt)
    scale = test.scale_up.summary()
    how = "sized by test-and-roll from the scale-up" if test.sized else "as given"
    _say(f"Pilot: {test.share:.0%} of the budget ({how}, ¥{test.share * config.campaign.budget:,.0f}), testing "
         f"{len(test.reasons)} of the {scale['creators_booked']} creators the scale-up on the prior would book.")
    extra = {"pilot_share": round(test.share, 4), "pilot_sized": test.sized,
             "scale_up_expected": scale["expected"], "untested": test.untested.head(20).astype(str)
             .to_dict(orient="records")}
    reasons = test.reasons.set_index(["creator_id", "product_id"])
    outcome = test.outcome
    code = _written_outcome(outcome, out, Path(args.summary_json) if args.summary_json else None, written, extra,
                            reasons[["stake", "learn"]])
    _record(store, outcome, "pilot", None, extra)
    _say("  (the pilot maximises what its tests teach: each tested creator's stake in the scale-up, weighted by how "
         "far its test would move its estimate; the objective and bound above are the design's, the GMV is what the "
         "pilot itself should sell)")
    for row in test.untested.head(5).itertuples():
        _say(f"  untested {row.creator_id}: {row.why}")
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
                     extra: dict | None = None, columns: pd.DataFrame | None = None) -> int:
    """The plan and its summary written (nothing when there is no plan), said in a line; the exit code.
    `columns`: more columns for the plan, indexed by creator_id and product_id."""
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
    table = plan_table(outcome)
    if columns is not None:
        keys = pd.MultiIndex.from_arrays([table["creator_id"], table["product_id"]])
        table = table.assign(**{k: columns[k].reindex(keys).astype(str).to_numpy() for k in columns})
    written(out, table_bytes(table, out.suffix.lower()))
    if summary_path:
        written(summary_path, json_bytes(info))
    _say(f"{'Interrupted: the best plan so far' if interrupted else 'Plan'} written to {out}: "
         f"{info['bookings']} bookings, {info['creators_booked']} creators, "
         f"¥{info['budget_used']:,.0f} of ¥{info['budget']:,.0f}, est. unique reach "
         f"{info['estimated_unique_reach']:,.0f}; {_money_words(info)}; {_objective_words(info)}, "
         f"{_bound_words(info)} ({info['status']}, plan from {info['plan_from']}); "
         f"greedy {info['greedy_value']:,.3f}")
    for caution in info["cautions"]:
        _say(f"  caution: {caution}")
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _money_words(info: dict) -> str:
    """Expected GMV with its range, and ROI (docs, "Money")."""
    e = info["expected"]
    if not e["priced"]:
        return "expected GMV unknown (a booked product has no price)"
    roi = f", ROI {e['roi']:.2f}" if e["roi"] is not None else ""
    if e["roi"] is not None and e["roi"] < 1:
        roi += " (EXPECTED TO LOSE MONEY)"
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


def _overlaps(args: argparse.Namespace, written: Written) -> int:
    """Every creator pair above --min, given or estimated, with what the estimate used (fit/overlap.py)."""
    if not 0 <= args.min <= 1:
        raise InputError([Problem("--min", None, None, str(args.min), msg("expected a share in 0..1"))])
    config = _config(args)
    data = load(config, **_sources(args))
    table = overlap_table(data, config, args.min)
    out = Path(args.out)
    written(out, table_bytes(table, out.suffix.lower()))
    source = "given (the overlaps table)" if data.overlaps is not None else \
        f"estimated (niche_users {config.campaign.niche_users:,.0f}; not measured)"
    _say(f"{len(table):,} pairs above {args.min:g} written to {out}: {source}; "
         f"{int(table['kept_apart'].sum()):,} kept apart at max_overlap {config.campaign.max_overlap:g}")
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
    args = build_parser().parse_args(argv)
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
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
        if args.command == "overlaps":
            return _overlaps(args, written)
        if args.command == "demo":
            config = load_config(sample_campaign())
            if args.time_limit:
                config = config.override(**{"solver.time_limit": args.time_limit})
            return optimize(config, Path(args.out), Path(args.out).with_suffix(".summary.json"),
                            args.quiet, written, interrupt, _store(args, config), "demo")[0]
        if args.command == "train-fit":
            return _train(args)
        if args.command == "replan":
            return _replan(args, written, interrupt)
        if args.command == "pilot":
            return _pilot(args, written, interrupt)
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


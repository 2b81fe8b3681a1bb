"""The command line's lifecycle commands (docs, "A plan's lifecycle" and "HTTP API"): whatif, runs list | show |
diff | export, and serve. Started from `matchmaker.cli`, whose helpers they use."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from ..io.read import read_table
from ..io.store import Store
from ..io.write import csv_bytes, json_bytes, table_bytes
from ..pipeline import prepare
from ..plan.solve import Interrupt
from ..problems import InputError, Problem, msg
from ..report.tables import plan_table
from . import (
    EXIT_OK,
    Written,
    _bound_words,
    _config,
    _money_words,
    _need,
    _objective_words,
    _record,
    _say,
    _show_warnings,
    _store,
    _table_file,
    load_config,
    prepared_campaign,
)


def numbers(text: str | None, flag: str) -> list[float]:
    """A comma-separated list of numbers from the command line."""
    if not text:
        return []
    try:
        return [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError([Problem("command line", None, flag, text,
                                  msg("expected numbers separated by commas"))]) from None


def whatif(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """Prepare once, then solve each point of the sweeps asked for; a table of points, each point's plan."""
    from ..lifecycle.whatif import budget_sweep, overlap_sweep, points_table, rule_costs

    config, out = _config(args), Path(args.out)
    budgets, overlaps = numbers(args.budgets, "--budgets"), numbers(args.thresholds, "--thresholds")
    if not (budgets or overlaps or args.rules):
        raise InputError([Problem("command line", None, "--budgets", None,
                                  msg("nothing to sweep: give --budgets, --thresholds or --rules"))])
    for flag, values, top in (("--budgets", budgets, 1e12), ("--thresholds", overlaps, 1.0)):
        bad = [v for v in values if not 0 <= v <= top]
        if bad:
            raise InputError([Problem("command line", None, flag, str(bad[0]), msg("expected 0..{top:g}", top=top))])
    _table_file(out, "--out")
    store = _store(args, config)
    prepared = prepared_campaign(args, config, store)[0]
    quiet_stage = {"on_stage": lambda name: None, "interrupt": interrupt}
    points = []
    for name, sweep, values in (("budget", budget_sweep, budgets), ("overlap", overlap_sweep, overlaps)):
        if values:
            _say(f"- {len(values)} {name} point(s)")
            points += sweep(prepared, values, **quiet_stage)
    if args.rules:
        _say("- the campaign, then each of its rules relaxed")
        points += rule_costs(prepared, **quiet_stage)
    table = points_table(points)
    ids = []
    for point in points:
        ids.append(_record(store, point.outcome, "whatif", None, {"whatif": {"sweep": point.sweep,
                                                                             "setting": point.setting}})
                   if point.outcome.result.has_plan else None)
    table["run_id"] = ids
    if args.plans:
        for point in points:
            if point.outcome.result.has_plan and len(point.outcome.plan):
                name = re.sub(r"[^\w.-]+", "_", f"{point.sweep}-{point.setting}")
                written(Path(args.plans) / f"{name}.csv", csv_bytes(plan_table(point.outcome)))
    written(out, table_bytes(table, out.suffix.lower()))
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        _say(table.drop(columns=["run_id"]).to_string(index=False))
    _say(f"Points written to {out}" + (f"; each point's plan in {args.plans}" if args.plans else ""))
    return EXIT_OK


def serve(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """Serve the HTTP API until Ctrl-C or SIGTERM (uvicorn's own handlers then stop it cleanly)."""
    import uvicorn

    from ..api import LOCAL, create_app

    config = load_config(args.config)
    store = _need(_store(args, config), "--store")
    if not config.server.keys() and args.host not in LOCAL:
        raise InputError([Problem("command line", None, "--host", args.host,
                                  msg("without API keys the server listens only on this machine (127.0.0.1); set "
                                      "MATCHMAKER_API_KEYS or [server] api_keys to serve other machines"))])
    app = create_app(config, allow_local=args.allow_local, store=store)
    _say(f"Serving the matchmaker API on http://{args.host}:{args.port} (OpenAPI at /docs), runs in {store.path}; "
         f"{'API keys required' if config.server.keys() else 'no API keys: this machine only'}. Ctrl-C stops.")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def runs(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """runs list | show | diff | export."""
    store = _need(_store(args), "--store")
    if args.verb == "list":
        table = store.runs(limit=args.limit or None, campaign=args.campaign)
        if not len(table):
            _say(f"No runs in {store.path}.")
            return EXIT_OK
        shown = table.assign(created=table["created"].dt.strftime("%Y-%m-%d %H:%M:%S"),
                             gap=table["gap"].map(lambda g: "" if pd.isna(g) else f"{g:.2%}"))
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            print(shown.drop(columns=["parent", "version"]).to_string(index=False))
        return EXIT_OK
    if args.verb == "show":
        run = store.run(args.run)
        s = run["summary"]
        print(f"run {run['run_id']}  ({run['kind']}, {run['created']:%Y-%m-%d %H:%M:%S} UTC, matchmaker "
              f"{run['version']})")
        print(f"campaign {run['campaign']}: {s['status']}, {s['bookings']} bookings, ¥{s['budget_used']:,.0f} of "
              f"¥{s['budget']:,.0f}; {_money_words(s)}; {_objective_words(s)}, {_bound_words(s)}")
        if run["parent"]:
            print(f"re-planned from run {run['parent']}")
        choices = run["choices"]
        if choices.get("locks") or choices.get("bans"):
            print(f"locks: {', '.join(':'.join(x) for x in choices['locks']) or 'none'}; "
                  f"bans: {', '.join(choices['bans']) or 'none'}")
        for row in run["inputs"].itertuples():
            digest = f"sha256 {row.source_sha256[:12]}" if row.source_sha256 else "given as a table"
            print(f"  {row.role}: {row.file or '-'} ({row.n_rows} rows, {digest})")
        for reason in s.get("why_no_plan", []):
            print(f"  why no plan: {reason}")
        if args.plan:
            with pd.option_context("display.width", 200, "display.max_rows", None):
                print(store.plan(run["run_id"]).to_string(index=False))
        return EXIT_OK
    if args.verb == "diff":
        return diff(store, args, written)
    if args.verb == "prune":
        return prune(store, args)
    return export(store, args, written)


def prune(store: Store, args: argparse.Namespace) -> int:
    """runs prune: all but the newest --keep runs, and those older than --older-than days, go (or are named)."""
    bad = []
    if args.keep is not None and args.keep < 0:
        bad.append(("--keep", args.keep, msg("expected a whole number >= 0")))
    if args.older_than is not None and not args.older_than > 0:
        bad.append(("--older-than", args.older_than, msg("expected a number of days > 0")))
    if args.keep is None and args.older_than is None:
        bad.append(("--keep", None, msg("say which runs go: --keep N (the newest N stay), --older-than DAYS, or both")))
    if bad:
        raise InputError([Problem("command line", None, flag, None if value is None else str(value), text)
                          for flag, value, text in bad])
    before = datetime.now(UTC) - timedelta(days=args.older_than) if args.older_than is not None else None
    gone = store.prune(args.keep, before, args.campaign, dry_run=args.dry_run)
    left = len(store.runs())
    if args.dry_run:
        _say(f"Would remove {len(gone)} run(s): {', '.join(gone[:10])}{' ...' if len(gone) > 10 else ''}"
             if gone else "No run would be removed.")
    else:
        _say(f"Removed {len(gone)} run(s), and the stored input tables no remaining run uses; {left} run(s) left.")
    return EXIT_OK


def diff(store: Store, args: argparse.Namespace, written: Written) -> int:
    from ..config import parse_config
    from ..lifecycle.diff import plan_diff

    a, b = store.run(args.before), store.run(args.after)
    found = plan_diff(store.plan(a["run_id"]), store.plan(b["run_id"]), parse_config(a["config"], a["run_id"]),
                      parse_config(b["config"], b["run_id"]), a["choices"], b["choices"])
    counts = found.counts()
    print(f"From run {a['run_id']} to {b['run_id']}: {counts['added']} creator(s) added, {counts['dropped']} "
          f"dropped, {counts['moved']} moved to other products.")
    for key, old, new in found.settings:
        print(f"  setting {key}: {old} -> {new}")
    t = found.totals
    print(f"  bookings {t.at['bookings', 'before']:.0f} -> {t.at['bookings', 'after']:.0f}; value "
          f"{t.at['value', 'before']:,.3f} -> {t.at['value', 'after']:,.3f}; spend ¥{t.at['spend', 'before']:,.0f} -> "
          f"¥{t.at['spend', 'after']:,.0f}; expected GMV ¥{t.at['gmv', 'before']:,.0f} -> ¥{t.at['gmv', 'after']:,.0f}")
    for row in found.changes.head(30).itertuples():
        print(f"  {row.change:8} {row.creator_id}: {row.before or '-'} -> {row.after or '-'}  ({row.why})")
    if len(found.changes) > 30:
        print(f"  ... and {len(found.changes) - 30} more" + ("" if args.out else " (--out writes them all)"))
    if args.out:
        out = Path(args.out)
        written(out, table_bytes(found.changes, out.suffix.lower()))
        _say(f"Every change: {out}")
    return EXIT_OK


def export(store: Store, args: argparse.Namespace, written: Written) -> int:
    run = store.run(args.run)
    out = Path(args.out)
    _table_file(out, "--out")
    written(out, table_bytes(store.plan(run["run_id"]), out.suffix.lower()))
    if args.summary_json:
        written(Path(args.summary_json), json_bytes(run["summary"]))
    if args.campaign_toml:
        written(Path(args.campaign_toml), run["config"].encode())
    if args.inputs_dir:
        for role, (_, frame) in store.tables(run["run_id"]).items():
            written(Path(args.inputs_dir) / f"{role}.csv", csv_bytes(frame))
    _say(f"Run {run['run_id']} exported: {written}")
    return EXIT_OK


def train_linear(config, data, history: pd.DataFrame | None, name: str | None, out: Path,
                 results: str | None = None) -> int:
    """train-fit --kind linear: the held-out lift (folds split by creator) of a logistic regression over each pair's
    style, audience and performance, against the style score and the configured fit; then the model on every
    pair, written to OUT/fit-linear.json for [scoring] learned. Labels: the history's collaborations against
    their creators' other eligible pairs, and/or a pilot's bookings by how they converted (`results`)."""
    from ..eval.evaluate import fit_metrics, paired_gain
    from ..fit.learned import combined, fit_model, from_results, held_out, labelled
    from ..inputs.validate import validate_results

    prepared = prepare(data, _without_learned(config), on_stage=lambda stage: None)
    booked = None
    if results is not None:
        name = " + ".join(filter(None, (name, Path(results).name)))
        booked = from_results(prepared.candidates, validate_results(read_table(results), Path(results).name, data))
    frame = combined(labelled(prepared.candidates, history) if history is not None else None, booked)
    if frame["label"].sum() < 5 or frame["creator_id"].nunique() < 4 or frame["label"].nunique() < 2:
        raise InputError([Problem(name, None, None, None,
                                  msg("needs at least 5 good matches (past collaborations, or pilot bookings that "
                                      "converted at least at the median) that are eligible pairs, by at least 4 "
                                      "creators, and some that are not (found {n} by {k})", n=int(frame["label"].sum()),
                                      k=int(frame.loc[frame["label"] == 1, "creator_id"].nunique())))])
    scored = held_out(frame).dropna(subset=["learned"]).rename(columns={"creator_id": "creator",
                                                                        "product_id": "product"})
    figures = {}
    for base in ("style", "fit"):
        gain = paired_gain(scored, scored["learned"].to_numpy(), scored[base].to_numpy(), n_boot=1000)
        figures[f"auc_gain_over_{base}"] = [round(gain[k], 4) for k in ("auc_gain", "auc_gain_lo", "auc_gain_hi")]
    figures["held_out_auc"] = round(fit_metrics(scored, scored["learned"].to_numpy(), by="creator")["auc"], 4)
    figures["style_auc"] = round(fit_metrics(scored, scored["style"].to_numpy(), by="creator")["auc"], 4)
    weights = {**fit_model(frame), "held_out": figures, "history": name}
    path = out / "fit-linear.json"
    Written()(path, json_bytes(weights))
    lift, low, high = figures["auc_gain_over_style"]
    _say(f"Learned from {weights['positives']} good matches among {weights['pairs']} labelled pairs of their "
         f"creators. Held out by creator: per-creator AUC {figures['held_out_auc']:.3f} against "
         f"{figures['style_auc']:.3f} for the style score (lift {lift:+.3f}, 95% interval {low:+.3f} to "
         f"{high:+.3f}). Weights {dict(zip(weights['features'], [round(c, 3) for c in weights['coef']]))}.")
    _say(f"Model written to {path}. Select it with [scoring] learned = \"{path}\".")
    return EXIT_OK


# Required columns a fit measurement does not use, and what stands in for them when a table has none
UNUSED_BY_FIT = {("creators", "fee"): "1", ("products", "brand"): "(no brand)"}


def evaluate_fit(args: argparse.Namespace, written: Written, interrupt: Interrupt) -> int:
    """eval-fit: matchmaker's fit score (as the campaign sets it) on a labelled set, against the score before and
    random: a pair matches when the creator's category is the product's (or the [categories] map allows it)."""
    from ..eval.evaluate import measure_fit
    from ..inputs.validate import one_row_per_creator, validate
    from ..pipeline import read_source

    config = _config(args)
    out = Path(args.out) if args.out else None
    if out is not None:
        _table_file(out, "--out")
    raw = {table: read_source(getattr(args, table), f"{table} table", table, declared=config.columns.get(table, {}))
           for table in ("creators", "products")}
    raw = {table: (name, read.frame) for table, (name, read) in raw.items()}
    name, frame = raw["creators"]
    frame, notes = one_row_per_creator(frame, name, config)  # a scraped captions table: a row per post
    raw["creators"] = (name, frame)
    data = validate(raw, config, notes=tuple(notes), stand_ins=UNUSED_BY_FIT)  # a fit needs no fees, no brands
    _show_warnings(data, False)
    _say(f"Scoring {data.n_creators:,} creators x {data.n_products:,} products ...")
    table = measure_fit(data, config, n_boot=args.boot)
    for row in table.to_dict(orient="records"):
        line = "  ".join(f"{name} {row[name]:.3f} ({row[name + '_lo']:.3f}-{row[name + '_hi']:.3f})"
                         for name in ("auc", "precision@10", "ndcg@10"))
        gain = "" if row["scorer"] == "before" else "; gain over before: " + ", ".join(
            f"{name} {row[name + '_gain']:+.3f} ({row[name + '_gain_lo']:+.3f}, {row[name + '_gain_hi']:+.3f})"
            for name in ("auc", "precision@10"))
        count = row["creators"] if row["by"] == "creator" else row["products"]
        _say(f"per {row['by']} ({int(count)}), {row['scorer']}: {line}{gain}")
    if out is not None:
        written(out, table_bytes(table, out.suffix.lower()))
        _say(f"Figures written: {out}")
    return EXIT_OK


def _without_learned(config):
    return config.override(**{"scoring.learned": ""}) if config.scoring.learned else config


COMMANDS = {"whatif": whatif, "runs": runs, "serve": serve, "eval-fit": evaluate_fit}

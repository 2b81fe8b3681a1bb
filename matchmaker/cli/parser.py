"""The command line's commands and flags, all in one place (cli/__init__.py runs them)."""

from __future__ import annotations

import argparse

from .. import __version__
from ..config import BACKENDS, OBJECTIVES
from ..lifecycle.replan import MODES

DESCRIPTION = "matchmaker: creator-brand matchmaking under budget, overlap and category rules"


def column_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--column", action="append", metavar="TABLE:HEADER=COLUMN",
                        help="read a header no alias knows as a column, e.g. creators:Niche=categories (repeat; over "
                             "the config's [columns])")


def inputs(parser: argparse.ArgumentParser) -> None:
    column_flag(parser)
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
    store_flag(parser)


def store_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", metavar="PATH",
                        help='run store (DuckDB file; default MATCHMAKER_STORE, else [store] path; "" records nothing)')


def engine(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=("local", "ray"),
                        help="where embedding and scoring run (default: [engine] kind, else local)")
    parser.add_argument("--ray-address", help='Ray cluster: "auto", "ray://host:10001" (default: RAY_ADDRESS, '
                                              "else a new local Ray)")


def build() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="matchmaker", description=DESCRIPTION)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log what the library does (-v: steps; -vv: details, with an internal error's traceback)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    opt = sub.add_parser("optimize", help="find the best plan and write it")
    inputs(opt)
    opt.add_argument("--out", required=True, help="plan file: .csv, .xlsx or .json")
    opt.add_argument("--summary-json", help="summary file (.json)")
    opt.add_argument("--near", metavar="RUN", help="re-plan with minimal change from this stored run's plan")
    opt.add_argument("--change-penalty", type=float,
                     help="with --near: what each changed booking costs, in the objective's units (default: a tenth "
                          "of the previous bookings' mean value)")
    engine(opt)
    val = sub.add_parser("validate", help="list every input problem, no solve")
    inputs(val)
    val.add_argument("--problems-csv", help="also write every problem, one per row, to this CSV")
    val.add_argument("--save-categories", help="write the campaign TOML with the suggested [categories] added")
    over = sub.add_parser("overlaps", help="every creator pair's audience overlap, given or estimated, with the "
                                           "figures behind it")
    inputs(over)
    over.add_argument("--min", type=float, default=0.01, help="only pairs sharing more than this (default 0.01)")
    over.add_argument("--out", required=True, help="one row per pair (.csv, .xlsx, .json)")
    demo = sub.add_parser("demo", help="the bundled sample campaign, end to end")
    demo.add_argument("--out", default="out/demo-plan.csv", help="plan file (default out/demo-plan.csv)")
    demo.add_argument("--time-limit", type=float, help="solver time limit in seconds")
    store_flag(demo)
    batch = sub.add_parser("batch", help="one plan per campaign TOML in a folder, plus a summary table")
    batch.add_argument("folder", help="folder of campaign .toml files (each names its inputs)")
    batch.add_argument("--out", required=True, help="output folder")
    batch.add_argument("--time-limit", type=float, help="solver time limit per campaign")
    store_flag(batch)
    engine(batch)
    again = sub.add_parser("replan", help="learn from a pilot's results and plan the rest of the budget")
    inputs(again)
    again.add_argument("--results", required=True,
                       help="the pilot's results per booking (.csv, .xlsx): creator, product, views, orders "
                            "(Compass/罗盘 or Buyin headers)")
    again.add_argument("--mode", choices=MODES, default="extend",
                       help="the pilot's bookings: keep (book them again), extend (compete with what they "
                            "taught; default) or drop (never again)")
    again.add_argument("--waves", type=int, default=1, metavar="N",
                       help="the waves left, this one included: plan this wave's even share of the rest "
                            "(default 1: all of it). Give --results every result so far, each with its wave")
    again.add_argument("--maturity", type=int, default=7, metavar="DAYS",
                       help="refuse results read before T+DAYS (refunds still coming in; default 7; 0: accept)")
    again.add_argument("--after", metavar="RUN", help="the stored run this one follows (the pilot or the last "
                                                        "wave; \"last\"): recorded as its parent, for `runs diff`")
    again.add_argument("--as-of", metavar="DATE", help="the day the results were read (default today), for their "
                                                        "post dates")
    again.add_argument("--out", required=True, help="plan file: .csv, .xlsx or .json")
    again.add_argument("--changes", help="what changed and why, one row per creator (.csv, .xlsx)")
    again.add_argument("--summary-json", help="summary file (.json)")
    test = sub.add_parser("pilot", help="design a pilot: test the creators the scale-up would buy, cheaply, "
                                        "every category covered")
    inputs(test)
    test.add_argument("--share", type=float, help="the pilot's share of the budget (0..1; default: sized by "
                                                 "test-and-roll from the scale-up's bookings)")
    test.add_argument("--out", required=True, help="pilot plan file: .csv, .xlsx or .json (with what each "
                                                   "booking is there to learn)")
    test.add_argument("--summary-json", help="summary file (.json)")
    what = sub.add_parser("whatif", help="sweep the budget or overlap threshold, or cost each rule, on one "
                                         "prepared campaign")
    inputs(what)
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
        store_flag(verb)
    serve = sub.add_parser("serve", help="the HTTP API (docs, \"HTTP API\")")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--config", help="server TOML: [store] path, [server] keys and limits, defaults for runs")
    serve.add_argument("--allow-local", action="store_true",
                       help="without API keys, answer requests from this machine only (never on another address)")
    store_flag(serve)
    fit = sub.add_parser("eval-fit", help="measure the fit score on labelled creators and products (docs, "
                                          "\"Fit quality\")")
    fit.add_argument("--creators", required=True, help="creator list (bios, posts, categories; fees not needed)")
    fit.add_argument("--products", required=True, help="product catalogue (brands not needed)")
    fit.add_argument("--config", help="campaign TOML: its [scoring], and its [categories] map for which pairs match")
    fit.add_argument("--backend", choices=BACKENDS, help="embedding backend")
    fit.add_argument("--boot", type=int, default=1000, help="bootstrap resamples for the intervals (default 1000)")
    fit.add_argument("--out", help="the figures as a table (.csv, .xlsx or .json)")
    column_flag(fit)
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
    column_flag(train)
    return parser

"""Benchmarks: print one JSON line per measurement. Not a test: figures depend on the machine.

    python benchmarks/run.py solve [--creators 3000 --products 50 --time-limit 20 --seed 0]
    python benchmarks/run.py fit   [--datasets ../shared/datasets] [--boot 200] [--e5]
    python benchmarks/run.py plan  [--sizes 300x10,1000x20,3000x50 --budgets 0.5,1,2 --time-limit 20]
    python benchmarks/run.py scale [--sizes 300,1000,3000 --time-limit 10]
    python benchmarks/run.py embed [--texts 20000]
    python benchmarks/run.py cli   [--creators 1000000 --products 200 --budget 10000000 --time-limit 1200]
    python benchmarks/run.py market [--seeds 100 --shares 0.02,0.05,0.1,0.2 --objective gmv --design best]
    python benchmarks/run.py api   [--clients 8 --requests 100 --runs 4]
    python benchmarks/run.py overlap [--seeds 6 --users 400000 --creators 200]

`solve`: a synthetic campaign (matchmaker.eval.synthetic) with overlap conflicts, solved by the real
pipeline (greedy hint, CP-SAT, independent check). Prints the plan's value, the best bound, the gap,
the greedy value and the times; says whether the plan is at least as good as greedy.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaker.config import Config, load_config  # noqa: E402
from matchmaker.eval import bench, evaluate  # noqa: E402
from matchmaker.eval.synthetic import synthetic_problem  # noqa: E402
from matchmaker.fit.embed import SentenceTransformerEmbedder, USEEmbedder  # noqa: E402
from matchmaker.pipeline import load, run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT.parent / "shared" / "datasets"


def _lines(frame, **extra) -> None:
    for row in frame.to_dict(orient="records"):
        print(json.dumps({**extra, **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()}},
                         ensure_ascii=False, default=str), flush=True)


def bench_fit(args: argparse.Namespace) -> None:
    """Fit quality of each backend and baseline, on the sample (bilingual) and the real tables."""
    config = load_config(ROOT / "data" / "campaign.toml")
    scorers = {"use": evaluate.embedding_scorer(USEEmbedder()),
               "minilm": evaluate.embedding_scorer(SentenceTransformerEmbedder()),
               "tfidf": evaluate.tfidf_scorer, "category": evaluate.category_scorer,
               "random": evaluate.random_scorer}
    sets = {"sample": evaluate.sample_pairs(load(config), config)}
    if Path(args.datasets).is_dir():
        sets["real"] = evaluate.real_pairs(args.datasets)
    for name, pairs in sets.items():
        _lines(evaluate.compare(pairs, scorers, n_boot=args.boot, by_language=name == "sample"),
               bench="fit", dataset=name, by="product")
    # matchmaker's own score (pipeline.style_matrix) and its parts, per creator and per product, each paired against
    # the score before (whole bio, name + description); the parts' settings were chosen on the sample, the real
    # tables only measured; then how well the score, Platt-scaled and isotonic, is calibrated (cross-fitted by creator)
    use = USEEmbedder()
    real = {"real": evaluate.real_data(args.datasets)} if Path(args.datasets).is_dir() else {}
    sources = {"sample": (load(config), config, None), **{k: (d, Config(), lab) for k, (d, lab) in real.items()}}
    for name, (data, setting, label) in sources.items():
        setting = setting.override(**{"scoring.cache_dir": ""})
        pairs = evaluate.sample_pairs(data, setting) if label is None else evaluate.pairs_of(data, label)
        ranked = evaluate.variants(data, setting, use)
        if args.e5:  # the same score with the other packaged model
            ranked["matchmaker, e5 backend"] = evaluate.pipeline_scorer(data, setting.override(
                **{"scoring.backend": "e5"}))
        for by in ("creator", "product"):
            _lines(evaluate.compare(pairs, ranked, n_boot=args.boot, by_language=name == "sample", by=by,
                                    baseline="before"), bench="fit", dataset=name, by=by, part="matchmaker")
        ways = evaluate.calibration(pairs, ranked["matchmaker"](pairs))
        _lines(ways.groupby("way", sort=False)[["brier", "ece"]].first().reset_index(), bench="fit", dataset=name,
               part="calibration", base_rate=round(float(pairs["label"].mean()), 4))
    # the same creators against a catalogue labelled by niche (each listing's category its group's name), as
    # `matchmaker eval-fit` measures a labelled set, with category prototypes on and off
    if real:
        data, label = evaluate.real_data(args.datasets, labelled=True)
        for prototypes in (True, False):
            setting = Config().override(**{"scoring.cache_dir": "", "scoring.category_prototypes": prototypes})
            _lines(evaluate.measure_fit(data, setting, use, label, n_boot=args.boot), bench="fit",
                   dataset="real, labelled catalogue", part="eval-fit", prototypes=prototypes)


def bench_plan(args: argparse.Namespace) -> None:
    sizes = [tuple(int(x) for x in s.split("x")) for s in args.sizes.split(",")]
    budgets = [float(b) for b in args.budgets.split(",")]
    _lines(bench.plan_quality(sizes, budgets, args.time_limit), bench="plan")


def bench_scale(args: argparse.Namespace) -> None:
    config = load_config(ROOT / "data" / "campaign.toml")
    sizes = [int(s) for s in args.sizes.split(",")]
    _lines(bench.scaling(sizes, USEEmbedder(), config, args.time_limit), bench="scale")


def bench_solve(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    data, config = synthetic_problem(args.creators, args.products, seed=args.seed, n_categories=args.categories,
                                     conflict_rate=args.conflict_rate)
    config = config.override(**{"solver.time_limit": args.time_limit, "solver.workers": args.workers,
                                "solver.seed": args.seed, "solver.highs": args.highs})
    built = time.perf_counter() - start
    outcome = run(data, config, on_stage=lambda _: None)
    r = outcome.result
    return {
        "bench": "solve", "creators": args.creators, "products": args.products, "seed": args.seed,
        "eligible_pairs": len(outcome.candidates), "overlap_conflicts": len(outcome.conflicts),
        "budget": config.campaign.budget, "status": r.status, "plan_from": r.source,
        "value": round(r.objective, 4), "bound": round(r.bound, 4), "gap": round(r.gap, 4),
        "bound_from": r.bound_from, "searched_pairs": r.searched_pairs, "lp_s": round(r.lp_seconds, 2),
        "greedy_value": round(r.greedy_value, 4), "greedy_feasible": r.greedy_feasible,
        "not_worse_than_greedy": r.objective >= r.greedy_value - 1e-9,
        "first_solution_s": round(r.trace[0].seconds, 2) if r.trace else None,
        "time_limit_s": args.time_limit, "workers": args.workers,
        "load_s": round(built, 2), **{f"{k}_s": round(v, 2) for k, v in outcome.timings.items()},
        "max_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "total_s": round(time.perf_counter() - start, 2),
    }


def bench_embed(args: argparse.Namespace) -> dict:
    """The embed stage against the backend's raw speed: unique bilingual bios (the sample's generator, a
    creator number appended), encoded raw in batches of 256, then through embed_texts with an empty cache
    (cold: look-ups, encoding, writes), then again (warm: all from the cache)."""
    import numpy as np

    from matchmaker.eval.sample import creators
    from matchmaker.fit.cache import EmbeddingCache
    from matchmaker.fit.embed import embed_texts

    table = creators(np.random.default_rng(args.seed), args.texts, 0)
    texts = [f"{bio} #{i}" for i, bio in enumerate(table["简介"])]
    embedder = USEEmbedder()
    embedder.encode(["warm-up"])
    start = time.perf_counter()
    for k in range(0, len(texts), 256):
        embedder.encode(texts[k:k + 256])
    raw = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        embed_texts(texts, embedder, EmbeddingCache(folder))
        cold = time.perf_counter() - start
        start = time.perf_counter()
        embed_texts(texts, embedder, EmbeddingCache(folder))
        warm = time.perf_counter() - start
    return {"bench": "embed", "texts": len(texts), "raw_texts_per_s": round(len(texts) / raw, 1),
            "cold_texts_per_s": round(len(texts) / cold, 1), "cold_vs_raw": round(raw / cold, 3),
            "warm_s": round(warm, 2), "warm_speedup": round(cold / warm, 1)}


# Runs a command and prints its own peak memory (max RSS of the finished child, in KiB) as the last line.
_MEASURED = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def bench_cli(args: argparse.Namespace) -> dict:
    """The whole command line at scale: creators and products from the sample's generator (written once to
    --dir), `matchmaker optimize` run twice on them, each in a process of its own (cold embedding cache,
    then warm); per run the wall time, the process's peak memory, the stage seconds and the summary; and the
    cold embed stage's speed against the backend's raw encode speed on the same texts."""
    import random
    import shutil
    import subprocess

    from matchmaker.eval.sample import write_sample
    from matchmaker.fit.score import creator_pieces, creator_text, product_text

    folder = Path(args.dir) / f"{args.creators}x{args.products}"
    if not (folder / "campaign.toml").exists():
        write_sample(folder, n_creators=args.creators, n_products=args.products)
    # the backend's raw speed on a sample of the same distinct texts, first, on the machine as idle as it is
    config = load_config(folder / "campaign.toml")
    data = load(config)
    # the texts the embed stage embeds: each piece of the creators' texts ([scoring] pieces), else the bios whole
    own = ([piece for pieces in creator_pieces(data.creators) for piece in pieces] if config.scoring.pieces
           else creator_text(data.creators))
    texts = sorted(set(own + product_text(data.products)))
    del data
    sample = random.Random(0).sample(texts, min(5000, len(texts)))
    embedder = USEEmbedder()
    embedder.encode(["warm-up"])
    start = time.perf_counter()
    for k in range(0, len(sample), 256):
        embedder.encode(sample[k:k + 256])
    raw = len(sample) / (time.perf_counter() - start)
    del embedder
    shutil.rmtree(folder / ".matchmaker-cache", ignore_errors=True)
    runs = {}
    for tag in ("cold", "warm"):
        command = [str(ROOT / ".venv" / "bin" / "matchmaker"), "optimize", "--config", "campaign.toml",
                   "--budget", str(args.budget), "--time-limit", str(args.time_limit), "--out", "plan.csv",
                   "--summary-json", f"summary-{tag}.json"]
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _MEASURED, *command], cwd=folder, capture_output=True,
                              text=True)
        wall = time.perf_counter() - start
        if done.returncode:
            return {"bench": "cli", "run": tag, "exit": done.returncode, "stderr": done.stderr[-2000:]}
        summary = json.loads((folder / f"summary-{tag}.json").read_text(encoding="utf-8"))
        runs[tag] = {"wall_s": round(wall, 1), "max_rss_gb": round(int(done.stdout.split()[-1]) / 2**20, 2),
                     **{f"{k}_s": v for k, v in summary["stage_seconds"].items()}}
        runs[tag]["summary"] = {k: summary[k] for k in ("status", "plan_from", "objective", "best_bound", "gap",
                                                       "bound_from", "eligible_pairs", "left_out_pairs",
                                                       "searched_pairs", "overlap_conflicts", "bookings")}
    cold = len(texts) / runs["cold"]["embed_s"]
    return {"bench": "cli", "creators": args.creators, "products": args.products, "budget": args.budget,
            "time_limit_s": args.time_limit, "distinct_texts": len(texts), "raw_texts_per_s": round(raw, 1),
            "cold_embed_texts_per_s": round(cold, 1), "cold_vs_raw": round(cold / raw, 3),
            "warm_embed_speedup": round(runs["cold"]["embed_s"] / max(runs["warm"]["embed_s"], 1e-9), 1),
            **runs}


def bench_market(args: argparse.Namespace) -> None:
    """Pilot, then waves, on the simulated market (matchmaker.eval.market): for each budget (x the sample's),
    every seed's row, then the summary (each way's share of the oracle's expected GMV, learning alone with its
    95% interval, seeds below the prior, the last wave's range coverage)."""
    from matchmaker.eval.market import run_market, summarise
    from matchmaker.pipeline import prepare

    base = load_config(ROOT / "data" / "campaign.toml")
    share = None if args.share == "sized" else float(args.share)
    for times in (float(x) for x in args.budgets.split(",")):
        config = base.override(**{"economics.objective": args.objective, "solver.time_limit": args.time_limit,
                                  "campaign.budget": base.campaign.budget * times})
        prepared = prepare(load(config), config)
        began = time.perf_counter()
        market = {k: float(v) for k, v in (item.split("=") for item in args.market)}
        rounds = run_market(prepared, range(args.seeds), share, args.waves, args.explore, market, args.optimism)
        _lines(rounds, bench="market", kind="round", budget_x=times)
        print(json.dumps({"bench": "market", "kind": "summary", "budget_x": times, "objective": args.objective,
                          "waves": args.waves, "explore": args.explore,
                          "optimism": args.optimism, "market": market, **summarise(rounds),
                          "seconds": round(time.perf_counter() - began, 1)}), flush=True)


def bench_overlap(args: argparse.Namespace) -> None:
    """The overlap estimate against simulated populations with true follower sets (matchmaker.eval.population):
    per population and niche size given to the estimate (the true mean, a third of it, three times it), then the
    mean over populations."""
    import pandas as pd

    from matchmaker.eval.population import measure, simulate

    rows = []
    for seed in range(args.seeds):
        activity = (0.6, 0.83, 1.0)[seed % 3]  # markets where active users follow more or less
        population = simulate(seed, users=args.users, creators=args.creators, activity_sd=activity)
        for scale in (1 / 3, 1.0, 3.0):
            rows.append({"seed": seed, "activity_sd": activity, "niche_scale": round(scale, 3),
                         **measure(population, niche_users=population.niche_users * scale)})
    frame = pd.DataFrame(rows)
    _lines(frame, bench="overlap", kind="population")
    _lines(frame.drop(columns=["seed", "activity_sd"]).groupby("niche_scale", as_index=False).mean().round(3),
           bench="overlap", kind="summary", seeds=args.seeds, users=args.users, creators=args.creators)


def bench_api(args: argparse.Namespace) -> dict:
    """The HTTP API under load: `matchmaker serve` in a process of its own on a free port (a fresh store), the
    sample uploaded and planned once; then --clients threads each sending --requests reads (health, the run
    list, a summary, a plan) and the requests per second and latency percentiles; then --runs runs started at
    once and the seconds until all are done."""
    import os
    import signal
    import socket
    import statistics
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    folder = Path(tempfile.mkdtemp(prefix="matchmaker-api-"))
    env = {**os.environ, "MATCHMAKER_API_KEYS": "bench", "MATCHMAKER_STORE": str(folder / "runs.duckdb")}
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "matchmaker"), "serve", "--port", str(port), "--config",
                               str(ROOT / "data" / "campaign.toml")], cwd=folder, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url, auth = f"http://127.0.0.1:{port}", {"X-API-Key": "bench"}
    try:
        with httpx.Client(base_url=url, headers=auth, timeout=300) as client:
            for _ in range(120):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.5)
            ids = {role: client.post("/uploads", files={"file": (f"{role}.csv", (ROOT / "data" / f"{role}.csv")
                                                                 .read_bytes())}).json()["upload_id"]
                   for role in ("creators", "products")}

            def finished(run_id: str) -> dict:
                while (view := client.get(f"/runs/{run_id}").json())["status"] not in ("done", "failed", "cancelled"):
                    time.sleep(0.2)
                return view

            first = finished(client.post("/runs", json={**ids, "settings": {"solver.time_limit": 5}}).json()["run_id"])
            paths = ["/health", "/runs?limit=5", f"/runs/{first['run_id']}/summary", f"/runs/{first['run_id']}/plan"]
            latencies: list[float] = []

            def reader(k: int) -> list[int]:
                codes = []
                with httpx.Client(base_url=url, headers=auth, timeout=60) as own:
                    for i in range(args.requests):
                        start = time.perf_counter()
                        codes.append(own.get(paths[(k + i) % len(paths)]).status_code)
                        latencies.append(time.perf_counter() - start)
                return codes

            began = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                codes = [c for part in pool.map(reader, range(args.clients)) for c in part]
            seconds = time.perf_counter() - began
            q = statistics.quantiles(latencies, n=100)
            began = time.perf_counter()
            started = [client.post("/runs", json={**ids, "settings": {"campaign.budget": 900_000 + 10_000 * k,
                                                                      "solver.time_limit": 5}}).json()["run_id"]
                       for k in range(args.runs)]
            views = [finished(r) for r in started]
            runs_s = time.perf_counter() - began
        return {"bench": "api", "clients": args.clients, "requests": len(codes),
                "errors": sum(c != 200 for c in codes), "requests_per_s": round(len(codes) / seconds, 1),
                "p50_ms": round(1000 * q[49], 1), "p95_ms": round(1000 * q[94], 1), "p99_ms": round(1000 * q[98], 1),
                "first_run_s": round(sum(first["summary"]["stage_seconds"].values()), 2),
                "runs_at_once": args.runs, "runs_done": sum(v["status"] == "done" for v in views),
                "runs_all_done_s": round(runs_s, 1)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="bench", required=True)
    solve = sub.add_parser("solve")
    solve.add_argument("--creators", type=int, default=3000)
    solve.add_argument("--products", type=int, default=50)
    solve.add_argument("--time-limit", type=float, default=20.0)
    solve.add_argument("--workers", type=int, default=2)
    solve.add_argument("--seed", type=int, default=0)
    solve.add_argument("--categories", type=int, default=10, help="creator categories (more: sparser pairs)")
    solve.add_argument("--conflict-rate", type=float, default=0.02, help="share of same-category pairs in conflict")
    solve.add_argument("--highs", action="store_true", help="HiGHS's MIP beside CP-SAT (solver.highs)")
    fit = sub.add_parser("fit")
    fit.add_argument("--datasets", default=str(DATASETS))
    fit.add_argument("--boot", type=int, default=200)
    fit.add_argument("--e5", action="store_true", help="also the score with the e5 backend (multilingual-e5-small)")
    plan = sub.add_parser("plan")
    plan.add_argument("--sizes", default="300x10,1000x20,3000x50")
    plan.add_argument("--budgets", default="0.5,1,2")
    plan.add_argument("--time-limit", type=float, default=20.0)
    embed = sub.add_parser("embed")
    embed.add_argument("--texts", type=int, default=20000)
    embed.add_argument("--seed", type=int, default=0)
    cli = sub.add_parser("cli")
    cli.add_argument("--creators", type=int, default=1_000_000)
    cli.add_argument("--products", type=int, default=200)
    cli.add_argument("--budget", type=float, default=10_000_000)
    cli.add_argument("--time-limit", type=float, default=1200.0)
    cli.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "matchmaker-bench"),
                     help="where the generated campaign is written (kept for a re-run)")
    scale = sub.add_parser("scale")
    scale.add_argument("--sizes", default="300,1000,3000")
    scale.add_argument("--time-limit", type=float, default=10.0)
    market = sub.add_parser("market")
    market.add_argument("--seeds", type=int, default=30)
    market.add_argument("--budgets", default="1,2", help="budgets, as multiples of the sample's")
    market.add_argument("--share", default="sized", help="the pilot's share of the budget, or 'sized' (test-and-roll)")
    market.add_argument("--waves", type=int, default=4)
    market.add_argument("--explore", action="store_true", help="waves on a posterior draw (Thompson sampling)")
    market.add_argument("--optimism", type=float, default=0.0,
                        help="waves before the last plan on the posterior mean x exp(this x its log-sd)")
    market.add_argument("--market", nargs="*", default=[], metavar="KEY=VALUE",
                        help="the world's parameters (matchmaker.eval.market.world): creator_sd, category_sd, "
                             "pair_sd, views_sd, post_sd, repeat")
    market.add_argument("--objective", default="gmv")
    market.add_argument("--time-limit", type=float, default=3.0)
    overlap = sub.add_parser("overlap")
    overlap.add_argument("--seeds", type=int, default=6)
    overlap.add_argument("--users", type=int, default=400_000)
    overlap.add_argument("--creators", type=int, default=200)
    api = sub.add_parser("api")
    api.add_argument("--clients", type=int, default=8)
    api.add_argument("--requests", type=int, default=100, help="per client")
    api.add_argument("--runs", type=int, default=4, help="runs started at once")
    args = parser.parse_args()
    if args.bench in ("solve", "embed", "cli", "api"):
        measure = {"solve": bench_solve, "embed": bench_embed, "cli": bench_cli, "api": bench_api}[args.bench]
        print(json.dumps(measure(args), ensure_ascii=False), flush=True)
    else:
        {"fit": bench_fit, "plan": bench_plan, "scale": bench_scale, "market": bench_market,
         "overlap": bench_overlap}[args.bench](args)


if __name__ == "__main__":
    main()

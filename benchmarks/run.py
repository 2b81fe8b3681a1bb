"""Benchmarks: print one JSON line per measurement. Not a test: figures depend on the machine.

    python benchmarks/run.py solve [--creators 3000 --products 50 --time-limit 20 --seed 0]

`solve`: a synthetic campaign (matchmaker.synthetic) with overlap conflicts, solved by the real
pipeline (greedy hint, CP-SAT, independent check). Prints the plan's value, the best bound, the gap,
the greedy value and the times; says whether the plan is at least as good as greedy.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from matchmaker.pipeline import run  # noqa: E402
from matchmaker.synthetic import synthetic_problem  # noqa: E402


def bench_solve(args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    data, config = synthetic_problem(args.creators, args.products, seed=args.seed)
    config = config.override(**{"solver.time_limit": args.time_limit, "solver.workers": args.workers,
                                "solver.seed": args.seed})
    built = time.perf_counter() - start
    outcome = run(data, config, on_stage=lambda _: None)
    r = outcome.result
    return {
        "bench": "solve", "creators": args.creators, "products": args.products, "seed": args.seed,
        "eligible_pairs": len(outcome.candidates), "overlap_conflicts": len(outcome.conflicts),
        "budget": config.campaign.budget, "status": r.status, "plan_from": r.source,
        "value": round(r.objective, 4), "bound": round(r.bound, 4), "gap": round(r.gap, 4),
        "greedy_value": round(r.greedy_value, 4), "greedy_feasible": r.greedy_feasible,
        "not_worse_than_greedy": r.objective >= r.greedy_value - 1e-9,
        "first_solution_s": round(r.trace[0].seconds, 2) if r.trace else None,
        "time_limit_s": args.time_limit, "workers": args.workers,
        "load_s": round(built, 2), "solve_s": round(outcome.timings["solve"], 2),
        "total_s": round(time.perf_counter() - start, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="bench", required=True)
    solve = sub.add_parser("solve")
    solve.add_argument("--creators", type=int, default=3000)
    solve.add_argument("--products", type=int, default=50)
    solve.add_argument("--time-limit", type=float, default=20.0)
    solve.add_argument("--workers", type=int, default=2)
    solve.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(bench_solve(args)), flush=True)


if __name__ == "__main__":
    main()

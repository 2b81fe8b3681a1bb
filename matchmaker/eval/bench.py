"""Measurements behind the notebooks and benchmarks/run.py: plan quality, what each rule costs,
the budget/value frontier, and time and memory of each stage as campaigns grow."""

from __future__ import annotations

import dataclasses
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..fit.embed import Embedder, embed_texts
from ..fit.overlap import conflicts
from ..fit.score import candidates, creator_text, product_text
from ..inputs.validate import validate
from ..outcome import Outcome
from ..pipeline import prepare, run, solve
from ..plan.constraints import build_model
from ..plan.instance import build_instance
from ..plan.solve import solve_instance
from .sample import creators as sample_creators
from .sample import products as sample_products
from .synthetic import synthetic_problem


def _quiet(_: str) -> None:
    pass


def outcome_row(outcome: Outcome) -> dict:
    r = outcome.result
    return {"status": r.status, "value": r.objective, "bound": r.bound, "gap": r.gap,
            "greedy": r.greedy_value, "greedy_gap": (r.bound - r.greedy_value) / r.bound if r.bound else 0.0,
            "seconds": r.seconds, "pairs": len(outcome.candidates), "conflicts": len(outcome.conflicts)}


def plan_quality(sizes: list[tuple[int, int]], budget_factors: list[float], time_limit: float,
                 seed: int = 0) -> pd.DataFrame:
    """Optimiser vs greedy vs bound on synthetic campaigns, over sizes and budgets (x the base budget)."""
    rows = []
    for n_c, n_p in sizes:
        data, config = synthetic_problem(n_c, n_p, seed=seed)
        for factor in budget_factors:
            cfg = config.override(**{"campaign.budget": config.campaign.budget * factor,
                                     "solver.time_limit": time_limit, "solver.seed": seed})
            rows.append({"creators": n_c, "products": n_p, "budget_factor": factor,
                         **outcome_row(run(data, cfg, on_stage=_quiet))})
    return pd.DataFrame(rows)


RELAXATIONS: dict[str, Callable[[ProblemData, Config], tuple[ProblemData, Config]]] = {
    "overlap rule": lambda d, c: (d, c.override(**{"campaign.max_overlap": 1.0})),
    "Top-KOL share cap": lambda d, c: (d, c.override(**{"campaign.top_kol_max_share": 1.0})),
    "min Top-KOLs per product": lambda d, c: (d.replace(products=d.products.assign(min_top_kol=0)), c),
    "exclusivity": lambda d, c: (d, c.override(**{"campaign.exclusivity": False})),
    "min experience": lambda d, c: (d, c.override(**{"campaign.min_experience": 0.0})),
    "category rules": lambda d, c: (d, dataclasses.replace(c, categories={
        k: tuple({x for cs in d.creators["categories"] for x in cs}) for k in d.products["category"]})),
}


def constraint_costs(data: ProblemData, config: Config, embedder: Embedder | None = None) -> pd.DataFrame:
    """Value lost to each rule: the plan's value with that rule relaxed, minus the plan's value."""
    base = run(data, config, embedder, on_stage=_quiet)
    rows = [{"rule": "(none relaxed)", **outcome_row(base), "value_lost": 0.0}]
    for name, relax in RELAXATIONS.items():
        d, c = relax(data, config)
        out = run(d, c, embedder, on_stage=_quiet)
        rows.append({"rule": name, **outcome_row(out), "value_lost": out.result.objective - base.result.objective})
    return pd.DataFrame(rows)


def frontier(data: ProblemData, config: Config, budgets: list[float], embedder: Embedder | None = None) -> pd.DataFrame:
    """The best plan's value (and bound) at each budget: prepared once, solved per budget."""
    prepared = prepare(data, config, embedder, on_stage=_quiet)
    rows = []
    for budget in budgets:
        out = solve(prepared, {"campaign.budget": budget}, on_stage=_quiet)
        rows.append({"budget": budget, **outcome_row(out), "spend": float(out.plan["cash"].sum())})
    return pd.DataFrame(rows)


def sample_like(n_creators: int, seed: int = 0, config: Config | None = None) -> tuple[ProblemData, Config]:
    """The bundled sample's generator at any size (bilingual bios, Chinese headers), validated."""
    rng = np.random.default_rng(seed)
    n_top = max(1, n_creators // 8)
    raw = {"creators": ("creators.csv", sample_creators(rng, n_creators - n_top, n_top).astype(object)),
           "products": ("products.csv", sample_products().astype(object))}
    config = config or Config()
    return validate(raw, config), config


def _measure(rows: list, stage: str, size: int, fn: Callable, *args, **kwargs):
    """fn(*args, **kwargs), with its time and memory appended to rows."""
    tracemalloc.start()
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows.append({"creators": size, "stage": stage, "seconds": seconds, "python_peak_mb": peak / 2**20,
                 "process_max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    return value


def scaling(sizes: list[int], embedder: Embedder, config: Config, time_limit: float = 10.0) -> pd.DataFrame:
    """Time and memory of each stage (load, embed, score, overlap, build model, solve) per size.
    python_peak_mb is what Python and numpy allocated in the stage (tracemalloc); CP-SAT's own
    memory shows only in the process's max RSS."""
    rows: list[dict] = []
    config = config.override(**{"solver.time_limit": time_limit})
    embedder.encode(["warm-up: load the model before timing"])
    for n in sizes:
        data, _ = _measure(rows, "load", n, sample_like, n, config=config)
        texts = creator_text(data.creators) + product_text(data.products)
        emb = _measure(rows, "embed", n, embed_texts, texts, embedder)
        pairs = _measure(rows, "score", n, candidates, data, config, emb[:data.n_creators], emb[data.n_creators:])
        clash = _measure(rows, "overlap", n, conflicts, data, config.campaign.max_overlap)
        inst = build_instance(data, pairs, clash, config)
        _measure(rows, "build model", n, build_model, inst)
        _measure(rows, "solve", n, solve_instance, inst, config.solver)
    return pd.DataFrame(rows)


def second_opinion(inst, solver: str = "SCIP", time_limit: float = 60.0) -> float | None:
    """The optimum of the same campaign from an LP-based MIP solver bundled with OR-Tools (SCIP or
    HiGHS), written here from the Instance arrays; None when it proves infeasibility or finds nothing."""
    from collections import defaultdict

    from ortools.linear_solver import pywraplp

    s = pywraplp.Solver.CreateSolver(solver)
    s.SetTimeLimit(int(time_limit * 1000))
    x = [s.BoolVar(f"x{i}") for i in range(inst.n_pairs)]
    fee = inst.fee[inst.pair_c]
    s.Add(s.Sum([float(f) * v for f, v in zip(fee, x)]) <= inst.budget)
    by_c, by_p = defaultdict(list), defaultdict(list)
    for i, (c, p) in enumerate(zip(inst.pair_c, inst.pair_p)):
        by_c[int(c)].append(i)
        by_p[int(p)].append(i)
    for c, idx in by_c.items():
        s.Add(s.Sum([x[i] for i in idx]) <= int(inst.capacity[c]))
    for p in range(len(inst.prod_min)):
        idx = by_p.get(p, [])
        tops = [x[i] for i in idx if inst.top[inst.pair_c[i]]]
        s.Add(s.Sum([x[i] for i in idx]) >= int(inst.prod_min[p]))
        s.Add(s.Sum(tops) >= int(inst.prod_min_top[p]))
        if inst.prod_max[p] >= 0:
            s.Add(s.Sum([x[i] for i in idx]) <= int(inst.prod_max[p]))
        if inst.prod_max_top[p] >= 0:
            s.Add(s.Sum(tops) <= int(inst.prod_max_top[p]))
        if not np.isnan(inst.prod_budget[p]):
            s.Add(s.Sum([float(fee[i]) * x[i] for i in idx]) <= float(inst.prod_budget[p]))
    if inst.top_share < 1:
        s.Add(s.Sum([float(fee[i]) * ((1 - inst.top_share) if inst.top[inst.pair_c[i]] else -inst.top_share) * x[i]
                     for i in range(inst.n_pairs)]) <= 0)
    index = {(int(c), int(p)): i for i, (c, p) in enumerate(zip(inst.pair_c, inst.pair_p))}
    for a, b in inst.conflicts:
        for i in by_c.get(int(a), []):
            j = index.get((int(b), int(inst.pair_p[i])))
            if j is not None:
                s.Add(x[i] + x[j] <= 1)
    if inst.exclusivity:
        for c, idx in by_c.items():
            groups: dict = defaultdict(lambda: defaultdict(list))
            for i in idx:
                p = int(inst.pair_p[i])
                groups[int(inst.prod_category[p])][int(inst.prod_brand[p])].append(i)
            for k, brands in groups.items():
                if len(brands) > 1:
                    ys = []
                    for b, members in brands.items():
                        y = s.BoolVar(f"y{c}_{k}_{b}")
                        for i in members:
                            s.Add(x[i] <= y)
                        ys.append(y)
                    s.Add(s.Sum(ys) <= 1)
    s.Maximize(s.Sum([float(v) * xi for v, xi in zip(inst.value, x)]))
    status = s.Solve()
    return s.Objective().Value() if status == pywraplp.Solver.OPTIMAL else None

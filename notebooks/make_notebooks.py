"""Writes the evaluation notebooks (stored without outputs): python notebooks/make_notebooks.py from the repo root."""
import nbformat as nbf
from nbformat.v4 import new_code_cell as code
from nbformat.v4 import new_markdown_cell as md
from nbformat.v4 import new_notebook

SETUP = '''%matplotlib inline
import os, sys, tempfile
from pathlib import Path
ROOT = Path(os.environ.get("MATCHMAKER_ROOT") or (Path.cwd() if (Path.cwd() / "matchmaker").is_dir() else Path.cwd().parent))
sys.path.insert(0, str(ROOT))
QUICK = os.environ.get("MATCHMAKER_NB_QUICK") == "1"  # small parameters (the tests run the notebooks so)
DATASETS = Path(os.environ.get("MATCHMAKER_DATASETS", ROOT.parent / "shared" / "datasets"))
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
pd.set_option("display.width", 160)
from matchmaker import load, load_config
config = load_config(ROOT / "data" / "campaign.toml")
data = load(config)
print("quick mode" if QUICK else "full mode", "| real datasets:", DATASETS.is_dir())'''

def save(name, cells):
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbf.write(nb, f"notebooks/{name}")

save("1_fit_quality.ipynb", [
    md("# Fit quality: does the style fit rank the right creators first?\n\n"
       "Labelled pairs: a creator/product pair is positive when the creator's category is the product's. "
       "Two sets: the bundled bilingual sample (through its campaign's category map; languages zh/en on each side) "
       "and, where `../shared/datasets` exists, real Instagram creators (bios, niches) against real product "
       "listings (Makeup API, Amazon). For each product, creators are ranked by the scorer: AUC, precision@10 and "
       "nDCG@10 are averaged over products, with 95% bootstrap intervals over products. Baselines: category match "
       "only (exact category string, no synonym map), TF-IDF of character n-grams, random. On the real set the "
       "labels *are* the categories, so the category baseline is perfect there by construction: read it as the "
       "ceiling when categories are clean, not as a competitor."),
    code(SETUP),
    code('''from matchmaker.eval import evaluate
from matchmaker.fit.embed import USEEmbedder, SentenceTransformerEmbedder
BOOT = 30 if QUICK else 300
use, minilm = USEEmbedder(), SentenceTransformerEmbedder()
scorers = {"use (default)": evaluate.embedding_scorer(use), "minilm": evaluate.embedding_scorer(minilm),
           "tfidf": evaluate.tfidf_scorer, "category only": evaluate.category_scorer, "random": evaluate.random_scorer}
sample = evaluate.sample_pairs(data, config)
sample_table = evaluate.compare(sample, scorers, n_boot=BOOT)
sample_table[["scorer", "languages", "products", "auc", "auc_lo", "auc_hi", "precision@10", "ndcg@10"]].round(3)'''),
    code('''if DATASETS.is_dir():
    real = evaluate.real_pairs(DATASETS, products_per_group=6 if QUICK else 12)
    real_table = evaluate.compare(real, scorers, n_boot=BOOT, by_language=False)
else:
    print("skipped: ../shared/datasets is not here (set MATCHMAKER_DATASETS)")
    real_table = pd.DataFrame(columns=sample_table.columns)
real_table[["scorer", "products", "auc", "auc_lo", "auc_hi", "precision@10", "ndcg@10"]].round(3)'''),
    md("## matchmaker's own score, per creator and per product\n\n"
       "The scores above compare embedding models on the texts. Here the score the plan uses is measured as the "
       "pipeline computes it (`pipeline.style_matrix`, the code `prepare` scores with), against the score before "
       "(the whole bio's cosine with the product's name and description, z-scored per product), with each gain's "
       "95% interval paired over the same creators (or products). Its parts: the product's category path is part "
       "of its text; a creator's text is scored piece by piece (the bio's segments and each post or hashtag, the "
       "mean of the best two); zero-shot category inference (each text's distribution over the products' "
       "category names, the chance both are of one); and category prototypes (the cosine with the mean of the "
       "vectors of the catalogue's products in the product's category). The parts' settings were chosen on the sample; the real "
       "tables (bios, hashtags as posts, real category paths) were only measured. Per creator is what a marketer "
       "asks of a creator list: which of my products suits this creator."),
    code('''from matchmaker.config import Config
columns = ["scorer", "auc", "auc_lo", "auc_hi", "auc_gain", "auc_gain_lo", "auc_gain_hi", "precision@10",
           "precision@10_gain", "precision@10_gain_lo", "precision@10_gain_hi", "ndcg@10"]
sources = {"sample": (data, config.override(**{"scoring.cache_dir": ""}), sample)}
if DATASETS.is_dir():
    real_data, real_label = evaluate.real_data(DATASETS, products_per_group=6 if QUICK else 12)
    sources["real"] = (real_data, Config().override(**{"scoring.cache_dir": ""}),
                       evaluate.pairs_of(real_data, real_label))
own, scored = [], {}
for name, (d, setting, pairs) in sources.items():
    ranked = evaluate.variants(d, setting, use)
    scored[name] = (pairs, ranked["matchmaker"](pairs))
    for by in ("creator", "product"):
        own.append(evaluate.compare(pairs, ranked, n_boot=BOOT, by_language=name == "sample", by=by,
                                    baseline="before").assign(dataset=name, by=by))
own = pd.concat(own)
own[own["by"] == "creator"][["dataset", "languages", *columns]].round(3)'''),
    code('''own[own["by"] == "product"][["dataset", "languages", *columns]].round(3)'''),
    md("## Calibration: the fit score as a probability of a good match\n\n"
       "The style score is a squashed z-score (0.5: an average creator for the product), not a probability. "
       "Platt scaling (a logistic regression on the score) and isotonic regression turn it into one; each is "
       "cross-fitted on folds split by creator, so no pair's probability comes from a model that saw its creator. "
       "Brier score and expected calibration error (ECE) per way, and the reliability curve (predicted against "
       "observed, per bin of predicted probability; the diagonal is perfect calibration). A brand's own "
       "calibrated model comes from `matchmaker train-fit --kind linear` (a logistic regression, so a probability "
       "by construction), which the money model then uses through `[scoring] learned`."),
    code('''curves = {name: evaluate.calibration(pairs, score) for name, (pairs, score) in scored.items()}
fig, axes = plt.subplots(1, len(curves), figsize=(6 * len(curves), 4), squeeze=False)
for ax, (name, table) in zip(axes[0], curves.items()):
    for way, frame in table.groupby("way", sort=False):
        ax.plot(frame["predicted"], frame["observed"], marker="o",
                label=f"{way} (Brier {frame['brier'].iloc[0]:.3f}, ECE {frame['ece'].iloc[0]:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--")
    ax.set_title(f"{name}: reliability"); ax.set_xlabel("predicted"); ax.set_ylabel("observed"); ax.legend()
plt.tight_layout(); plt.show()
pd.concat([t.groupby("way", sort=False)[["brier", "ece"]].first().assign(dataset=n) for n, t in curves.items()]).round(4)'''),
    md("## Fine-tuning on a brand's history\n\n`matchmaker train-fit` fine-tunes MiniLM on past collaborations "
       "(positive pairs, in-batch negatives). Here: the sample's products are split in two; the positive pairs of "
       "one half are the 'history', and the fine-tuned model is scored on the other half only (held out)."),
    code('''from matchmaker.fit.train import train_fit
rng = np.random.default_rng(0)
products = data.products["product_id"].to_numpy()
held_out = set(rng.choice(products, len(products) // 2, replace=False))
train_pos = sample[(sample["label"] == 1) & ~sample["product"].isin(held_out)]
train_pos = train_pos.sample(min(len(train_pos), 48 if QUICK else 400), random_state=0)
folder = Path(tempfile.mkdtemp()) / "fit-sample" if QUICK else ROOT / "models" / "fit-sample"
train_fit(list(zip(train_pos["creator_text"], train_pos["product_text"])), folder, epochs=1)
test = sample[sample["product"].isin(held_out)].reset_index(drop=True)
tuned = SentenceTransformerEmbedder(str(folder))
tuning_table = evaluate.compare(test, {"minilm": evaluate.embedding_scorer(minilm),
                                       "minilm fine-tuned": evaluate.embedding_scorer(tuned),
                                       "use (default)": evaluate.embedding_scorer(use)}, n_boot=BOOT)
tuning_table[["scorer", "languages", "products", "auc", "auc_lo", "auc_hi", "precision@10", "ndcg@10"]].round(3)'''),
    md("## Results"),
    code('''results = pd.concat([sample_table.assign(dataset="sample"), real_table.assign(dataset="real", languages="en-en"),
                     tuning_table.assign(dataset="sample, held-out products")])
overall = results[results["languages"].isin(["all", "en-en"]) | (results["dataset"] == "real")]
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for ax, (name, frame) in zip(axes, [("sample (bilingual), by language pair", sample_table),
                                    ("real public tables (English)", real_table)]):
    if frame.empty:
        ax.set_title(name + ": skipped"); continue
    pivot = frame.pivot_table(index="languages", columns="scorer", values="auc")
    pivot.plot.bar(ax=ax, rot=0, ylim=(0, 1.05))
    ax.axhline(0.5, color="grey", lw=0.8, ls="--"); ax.set_title(name); ax.set_ylabel("AUC per product (mean)")
plt.tight_layout(); plt.show()
results[["dataset", "scorer", "languages", "auc", "auc_lo", "auc_hi", "precision@10", "ndcg@10"]].round(3)'''),
])

save("2_plan_quality.ipynb", [
    md("# Plan quality: the optimiser against greedy, the best bound and a second solver\n\n"
       "Synthetic campaigns (`matchmaker.eval.synthetic`, with overlap conflicts and a binding budget) over sizes and "
       "budgets; SCIP and HiGHS (bundled with OR-Tools) on the small ones; on the bundled sample, what each rule "
       "costs (the plan's value with that rule relaxed, minus the plan's value) and the budget/value frontier."),
    code(SETUP),
    code('''from matchmaker.eval import bench
from matchmaker.pipeline import run
LIMIT = 3.0 if QUICK else 20.0
sizes = [(300, 10)] if QUICK else [(300, 10), (1000, 20), (3000, 50)]
budgets = [0.5, 1.0] if QUICK else [0.5, 1.0, 2.0]
quality = bench.plan_quality(sizes, budgets, LIMIT)
quality.round(4)'''),
    code('''checks = []
for n_c, n_p in ([(60, 4), (150, 6)] if QUICK else [(60, 4), (150, 6), (300, 10)]):
    d, c = bench.synthetic_problem(n_c, n_p, seed=1)
    out = run(d, c.override(**{"solver.time_limit": LIMIT}), on_stage=lambda s: None)
    checks.append({"creators": n_c, "products": n_p, "cp_sat": out.result.objective, "cp_sat_status": out.result.status,
                   "scip": bench.second_opinion(out.instance, "SCIP"), "highs": bench.second_opinion(out.instance, "HIGHS")})
second = pd.DataFrame(checks)
second.round(4)'''),
    code('''sample_config = config.override(**{"solver.time_limit": LIMIT})
costs = bench.constraint_costs(data, sample_config)
costs[["rule", "status", "value", "value_lost", "gap", "pairs", "conflicts"]].round(4)'''),
    code('''budget_points = np.linspace(0.25, 1.5, 3 if QUICK else 8) * config.campaign.budget
front = bench.frontier(data, sample_config, list(budget_points))
front[["budget", "status", "value", "bound", "greedy", "spend"]].round(3)'''),
    md("## Results"),
    code('''fig, axes = plt.subplots(1, 3, figsize=(15, 4))
q = quality.assign(label=quality["creators"].astype(str) + "x" + quality["products"].astype(str) + " @" + quality["budget_factor"].astype(str))
axes[0].bar(q["label"], q["bound"], color="#dddddd", label="best bound")
axes[0].bar(q["label"], q["value"], color="#fe2c55", label="CP-SAT plan")
axes[0].plot(q["label"], q["greedy"], "k_", markersize=20, label="greedy")
axes[0].legend(); axes[0].set_title("plan value vs greedy and bound"); axes[0].tick_params(axis="x", rotation=45)
c2 = costs[costs["rule"] != "(none relaxed)"]
axes[1].barh(c2["rule"], c2["value_lost"], color="#25f4ee"); axes[1].set_title("value lost to each rule (sample)")
ok = front[front["status"].isin(["optimal", "feasible"])]
axes[2].plot(ok["budget"], ok["value"], "o-", color="#fe2c55"); axes[2].set_xlabel("budget (CNY)")
axes[2].set_ylabel("plan value"); axes[2].set_title("budget / value frontier (sample)")
plt.tight_layout(); plt.show()
summary = quality.assign(value_over_greedy=(quality["value"] - quality["greedy"]) / quality["greedy"])
summary[["creators", "products", "budget_factor", "status", "value", "bound", "gap", "greedy", "value_over_greedy", "seconds"]].round(4)'''),
    md("## Pilot, then waves: a simulated market\n\n"
       "The sample campaign with a hidden truth the prior does not know (`matchmaker/eval/market.py`; docs, \"The "
       "simulated market\"): heavy-tailed creators, category priors wrong per category, pair effects, volatile views, "
       "repeat bookings worth 0.6. Each way of spending the budget is valued by the truth's expected GMV, as a share of "
       "the oracle's (the plan knowing the truth): planning on the prior, the designed pilot then the prior's plan, the "
       "pilot then one re-plan, an independent per-creator posterior, the pilot then waves, and the oracle after the "
       "pilot. A few seeds run here; the recorded 30-seed run at 1x and 2x budget is `benchmarks/results/market.jsonl` "
       "(`python benchmarks/run.py market`)."),
    code('''from matchmaker.eval.market import run_market, summarise
from matchmaker.pipeline import prepare
market_config = config.override(**{"economics.objective": "gmv", "solver.time_limit": LIMIT})
live = summarise(run_market(prepare(data, market_config), range(2 if QUICK else 10), waves=2 if QUICK else 4))
pd.Series(live).round(3)'''),
    code('''import json
from matchmaker.eval.market import WAYS
lines = [json.loads(line) for line in (ROOT / "benchmarks" / "results" / "market.jsonl").read_text().splitlines() if line.strip()]
recorded = pd.DataFrame([line for line in lines if line.get("kind") == "summary"])
fig, ax = plt.subplots(figsize=(10, 4))
for k, row in enumerate(recorded.itertuples()):
    shares = [100 * getattr(row, f"{way}_of_oracle") for way in WAYS]
    ax.bar([i + 0.4 * k for i in range(len(WAYS))], shares, width=0.4, label=f"{row.budget_x:g}x budget")
ax.set_xticks([i + 0.2 for i in range(len(WAYS))], WAYS, rotation=20); ax.set_ylabel("% of the oracle's expected GMV")
ax.axhline(100, color="grey", ls=":"); ax.legend(); plt.tight_layout(); plt.show()
recorded.drop(columns=["bench", "kind"]).round(3).T'''),
])

save("3_scaling.ipynb", [
    md("# Scaling: time and memory of each stage as creators grow\n\n"
       "Campaigns made by the bundled sample's generator at each size (bilingual bios, Chinese headers, the 24 sample "
       "products), run stage by stage: load (validate), embed (USE, no cache), score, overlap, build model, solve. "
       "`python_peak_mb` is what Python and numpy allocated in the stage (tracemalloc); CP-SAT's own memory shows only "
       "in the process's max RSS."),
    code(SETUP),
    code('''from matchmaker.eval import bench
from matchmaker.fit.embed import USEEmbedder
sizes = [100, 250] if QUICK else [300, 1000, 3000, 10000]
scale = bench.scaling(sizes, USEEmbedder(), config, time_limit=3.0 if QUICK else 20.0)
scale.round(3)'''),
    md("## Results"),
    code('''fig, axes = plt.subplots(1, 2, figsize=(13, 4))
for stage, frame in scale.groupby("stage", sort=False):
    axes[0].plot(frame["creators"], frame["seconds"], "o-", label=stage)
    axes[1].plot(frame["creators"], frame["python_peak_mb"], "o-", label=stage)
for ax, label in zip(axes, ["seconds", "Python peak (MB)"]):
    ax.set_xscale("log"); ax.set_yscale("log"); ax.set_xlabel("creators"); ax.set_ylabel(label); ax.legend()
plt.tight_layout(); plt.show()
scale.pivot_table(index="creators", columns="stage", values="seconds", sort=False).round(2)'''),
    md("## Large campaigns: recorded runs\n\n"
       "Synthetic campaigns (pairs and overlaps tables, `matchmaker/eval/synthetic.py`) of growing size, each a line of "
       "`benchmarks/results/solve.jsonl` written by `python benchmarks/run.py solve ... >> benchmarks/results/solve.jsonl` "
       "on the 2-core development machine (the commands are in docs/benchmarks.md); the latest line "
       "of each size is plotted. Too slow to re-run here; append your own lines to compare machines. Stage seconds against creators, peak memory (max RSS) and "
       "the reported gap."),
    code('''import json
runs = pd.DataFrame([json.loads(line) for line in (ROOT / "benchmarks" / "results" / "solve.jsonl").read_text().splitlines() if line.strip()])
stages = [c for c in runs.columns if c.endswith("_s") and c not in ("lp_s", "first_solution_s", "total_s")]
runs = runs.drop_duplicates(["creators", "products"], keep="last").sort_values("creators")  # the latest run of each size
fig, axes = plt.subplots(1, 3, figsize=(16, 4))
for stage in stages:
    axes[0].plot(runs["creators"], runs[stage], "o-", label=stage[:-2])
axes[0].set_xscale("log"); axes[0].set_yscale("log"); axes[0].set_xlabel("creators"); axes[0].set_ylabel("seconds"); axes[0].legend()
axes[1].plot(runs["creators"], runs["max_rss_gb"], "o-"); axes[1].set_xscale("log"); axes[1].set_xlabel("creators"); axes[1].set_ylabel("peak memory (GB)")
axes[2].plot(runs["creators"], 100 * runs["gap"], "o-"); axes[2].set_xscale("log"); axes[2].set_xlabel("creators"); axes[2].set_ylabel("reported gap (%)")
plt.tight_layout(); plt.show()
runs[["creators", "products", "eligible_pairs", "overlap_conflicts", "status", "plan_from", "value", "bound", "bound_from", "gap", *stages, "total_s", "max_rss_gb"]]'''),
    md("## The whole command line: recorded runs\n\n"
       "`matchmaker optimize` on creator lists from the sample's generator (Chinese headers, messy numbers, 9 categories, "
       "product variants): read, validated, embedded with a cold cache, scored, pooled, solved and checked. Each size is a line of "
       "`benchmarks/results/cli.jsonl` written by `python benchmarks/run.py cli --creators N ...` (docs/benchmarks.md). Stage "
       "seconds of the cold run against creators, the process's peak memory (cold and warm cache), and the reported gap."),
    code('''cli = pd.json_normalize([json.loads(line) for line in (ROOT / "benchmarks" / "results" / "cli.jsonl").read_text().splitlines() if line.strip()])
cli = cli.drop_duplicates(["creators", "products"], keep="last").sort_values("creators")
stages = [c for c in cli.columns if c.startswith("cold.") and c.endswith("_s") and c != "cold.wall_s"]
fig, axes = plt.subplots(1, 3, figsize=(16, 4))
for stage in stages:
    axes[0].plot(cli["creators"], cli[stage], "o-", label=stage[5:-2])
axes[0].set_xscale("log"); axes[0].set_yscale("log"); axes[0].set_xlabel("creators"); axes[0].set_ylabel("seconds (cold run)"); axes[0].legend()
for run in ("cold", "warm"):
    axes[1].plot(cli["creators"], cli[f"{run}.max_rss_gb"], "o-", label=run)
axes[1].axhline(8, color="grey", ls=":"); axes[1].set_xscale("log"); axes[1].set_xlabel("creators"); axes[1].set_ylabel("peak memory (GB)"); axes[1].legend()
axes[2].plot(cli["creators"], 100 * cli["cold.summary.gap"], "o-"); axes[2].set_xscale("log"); axes[2].set_xlabel("creators"); axes[2].set_ylabel("reported gap (%)")
plt.tight_layout(); plt.show()
cli[["creators", "products", "cold.summary.eligible_pairs", "cold.summary.left_out_pairs", "cold.summary.overlap_conflicts", "cold.summary.gap", "cold.wall_s", "cold.max_rss_gb", "warm.wall_s", "cold_vs_raw", "warm_embed_speedup"]]'''),
])

"""A simulated market to test pilot-then-scale (docs, "Pilot, then scale"): the campaign as given, with a
hidden truth the prior does not know, and the ways to spend one budget judged by what they would sell.

The truth, per seed:
    creator c       converts mu x theta_c x b_k x e_cp:  theta_c log-normal (mean 1, log-sd `creator_sd`, heavy
                    tailed), b_k the bias of c's category k (log-normal, log-sd `category_sd`: the category's
                    prior is wrong by it), e_cp the pair's own effect (log-sd `pair_sd`); mu the prior's rate
    views           expected views x v_c (log-sd `views_sd`), each post x a factor of its own (log-sd `post_sd`)
    a repeat        booking of a pair already booked sells `repeat` of the first
Each booking realises Poisson(views x conversion) orders at the product's price.

The ways (each spends the whole budget; the same pilot for all that pilot):
    prior           the prior's plan for the whole budget
    oracle          the plan knowing the truth (its expectation) for the whole budget
    pilot_prior     the pilot (lifecycle/pilot.design), then the prior's plan for the rest: the pilot's cost
    pilot_replan    the pilot, then one re-plan of the rest with what it taught (lifecycle/replan)
    independent     the same with a per-creator posterior and no pooling (untested creators stay at the prior)
    waves           the pilot, then `waves` waves, each re-planned on every result so far
    pilot_oracle    the pilot, then the plan knowing the truth for the rest: what a perfect learner could do
Every figure is the truth's expected GMV (no Poisson noise), so seeds differ by their markets only; `waves`
also reports its realised GMV and the range the last wave stated for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..fit.economics import bookings_range, economics
from ..fit.pilot import Learned, prior_alpha, prior_log_sd
from ..lifecycle.pilot import design
from ..lifecycle.replan import booked_before, creator_groups, net_minimums, pilot_figures, replan, repriced
from ..pipeline import Prepared, solve

HISTORY_FIGURES = ("gpm", "sales_30d", "sales_conversion", "session_gmv")


@dataclass(frozen=True)
class World:
    conversion: np.ndarray  # per creator: true conversion / the prior's (its own and its category's)
    views: np.ndarray  # per creator: true mean views / expected views
    pair: np.ndarray  # (creators, products): the pair's own effect on conversion
    post_sd: float
    repeat: float


def _lognormal(rng: np.random.Generator, sd: float, size: int | tuple[int, int]) -> np.ndarray:
    """Log-normal with mean 1."""
    return np.exp(rng.normal(-sd * sd / 2, sd, size))


def world(prepared: Prepared, seed: int, creator_sd: float = 1.0, category_sd: float = 0.5, pair_sd: float = 0.3,
          views_sd: float = 0.5, post_sd: float = 0.5, repeat: float = 0.6) -> World:
    rng = np.random.default_rng(seed)
    groups = creator_groups(prepared)
    n, m = len(groups), len(prepared.data.products)
    bias = np.exp(rng.normal(0.0, category_sd, groups.max() + 1))
    return World(_lognormal(rng, creator_sd, n) * bias[groups], _lognormal(rng, views_sd, n),
                 _lognormal(rng, pair_sd, (n, m)), post_sd, repeat)


def true_figures(prepared: Prepared, truth: World, plan: pd.DataFrame, repeat: np.ndarray | None = None
                 ) -> pd.DataFrame:
    """Per booking of `plan` (c, p, fit): its true expected views, conversion and GMV, and its true profit."""
    c, p = plan["c"].to_numpy(int), plan["p"].to_numpy(int)
    blind = prepared.data.creators.assign(**{k: np.nan for k in HISTORY_FIGURES})  # the truth is not the history's
    prior = economics(prepared.data.replace(creators=blind), prepared.config, c, p, plan["fit"].to_numpy(float))
    again = np.zeros(len(c), bool) if repeat is None else np.asarray(repeat, bool)
    views = prior["views"].to_numpy() * truth.views[c] * np.where(again, truth.repeat, 1.0)
    conversion = prior["conversion"].to_numpy() * truth.conversion[c] * truth.pair[c, p]
    gmv_per_order = np.divide(prior["gmv"].to_numpy(), prior["orders"].to_numpy(),
                              out=np.zeros(len(c)), where=prior["orders"].to_numpy() > 0)
    gmv = views * conversion * gmv_per_order
    # profit = gmv x (margin - commission rate) - cash, the rates read off the prior's figures
    kept = np.divide(prior["profit"].to_numpy() + prior["cash"].to_numpy(), prior["gmv"].to_numpy(),
                     out=np.zeros(len(c)), where=prior["gmv"].to_numpy() > 0)
    return pd.DataFrame({"views": views, "conversion": conversion, "price": gmv_per_order, "gmv": gmv,
                         "profit": gmv * kept - prior["cash"].to_numpy()})


def results_of(prepared: Prepared, truth: World, plan: pd.DataFrame, rng: np.random.Generator, wave: int,
               before: pd.DataFrame | None = None) -> pd.DataFrame:
    """What the bookings of `plan` report (validate_results' shape): each post's views, Poisson orders."""
    repeat = booked_before(plan, before) if before is not None and len(before) else None
    true = true_figures(prepared, truth, plan, repeat)
    seen = np.round(true["views"].to_numpy() * _lognormal(rng, truth.post_sd, len(plan)))
    orders = rng.poisson(seen * true["conversion"].to_numpy()).astype(float)
    return pd.DataFrame({"creator_id": plan["creator_id"].to_numpy(), "product_id": plan["product_id"].to_numpy(),
                         "c": plan["c"].to_numpy(int), "p": plan["p"].to_numpy(int), "wave": float(wave),
                         "views": seen, "clicks": np.nan, "orders": orders,
                         "gmv": orders * true["price"].to_numpy(), "spend": plan["cash"].to_numpy(float),
                         "refunds": np.nan, "refund_gmv": np.nan, "days": np.nan, "row": np.arange(len(plan)) + 2})


def _stated(prepared: Prepared, plan: pd.DataFrame) -> tuple[float, float]:
    """The 80% range of a plan's GMV as matchmaker states it (economics.bookings_range)."""
    return bookings_range(prepared.data, plan) if len(plan) else (0.0, 0.0)


def _expected(prepared: Prepared, truth: World, plan: pd.DataFrame, before: pd.DataFrame | None = None) -> float:
    repeat = booked_before(plan, before) if before is not None and len(before) else None
    return float(true_figures(prepared, truth, plan, repeat)["gmv"].sum()) if len(plan) else 0.0


def _truly(prepared: Prepared, truth: World, results: pd.DataFrame | None = None) -> Prepared:
    """The campaign with every pair valued by the truth (a repeat of `results` at its worth)."""
    pairs = prepared.candidates
    repeat = booked_before(pairs, results) if results is not None and len(results) else None
    true = true_figures(prepared, truth, pairs, repeat)
    column = "profit" if prepared.config.economics.objective == "profit" else "gmv"
    return replace(prepared, candidates=pairs.assign(value=true[column].to_numpy()))


def independent(prepared: Prepared, results: pd.DataFrame) -> Learned:
    """A per-creator posterior with no pooling: Gamma(alpha from the prior's spread) on each tested creator's
    conversion multiplier, (alpha + O) / (alpha + E); its views (k / (k + 1)) of the way to what it saw;
    untested creators stay at the prior."""
    figures = pilot_figures(prepared, results)
    n = len(prepared.data.creators)
    per = pd.DataFrame({"c": results["c"].to_numpy(int), "o": results["orders"].to_numpy(float),
                        "e": results["views"].to_numpy(float) * figures["conversion"].to_numpy(),
                        "v": results["views"].to_numpy(float), "pv": figures["views"].to_numpy(), "k": 1.0}
                       ).groupby("c").sum()
    spread = prepared.config.economics.spread
    alpha = prior_alpha(spread)
    conversion, views = np.ones(n), np.ones(n)
    log_sd = np.full(n, prior_log_sd(spread))
    c = per.index.to_numpy(int)
    conversion[c] = (alpha + per["o"]) / (alpha + per["e"])
    log_sd[c] = np.sqrt(np.log1p(1.0 / (alpha + per["o"])))
    k = per["k"].to_numpy()
    views[c] = np.exp(k / (k + 1) * np.log(np.maximum(per["v"] / per["pv"].where(per["pv"] > 0, 1.0), 1e-9)))
    source = np.full(n, "prior", dtype=object)
    source[c] = "own"
    return Learned(conversion, views, log_sd, source, alpha, "prior", pd.DataFrame())


def _rest(prepared: Prepared, results: pd.DataFrame, budget: float) -> pd.DataFrame:
    """The plan for `budget` on `prepared` (already valued), the minimums net of the results' bookings."""
    return solve(net_minimums(prepared, results), {"campaign.budget": budget}).plan


def simulate(prepared: Prepared, seed: int, pilot: pd.DataFrame, prior_plan: pd.DataFrame,
             prior_rest: pd.DataFrame, waves: int = 4, explore: bool = False,
             market: Mapping[str, float] | None = None, optimism: float = 0.0) -> dict[str, float]:
    """One market (seed; `market`: world's parameters): every way's expected GMV under the truth; the waves'
    realised GMV and stated range."""
    truth = world(prepared, seed, **(market or {}))
    rng = np.random.default_rng(seed + 10_000)
    left = prepared.config.campaign.budget - float(pilot["cash"].sum())
    results = results_of(prepared, truth, pilot, rng, 0)
    test = _expected(prepared, truth, pilot)
    stated = _stated(prepared, prior_plan)
    prior_realised = float(results_of(prepared, truth, prior_plan, np.random.default_rng(seed + 30_000), 0)["gmv"]
                           .sum()) if len(prior_plan) else 0.0
    row: dict[str, float] = {
           "seed": seed, "prior": _expected(prepared, truth, prior_plan), "prior_realised": prior_realised,
           "prior_low": stated[0], "prior_high": stated[1],
           "oracle": _expected(prepared, truth, solve(_truly(prepared, truth)).plan),
           "pilot_prior": test + _expected(prepared, truth, prior_rest, results),
           "pilot_oracle": test + _expected(prepared, truth, _rest(_truly(prepared, truth, results), results, left),
                                            results)}
    once = replan(prepared, results, compare=False).outcome.plan
    row["pilot_replan"] = test + _expected(prepared, truth, once, results)
    alone = _rest(repriced(prepared, independent(prepared, results), results), results, left)
    row["independent"] = test + _expected(prepared, truth, alone, results)
    total, realised, seen = test, float(results["gmv"].sum()), results
    for k in range(waves, 0, -1):
        step = replan(prepared, seen, waves=k, changes={"solver.seed": seed * 10 + k}, explore=explore,
                      compare=False, optimism=optimism)
        plan = step.outcome.plan
        total += _expected(prepared, truth, plan, seen)
        new = results_of(prepared, truth, plan, rng, waves - k + 1, seen)
        realised += float(new["gmv"].sum())
        seen = pd.concat([seen, new], ignore_index=True)
    said = step.outcome.money()
    row.update({"waves": total, "waves_realised": realised, "last_wave_realised": float(new["gmv"].sum()),
                "last_wave_expected": float(said["gmv"]), "last_wave_low": float(said["gmv_low"]),
                "last_wave_high": float(said["gmv_high"]), "pilot_spend": float(pilot["cash"].sum())})
    return row


def with_history(prepared: Prepared, truth: World, sd: float, seed: int) -> Prepared:
    """The campaign whose creator export carries a sales history: each creator's GPM is its true conversion x
    its true views' factor x a noise (log-sd `sd`), in the export's units; every pair re-priced with it."""
    rng = np.random.default_rng(seed + 20_000)
    creators = prepared.data.creators
    gpm = 50.0 * truth.conversion * truth.views * np.exp(rng.normal(0.0, sd, len(creators)))
    data = prepared.data.replace(creators=creators.assign(gpm=gpm))
    return repriced(replace(prepared, data=data), _neutral(len(creators)))


def run_market(prepared: Prepared, seeds: range, share: float | None = None, waves: int = 4, explore: bool = False,
               market: Mapping[str, float] | None = None, optimism: float = 0.0) -> pd.DataFrame:
    """Every seed's row (simulate); the pilot is designed once (lifecycle/pilot.design, `share` of the budget,
    sized by test-and-roll when None). With market["history_sd"], each market's creators carry a sales history
    (with_history) and everything, the pilot too, is planned with it."""
    market = dict(market or {})
    history_sd = market.pop("history_sd", None)
    rows = []
    test = None
    for seed in seeds:
        seeing = prepared if history_sd is None else with_history(prepared, world(prepared, seed, **market),
                                                                  history_sd, seed)
        if test is None or history_sd is not None:
            test = design(seeing, share)
            pilot = test.outcome.plan
            prior_rest = _rest(repriced(seeing, _neutral(len(seeing.data.creators)), pilot.assign(wave=0.0)),
                               pilot.assign(wave=0.0),
                               seeing.config.campaign.budget - float(pilot["cash"].sum()))
        rows.append(simulate(seeing, seed, pilot, test.scale_up.plan, prior_rest, waves, explore, market, optimism))
    return pd.DataFrame(rows).assign(share=test.share if test else 0.0, pilot_bookings=len(pilot) if test else 0)


def _neutral(n: int) -> Learned:
    return Learned(np.ones(n), np.ones(n), np.zeros(n), np.full(n, "prior", dtype=object), np.inf, "prior",
                   pd.DataFrame())


def _interval(values: pd.Series) -> tuple[float, float, float]:
    """Mean and its 95% t interval."""
    from scipy import stats

    n, mean = len(values), float(values.mean())
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return mean, mean - half, mean + half


WAYS = ("prior", "pilot_prior", "pilot_replan", "independent", "waves", "pilot_oracle")


def summarise(rounds: pd.DataFrame) -> dict[str, float]:
    """Each way's mean share of the oracle's expected GMV; learning alone (waves against the same pilot then the
    prior's plan) with its 95% interval paired over seeds; the seeds where the waves fell below planning on the
    prior; how often the last wave's stated 80% range held what it realised."""
    out: dict[str, float] = {"seeds": len(rounds), "share": float(rounds["share"].iat[0]),
                             "pilot_bookings": int(rounds["pilot_bookings"].iat[0])}
    for way in WAYS:
        out[f"{way}_of_oracle"] = round(float((rounds[way] / rounds["oracle"]).mean()), 4)
    gain, low, high = _interval((rounds["waves"] - rounds["pilot_prior"]) / rounds["oracle"])
    held = (rounds["prior_realised"] >= rounds["prior_low"]) & (rounds["prior_realised"] <= rounds["prior_high"])
    out["prior_range_coverage"] = round(float(held.mean()), 3)
    out.update({"learning_of_oracle": round(gain, 4), "learning_low": round(low, 4), "learning_high": round(high, 4),
                "below_prior": int((rounds["waves"] < rounds["prior"]).sum()),
                "range_coverage": round(float(((rounds["last_wave_realised"] >= rounds["last_wave_low"])
                                               & (rounds["last_wave_realised"] <= rounds["last_wave_high"])).mean()),
                                        3)})
    return out

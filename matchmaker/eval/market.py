"""A simulated market to test pilot-then-scale (docs, "Pilot, then scale"): the campaign as given, with
hidden true conversion rates and views; three ways to spend one budget, judged by the GMV they realise.

    no pilot   the prior's plan for the whole budget
    pilot      a pilot of `share` of the budget (the prior's best plan for it, no per-product minimums),
               its results (views and Poisson orders from the truth), then `replan` (extend) of the rest
    oracle     the plan made knowing the true rates, for the whole budget

The truth: creator c converts mu x theta_c x g_k (mu the prior's rate for the pair, theta_c ~ Gamma with
mean 1 and shape `alpha`, g_k ~ lognormal(0, category_sd) per creator category k) and its posts get the
expected views x v_c (v_c ~ lognormal(0, views_sd)). Each booking realises Poisson(views x conversion)
orders at the product's price. Every plan is checked by the independent checker (pipeline.solve).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from ..fit.economics import economics
from ..fit.pilot import Learned
from ..lifecycle.replan import creator_groups, repriced, taught
from ..pipeline import Prepared, solve


@dataclass(frozen=True)
class Truth:
    conversion: np.ndarray  # per creator: true conversion / the prior's
    views: np.ndarray  # per creator: true views / expected views

    def as_learned(self) -> Learned:
        n = len(self.conversion)
        return Learned(self.conversion, self.views, np.zeros(n), np.full(n, "own", dtype=object), np.inf, "truth",
                       pd.DataFrame())


def truth(prepared: Prepared, seed: int, alpha: float = 3.0, category_sd: float = 0.3, views_sd: float = 0.3
          ) -> Truth:
    rng = np.random.default_rng(seed)
    groups = creator_groups(prepared)
    n = len(groups)
    by_category = np.exp(rng.normal(0.0, category_sd, groups.max() + 1))
    return Truth(rng.gamma(alpha, 1.0 / alpha, n) * by_category[groups], np.exp(rng.normal(0.0, views_sd, n)))


def _true(prepared: Prepared, world: Truth, plan: pd.DataFrame) -> pd.DataFrame:
    """The plan's bookings as the truth has them: views and orders per booking (expected) and the price."""
    money = economics(prepared.data, prepared.config, plan["c"].to_numpy(int), plan["p"].to_numpy(int),
                      plan["fit"].to_numpy(float), world.as_learned())
    price = np.nan_to_num(prepared.data.products["price"].to_numpy(float))[plan["p"].to_numpy(int)]
    return pd.DataFrame({"views": money["views"].to_numpy(), "orders": money["orders"].to_numpy(), "price": price})


def realised(prepared: Prepared, world: Truth, plan: pd.DataFrame, rng: np.random.Generator) -> tuple[float, float]:
    """The GMV the plan realises (Poisson orders) and its expectation under the truth."""
    true = _true(prepared, world, plan)
    orders = rng.poisson(true["orders"].to_numpy())
    return float((orders * true["price"]).sum()), float((true["orders"] * true["price"]).sum())


def pilot_results(prepared: Prepared, world: Truth, plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """What a pilot of `plan` reports per booking: views (the truth's, +-20% per post) and Poisson orders."""
    true = _true(prepared, world, plan)
    seen = np.round(true["views"].to_numpy() * np.exp(rng.normal(0.0, 0.2, len(plan))))
    rate = true["orders"].to_numpy() / np.maximum(true["views"].to_numpy(), 1e-9)
    orders = rng.poisson(seen * rate)
    return pd.DataFrame({"creator_id": plan["creator_id"].to_numpy(), "product_id": plan["product_id"].to_numpy(),
                         "c": plan["c"].to_numpy(int), "p": plan["p"].to_numpy(int), "views": seen,
                         "clicks": np.nan, "orders": orders.astype(float), "gmv": orders * true["price"].to_numpy(),
                         "spend": plan["cash"].to_numpy(float), "row": np.arange(len(plan)) + 2})


def pilot_plan(prepared: Prepared, share: float, design: str = "best", prior_plan: pd.DataFrame | None = None
               ) -> pd.DataFrame:
    """The pilot for `share` of the budget. "best": the prior's best plan for it, without the per-product
    minimums (a pilot tests, it does not deliver the campaign). "sample": bookings of the prior's plan for
    the whole budget, cheapest first, until the share is spent (the creators the campaign means to scale)."""
    budget = share * prepared.config.campaign.budget
    if design == "sample":
        plan = prior_plan if prior_plan is not None else solve(prepared).plan
        plan = plan.sort_values("cash", kind="stable")
        return plan[plan["cash"].cumsum() <= budget].reset_index(drop=True)
    products = prepared.data.products.assign(min_creators=0, min_top_kol=0)
    test = replace(prepared, data=prepared.data.replace(products=products))
    return solve(test, {"campaign.budget": budget}).plan


@dataclass(frozen=True)
class Round:
    seed: int
    share: float  # of the budget spent on the pilot
    no_pilot: float  # realised GMV
    pilot: float  # the pilot's and the scale-up's together
    oracle: float
    no_pilot_expected: float  # the same under the truth's expectation (no Poisson noise)
    pilot_expected: float
    oracle_expected: float
    unlearned_expected: float  # the pilot, then the prior's plan for the rest: what the pilot's spend costs


def simulate(prepared: Prepared, seed: int, shares: tuple[float, ...], pilots: dict[float, pd.DataFrame],
             prior_plan: pd.DataFrame, rests: dict[float, pd.DataFrame]) -> list[Round]:
    """One market (seed): no pilot, a pilot of each share then the re-plan, and the oracle."""
    world = truth(prepared, seed)
    rng = np.random.default_rng(seed + 10_000)
    budget = prepared.config.campaign.budget
    oracle = solve(repriced(prepared, world.as_learned())).plan
    none_real, none_exp = realised(prepared, world, prior_plan, rng)
    best_real, best_exp = realised(prepared, world, oracle, rng)
    rounds = []
    for share in shares:
        test = pilots[share]
        results = pilot_results(prepared, world, test, rng)
        learned, spent, _ = taught(prepared, results)
        left = max(0.0, budget - spent)
        scale = solve(repriced(prepared, learned), {"campaign.budget": left}).plan
        scale_real, scale_exp = realised(prepared, world, scale, rng)
        test_exp = float((_true(prepared, world, test).eval("orders * price")).sum())
        _, rest_exp = realised(prepared, world, rests[share], rng)
        rounds.append(Round(seed, share, none_real, float(results["gmv"].sum()) + scale_real, best_real,
                            none_exp, test_exp + scale_exp, best_exp, test_exp + rest_exp))
    return rounds


def run_market(prepared: Prepared, seeds: range, shares: tuple[float, ...], design: str = "best") -> pd.DataFrame:
    """Every round of every seed, one row each (`design`: how the pilot is chosen, pilot_plan)."""
    prior_plan = solve(prepared).plan
    pilots = {share: pilot_plan(prepared, share, design, prior_plan) for share in shares}
    budget = prepared.config.campaign.budget
    rests = {share: solve(prepared, {"campaign.budget": max(0.0, budget - float(pilots[share]["cash"].sum()))}).plan
             for share in shares}
    rows = [r for seed in seeds for r in simulate(prepared, seed, shares, pilots, prior_plan, rests)]
    return pd.DataFrame([r.__dict__ for r in rows])


def _interval(values: pd.Series) -> tuple[float, float, float]:
    """Mean and its 95% t interval."""
    from scipy import stats

    n, mean = len(values), float(values.mean())
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    return mean, mean - half, mean + half


def summarise(rounds: pd.DataFrame) -> pd.DataFrame:
    """Per pilot share: mean realised GMV of each way; the pilot's gain over no pilot (realised) and the
    gain of learning alone (pilot then re-plan against pilot then the prior's plan, in expectation under
    the truth), each with a 95% interval paired over seeds; and each way's share of the oracle's GMV."""
    out = []
    for share, group in rounds.groupby("share"):
        gain, low, high = _interval(group["pilot"] - group["no_pilot"])
        learning, learning_low, learning_high = _interval(group["pilot_expected"] - group["unlearned_expected"])
        out.append({"share": share, "seeds": len(group), "no_pilot": group["no_pilot"].mean(),
                    "pilot": group["pilot"].mean(), "oracle": group["oracle"].mean(),
                    "gain": gain, "gain_low": low, "gain_high": high, "gain_share": gain / group["no_pilot"].mean(),
                    "pays_for_itself": bool(low > 0),
                    "learning_gain": learning, "learning_low": learning_low, "learning_high": learning_high,
                    "learning_share": learning / group["unlearned_expected"].mean(),
                    "pilot_of_oracle": (group["pilot"] / group["oracle"]).mean(),
                    "no_pilot_of_oracle": (group["no_pilot"] / group["oracle"]).mean()})
    return pd.DataFrame(out)

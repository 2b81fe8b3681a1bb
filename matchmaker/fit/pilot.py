"""What a pilot taught: each creator's conversion, learned by empirical-Bayes shrinkage (docs, "Pilot,
then scale"). Pure array code, no I/O.

A pilot booking i of creator c had v_i views and o_i orders; the prior expected conversion mu_i
(fit/economics.py) puts its expected orders at E_i = v_i x mu_i. Orders are Poisson(E_i x theta_c), and
the multiplier theta_c is learned on three levels (O_c, E_c: creator c's orders and expected orders):

    the whole pilot   M       = (alpha + sum_c w_c O_c / E_c) / (alpha + sum_c w_c),  w_c = 1 / (1/alpha + 1/E_c)
    a category g      m_g     = M (1/tau2 + sum_g r_c / V_c) / (1/tau2 + sum_g 1 / V_c),
                                r_c = O_c / (M E_c),  V_c = (1/alpha - tau2) + 1 / (M E_c)
    a creator         theta_c = m_g (k + O_c) / (k + m_g E_c),  k = 1 / (1/alpha - tau2)

1/alpha is how much creators' conversion varies around the prior. The prior's spread says how much (80%
within mu / spread .. mu x spread); with at least MIN_CREATORS piloted creators it is averaged with the
pilot's own method-of-moments estimate (Var O_c = M E_c + (M E_c)^2 / alpha), the prior counting as
PRIOR_CREATORS creators. The whole pilot's level is a random-effects mean of its creators' ratios, the
prior's 1 counting as one creator. tau2 is the part of 1/alpha a creator category shares (DerSimonian-
Laird over the piloted categories; a quarter of 1/alpha with fewer than MIN_CATEGORIES). So a creator
whose pilot expected few orders moves a little from its category, one with many moves a lot (weight
m_g E_c / (k + m_g E_c)); one creator's surprise moves its category only as far as categories are seen
to differ; creators outside the pilot borrow their category's m_g (M where the category was not
piloted). The fit score's lift stays in mu. Views move too: each creator's expected views x (observed /
expected) ^ (n / (n + 1)), n its pilot bookings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

Z80 = 1.2816  # the standard normal's 90th percentile: mu / spread .. mu x spread covers about 80%
MIN_CREATORS = 5  # piloted creators needed to estimate alpha from the pilot
ALPHA_RANGE = (0.05, 1000.0)


def prior_log_sd(spread: float) -> float:
    """The prior's standard deviation of log conversion."""
    return math.log(spread) / Z80


def prior_alpha(spread: float) -> float:
    """The Gamma shape whose spread matches the prior's: CV^2 = exp(s^2) - 1 = 1 / alpha."""
    s = prior_log_sd(spread)
    return ALPHA_RANGE[1] if s == 0 else float(np.clip(1.0 / math.expm1(s * s), *ALPHA_RANGE))


@dataclass(frozen=True)
class Learned:
    """Per creator: the multiplier on the prior's conversion and on its expected views, and the standard
    deviation of log conversion (the prior's for a creator outside the pilot)."""

    conversion: np.ndarray
    views: np.ndarray
    log_sd: np.ndarray
    source: np.ndarray  # per creator: "own" (in the pilot), "category" (its category was), or "pilot" (neither)
    alpha: float
    alpha_from: str  # "pilot" (estimated) or "prior" (too few creators: from the spread)
    evidence: pd.DataFrame  # per piloted creator: c, bookings, views, orders, expected_orders, prior and
    # observed conversion (orders per view), the learned conversion multiplier and the weight of its evidence


PRIOR_CREATORS = 10  # the prior's spread counts as this many creators beside the pilot's estimate of 1/alpha


def _alpha(orders: np.ndarray, expected: np.ndarray, spread: float) -> tuple[float, str]:
    """alpha from the pilot (method of moments on 1/alpha, averaged with the prior's as PRIOR_CREATORS
    creators: a few creators alone say little about how much creators differ), else the prior's."""
    prior = 1.0 / prior_alpha(spread)
    if len(orders) < MIN_CREATORS or expected.sum() <= 0:
        return 1.0 / prior, "prior"
    m = orders.sum() / expected.sum()
    mean = m * expected
    seen = max(0.0, float(((orders - mean) ** 2 - mean).sum()) / float((mean ** 2).sum()))  # 0: Poisson noise only
    n = len(orders)
    inverse = (PRIOR_CREATORS * prior + n * seen) / (PRIOR_CREATORS + n)
    return float(np.clip(1.0 / max(inverse, 1e-12), *ALPHA_RANGE)), "pilot"


MIN_CATEGORIES = 3  # piloted categories needed to estimate how much categories differ


def _tau2(r: np.ndarray, e: np.ndarray, g: np.ndarray, alpha: float, total: float) -> float:
    """The variance of the category effect: DerSimonian-Laird over the piloted categories' mean ratios (each
    creator's variance 1/alpha + 1/(M E_c) as if categories did not differ), bounded by 1/alpha."""
    cap = 1.0 / alpha
    fallback = cap / 4
    if len(np.unique(g)) < MIN_CATEGORIES:
        return fallback
    weight = 1.0 / (cap + 1.0 / np.maximum(total * e, 1e-9))
    w_g = pd.Series(weight).groupby(g).sum()
    y_g = pd.Series(weight * r).groupby(g).sum() / w_g
    mean = float((w_g * y_g).sum() / w_g.sum())
    q = float((w_g * (y_g - mean) ** 2).sum())
    denominator = float(w_g.sum() - (w_g ** 2).sum() / w_g.sum())
    tau2 = (q - (len(w_g) - 1)) / denominator if denominator > 0 else fallback
    return float(np.clip(tau2, cap / 100, cap))


def learn(results: pd.DataFrame, prior_conversion: np.ndarray, prior_views: np.ndarray, groups: np.ndarray,
          spread: float, stand_in: np.ndarray | None = None) -> Learned:
    """results: one row per pilot booking (c, views, orders); prior_conversion and prior_views: the prior's
    figures for those bookings; groups: per creator, its category code (similar creators share it); stand_in:
    per booking, whether its prior views stood in for a missing reach figure (then the pilot's views replace
    them, instead of being shrunk towards them)."""
    n = len(groups)
    c = results["c"].to_numpy(int)
    seen_views = results["views"].to_numpy(float)
    expected = seen_views * prior_conversion
    stand_in = np.zeros(len(c), bool) if stand_in is None else np.asarray(stand_in, bool)
    per = pd.DataFrame({"c": c, "orders": results["orders"].to_numpy(float), "expected": expected,
                        "views": seen_views, "prior_views": prior_views, "bookings": 1,
                        "stand_in": stand_in}).groupby("c").sum()
    creators = per.index.to_numpy(int)
    o, e = per["orders"].to_numpy(), per["expected"].to_numpy()
    alpha, alpha_from = _alpha(o, e, spread)
    # the whole pilot: a random-effects mean of the creators' ratios (each creator varies by 1/alpha around it,
    # plus Poisson noise), beside the prior's 1 as much as one creator
    w = 1.0 / (1.0 / alpha + 1.0 / np.maximum(e, 1e-9))
    ratio = np.divide(o, e, out=np.ones(len(o)), where=e > 0)
    total = float((alpha + (w * ratio).sum()) / (alpha + w.sum()))
    g = groups[creators]
    # Categories: each piloted creator's ratio r_c = O_c / (M E_c) is its category's effect u_g plus its own
    # (variance 1/alpha - tau^2) and Poisson noise (1 / (M E_c)); u_g ~ (1, tau^2), tau^2 by DerSimonian-Laird
    # over the piloted categories (a quarter of 1/alpha with fewer than MIN_CATEGORIES of them).
    r = np.divide(o, total * e, out=np.ones(len(o)), where=e > 0)
    tau2 = _tau2(r, e, g, alpha, total)
    own = max(1.0 / alpha - tau2, 1.0 / ALPHA_RANGE[1])
    precision = 1.0 / (own + 1.0 / np.maximum(total * e, 1e-9))
    u = (1.0 / tau2 + pd.Series(precision * r).groupby(g).sum()) / (1.0 / tau2 + pd.Series(precision).groupby(g).sum())
    by_group = total * u
    m = np.full(n, total)
    known = np.isin(groups, by_group.index.to_numpy())
    m[known] = by_group.reindex(groups[known]).to_numpy()
    conversion = m.copy()
    shape = 1.0 / own  # a creator around its category
    theta = m[creators] * (shape + o) / (shape + m[creators] * e)
    conversion[creators] = theta
    log_sd = np.full(n, prior_log_sd(spread))
    log_sd[creators] = np.sqrt(np.log1p(1.0 / (shape + o)))
    views = np.ones(n)
    ratio = np.where(per["prior_views"] > 0, per["views"] / per["prior_views"].where(per["prior_views"] > 0, 1), 1.0)
    k = per["bookings"].to_numpy(float)
    weight_views = np.where(per["stand_in"].to_numpy() > 0, 1.0, k / (k + 1.0))  # no reach figure: the pilot's
    views[creators] = np.exp(weight_views * np.log(np.maximum(ratio, 1e-9)))
    weight = m[creators] * e / (shape + m[creators] * e)
    prior_rate = np.divide(e, per["views"].to_numpy(), out=np.zeros(len(e)), where=per["views"].to_numpy() > 0)
    evidence = pd.DataFrame({
        "c": creators, "bookings": per["bookings"].to_numpy(int), "views": per["views"].to_numpy(),
        "orders": o, "expected_orders": e, "prior_conversion": prior_rate,
        "observed_conversion": np.divide(o, per["views"].to_numpy(), out=np.zeros(len(o)),
                                         where=per["views"].to_numpy() > 0),
        "multiplier": theta, "weight": weight})
    source = np.where(known, "category", "pilot").astype(object)
    source[creators] = "own"
    return Learned(conversion, views, log_sd, source, alpha, alpha_from, evidence)

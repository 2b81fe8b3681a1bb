"""What a pilot taught: each creator's conversion, learned by empirical-Bayes shrinkage (README, "Pilot,
then scale"). Pure array code, no I/O.

A pilot booking i of creator c had v_i views and o_i orders; the prior expected conversion mu_i
(fit/economics.py) puts its expected orders at E_i = v_i x mu_i. Orders are Poisson(E_i x theta_c), with
creator c's multiplier theta_c ~ Gamma(shape alpha, mean m), nested three levels deep:

    the whole pilot       M        = (alpha + O) / (alpha + E)                     (prior mean 1)
    a creator category    m_g      = (M + sum_g w_c O_c / E_c) / (1 + sum_g w_c)     (w_c = M E_c / (alpha + M E_c))
    a creator             theta_c  = m_g (alpha + O_c) / (alpha + m_g E_c)         (prior mean m_g)

(O, E: sums over the level's bookings). A creator whose pilot expected few orders moves a little from its
category, one with many moves a lot: the weight of its own evidence is m_g E_c / (alpha + m_g E_c). A
category's multiplier averages its piloted creators' ratios, each counting as much as its evidence (at
most one creator) beside one creator at M: one creator converting 3x the prior moves its category halfway,
several move it further. Creators outside the pilot borrow their category's m_g (M where the category was
not piloted); the fit score's lift stays in mu. alpha, how much creators truly differ, is estimated from
the pilot by the method of moments (Var o_c = m E_c + (m E_c)^2 / alpha) when it has at least MIN_CREATORS creators, and
otherwise set by the prior's spread (80% within mu / spread .. mu x spread). Views move the same way:
each creator's expected views x (observed / expected) ^ (n / (n + 1)), n its pilot bookings.
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


def _alpha(orders: np.ndarray, expected: np.ndarray, spread: float) -> tuple[float, str]:
    if len(orders) < MIN_CREATORS or expected.sum() <= 0:
        return prior_alpha(spread), "prior"
    m = orders.sum() / expected.sum()
    mean = m * expected
    excess = float(((orders - mean) ** 2 - mean).sum())
    if excess <= 0:  # no more spread than Poisson noise: creators do not differ
        return ALPHA_RANGE[1], "pilot"
    return float(np.clip((mean ** 2).sum() / excess, *ALPHA_RANGE)), "pilot"


def learn(results: pd.DataFrame, prior_conversion: np.ndarray, prior_views: np.ndarray, groups: np.ndarray,
          spread: float) -> Learned:
    """results: one row per pilot booking (c, views, orders); prior_conversion and prior_views: the prior's
    figures for those bookings; groups: per creator, its category code (similar creators share it)."""
    n = len(groups)
    c = results["c"].to_numpy(int)
    seen_views = results["views"].to_numpy(float)
    expected = seen_views * prior_conversion
    per = pd.DataFrame({"c": c, "orders": results["orders"].to_numpy(float), "expected": expected,
                        "views": seen_views, "prior_views": prior_views, "bookings": 1}).groupby("c").sum()
    creators = per.index.to_numpy(int)
    o, e = per["orders"].to_numpy(), per["expected"].to_numpy()
    alpha, alpha_from = _alpha(o, e, spread)
    total = (alpha + o.sum()) / (alpha + e.sum())
    g = groups[creators]
    # a category's multiplier: its piloted creators' own ratios, each weighted by how much its evidence
    # counts (at most 1), with one more creator at the pilot's multiplier
    w = total * e / (alpha + total * e)
    raw = np.divide(o, e, out=np.full(len(o), total), where=e > 0)
    by_group = (total + pd.Series(w * raw).groupby(g).sum()) / (1.0 + pd.Series(w).groupby(g).sum())
    m = np.full(n, total)
    known = np.isin(groups, by_group.index.to_numpy())
    m[known] = by_group.reindex(groups[known]).to_numpy()
    conversion = m.copy()
    theta = m[creators] * (alpha + o) / (alpha + m[creators] * e)
    conversion[creators] = theta
    log_sd = np.full(n, prior_log_sd(spread))
    log_sd[creators] = np.sqrt(np.log1p(1.0 / (alpha + o)))
    views = np.ones(n)
    ratio = np.where(per["prior_views"] > 0, per["views"] / per["prior_views"].where(per["prior_views"] > 0, 1), 1.0)
    k = per["bookings"].to_numpy(float)
    views[creators] = np.exp(k / (k + 1.0) * np.log(np.maximum(ratio, 1e-9)))
    weight = m[creators] * e / (alpha + m[creators] * e)
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

"""What a pilot taught: each creator's conversion, learned by empirical-Bayes shrinkage (docs, "Pilot,
then scale"). Pure array code, no I/O.

A pilot booking i of creator c had v_i views and o_i orders; the prior expected conversion mu_i
(fit/economics.py) puts its expected orders at E_i = v_i x mu_i. Orders are Poisson(E_i x theta_c), and
the multiplier theta_c is learned on three levels (O_c, E_c: creator c's orders and expected orders):

    the whole pilot   M       = (a + sum_c w_c O_c / E_c) / (a + sum_c w_c),  w_c = 1 / (s2 + tau2 + 1/E_c),
                                a = 1 / (s2 + tau2): the prior's 1 counts as one creator
    a category g      m_g     = M (1/tau2 + sum_g r_c / V_c) / (1/tau2 + sum_g 1 / V_c),
                                r_c = O_c / (M E_c),  V_c = s2 + 1 / (M E_c)
    a creator         theta_c = m_g (k + O_c) / (k + m_g E_c),  k = 1 / s2

s2 is how much creators of one category differ (the squared coefficient of variation of theta around its
category's level): the prior's spread says how much (80% within mu / spread .. mu x spread, s2 = exp(s^2) - 1),
and with at least MIN_CREATORS piloted creators it is averaged with the pilot's own method-of-moments estimate
around each category's level (Var O_c = m E_c + s2 (m E_c)^2), the prior counting as PRIOR_CREATORS creators.
tau2 is how much categories differ (DerSimonian-Laird over the piloted categories' mean ratios; a quarter of
s2 with fewer than MIN_CATEGORIES). So a creator whose pilot expected few orders moves a little from its
category, one with many moves most of the way to its own rate (weight m_g E_c / (k + m_g E_c)); a category
moves as far as categories are seen to differ; creators outside the pilot borrow their category's m_g (M
where the category was not piloted), with the range of a creator not yet seen (s2, and tau2 where its
category was not piloted either). The fit score's lift stays in mu. Views move too: each creator's expected
views x (observed / expected) ^ (n / (n + 1)), n its pilot bookings.
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
    alpha: float  # 1 / (s2 + tau2): how much creators differ from the prior in all
    alpha_from: str  # "pilot" (s2 estimated from the pilot) or "prior" (too few creators: from the spread)
    evidence: pd.DataFrame  # per piloted creator: c, bookings, views, orders, expected_orders, prior and
    # observed conversion (orders per view), the learned conversion multiplier and the weight of its evidence
    views_sd: np.ndarray | None = None  # per creator: the log-sd of a next post's views (None: not learned)
    shared_sd: np.ndarray | None = None  # per creator: the part of log_sd its category's creators share


PRIOR_CREATORS = 10  # the prior's spread counts as this many creators beside the pilot's estimate of 1/alpha


def _within(orders: np.ndarray, expected: np.ndarray, groups: np.ndarray, spread: float,
            stray: np.ndarray | None = None) -> tuple[float, str]:
    """s2, how much creators of one category differ: the pilot's method-of-moments estimate around each
    category's level (less what their bookings' own straying, `stray` = w / n per creator, accounts for),
    averaged with the prior's as PRIOR_CREATORS creators; the prior's alone with fewer than MIN_CREATORS
    piloted creators."""
    prior = 1.0 / prior_alpha(spread)
    if len(orders) < MIN_CREATORS or expected.sum() <= 0:
        return prior, "prior"
    level = pd.Series(orders).groupby(groups).transform("sum") / pd.Series(expected).groupby(groups).transform("sum")
    mean = level.to_numpy() * expected
    square = max(float((mean ** 2).sum()), 1e-12)
    booking = float((mean ** 2 * stray).sum()) / square if stray is not None else 0.0
    seen = max(0.0, float(((orders - mean) ** 2 - mean).sum()) / square - booking)
    n = len(orders) - len(np.unique(groups))  # one level estimated per category
    if n <= 0:
        return prior, "prior"
    within = (PRIOR_CREATORS * prior + n * seen) / (PRIOR_CREATORS + n)
    return float(np.clip(within, 1.0 / ALPHA_RANGE[1], 1.0 / ALPHA_RANGE[0])), "pilot"


MIN_CATEGORIES = 3  # piloted categories needed to estimate how much categories differ


def _tau2(r: np.ndarray, e: np.ndarray, g: np.ndarray, within: float, total: float,
          stray: np.ndarray | float = 0.0) -> float:
    """The variance of the category effect: DerSimonian-Laird over the piloted categories' mean ratios (each
    creator's variance s2 + its bookings' straying + 1/(M E_c)), a quarter of s2 with fewer than MIN_CATEGORIES
    piloted categories."""
    fallback = within / 4
    if len(np.unique(g)) < MIN_CATEGORIES:
        return fallback
    weight = 1.0 / (within + stray + 1.0 / np.maximum(total * e, 1e-9))
    w_g = pd.Series(weight).groupby(g).sum()
    y_g = pd.Series(weight * r).groupby(g).sum() / w_g
    mean = float((w_g * y_g).sum() / w_g.sum())
    q = float((w_g * (y_g - mean) ** 2).sum())
    denominator = float(w_g.sum() - (w_g ** 2).sum() / w_g.sum())
    tau2 = (q - (len(w_g) - 1)) / denominator if denominator > 0 else fallback
    return float(np.clip(tau2, within / 100, 1.0 / ALPHA_RANGE[0]))


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
    g = groups[creators]
    k = per["bookings"].to_numpy(float)
    # how far one booking of a creator strays from another (another product, another post): w; a creator's
    # k bookings average it to w / k
    w_booking, measured = _between_bookings(c, results["orders"].to_numpy(float), expected,
                                            1.0 / prior_alpha(spread))
    # (with one booking per creator the two cannot be told apart: the creators' spread keeps it all)
    own, alpha_from = _within(o, e, g, spread, w_booking / k if measured else None)
    ratio = np.divide(o, e, out=np.ones(len(o)), where=e > 0)
    # the whole pilot: a random-effects mean of the creators' ratios, beside the prior's 1 as one creator
    spread_all = own * 1.25  # creators and (a quarter as much) categories, before tau2 is known
    weights = 1.0 / (spread_all + w_booking / k + 1.0 / np.maximum(e, 1e-9))
    total = float((1.0 / spread_all + (weights * ratio).sum()) / (1.0 / spread_all + weights.sum()))
    # Categories: each piloted creator's ratio r_c = O_c / (M E_c) is its category's effect u_g plus its own
    # (variance s2) and Poisson noise (1 / (M E_c)); u_g ~ (1, tau^2), tau^2 by DerSimonian-Laird
    r = np.divide(o, total * e, out=np.ones(len(o)), where=e > 0)
    tau2 = _tau2(r, e, g, own, total, w_booking / k)
    precision = 1.0 / (own + w_booking / k + 1.0 / np.maximum(total * e, 1e-9))
    prec_g = 1.0 / tau2 + pd.Series(precision).groupby(g).sum()
    u = (1.0 / tau2 + pd.Series(precision * r).groupby(g).sum()) / prec_g
    by_group = total * u
    m = np.full(n, total)
    known = np.isin(groups, by_group.index.to_numpy())
    m[known] = by_group.reindex(groups[known]).to_numpy()
    conversion = m.copy()
    shape = 1.0 / own  # a creator around its category
    # its bookings' straying makes its orders worth fewer Poisson orders: each counts 1 / (1 + w m E / k)
    worth = 1.0 / (1.0 + w_booking * m[creators] * e / k)
    theta = m[creators] * (shape + o * worth) / (shape + m[creators] * e * worth)
    conversion[creators] = theta
    unseen = np.full(n, own + tau2)  # a creator not piloted: its own spread, and its category's where unpiloted
    unseen[known] = own + (1.0 / prec_g).reindex(groups[known]).to_numpy()
    log_sd = np.sqrt(np.log1p(unseen))
    # a piloted creator's next booking: what is left unknown of its level, and how far one of its bookings
    # strays from another (another product, another post)
    log_sd[creators] = np.sqrt(np.log1p(1.0 / (shape + o * worth) + w_booking))
    shared = np.full(n, tau2)  # what creators of one category share: their category's level, as far as unknown
    shared[known] = (1.0 / prec_g).reindex(groups[known]).to_numpy()
    shared[creators] = 0.0  # a piloted creator: its own evidence
    alpha = 1.0 / (own + tau2)
    views = np.ones(n)
    ratio = np.where(per["prior_views"] > 0, per["views"] / per["prior_views"].where(per["prior_views"] > 0, 1), 1.0)
    weight_views = np.where(per["stand_in"].to_numpy() > 0, 1.0, k / (k + 1.0))  # no reach figure: the pilot's
    views[creators] = np.exp(weight_views * np.log(np.maximum(ratio, 1e-9)))
    weight = m[creators] * e * worth / (shape + m[creators] * e * worth)
    prior_rate = np.divide(e, per["views"].to_numpy(), out=np.zeros(len(e)), where=per["views"].to_numpy() > 0)
    evidence = pd.DataFrame({
        "c": creators, "bookings": per["bookings"].to_numpy(int), "views": per["views"].to_numpy(),
        "orders": o, "expected_orders": e, "prior_conversion": prior_rate,
        "observed_conversion": np.divide(o, per["views"].to_numpy(), out=np.zeros(len(o)),
                                         where=per["views"].to_numpy() > 0),
        "multiplier": theta, "weight": weight})
    source = np.where(known, "category", "pilot").astype(object)
    source[creators] = "own"
    views_sd = _views_sd(c, seen_views, prior_views, stand_in, creators, k, n)
    return Learned(conversion, views, log_sd, source, alpha, alpha_from, evidence, views_sd,
                   np.sqrt(np.log1p(shared)))


def _between_bookings(c: np.ndarray, orders: np.ndarray, expected: np.ndarray, within: float
                      ) -> tuple[float, bool]:
    """How far one booking of a creator strays from another beyond Poisson noise (the squared coefficient of
    variation; method of moments over creators with several bookings, Var o_i = t_i + w t_i^2 with t_i =
    E_i O_c / E_c); a quarter of the creators' spread s2 with fewer than MIN_CREATORS such creators. And whether
    it was estimated."""
    frame = pd.DataFrame({"c": c, "o": orders, "e": expected})
    by = frame.groupby("c")
    n = by["o"].transform("size").to_numpy()
    several = n > 1
    if len(np.unique(c[several])) < MIN_CREATORS:
        return within / 4, False
    rate = (by["o"].transform("sum") / by["e"].transform("sum").where(lambda x: x > 0, 1.0)).to_numpy()
    t = rate * expected
    correction = n / np.maximum(n - 1, 1)  # one level estimated per creator
    spread = ((orders - t) ** 2 * correction - t)[several].sum() / max(float((t[several] ** 2).sum()), 1e-12)
    return float(np.clip(spread, 0.0, 1.0 / ALPHA_RANGE[0])), True


def _views_sd(c: np.ndarray, seen: np.ndarray, prior: np.ndarray, stand_in: np.ndarray, creators: np.ndarray,
              bookings: np.ndarray, n: int) -> np.ndarray | None:
    """Per creator, the log-sd of a next post's views around the learned expectation, from how far the pilot's
    posts were from theirs: between creators (V, the variance of log(seen / expected) over the bookings) and
    within a creator (W, over creators with several bookings; V / 2 without any). A piloted creator's: W plus
    what is left of (V - W) after its k bookings, (V - W) / (k + 1); another's: V. None with fewer than
    MIN_CREATORS bookings that had a reach figure."""
    usable = (prior > 0) & (seen > 0) & ~stand_in
    if usable.sum() < MIN_CREATORS:
        return None
    gap = pd.Series(np.log(seen[usable] / prior[usable]))
    between = float(gap.var(ddof=1))
    by = gap.groupby(c[usable])
    repeated = by.size() > 1
    within = float((by.transform(lambda x: x - x.mean()) ** 2)[pd.Series(c[usable]).map(repeated).to_numpy()].sum()
                   / max(int((by.size()[repeated] - 1).sum()), 1)) if repeated.any() else between / 2
    within = min(within, between)
    sd = np.full(n, math.sqrt(between))
    sd[creators] = np.sqrt(within + (between - within) / (bookings + 1.0))
    return sd


def _deviance(orders: np.ndarray, mean: np.ndarray) -> float:
    """Poisson deviance of orders against their predicted means."""
    mean = np.maximum(mean, 1e-9)
    term = np.where(orders > 0, orders * np.log(np.maximum(orders, 1e-300) / mean), 0.0)
    return float(2.0 * (term - (orders - mean)).sum())


def held_out(results: pd.DataFrame, prior_conversion: np.ndarray, prior_views: np.ndarray, groups: np.ndarray,
             spread: float) -> dict[str, float] | None:
    """What the lessons are worth for creators the pilot did not test, measured out of sample: the piloted
    creators split in two halves (seeded); each half's orders predicted from its views by what the other half
    taught (as for an untested creator: its category's level, else the whole pilot's), against the prior's
    prediction; the Poisson deviance of each, and the share of the prior's it saves (negative: the lessons
    predict worse). None with fewer than 2 x MIN_CREATORS piloted creators."""
    c = results["c"].to_numpy(int)
    creators = np.unique(c)
    if len(creators) < 2 * MIN_CREATORS:
        return None
    half = np.random.default_rng(0).permutation(len(creators)) % 2
    side = dict(zip(creators, half))
    fold = np.array([side[x] for x in c])
    orders = results["orders"].to_numpy(float)
    prior = results["views"].to_numpy(float) * prior_conversion
    learned = np.zeros(len(c))
    for k in (0, 1):
        train = fold != k
        lessons = learn(results[train], prior_conversion[train], prior_views[train], groups, spread)
        learned[~train] = prior[~train] * lessons.conversion[c[~train]]
    before, after = _deviance(orders, prior), _deviance(orders, learned)
    return {"creators": float(len(creators)), "prior_deviance": before, "learned_deviance": after,
            "saved": 1.0 - after / before if before > 0 else 0.0}

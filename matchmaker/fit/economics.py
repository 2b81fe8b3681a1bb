"""What a booking is expected to sell and cost: pure array code, no I/O (docs, "Money").

For a booking of creator c for product p, with the campaign's [economics] and [conversion]:

    views       c's average (or expected) views, else followers x the view rate of c's tier
    conversion  orders per view: p's conversion_rate, else [conversion][p's category], else conversion;
                x top_kol_conversion for a Top-KOL; x [price_bands][the band of p's price], else
                (price / reference_price) ^ -price_elasticity;
                x exp(fit_lift x (fit - 0.5)), fit the pair's fit score (0..1)
    orders      views x conversion;  gmv = orders x p's price
    fee_paid    c's quoted fee x (1 - rebate); 0 on a commission-only deal (pricing "commission")
    commission  rate x gmv, rate = c's commission_rate, else p's, else 0; 0 on a flat deal
    (a deal for the pair, data.deals, gives its own quote, rebate, pricing or rate over c's)
    cash        fee_paid + p's sample cost: what the budget pays
    cost        cash + commission;  profit = gmv x margin - cost (margin: p's, else economics.margin)

Orders, and with them gmv, commission, cost and profit, are likely (about 80%) within expected / spread
and expected x spread: the `_low` and `_high` columns. After a pilot (`learned`, fit/pilot.py) each
creator's conversion and views are multiplied by what the pilot taught, and a piloted creator's range is
its posterior's (narrower the more orders it had).

The objective (economics.objective) is the fit score, expected GMV, expected profit, or expected views
("reach": per booking here; the plan counts the views two creators of one product share once, see
plan/instance.py, penalties); with economics.conservative, GMV and profit at their low end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..inputs.parse import norm_category
from .pilot import Z80, Learned, prior_log_sd

MONEY_COLUMNS = ["views", "conversion", "orders", "gmv", "gmv_low", "gmv_high", "fee_paid", "commission",
                 "commission_low", "commission_high", "sample", "cash", "cost", "profit", "profit_low", "roi"]
OBJECTIVE_COLUMNS = {"gmv": "gmv", "profit": "profit", "reach": "views"}
CONSERVATIVE_COLUMNS = {"gmv": "gmv_low", "profit": "profit_low", "reach": "views"}


def _views(creators: pd.DataFrame, config: Config) -> np.ndarray:
    e = config.economics
    rate = np.where(creators["tier"].to_numpy(object) == "top_kol", e.view_rate_top_kol, e.view_rate_alliance)
    views = creators["avg_views"].to_numpy(float)
    return np.nan_to_num(np.where(np.isnan(views), creators["followers"].to_numpy(float) * rate, views))


def _prior(products: pd.DataFrame, config: Config) -> np.ndarray:
    """Per product, orders per view before the creator's tier and fit."""
    by_category = {norm_category(k): v for k, v in config.conversion.items()}
    prior = np.array([by_category.get(norm_category(k), config.economics.conversion) for k in products["category"]])
    given = products["conversion_rate"].to_numpy(float)
    return np.where(np.isnan(given), prior, given)


def economics(data: ProblemData, config: Config, c: np.ndarray, p: np.ndarray, fit: np.ndarray,
              learned: Learned | None = None) -> pd.DataFrame:
    """The expected figures (MONEY_COLUMNS) of the bookings (c[i], p[i]) with fit scores fit[i]; with
    `learned`, as a pilot updated them."""
    e, creators, products = config.economics, data.creators, data.products
    given = products["price"].to_numpy(float)
    price = np.nan_to_num(given)
    tier = np.where(creators["tier"].to_numpy(object) == "top_kol", e.top_kol_conversion, 1.0)
    # an unknown price moves nothing (its GMV is unknown, not its orders)
    by_price = np.where(given > 0, (np.where(given > 0, given, 1.0) / e.reference_price) ** -e.price_elasticity, 1.0)
    for (low, high), factor in config.price_bands.items():  # a band in the config, over the elasticity
        by_price = np.where((given >= low) & (given < high), factor, by_price)
    conversion = _prior(products, config)[p] * tier[c] * by_price[p] * np.exp(e.fit_lift * (np.asarray(fit) - 0.5))
    views = _views(creators, config)[c]
    if learned is not None:
        conversion = conversion * learned.conversion[c]
        views = views * learned.views[c]
    orders = views * conversion
    gmv = orders * price[p]
    paid, pricing, rate = data.pair_terms(c, p)  # the creator's terms, or the pair's deal
    rate = np.where(np.isnan(rate), products["commission_rate"].to_numpy(float)[p], rate)
    rate = np.where(pricing == "flat", 0.0, np.nan_to_num(rate))
    fee = np.nan_to_num(paid)
    sample = data.sample_costs()[p]
    cash = fee + sample
    margin = products["margin"].to_numpy(float)
    margin = np.where(np.isnan(margin), e.margin, margin)[p]
    sd = learned.log_sd[c] if learned is not None else np.full(len(c), prior_log_sd(e.spread))
    low, high = np.exp(-Z80 * sd), np.exp(Z80 * sd)  # without a pilot: 1 / spread and spread
    commission = rate * gmv
    cost = cash + commission
    return pd.DataFrame({
        "views": views, "conversion": conversion, "orders": orders, "gmv": gmv, "gmv_low": gmv * low,
        "gmv_high": gmv * high, "fee_paid": fee, "commission": commission, "commission_low": commission * low,
        "commission_high": commission * high, "sample": sample, "cash": cash,
        "cost": cost, "profit": gmv * margin - cost, "profit_low": gmv * low * (margin - rate) - cash,
        "roi": np.divide(gmv, cost, out=np.full(len(gmv), np.nan), where=cost > 0),
    })


def objective_values(data: ProblemData, config: Config, c: np.ndarray, p: np.ndarray, fit: np.ndarray,
                     learned: Learned | None = None) -> np.ndarray:
    """What the plan maximises per booking (economics.objective): the fit score, expected GMV, profit or
    views; GMV and profit at their low end when economics.conservative."""
    objective = config.economics.objective
    if objective == "fit":
        return np.asarray(fit, dtype=float)
    column = (CONSERVATIVE_COLUMNS if config.economics.conservative else OBJECTIVE_COLUMNS)[objective]
    return economics(data, config, c, p, fit, learned)[column].to_numpy(float)

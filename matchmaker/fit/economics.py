"""What a booking is expected to sell and cost: pure array code, no I/O (docs, "Money").

For a booking of creator c for product p, with the campaign's [economics] and [conversion]:

    views       c's average (or expected) views, else followers x the view rate of c's tier, else (no reach
                figure) the lower quartile of its tier's, with a range widened by their spread (expected_views)
    conversion  orders per view: p's conversion_rate, else [conversion][p's category], else conversion;
                x top_kol_conversion for a Top-KOL; x [price_bands][the band of p's price], else
                (price / reference_price) ^ -price_elasticity;
                x exp(fit_lift x (fit - 0.5)), fit the pair's fit score (0..1)
    orders      views x conversion;  gmv = orders x p's price
    fee_paid    c's quoted fee x (1 - rebate); 0 on a commission-only deal (pricing "commission")
    rate        c's commission_rate, else p's, else 0; 0 on a flat deal
    (a deal for the pair, data.deals, gives its own quote, rebate, pricing or rate over c's)
    cash        fee_paid + p's sample cost: what the budget pays
    settled     gmv x (1 - returns), returns: p's return_rate (退货率), else economics.return_rate
    commission  on the settled GMV: rate x settled
    cost        cash + commission;  profit = settled x (margin - economics.service_fee) - cost (margin: p's,
                else economics.margin; service_fee: the platform's technical service fee on settled GMV)

Orders, and with them gmv, commission, cost and profit, are likely (about 80%) within expected / spread
and expected x spread: the `_low` and `_high` columns. After a pilot (`learned`, fit/pilot.py) each
creator's conversion and views are multiplied by what the pilot taught, and a piloted creator's range is
its posterior's (narrower the more orders it had).

The objective (economics.objective) is the fit score, expected GMV, expected profit, or expected views
("reach": per booking here; the plan counts the views two creators of one product share once, see
plan/instance.py, penalties); with economics.conservative, GMV and profit at their low end.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..inputs.parse import norm_category
from .known import peer_fill
from .pilot import Z80, Learned, prior_log_sd

MONEY_COLUMNS = ["views", "conversion", "orders", "gmv", "gmv_low", "gmv_high", "fee_paid", "commission",
                 "commission_low", "commission_high", "sample", "cash", "cost", "profit", "profit_low", "roi",
                 "shared_sd", "views_from", "conversion_from"]  # shared_sd: the part of the range the booking's
# creator category shares (total_range); the last two: where the views and the conversion come from
OBJECTIVE_COLUMNS = {"gmv": "gmv", "profit": "profit", "reach": "views"}
CONSERVATIVE_COLUMNS = {"gmv": "gmv_low", "profit": "profit_low", "reach": "views"}


VIEW_SOURCES = ("export", "followers", "peers", "none")
CONVERSION_SOURCES = ("product", "category", "default", "product + history", "category + history",
                      "default + history", "pilot", "pilot category", "pilot overall")
HISTORY_WEIGHT = 0.5  # how far (in logs) a creator's past sales against its peers' carry to its conversion
HISTORY_LIMIT = 4.0  # ... within x / this
MIN_HISTORY = 3  # creators with a figure needed to compare one with the others


def history(creators: pd.DataFrame, views: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per creator: the multiplier its sales history puts on the prior's conversion, and whether it has one. Each
    figure present (GPM; 带货转化率; 30-day sales and GMV per session, per expected view) is compared with the
    median of the creators of its tier that have it (of the pool, with fewer than MIN_HISTORY there), in logs;
    a creator's comparisons are averaged and carried HISTORY_WEIGHT of the way, within x / HISTORY_LIMIT."""
    n = len(creators)
    per_view = np.where(views > 0, views, np.nan)
    figures = [creators["gpm"].to_numpy(float), creators["sales_conversion"].to_numpy(float),
               creators["sales_30d"].to_numpy(float) / per_view, creators["session_gmv"].to_numpy(float) / per_view]
    tier = creators["tier"].to_numpy(object)
    logs = np.full((len(figures), n), np.nan)
    for k, figure in enumerate(figures):
        known = figure > 0
        if known.sum() < MIN_HISTORY:
            continue
        reference = np.full(n, float(np.median(figure[known])))
        for group in np.unique(tier):
            mine = known & (tier == group)
            if mine.sum() >= MIN_HISTORY:
                reference[tier == group] = float(np.median(figure[mine]))
        logs[k, known] = np.log(figure[known] / reference[known])
    has = ~np.isnan(logs).all(axis=0)
    mean = np.zeros(n)
    mean[has] = np.nanmean(logs[:, has], axis=0)
    limit = np.log(HISTORY_LIMIT)
    return np.exp(np.clip(HISTORY_WEIGHT * mean, -limit, limit)), has


def expected_views(creators: pd.DataFrame, config: Config) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per creator: expected views of one booking, where the figure comes from, and the extra log-sd it
    carries. "export": the creator's average views; "followers": followers x its tier's view rate; "peers": no
    reach figure at all, so the lower quartile of its tier's expected views (known.peer_fill), its range widened
    by the spread of those views; "none": nobody in the pool has a reach figure (0 views)."""
    e = config.economics
    tier = creators["tier"].to_numpy(object)
    rate = np.where(tier == "top_kol", e.view_rate_top_kol, e.view_rate_alliance)
    given = creators["avg_views"].to_numpy(float)
    by_followers = creators["followers"].to_numpy(float) * rate
    views = np.where(np.isnan(given), by_followers, given)
    source = np.where(~np.isnan(given), "export", np.where(~np.isnan(by_followers), "followers", "peers"))
    filled, unknown = peer_fill(views, tier)
    extra = np.zeros(len(views))
    if unknown.any() and not unknown.all():
        for group in np.unique(tier[unknown]):
            peers = np.log1p(views[(tier == group) & ~unknown])
            spread = float(np.std(peers)) if len(peers) > 1 else float(np.std(np.log1p(views[~unknown])))
            extra[(tier == group) & unknown] = spread
    source = np.where(np.isnan(filled), "none", source).astype(object)
    return np.nan_to_num(filled), source, extra


def _prior(products: pd.DataFrame, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Per product, orders per view before the creator's tier and fit, and where it comes from: "product" (its
    conversion_rate), "category" (the campaign's [conversion] table) or "default" (economics.conversion)."""
    by_category = {norm_category(k): v for k, v in config.conversion.items()}
    keys = [norm_category(k) for k in products["category"]]
    prior = np.array([by_category.get(k, config.economics.conversion) for k in keys], dtype=float)
    given = products["conversion_rate"].to_numpy(float)
    source = np.where(~np.isnan(given), "product", np.where([k in by_category for k in keys], "category", "default"))
    return np.where(np.isnan(given), prior, given), source.astype(object)


PILOT_SOURCES = {"own": "pilot", "category": "pilot category", "pilot": "pilot overall"}


def economics(data: ProblemData, config: Config, c: np.ndarray, p: np.ndarray, fit: np.ndarray,
              learned: Learned | None = None, repeat: np.ndarray | None = None) -> pd.DataFrame:
    """The expected figures (MONEY_COLUMNS) of the bookings (c[i], p[i]) with fit scores fit[i]; with
    `learned`, as a pilot updated them; `repeat[i]`: the pair was booked before (a pilot or an earlier wave),
    so it reaches economics.repeat_value of the views a first booking would."""
    e, creators, products = config.economics, data.creators, data.products
    given = products["price"].to_numpy(float)
    price = np.nan_to_num(given)
    tier = np.where(creators["tier"].to_numpy(object) == "top_kol", e.top_kol_conversion, 1.0)
    # an unknown price moves nothing (its GMV is unknown, not its orders)
    by_price = np.where(given > 0, (np.where(given > 0, given, 1.0) / e.reference_price) ** -e.price_elasticity, 1.0)
    for (low, high), factor in config.price_bands.items():  # a band in the config, over the elasticity
        by_price = np.where((given >= low) & (given < high), factor, by_price)
    prior, conversion_from = _prior(products, config)
    conversion_from = conversion_from[p]
    all_views, view_source, view_sd = expected_views(creators, config)
    sold, has_history = history(creators, all_views)
    conversion = prior[p] * tier[c] * by_price[p] * np.exp(e.fit_lift * (np.asarray(fit) - 0.5)) * sold[c]
    conversion_from = np.where(has_history[c], conversion_from + " + history", conversion_from)
    views = all_views[c]
    if learned is not None:
        conversion = conversion * learned.conversion[c]
        views = views * learned.views[c]
        conversion_from = np.array([PILOT_SOURCES.get(x, f) for x, f in zip(learned.source[c], conversion_from)],
                                   dtype=object)  # a creator the learning left at the prior keeps its source
        view_source = np.where(learned.source == "own", "pilot", view_source)
    if repeat is not None:
        views = views * np.where(np.asarray(repeat, bool), e.repeat_value, 1.0)
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
    # the prior puts a quarter of how much creators differ on their category (fit/pilot.py, tau2)
    shared_sd = learned.shared_sd[c] if learned is not None and learned.shared_sd is not None else \
        np.full(len(c), np.sqrt(np.log1p(np.expm1(prior_log_sd(e.spread) ** 2) / 4)))
    if learned is not None:  # a piloted creator's views were seen; how far posts stray, the pilot says
        view_sd = np.where(learned.source == "own", 0.0, view_sd)
        if learned.views_sd is not None:
            view_sd = np.sqrt(view_sd ** 2 + learned.views_sd ** 2)
    sd = np.sqrt(sd ** 2 + view_sd[c] ** 2)  # a creator with no reach figure: its peers' spread too
    # and the orders themselves: Poisson around their expectation (a booking of 4 expected orders may bring 1 or 8)
    sd = np.sqrt(sd ** 2 + np.log1p(1.0 / np.maximum(views * conversion, 1e-3)))
    low, high = np.exp(-Z80 * sd), np.exp(Z80 * sd)  # without a pilot: 1 / spread and spread
    returned = products["return_rate"].to_numpy(float)
    kept = 1.0 - np.where(np.isnan(returned), e.return_rate, returned)[p]  # of the paid GMV, what is not refunded
    commission = rate * gmv * kept  # commission is paid on settled GMV
    cost = cash + commission
    net = margin - e.service_fee  # of each settled yuan, the margin after the platform's technical service fee
    return pd.DataFrame({
        "views": views, "conversion": conversion, "orders": orders, "gmv": gmv, "gmv_low": gmv * low,
        "gmv_high": gmv * high, "fee_paid": fee, "commission": commission, "commission_low": commission * low,
        "commission_high": commission * high, "sample": sample, "cash": cash,
        "cost": cost, "profit": gmv * kept * net - cost, "profit_low": gmv * low * kept * (net - rate) - cash,
        "roi": np.divide(gmv, cost, out=np.full(len(gmv), np.nan), where=cost > 0),
        "shared_sd": np.minimum(shared_sd, sd),
        "views_from": pd.Categorical(view_source[c], categories=VIEW_SOURCES + ("pilot",)),
        "conversion_from": pd.Categorical(conversion_from, categories=CONVERSION_SOURCES),
    })


def total_range(gmv: np.ndarray, gmv_high: np.ndarray, shared_sd: np.ndarray, group: np.ndarray
                ) -> tuple[float, float]:
    """The likely (80%) range of the bookings' total GMV: each booking log-normal around its expected GMV with
    the log-sd its range says (log(high / expected) / Z80), of which `shared_sd` is shared with the bookings of
    its `group` (its creator's category: how far that category's level is unknown), the total log-normal with
    the same mean and variance (Fenton-Wilkinson)."""
    gmv = np.asarray(gmv, float)
    total = float(gmv.sum())
    if total <= 0:
        return 0.0, 0.0
    sd = np.log(np.divide(gmv_high, gmv, out=np.ones(len(gmv)), where=gmv > 0)) / Z80
    deviation = gmv * np.sqrt(np.expm1(sd ** 2))  # each booking's standard deviation ...
    common = gmv * np.sqrt(np.expm1(np.minimum(np.asarray(shared_sd, float), sd) ** 2))  # ... its shared part
    variance = float((deviation ** 2 - common ** 2).sum()) + float(
        (pd.Series(common).groupby(np.asarray(group)).sum() ** 2).sum())
    s = math.sqrt(math.log1p(max(variance, 0.0) / total ** 2))
    median = total * math.exp(-s * s / 2)
    return median * math.exp(-Z80 * s), median * math.exp(Z80 * s)


def bookings_range(data: ProblemData, bookings: pd.DataFrame) -> tuple[float, float]:
    """The likely (80%) range of the total GMV of `bookings` (c, gmv, gmv_high, shared_sd), the uncertainty they
    share counted by their creator's first category (total_range)."""
    categories = data.creators["categories"].to_numpy(object)[bookings["c"].to_numpy(int)]
    group = np.array([str(cats[0]) if len(cats) else "" for cats in categories], dtype=object)
    shared = bookings["shared_sd"].to_numpy(float) if "shared_sd" in bookings else np.zeros(len(bookings))
    return total_range(bookings["gmv"].to_numpy(float), bookings["gmv_high"].to_numpy(float), shared, group)


def resolved_objective(data: ProblemData, config: Config) -> Config:
    """The campaign with objective "auto" made concrete: expected profit when every product has a price (fit
    lifts conversion, so style still counts), else the fit score (the plan's cautions say why); with a pairs
    table, its values (the fit)."""
    if config.economics.objective != "auto":
        return config
    priced = bool((data.products["price"].to_numpy(float) > 0).all())
    money = priced and data.pairs is None
    return config.override(**{"economics.objective": "profit" if money else "fit"})


def objective_column(data: ProblemData, config: Config) -> str | None:
    """The money column the plan maximises (economics.objective, "auto" resolved: resolved_objective; GMV and
    profit at their low end when economics.conservative); None for the fit score."""
    e = resolved_objective(data, config).economics
    if e.objective == "fit":
        return None
    return (CONSERVATIVE_COLUMNS if e.conservative else OBJECTIVE_COLUMNS)[e.objective]


def objective_values(data: ProblemData, config: Config, c: np.ndarray, p: np.ndarray, fit: np.ndarray,
                     learned: Learned | None = None, repeat: np.ndarray | None = None) -> np.ndarray:
    """What the plan maximises per booking (objective_column): the fit score, expected GMV, profit or views."""
    column = objective_column(data, config)
    if column is None:
        return np.asarray(fit, dtype=float)
    return economics(data, config, c, p, fit, learned, repeat)[column].to_numpy(float)

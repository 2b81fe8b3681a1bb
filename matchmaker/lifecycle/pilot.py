"""A pilot designed for what it teaches (docs, "Pilot, then scale"): test the creators the scale-up would
buy, each with its cheapest booking, the biggest bets first, every category the scale-up buys covered.

    scale-up   the prior's plan for the whole budget: the bets the campaign would make without a pilot
    stake      per creator of the scale-up: what it would be paid there (fees and commission)
    teaches    stake x the prior's log-sd x E / (alpha + E), E the orders its test booking is expected to
               bring (fit/pilot.py: a creator's posterior moves by E / (alpha + E) of the way to its own rate),
               so a test that would see few orders, or of a small bet, is worth little
    the pilot  the solver's best set of test bookings (one per creator, its cheapest eligible pair) by
               `teaches` within the pilot's budget, under every rule of the campaign but the per-product
               minimums; the most efficient test of each category the scale-up buys (what it teaches per
               yuan) counts as much more as the best test of all, so every category is covered first, where
               the budget allows

The pilot's share, when not given, follows test-and-roll (Feit & Berman 2019): with N bookings in the
scale-up and a booking's noise as large as the creators' spread, a test of n = sqrt(N / 4 + 9 / 16) - 3 / 4
bookings per arm maximises what the whole campaign sells; the pilot gets 2n of the N bookings' share of the
budget, within 5% and 30%.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..fit.economics import economics
from ..fit.pilot import prior_alpha, prior_log_sd
from ..outcome import Outcome
from ..pipeline import Prepared, solve
from ..problems import Message, msg
from .replan import first_category, sentences, valued, without_minimums

SHARE_RANGE = (0.05, 0.3)


@dataclass(frozen=True)
class PilotDesign:
    outcome: Outcome  # the pilot, solved and checked
    scale_up: Outcome  # the prior's plan for the whole budget: what the pilot tests
    share: float  # of the budget the pilot could spend
    sized: bool  # the share came from test-and-roll (else it was given)
    reasons: pd.DataFrame  # per pilot booking: creator_id, product_id, product_name, stake, teaches, learn
    untested: pd.DataFrame  # the scale-up's creators left out: creator_id, stake, why (a sentence)


def sized_share(bookings: int) -> float:
    """The pilot's share of the budget by test-and-roll for a scale-up of `bookings` bookings."""
    if bookings <= 0:
        return SHARE_RANGE[0]
    n = math.sqrt(bookings / 4 + 9 / 16) - 3 / 4
    return float(np.clip(2 * n / bookings, *SHARE_RANGE))


def _tests(prepared: Prepared, scale_up: pd.DataFrame) -> pd.DataFrame:
    """Per creator of the scale-up: its cheapest eligible pair (its planned product first among equals), the
    cash the scale-up gives it and what a test would teach."""
    pairs = prepared.candidates
    stake = scale_up.groupby("c")["cost" if "cost" in scale_up else "cash"].sum()  # fees and commission
    planned = pd.MultiIndex.from_arrays([scale_up["c"], scale_up["p"]])
    mine = pairs[pairs["c"].isin(stake.index)].assign(
        planned=pd.MultiIndex.from_arrays([pairs["c"], pairs["p"]]).isin(planned)[pairs["c"].isin(stake.index)])
    cheapest = mine.sort_values(["c", "cash", "planned"], ascending=[True, True, False], kind="stable") \
        .drop_duplicates("c").reset_index(drop=True)
    config = prepared.config
    money = economics(prepared.data, config, cheapest["c"].to_numpy(int), cheapest["p"].to_numpy(int),
                      cheapest["fit"].to_numpy(float))
    expected = money["orders"].to_numpy(float)
    alpha = prior_alpha(config.economics.spread)
    at_stake = stake.reindex(cheapest["c"]).to_numpy(float)
    teaches = at_stake * prior_log_sd(config.economics.spread) * expected / (alpha + expected)
    category = [first_category(prepared.data, c) for c in cheapest["c"]]
    return cheapest.assign(stake=at_stake, teaches=teaches, expected_orders=expected, category=category)


def design(prepared: Prepared, share: float | None = None, **solve_args: object) -> PilotDesign:
    """The pilot for `share` of the budget (sized_share of the scale-up when None)."""
    budget = prepared.config.campaign.budget
    scale_up = solve(prepared, **solve_args)  # type: ignore[arg-type]
    plan = scale_up.plan
    sized = share is None
    share = sized_share(len(plan)) if share is None else float(share)
    tests = _tests(prepared, plan) if len(plan) else prepared.candidates.iloc[:0].assign(
        stake=0.0, teaches=0.0, expected_orders=0.0, category="")
    # each category's most efficient test (what it teaches per yuan, the cheapest among equals) gets a bonus
    efficiency = tests["teaches"] / tests["cash"].clip(lower=1.0)
    best = tests.assign(e=efficiency).sort_values(["e", "cash"], ascending=[False, True], kind="stable") \
        .drop_duplicates("category").index
    top = float(tests["teaches"].max()) if len(tests) else 0.0
    value = tests["teaches"].to_numpy() + np.where(tests.index.isin(best), top, 0.0)
    kept = tests.drop(columns=["planned", "stake", "teaches", "expected_orders", "category"])
    test = replace(without_minimums(prepared), candidates=kept.assign(value=np.maximum(value, 1e-9)))
    pilot = solve(test, {"campaign.budget": share * budget, "campaign.max_booking_share": 1.0},
                  **solve_args)  # type: ignore[arg-type]
    pilot = valued(pilot, prepared)  # valued as the campaign values them (the design valued what they teach)
    chosen = set(pilot.plan["c"].astype(int))
    ids = prepared.data.creators["creator_id"].to_numpy(object)
    booked = tests[tests["c"].isin(chosen)]
    reasons = pd.DataFrame({
        "creator_id": ids[booked["c"].to_numpy(int)], "product_id": booked["product_id"].to_numpy(object),
        "product_name": prepared.data.products["name"].to_numpy(object)[booked["p"].to_numpy(int)],
        "stake": booked["stake"].round(0).to_numpy(), "teaches": booked["teaches"].round(0).to_numpy(),
        "learn": sentences([_learn(r) for r in booked.itertuples()])})
    left = tests[~tests["c"].isin(chosen)]
    untested = pd.DataFrame({"creator_id": ids[left["c"].to_numpy(int)], "stake": left["stake"].round(0).to_numpy(),
                             "why": sentences([_untested(r, share * budget) for r in left.itertuples()])})
    return PilotDesign(pilot, scale_up, share, sized, reasons.sort_values("stake", ascending=False, kind="stable")
                       .reset_index(drop=True), untested.sort_values("stake", ascending=False, kind="stable")
                       .reset_index(drop=True))


def _learn(row: Any) -> Message:
    r = row  # a row of _tests (itertuples)
    return msg("tests {category}: the scale-up would pay this creator {stake:,.0f}; this booking costs "
               "{cash:,.0f} and should bring about {orders:,.0f} orders", category=r.category,
               stake=r.stake, cash=r.cash, orders=r.expected_orders)


def _untested(row: Any, budget: float) -> Message:
    if row.cash > budget:
        return msg("its cheapest booking ({cash:,.0f}) is more than the pilot's budget: the scale-up's "
                   "{stake:,.0f} on it rests on the prior", cash=row.cash, stake=row.stake)
    return msg("tests that teach more used the pilot's budget; the scale-up's {stake:,.0f} on it rests on the "
               "prior", stake=row.stake)

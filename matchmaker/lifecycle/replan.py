"""Pilot, then scale (docs, "Pilot, then scale"): learn from a pilot's results, re-price every eligible
pair, and plan the rest of the budget with the pilot's bookings kept, extended or dropped; then say what
changed against the plan the prior alone gives for the same budget, and why.

    keep     every pilot booking is booked again (a lock)
    extend   pilot creators compete like everyone else, with what the pilot taught (the default)
    drop     pilot creators are not booked again (a ban)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..fit.economics import economics, objective_column, objective_values
from ..fit.pilot import Learned, held_out, learn
from ..inputs.parse import norm_category
from ..outcome import Outcome
from ..pipeline import OUTSIDE_CHUNK, Prepared, solve
from ..problems import Message, msg

MODES = ("keep", "extend", "drop")


@dataclass(frozen=True)
class Replanned:
    outcome: Outcome  # the scale-up plan, with what the pilot taught
    before: Outcome  # the plan the prior alone gives for the same budget and the same keep/drop choice
    learned: Learned
    pilot_spend: float
    changes: pd.DataFrame  # creator_id, change, before, after, pilot (evidence), why
    before_gmv: float  # the prior's plan's expected GMV as the pilot taught (the re-plan's is outcome's)
    notes: tuple[Message, ...] = ()
    budget: float = 0.0  # what this plan could spend: the budget left, or this wave's share of it
    waves: int = 1  # the waves left, this one included: 1 plans all that is left
    held_out: dict[str, float] | None = None  # fit/pilot.held_out: the lessons judged on creators they did not see


def pilot_figures(prepared: Prepared, results: pd.DataFrame) -> pd.DataFrame:
    """The prior's figures for each pilot booking (its fit from the candidates; 0.5 where it is not an
    eligible pair any more) and the cash it cost (the results' spend, else the fee paid and the sample)."""
    pairs = prepared.candidates
    fit = pd.Series(pairs["fit"].to_numpy(float), index=pd.MultiIndex.from_arrays([pairs["c"], pairs["p"]]))
    keys = pd.MultiIndex.from_arrays([results["c"], results["p"]])
    found = fit.reindex(keys)
    money = economics(prepared.data, prepared.config, results["c"].to_numpy(int), results["p"].to_numpy(int),
                      found.fillna(0.5).to_numpy(float), repeat=_repeats(results))
    spent = results["spend"].to_numpy(float)
    return pd.DataFrame({"eligible": found.notna().to_numpy(), "conversion": money["conversion"].to_numpy(),
                         "views": money["views"].to_numpy(),
                         "stand_in": money["views_from"].astype(str).isin(("peers", "none")).to_numpy(),
                         "spend": np.where(np.isnan(spent), money["cash"].to_numpy(), spent)})


def _repeats(results: pd.DataFrame) -> np.ndarray:
    """Per result row: its pair was booked in an earlier wave (so it was a repeat booking)."""
    wave = results["wave"].to_numpy(float) if "wave" in results else np.zeros(len(results))
    first = pd.Series(wave).groupby([results["c"].to_numpy(int), results["p"].to_numpy(int)]).transform("min")
    return wave > first.to_numpy()


def booked_before(pairs: pd.DataFrame, results: pd.DataFrame) -> np.ndarray:
    """Per pair (c, p positions): booked in the results (a pilot or an earlier wave)."""
    keys = pd.MultiIndex.from_arrays([pairs["c"].to_numpy(int), pairs["p"].to_numpy(int)])
    return np.asarray(keys.isin(pd.MultiIndex.from_arrays([results["c"].to_numpy(int), results["p"].to_numpy(int)])))


def first_category(data: ProblemData, c: int) -> str:
    categories = data.creators["categories"].iat[c]
    return str(categories[0]) if len(categories) else "uncategorised"


def taught(prepared: Prepared, results: pd.DataFrame, figures: pd.DataFrame | None = None
           ) -> tuple[Learned, float, np.ndarray]:
    """What the pilot's `results` taught (fit/pilot.py: learn), what it spent, and which of its bookings are
    eligible pairs of the campaign (figures: pilot_figures, when known)."""
    figures = pilot_figures(prepared, results) if figures is None else figures
    learned = learn(results, figures["conversion"].to_numpy(), figures["views"].to_numpy(), creator_groups(prepared),
                    prepared.config.economics.spread, figures["stand_in"].to_numpy())
    return learned, float(figures["spend"].sum()), figures["eligible"].to_numpy()


def creator_groups(prepared: Prepared) -> np.ndarray:
    """Per creator, a code for its first category: the creators a pilot's lessons are shared among."""
    first = prepared.data.creators["categories"].map(lambda cats: norm_category(cats[0]) if len(cats) else "")
    return pd.factorize(first)[0]


def repriced(prepared: Prepared, learned: Learned, results: pd.DataFrame | None = None) -> Prepared:
    """The prepared campaign with every pair's expected figures and value as the pilot taught; a pair booked
    in `results` is a repeat booking (economics.repeat_value of the views)."""
    data, config, pairs = prepared.data, prepared.config, prepared.candidates
    c, p, fit = pairs["c"].to_numpy(int), pairs["p"].to_numpy(int), pairs["fit"].to_numpy(float)
    repeat = booked_before(pairs, results) if results is not None and len(results) else None
    money = economics(data, config, c, p, fit, learned, repeat)
    column = objective_column(data, config)  # the value from the figures just computed, not computed again
    pairs = pairs.assign(**{k: money[k].to_numpy() for k in money.columns if k in pairs},
                         value=fit if column is None else money[column].to_numpy(float))
    outside = prepared.outside
    if outside is not None:
        values = [objective_values(data, config, part["c"].to_numpy(int), part["p"].to_numpy(int),
                                   part["fit"].to_numpy(float), learned)
                  for part in (outside.iloc[i:i + OUTSIDE_CHUNK] for i in range(0, len(outside), OUTSIDE_CHUNK))]
        outside = outside.assign(value=np.concatenate(values) if values else np.zeros(0))
    return replace(prepared, candidates=pairs, outside=outside, learned=learned)


def _with_choice(prepared: Prepared, results: pd.DataFrame, mode: str) -> Prepared:
    data = prepared.data
    if mode == "keep":
        locks = results[["creator_id", "product_id"]]
        if data.locks is not None:
            locks = pd.concat([data.locks[["creator_id", "product_id"]], locks]).drop_duplicates()
        data = data.replace(locks=locks.reset_index(drop=True))
    elif mode == "drop":
        data = data.replace(bans=tuple(dict.fromkeys((*data.bans, *results["creator_id"]))))
    return replace(prepared, data=data)


def sentences(items: list[Any]) -> pd.Series:
    """A column that keeps its sentences (problems.Message) translatable: pandas would make them plain str."""
    return pd.Series(np.array(items, dtype=object), dtype=object)


def _products(outcome: Outcome) -> dict[str, list[str]]:
    plan = outcome.plan
    return {cid: sorted(group) for cid, group in plan.groupby("creator_id")["product_id"]} if len(plan) else {}


def _evidence(learned: Learned, ids: np.ndarray) -> dict[str, dict[str, float]]:
    e = learned.evidence
    return {str(ids[c]): row for c, row in zip(e["c"], e.to_dict("records"))}


def describe_changes(before: Outcome, after: Outcome, learned: Learned) -> pd.DataFrame:
    """One row per creator the pilot or the re-plan concerns: booked before and after, the pilot's
    evidence, and why in one sentence."""
    data = after.data
    ids = data.creators["creator_id"].to_numpy(object)
    was, now, seen = _products(before), _products(after), _evidence(learned, ids)
    index = {str(cid): c for c, cid in enumerate(ids)}
    rows = []
    for cid in sorted(set(was) | set(now) | set(seen)):
        old, new, ev = was.get(cid, []), now.get(cid, []), seen.get(cid)
        change = "kept" if old == new else "added" if not old else "dropped" if not new else "moved"
        if ev is None and change == "kept":
            continue  # neither in the pilot nor changed
        booked = msg("booked for {products}", products=", ".join(map(data.product_label, new))) if new \
            else msg("not booked")
        was_booked = {"before": ", ".join(map(data.product_label, old))} if old and old != new else {}
        if ev is not None:
            pilot: Message | str = msg(
                "{observed:.2%} conversion in the pilot against {prior:.2%} expected ({orders:,.0f} orders from "
                "{views:,.0f} views)", observed=ev["observed_conversion"], prior=ev["prior_conversion"],
                orders=ev["orders"], views=ev["views"])
            if was_booked:
                why = msg("{creator}: {pilot}; now {booked} (before: {before})", creator=cid, pilot=pilot,
                          booked=booked, **was_booked)
            else:
                why = msg("{creator}: {pilot}; now {booked}", creator=cid, pilot=pilot, booked=booked)
        else:
            c = index[cid]
            like = msg("{category} creators", category=first_category(after.data, c)) \
                if learned.source[c] == "category" else msg("the pilot")
            pilot = ""
            factor = float(learned.conversion[c])
            if was_booked:
                why = msg("{creator}: not in the pilot; {like} converted {factor:.2f}x the prior; now {booked} "
                          "(before: {before})", creator=cid, like=like, factor=factor, booked=booked, **was_booked)
            else:
                why = msg("{creator}: not in the pilot; {like} converted {factor:.2f}x the prior; now {booked}",
                          creator=cid, like=like, factor=factor, booked=booked)
        rows.append({"creator_id": cid, "change": change, "before": ", ".join(old), "after": ", ".join(new),
                     "pilot": pilot, "why": why})
    order = {"added": 0, "moved": 1, "dropped": 2, "kept": 3}
    frame = pd.DataFrame({name: sentences([r[name] for r in rows])
                          for name in ("creator_id", "change", "before", "after", "pilot", "why")})
    rank = (frame["pilot"] == "").astype(int) * 10 + frame["change"].map(order)  # the piloted creators first
    return frame.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)


def optimistic(learned: Learned, kappa: float) -> Learned:
    """Every creator's conversion multiplier raised by kappa of its log-sd (an upper confidence bound): the
    creators least known are tried before the plan settles."""
    return replace(learned, conversion=learned.conversion * np.exp(kappa * learned.log_sd))


def drawn(learned: Learned, rng: np.random.Generator) -> Learned:
    """One draw of every creator's conversion multiplier from its posterior (log-normal with the learned
    log-sd, mean kept): a plan for a draw explores creators in proportion to their chance of being best
    (Thompson sampling, the solver choosing the whole plan)."""
    sd = learned.log_sd
    factor = np.exp(sd * rng.standard_normal(len(sd)) - sd ** 2 / 2)
    return replace(learned, conversion=learned.conversion * factor)


def _wave_changes(prepared: Prepared, config: Config, budget: float, results: pd.DataFrame,
                  spend: np.ndarray) -> dict[str, Any]:
    """The solve's changes for a plan of `budget` after the results' bookings (spend: each one's): the booking cap
    kept at its share of the whole campaign's budget, and the Top-KOL share cap counted over the whole campaign
    (the share the rest may take so that the results' Top-KOL spend and the rest's stay within it, the rest
    spending its budget)."""
    campaign = config.campaign
    cap = 1.0 if campaign.max_booking_share >= 1 or budget <= 0 else \
        min(1.0, campaign.max_booking_share * campaign.budget / budget)
    changes = {"campaign.budget": budget, "campaign.max_booking_share": cap}
    share = campaign.top_kol_max_share
    if share < 1 and budget > 0 and len(results):
        top = prepared.data.creators["tier"].to_numpy(object)[results["c"].to_numpy(int)] == "top_kol"
        room = share * (float(spend.sum()) + budget) - float(spend[top].sum())
        changes["campaign.top_kol_max_share"] = float(np.clip(room / budget, 0.0, 1.0))
    return changes


def net_minimums(prepared: Prepared, results: pd.DataFrame) -> Prepared:
    """The campaign with each product's minimum creators and Top-KOLs less those the results booked: in waves
    the minimums are the whole campaign's."""
    products = prepared.data.products
    made = results.drop_duplicates(["c", "p"])
    p = made["p"].to_numpy(int)
    top = prepared.data.creators["tier"].to_numpy(object)[made["c"].to_numpy(int)] == "top_kol"
    products = products.assign(
        min_creators=np.maximum(0, products["min_creators"].to_numpy(int) - np.bincount(p, minlength=len(products))),
        min_top_kol=np.maximum(0, products["min_top_kol"].to_numpy(int)
                               - np.bincount(p[top], minlength=len(products))))
    return replace(prepared, data=prepared.data.replace(products=products))


def without_minimums(prepared: Prepared) -> Prepared:
    """The campaign with no product minimums (a pilot, or a wave that cannot meet them yet)."""
    products = prepared.data.products.assign(min_creators=0, min_top_kol=0)
    return replace(prepared, data=prepared.data.replace(products=products))


def replan(prepared: Prepared, results: pd.DataFrame, mode: str = "extend",
           changes: Mapping[str, Any] | None = None, on_stage: Callable[[str], None] | None = None,
           waves: int = 1, explore: bool = False, compare: bool = True, optimism: float = 0.0,
           **solve_args: Any) -> Replanned:
    """Learn from `results` (inputs.validate.validate_results: the pilot's and every earlier wave's), plan the
    rest of the campaign's budget (the budget less what the results spent) as `mode` says, and compare with the
    prior's plan (`compare`; else `before` is the re-plan itself). A pair the results booked is a repeat: it
    sells economics.repeat_value of a first booking.

    In waves (`waves` > 1: the waves left, this one included) this plan spends an even share of the rest on the
    posterior's mean (with `explore`, on one draw of the posterior instead: Thompson sampling, seeded by
    solver.seed; measured worse on the simulated market, docs "Pilot, then scale"), under the campaign's rules
    with the booking cap a share of the whole budget and the Top-KOL share counted over the whole campaign; the
    products' minimums count what the results booked and wait for a later wave when this one cannot meet them.
    The last wave (waves = 1) plans all that is left and meets the minimums."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if waves < 1:
        raise ValueError(f"waves must be 1 or more, got {waves}")
    config = prepared.config.override(**changes) if changes else prepared.config
    figures = pilot_figures(prepared, results)
    learned, spent, eligible = taught(prepared, results, figures)
    left = max(0.0, config.campaign.budget - spent)
    budget = left / waves
    solve_changes = {**(changes or {}), **_wave_changes(prepared, config, budget, results,
                                                        figures["spend"].to_numpy(float))}
    notes: list[Message] = []
    if config.economics.objective == "fit":
        notes.append(msg("the fit objective does not use what the pilot taught about sales; choose the gmv, profit "
                         "or reach objective to plan by it"))
    if not eligible.all():
        notes.append(msg("{n} pilot booking(s) are not eligible pairs of this campaign; their results still teach, "
                         "at a fit of 0.5", n=int((~eligible).sum())))
    planning = learned
    if waves > 1 and explore:
        planning = drawn(learned, np.random.default_rng(config.solver.seed))
    elif waves > 1 and optimism > 0:
        planning = optimistic(learned, optimism)
    if waves > 1:
        notes.append(msg("wave plan: {budget:,.0f} of the {left:,.0f} left ({waves} waves to go); read this wave's "
                         "results, then plan the next with every result so far", budget=budget, left=left,
                         waves=waves))
    base = net_minimums(prepared, results) if waves > 1 or "wave" in results else prepared
    after = solve(_with_choice(net_minimums(repriced(prepared, planning, results), results), results, mode),
                  solve_changes, on_stage=on_stage, **solve_args)
    if waves > 1 and not after.result.has_plan:  # the minimums wait for a later wave
        notes.append(msg("this wave cannot meet the products' minimums; a later wave will"))
        after = solve(_with_choice(without_minimums(repriced(prepared, planning, results)), results, mode),
                      solve_changes, on_stage=on_stage, **solve_args)
    if planning is not learned:  # the plan's figures as the posterior's mean has them, not the draw's
        after = valued(after, repriced(prepared, learned, results))
    before = solve(_with_choice(base, results, mode), solve_changes, on_stage=on_stage, **solve_args) \
        if compare else after
    plan = before.plan
    before_gmv = float(economics(prepared.data, config, plan["c"].to_numpy(int), plan["p"].to_numpy(int),
                                 plan["fit"].to_numpy(float), learned,
                                 booked_before(plan, results))["gmv"].sum()) if len(plan) else 0.0
    judged = held_out(results, figures["conversion"].to_numpy(), figures["views"].to_numpy(),
                      creator_groups(prepared), config.economics.spread)
    return Replanned(after, before, learned, spent, describe_changes(before, after, learned), before_gmv,
                     tuple(notes), budget, waves, judged)


def valued(outcome: Outcome, prepared: Prepared) -> Outcome:
    """The outcome with its pairs' figures and values from `prepared` (same pairs, other estimates)."""
    found = outcome.candidates
    index = pd.MultiIndex.from_arrays([prepared.candidates["c"], prepared.candidates["p"]])
    at = index.get_indexer(pd.MultiIndex.from_arrays([found["c"], found["p"]]))
    columns = [k for k in found.columns if k in prepared.candidates.columns and k not in ("c", "p", "chosen")]
    fresh = prepared.candidates.iloc[at][columns].reset_index(drop=True)
    return replace(outcome, candidates=found.assign(**{k: fresh[k].to_numpy() for k in columns}))


def _previous_mask(pairs: pd.DataFrame, previous: pd.DataFrame) -> np.ndarray:
    """Per candidate pair: booked in the previous plan (creator_id, product_id)."""
    keys = pd.MultiIndex.from_arrays([pairs["creator_id"].astype(str), pairs["product_id"].astype(str)])
    old = pd.MultiIndex.from_arrays([previous["creator_id"].astype(str), previous["product_id"].astype(str)])
    return np.asarray(keys.isin(old), dtype=bool)


DEFAULT_PENALTY_SHARE = 0.1  # no penalty given: a tenth of the previous bookings' mean value


def stay_close(prepared: Prepared, previous: pd.DataFrame, penalty: float | None = None,
               changes: Mapping[str, Any] | None = None, **solve_args: Any) -> tuple[Outcome, dict[str, Any]]:
    """Re-plan with minimal change (docs, "Re-plan with minimal change"): the best plan less `penalty` (in the
    objective's units) per changed booking, a previous booking dropped or a new one added. Maximising
    value - penalty x (dropped + added) is maximising, over the new plan's bookings, value + penalty for a
    previous booking and value - penalty for a new one (the previous plan's size is a constant).
    The outcome's values are the campaign's own; the figures say what was kept, added and dropped. Without a
    penalty: DEFAULT_PENALTY_SHARE of the mean value the previous bookings have now (of every pair's, if none
    is still eligible)."""
    pairs = prepared.candidates
    was = _previous_mask(pairs, previous)
    value = pairs["value"].to_numpy(float)
    if penalty is None:
        basis = value[was] if was.any() else value
        penalty = DEFAULT_PENALTY_SHARE * float(np.abs(basis).mean()) if len(basis) else 0.0
    if not (penalty >= 0) or not np.isfinite(penalty):
        raise ValueError(f"the change penalty must be 0 or more, got {penalty}")
    nudged = replace(prepared, candidates=pairs.assign(value=value + np.where(was, penalty, -penalty), own=value,
                                                      previous=was))
    outcome = solve(nudged, changes, **solve_args)  # a ban drops pairs: the outcome's are a subset
    found = outcome.candidates
    outcome = replace(outcome, candidates=found.assign(value=found["own"]).drop(columns=["own", "previous"]))
    booked, was = found["chosen"].to_numpy(), found["previous"].to_numpy(bool)
    kept, added = int((booked & was).sum()), int((booked & ~was).sum())
    figures = {"penalty": penalty, "previous_bookings": int(len(previous)), "kept": kept, "added": added,
               "dropped": int(len(previous)) - kept, "plan_value": round(float(found["own"][booked].sum()), 6)}
    return outcome, figures

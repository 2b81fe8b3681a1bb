"""A fast greedy plan: the solver's hint and the baseline it must never fall below.

First the per-product minimums (Top-KOLs, then creators), best value per yuan first; then every other
pair by value per yuan. A pair is taken only when every rule still holds, except the Top-KOL share and
the money rules during the minimums: a repair step restores the share by dropping spare Top-KOLs, and
while a money rule is broken only pairs that bring it back (a ROI above the floor, ...) are taken.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict

import numpy as np

from .instance import NO_LIMIT, Instance


class PlanState:
    """A plan being built pair by pair, with the running totals every rule needs."""

    def __init__(self, inst: Instance):
        self.inst = inst
        self.chosen: list[int] = []
        self.spend = 0.0
        self.top_spend = 0.0
        self.prod_spend = np.zeros(len(inst.prod_min))
        self.prod_count = np.zeros(len(inst.prod_min), int)
        self.prod_top = np.zeros(len(inst.prod_min), int)
        self.load = np.zeros(len(inst.fee), int)
        self.members: dict[int, set[int]] = defaultdict(set)  # product -> creators
        self.brand_of: dict[tuple[int, int], int] = {}  # (creator, category) -> brand
        self.brand_uses: dict[tuple[int, int], int] = defaultdict(int)
        # product -> creators kept out by an overlap with a member, with how many members keep them out
        self.kept_out: dict[int, Counter[int]] = defaultdict(Counter)
        self.rule_sums = [0] * len(inst.rules)  # each money rule's row, in its integers
        self.taken: set[int] = set()

    @classmethod
    def of(cls, inst: Instance, chosen: np.ndarray) -> PlanState:
        """The running totals of the plan `chosen` (pair indices), taken as it is."""
        state = cls(inst)
        for i in chosen:
            state.take(int(i))
        return state

    def gain(self, i: int) -> float:
        """What taking pair i adds: its value, less the shared audience it has with the pairs taken (reach)."""
        value = float(self.inst.value[i])
        if len(self.inst.penalty_w):
            value -= sum(w for j, w in self.inst.penalties_of.get(i, ()) if j in self.taken)
        return value

    def fits(self, i: int, share_check: bool = True) -> bool:
        return self.blocker(i, share_check) is None

    def blocker(self, i: int, share_check: bool = True) -> str | None:
        """The rule (named as the model's gates name it) that taking pair i would break, or None."""
        inst, c, p = self.inst, int(self.inst.pair_c[i]), int(self.inst.pair_p[i])
        fee = float(inst.pair_cost[i])
        if c in self.members[p]:
            return "booked"
        if self.load[c] >= inst.capacity[c]:
            return "capacity"
        if self.spend + fee > inst.budget + 1e-9:
            return "budget"
        if not np.isnan(inst.prod_budget[p]) and self.prod_spend[p] + fee > inst.prod_budget[p] + 1e-9:
            return "product_budget"
        if inst.prod_max[p] != NO_LIMIT and self.prod_count[p] >= inst.prod_max[p]:
            return "max_creators"
        if inst.top[c] and inst.prod_max_top[p] != NO_LIMIT and self.prod_top[p] >= inst.prod_max_top[p]:
            return "max_top_kol"
        if share_check and inst.top[c] and self.top_spend + fee > inst.top_share * (self.spend + fee) + 1e-9:
            return "top_kol_share"
        if self.kept_out[p][c] > 0:
            return "overlap"
        key = (c, int(inst.prod_category[p]))
        if inst.exclusivity and self.brand_of.get(key, inst.prod_brand[p]) != inst.prod_brand[p]:
            return "exclusivity"
        for total, rule in zip(self.rule_sums, inst.rules):  # during the minimums, checked at the end as the share
            if share_check and rule.coef[i] > 0 and total + int(rule.coef[i]) > rule.rhs:
                return rule.name
        return None

    def take(self, i: int) -> None:
        inst, c, p = self.inst, int(self.inst.pair_c[i]), int(self.inst.pair_p[i])
        self.chosen.append(i)
        self.taken.add(i)
        cost = float(inst.pair_cost[i])
        self.spend += cost
        self.top_spend += cost if inst.top[c] else 0.0
        self.prod_spend[p] += cost
        self.prod_count[p] += 1
        self.prod_top[p] += int(inst.top[c])
        self.load[c] += 1
        self.members[p].add(c)
        self.kept_out[p].update(inst.neighbours(c).tolist())
        self.brand_of[(c, int(inst.prod_category[p]))] = int(inst.prod_brand[p])
        self.brand_uses[(c, int(inst.prod_category[p]))] += 1
        self.rule_sums = [total + int(rule.coef[i]) for total, rule in zip(self.rule_sums, inst.rules)]

    def drop(self, i: int) -> None:
        inst, c, p = self.inst, int(self.inst.pair_c[i]), int(self.inst.pair_p[i])
        self.chosen.remove(i)
        self.taken.discard(i)
        cost = float(inst.pair_cost[i])
        self.spend -= cost
        self.top_spend -= cost if inst.top[c] else 0.0
        self.prod_spend[p] -= cost
        self.prod_count[p] -= 1
        self.prod_top[p] -= int(inst.top[c])
        self.load[c] -= 1
        self.members[p].discard(c)
        self.kept_out[p].subtract(inst.neighbours(c).tolist())
        key = (c, int(inst.prod_category[p]))
        self.brand_uses[key] -= 1
        if not self.brand_uses[key]:
            del self.brand_of[key]
        self.rule_sums = [total - int(rule.coef[i]) for total, rule in zip(self.rule_sums, inst.rules)]

    def share_ok(self) -> bool:
        return self.top_spend <= self.inst.top_share * self.spend + 1e-6

    def rules_ok(self) -> bool:
        """Every money rule holds (dropping a booking can break a ROI floor or a CPM ceiling)."""
        return all(total <= rule.rhs for total, rule in zip(self.rule_sums, self.inst.rules))

    def locks_ok(self) -> bool:
        """Every locked booking is in the plan, and every creator locked for any product is booked."""
        inst = self.inst
        return not (inst.unplaced_locks or inst.unplaced_creator_locks) and \
            all(int(inst.pair_c[i]) in self.members[int(inst.pair_p[i])] for i in inst.locked_pairs) and \
            all(self.load[c] > 0 for c in inst.creator_locks.tolist())

    def meets_minimums(self) -> bool:
        inst = self.inst
        return bool((self.prod_count >= inst.prod_min).all() and (self.prod_top >= inst.prod_min_top).all()
                    and self.share_ok() and self.rules_ok() and self.locks_ok())


def greedy(inst: Instance) -> tuple[np.ndarray, bool]:
    """Chosen pair indices and whether they form a feasible plan (all minimums met).

    Two passes, by value per yuan (best when the budget binds) and by value (best when it does not), and a
    third that meets the minimums with the cheapest pairs first (when the best value per yuan is expensive,
    as expected GMV often is, the first two can spend the budget before every minimum is met); the better
    feasible plan wins.
    """
    density = inst.per_yuan
    runs = []
    # with shared audiences (reach) also lazily: priorities proportional to value fall with the gain; neither
    # way is always the better (on the sample: static 5.78M views, lazy 5.43M; the hand case needs lazy)
    for lazy in (False, True) if len(inst.penalty_w) else (False,):
        runs += [_greedy_pass(inst, density, order, lazy) for order in (density, inst.value)]
        runs.append(_greedy_pass(inst, -inst.pair_cost, density, lazy))
    return max(runs, key=lambda run: (run[1], inst.plan_value(run[0])))


def lp_rounding(inst: Instance, lp_x: np.ndarray) -> tuple[np.ndarray, bool]:
    """A plan from the LP relaxation's solution: the greedy pass (minimums, then the rest) taking pairs in
    order of their LP value (near 1 first; ties by value per yuan), so every rule is kept as in greedy.
    On large campaigns, where the search cannot finish, the LP knows better than value per yuan which
    pairs belong together."""
    density = inst.per_yuan
    order = np.lexsort((-density, -np.round(lp_x, 6)))  # last key first: LP value, then density
    priority = np.empty(inst.n_pairs)
    priority[order] = -np.arange(inst.n_pairs, dtype=float)
    return _greedy_pass(inst, priority, priority)  # the minimums, too, from the LP's pairs first


def _greedy_pass(inst: Instance, density: np.ndarray, priority: np.ndarray, lazy: bool = False
                 ) -> tuple[np.ndarray, bool]:
    state = PlanState(inst)
    for i in inst.locked_pairs:  # the locked bookings first (one that breaks a rule is left out: no plan)
        if state.fits(int(i), share_check=False):
            state.take(int(i))
    mine = inst.creator_locked_pairs  # then each creator locked for any product, at its best pair that fits
    for c in inst.creator_locks.tolist():
        if state.load[c] == 0:
            for i in sorted(mine[inst.pair_c[mine] == c].tolist(), key=lambda i: -density[i]):
                if state.fits(i, share_check=False):
                    state.take(i)
                    break
    by_density = np.argsort(-density, kind="stable")
    by_priority = np.argsort(-priority, kind="stable")
    # Minimums first: Top-KOLs (share rule checked at the end, alliance pairs come later), then anyone.
    for top_only, need in ((True, inst.prod_min_top), (False, inst.prod_min)):
        for i in by_density:
            p, c = int(inst.pair_p[i]), int(inst.pair_c[i])
            have = state.prod_top[p] if top_only else state.prod_count[p]
            if have < need[p] and (inst.top[c] or not top_only) and state.fits(i, share_check=False):
                state.take(i)
    _fill(state, by_priority, priority, lazy)  # a booking worth nothing (a loss, under profit) only for minimums
    # Top-KOLs taken for the minimums may break the share cap: drop spare ones (worst first), refill.
    if not state.share_ok():
        for i in sorted((i for i in state.chosen if inst.top[inst.pair_c[i]]), key=lambda i: density[i]):
            p = int(inst.pair_p[i])
            if state.share_ok():
                break
            c = int(inst.pair_c[i])
            if state.prod_top[p] > inst.prod_min_top[p] and state.prod_count[p] > inst.prod_min[p] and \
                    not (len(inst.locked) and inst.locked[i]) and not (state.load[c] == 1 and c in inst.creator_locks):
                state.drop(i)
        _fill(state, by_priority, priority, lazy)
    return np.array(sorted(state.chosen), dtype=int), state.meets_minimums()


def _fill(state: PlanState, by_priority: np.ndarray, priority: np.ndarray, lazy: bool) -> None:
    """Take every pair that fits and adds something, best priority first. `lazy` (shared audiences, where
    a pair's gain falls as others are taken): the priority scaled by the share of its value it still adds,
    re-ranked as it falls (lazy greedy: a gain never rises)."""
    inst = state.inst
    if not lazy:
        for i in by_priority:
            if state.gain(i) > 0 and state.fits(i):
                state.take(i)
        return
    heap = [(-float(priority[i]), int(i)) for i in by_priority]
    heapq.heapify(heap)
    while heap:
        _, i = heapq.heappop(heap)
        gain = state.gain(i)
        if i in state.taken or gain <= 0:
            continue
        now = float(priority[i]) * gain / float(inst.value[i])
        if heap and now < -heap[0][0] - 1e-12:  # another pair may now be better: look again later
            heapq.heappush(heap, (-now, i))
        elif state.fits(i):
            state.take(i)


def blockers(inst: Instance, chosen: np.ndarray, pairs: np.ndarray) -> list[str | None]:
    """For each of `pairs` (indices) not in the plan `chosen`: the rule that adding it alone would break,
    None when it would break none (the plan chose better value instead)."""
    state = PlanState.of(inst, chosen)
    return [state.blocker(int(i)) for i in pairs]

"""Local search on a heuristic plan: moves that keep every rule and raise the plan's value.

- add: book a pair that now fits;
- replace: drop one booked pair of the same product or the same creator (or the booking in the way of an
  overlap) and book a pair worth more in its place;
- swap: two booked creators exchange their products, when both new pairs are eligible and worth more
  together.

Every move is tried on the greedy plan's PlanState, so a rule holds after a move exactly when it holds for
the greedy plan (minimums included: a move that leaves a product short is undone). Pairs are tried best
value first, until no move improves the plan or the time is up. Used on the heuristic plan before the exact
search (solve.py): a better hint, and a better floor when the search cannot finish.
"""

from __future__ import annotations

import time

import numpy as np

from .greedy import PlanState
from .instance import Instance


def _try(state: PlanState, out: list[int], into: list[int]) -> bool:
    """Drop the pairs `out`, take the pairs `into`; kept when every rule holds, else undone."""
    for j in out:
        state.drop(j)
    taken = []
    for i in into:
        if not state.fits(i):
            break
        state.take(i)
        taken.append(i)
    if len(taken) == len(into) and state.meets_minimums():
        return True
    for i in reversed(taken):
        state.drop(i)
    for j in out:
        state.take(j)
    return False


def improve(inst: Instance, chosen: np.ndarray, deadline: float) -> np.ndarray:
    """A plan at least as good as `chosen` (a feasible plan), improved by add, replace and swap moves
    until none improves it or time.perf_counter() passes `deadline`."""
    if len(inst.penalty_w):  # its moves weigh pairs alone; with shared audiences (reach) they would misjudge
        return chosen
    state = PlanState.of(inst, chosen)
    value = inst.value
    by_pair = {(int(c), int(p)): i for i, (c, p) in enumerate(zip(inst.pair_c, inst.pair_p))}
    of_creator: dict[int, set[int]] = {}  # creator -> its booked pairs
    of_product: dict[int, set[int]] = {}  # product -> its booked pairs

    def booked(i: int, on: bool) -> None:
        for index, key in ((of_creator, int(inst.pair_c[i])), (of_product, int(inst.pair_p[i]))):
            (index.setdefault(key, set()).add if on else index[key].discard)(i)

    for i in state.chosen:
        booked(i, True)
    order = np.argsort(-value, kind="stable").tolist()
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for count, i in enumerate(order):
            if count % 256 == 0 and time.perf_counter() >= deadline:
                break
            if value[i] <= 0:
                break  # the rest are worth nothing
            c, p = int(inst.pair_c[i]), int(inst.pair_p[i])
            rule = state.blocker(i)
            if rule == "booked":
                continue
            if rule is None:
                state.take(i)
                booked(i, True)
                improved = True
                continue
            # the booked pairs in the way: the creator's own (capacity, exclusivity), else the product's
            rivals = of_creator.get(c, set()) if rule in ("capacity", "exclusivity") else of_product.get(p, set())
            for j in sorted((j for j in rivals if value[j] < value[i]), key=lambda j: value[j]):
                if _try(state, [j], [i]):
                    booked(j, False)
                    booked(i, True)
                    improved = True
                    break
        for a, b in _swaps(inst, state, by_pair, deadline):
            x, y = by_pair[int(inst.pair_c[a]), int(inst.pair_p[b])], by_pair[int(inst.pair_c[b]), int(inst.pair_p[a])]
            if _try(state, [a, b], [x, y]):
                for j, on in ((a, False), (b, False), (x, True), (y, True)):
                    booked(j, on)
                improved = True
    return np.array(sorted(state.chosen), dtype=int)


def _swaps(inst: Instance, state: PlanState, by_pair: dict[tuple[int, int], int], deadline: float):
    """Booked pairs (a, b) whose creators are both eligible for each other's product and worth more so,
    best gain first (as of now: a swap that no longer applies is refused by the rules when tried)."""
    value, found = inst.value, []
    chosen = list(state.chosen)
    for k, a in enumerate(chosen):
        if time.perf_counter() >= deadline:
            break
        ca, pa = int(inst.pair_c[a]), int(inst.pair_p[a])
        for b in chosen[k + 1:]:
            cb, pb = int(inst.pair_c[b]), int(inst.pair_p[b])
            if pa == pb or ca == cb:
                continue
            x, y = by_pair.get((ca, pb)), by_pair.get((cb, pa))
            if x is not None and y is not None:
                gain = value[x] + value[y] - value[a] - value[b]
                if gain > 1e-12:
                    found.append((gain, a, b))
    used: set[int] = set()
    for _, a, b in sorted(found, reverse=True):
        if a not in used and b not in used:
            used |= {a, b}
            yield a, b

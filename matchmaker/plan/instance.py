"""The solver's view of a campaign: plain arrays over eligible pairs, built once from ProblemData."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..inputs.parse import norm_category

NO_LIMIT = -1
INT_ROOM = 2**62  # CP-SAT rejects a constraint whose sum of |coefficients| may overflow int64
MONEY_SCALE = 100  # CNY -> fen
SHARED_CHUNK = 20_000  # creator pairs of shared audience joined with their products at once
MAX_PENALTIES = 1_000_000  # the reach objective's pairs of shared audience kept (the largest)


@dataclass(frozen=True)
class MoneyRule:
    """A rule on the plan's expected money (campaign.min_roi, max_cpm, max_commission) as one row
    coef . x <= rhs in whole units of `unit` CNY (a fen, or more when the sums would overflow int64), each
    coefficient rounded up and the right-hand side down: the row is never looser than the rule. The model,
    the LP relaxation and the greedy plan all read these integers."""

    name: str  # the rule, as the model's gates name it
    limit: float  # the rule's figure as the campaign gives it
    coef: np.ndarray  # int64 per pair
    rhs: int
    outside: np.ndarray  # int64 per pair left out of the pool
    unit: float  # CNY per unit of coef


def money_rules(config: Config, pairs: pd.DataFrame, cash: np.ndarray, outside: pd.DataFrame | None = None,
                outside_cash: np.ndarray | None = None) -> tuple[MoneyRule, ...]:
    """The campaign's money rules over `pairs` (columns gmv, commission, views) whose cash cost is `cash`,
    and over the pairs left out of the pool (`outside`, same columns)."""
    campaign = config.campaign

    def rows(frame: pd.DataFrame, paid: np.ndarray) -> list[tuple[str, float, np.ndarray, float]]:
        cost = paid + frame["commission"].to_numpy(float)
        found = []
        if campaign.min_roi > 0:  # gmv >= r cost  <=>  sum (r cost - gmv) x <= 0
            found.append(("min_roi", campaign.min_roi, campaign.min_roi * cost - frame["gmv"].to_numpy(float), 0.0))
        if campaign.max_cpm > 0:  # 1000 cost / views <= m  <=>  sum (1000 cost - m views) x <= 0
            found.append(("max_cpm", campaign.max_cpm, 1000 * cost - campaign.max_cpm * frame["views"].to_numpy(float),
                          0.0))
        if campaign.max_commission > 0:
            found.append(("max_commission", campaign.max_commission, frame["commission"].to_numpy(float),
                          campaign.max_commission))
        return found

    inside = rows(pairs, cash)
    out = rows(outside, outside_cash) if outside is not None and len(outside) else [None] * len(inside)
    made = []
    for (name, limit, coef, rhs), other in zip(inside, out):
        other_coef = other[2] if other is not None else np.zeros(0)
        total = float(np.abs(coef).sum() + np.abs(other_coef).sum() + abs(rhs)) * MONEY_SCALE
        unit = 1.0 / MONEY_SCALE * max(1.0, 10.0 ** np.ceil(np.log10(max(total, 1.0) / (INT_ROOM / 8))))
        made.append(MoneyRule(name, limit, np.ceil(coef / unit).astype(np.int64), int(np.floor(rhs / unit)),
                              np.ceil(other_coef / unit).astype(np.int64), unit))
    return tuple(made)


@dataclass(frozen=True)
class Instance:
    """Pairs i = (pair_c[i], pair_p[i]) with value[i]; per-creator and per-product rules."""

    pair_c: np.ndarray  # int, creator position of each eligible pair
    pair_p: np.ndarray  # int, product position
    value: np.ndarray  # float, value of each pair
    fee: np.ndarray  # float per creator: the fee paid for one product slot (CNY, after the rebate)
    top: np.ndarray  # bool per creator: Top-KOL
    capacity: np.ndarray  # int per creator: max products
    prod_min: np.ndarray  # int per product
    prod_max: np.ndarray  # int per product, NO_LIMIT = none
    prod_min_top: np.ndarray
    prod_max_top: np.ndarray
    prod_budget: np.ndarray  # float per product, nan = none
    prod_brand: np.ndarray  # int codes
    prod_category: np.ndarray  # int codes (normalised category)
    conflicts: np.ndarray  # (k, 2) int creator positions whose audiences overlap too much
    budget: float
    top_share: float  # max share of the spend on Top-KOLs (1 = no cap)
    exclusivity: bool
    creator_ids: tuple[str, ...]
    product_ids: tuple[str, ...]
    # Eligible pairs left out of the pool on a very large campaign (prune.pool): never booked (their
    # overlaps were not computed), but counted in the LP bound, so the gap holds for every eligible pair.
    sample: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per product: the sample sent (CNY)
    outside_c: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    outside_p: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    outside_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rules: tuple[MoneyRule, ...] = ()  # the campaign's rules on expected money
    # pairs whose deal sets their own fee (data.deals): key c x n_products + p (sorted) and the fee paid
    deal_key: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    deal_fee: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # The reach objective's shared audiences: pairs i < j of one product whose creators' audiences overlap
    # (below max_overlap); a plan booking both loses penalty_w (the views counted twice). Empty otherwise.
    penalty_i: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    penalty_j: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    penalty_w: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shared_known: bool = False  # the shared audiences were found (else, for reach, counted twice)
    locked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # per pair: every plan books it
    # locked bookings that are no eligible pair (creator id, product id): no plan can make them
    unplaced_locks: tuple[tuple[str, str], ...] = ()
    # creators locked for any product (a lock without a product): every plan books each at least once
    creator_locks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unplaced_creator_locks: tuple[str, ...] = ()  # creator ids locked for any product, without an eligible pair

    def __post_init__(self) -> None:
        """Every array read-only: the greedy plan, the model and explain all read one Instance."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def n_pairs(self) -> int:
        return len(self.pair_c)

    def plan_value(self, chosen: np.ndarray) -> float:
        """What the plan `chosen` (pair indices) is worth: its pairs' values, less the penalties of the pairs
        of shared audience it books both of."""
        chosen = np.asarray(chosen, dtype=np.int64)
        value = float(self.value[chosen].sum())
        if len(self.penalty_w) and len(chosen):
            on = np.zeros(self.n_pairs, dtype=bool)
            on[chosen] = True
            value -= float(self.penalty_w[on[self.penalty_i] & on[self.penalty_j]].sum())
        return value

    @cached_property
    def penalties_of(self) -> dict[int, list[tuple[int, float]]]:
        """Pair -> the pairs it shares an audience with, and the penalty of booking both."""
        found: dict[int, list[tuple[int, float]]] = {}
        for i, j, w in zip(self.penalty_i.tolist(), self.penalty_j.tolist(), self.penalty_w.tolist()):
            found.setdefault(i, []).append((j, w))
            found.setdefault(j, []).append((i, w))
        return found

    @property
    def has_locks(self) -> bool:
        return bool(len(self.locked_pairs) or self.unplaced_locks or len(self.creator_locks)
                    or self.unplaced_creator_locks)

    @property
    def creator_locked_pairs(self) -> np.ndarray:
        """The pairs of the creators locked for any product (the pool and the search keep them all)."""
        return np.nonzero(np.isin(self.pair_c, self.creator_locks))[0] if len(self.creator_locks) else \
            np.zeros(0, dtype=int)

    @property
    def locked_pairs(self) -> np.ndarray:
        """The indices of the pairs every plan must book."""
        return np.nonzero(self.locked)[0] if len(self.locked) else np.zeros(0, dtype=int)

    def cost(self, pair_c: np.ndarray, pair_p: np.ndarray) -> np.ndarray:
        """The cash a booking of pair_c[i] for pair_p[i] costs: the creator's fee (its deal's for the pair, if
        any) and the product's sample."""
        fee = self.fee[pair_c]
        if len(self.deal_key):
            key = np.asarray(pair_c, dtype=np.int64) * len(self.prod_min) + pair_p
            at = np.searchsorted(self.deal_key, key).clip(max=len(self.deal_key) - 1)
            fee = np.where(self.deal_key[at] == key, self.deal_fee[at], fee)
        return fee + (self.sample[pair_p] if len(self.sample) else 0.0)

    @cached_property
    def pair_cost(self) -> np.ndarray:
        """Each pair's cash cost (what the budgets and the Top-KOL share count)."""
        cost = self.cost(self.pair_c, self.pair_p)
        cost.flags.writeable = False
        return cost

    @property
    def per_yuan(self) -> np.ndarray:
        """Each pair's value per yuan of cost (costs below 1 count as 1)."""
        return self.value / np.maximum(self.pair_cost, 1.0)

    @cached_property
    def _adjacency(self) -> tuple[np.ndarray, np.ndarray]:
        """The conflict graph in compressed rows (built once, vectorised): creator c's neighbours are
        indices[indptr[c]:indptr[c + 1]]."""
        ends = np.concatenate([self.conflicts[:, 0], self.conflicts[:, 1]])
        others = np.concatenate([self.conflicts[:, 1], self.conflicts[:, 0]])
        order = np.argsort(ends, kind="stable")
        indptr = np.zeros(len(self.fee) + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=len(self.fee)), out=indptr[1:])
        return indptr, others[order]

    def neighbours(self, c: int) -> np.ndarray:
        """The creators whose audiences overlap creator c's too much."""
        indptr, indices = self._adjacency
        return indices[indptr[c]:indptr[c + 1]]

    def conflict_pairs(self, among: np.ndarray | None = None) -> np.ndarray:
        """(k, 2) pair indices i < j of the same product whose creators' audiences overlap too much, sorted;
        with `among` (a boolean mask over pairs) only conflicts between those pairs. Creators with no pair
        in `among` are dropped before the join, so a few pairs cost little however many conflicts exist."""
        on = np.ones(self.n_pairs, dtype=bool) if among is None else among
        if len(self.conflicts) == 0 or not on.any():
            return np.zeros((0, 2), dtype=np.int64)
        present = np.zeros(len(self.fee), dtype=bool)
        present[self.pair_c[on]] = True
        links = self.conflicts[present[self.conflicts[:, 0]] & present[self.conflicts[:, 1]]]
        pairs = pd.DataFrame({"c": self.pair_c[on], "p": self.pair_p[on], "i": np.nonzero(on)[0]})
        both = (pd.DataFrame(links, columns=["a", "b"])
                .merge(pairs.rename(columns={"c": "a"}), on="a")
                .merge(pairs.rename(columns={"c": "b", "i": "j"}), on=["b", "p"]))
        found = np.sort(both[["i", "j"]].to_numpy(np.int64), axis=1)
        return found[np.lexsort((found[:, 1], found[:, 0]))]

    def subset(self, keep: np.ndarray) -> Instance:
        """The same campaign with only the pairs where `keep` is true (creators and products unchanged)."""
        rules = tuple(replace(rule, coef=rule.coef[keep]) for rule in self.rules)
        locked = self.locked[keep] if len(self.locked) else self.locked
        position = np.cumsum(keep) - 1  # new index of each kept pair
        both = keep[self.penalty_i] & keep[self.penalty_j]
        return replace(self, pair_c=self.pair_c[keep], pair_p=self.pair_p[keep], value=self.value[keep], rules=rules,
                       locked=locked, penalty_i=position[self.penalty_i[both]],
                       penalty_j=position[self.penalty_j[both]], penalty_w=self.penalty_w[both])


def _limits(series: pd.Series) -> np.ndarray:
    return series.astype("Int64").fillna(NO_LIMIT).to_numpy(int)


def build_instance(data: ProblemData, candidates: pd.DataFrame, conflict_rows: pd.DataFrame,
                   config: Config, outside: pd.DataFrame | None = None, money: bool = True,
                   shared: pd.DataFrame | None = None) -> Instance:
    """The solver's view of the pairs in `candidates`; `outside` (c, p, value, and gmv, commission, views
    when the campaign has money rules): eligible pairs left out of the pool, for the bound only. With
    `money` false, without the money rules (the candidates need no expected GMV, commission and views)."""
    products = data.products
    outside = outside if outside is not None else pd.DataFrame({"c": [], "p": [], "value": []})
    inst = Instance(
        pair_c=candidates["c"].to_numpy(int),
        pair_p=candidates["p"].to_numpy(int),
        value=candidates["value"].to_numpy(float),
        fee=data.fees_paid(),
        top=(data.creators["tier"] == "top_kol").to_numpy(bool),
        capacity=data.creators["max_products"].to_numpy(int),
        prod_min=_limits(products["min_creators"]).clip(0),
        prod_max=_limits(products["max_creators"]),
        prod_min_top=_limits(products["min_top_kol"]).clip(0),
        prod_max_top=_limits(products["max_top_kol"]),
        prod_budget=products["budget"].to_numpy(float),
        prod_brand=pd.factorize(products["brand"].map(norm_category))[0],
        prod_category=pd.factorize(products["category"].map(norm_category))[0],
        conflicts=conflict_rows[["a", "b"]].to_numpy(int).reshape(-1, 2),
        budget=float(config.campaign.budget),
        top_share=float(config.campaign.top_kol_max_share),
        exclusivity=bool(config.campaign.exclusivity),
        creator_ids=tuple(data.creators["creator_id"]),
        product_ids=tuple(products["product_id"]),
        sample=data.sample_costs(),
        outside_c=outside["c"].to_numpy(np.int32),
        outside_p=outside["p"].to_numpy(np.int32),
        outside_value=outside["value"].to_numpy(float),
        **_locks(data, candidates),
        **_deals(data),
        **_penalties(candidates, shared),
        shared_known=shared is not None,
    )
    if not (money and has_money_rules(config)):
        return inst
    return replace(inst, rules=money_rules(config, candidates, inst.pair_cost, outside,
                                           inst.cost(inst.outside_c, inst.outside_p)))


def _penalties(candidates: pd.DataFrame, shared: pd.DataFrame | None) -> dict:
    """The reach objective's penalties: for creators a, b sharing `overlap` of the smaller audience (`shared`:
    a, b, overlap) booked for one product, the views counted twice, overlap x the smaller expected views."""
    if shared is None or not len(shared) or "views" not in candidates:
        return {}
    pairs = pd.DataFrame({"c": candidates["c"].to_numpy(int), "p": candidates["p"].to_numpy(int),
                          "i": np.arange(len(candidates)), "v": candidates["views"].to_numpy(float)})
    parts = []
    for start in range(0, len(shared), SHARED_CHUNK):  # a chunk of creator pairs at a time: memory stays bounded
        both = (shared[["a", "b", "overlap"]].iloc[start:start + SHARED_CHUNK]
                .merge(pairs.rename(columns={"c": "a"}), on="a")
                .merge(pairs.rename(columns={"c": "b", "i": "j", "v": "w"}), on=["b", "p"]))
        i, j = both["i"].to_numpy(np.int64), both["j"].to_numpy(np.int64)
        w = both["overlap"].to_numpy(float) * np.minimum(both["v"], both["w"]).to_numpy(float)
        parts.append(np.stack([np.minimum(i, j), np.maximum(i, j), w], axis=1))
        found = np.concatenate(parts)
        if len(found) > MAX_PENALTIES:  # the largest shared audiences are kept
            found = found[np.argpartition(-found[:, 2], MAX_PENALTIES)[:MAX_PENALTIES]]
        parts = [found]
    found = np.concatenate(parts) if parts else np.zeros((0, 3))
    if not len(found):
        return {}
    return {"penalty_i": found[:, 0].astype(np.int64), "penalty_j": found[:, 1].astype(np.int64),
            "penalty_w": found[:, 2]}


def _deals(data: ProblemData) -> dict:
    """The pairs a deal gives a fee of their own, as Instance.deal_key and deal_fee."""
    if data.deals is None or not len(data.deals):
        return {}
    c = pd.Index(data.creators["creator_id"]).get_indexer(data.deals["creator_id"])
    p = pd.Index(data.products["product_id"]).get_indexer(data.deals["product_id"])
    key = c.astype(np.int64) * data.n_products + p
    order = np.argsort(key)
    return {"deal_key": key[order], "deal_fee": data.pair_terms(c, p)[0][order]}


def _locks(data: ProblemData, candidates: pd.DataFrame) -> dict:
    """The locked pairs among the candidates and the locks that are no candidate; the creators locked for any
    product (product_id ""), and those of them with no candidate."""
    if data.locks is None or not len(data.locks):
        return {}
    locks = data.locks[["creator_id", "product_id"]].astype(str)
    anywhere = locks["product_id"] == ""
    wanted = pd.MultiIndex.from_frame(locks[~anywhere])
    have = pd.MultiIndex.from_arrays([candidates["creator_id"].astype(str), candidates["product_id"].astype(str)])
    creators = pd.unique(locks.loc[anywhere, "creator_id"])
    placed = np.isin(creators, candidates["creator_id"].astype(str).to_numpy())
    positions = pd.Index(data.creators["creator_id"].astype(str)).get_indexer(creators[placed])
    return {"locked": np.asarray(have.isin(wanted), dtype=bool),
            "unplaced_locks": tuple(tuple(pair) for pair in wanted[~wanted.isin(have)]),
            "creator_locks": np.sort(positions).astype(np.int64),
            "unplaced_creator_locks": tuple(creators[~placed])}


def has_money_rules(config: Config) -> bool:
    c = config.campaign
    return c.min_roi > 0 or c.max_cpm > 0 or c.max_commission > 0

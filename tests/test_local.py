"""Local search (plan/local.py): add, replace and swap moves keep every rule and never lower the plan."""

import time

import numpy as np
import pytest

from matchmaker.check import check_plan
from matchmaker.eval.synthetic import synthetic_problem
from matchmaker.pipeline import prepare
from matchmaker.plan.greedy import greedy
from matchmaker.plan.instance import build_instance
from matchmaker.plan.local import improve
from tests.conftest import tiny_instance


def test_a_replace_move_books_the_better_creator():
    # product 0 takes one creator; the plan books c0 (0.2), c1 (0.9) is free and fits once c0 is dropped
    inst = tiny_instance([(0, 0, 0.2), (1, 0, 0.9)], [100, 100], prod_max=[1])
    better = improve(inst, np.array([0]), time.perf_counter() + 5)
    assert better.tolist() == [1]


def test_a_swap_move_exchanges_two_creators_products():
    # c0 is worth more on p1 and c1 on p0; each product takes one creator; the plan has them the other way
    pairs = [(0, 0, 0.5), (0, 1, 0.9), (1, 0, 0.8), (1, 1, 0.3)]
    inst = tiny_instance(pairs, [100, 100], n_products=2, prod_max=[1, 1], capacity=[1, 1])
    better = improve(inst, np.array([0, 3]), time.perf_counter() + 5)  # c0 -> p0, c1 -> p1: 0.8
    assert sorted(better.tolist()) == [1, 2]  # c0 -> p1, c1 -> p0: 1.7


def test_no_move_breaks_a_minimum_or_the_budget():
    # p0 needs one creator; dropping c0 for the better c1 on p1 would leave p0 short; the budget fits one
    pairs = [(0, 0, 0.1), (1, 1, 0.9), (0, 1, 0.2)]
    inst = tiny_instance(pairs, [100, 100], n_products=2, prod_min=[1, 0], budget=100, capacity=[1, 1])
    assert improve(inst, np.array([0]), time.perf_counter() + 5).tolist() == [0]


@pytest.mark.parametrize("n_creators, n_products, seed, campaign", [
    (60, 4, 0, {"exclusivity": True, "top_kol_max_share": 0.5}), (80, 5, 1, {}), (120, 4, 6, {"exclusivity": True})])
def test_local_search_keeps_every_rule_and_never_lowers_the_plan(n_creators, n_products, seed, campaign):
    data, config = synthetic_problem(n_creators, n_products, seed=seed, n_categories=3, conflict_rate=0.05)
    config = config.override(**{f"campaign.{k}": v for k, v in campaign.items()})
    prep = prepare(data, config)
    inst = build_instance(prep.data, prep.candidates, prep.conflicts, config)
    plan, ok = greedy(inst)
    assert ok
    better = improve(inst, plan, time.perf_counter() + 10)
    booked = prep.candidates.iloc[better]
    assert check_plan(booked, prep.data, config) == []  # the independent checker
    assert inst.value[better].sum() >= inst.value[plan].sum() - 1e-12

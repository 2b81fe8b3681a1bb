"""The greedy plan: the solver's hint and the floor it must never fall below. Tiny hand-solved cases."""

import numpy as np

from matchmaker.plan.greedy import greedy
from tests.conftest import tiny_instance


def chosen(inst):
    picked, feasible = greedy(inst)
    return sorted((int(inst.pair_c[i]), int(inst.pair_p[i])) for i in picked), feasible


def test_takes_everything_that_fits_when_nothing_binds():
    inst = tiny_instance([(0, 0, 0.5), (1, 0, 0.6), (2, 0, 0.7)], [100, 100, 100])
    assert chosen(inst) == ([(0, 0), (1, 0), (2, 0)], True)


def test_budget_binds_value_per_yuan_pass_wins():
    # by value alone: c0 (0.9 for 300) fills the budget; by value per yuan: c1 + c2 (0.5 + 0.5 for 300)
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.5), (2, 0, 0.5)], [300, 150, 150], budget=300)
    assert chosen(inst) == ([(1, 0), (2, 0)], True)


def test_budget_loose_value_pass_wins():
    # capacity 1 and one slot: by value per yuan c1 (cheap, 0.3); by value c0 (0.9)
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.3)], [1000, 100], prod_max=[1])
    assert chosen(inst) == ([(0, 0)], True)


def test_minimums_first_even_for_poor_value():
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.1), (0, 1, 0.2)], [100, 100], n_products=2,
                         prod_min=[0, 1])
    # c0 has capacity 1: it goes to p1 to meet its minimum, and p0 gets c1
    assert chosen(inst) == ([(0, 1), (1, 0)], True)


def test_top_kol_minimum_then_the_share_cap_on_later_picks():
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.8), (2, 0, 0.3)], [500, 500, 1000],
                         top=[True, True, False], prod_min_top=[1], top_share=0.5)
    picked, feasible = chosen(inst)
    assert feasible and picked == [(0, 0), (2, 0)]  # one Top-KOL (500 of 1500 spend), not two


def test_share_repair_drops_a_spare_top_kol_taken_for_a_minimum():
    # min 2 creators: k (Top-KOL, best value per yuan) and a are taken first; b then pushes the spend to
    # 500 with k at 300 (60% > 50%): the repair drops k, who was not needed for a Top-KOL minimum
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.2), (2, 0, 0.1)], [300, 100, 100],
                         top=[True, False, False], prod_min=[2], top_share=0.5)
    assert chosen(inst) == ([(1, 0), (2, 0)], True)


def test_reports_infeasible_when_a_minimum_cannot_be_met():
    inst = tiny_instance([(0, 0, 0.5)], [100], prod_min=[2])
    picked, feasible = chosen(inst)
    assert not feasible and picked == [(0, 0)]


def test_never_books_conflicting_creators_together_or_two_brands_in_a_category():
    inst = tiny_instance([(0, 0, 0.9), (1, 0, 0.8), (0, 1, 0.7)], [100, 100], capacity=[2, 1], n_products=2,
                         conflicts=[(0, 1)], brands=[0, 1], exclusivity=True)
    picked, _ = chosen(inst)
    assert picked == [(0, 0)]  # c1 conflicts with c0 on p0; c0 cannot take brand 1 in the same category


def test_empty_instance():
    inst = tiny_instance([], [100])
    picked, feasible = greedy(inst)
    assert len(picked) == 0 and feasible and picked.dtype == np.int64

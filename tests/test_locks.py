"""Locks (bookings every plan must make) and bans (creators no plan may book): in the model, the LP bound,
greedy and the independent checker, and explained when no plan can keep them."""

import pandas as pd
import pytest

from matchmaker import prepare, solve
from matchmaker.check import check_plan
from matchmaker.plan.greedy import greedy
from matchmaker.plan.relax import relax
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config

CREATORS = [creator("a", fee=1000, avg_views=50_000), creator("b", fee=1000, avg_views=40_000),
            creator("c", fee=1000, avg_views=1_000), creator("far", fee=1000, categories="food")]
PRODUCTS = [product("p", price=100, max_creators=2)]


def planned(locks=(), bans=(), budget=100_000, products=PRODUCTS):
    config = quick_config(**{"economics.objective": "gmv", "campaign.budget": budget})
    data = make_data(CREATORS, products, config)
    data = data.replace(locks=pd.DataFrame(list(locks), columns=["creator_id", "product_id"]), bans=tuple(bans))
    return solve(prepare(data, config, HashEmbedder()))


def booked(out) -> list[str]:
    return sorted(out.plan["creator_id"])


def test_a_lock_is_booked_and_a_ban_is_not():
    free = planned()
    assert booked(free) == ["a", "b"]  # the two that sell most
    locked = planned(locks=[("c", "p")])
    assert booked(locked) == ["a", "c"] and locked.result.status == "optimal" and locked.violations() == []
    assert locked.result.objective < free.result.objective
    assert locked.summary()["best_bound"] >= locked.result.objective - 1e-6
    banned = planned(bans=["a"])
    assert booked(banned) == ["b", "c"] and banned.violations() == []


def test_greedy_and_the_lp_bound_keep_the_lock():
    out = planned(locks=[("c", "p")])
    inst = out.instance
    chosen, feasible = greedy(inst)
    assert feasible and inst.locked_pairs[0] in chosen
    lp = relax(inst)
    assert lp.status == "optimal" and lp.x[inst.locked_pairs[0]] == pytest.approx(1.0, abs=1e-3)
    assert out.result.objective <= lp.bound + 1e-6 < relax(planned().instance).bound


def test_the_checker_holds_locks_and_bans_on_its_own():
    out = planned(locks=[("c", "p")], bans=["b"])
    without_lock = out.candidates[out.candidates["creator_id"] == "a"].drop(columns="chosen")
    assert check_plan(without_lock, out.data, out.config) == ["c -> p is locked but not booked"]
    assert "b" not in set(out.candidates["creator_id"])  # never a candidate
    with_ban = pd.DataFrame({"creator_id": ["b", "c"], "product_id": ["p", "p"]})
    assert check_plan(with_ban, out.data, out.config) == ["b is banned but booked for p"]


def test_a_lock_that_cannot_be_kept_is_explained():
    ineligible = planned(locks=[("far", "p")])  # food creator, beauty product
    assert ineligible.result.status == "infeasible"
    assert "far is locked for p, but that pair is not eligible" in str(ineligible.reasons[0])
    too_dear = planned(locks=[("a", "p"), ("b", "p")], budget=1500)
    assert too_dear.result.status == "infeasible"
    text = " ".join(map(str, too_dear.reasons))
    assert "the 2 locked booking(s)" in text and "unlock some bookings" in text


def test_locks_and_bans_from_the_command_line(tmp_path, capsys):
    from matchmaker.cli import main
    from tests.test_cli import tiny_inputs

    creators, products = tiny_inputs(tmp_path)
    out = tmp_path / "plan.csv"
    base = ["-q", "optimize", "--creators", creators, "--products", products, "--budget", "2500", "--out", str(out)]
    assert main([*base, "--lock", "d2:p1"]) == 0
    assert list(pd.read_csv(out)["creator_id"]) == ["d2"]
    assert main([*base, "--ban", "d2"]) == 0
    assert list(pd.read_csv(out)["creator_id"]) == ["d1"]
    out.unlink()
    assert main([*base, "--lock", "d9:p1", "--ban", "nobody", "--lock", "d1:"]) == 2
    err = capsys.readouterr().err
    assert "--lock" in err and "d9:p1" in err and "nobody" in err and "expected creator_id:product_id" in err
    assert not out.exists() and "Traceback" not in err
    assert main([*base, "--lock", "d1:p1", "--lock", "d2:p1"]) == 3  # both cost 3,000 > 2,500
    assert "the 2 locked booking(s)" in capsys.readouterr().err


# A creator locked for any product (a lock without a product): booked somewhere, wherever is best.
TWO = [product("p", price=100, max_creators=2), product("q", price=100, max_creators=2)]


def test_a_creator_locked_for_any_product_is_booked_where_it_is_worth_most():
    free = planned(products=TWO, budget=2000)  # one slot each: a and b, the two that sell most
    assert "c" not in booked(free)
    out = planned(locks=[("c", "")], products=TWO, budget=2000)
    assert "c" in booked(out) and out.violations() == [] and out.result.status == "optimal"
    assert out.result.objective < free.result.objective
    inst = out.instance
    chosen, feasible = greedy(inst)
    assert feasible and (inst.pair_c[chosen] == inst.creator_locks[0]).any()
    assert out.result.objective <= relax(inst).bound + 1e-6 < relax(free.instance).bound
    # the checker, on its own: a plan without c breaks the lock
    without = out.candidates[out.candidates["chosen"] & (out.candidates["creator_id"] != "c")].drop(columns="chosen")
    assert check_plan(without, out.data, out.config) == ["c -> any product is locked but not booked"]


def test_a_creator_locked_for_any_product_with_none_eligible_is_explained():
    out = planned(locks=[("far", "")], products=TWO)
    assert not out.result.has_plan
    assert any("far is locked (for any product), but no product is eligible" in r for r in out.reasons)


def test_the_command_line_locks_a_creator_for_any_product(tmp_path, capsys):
    from matchmaker.cli import main
    from tests.test_cli import tiny_inputs

    creators, products = tiny_inputs(tmp_path)
    out = tmp_path / "plan.csv"
    assert main(["-q", "optimize", "--creators", creators, "--products", products, "--budget", "2500",
                 "--out", str(out), "--lock", "d2"]) == 0
    assert list(pd.read_csv(out)["creator_id"]) == ["d2"]  # the dearer one, as locked

"""What a pilot teaches (fit/pilot.py) on known cases, and `replan` from a pilot results file with the
headers a Compass (罗盘) export writes: keep, extend and drop, the remaining budget, what changed and why."""

import math

import numpy as np
import pandas as pd
import pytest

from matchmaker import prepare
from matchmaker.cli import main
from matchmaker.fit.pilot import Z80, learn, prior_alpha
from matchmaker.inputs.validate import validate_results
from matchmaker.lifecycle.replan import replan
from matchmaker.problems import InputError
from tests.conftest import DATA, HashEmbedder, creator, make_data, product, quick_config


def pilot(rows, n_creators, groups=None, spread=2.0):
    """rows: (creator, views, orders, prior conversion, prior views)."""
    frame = pd.DataFrame(rows, columns=["c", "views", "orders", "mu", "prior_views"])
    groups = np.zeros(n_creators, int) if groups is None else np.asarray(groups)
    return learn(frame, frame["mu"].to_numpy(), frame["prior_views"].to_numpy(), groups, spread)


def test_one_creator_by_hand():
    alpha = prior_alpha(2.0)  # too few creators to estimate how much they differ: from the prior's spread
    s = math.log(2.0) / Z80
    assert alpha == pytest.approx(1 / math.expm1(s * s))
    got = pilot([(0, 10_000, 30, 0.001, 10_000)], 2)  # 10 orders expected, 30 seen
    own = 1 / alpha  # s2: creators of one category differ as the prior's spread says
    stray = own / 4  # nobody booked twice: bookings stray a quarter as much
    tau2 = own / 4  # one category piloted: categories differ a quarter as much
    w = 1 / (1.25 * own + stray + 1 / 10)
    whole = (1 / (1.25 * own) + w * 3.0) / (1 / (1.25 * own) + w)  # M: the creator's ratio 3 beside the prior's 1
    ratio, v = 30 / (whole * 10), own + stray + 1 / (whole * 10)
    category = whole * (1 / tau2 + ratio / v) / (1 / tau2 + 1 / v)
    worth = 1 / (1 + stray * category * 10)  # a straying booking's orders count for fewer Poisson orders
    assert got.alpha == pytest.approx(1 / (own + tau2)) and got.alpha_from == "prior"
    assert got.conversion[0] == pytest.approx(category * (1 / own + 30 * worth) / (1 / own + category * 10 * worth))
    assert got.conversion[1] == pytest.approx(category)  # the other creator borrows its category's
    assert list(got.source) == ["own", "category"]
    # its next booking: what is left unknown of its level, and how far its bookings stray
    assert got.log_sd[0] == pytest.approx(math.sqrt(math.log1p(1 / (1 / own + 30 * worth) + stray)))
    # the other creator: its own spread, and what is left unknown of its category's level
    assert got.log_sd[1] == pytest.approx(math.sqrt(math.log1p(own + 1 / (1 / tau2 + 1 / v))))
    assert got.log_sd[0] < got.log_sd[1]  # narrower for the piloted creator


def test_a_pilot_that_converts_as_expected_changes_nothing():
    got = pilot([(c, 10_000, 10, 0.001, 10_000) for c in range(4)], 6, groups=[0, 0, 1, 1, 2, 2])
    assert got.conversion == pytest.approx(np.ones(6)) and got.views == pytest.approx(np.ones(6))


def test_few_orders_move_a_little_and_many_a_lot():
    # the same ratio, 3x the prior: 1 expected order against 100
    got = pilot([(0, 1_000, 3, 0.001, 1_000), (1, 100_000, 300, 0.001, 100_000)], 2, groups=[0, 1])
    assert 1 < got.conversion[0] < got.conversion[1] < 3
    # (one booking, however large, says less than its orders alone would: bookings stray)
    assert got.evidence.set_index("c").loc[1, "weight"] > 0.75 > 0.5 > got.evidence.set_index("c").loc[0, "weight"]


def test_creators_outside_the_pilot_borrow_from_their_category_else_from_the_whole_pilot():
    rows = [(0, 50_000, 150, 0.001, 50_000), (1, 50_000, 150, 0.001, 50_000), (2, 50_000, 50, 0.001, 50_000)]
    got = pilot(rows, 5, groups=[0, 0, 1, 0, 2])
    assert list(got.source) == ["own", "own", "own", "category", "pilot"]
    assert got.conversion[3] > got.conversion[4] > 1  # category 0 sold 3x; the whole pilot 2.3x


def test_alpha_is_estimated_from_the_pilot_when_it_has_enough_creators():
    rng = np.random.default_rng(0)
    n, true_alpha = 3000, 4.0
    expected = rng.uniform(5, 50, n)
    orders = rng.poisson(expected * rng.gamma(true_alpha, 1 / true_alpha, n))
    got = pilot([(c, e * 1000, o, 0.001, e * 1000) for c, (e, o) in enumerate(zip(expected, orders))], n,
                groups=np.arange(n) % 3)
    assert got.alpha_from == "pilot" and got.alpha == pytest.approx(true_alpha, rel=0.2)


def test_views_move_toward_what_the_pilot_saw():
    got = pilot([(0, 20_000, 20, 0.001, 10_000)], 1)  # twice the views expected, once
    assert got.views[0] == pytest.approx(2 ** 0.5)


def test_a_pilot_replaces_views_that_stood_in_for_a_missing_reach_figure():
    frame = pd.DataFrame([(0, 228_000, 600, 0.001, 2_000), (1, 4_000, 4, 0.001, 2_000)],
                         columns=["c", "views", "orders", "mu", "prior_views"])
    got = learn(frame, frame["mu"].to_numpy(), frame["prior_views"].to_numpy(), np.zeros(2, int), 2.0,
                stand_in=np.array([True, False]))
    assert got.views[0] * 2_000 == pytest.approx(228_000)  # its peers' quartile was a stand-in: the pilot's views
    assert got.views[1] == pytest.approx(2 ** 0.5)  # a real figure: shrunk towards it


def test_a_creator_without_reach_figures_who_sold_in_the_pilot_is_priced_by_what_it_sold(tmp_path):
    creators = [creator(f"d{i}", fee=1000, followers=20_000 + 1000 * i) for i in range(6)]
    creators.append({**creator("blank", fee=1000), "followers": "-"})
    data = make_data(creators, [product("p1", price=100, max_creators=7)], quick_config())
    prepared = prepare(data, quick_config(**{"campaign.budget": 100_000}), HashEmbedder())
    results = validate_results(pd.DataFrame({"creator_id": ["blank"], "product_id": ["p1"], "views": [228_000],
                                             "orders": [600]}), "pilot.csv", data)
    again = replan(prepared, results, "extend")
    row = again.outcome.candidates.set_index("creator_id").loc["blank"]
    repeat = prepared.config.economics.repeat_value  # its pilot pair, booked again, reaches fewer new viewers
    assert row["views"] == pytest.approx(228_000 * repeat) and row["views_from"] == "pilot"
    assert "blank" in set(again.outcome.plan["creator_id"])


CREATORS = [creator(f"d{i}", fee=1000, avg_views=20_000, categories="美妆" if i < 4 else "个护") for i in range(8)]
PRODUCTS = [product("p1", price=100, category="美妆", max_creators=3),
            product("p2", price=100, category="个护", max_creators=3)]


def results_file(tmp_path, rows) -> str:
    headers = ["达人抖音号", "商品ID", "视频播放量", "商品点击次数", "成交订单数", "成交金额(元)"]
    frame = pd.DataFrame(rows, columns=headers)
    path = tmp_path / "罗盘-达人带货.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_the_results_file_is_read_by_its_chinese_headers_and_bad_rows_are_named(tmp_path):
    config = quick_config()
    data = make_data(CREATORS, PRODUCTS, config)
    path = results_file(tmp_path, [["d0", "p1", "2.1万", 600, 90, 9000], ["d0", "p1", 1000, 10, 2, 200]])
    from matchmaker.io.read import read_table

    got = validate_results(read_table(path), "罗盘-达人带货.csv", data)
    assert got[["creator_id", "product_id", "views", "orders", "gmv"]].values.tolist() == \
        [["d0", "p1", 22_000.0, 92.0, 9200.0]]  # the two videos of one booking, added up
    bad = results_file(tmp_path, [["d0", "p1", 1000, 10, 2, 200], ["nobody", "p1", "many", 1, 1, 1]])
    with pytest.raises(InputError) as caught:
        validate_results(read_table(bad), "罗盘-达人带货.csv", data)
    where = {(p.row, p.column) for p in caught.value.problems}
    assert where == {(3, "creator_id"), (3, "views")}


def _replanned(tmp_path, mode):
    config = quick_config(**{"economics.objective": "gmv", "campaign.budget": 6000})
    data = make_data(CREATORS, PRODUCTS, config)
    prepared = prepare(data, config, HashEmbedder())
    from matchmaker.io.read import read_table

    # d5 (个护) sold 5x the prior; d0 (美妆) sold nothing
    rows = [["d5", "p2", 20_000, 500, 200, 20_000], ["d0", "p1", 20_000, 500, 0, 0]]
    results = validate_results(read_table(results_file(tmp_path, rows)), "pilot.csv", data)
    return replan(prepared, results, mode)


@pytest.mark.parametrize("mode", ["keep", "extend", "drop"])
def test_replan_plans_the_rest_of_the_budget_as_the_mode_says(tmp_path, mode):
    again = _replanned(tmp_path, mode)
    out = again.outcome
    assert again.pilot_spend == 2000 and out.config.campaign.budget == 4000  # two fees of 1,000 spent
    assert out.result.has_plan and out.violations() == []
    booked = set(zip(out.plan["creator_id"], out.plan["product_id"]))
    if mode == "keep":
        assert {("d5", "p2"), ("d0", "p1")} <= booked
    elif mode == "drop":
        assert not {"d5", "d0"} & {c for c, _ in booked}
    else:
        assert ("d5", "p2") in booked and "d0" not in {c for c, _ in booked}  # the pilot's winner, not its loser
    why = " ".join(again.changes["why"])
    assert "d5: " in why and "conversion in the pilot against" in why
    from matchmaker.report.i18n import say

    assert all("试投" in say("zh", line) for line in again.changes["why"])  # the sentences translate


def test_replan_from_the_command_line_writes_the_plan_and_the_changes(tmp_path, capsys):
    rows = [["dy10007", "P01", 50_000, 900, 400, 40_000]]
    out, changes = tmp_path / "scale.csv", tmp_path / "changes.csv"
    code = main(["-q", "replan", "--config", str(DATA / "campaign.toml"), "--objective", "gmv", "--time-limit", "5",
                 "--results", results_file(tmp_path, rows), "--out", str(out), "--changes", str(changes)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "Pilot: 1 bookings" in err and "dy10007: " in err and "Traceback" not in err
    plan, table = pd.read_csv(out), pd.read_csv(changes)
    assert "dy10007" in set(table["creator_id"]) and len(plan) > 10


def test_pairs_left_out_of_the_pool_are_priced_as_the_pilot_taught(tmp_path):
    """On a very large campaign the pairs outside the pool enter the bound's money rows: after a pilot, with
    its figures, not the prior's."""
    from dataclasses import replace

    from matchmaker.fit.economics import economics
    from matchmaker.lifecycle.replan import repriced
    from matchmaker.pipeline import _outside_money

    again = _replanned(tmp_path, "extend")
    prepared = prepare(again.outcome.data, again.outcome.config.override(**{"campaign.min_roi": 1.0}), HashEmbedder())
    pairs = prepared.candidates
    outside = pd.DataFrame({"c": pairs["c"], "p": pairs["p"], "value": pairs["value"], "fit": pairs["fit"]})
    taught = repriced(replace(prepared, outside=outside), again.learned)
    got = _outside_money(taught, taught.config)
    want = economics(prepared.data, taught.config, pairs["c"].to_numpy(), pairs["p"].to_numpy(),
                     pairs["fit"].to_numpy(), again.learned)
    assert got["gmv"].to_numpy() == pytest.approx(want["gmv"].to_numpy())
    assert not np.allclose(got["gmv"], _outside_money(replace(prepared, outside=outside), taught.config)["gmv"])


@pytest.fixture(scope="module")
def campaign():
    config = quick_config(**{"economics.objective": "gmv", "campaign.budget": 40_000})
    creators = [creator(f"d{i}", fee=1000 + 700 * (i % 5), avg_views=8_000 * (1 + i % 4),
                        categories=["美妆", "个护", "母婴"][i % 3]) for i in range(30)]
    products = [product("p1", price=100, category="美妆", min_creators=2, max_creators=8),
                product("p2", price=60, category="个护", min_creators=1, max_creators=8),
                product("p3", price=80, category="母婴", min_creators=1, max_creators=8)]
    return prepare(make_data(creators, products, config), config, HashEmbedder())


def test_the_pilot_tests_the_scale_ups_creators_in_every_category_it_buys(campaign):
    from matchmaker.lifecycle.pilot import design

    got = design(campaign, 0.25)
    pilot, scale_up = got.outcome.plan, got.scale_up.plan
    assert got.outcome.is_feasible() and 0 < pilot["cash"].sum() <= 0.25 * 40_000
    assert set(pilot["c"]) <= set(scale_up["c"])  # it tests what the scale-up would buy
    categories = campaign.data.creators["categories"].map(lambda cats: cats[0])
    assert set(categories.iloc[scale_up["c"]]) == set(categories.iloc[pilot["c"]])
    assert len(got.reasons) == len(pilot) and got.reasons["learn"].map(str).str.contains("tests").all()
    # the cheapest booking of each tested creator
    cheapest = campaign.candidates.groupby("c")["cash"].min()
    assert (pilot["cash"].to_numpy() == cheapest.loc[pilot["c"]].to_numpy()).all()
    assert set(got.untested["creator_id"]) == set(campaign.data.creators["creator_id"].iloc[
        sorted(set(scale_up["c"]) - set(pilot["c"]))])


def test_the_pilot_share_is_sized_by_test_and_roll():
    from matchmaker.lifecycle.pilot import SHARE_RANGE, sized_share

    assert sized_share(60) == pytest.approx(2 * (math.sqrt(60 / 4 + 9 / 16) - 0.75) / 60)
    assert sized_share(1) == SHARE_RANGE[1] and sized_share(100_000) == SHARE_RANGE[0]


def test_waves_spend_an_even_share_and_the_last_meets_the_minimums(campaign):
    from matchmaker.eval.market import results_of, world

    results = results_of(campaign, world(campaign, 0), campaign.candidates.drop_duplicates("c").head(3),
                         np.random.default_rng(0), 0)
    spent = results["spend"].sum()
    first = replan(campaign, results, waves=3)
    assert first.budget == pytest.approx((40_000 - spent) / 3)
    assert first.outcome.is_feasible() and first.outcome.plan["cash"].sum() <= first.budget + 1e-6
    assert any("wave plan" in str(n) for n in first.notes)
    seen = pd.concat([results, results_of(campaign, world(campaign, 0), first.outcome.plan,
                                          np.random.default_rng(1), 1, results)], ignore_index=True)
    last = replan(campaign, seen, waves=1)
    assert last.outcome.is_feasible()
    everything = pd.concat([seen[["c", "p"]], last.outcome.plan[["c", "p"]]]).drop_duplicates()
    made = everything.groupby("p").size().reindex(range(3), fill_value=0).to_numpy()
    assert (made >= campaign.data.products["min_creators"].to_numpy()).all()


def test_a_pair_booked_again_is_priced_as_a_repeat(campaign):
    from matchmaker.lifecycle.replan import repriced, taught

    results = campaign.candidates.head(2).assign(views=10_000.0, orders=20.0, spend=1000.0, wave=0.0)
    learned = taught(campaign, results)[0]
    fresh = repriced(campaign, learned).candidates
    again = repriced(campaign, learned, results).candidates
    repeat = campaign.config.economics.repeat_value
    assert again["gmv"].iloc[:2].to_numpy() == pytest.approx(repeat * fresh["gmv"].iloc[:2].to_numpy())
    assert again["gmv"].iloc[2:].to_numpy() == pytest.approx(fresh["gmv"].iloc[2:].to_numpy())


def test_refunds_are_taken_off_and_unsettled_results_are_refused(tmp_path):
    config = quick_config()
    data = make_data([creator("a"), creator("b")], [product("p1")], config)
    frame = pd.DataFrame({"达人id": ["a", "a", "b"], "商品id": ["p1"] * 3, "播放量": [1000, 500, 800],
                          "成交订单数": [10, 5, 4], "退款订单数": [2, None, 1], "发布日期": ["2026-11-01", "2026-11-02",
                                                                                      "2026-12-04"]})
    got = validate_results(frame, "罗盘.csv", data, as_of=pd.Timestamp("2026-12-07"))
    assert got.set_index("creator_id")["orders"].to_dict() == {"a": 13.0, "b": 3.0}
    assert got.set_index("creator_id")["days"].to_dict() == {"a": 35.0, "b": 3.0}
    with pytest.raises(InputError) as err:
        validate_results(frame, "罗盘.csv", data, maturity=7, as_of=pd.Timestamp("2026-12-07"))
    text = str(err.value)
    assert "罗盘.csv, row 4" in text and "T+7" in text and "2026-12-11" in text


def test_waves_are_told_apart_in_the_results():
    config = quick_config()
    data = make_data([creator("a")], [product("p1")], config)
    frame = pd.DataFrame({"creator_id": ["a", "a"], "product_id": ["p1", "p1"], "views": [100, 200],
                          "orders": [1, 2], "wave": [0, 1]})
    got = validate_results(frame, "r.csv", data)
    assert list(got["wave"]) == [0.0, 1.0] and list(got["views"]) == [100.0, 200.0]


def test_pilot_from_the_command_line_writes_what_each_booking_is_there_to_learn(tmp_path, capsys):
    out, summary = tmp_path / "pilot.csv", tmp_path / "pilot.json"
    code = main(["-q", "pilot", "--config", str(DATA / "campaign.toml"), "--objective", "gmv", "--time-limit", "5",
                 "--share", "0.1", "--out", str(out), "--summary-json", str(summary), "--store", ""])
    err = capsys.readouterr().err
    assert code == 0, err
    plan = pd.read_csv(out)
    assert plan["learn"].str.startswith("tests ").all() and (plan["stake"] > 0).all()
    assert plan["cash"].sum() <= 0.1 * 1_200_000
    assert "Pilot: 10% of the budget (as given" in err and "untested" in err and "Traceback" not in err


def test_a_wave_from_the_command_line_spends_its_share_and_unsettled_results_are_refused(tmp_path, capsys):
    rows = [["dy10007", "P01", 50_000, 900, 400, 40_000]]
    path = results_file(tmp_path, rows)
    frame = pd.read_csv(path).assign(发布日期="2026-12-05")
    frame.to_csv(path, index=False)
    out = tmp_path / "wave.csv"
    args = ["-q", "replan", "--config", str(DATA / "campaign.toml"), "--objective", "gmv", "--time-limit", "5",
            "--results", path, "--out", str(out), "--store", "", "--as-of", "2026-12-07"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "row 2" in err and "T+7, on 2026-12-12 or later" in err and not out.exists()
    assert main([*args, "--maturity", "0", "--waves", "3"]) == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    assert 0 < plan["cash"].sum() <= 1_200_000 / 3
    store = str(tmp_path / "runs.duckdb")  # a wave follows the pilot's run: its parent in the history
    base = ["-q", "pilot", "--config", str(DATA / "campaign.toml"), "--objective", "gmv", "--time-limit", "5",
            "--share", "0.05", "--out", str(tmp_path / "pilot.csv"), "--store", store]
    assert main(base) == 0
    wave = [a if a != "" else store for a in args] + ["--maturity", "0", "--waves", "2", "--after", "last"]
    assert main(wave) == 0, capsys.readouterr().err
    from matchmaker.io.store import Store

    runs = Store(store).runs()
    assert len(runs) == 2 and runs["parent"].iloc[0] == runs["run_id"].iloc[1], runs


def test_how_far_posts_stray_is_learned_between_and_within_creators():
    rng = np.random.default_rng(0)
    rows = []
    for c in range(60):  # creators 0.5 log-sd apart, each post 0.3 apart from its creator's
        level = rng.normal(0, 0.5)
        rows += [(c, 10_000 * math.exp(level + rng.normal(0, 0.3)), 10, 0.001, 10_000) for _ in range(3)]
    got = pilot(rows, 61)
    assert got.views_sd[60] == pytest.approx(math.sqrt(0.5 ** 2 + 0.3 ** 2), rel=0.15)  # a creator not seen
    assert got.views_sd[0] == pytest.approx(math.sqrt(0.3 ** 2 + 0.5 ** 2 / 4), rel=0.2)  # seen three times
    assert pilot(rows[:3], 2).views_sd is None  # too few bookings to say


def test_how_far_one_booking_of_a_creator_strays_from_another_is_learned():
    from matchmaker.fit.pilot import _between_bookings

    rng = np.random.default_rng(1)
    c = np.repeat(np.arange(200), 3)
    expected = np.full(len(c), 400.0)
    level = np.exp(rng.normal(0, 0.8, 200))[c]  # creators differ a lot; each booking strays by 0.3 log-sd
    orders = rng.poisson(expected * level * np.exp(rng.normal(-0.045, 0.3, len(c)))).astype(float)
    found, measured = _between_bookings(c, orders, expected, 1.0)
    assert measured and found == pytest.approx(math.expm1(0.09), rel=0.25)
    assert _between_bookings(np.arange(4), orders[:4], expected[:4], 1.0) == (0.25, False)  # nobody booked twice


def test_the_lessons_are_judged_on_creators_they_did_not_see():
    from matchmaker.fit.pilot import held_out

    rng = np.random.default_rng(0)
    n = 40
    groups = np.arange(n) % 4
    truth = np.array([3.0, 1.0, 0.5, 1.0])[groups]  # categories differ: what an untested creator can borrow
    views = np.full(n, 50_000.0)
    frame = pd.DataFrame({"c": np.arange(n), "views": views,
                          "orders": rng.poisson(views * 0.001 * truth).astype(float)})
    got = held_out(frame, np.full(n, 0.001), views, groups, 2.0)
    assert got["creators"] == n and got["learned_deviance"] < got["prior_deviance"] and got["saved"] > 0.5
    flat = frame.assign(orders=rng.poisson(views * 0.001).astype(float))  # nothing to learn: no better
    assert held_out(flat, np.full(n, 0.001), views, groups, 2.0)["saved"] < 0.1
    assert held_out(frame.head(6), np.full(6, 0.001), views[:6], groups, 2.0) is None

"""What a booking is expected to sell and cost (fit/economics.py), worked by hand; each pricing model; the
objective the plan maximises; and the independent checker counting the same money."""

import math
from dataclasses import replace

import numpy as np
import pytest

from matchmaker import prepare, solve
from matchmaker.check import check_plan
from matchmaker.fit.economics import economics
from matchmaker.problems import InputError
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config


def figures(creators, products, config=None, fit=0.5):
    config = config or quick_config()
    data = make_data(creators, products, config)
    n = len(creators)
    return economics(data, config, np.arange(n), np.zeros(n, int), np.full(n, fit))


def test_a_flat_fee_alliance_booking_by_hand():
    # 20,000 views x 0.002 orders per view = 40 orders x ¥100 = ¥4,000 GMV; fee ¥1,000 less a 10% rebate
    row = figures([creator("a", fee=1000, avg_views=20_000, rebate="10%", pricing="一口价")],
                  [product("p", price=100, commission_rate="20%", sample_cost=30, margin="40%")]).iloc[0]
    assert row["views"] == 20_000 and row["conversion"] == pytest.approx(0.002) and row["orders"] == pytest.approx(40)
    assert row["gmv"] == pytest.approx(4000) and row["fee_paid"] == pytest.approx(900)
    assert row["commission"] == 0  # a flat deal: the product's commission rate does not apply
    assert row["cash"] == pytest.approx(930) and row["cost"] == pytest.approx(930)
    assert row["profit"] == pytest.approx(4000 * 0.4 - 930) and row["roi"] == pytest.approx(4000 / 930)
    # spread 2 (80% within x/÷2), and the Poisson spread of 40 orders
    sd = math.sqrt((math.log(2) / 1.2816) ** 2 + math.log1p(1 / 40))
    assert row["gmv_low"] == pytest.approx(4000 * math.exp(-1.2816 * sd), rel=1e-3)
    assert row["gmv_high"] == pytest.approx(4000 * math.exp(1.2816 * sd), rel=1e-3)


def test_commission_only_pays_no_fee_and_fee_plus_commission_pays_both():
    products = [product("p", price=200, commission_rate="20%")]
    only, both = figures([creator("a", fee=5000, avg_views=10_000, pricing="纯佣"),
                          creator("b", fee=5000, avg_views=10_000, pricing="坑位费+佣金", commission_rate="25%")],
                         products).to_dict("records")
    gmv = 10_000 * 0.002 * (200 / 100) ** -0.3 * 200  # the price moves conversion: (price / 100) ^ -0.3
    assert only["gmv"] == pytest.approx(gmv, rel=1e-6) and only["fee_paid"] == 0
    assert only["commission"] == pytest.approx(0.2 * gmv, rel=1e-6)  # the product's rate
    assert both["fee_paid"] == 5000 and both["commission"] == pytest.approx(0.25 * gmv, rel=1e-6)  # the creator's
    assert both["cost"] == pytest.approx(5000 + 0.25 * gmv, rel=1e-6)


def test_top_kols_fit_and_the_category_prior_move_conversion():
    config = replace(quick_config(), conversion={"beauty": 0.01})
    rows = figures([creator("a", avg_views=1000), creator("t", avg_views=1000, tier="top_kol")],
                   [product("p", price=100)], config, fit=1.0)
    lift = math.exp(0.5)  # fit 1: x e^(1 x (1 - 0.5))
    assert rows["conversion"].tolist() == pytest.approx([0.01 * lift, 0.01 * 0.7 * lift])
    given = figures([creator("a", avg_views=1000)], [product("p", price=100, conversion_rate="3%")], config)
    assert given["conversion"].iloc[0] == pytest.approx(0.03)  # the product's own rate wins


def test_views_come_from_followers_by_tier_when_average_views_are_unknown():
    rows = figures([creator("a"), creator("t", tier="top_kol")], [product("p", price=100)])
    assert rows["views"].tolist() == [10_000 * 0.1, 10_000 * 0.05]


def test_an_unknown_pricing_label_is_named_with_its_row():
    from matchmaker.problems import InputError

    with pytest.raises(InputError) as caught:
        make_data([creator("a"), creator("b", pricing="barter")], [product("p")])
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("creators.csv", 3, "pricing")
    assert "flat, commission, fee+commission" in problem.message


def _solved(objective, creators, products, budget, **rules):
    config = quick_config(**{"economics.objective": objective, "campaign.budget": budget,
                             **{f"campaign.{k}": v for k, v in rules.items()}})
    data = make_data(creators, products, config)
    return solve(prepare(data, config, HashEmbedder()))


CREATORS = [creator("cheap", fee=1000, avg_views=5_000), creator("big", fee=9000, avg_views=200_000),
            creator("mid", fee=4000, avg_views=30_000)]


def test_the_objective_decides_what_the_plan_maximises():
    products = [product("p", price=100, max_creators=1)]
    by_gmv = _solved("gmv", CREATORS, products, 10_000)
    assert list(by_gmv.plan["creator_id"]) == ["big"]  # sells the most
    assert by_gmv.result.objective == pytest.approx(by_gmv.plan["gmv"].sum())
    info = by_gmv.summary()
    assert info["objective_kind"] == "gmv"
    assert info["expected"]["gmv"] == pytest.approx(by_gmv.result.objective, rel=1e-6)
    assert info["expected"]["roi"] == pytest.approx(info["expected"]["gmv"] / info["expected"]["cost"], rel=1e-3)
    by_profit = _solved("profit", CREATORS, [product("p", price=100, max_creators=3, margin="50%")], 100_000)
    assert (by_profit.candidates["profit"] < 0).sum() == 2  # cheap and mid sell too little for their fees
    assert list(by_profit.plan["creator_id"]) == ["big"]  # a booking that loses money is never taken for nothing
    assert by_profit.result.objective == pytest.approx(by_profit.plan["profit"].sum())


def test_the_budget_pays_fees_after_rebates_and_samples_and_the_checker_counts_the_same():
    creators = [creator("a", fee=1000, rebate="50%", avg_views=9_000), creator("b", fee=600, avg_views=1_000)]
    products = [product("p", price=100, sample_cost=100)]
    out = _solved("fit", creators, products, 700)  # a: 500 + 100 fits; b: 600 + 100 fits; not both
    booked = set(out.plan["creator_id"])
    assert len(booked) == 1 and out.summary()["budget_used"] == pytest.approx(600 if booked == {"a"} else 700)
    both = out.candidates.drop(columns="chosen")  # booking both: 600 + 700 = 1,300 > 700
    violations = check_plan(both, out.data, out.config)
    assert any("above the budget" in v for v in violations)
    within = check_plan(out.candidates.drop(columns="chosen")[lambda f: f["creator_id"] == "a"], out.data,
                        out.config.override(**{"campaign.budget": 600}))
    assert within == []  # 1,000 x (1 - 50%) + 100 = 600: exactly the budget


def test_a_commission_only_creator_without_a_quote_can_be_booked():
    creators = [creator("a", fee="-", pricing="commission", avg_views=9_000)]
    out = _solved("gmv", creators, [product("p", price=100, commission_rate="10%")], 0)
    assert list(out.plan["creator_id"]) == ["a"] and out.summary()["budget_used"] == 0
    assert out.summary()["expected"]["commission"] == pytest.approx(0.1 * out.plan["gmv"].sum(), rel=1e-6)


def _all_three(out):
    return out.candidates.drop(columns="chosen")


@pytest.mark.parametrize("rule, limit, figure", [("min_roi", 4.0, "roi"), ("max_cpm", 50.0, "cpm")])
def test_a_roi_floor_and_a_cpm_ceiling_change_the_plan_and_the_checker_holds_them(rule, limit, figure):
    products = [product("p", price=100, max_creators=3)]
    free = _solved("fit", CREATORS, products, 100_000)
    assert len(free.plan) == 3  # all three, whatever they sell
    before = free.summary()["expected"][figure]
    assert before < limit if rule == "min_roi" else before > limit  # the rule binds
    out = _solved("fit", CREATORS, products, 100_000, **{rule: limit})
    after = out.summary()["expected"][figure]
    assert out.result.status == "optimal" and 0 < len(out.plan) < 3
    assert after >= limit if rule == "min_roi" else after <= limit
    assert out.violations() == []
    broken = check_plan(_all_three(free), out.data, out.config)  # the free plan, under the rule
    assert len(broken) == 1 and ("below the floor" in broken[0] if rule == "min_roi" else "above the ceiling"
                                 in broken[0]), broken


def test_a_commission_cap_limits_the_expected_commission():
    creators = [replace_pricing(c) for c in CREATORS]
    products = [product("p", price=100, max_creators=3, commission_rate="20%")]
    free = _solved("gmv", creators, products, 100_000)
    paid = free.summary()["expected"]["commission"]
    out = _solved("gmv", creators, products, 100_000, max_commission=paid / 2)
    assert out.result.status == "optimal" and out.summary()["expected"]["commission"] <= paid / 2
    assert out.violations() == [] and out.result.objective < free.result.objective
    assert any("above the cap" in v for v in check_plan(_all_three(free), out.data, out.config))


def replace_pricing(row: dict) -> dict:
    return {**row, "pricing": "commission"}


def test_a_roi_floor_no_plan_can_meet_is_explained_with_what_to_relax():
    out = _solved("fit", CREATORS, [product("p", price=100, min_creators=3)], 100_000, min_roi=4.0)
    assert out.result.status == "infeasible" and not out.result.has_plan
    text = " ".join(str(r) for r in out.reasons)
    assert "an expected ROI of at least 4" in text and "lower the ROI floor (min_roi)" in text


def test_an_unknown_price_leaves_the_orders_as_the_prior_says_and_the_gmv_unknown():
    row = figures([creator("a", avg_views=10_000)], [product("p")]).iloc[0]
    assert row["orders"] == pytest.approx(10_000 * 0.002) and row["gmv"] == 0


def test_the_deletion_filter_names_the_rule_families_in_conflict():
    from matchmaker.plan.explain import conflicting_families

    out = _solved("fit", CREATORS, [product("p", price=100, min_creators=3)], 100_000, min_roi=4.0)
    assert conflicting_families(out.instance) == ["min_creators", "min_roi"]
    relaxed = _solved("fit", CREATORS, [product("p", price=100, min_creators=2)], 100_000, min_roi=4.0)
    assert relaxed.result.has_plan  # dropping either family is enough: 2 creators (big, cheap) reach ROI 4


def test_price_bands_in_the_config_set_conversion_by_price():
    from matchmaker.config import dump_config, parse_config
    from matchmaker.problems import InputError

    config = parse_config('[price_bands]\n"0-100" = 1.5\n"300+" = 0.5\n')
    assert config.price_bands == {(0.0, 100.0): 1.5, (300.0, math.inf): 0.5}
    rows = figures([creator("a", avg_views=10_000)] * 1, [product("p", price=80)], config)
    assert rows["conversion"].iloc[0] == pytest.approx(0.002 * 1.5)  # the band, not (80 / 100) ^ -0.3
    for price, factor in ((500, 0.5), (200, (200 / 100) ** -0.3)):  # a band; no band: the elasticity
        row = figures([creator("a", avg_views=10_000)], [product("p", price=price)], config).iloc[0]
        assert row["conversion"] == pytest.approx(0.002 * factor)
    assert parse_config(dump_config(config)).price_bands == config.price_bands  # saved and read back
    with pytest.raises(InputError) as caught:
        parse_config('[price_bands]\n"cheap" = 1.5\n"0-100" = -1\n')
    assert len(caught.value.problems) == 2


def test_a_plans_range_is_its_bookings_summed_as_log_normals():
    import math

    from matchmaker.fit.economics import Z80, total_range

    sd = 0.6  # one booking: its own log-normal range
    low, high = total_range(np.array([1000.0]), np.array([1000.0 * math.exp(Z80 * sd)]), np.zeros(1), np.zeros(1))
    median = 1000.0 * math.exp(-sd * sd / 2)
    assert (low, high) == pytest.approx((median * math.exp(-Z80 * sd), median * math.exp(Z80 * sd)))
    gmv = np.full(40, 1000.0)
    high = gmv * math.exp(Z80 * sd)
    apart = total_range(gmv, high, np.full(40, 0.3), np.arange(40))
    together = total_range(gmv, high, np.full(40, 0.3), np.zeros(40))
    assert apart[1] / apart[0] < together[1] / together[0] < math.exp(2 * Z80 * sd)  # independent ones average out
    rng = np.random.default_rng(0)  # and it holds about 80% of totals drawn that way
    value = rng.lognormal(8, 1, 60)
    group = rng.integers(0, 6, 60)
    shared = 0.35
    low, high = total_range(value, value * math.exp(Z80 * sd), np.full(60, shared), group)
    own = math.sqrt(sd * sd - shared * shared)
    z = shared * rng.standard_normal((4000, 6))[:, group] + own * rng.standard_normal((4000, 60))
    totals = (value * np.exp(z - sd * sd / 2)).sum(axis=1)
    assert 0.75 <= float(((totals >= low) & (totals <= high)).mean()) <= 0.85


def test_a_creators_sales_history_moves_its_conversion_against_its_peers():
    from matchmaker.fit.economics import HISTORY_WEIGHT, economics

    config = quick_config(**{"economics.objective": "gmv"})
    creators = [creator("strong", gpm="20w-80w", avg_views=10_000), creator("mid", gpm="10w", avg_views=10_000),
                creator("weak", gpm="2.5w", avg_views=10_000), creator("blank", gpm="暂无", avg_views=10_000)]
    data = make_data(creators, [product("p", price=100)], config)
    assert data.creators["gpm"].iloc[0] == pytest.approx(400_000)  # a range: its middle
    money = economics(data, config, np.arange(4), np.zeros(4, int), np.full(4, 0.5))
    conversion = money["conversion"].to_numpy()
    assert conversion[0] / conversion[1] == pytest.approx(4 ** HISTORY_WEIGHT)  # the median is "mid"
    assert conversion[2] / conversion[1] == pytest.approx(0.25 ** HISTORY_WEIGHT)
    assert conversion[3] == pytest.approx(conversion[1])  # no history: the prior as it was
    assert list(money["conversion_from"].astype(str)) == ["default + history"] * 3 + ["default"]


def test_sales_history_cells_as_people_write_them_are_read_or_named():
    config = quick_config()
    creators = [creator("a", sales_30d="10w-25w", sales_conversion="3.5%"), creator("b", sales_30d="1000w+"),
                creator("c", sales_30d="很多")]
    with pytest.raises(InputError) as err:
        make_data(creators, [product("p")], config)
    assert "row 4" in str(err.value) and "sales_30d" in str(err.value)
    data = make_data(creators[:2], [product("p")], config)
    assert data.creators["sales_30d"].tolist() == pytest.approx([math.sqrt(1e5 * 2.5e5), 1e7])
    assert data.creators["sales_conversion"].iloc[0] == pytest.approx(0.035)


def test_returns_and_the_platform_fee_come_off_the_settled_gmv():
    config = quick_config(**{"economics.objective": "profit", "economics.service_fee": 0.05,
                             "economics.return_rate": 0.1})
    creators = [creator("a", fee=1000, avg_views=100_000, commission_rate="20%")]
    data = make_data(creators, [product("dress", price=100, return_rate="40%", margin=0.5),
                                product("tea", price=100, margin=0.5)], config)
    money = economics(data, config, np.zeros(2, int), np.arange(2), np.full(2, 0.5))
    gmv = money["gmv"].to_numpy()
    assert gmv[0] == pytest.approx(gmv[1])  # returns do not change what is paid ...
    settled = gmv * np.array([0.6, 0.9])  # ... but the product's, else the campaign's, share is refunded
    assert money["commission"].to_numpy() == pytest.approx(0.2 * settled)
    assert money["profit"].to_numpy() == pytest.approx(settled * (0.5 - 0.05) - 1000 - 0.2 * settled)


def test_conservative_prefers_many_expected_orders_before_any_pilot():
    # two bookings of the same expected GMV for the same fee: 4 orders of a ¥1,000 product, or 400 of a ¥10 one;
    # the few orders are the riskier, so a plan for the low end books the many (as expected, the two tie)
    config = quick_config(**{"economics.objective": "gmv", "economics.conservative": True, "campaign.budget": 1000,
                             "economics.price_elasticity": 0.0})
    creators = [creator("few", fee=1000, avg_views=2_000, categories="a"),
                creator("many", fee=1000, avg_views=200_000, categories="b")]
    products = [product("dear", price=1000, category="a"), product("cheap", price=10, category="b")]
    data = make_data(creators, products, config)
    money = economics(data, config, np.arange(2), np.arange(2), np.full(2, 0.5))
    assert money["gmv"].iloc[0] == pytest.approx(money["gmv"].iloc[1], rel=0.05)
    assert money["gmv_low"].iloc[1] > money["gmv_low"].iloc[0]
    out = solve(prepare(data, config, HashEmbedder()))
    assert list(out.plan["creator_id"]) == ["many"]

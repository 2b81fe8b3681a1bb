"""Deal terms per creator and product (data.deals): the pair's own fee, pricing, commission and rebate over
the creator's, in the economics, the budget and the independent checker; bad rows named."""

import pandas as pd
import pytest

from matchmaker import prepare, solve
from matchmaker.check import check_plan
from matchmaker.fit.economics import economics
from matchmaker.inputs.validate import validate_deals
from matchmaker.problems import InputError
from tests.conftest import HashEmbedder, creator, make_data, product, quick_config

CREATORS = [creator("a", fee=5000, avg_views=20_000), creator("b", fee="-", avg_views=20_000)]
PRODUCTS = [product("p", price=100, commission_rate="10%"), product("q", price=100, brand="C")]
DEALS = pd.DataFrame({"达人ID": ["a", "b"], "商品ID": ["p", "q"], "坑位费": ["¥2,000", "3000"],
                      "合作方式": ["坑位费+佣金", ""], "佣金率": ["25%", ""], "返点": ["", "10%"]})


def with_deals(config, deals=DEALS):
    data = make_data(CREATORS, PRODUCTS, config)
    return data.replace(deals=validate_deals(deals, "deals.csv", data))


def test_a_deal_sets_the_pairs_terms_and_the_creators_hold_elsewhere():
    config = quick_config()
    data = with_deals(config)
    rows = economics(data, config, pd.Series([0, 0, 1]).to_numpy(), pd.Series([0, 1, 1]).to_numpy(),
                     pd.Series([0.5, 0.5, 0.5]).to_numpy())
    deal, own, quoted = rows.to_dict("records")
    assert deal["fee_paid"] == 2000 and deal["commission"] == pytest.approx(0.25 * deal["gmv"])
    assert own["fee_paid"] == 5000 and own["commission"] == pytest.approx(0.0)  # q has no rate, a none of its own
    assert quoted["fee_paid"] == pytest.approx(2700)  # b has no quote: its deal's, less the 10% rebate


def test_the_budget_and_the_checker_count_the_deal():
    config = quick_config(**{"campaign.budget": 5000, "economics.objective": "gmv"})
    data = with_deals(config)
    out = solve(prepare(data, config, HashEmbedder()))
    booked = set(zip(out.plan["creator_id"], out.plan["product_id"]))
    assert ("b", "p") not in set(zip(out.candidates["creator_id"], out.candidates["product_id"]))  # no quote for p
    assert booked == {("a", "p"), ("b", "q")}  # 2,000 + 2,700 fit in 5,000; a's own 5,000 for q would not
    assert out.violations() == [] and out.summary()["budget_used"] == pytest.approx(4700)
    over = check_plan(pd.DataFrame({"creator_id": ["a", "b"], "product_id": ["q", "q"]}), data, config)
    assert any("above the budget" in v for v in over)  # 5,000 + 2,700 > 5,000, derived by the checker itself


def test_bad_deal_rows_are_named():
    config = quick_config()
    deals = pd.DataFrame({"达人ID": ["a", "zz", "a"], "商品ID": ["p", "p", "p"],
                          "合作方式": ["纯佣", "纯佣", "barter"]})
    with pytest.raises(InputError) as caught:
        with_deals(config, deals)
    where = {(p.row, p.column) for p in caught.value.problems}
    assert where == {(3, "creator_id"), (4, "pricing"), (4, "creator_id")}  # unknown id; bad label; listed twice


def test_deals_from_the_command_line(tmp_path, capsys):
    from matchmaker.cli import main
    from tests.test_cli import tiny_inputs

    creators, products = tiny_inputs(tmp_path)
    pd.DataFrame({"达人ID": ["d2"], "商品ID": ["p1"], "坑位费": [500]}).to_csv(tmp_path / "deals.csv", index=False)
    out = tmp_path / "plan.csv"
    code = main(["-q", "optimize", "--creators", creators, "--products", products, "--deals",
                 str(tmp_path / "deals.csv"), "--budget", "1600", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    plan = pd.read_csv(out)
    assert sorted(plan["creator_id"]) == ["d1", "d2"] and plan["fee"].sum() == 1500  # 1,000 + the deal's 500


def test_a_deals_file_is_validated_with_the_lists_its_warnings_kept_its_errors_reported_with_theirs(tmp_path):
    from matchmaker.pipeline import load
    from tests.test_cli import tiny_inputs

    creators, products = tiny_inputs(tmp_path)
    deals = tmp_path / "deals.csv"
    pd.DataFrame({"达人ID": ["d2"], "商品ID": ["p1"], "坑位费": ["1-2w"]}).to_csv(deals, index=False)
    data = load(quick_config(), creators=creators, products=products, deals=str(deals))
    assert data.deals["fee"].tolist() == [20_000] and data.files["deals"] == "deals.csv"
    assert [(p.file, p.row, p.column) for p in data.warnings if "a range" in p.message] == [("deals.csv", 2, "fee")]
    pd.DataFrame({"达人ID": ["zz"], "商品ID": ["p1"]}).to_csv(deals, index=False)
    pd.DataFrame([creator("d1", fee="lots")]).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError) as caught:  # every file's problems at once
        load(quick_config(), creators=str(tmp_path / "bad.csv"), products=products, deals=str(deals))
    assert {p.file for p in caught.value.problems} == {"bad.csv", "deals.csv"}
    with pytest.raises(InputError) as caught:
        load(quick_config(), creators=creators, products=products, deals=str(deals))
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [("deals.csv", 2, "creator_id")]

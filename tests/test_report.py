"""The plan table people read: one row per booking, best value first within each product, every score
component and a short reason; the same columns when the plan is empty."""

import pandas as pd
import pytest

from matchmaker.pipeline import run
from matchmaker.report.tables import PLAN_COLUMNS, plan_table
from tests.conftest import creator, make_data, product, quick_config


def outcome(pairs=None, embedder=None, **flags):
    config = quick_config(**flags)
    creators = [creator("a", fee=1000, name="Ann"), creator("b", fee=2000, tier="top_kol"), creator("c", fee=500)]
    products = [product("p", brand="B1", name="Lipstick"), product("q", brand="B2", name="Serum")]
    return run(make_data(creators, products, config, pairs=pairs), config, embedder=embedder)


def test_one_row_per_booking_with_names_and_scores(hash_embedder):
    table = plan_table(outcome(embedder=hash_embedder))
    assert list(table.columns) == PLAN_COLUMNS
    assert len(table) == 3  # each creator takes one product (capacity 1)
    row = table.set_index("creator_id").loc["a"]
    assert row["creator_name"] == "Ann" and row["tier"] == "alliance" and row["fee"] == 1000
    assert row["brand"] in ("B1", "B2") and row["product_name"] in ("Lipstick", "Serum")
    for part in ("value", "style", "audience", "performance"):
        assert 0 <= row[part] <= 1
    assert row["why"].endswith("for ¥1,000") and "style " in row["why"]


def test_sorted_by_product_then_value():
    pairs = [("a", "p", 0.2), ("b", "p", 0.9), ("c", "p", 0.5)]
    table = plan_table(outcome(pairs=pairs))
    assert table["creator_id"].tolist() == ["b", "c", "a"]
    assert table["why"].tolist() == ["value 0.900 from the pairs table", "value 0.500 from the pairs table",
                                     "value 0.200 from the pairs table"]
    assert table["style"].isna().all()


def test_the_reason_names_the_strongest_component():
    row = pd.Series({"style": 0.3, "audience": 0.9, "performance": 0.4, "value": 0.5, "fee": 12_000.0})
    from matchmaker.report.tables import why_line

    assert why_line(row) == ("audience match 0.90 (style 0.30, audience 0.90, performance 0.40) for ¥12,000")


@pytest.mark.parametrize("budget", [0.0, 100.0])
def test_an_empty_plan_is_an_empty_table_with_the_columns(budget):
    table = plan_table(outcome(pairs=[("a", "p", 0.2)], **{"campaign.budget": budget}))
    assert table.empty and list(table.columns) == PLAN_COLUMNS


def test_for_people_rounds_and_speaks_chinese():
    from matchmaker.report.tables import PROBLEM_HEADERS_ZH, for_people

    table = pd.DataFrame({"creator_id": ["a"], "tier": ["top_kol"], "fee": [105100.4], "value": [0.8600000000000001]})
    assert for_people(table, "en").to_dict("records") == [{"creator_id": "a", "tier": "top_kol", "fee": 105100.0,
                                                           "value": 0.86}]
    chinese = {"达人ID": "a", "达人层级": "头部达人", "费用（元）": 105100.0, "匹配价值": 0.86}
    assert for_people(table, "zh").to_dict("records") == [chinese]
    problems = pd.DataFrame({"file": ["c.csv"], "value": ["lots"], "severity": ["warning"]})
    assert list(for_people(problems, "zh", PROBLEM_HEADERS_ZH).iloc[0]) == ["c.csv", "lots", "提醒"]
    assert list(for_people(problems, "zh", PROBLEM_HEADERS_ZH).columns) == ["文件", "内容", "级别"]


@pytest.mark.parametrize("lang, value, text", [
    ("zh", 25_715_601, "2571.6万"), ("en", 25_715_601, "25.7M"), ("zh", 125_000_000, "1.25亿"),
    ("en", 42_000, "42.0K"), ("zh", 9_999, "9,999"),
])
def test_counts_for_people(lang, value, text):
    from matchmaker.report.i18n import count

    assert count(lang, value) == text


def test_the_reason_in_chinese():
    from matchmaker.report.tables import why_line

    row = pd.Series({"style": 0.3, "audience": 0.9, "performance": 0.4, "value": 0.5, "fee": 12_000.0})
    assert why_line(row, "zh") == "人群匹配 0.90（风格 0.30，人群 0.90，表现 0.40），费用 ¥12,000"

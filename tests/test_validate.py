import dataclasses

import numpy as np
import pandas as pd
import pytest

from matchmaker.config import Config
from matchmaker.inputs.validate import validate
from matchmaker.problems import InputError
from tests.conftest import creator, make_data, product


def test_chinese_headers_and_messy_numbers_map_to_canonical_columns():
    creators = pd.DataFrame({
        "达人ID": ["d1", "d2"], "达人昵称": ["小鹿", "阿杰"], "粉丝数": ["1.2万", "350w"],
        "带货类目": ["美妆、护肤", "数码/家居"], "简介": ["日常妆容", "科技开箱"], "报价": ["¥5,000", "3.5w"],
        "互动率": ["3.2%", "5%"], "女性粉丝占比": ["90%", "0.3"], "带货口碑": ["4.8", "4.1"],
    })
    products = pd.DataFrame({"商品ID": ["p1"], "品牌": ["澜樱"], "商品名称": ["口红"], "类目": ["美妆"],
                             "卖点": ["丝绒雾面"], "最少达人数": ["1"], "目标性别": ["女"]})
    data = validate({"creators": ("c.csv", creators), "products": ("p.csv", products)}, Config())
    c = data.creators
    assert list(c["creator_id"]) == ["d1", "d2"]
    assert list(c["followers"]) == [12_000, 3_500_000]
    assert list(c["fee"]) == [5_000, 35_000]
    assert c.loc[0, "categories"] == ("美妆", "护肤")
    assert c.loc[0, "engagement_rate"] == pytest.approx(0.032)
    assert c.loc[1, "audience_female"] == pytest.approx(0.3)
    assert list(c["tier"]) == ["alliance", "top_kol"]  # derived from followers (threshold 1M)
    assert list(c["max_products"]) == [1, 1]
    p = data.products
    assert p.loc[0, "description"] == "丝绒雾面" and p.loc[0, "target_gender"] == "female"
    assert p.loc[0, "min_creators"] == 1


def test_english_aliases_and_tier_threshold_from_config():
    creators = pd.DataFrame({"handle": ["a"], "Followers": ["48.5M"], "Niche": ["Beauty"],
                             "Bio": ["makeup"], "Price": ["12,000"]})
    products = pd.DataFrame({"SKU": ["p"], "Brand": ["b"], "Category": ["beauty"]})
    config = Config().override(**{"campaign.top_kol_followers": 100_000_000})
    data = validate({"creators": ("c.csv", creators), "products": ("p.csv", products)}, config)
    assert data.creators.loc[0, "tier"] == "alliance"
    assert data.creators.loc[0, "fee"] == 12_000


BAD_CREATORS = [  # (change to creator d2, column, expected message fragment)
    ({"fee": "-5"}, "fee", "must be >= 0"),
    ({"fee": "lots"}, "fee", "expected a number"),
    ({"tier": "mega-star"}, "tier", "unknown tier"),
    ({"creator_id": "d1"}, "creator_id", "duplicate creator_id; first seen in row 2"),
    ({"engagement_rate": "130%"}, "engagement_rate", "share"),
    ({"max_products": "1.5"}, "max_products", "whole number"),
    ({"experience_score": "7"}, "experience_score", "must be at most 5"),
    ({"followers": "#VALOR!"}, "followers", "expected a number"),
    ({"fee": "1e309"}, "fee", "expected a finite number"),
    ({"fee": float("inf")}, "fee", "expected a finite number"),
    ({"fee": "1e308万"}, "fee", "expected a finite number"),
    ({"fee": "2e9"}, "fee", "must be at most 1,000,000,000"),
    ({"followers": "1e11"}, "followers", "must be at most 10,000,000,000"),
    ({"avg_views": "1e300"}, "avg_views", "must be at most"),
    ({"max_products": "1e7"}, "max_products", "must be at most 10,000"),
]


@pytest.mark.parametrize("change, column, message", BAD_CREATORS)
def test_each_bad_creator_cell_names_file_row_column(change, column, message):
    rows = [creator("d1"), {**creator("d2"), **change}]
    with pytest.raises(InputError) as err:
        make_data(rows, [product("p1")])
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("creators.csv", 3, column)
    assert message in problem.message
    assert "row 3" in str(problem) and f"'{column}'" in str(problem)


@pytest.mark.parametrize("change, column, message", [
    ({"product_id": "p1"}, "product_id", "duplicate"),
    ({"min_creators": 5, "max_creators": 2}, "min_creators", "above max_creators"),
    ({"product_id": ""}, "product_id", "required"),
    ({"target_gender": "kids"}, "target_gender", "female, male or all"),
    ({"target_age": "12-15"}, "target_age", "age bands"),
    ({"budget": "-1"}, "budget", ">= 0"),
])
def test_each_bad_product_cell_names_file_row_column(change, column, message):
    with pytest.raises(InputError) as err:
        make_data([creator("d1")], [product("p1"), {**product("p2"), **change}])
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("products.csv", 3, column)
    assert message in problem.message


def test_a_long_cell_is_refused_where_its_column_is_read_and_ignored_where_it_is_not(monkeypatch):
    monkeypatch.setenv("MATCHMAKER_MAX_CELL_CHARS", "100")
    with pytest.raises(InputError) as err:
        make_data([creator("d1"), creator("d2", bio="x" * 500)], [product("p1", description="y" * 300)])
    said = {(p.file, p.row, p.column): p.message for p in err.value.problems}
    assert set(said) == {("creators.csv", 3, "bio"), ("products.csv", 2, "description")}  # each table, at once
    assert "length in characters (500) is above the limit of 100" in said["creators.csv", 3, "bio"]
    assert "MATCHMAKER_MAX_CELL_CHARS" in said["creators.csv", 3, "bio"]
    # a marketplace export's long technical details, in a column matchmaker does not read
    data = make_data([creator("d1")], [product("p1", **{"Technical Details": "z" * 5000})])
    assert data.n_products == 1


def test_missing_required_column_lists_what_the_file_has():
    rows = [{k: v for k, v in creator("d1").items() if k != "fee"}]
    with pytest.raises(InputError) as err:
        make_data(rows, [product("p1")])
    problem = err.value.problems[0]
    assert problem.column == "fee" and problem.row is None
    assert "报价" in problem.message and "the file has" in problem.message


def test_every_problem_is_reported_at_once():
    rows = [creator("d1", fee=-1), creator("d1", tier="?"), creator("d3", fee="x")]
    with pytest.raises(InputError) as err:
        make_data(rows, [product("p1"), product("p1")])
    assert len(err.value.problems) == 5


def test_references_to_unknown_ids_in_pairs_and_overlaps():
    with pytest.raises(InputError) as err:
        make_data([creator("d1"), creator("d2")], [product("p1")],
                  pairs=[("d1", "p1", 0.5), ("ghost", "p1", 0.2), ("d2", "p9", 0.1)],
                  overlaps=[("d1", "d2", 0.4), ("d1", "nobody", 0.5), ("d1", "d1", 0.3)])
    where = {(p.file, p.row, p.column) for p in err.value.problems}
    assert ("pairs.csv", 3, "creator_id") in where
    assert ("pairs.csv", 4, "product_id") in where
    assert ("overlaps.csv", 3, "creator_b") in where
    assert ("overlaps.csv", 4, "creator_b") in where


def test_suspicious_but_legal_input_is_a_warning():
    data = make_data([creator("d1", bio="", followers=0, categories="")], [product("p1")])
    messages = [(w.column, w.severity) for w in data.warnings]
    assert ("bio", "warning") in messages and ("followers", "warning") in messages
    assert ("categories", "warning") in messages


def test_blank_product_category_and_brand_are_warnings():
    data = make_data([creator("d1")], [product("p1", category="", brand="")])
    assert {(w.column, w.severity) for w in data.warnings} >= {("category", "warning"), ("brand", "warning")}


def test_empty_tables_are_errors():
    with pytest.raises(InputError, match="no rows"):
        validate({"creators": ("c.csv", pd.DataFrame({"creator_id": [], "categories": [], "fee": []})),
                  "products": ("p.csv", pd.DataFrame([product("p1")]))}, Config())


@pytest.mark.parametrize("table, change, column", [
    ("products", {"budget": "1e17"}, "budget"), ("products", {"price": "1e300"}, "price"),
    ("products", {"max_creators": "1e9"}, "max_creators"), ("pairs", {"value": "1e300"}, "value"),
])
def test_numbers_above_their_maximum_name_the_cell(table, change, column):
    products = [product("p1"), {**product("p2"), **(change if table == "products" else {})}]
    pairs = [("d1", "p1", 0.5), ("d1", "p2", change.get("value", 0.5))] if table == "pairs" else None
    with pytest.raises(InputError) as err:
        make_data([creator("d1")], products, pairs=pairs)
    [problem] = err.value.problems
    assert (problem.file, problem.row, problem.column) == (f"{table}.csv", 3, column)
    assert "must be at most" in problem.message


def test_xingtu_tiers_and_a_campaign_tier_table():
    from matchmaker.config import config_from_dict

    tiers = ["头部", "肩部达人", "腰部", "尾部达人", "素人", "KOC", "S级"]
    rows = [creator(f"d{i}", tier=t) for i, t in enumerate(tiers)]
    config = config_from_dict({"tiers": {"S级": "top_kol", "腰部": "top_kol"}})
    data = make_data(rows, [product("p1")], config)
    assert data.creators["tier"].tolist() == ["top_kol", "top_kol", "top_kol", "alliance", "alliance",
                                              "alliance", "top_kol"]
    with pytest.raises(InputError, match="add it to the campaign's \\[tiers\\] table"):
        make_data(rows, [product("p1")])  # S级 is not in the default table


def test_a_tier_table_accepts_only_the_two_tiers():
    from matchmaker.config import config_from_dict

    with pytest.raises(InputError) as err:
        config_from_dict({"tiers": {"S级": "vip"}}, source="c.toml")
    assert "key 'tiers.S级': expected one of top_kol, alliance" in str(err.value)


@pytest.mark.parametrize("header, cell, column, value", [
    ("粉丝量(万)", "1.7", "followers", 17_000), ("粉丝量(万)", "1.7万", "followers", 17_000),
    ("粉丝数（w）", "12", "followers", 120_000), ("报价(千元)", "12", "fee", 12_000),
    ("报价（元）", "12,000", "fee", 12_000), ("互动率(%)", "0.8", "engagement_rate", 0.008),
    ("互动率(%)", "3.2%", "engagement_rate", 0.032), ("互动率", "3.2", "engagement_rate", 0.032),
])
def test_units_in_headers_scale_plain_numbers(header, cell, column, value):
    rows = [{**creator("d1"), column: cell}, {**creator("d2"), column: "1"}]
    frame = pd.DataFrame(rows).rename(columns={column: header})
    data = validate({"creators": ("creators.csv", frame.astype(object)),
                     "products": ("products.csv", pd.DataFrame([product("p1")]).astype(object))}, Config())
    assert data.creators.loc[0, column] == pytest.approx(value)


@pytest.mark.parametrize("marker", ["-", "—", "/", "暂无", "N/A", "——"])
def test_export_blank_markers_read_as_blank(marker):
    data = make_data([creator("d1", followers=marker, engagement_rate=marker), creator("d2")], [product("p1")])
    assert np.isnan(data.creators.loc[0, "followers"]) and np.isnan(data.creators.loc[0, "engagement_rate"])


def test_a_creator_without_a_quote_is_a_warning_and_never_booked():
    from matchmaker.fit.score import creator_usable

    data = make_data([creator("d1"), creator("d2", fee="-"), creator("d3", fee="")], [product("p1")])
    assert [(p.row, p.column, p.severity) for p in data.warnings if "no fee" in p.message] == \
        [(3, "fee", "warning"), (4, "fee", "warning")]
    assert creator_usable(data, Config()).tolist() == [True, False, False]


XINGTU_QUOTES = {"1-20s视频报价": "800", "21-60s视频报价": "1500", "60s以上视频报价": "-", "直播报价": "5000"}


def _quoted(**flags):
    from matchmaker.config import Config

    rows = [{k: v for k, v in {**creator(f"d{i}"), **XINGTU_QUOTES}.items() if k != "fee"} for i in range(2)]
    frame = pd.DataFrame(rows).astype(object)
    config = Config().override(**flags) if flags else Config()
    return validate({"creators": ("c.csv", frame), "products": ("p.csv", pd.DataFrame([product("p1")]).astype(object))},
                    config)


def test_several_quote_columns_take_the_first_in_order_and_say_so():
    data = _quoted()
    assert data.creators["fee"].tolist() == [1500, 1500]
    [note] = [p for p in data.warnings if p.column == "fee"]
    assert "the fee is the quote '21-60s视频报价'" in note.message and "campaign.fee_quote" in note.message


@pytest.mark.parametrize("quote, fee", [("直播", 5000), ("1-20s视频", 800), ("1-20s视频报价", 800)])
def test_the_campaign_chooses_which_quote_is_the_fee(quote, fee):
    assert _quoted(**{"campaign.fee_quote": quote}).creators["fee"].tolist() == [fee, fee]


def test_a_fee_quote_that_matches_no_column_names_the_quote_columns():
    with pytest.raises(InputError) as err:
        _quoted(**{"campaign.fee_quote": "星图报价"})
    assert "campaign.fee_quote matches no column; the quote columns are 21-60s视频报价, 1-20s视频报价" in str(err.value)


def test_xingtu_performance_columns_are_recognised():
    row = {**creator("d1"), "预期播放量": "12w", "近30天互动率": "3.1%", "完播率": "28%", "预期CPM": "35"}
    data = make_data([row, creator("d2")], [product("p1")])
    c = data.creators.iloc[0]
    assert (c["avg_views"], c["engagement_rate"], c["completion_rate"], c["expected_cpm"]) == \
        (120_000, pytest.approx(0.031), pytest.approx(0.28), 35)


# An export whose headers no alias knows: the campaign's [columns] says which column each one is
_SELLER_CREATORS = pd.DataFrame({"Handle": ["amy", "bob"], "Vertical focus": ["Beauty", "Fitness"],
                                 "Agreed amount (CNY)": ["3,000", "8k"], "Bio": ["lipstick swatches", "leg day"]})
_SELLER_PRODUCTS = pd.DataFrame({"SKU": ["p1", "p2"], "Brand": ["Acme", "Acme"],
                                 "Category": ["Beauty > Makeup > Lipstick", "Sports > Yoga"],
                                 "Niche": ["Beauty", "Fitness"], "Listing_Title": ["Velvet lipstick", "Yoga mat"]})
_SELLER = {"creators": ("sellers.csv", _SELLER_CREATORS), "products": ("listings.csv", _SELLER_PRODUCTS)}


def test_without_a_column_map_an_unknown_header_is_named_with_how_to_map_it():
    with pytest.raises(InputError) as err:
        validate(_SELLER, Config())
    missing = {p.column: p for p in err.value.problems}
    assert set(missing) == {"categories", "fee"}
    assert "Vertical focus" in missing["categories"].message  # the file's headers
    assert "[columns.creators] (--column creators:HEADER=categories)" in missing["categories"].message


def test_the_campaign_column_map_reads_unknown_headers_and_wins_over_an_alias():
    columns = {"creators": {"Vertical focus": "categories", "agreed amount": "fee"},  # found by its key, as aliases are
               "products": {"Niche": "category", "listing title": "name"}}
    data = validate(_SELLER, dataclasses.replace(Config(), columns=columns))
    assert list(data.creators["categories"]) == [("Beauty",), ("Fitness",)]
    assert list(data.creators["fee"]) == [3_000, 8_000]
    # "Category" is an alias of category, but the campaign said the niche is: the path is not read
    assert list(data.products["category"]) == ["Beauty", "Fitness"]
    assert list(data.products["name"]) == ["Velvet lipstick", "Yoga mat"]


@pytest.mark.parametrize("columns, column, value, fragment", [
    ({"products": {"Nische": "category"}}, "category", "Nische",
     "names the header 'Nische', which this file does not have; it has: SKU, Brand, Category, Niche"),
    ({"products": {"Niche": "niche"}}, None, "niche", "which is not a column of this table; expected one of "
                                                      "product_id, brand, name, category"),
])
def test_a_column_map_that_does_not_fit_the_file_names_file_and_header(columns, column, value, fragment):
    with pytest.raises(InputError) as err:
        validate(_SELLER, dataclasses.replace(Config(), columns={"creators": {"Vertical focus": "categories",
                                                                               "Agreed amount": "fee"}, **columns}))
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column, problem.value) == ("listings.csv", None, column, value)
    assert fragment in problem.message


def test_a_shop_export_and_a_scraped_profile_export_are_read_by_their_own_headers():
    products = pd.DataFrame({"Handle": ["velvet-lipstick"], "Title": ["Velvet lipstick"],
                             "Body (HTML)": ["<p>Matte &amp; long-wearing</p>"], "Vendor": ["Acme"],
                             "Type": ["Lipstick"], "Product Category": ["Beauty > Makeup"], "Variant Price": ["99"]})
    creators = pd.DataFrame({"ownerUsername": ["amy.glow"], "fullName": ["Amy"], "biography": ["lip swatches"],
                             "followersCount": ["48.5K"], "Primary category": ["Beauty"], "Rate card": ["3,000"]})
    data = validate({"creators": ("profiles.csv", creators), "products": ("shop.csv", products)}, Config())
    p, c = data.products.iloc[0], data.creators.iloc[0]
    assert (p["product_id"], p["name"], p["brand"], p["price"]) == ("velvet-lipstick", "Velvet lipstick", "Acme", 99)
    assert p["description"] == "Matte & long-wearing"
    assert (c["creator_id"], c["name"], c["bio"], c["followers"], c["categories"], c["fee"]) == (
        "amy.glow", "Amy", "lip swatches", 48_500, ("Beauty",), 3_000)
    # "Type" comes first, but "product category" is the stronger alias of category: read, and the other named
    assert p["category"] == "Beauty > Makeup"
    said = [pr for pr in data.warnings if pr.file == "shop.csv" and pr.column == "category" and pr.row is None]
    assert len(said) == 1 and "read from 'Product Category'; the file's 'Type' could also be it" in said[0].message


def test_a_blank_column_is_not_read_when_another_header_could_be_that_column():
    """A marketplace export whose Sku column is empty and whose Uniq Id is filled: the ids come from Uniq Id."""
    products = pd.DataFrame({"Uniq Id": ["u1", "u2"], "Product Name": ["Mat", "Ball"], "Brand Name": ["A", "B"],
                             "Category": ["Sports", "Toys"], "Sku": [None, ""]})
    data = validate({"creators": ("c.csv", pd.DataFrame([creator("d1")])), "products": ("amazon.csv", products)},
                    Config())
    assert list(data.products["product_id"]) == ["u1", "u2"]
    assert any("read from 'Uniq Id'; the file's 'Sku' could also be it" in p.message for p in data.warnings)


def test_stand_ins_fill_only_the_required_columns_a_table_lacks():
    """eval-fit measures fit on lists without fees or brands: stand-ins fill those columns, never a given one."""
    stand_ins = {("creators", "fee"): "1", ("products", "brand"): "(no brand)"}
    creators = pd.DataFrame([{k: v for k, v in creator("d1").items() if k != "fee"}])
    products = pd.DataFrame([{k: v for k, v in product("p1").items() if k != "brand"}])
    data = validate({"creators": ("c.csv", creators), "products": ("p.csv", products)}, Config(), stand_ins=stand_ins)
    assert list(data.creators["fee"]) == [1] and list(data.products["brand"]) == ["(no brand)"]
    given = validate({"creators": ("c.csv", pd.DataFrame([creator("d1", fee=500)])),
                      "products": ("p.csv", pd.DataFrame([product("p1", brand="B")]))}, Config(), stand_ins=stand_ins)
    assert list(given.creators["fee"]) == [500] and list(given.products["brand"]) == ["B"]
    with pytest.raises(InputError):  # without stand-ins, the same lists are refused
        validate({"creators": ("c.csv", creators), "products": ("p.csv", products)}, Config())


def test_a_quoted_fee_range_is_its_upper_end_and_a_price_range_its_lower_end_each_said():
    creators = [creator("d1", fee="5000-8000"), creator("d2", fee="1-2w"), creator("d3", fee="3000")]
    products = [product("p1", price="$74.99 - $249.99"), product("p2", price="99")]
    data = make_data(creators, products)
    assert list(data.creators["fee"]) == [8_000, 20_000, 3_000]
    assert list(data.products["price"]) == [pytest.approx(74.99), 99]
    said = {(p.file, p.row, p.column): p.message for p in data.warnings if "a range" in p.message}
    assert said == {("creators.csv", 2, "fee"): "a range: read as its upper end, the most it may cost",
                    ("creators.csv", 3, "fee"): "a range: read as its upper end, the most it may cost",
                    ("products.csv", 2, "price"): "a range: read as its lower end, the least it may sell for"}
    with pytest.raises(InputError) as err:  # a range in another number column is still an error
        make_data([creator("d1", followers="1-2w")], products)
    assert (err.value.problems[0].row, err.value.problems[0].column) == (2, "followers")


def test_a_side_table_with_only_warnings_is_taken_not_refused():
    """A warning (a total row skipped, a fee range read at its end) never refuses a table on its own."""
    from matchmaker.inputs.validate import validate_deals, validate_history

    history = validate_history(pd.DataFrame({"creator_id": ["a", "合计"], "product_id": ["p", ""]}), "h.csv")
    assert history[["creator_id", "product_id"]].values.tolist() == [["a", "p"]]
    data = make_data([creator("a")], [product("p")])
    deals = validate_deals(pd.DataFrame({"creator_id": ["a"], "product_id": ["p"], "fee": ["1-2w"]}), "d.csv", data)
    assert deals["fee"].tolist() == [20_000]
    with pytest.raises(InputError):  # an error still refuses it
        validate_history(pd.DataFrame({"creator_id": ["a"], "product_id": [""]}), "h.csv")


def test_a_captions_table_joins_each_creators_posts_up_to_the_cell_limit(monkeypatch):
    from matchmaker.inputs.validate import one_row_per_creator

    monkeypatch.setenv("MATCHMAKER_MAX_CELL_CHARS", "100")
    posts = ["a" * 40, "b" * 40, "c" * 40]
    frame = pd.DataFrame({"creator_id": ["d1"] * 3 + ["d2"] * 2 + ["d3"], "recent_posts": [*posts, "d" * 30, "e" * 30,
                          "f" * 150], "categories": "beauty", "fee": "1"}, dtype=object)
    merged, problems = one_row_per_creator(frame, "captions.csv", Config())
    assert merged["recent_posts"].tolist() == [f"{'a' * 40} | {'b' * 40}", f"{'d' * 30} | {'e' * 30}", "f" * 150]
    assert [p.message for p in problems if p.column == "recent_posts"] == [
        "1 creators' posts run past 100 characters joined (the cell limit, MATCHMAKER_MAX_CELL_CHARS): their first "
        "posts are read, the rest left out"]
    with pytest.raises(InputError) as err:  # a post above the limit on its own is refused, at its creator's row
        validate({"creators": ("captions.csv", merged), "products": ("p.csv", pd.DataFrame([product("p1")]))}, Config())
    assert [(p.row, p.column) for p in err.value.problems if p.severity == "error"] == [(7, "recent_posts")]


def test_a_captions_table_keeps_each_post_one_piece():
    """A row is a post: its own line breaks (text, then a block of hashtags) do not split it into several posts."""
    from matchmaker.fit.score import creator_pieces
    from matchmaker.inputs.validate import one_row_per_creator

    frame = pd.DataFrame({"creator_id": ["d1", "d1"], "recent_posts": ["New shade drop ✨\n\n#lipstick #mua",
                                                                       "Sunday  brunch"],
                          "bio": ["Pro MUA\nParis"] * 2, "categories": "beauty", "fee": "1"}, dtype=object)
    merged, _ = one_row_per_creator(frame, "captions.csv", Config())
    assert merged.loc[0, "recent_posts"] == "New shade drop ✨ #lipstick #mua | Sunday brunch"
    assert merged.loc[0, "bio"] == "Pro MUA\nParis"  # a bio's lines are its segments, as in any creator list
    data = validate({"creators": ("captions.csv", merged), "products": ("p.csv", pd.DataFrame([product("p1")]))},
                    Config())
    assert creator_pieces(data.creators)[0] == ("Pro MUA", "Paris", "New shade drop ✨ #lipstick #mua", "Sunday brunch")


def test_an_amount_in_another_currency_is_read_as_it_is_with_a_warning():
    """matchmaker's money is one currency (shown as ¥): a $ or USD amount is not converted, and it says so, at each
    such cell, or once for a header that names the currency."""
    data = make_data([creator("a", fee="$1,200"), creator("b", fee="5000"), creator("c", fee="USD 900"),
                      creator("d", fee="¥800")], [product("p1", price="12.5 EUR")])
    said = {(w.file, w.row, w.column) for w in data.warnings if "another currency" in w.message}
    assert said == {("creators.csv", 2, "fee"), ("creators.csv", 4, "fee"), ("products.csv", 2, "price")}
    assert data.creators["fee"].tolist() == [1200, 5000, 900, 800] and data.products["price"].tolist() == [12.5]
    config = Config().with_columns([("creators", "Rate (USD)", "fee")])
    rows = [{**{k: v for k, v in creator("a").items() if k != "fee"}, "Rate (USD)": "1200"}]
    data = make_data(rows, [product("p1")], config)
    assert [(w.row, w.column, w.value) for w in data.warnings if "another currency" in w.message] == [
        (None, "fee", "Rate (USD)")]


def test_a_total_row_with_its_label_in_another_column_is_skipped():
    """Buyin writes 合计 in column A (the nickname) and leaves the id blank: a total row, not a creator
    missing its id."""
    creators = [creator("d1"), creator("d2"), {"creator_id": "", "name": "合计", "fee": "2000", "categories": ""}]
    data = make_data(creators, [product("p")])
    assert data.creators["creator_id"].tolist() == ["d1", "d2"]
    assert any("a total row" in w.message and w.row == 4 for w in data.warnings)
    with pytest.raises(InputError):  # a blank id on a row that is not a total is still an error
        make_data([creator("d1"), {"creator_id": "", "name": "小鹿", "fee": "2000", "categories": "beauty"}],
                  [product("p")])


def test_buyin_and_xingtu_derived_headers_are_read_as_exported(tmp_path):
    """星图ID as the id, Buyin's 主推类目, 带货口碑分, 期望佣金率, 粉丝画像 女性占比 and LV levels, and quotes written
    as 1-20s报价 / 21-60s报价: read without a [columns] table."""
    from matchmaker.pipeline import load

    creators = tmp_path / "buyin.csv"
    pd.DataFrame({"星图ID": ["x1", "x2", ""], "达人昵称": ["小鹿", "阿杰", "合计"],
                  "达人等级": ["LV6", "LV2", ""], "粉丝数": ["120w", "3.5w", ""],
                  "主推类目": ["美妆", "美妆", ""], "带货口碑分": ["4.8", "-", ""],
                  "1-20s报价": ["30000", "800", ""], "21-60s报价": ["50000", "1200", ""],
                  "期望佣金率": ["20%", "25%", ""],
                  "粉丝画像 女性占比": ["81%", "66%", ""]}).to_csv(creators, index=False)
    products = tmp_path / "shop.csv"
    pd.DataFrame({"商品ID": ["p1"], "品牌": ["澜樱"], "商品名称": ["口红"],
                  "类目": ["美妆"]}).to_csv(products, index=False)
    data = load(Config(), creators=str(creators), products=str(products))
    c = data.creators.set_index("creator_id")
    assert list(c.index) == ["x1", "x2"]  # the 合计 row in the nickname column is skipped
    assert c.loc["x1", "tier"] == "top_kol" and c.loc["x2", "tier"] == "alliance"
    assert c.loc["x1", "fee"] == 50_000 and c.loc["x2", "fee"] == 1_200  # the 21-60s quote, as for Xingtu
    assert c.loc["x1", "experience_score"] == 4.8 and pd.isna(c.loc["x2", "experience_score"])
    assert c.loc["x1", "commission_rate"] == pytest.approx(0.2)
    assert c.loc["x2", "audience_female"] == pytest.approx(0.66)
    assert c.loc["x1", "categories"] == ("美妆",)
    assert any("21-60s报价" in w.message for w in data.warnings)  # the other quote is named

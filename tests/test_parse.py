import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.inputs.parse import (
    RangeEnd,
    is_missing,
    norm_category,
    parse_list,
    parse_number,
    parse_range_end,
    parse_share,
)
from matchmaker.inputs.schema import MAXIMA


@pytest.mark.parametrize("text, expected", [
    ("1.2万", 12_000), ("3.5w", 35_000), ("3.5W", 35_000), ("48.5M", 48_500_000), ("12,000", 12_000),
    ("¥5,000", 5_000), ("￥5,000.50", 5000.5), ("3.2%", 0.032), ("2亿", 2e8), ("10w+", 100_000),
    ("1.5k", 1_500), (" 7 ", 7), ("5000元", 5000), ("RMB 8,800", 8800), ("1e3", 1000), (42, 42),
    (3.5, 3.5), ("-3", -3), ("475.8m", 475_800_000),
])
def test_messy_numbers_parse(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "#VALOR!", "1.2.3", "万", "12 apples", True, float("inf")])
def test_unparsable_numbers_raise_with_what_was_expected(text):
    with pytest.raises(ValueError, match="expected"):
        parse_number(text)


@pytest.mark.parametrize("text, low, high", [
    ("5000-8000", 5_000, 8_000), ("1-2w", 10_000, 20_000), ("¥74.99 - ¥249.99", 74.99, 249.99),
    ("$74.99 - $249.99", 74.99, 249.99), ("3千~5千", 3_000, 5_000), ("5000至8000", 5_000, 8_000),
    ("10k to 20k", 10_000, 20_000), ("1.2万-1.5万", 12_000, 15_000), ("2w–3万", 20_000, 30_000),
])
def test_a_range_is_read_at_the_end_asked_for_and_marked(text, low, high):
    for end, expected in (("low", low), ("high", high)):
        value = parse_range_end(text, end=end)
        assert isinstance(value, RangeEnd) and value == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [("-5", -5), ("1e-5", 1e-5), ("12,000", 12_000), ("10w+", 100_000)])
def test_a_number_is_not_a_range(text, expected):
    value = parse_range_end(text)
    assert not isinstance(value, RangeEnd) and value == pytest.approx(expected)


@pytest.mark.parametrize("text", ["8000-5000", "$6.94 $ 6 . 94", "Total price:", "1-2-3", "abc-def"])
def test_what_is_not_a_number_or_a_range_raises_as_a_number_does(text):
    with pytest.raises(ValueError, match="expected a number such as"):
        parse_range_end(text)


@pytest.mark.parametrize("text, expected", [("3.2%", 0.032), ("0.45", 0.45), ("45", 0.45), ("100%", 1.0)])
def test_shares(text, expected):
    assert parse_share(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["120%", "-0.1", "150"])
def test_shares_out_of_range(text):
    with pytest.raises(ValueError, match="share"):
        parse_share(text)


@pytest.mark.parametrize("text, expected", [
    ("美妆;护肤", ("美妆", "护肤")), ("Beauty | Fashion", ("Beauty", "Fashion")),
    ("食品、饮料", ("食品", "饮料")), ("a/b,c", ("a", "b", "c")), ("a; a", ("a",)), ("", ()),
    ("美妆，护肤", ("美妆", "护肤")),
])
def test_lists(text, expected):
    assert parse_list(text) == expected


def test_missing_markers_and_category_keys():
    assert all(is_missing(v) for v in (None, math.nan, "", " - ", "N/A", "暂无"))
    assert not is_missing("0")
    assert norm_category(" Mom &  Baby ") == norm_category("mom&baby")


@pytest.mark.parametrize("text, path", [
    ("美妆-护肤", ("美妆", "护肤")), ("美妆>护肤", ("美妆", "护肤")), ("Beauty > Skin Care", ("beauty", "skincare")),
    ("个护美妆 - 护肤", ("个护美妆", "护肤")), ("T-shirts", ("t-shirts",)), ("Mom & Baby", ("mom&baby",)),
    ("食品＞饮料→茶", ("食品", "饮料", "茶")), ("个护美妆/护肤", ("个护美妆", "护肤")),
    ("Home / Garden", ("home", "garden")), ("", ()),
    ("Sports & Outdoors | Exercise & Fitness | Yoga", ("sports&outdoors", "exercise&fitness", "yoga")),
    ("服饰｜女装", ("服饰", "女装")),
])
def test_category_paths(text, path):
    from matchmaker.inputs.parse import category_path

    assert category_path(text) == path


@pytest.mark.parametrize("a, b, match", [
    ("护肤", "美妆-护肤", True), ("美妆", "美妆-护肤", True), ("美妆-护肤", "个护美妆>护肤", True),
    ("美妆-彩妆", "美妆-护肤", False), ("食品", "美妆-护肤", False), ("美妆-护肤-面霜", "美妆", True),
    ("护肤", "护肤", True), ("", "护肤", False),
])
def test_paths_match_at_parent_and_leaf(a, b, match):
    from matchmaker.inputs.parse import category_path, paths_match

    assert paths_match(category_path(a), category_path(b)) is match
    assert paths_match(category_path(b), category_path(a)) is match


CELLS = st.one_of(st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                  st.booleans(), st.none(),
                  st.from_regex(r"[+-]?\d{0,7}(\.\d{0,4})?(e[+-]?\d{1,3})?(万|w|k|M|%)?", fullmatch=True),
                  st.sampled_from(["-", "暂无", "N/A", " 12 ", "¥5,000", "1.2万", "10w+", "abc", ".", "1e309"]))


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(CELLS, min_size=1, max_size=12), kind=st.sampled_from(["number", "int"]),
       scale=st.sampled_from([1.0, 1e4, 0.01]))
def test_a_column_parsed_at_once_reads_each_cell_as_the_cell_parser_does(cells, kind, scale):
    """validate reads plain numbers a column at a time (fast) and the rest cell by cell: the values and the
    problems must be exactly those of reading every cell alone."""
    from matchmaker.inputs.columns import Collector, cell_parser, parse_column
    from matchmaker.inputs.schema import Column

    col = Column("followers" if kind == "number" else "max_products", kind)
    header = {1.0: "x", 1e4: "x(万)", 0.01: "x(%)"}[scale]
    parser = cell_parser(col, header, {})
    fast_out, slow_out = Collector("f"), Collector("f")
    series = pd.Series(cells, dtype=object)
    got = parse_column(series, col, parser, fast_out, scale)
    expected = []
    for i, cell in enumerate(cells):  # the reference: every cell through the cell parser
        if is_missing(cell):
            expected.append(None)
            continue
        try:
            value = parser(cell)
        except ValueError as exc:
            slow_out.add(i + 2, col.name, cell, exc.args[0])
            value = None
        if value is not None and value < 0:
            slow_out.add(i + 2, col.name, cell, "must be >= 0")
            value = None
        if value is not None and value > MAXIMA[col.name]:
            slow_out.add(i + 2, col.name, cell, "must be at most")
            value = None
        expected.append(value)
    assert [None if v is None else float(v) for v in got] == [None if v is None else float(v) for v in expected]
    assert sorted((p.row, p.message[:15]) for p in fast_out.problems) == \
        sorted((p.row, p.message[:15]) for p in slow_out.problems)


@pytest.mark.parametrize("cell, text", [
    ("<p>Velvet <b>matte</b> lipstick &amp; liner</p>", "Velvet matte lipstick & liner"),
    ('口红 <div class="x">持久</div>不脱色', "口红 持久 不脱色"),
    ("Tom &amp; Jerry &#39;21", "Tom & Jerry '21"),
    ("a < b > c", "a < b > c"),  # no tag: left as written
    ("R&D lab  notes ", "R&D lab  notes"),  # no entity: only stripped, as any text cell
])
def test_html_in_a_text_cell_becomes_plain_text(cell, text):
    from matchmaker.inputs.parse import plain_text

    assert plain_text(cell) == text


def test_a_product_description_copied_from_a_shop_page_is_read_as_plain_text():
    from tests.conftest import creator, make_data, product

    data = make_data([creator("a")], [product("p", description="<ul><li>Matte&nbsp;finish</li><li>12h</li></ul>")])
    assert data.products["description"].iat[0] == "Matte finish 12h"


@pytest.mark.parametrize("text, foreign", [
    ("$1,200", True), ("1200USD", True), ("USD 900", True), ("Price (EUR)", True), ("£5", True), ("12.5 eur", True),
    ("¥5,000", False), ("5000元", False), ("Europe price", False), ("Neurone", False), ("1.2万", False)])
def test_another_currency_is_a_sign_or_a_code_not_letters_within_a_word(text, foreign):
    from matchmaker.inputs.parse import FOREIGN_CURRENCY

    assert bool(FOREIGN_CURRENCY.search(text)) is foreign

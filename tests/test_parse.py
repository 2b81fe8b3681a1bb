import math

import pytest

from matchmaker.inputs.parse import is_missing, norm_category, parse_list, parse_number, parse_share


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
    ("食品＞饮料→茶", ("食品", "饮料", "茶")), ("", ()),
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

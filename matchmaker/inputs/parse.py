"""Cell parsers for numbers and lists as people write them in exports.

Each parser returns a value or raises ValueError with what was expected; the caller (columns.py)
turns that into a Problem naming the file, row and column.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

from ..problems import msg

MISSING = {"", "-", "--", "—", "——", "－", "/", "／", "n/a", "na", "nan", "none", "null", "无", "暂无", "未知",
           "#n/a", "不详"}

_MULTIPLIERS = {
    "": 1.0, "k": 1e3, "千": 1e3, "w": 1e4, "万": 1e4, "m": 1e6, "mm": 1e6, "百万": 1e6,
    "千万": 1e7, "b": 1e9, "bn": 1e9, "亿": 1e8,
}
_NUMBER = re.compile(
    r"^(?P<sign>[-+]?)(?P<num>\d+(?:\.\d*)?|\.\d+)(?:e(?P<exp>[-+]?\d+))?"
    r"(?P<unit>k|w|m|mm|b|bn|千|万|百万|千万|亿)?(?P<pct>%)?$"
)
_CURRENCY = re.compile(r"(cny|rmb|usd|eur|gbp|元|块|¥|￥|\$|€|£)")
# read like ¥ (_CURRENCY), never converted; a code not inside a word ("Europe" is not EUR)
FOREIGN_CURRENCY = re.compile(r"\$|€|£|(?<![a-z])(?:usd|eur|gbp)(?![a-z])", re.I)
_LIST_SPLIT = re.compile(r"\s*[;；|,，、/]\s*")


def is_missing(value: object) -> bool:
    """True for None, NaN and the usual blank markers of exports ("-", "N/A", "暂无")."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING


def missing_cells(cells: pd.Series) -> pd.Series:
    """is_missing for a whole column at once."""
    return cells.isna() | cells.astype(str).str.strip().str.lower().isin(MISSING)


def _number_text(value: object) -> str:
    """A cell as the number pattern reads it: lower case, without spaces, currency, thousands separators or a
    trailing "+" ("10w+", as marketplaces write lower bounds)."""
    text = str(value).strip().lower().replace("\u00a0", "").replace(" ", "")
    return _CURRENCY.sub("", text).replace(",", "").replace("，", "").rstrip("+")


def parse_number(value: object, scale: float = 1.0) -> float:
    """Parse "1.2万", "3.5w", "48.5M", "12,000", "¥5,000", "3.2%" (-> 0.032) and plain numbers. `scale`
    is the column's unit (粉丝量(万): 1e4), applied to plain numbers only: a cell's own unit wins."""
    if isinstance(value, bool):
        raise ValueError(msg("expected a number"))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(msg("expected a finite number"))
        number = float(value) * scale
        if not math.isfinite(number):
            raise ValueError(msg("expected a finite number; this one is too large to be a real figure"))
        return number
    match = _NUMBER.match(_number_text(value))
    if not match:
        raise ValueError(msg("expected a number such as 12000, 1.2万, 3.5w, 48.5M, ¥5,000 or 3.2%"))
    try:
        number = float(match["num"]) * (10.0 ** int(match["exp"] or 0))
    except OverflowError:
        number = math.inf
    number *= _MULTIPLIERS[match["unit"] or ""]
    if match["pct"]:
        number /= 100.0
    elif not match["unit"]:
        number *= scale
    if not math.isfinite(number):
        raise ValueError(msg("expected a finite number; this one is too large to be a real figure"))
    return -number if match["sign"] == "-" else number


# A range of money as rate cards and variant listings write it: "5000-8000", "1-2w", "¥74.99 - ¥249.99", "3千~5千",
# "5000至8000", "10k to 20k"
_RANGE = re.compile(r"^\s*(?P<low>[^-–—~～至到]+?)\s*(?:-|–|—|~|～|至|到|\bto\b)\s*(?P<high>[^-–—~～至到]+?)\s*$", re.I)


class RangeEnd(float):
    """A number read from one end of a range ("5000-8000"): a float, marked so the reader can say so."""


def parse_range_end(value: object, scale: float = 1.0, end: str = "high") -> float:
    """A number (parse_number), or one end of a range of two: "1-2w" is 10,000 to 20,000 (a bare low side takes the
    high side's unit), returned as a RangeEnd. ValueError as parse_number's when the cell is neither."""
    try:
        return parse_number(value, scale)
    except ValueError as exc:
        match = _RANGE.match(str(value)) if isinstance(value, str) else None
        if match is None:
            raise exc from None
        low_text, high_text = _number_text(match["low"]), _number_text(match["high"])
        low_number, high_number = _NUMBER.match(low_text), _NUMBER.match(high_text)
        if low_number and high_number and not low_number["unit"] and not low_number["pct"]:
            low_text += high_number["unit"] or ""  # "1-2w": the low side's unit is the high side's
        try:
            low, high = parse_number(low_text, scale), parse_number(high_text, scale)
        except ValueError:
            raise exc from None
        if low > high:
            raise exc from None
        if end == "mid":  # an open or a zero low end: the high end's half
            return RangeEnd(math.sqrt(low * high) if low > 0 else high / 2)
        return RangeEnd(high if end == "high" else low)


def parse_share(value: object, scale: float = 1.0) -> float:
    """A share in 0..1, written as 0.032, 3.2% or 3.2 (a bare number above 1 is a percentage). In a
    column whose header says (%) (scale 0.01), every plain number is a percentage: 0.8 is 0.8%."""
    number = parse_number(value, scale)
    if scale == 1.0 and number > 1.0 and not str(value).strip().endswith("%"):
        number /= 100.0
    if not 0.0 <= number <= 1.0:
        raise ValueError(msg("expected a share between 0 and 1 (or 0% to 100%)"))
    return number


def parse_list(value: object) -> tuple[str, ...]:
    """Split "美妆;护肤", "Beauty | Fashion", "食品、饮料" into clean, de-duplicated items."""
    if is_missing(value):
        return ()
    items = [item.strip() for item in _LIST_SPLIT.split(str(value))]
    return tuple(dict.fromkeys(item for item in items if item))


_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """Whether the text has a Chinese character (CJK unified ideographs)."""
    return _CHINESE.search(text) is not None


def norm_category(text: str) -> str:
    """Category key: case- and space-insensitive."""
    return re.sub(r"\s+", "", text).casefold()


# A level break inside one category: 美妆-护肤, 美妆>护肤, 个护美妆/护肤, Beauty > Skincare, Sports & Outdoors |
# Exercise & Fitness (a marketplace export's path; a hyphen only between Chinese characters or with spaces around
# it, so "T-shirts" stays one category). In a creator's list "/", "|" and "、" separate items (parse_list splits
# them first); in a product's one category "/" and "|" are levels.
_LEVELS = re.compile(r"\s*[>＞›»→/／|｜]\s*|\s+[-－—]\s+|(?<=[\u4e00-\u9fff])[-－—](?=[\u4e00-\u9fff])")


def category_path(text: str) -> tuple[str, ...]:
    """A category as its path of normalised levels: "美妆-护肤" -> ("美妆", "护肤")."""
    return tuple(part for part in (norm_category(p) for p in _LEVELS.split(str(text))) if part)


def paths_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two category paths match when one is the other's ancestor (or equal), or their leaves are the
    same: 护肤 ~ 美妆-护肤 ~ 个护美妆-护肤, 美妆 ~ 美妆-护肤; siblings such as 美妆-彩妆 and 美妆-护肤 do not."""
    if not a or not b:
        return False
    short = min(len(a), len(b))
    return a[:short] == b[:short] or a[-1] == b[-1]


_TAG = re.compile(r"<(?:[a-zA-Z][^<>]*|/[a-zA-Z][^<>]*|!--.*?--)>", re.S)
_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{1,6}|#x[0-9a-fA-F]{1,6});")


def plain_text(value: object) -> str:
    """A text cell as plain text: in a cell with HTML (a product description copied from a shop page) tags
    become spaces, entities (&amp;, &#39;) their characters and runs of spaces one; other text only stripped."""
    text = str(value).strip()
    if ("<" in text or "&" in text) and (_TAG.search(text) or _ENTITY.search(text)):
        lines = (" ".join(line.split()) for line in html.unescape(_TAG.sub(" ", text)).splitlines())
        text = "\n".join(line for line in lines if line)
    return text

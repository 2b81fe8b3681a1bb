"""From an export's headers and cells to canonical columns: which header is which column (the aliases, the
campaign's [columns], the fee's quote, a "posts" column by its content), and every cell parsed, with each
problem at its file, spreadsheet row and column (Collector). inputs/validate.py holds the tables' own rules.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from ..config import INPUT_TABLES, Config
from ..data import TIERS
from ..limits import Limits
from ..problems import InputError, Message, Problem, msg
from .parse import (
    FOREIGN_CURRENCY,
    RangeEnd,
    missing_cells,
    parse_list,
    parse_number,
    parse_range_end,
    parse_share,
    plain_text,
)
from .schema import (
    MAXIMA,
    MONEY,
    PRICING_ALIASES,
    PRICINGS,
    RANGE_ENDS,
    TABLES,
    TIER_ALIASES,
    Column,
    declared_over,
    find_header,
    header_key,
    header_unit,
    passed_over,
    pricing_key,
    quote_columns,
    suggest_mapping,
    tier_key,
)


class Collector:
    """Problems of one table, with the spreadsheet row of each cell."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self.flagged: set[tuple[int | None, str | None]] = set()  # cells already reported

    def add(self, row: int | None, column: str | None, value: object, message: Message,
            severity: str = "error") -> None:
        shown = None if value is None else str(value)
        self.flagged.add((row, column))
        self.problems.append(Problem(self.file, row, column, shown, message, severity))

    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def raise_errors(self) -> None:
        """InputError with every problem when one of them is an error; warnings alone let the table through."""
        if self.has_errors():
            raise InputError(self.problems)


def row_of(index: object) -> int:
    return int(index) + 2  # header is spreadsheet row 1


def _parse_int(value: object, scale: float = 1.0) -> int:
    number = parse_number(value, scale)
    if number != math.floor(number):
        raise ValueError(msg("expected a whole number"))
    return int(number)


def _parse_tier(value: object, tiers: dict[str, str]) -> str:
    tier = tiers.get(tier_key(value))
    if tier is None:
        raise ValueError(msg("unknown tier; expected one of {tiers} (or 头部/肩部/腰部/尾部/素人, KOL/KOC), or "
                             "add it to the campaign's [tiers] table", tiers=", ".join(TIERS)))
    return tier


def _parse_pricing(value: object) -> str:
    pricing = PRICING_ALIASES.get(pricing_key(value))
    if pricing is None:
        raise ValueError(msg("unknown pricing; expected one of {choices} (一口价, 纯佣, 坑位费+佣金)",
                             choices=", ".join(PRICINGS)))
    return pricing


def _parse_text(value: object) -> str:
    return str(value).strip()


_PARSERS: dict[str, Callable[..., object]] = {
    "id": _parse_text, "text": plain_text, "number": parse_number, "share": parse_share,
    "int": _parse_int, "list": parse_list, "tier": _parse_tier, "pricing": _parse_pricing,
}
_NON_NEGATIVE = {"number", "int"}
_SCALED = {"number", "share", "int"}


def tier_table(config: Config) -> dict[str, str]:
    """The default tier aliases with the campaign's [tiers] table over them."""
    return {**TIER_ALIASES, **{tier_key(k): v for k, v in config.tiers.items()}}


def cell_parser(col: Column, header: str, tiers: dict[str, str]) -> Callable[[object], object]:
    """The parser of one column: numbers scaled by the header's unit (粉丝量(万)), tiers by the table, a fee's or a
    price's range to one of its ends (RANGE_ENDS)."""
    if col.kind == "tier":
        return partial(_parse_tier, tiers=tiers)
    if col.name in RANGE_ENDS and col.kind == "number":
        return partial(parse_range_end, scale=header_unit(header), end=RANGE_ENDS[col.name])
    if col.kind in _SCALED:
        return partial(_PARSERS[col.kind], scale=header_unit(header))
    return _PARSERS[col.kind]


def with_declared(mapping: dict[str, str], headers: list[str], table: str, declared: dict[str, str] | None,
                  out: Collector) -> dict[str, str]:
    """The aliases' mapping with the campaign's [columns.TABLE] put over it (schema.declared_over). A declared header
    the file lacks, or a column the table does not have, is an error; a column that other headers could also have
    been (schema.passed_over) is a warning naming them."""
    names = [c.name for c in TABLES[table]]
    for header, column in (declared or {}).items():
        if column not in names:
            out.add(None, None, column, msg("[columns.{table}] maps '{header}' to '{name}', which is not a column "
                                            "of this table; expected one of {choices}", table=table, header=header,
                                            name=column, choices=", ".join(names)))
        elif find_header(headers, header) is None:
            out.add(None, column, header, msg("[columns.{table}] names the header '{header}', which this file does "
                                              "not have; it has: {headers}", table=table, header=header,
                                              headers=", ".join(headers)[:300]))
    mapping = declared_over(mapping, headers, {h: c for h, c in (declared or {}).items() if c in names})
    read = {column: header for header, column in mapping.items()}
    for column, others in passed_over(mapping, headers, table).items():
        out.add(None, column, None, msg(
            "read from '{header}'; the file's {others} could also be it (not read; to read another, name it in "
            "[columns.{table}])", header=read[column], others=", ".join(f"'{h}'" for h in others), table=table),
            "warning")
    return mapping


def canonicalise(frame: pd.DataFrame, table: str, file: str, mapping: dict[str, str] | None,
                 out: Collector, tiers: dict[str, str] = TIER_ALIASES,
                 declared: dict[str, str] | None = None, stand_ins: dict[str, str] | None = None
                 ) -> pd.DataFrame | None:
    """Rename headers to canonical columns and parse every cell; None when a required column is missing. Without a
    mapping, the aliases' (suggest_mapping) with `declared` ([columns.TABLE]) over it. `stand_ins`: a value for each
    named column the file does not have (for a use that does not read it: eval-fit's fees and brands)."""
    columns = TABLES[table]
    if mapping is None:
        headers = [str(c) for c in frame.columns]
        mapping = with_declared(suggest_mapping(headers, table, blank_column(frame)), headers, table, declared, out)
    absent = {column: value for column, value in (stand_ins or {}).items() if column not in mapping.values()}
    if absent:
        frame = frame.assign(**{f"({column})": value for column, value in absent.items()})
        mapping = {**mapping, **{f"({column})": column for column in absent}}
    found = set(mapping.values())
    missing = [c for c in columns if c.required and c.name not in found]
    for col in missing:
        said = {"column": col.name, "aliases": ", ".join((col.name, *col.aliases[:6])),
                "headers": ", ".join(map(str, frame.columns))[:300], "table": table}
        out.add(None, col.name, None, msg(
            "missing required column '{column}' (recognised headers: {aliases}); the file has: {headers}. If one of "
            "them is it, name it in [columns.{table}] (--column {table}:HEADER={key})", key=col.name, **said)
            if table in INPUT_TABLES else
            msg("missing required column '{column}' (recognised headers: {aliases}); the file has: {headers}", **said))
    if missing:
        return None
    by_name = {canonical: header for header, canonical in mapping.items()}
    if _long_cells(frame, list(by_name.values()), out):
        return None
    frame = _without_total_rows(frame, by_name[columns[0].name], out)
    result = pd.DataFrame(index=frame.index)
    for col in columns:
        if col.name in by_name:
            parser = cell_parser(col, str(by_name[col.name]), tiers)
            header = str(by_name[col.name])
            in_header = col.name in MONEY and FOREIGN_CURRENCY.search(header) is not None
            if in_header:  # said once, not at each cell
                out.add(None, col.name, header, FOREIGN_WORDS, "warning")
            result[col.name] = parse_column(frame[by_name[col.name]], col, parser, out,
                                            header_unit(header) if col.kind in _SCALED else 1.0,
                                            currency=col.name in MONEY and not in_header)
        else:
            result[col.name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    result["row"] = [row_of(i) for i in frame.index]
    return result


def _long_cells(frame: pd.DataFrame, headers: list[str], out: Collector) -> bool:
    """Whether a column that is read has a cell above the length limit (Limits.max_cell_chars): an error at the
    first such cell of each. Only the columns read are checked: the others are never parsed."""
    limits = Limits.from_env()
    found = False
    for header in headers:
        try:
            lengths = frame[header].str.len().fillna(0).to_numpy()  # cells that are not text count 0
        except AttributeError:  # no text in the column at all (numbers from Parquet or Excel)
            continue
        if len(lengths) and lengths.max() > limits.max_cell_chars:
            at = int(lengths.argmax())
            problem = limits.problem(out.file, "max_cell_chars", lengths.max(), msg("the cell's length in characters"))
            out.add(row_of(frame.index[at]), str(header), None, problem.message)
            found = True
    return found


TOTAL_LABELS = ("合计", "总计", "小计", "汇总", "total", "totals", "sum", "grand total")


def _label(cells: pd.Series) -> pd.Series:
    return cells.astype(str).str.strip().str.lower().str.rstrip(":：")


def _without_total_rows(frame: pd.DataFrame, id_header: str, out: Collector) -> pd.DataFrame:
    """A row whose id cell says 合计/总计/Total is the export's total line, not a creator or product; so is a
    row with a blank id whose first filled cell says so (Buyin writes 合计 in column A, the nickname): skipped,
    with a warning naming it."""
    total = _label(frame[id_header]).isin(TOTAL_LABELS)
    blank_id = frame[id_header].isna() | (frame[id_header].astype(str).str.strip() == "")
    for index in frame.index[blank_id & ~total]:
        filled = frame.loc[index].dropna()
        filled = filled[filled.astype(str).str.strip() != ""]
        total.at[index] = bool(len(filled)) and _label(filled.iloc[:1]).isin(TOTAL_LABELS).iloc[0]
    for index in frame.index[total]:
        out.add(row_of(index), id_header, frame.at[index, id_header], msg("a total row, not a record: skipped"),
                "warning")
    return frame.loc[~total]


_PLAIN = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"  # 12000, -3.5, .5: what most cells of a number column are


def _plain_numbers(cells: pd.Series, col: Column, scale: float, missing: pd.Series) -> pd.Series:
    """The column's plain numbers (no unit, currency or exponent), parsed at once and scaled; NaN for every
    other cell, which the cell parser reads one at a time. Exactly what that parser gives for these cells."""
    if col.kind not in ("number", "int"):
        return pd.Series(np.nan, index=cells.index)
    is_number = cells.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
    text = cells.astype(str).str.strip()
    plain = ~missing & (is_number | text.str.fullmatch(_PLAIN).fillna(False).astype(bool))
    numbers = pd.to_numeric(text.where(plain), errors="coerce") * scale
    ok = np.isfinite(numbers)
    if col.kind == "int":  # whole, and small enough to be exact as int64 (larger ones: the cell parser)
        ok &= (numbers == np.floor(numbers)) & (numbers.abs() < 2**53)
    return numbers.where(ok)


def _once(parser: Callable[[object], object]) -> Callable[[object], object]:
    """The parser, run once per distinct cell (exports repeat "¥1,200" and "35%" thousands of times);
    returns its ValueError instead of raising it."""
    done: dict[tuple[type, object], object] = {}

    def parse(cell: object) -> object:
        try:
            key = (type(cell), cell)
            hash(key)
        except TypeError:  # a list cell from Parquet: not remembered
            key = None
        if key is None or key not in done:
            try:
                result = parser(cell)
            except ValueError as exc:
                result = exc
            if key is None:
                return result
            done[key] = result
        return done[key]

    return parse


# An amount ($, €, £, USD, EUR, GBP) in a money column (schema.MONEY): read as ¥ amounts are, never converted
FOREIGN_WORDS = msg("an amount in another currency than CNY: read as it is, not converted; the budget and every "
                    "amount must be in one currency (matchmaker shows ¥)")


def parse_column(cells: pd.Series, col: Column, parser: Callable[[object], object], out: Collector,
                 scale: float = 1.0, currency: bool = False) -> pd.Series:
    """The column's cells parsed (plain numbers at once, the rest a distinct cell at a time), each problem at its
    cell; with `currency`, a warning at each cell written in another currency (FOREIGN_WORDS)."""
    missing = missing_cells(cells)
    fast = _plain_numbers(cells, col, scale, missing)
    raw, found = cells.to_numpy(object), fast.notna().to_numpy()
    parsed = np.full(len(cells), None, dtype=object)
    parsed[found] = fast.to_numpy()[found].astype(np.int64 if col.kind == "int" else float)
    once = _once(parser)
    for i in np.nonzero(~missing.to_numpy() & ~found)[0]:  # units, currencies, text: one cell at a time
        if currency and FOREIGN_CURRENCY.search(str(raw[i])):  # a plain number has no currency: never here
            out.add(row_of(cells.index[i]), col.name, raw[i], FOREIGN_WORDS, "warning")
        result = once(raw[i])
        if isinstance(result, ValueError):
            out.add(row_of(cells.index[i]), col.name, raw[i], result.args[0])
            continue
        if isinstance(result, RangeEnd):
            out.add(row_of(cells.index[i]), col.name, raw[i], RANGE_WORDS[RANGE_ENDS[col.name]], "warning")
            result = float(result)
        parsed[i] = result
    if col.kind == "list":
        for i in np.nonzero(missing.to_numpy())[0]:
            parsed[i] = ()
    values = pd.Series(parsed, index=cells.index, dtype=object)
    if col.kind in _NON_NEGATIVE or col.name in MAXIMA:
        numeric = pd.to_numeric(values, errors="coerce")
        negative = (numeric < 0) & (col.kind in _NON_NEGATIVE)
        above = (numeric > MAXIMA[col.name]) & ~negative if col.name in MAXIMA else negative & False
        for index in cells.index[negative]:
            out.add(row_of(index), col.name, cells[index], msg("must be >= 0"))
        for index in cells.index[above]:
            out.add(row_of(index), col.name, cells[index], msg("must be at most {limit:,.0f}", limit=MAXIMA[col.name]))
        values[negative | above] = None
    return values


RANGE_WORDS = {"high": msg("a range: read as its upper end, the most it may cost"),
               "low": msg("a range: read as its lower end, the least it may sell for"),
               "mid": msg("a range: read as its middle (the geometric mean of its ends)")}


def fee_mapping(frame: pd.DataFrame, config: Config, out: Collector) -> dict[str, str]:
    """The creators' header mapping with the fee taken from the chosen quote column: campaign.fee_quote,
    else (with several quote columns) the first of QUOTE_FORMATS present, said in a warning."""
    headers = [str(c) for c in frame.columns]
    mapping = suggest_mapping(headers, "creators", blank_column(frame))
    quotes = quote_columns(headers)
    wanted = config.campaign.fee_quote
    if wanted:
        chosen = [h for h in headers if header_key(wanted) and header_key(wanted) in header_key(h)]
        if not chosen:
            out.add(None, "fee", wanted, msg("campaign.fee_quote matches no column; the quote columns are {quotes}",
                                             quotes=", ".join(quotes.values()) or "-"))
            return mapping
        fee = chosen[0]
    elif len(quotes) > 1 or (quotes and "fee" not in mapping.values()):
        fee = next(iter(quotes.values()))
        others = [h for h in quotes.values() if h != fee]
        if others:
            out.add(None, "fee", fee, msg("the fee is the quote '{fee}'; to use another ({others}), set "
                                          "campaign.fee_quote", fee=fee, others=", ".join(others)), "warning")
    else:
        return mapping
    mapping = {h: c for h, c in mapping.items() if c != "fee" and h != fee}
    return {**mapping, fee: "fee"}


# Headers that hold posts' text in some exports and a count of posts in others (Top Instagram Influencers' "posts":
# "3.3k"): read as recent_posts only when their cells are text (posts_by_content)
POSTS_OR_COUNT = ("posts", "post", "帖子", "作品")


def posts_by_content(frame: pd.DataFrame, mapping: dict[str, str], out: Collector) -> dict[str, str]:
    """The mapping with a bare "posts" column (POSTS_OR_COUNT) as recent_posts when no other column is and most of
    its filled cells are not numbers (then it holds the posts, not their count), said in a warning."""
    if "recent_posts" in mapping.values():
        return mapping
    keys = {header_key(h) for h in POSTS_OR_COUNT}
    for header in frame.columns:
        if str(header) in mapping or header_key(header) not in keys:
            continue
        cells = frame[header][~missing_cells(frame[header])].tolist()
        if cells and sum(_is_number(v) for v in cells) * 2 < len(cells):
            out.add(None, "recent_posts", None, msg(
                "column '{header}' read as recent_posts: its cells are text, not a count of posts",
                header=str(header)), "warning")
            return {**mapping, str(header): "recent_posts"}
    return mapping


def blank_column(frame: pd.DataFrame) -> Callable[[str], bool]:
    """Whether a header's column has no filled cell (for choosing between headers that could be one column)."""
    by_name = {str(c): c for c in frame.columns}
    return lambda header: bool(missing_cells(frame[by_name[header]]).all())


def creator_mapping(frame: pd.DataFrame, config: Config, out: Collector) -> dict[str, str]:
    """The creators' header mapping: the aliases', the fee from the chosen quote column (fee_mapping), a "posts"
    column by its content (posts_by_content), and the campaign's [columns.creators] over them."""
    headers = [str(c) for c in frame.columns]
    mapping = posts_by_content(frame, fee_mapping(frame, config, out), out)
    return with_declared(mapping, headers, "creators", config.columns.get("creators"), out)


def _is_number(value: object) -> bool:
    try:
        parse_number(value)
    except ValueError:
        return False
    return True

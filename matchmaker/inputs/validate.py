"""Validate raw tables at the boundary and turn them into ProblemData: each table's own rules (required cells,
unique and known ids, tiers, targets, deals, locks) over the columns inputs/columns.py reads.

Every problem is collected (file, row, column, value, what was expected) and raised together in one
InputError; suspicious but legal input (blank bio, zero followers) becomes a warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Config
from ..data import ProblemData
from ..limits import Limits
from ..problems import InputError, Message, Problem, msg
from .columns import Collector, canonicalise, creator_mapping, tier_table
from .parse import missing_cells, parse_list
from .schema import AGE_BANDS, CHOICE_ACTIONS

GENDERS = {"female": "female", "f": "female", "women": "female", "女": "female", "女性": "female",
           "male": "male", "m": "male", "men": "male", "男": "male", "男性": "male",
           "all": "all", "any": "all", "unisex": "all", "不限": "all", "全部": "all", "男女": "all"}
AGE_ALIASES = {"18-24": "18_24", "18_24": "18_24", "25-34": "25_34", "25_34": "25_34",
               "35+": "35_plus", "35_plus": "35_plus", "35岁以上": "35_plus", "35plus": "35_plus"}


def _required_cells(frame: pd.DataFrame, names: tuple[str, ...], out: Collector) -> None:
    for name in names:
        blank = frame[name].isna() | (frame[name].astype(str) == "")
        for row in frame.loc[blank, "row"].astype(int):
            if (row, name) not in out.flagged:
                out.add(row, name, None, msg("'{column}' is required and is blank", column=name))


def _unique_ids(frame: pd.DataFrame, name: str, out: Collector) -> None:
    ids = frame[name].where(frame[name].astype(bool) & frame[name].notna())
    repeated = ids.duplicated(keep="first") & ids.notna()
    if not repeated.any():
        return
    first = frame.loc[ids.notna() & ~repeated].set_index(name)["row"]
    for row, value in zip(frame.loc[repeated, "row"].astype(int), ids[repeated]):
        out.add(row, name, value, msg("duplicate {column}; first seen in row {first}", column=name,
                                      first=int(first[value])))


def _warn(frame: pd.DataFrame, mask: pd.Series, out: Collector, column: str, value: str | None,
          message: Message) -> None:
    """One warning per row where `mask` holds."""
    for row in frame.loc[mask, "row"].astype(int):
        out.add(row, column, value, message, "warning")


def _numbers(frame: pd.DataFrame, names: tuple[str, ...]) -> None:
    for name in names:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)


def one_row_per_creator(frame: pd.DataFrame, file: str, config: Config) -> tuple[pd.DataFrame, list[Problem]]:
    """A creator list with a row per post (its creator_id repeated, as scraped caption tables have it) made one row
    per creator: its rows' posts (each on one line) and bios joined with " | " in order (each distinct text once), its
    other cells from its first row that has them; with a warning saying so. Unchanged when no creator_id repeats. For
    measuring fit (eval-fit): a plan's creator list must have one row per creator, since its fees and numbers would
    clash."""
    out = Collector(file)  # validate_creators says how the columns are read: not said here as well
    mapping = creator_mapping(frame, config, Collector(file))
    by_name = {canonical: header for header, canonical in mapping.items()}
    ids = by_name.get("creator_id")
    if ids is None or not frame[ids].dropna().duplicated().any():
        return frame, []
    posts, bios = by_name.get("recent_posts"), by_name.get("bio")
    limit, cut = Limits.from_env().max_cell_chars, set()

    def joined(cells: pd.Series) -> str:
        """The distinct texts in order, as many as the cell limit holds (the first always: a cell above the limit
        on its own is refused by validation, as any cell is). A post is one piece: its own line breaks, which
        would split it into several in a posts cell, become spaces."""
        texts = cells[~missing_cells(cells)].astype(str)
        texts = texts.str.split().str.join(" ") if cells.name == posts else texts.str.strip()
        kept, size = [], 0
        for text in dict.fromkeys(texts):
            size += len(text) + 3 * bool(kept)
            if kept and size > limit:
                cut.add(cells.index[0])
                break
            kept.append(text)
        return " | ".join(kept)

    groups = frame.groupby(ids, sort=False, dropna=False)
    merged = groups.agg({header: (joined if header in (posts, bios) else "first")
                         for header in frame.columns if header != ids}).reset_index()
    merged.index = frame.index[(groups.cumcount() == 0).to_numpy()]  # a creator's problems name its first row
    out.add(None, "creator_id", None, msg(
        "{rows} rows for {creators} creators, a row per post: each creator's posts and bios are joined",
        rows=len(frame), creators=len(merged)), "warning")
    if cut:
        out.add(None, "recent_posts", None, msg(
            "{n} creators' posts run past {limit:,} characters joined (the cell limit, MATCHMAKER_MAX_CELL_CHARS): "
            "their first posts are read, the rest left out", n=len(cut), limit=limit), "warning")
    return merged[list(frame.columns)], out.problems


def validate_creators(frame: pd.DataFrame, file: str, config: Config, mapping: dict[str, str] | None = None,
                      stand_ins: dict[str, str] | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    out = Collector(file)
    if mapping is None:
        mapping = creator_mapping(frame, config, out)
    tiers_given = "tier" in mapping.values()
    data = canonicalise(frame, "creators", file, mapping, out, tier_table(config), stand_ins=stand_ins)
    if data is None:
        return None, out.problems
    _required_cells(data, ("creator_id",), out)
    data["pricing"] = data["pricing"].fillna("").astype(str)
    no_fee = data["fee"].isna() & ~pd.Series([(r, "fee") in out.flagged for r in data["row"]], index=data.index)
    # "-": no offer; a commission-only creator is paid no fee
    _warn(data, no_fee & (data["pricing"] != "commission"), out, "fee", None,
          msg("no fee (quote): this creator cannot be booked"))
    _unique_ids(data, "creator_id", out)
    _numbers(data, ("followers", "fee", "max_products", "engagement_rate", "avg_views", "completion_rate",
                    "expected_cpm", "commission_rate", "rebate", "gpm", "sales_30d", "sales_conversion", "session_gmv",
                    "audience_female", *[f"audience_age_{b}" for b in AGE_BANDS], "experience_score"))
    def blank(name: str) -> pd.Series:
        return data[name].isna() | (data[name].astype(str) == "")

    warnings = [  # in this order within a row
        (data["categories"].map(len) == 0, "categories", None,
         msg("no category: this creator cannot match any product")),
        (blank("bio") & blank("recent_posts"), "bio", None, msg("blank bio: style fit is neutral for this creator")),
        (data["followers"] == 0, "followers", "0", msg("zero followers")),
        (data["max_products"] == 0, "max_products", "0", msg("max_products is 0: this creator takes no product")),
    ]
    for mask, column, value, message in warnings:
        _warn(data, mask, out, column, value, message)
    ages = data[[f"audience_age_{b}" for b in AGE_BANDS]]
    total = ages.sum(axis=1)
    for row, shares in zip(data.loc[ages.notna().all(axis=1) & (total > 1.05), "row"].astype(int),
                           total[ages.notna().all(axis=1) & (total > 1.05)]):
        out.add(row, "audience_age_18_24", f"{shares:.2f}", msg("the age-band shares add up to more than 100%"))
    no_tier = data["tier"].isna()
    if tiers_given:
        _warn(data, no_tier & data["followers"].isna(), out, "tier", None,
              msg("blank tier and no followers; expected top_kol or alliance (taken as alliance)"))
    by_followers = np.where(data["followers"] >= config.campaign.top_kol_followers, "top_kol", "alliance")
    data["tier"] = data["tier"].where(~no_tier, pd.Series(by_followers, index=data.index, dtype=object))
    data["max_products"] = data["max_products"].fillna(config.campaign.default_max_products).astype(int)
    for name in ("name", "bio", "recent_posts", "audience_region", "mcn"):
        data[name] = data[name].fillna("").astype(str)
    data.loc[data["name"] == "", "name"] = data["creator_id"]
    return data.reset_index(drop=True), out.problems


def _parse_gender(value: object) -> str:
    gender = GENDERS.get(str(value).strip().lower())
    if gender is None:
        raise ValueError(msg("expected female, male or all (女/男/不限)"))
    return gender


def _parse_ages(value: object) -> tuple[str, ...]:
    bands = []
    for item in parse_list(str(value).replace("，", ",")):
        band = AGE_ALIASES.get(item.strip().lower().replace(" ", "").replace("岁", ""))
        if band is None:
            raise ValueError(msg("expected age bands among 18-24, 25-34, 35+ (separated by ;)"))
        bands.append(band)
    return tuple(bands)


RULE_RANGES = (("min_creators", "max_creators"), ("min_top_kol", "max_top_kol"),
               ("min_top_kol", "max_creators"))


def rule_problems(products: pd.DataFrame, file: str) -> list[Problem]:
    """Per-product minimums above their maximums (products with their source "row")."""
    problems = []
    for _, p in products.iterrows():
        for lo, hi in RULE_RANGES:
            if not pd.isna(p[lo]) and not pd.isna(p[hi]) and p[lo] > p[hi]:
                problems.append(Problem(file, int(p["row"]), lo, str(p[lo]),
                                        msg("{product}: {low} is above {high} ({limit})", product=p["product_id"],
                                            low=lo, high=hi, limit=p[hi])))
    return problems


def validate_products(frame: pd.DataFrame, file: str, mapping: dict[str, str] | None = None,
                      declared: dict[str, str] | None = None, stand_ins: dict[str, str] | None = None
                      ) -> tuple[pd.DataFrame | None, list[Problem]]:
    out = Collector(file)
    data = canonicalise(frame, "products", file, mapping, out, declared=declared, stand_ins=stand_ins)
    if data is None:
        return None, out.problems
    _required_cells(data, ("product_id",), out)
    for _, p in data.iterrows():
        if not p["category"]:
            out.add(int(p["row"]), "category", None, msg("no category: no creator can be matched to this product"),
                    "warning")
        if not p["brand"]:
            out.add(int(p["row"]), "brand", None, msg("blank brand"), "warning")
    data["category"] = data["category"].fillna("")
    data["brand"] = data["brand"].fillna("")
    _unique_ids(data, "product_id", out)
    for name, parser in (("target_gender", _parse_gender), ("target_age", _parse_ages)):
        parsed = []
        for value, row in zip(data[name], data["row"]):
            try:
                parsed.append(None if value is None or value == "" else parser(value))
            except ValueError as exc:
                out.add(int(row), name, value, exc.args[0])
                parsed.append(None)
        data[name] = pd.Series(parsed, index=data.index, dtype=object)
    data["target_age"] = [v if v else () for v in data["target_age"]]
    data["target_gender"] = data["target_gender"].fillna("all")
    _numbers(data, ("price", "budget", "commission_rate", "margin", "return_rate", "sample_cost", "conversion_rate"))
    for name in ("min_creators", "max_creators", "min_top_kol", "max_top_kol"):
        data[name] = data[name].astype("Int64")
    out.problems += rule_problems(data, file)
    for _, p in data.iterrows():
        if not p["description"] and not p["name"]:
            out.add(int(p["row"]), "description", None, msg("blank description and name: style fit is neutral"),
                    "warning")
    data["min_creators"] = data["min_creators"].fillna(0)
    data["min_top_kol"] = data["min_top_kol"].fillna(0)
    for name in ("name", "description", "target_region"):
        data[name] = data[name].fillna("").astype(str)
    return data.reset_index(drop=True), out.problems


def _validate_links(frame: pd.DataFrame, file: str, table: str, id_columns: dict[str, set[str]],
                    mapping: dict[str, str] | None, declared: dict[str, str] | None
                    ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Pairs and overlaps: ids must exist, each link once."""
    out = Collector(file)
    data = canonicalise(frame, table, file, mapping, out, declared=declared)
    if data is None:
        return None, out.problems
    value_col = "value" if table == "pairs" else "overlap"
    _required_cells(data, (*id_columns, value_col), out)
    seen: dict[tuple, int] = {}
    for _, r in data.iterrows():
        row = int(r["row"])
        for col, known in id_columns.items():
            if r[col] and r[col] not in known:
                kind = "creator" if "creator" in col else "product"
                out.add(row, col, r[col], msg("no creator with this id in the creators table") if kind == "creator"
                        else msg("no product with this id in the products table"))
        ids = tuple(r[c] for c in id_columns)
        if table == "overlaps":
            if ids[0] == ids[1]:
                out.add(row, "creator_b", ids[1], msg("a creator's overlap with itself"))
            ids = tuple(sorted(ids))
        if ids in seen:
            out.add(row, list(id_columns)[0], " / ".join(ids), msg("listed twice; first in row {first}",
                                                                     first=seen[ids]))
        else:
            seen[ids] = row
    _numbers(data, (value_col,))
    return data.reset_index(drop=True), out.problems


def validate(raw: dict[str, tuple[str, pd.DataFrame]], config: Config,
             mappings: dict[str, dict[str, str]] | None = None, notes: tuple[Problem, ...] = (),
             stand_ins: dict[tuple[str, str], str] | None = None) -> ProblemData:
    """Raw tables {"creators": (file, frame), "products": ..., optional "pairs", "overlaps", "deals"}; `notes` are
    warnings from reading them (skipped title rows, the sheet chosen), kept with the others. `stand_ins`:
    {(table, column): value} for required columns a use does not read, taken when a table has none."""
    mappings = mappings or {}
    given = {table: {column: value for (t, column), value in (stand_ins or {}).items() if t == table}
             for table in ("creators", "products")}
    problems: list[Problem] = list(notes)
    file, frame = raw["creators"]
    creators, found = validate_creators(frame, file, config, mappings.get("creators"), given["creators"])
    problems += found
    file, frame = raw["products"]
    products, found = validate_products(frame, file, mappings.get("products"), config.columns.get("products"),
                                        given["products"])
    problems += found
    links: dict[str, pd.DataFrame | None] = {"pairs": None, "overlaps": None}
    deals = None
    if creators is not None and products is not None:
        creator_ids, product_ids = set(creators["creator_id"]), set(products["product_id"])
        refs = {"pairs": {"creator_id": creator_ids, "product_id": product_ids},
                "overlaps": {"creator_a": creator_ids, "creator_b": creator_ids}}
        for table in ("pairs", "overlaps"):
            if table in raw:
                file, frame = raw[table]
                links[table], found = _validate_links(frame, file, table, refs[table],
                                                      mappings.get(table), config.columns.get(table))
                problems += found
        if "deals" in raw:
            file, frame = raw["deals"]
            deals, found = _deal_terms(frame, file, creators, products, mappings.get("deals"),
                                       config.columns.get("deals"))
            problems += found
    for table, frame in (("creators", creators), ("products", products)):
        if frame is not None and frame.empty:
            problems.append(Problem(raw[table][0], None, None, None, msg("the creators table has no rows")
                                    if table == "creators" else msg("the products table has no rows")))
    problems.sort(key=lambda p: (p.severity != "error", p.file, p.row or 0))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return ProblemData(creators=creators, products=products, pairs=links["pairs"],
                       overlaps=links["overlaps"], deals=deals, warnings=tuple(problems),
                       files={k: v[0] for k, v in raw.items()})



def validate_history(frame: pd.DataFrame, file: str) -> pd.DataFrame:
    """Past collaborations (creator_id, product_id) for train-fit; raises InputError."""
    out = Collector(file)
    data = canonicalise(frame, "pairs_history", file, None, out)
    if data is not None:
        _required_cells(data, ("creator_id", "product_id"), out)
    out.raise_errors()
    return data


def _known_ids(table: pd.DataFrame, creators: pd.DataFrame, products: pd.DataFrame, out: Collector) -> None:
    """Every creator_id and product_id of the table is in the creators and products tables."""
    for column, known, unknown in (
            ("creator_id", set(creators["creator_id"]), msg("no creator with this id in the creators table")),
            ("product_id", set(products["product_id"]), msg("no product with this id in the products table"))):
        bad = table[column].notna() & ~table[column].isin(known)
        for row, value in zip(table.loc[bad, "row"].astype(int), table.loc[bad, column]):
            out.add(row, column, value, unknown)


RESULT_NUMBERS = ("views", "clicks", "orders", "gmv", "spend", "refunds", "refund_gmv")
MATURITY_DAYS = 7  # results settle (refunds come in) about a week after the post: read them at T+7 or later


def validate_results(frame: pd.DataFrame, file: str, data: ProblemData, maturity: int = 0,
                     as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """A pilot's (and its waves') results: creator_id, product_id (known ids), views, orders, and clicks, gmv,
    spend, refunds (taken off the orders and sales), wave (0, the pilot, when blank) and the reading's age (days,
    T+N, else counted from the post's date to `as_of`, today when None) when given; rows of one booking (one per
    video) added up; c and p, the creator's and product's positions. A booking read younger than `maturity`
    days is refused at its row (its orders are not settled yet). Raises InputError naming file, row and column."""
    out = Collector(file)
    table = canonicalise(frame, "results", file, None, out)
    if table is not None:
        _required_cells(table, ("creator_id", "product_id", "views", "orders"), out)
        _known_ids(table, data.creators, data.products, out)
    out.raise_errors()
    _numbers(table, (*RESULT_NUMBERS, "wave", "days"))
    table["wave"] = table["wave"].fillna(0.0)
    posted = pd.to_datetime(table["posted"], errors="coerce", format="mixed")
    for row, value in zip(table["row"][posted.isna() & table["posted"].notna()], table["posted"]):
        out.add(int(row), "posted", value, msg("expected a date such as 2026-11-20"))
    out.raise_errors()
    today = (as_of or pd.Timestamp.now()).normalize()
    table["days"] = table["days"].fillna((today - posted.dt.normalize()).dt.days)
    for row, days, when in zip(table["row"], table["days"], posted):
        if maturity and days < maturity:
            ready = msg(", on {date} or later", date=(when + pd.Timedelta(days=maturity)).date().isoformat()) \
                if pd.notna(when) else ""
            out.add(int(row), "days", f"T+{days:.0f}", msg(
                "read before its orders settled (refunds come in for about {days} days): read it again at "
                "T+{days}{ready}, or lower the maturity if it is final", days=maturity, ready=ready))
    out.raise_errors()
    keys = ["creator_id", "product_id", "wave"]
    first = table.groupby(keys, sort=False)["row"].min()
    summed = table.groupby(keys, sort=False)[list(RESULT_NUMBERS)].sum(min_count=1).reset_index()
    summed["days"] = table.groupby(keys, sort=False)["days"].min().to_numpy()
    summed["orders"] = (summed["orders"] - summed["refunds"].fillna(0.0)).clip(lower=0.0)
    summed["gmv"] = summed["gmv"] - summed["refund_gmv"].fillna(0.0)
    summed["row"] = first.to_numpy()
    summed["c"] = pd.Index(data.creators["creator_id"]).get_indexer(summed["creator_id"])
    summed["p"] = pd.Index(data.products["product_id"]).get_indexer(summed["product_id"])
    return summed.sort_values(["wave", "row"], kind="stable").reset_index(drop=True)


def with_locks(data: ProblemData, locks: list[str] | None = None, bans: list[str] | None = None,
               source: str = "command line") -> ProblemData:
    """The data with bookings every plan must make (locks: "creator_id:product_id", or "creator_id" for any
    product) and creators no plan may book (bans, creator ids), added to any it has; an unknown id or a
    malformed lock raises InputError naming it."""
    problems = []
    creators, products = set(data.creators["creator_id"]), set(data.products["product_id"])
    pairs = []
    for lock in locks or ():
        cid, sep, pid = str(lock).rpartition(":")
        if not sep:  # a creator, for any product
            cid, pid = str(lock), ""
        if not cid or (sep and not pid):
            problems.append(Problem(source, None, "--lock", lock,
                                    msg("expected creator_id:product_id, or a creator_id for any product")))
            continue
        for value, known, unknown in ((cid, creators, msg("no creator with this id in the creators table")),
                                      (pid or None, products, msg("no product with this id in the products table"))):
            if value is not None and value not in known:
                problems.append(Problem(source, None, "--lock", lock, unknown))
        pairs.append((cid, pid))
    problems += [Problem(source, None, "--ban", cid, msg("no creator with this id in the creators table"))
                 for cid in bans or () if cid not in creators]
    both = sorted({cid for cid, _ in pairs} & set(bans or ()))
    problems += [Problem(source, None, "--ban", cid, msg("this creator is also locked")) for cid in both]
    if problems:
        raise InputError(problems)
    if pairs:
        frame = pd.DataFrame(pairs, columns=["creator_id", "product_id"])
        if data.locks is not None:
            frame = pd.concat([data.locks[["creator_id", "product_id"]], frame])
        data = data.replace(locks=frame.drop_duplicates().reset_index(drop=True))
    if bans:
        data = data.replace(bans=tuple(dict.fromkeys((*data.bans, *bans))))
    return data


def validate_choices(frame: pd.DataFrame, file: str, data: ProblemData) -> tuple[list[str], list[str]]:
    """A table of locks and bans (CHOICE_COLUMNS): the locks ("creator_id:product_id") and the bans (creator
    ids), for with_locks; raises InputError naming file, row and column."""
    out = Collector(file)
    table = canonicalise(frame, "choices", file, None, out)
    locks, bans = [], []
    if table is not None:
        _required_cells(table, ("creator_id",), out)
        _known_ids(table, data.creators, data.products, out)
        for row, cid, pid, action in zip(table["row"].astype(int), table["creator_id"], table["product_id"],
                                         table["action"]):
            given = "" if pd.isna(action) else str(action).strip().lower()
            kind = CHOICE_ACTIONS.get(given) if given else ("lock" if pd.notna(pid) else "ban")
            if kind is None:
                out.add(row, "action", action, msg("expected lock (锁定) or ban (排除)"))
            elif pd.notna(cid) and kind == "lock":  # without a product: the creator, for any product
                locks.append(f"{cid}:{pid}" if pd.notna(pid) else str(cid))
            elif pd.notna(cid):
                bans.append(str(cid))
    out.raise_errors()
    return locks, bans


def _deal_terms(frame: pd.DataFrame, file: str, creators: pd.DataFrame, products: pd.DataFrame,
                mapping: dict[str, str] | None, declared: dict[str, str] | None
                ) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Deal terms per creator and product (creator_id, product_id, and fee, pricing, commission_rate, rebate
    where given), known ids, each pair once; and the table's problems (None with an error among them)."""
    out = Collector(file)
    table = canonicalise(frame, "deals", file, mapping, out, declared=declared)
    if table is not None:
        _required_cells(table, ("creator_id", "product_id"), out)
        _known_ids(table, creators, products, out)
        pair = table["creator_id"].astype(str) + " / " + table["product_id"].astype(str)
        first = table.assign(pair=pair).drop_duplicates("pair").set_index("pair")["row"]
        for row, value in zip(table.loc[pair.duplicated(), "row"].astype(int), pair[pair.duplicated()]):
            out.add(row, "creator_id", value, msg("listed twice; first in row {first}", first=int(first[value])))
    if table is None or out.has_errors():
        return None, out.problems
    _numbers(table, ("fee", "commission_rate", "rebate"))
    table["pricing"] = table["pricing"].fillna("").astype(str)
    terms = table[["creator_id", "product_id", "fee", "pricing", "commission_rate", "rebate", "row"]]
    return terms.reset_index(drop=True), out.problems


def validate_deals(frame: pd.DataFrame, file: str, data: ProblemData,
                   declared: dict[str, str] | None = None) -> pd.DataFrame:
    """A deals table read against validated lists (validate reads one given as raw["deals"]); raises InputError
    naming file, row and column. `declared`: the campaign's [columns.deals]."""
    terms, problems = _deal_terms(frame, file, data.creators, data.products, None, declared)
    if terms is None:
        raise InputError(problems)
    return terms

"""Canonical columns of each input table and the header aliases that map onto them.

Real exports name the same column many ways (达人昵称, "Creator Name", "handle"). Aliases are matched
after normalising case, spaces, underscores and brackets, so "Fee (CNY)" and "fee_cny" are one key.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "id" | "text" | "number" | "share" | "int" | "list" | "tier"
    required: bool = False
    aliases: tuple[str, ...] = ()
    doc: str = ""


CREATOR_COLUMNS: tuple[Column, ...] = (
    Column("creator_id", "id", True,
           ("达人id", "达人ID", "抖音号", "账号id", "账号", "id", "creator id", "user id", "uid", "星图id", "抖音uid",
            "达人uid",
            "handle", "username", "account", "creator", "influencer", "author", "owner username", "youtuber",
            "channel info", "instagram handle", "tiktok handle", "account handle", "screen name"),
           "unique id of the creator"),
    Column("name", "text", False,
           ("达人昵称", "昵称", "达人名称", "名称", "creator name", "nickname", "display name",
            "channel", "channel name", "full name", "influencer name", "author name", "account name",
            "youtuber name", "instagram name"), "display name"),
    Column("tier", "tier", False,
           ("层级", "达人层级", "达人类型", "类型", "达人等级", "等级", "creator tier", "size tier", "level"),
           "top_kol or alliance; derived from followers when absent"),
    Column("followers", "number", False,
           ("粉丝数", "粉丝", "粉丝量", "follower count", "followers count", "subscribers",
            "fans", "粉丝总数", "follower", "fan count", "fans count", "subscriber count", "audience size"),
           "follower count"),
    Column("categories", "list", True,
           ("类目", "带货类目", "主营类目", "擅长类目", "主推类目", "领域", "category", "niche", "niches",
            "primary niche", "niche primary", "vertical", "primary category", "main category", "content category",
            "category 1"), "one or more categories, split on ; | , 、 /"),
    Column("bio", "text", False,
           ("简介", "达人简介", "个人简介", "风格", "内容风格", "description", "about", "bio data",
            "style", "个性签名", "签名", "账号简介", "biography", "signature", "profile description",
            "channel description", "bio text", "intro"), "how the creator describes themselves"),
    Column("recent_posts", "text", False,
           ("近期作品", "作品标题", "视频标题", "代表作", "代表作品", "近期视频", "话题", "话题标签", "视频文案",
            "文案", "作品描述", "笔记标题", "近期笔记", "hashtags", "captions", "caption", "post captions",
            "post caption", "post text", "post texts", "recent captions", "video titles", "recent videos",
            "作品文案", "video description", "video descriptions", "post description", "post descriptions",
            "latest posts", "latest captions"),
           "recent post captions, video titles or hashtags, one per line or between | (each scored on its own); "
           "a bare \"posts\" header only when its cells are text: in influencer exports it counts posts"),
    Column("fee", "number", True,
           ("报价", "合作报价", "坑位费", "费用", "价格", "price", "rate", "cost", "fee cny",
            "quote", "商单报价", "一口价", "rate card", "fee per post", "price per post", "sponsorship fee"),
           "cost in CNY of one product slot"),
    Column("max_products", "int", False,
           ("最多商品数", "可接商品数", "商品上限", "max slots", "capacity"),
           "how many products the creator can take (default 1)"),
    Column("engagement_rate", "share", False,
           ("互动率", "近30天互动率", "30天互动率", "平均互动率", "engagement", "engagement rate", "er",
            "avg engagement"), "engagement rate, 0..1 or a percentage"),
    Column("avg_views", "number", False,
           ("平均播放", "平均播放量", "场均观看", "预期播放量", "预估播放量", "播放中位数", "average views",
            "avg views", "expected views", "views"), "average (or expected) views per video or live"),
    Column("completion_rate", "share", False, ("完播率", "completion rate", "completion"),
           "share of viewers who watch to the end"),
    Column("expected_cpm", "number", False, ("预期cpm", "预估cpm", "cpm", "expected cpm"),
           "expected cost per thousand views (CNY)"),
    Column("audience_female", "share", False,
           ("女性粉丝占比", "女粉占比", "女性占比", "粉丝画像女性占比", "女性粉丝比例", "female share",
            "female audience"),
           "share of the audience that is female"),
    Column("audience_age_18_24", "share", False, ("18-24岁占比", "age 18-24"),
           "share of the audience aged 18-24"),
    Column("audience_age_25_34", "share", False, ("25-34岁占比", "age 25-34"),
           "share of the audience aged 25-34"),
    Column("audience_age_35_plus", "share", False, ("35岁以上占比", "age 35+", "age 35 plus"),
           "share of the audience aged 35 and over"),
    Column("audience_region", "text", False,
           ("粉丝地域", "主要地域", "地域", "region", "audience country", "country"),
           "main audience region"),
    Column("experience_score", "number", False,
           ("带货口碑", "口碑分", "带货口碑分", "带货评分", "experience", "rating", "score"),
           "track record, 0..5 (Douyin's 带货口碑 scale)"),
    Column("mcn", "text", False, ("mcn", "机构", "所属机构", "mcn机构", "agency"),
           "MCN agency"),
    Column("pricing", "pricing", False, ("合作方式", "合作模式", "结算方式", "计费方式", "pricing", "deal",
                                         "deal type"),
           "flat (一口价), commission (纯佣) or fee+commission (坑位费+佣金); blank: the fee, plus commission "
           "when a rate is given"),
    Column("commission_rate", "share", False, ("佣金率", "佣金比例", "达人佣金率", "期望佣金率", "commission",
                                               "commission rate"),
           "share of the GMV paid as commission; over the product's rate"),
    Column("rebate", "share", False, ("返点", "返点率", "返点比例", "rebate"),
           "agency rebate on the quoted fee: the fee paid is fee x (1 - rebate)"),
    # sales history (fit/economics.history): how well the creator has sold, against the pool's other creators
    Column("gpm", "number", False,
           ("gpm", "千次播放成交额", "千次曝光成交额", "千次观看成交金额", "视频gpm", "直播gpm", "带货gpm", "平均gpm",
            "gmv per mille"), "GMV per 1,000 views (CNY) of its past sales"),
    Column("sales_30d", "number", False,
           ("近30天销售额", "30天销售额", "近30天带货gmv", "近30天gmv", "近30日销售额", "月销售额", "sales 30d",
            "30-day sales", "30 day gmv"), "its sales (GMV, CNY) over the last 30 days; a range such as 10w-25w"),
    Column("sales_conversion", "share", False,
           ("带货转化率", "商品转化率", "成交转化率", "sales conversion", "conversion"),
           "orders per view (or per product click, as the export says) of its past sales"),
    Column("session_gmv", "number", False,
           ("场均gmv", "场均销售额", "场均成交额", "单场gmv", "gmv per session", "gmv per live"),
           "GMV per live session or video (CNY)"),
)

# Money columns that rate cards and listings write as ranges ("5000-8000", "1-2w", "$74.99 - $249.99"), and the end
# taken, said in a warning: a fee's upper end (the most the budget may have to pay), a price's lower end (the least a
# sale may bring). Other number columns take one number.
RANGE_ENDS = {"fee": "high", "price": "low", "gpm": "mid", "sales_30d": "mid", "session_gmv": "mid"}

# Xingtu writes one quote per content format; `campaign.fee_quote` names the one that is the fee, else the
# first of these present is used (and the others are named). Keys are header_key()s of the headers' start.
QUOTE_FORMATS = ("21-60s视频", "21-60s报价", "1-20s视频", "1-20s报价", "60s以上视频", "60s以上报价", "60s+", "直播",
                 "坑位费")  # the video quotes as Xingtu writes them, then as Xingtu-derived tools do (1-20s报价)

PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("product_id", "id", True,
           ("商品id", "商品ID", "商品编号", "sku", "item id", "id", "商品编码", "goods id", "spu", "spu id", "asin",
            "uniq id", "listing id", "handle"), "unique id of the product"),
    Column("brand", "text", True, ("品牌", "品牌名", "brand name", "品牌名称", "vendor", "manufacturer"), "brand"),
    Column("name", "text", False, ("商品名称", "商品名", "标题", "product name", "title", "商品标题", "宝贝标题",
                                   "product title", "item name", "item title", "listing title", "goods name"),
           "product name"),
    Column("category", "text", True, ("类目", "商品类目", "品类", "product category", "type", "商品分类", "分类",
                                      "category path", "categories", "product type", "niche", "vertical",
                                      "department"), "product category"),
    Column("description", "text", False,
           ("商品描述", "描述", "卖点", "详情", "about product", "product description", "商品详情", "about this item",
            "product details", "details", "features", "bullet points", "body", "body html", "long description",
            "short description"),
           "product text used for style fit"),
    Column("price", "number", False, ("售价", "价格", "到手价", "product price", "现价", "selling price", "sale price",
                                      "variant price", "list price"), "retail price"),
    Column("min_creators", "int", False, ("最少达人数", "min creators"), "default 0"),
    Column("max_creators", "int", False, ("最多达人数", "max creators"), "default: no cap"),
    Column("min_top_kol", "int", False, ("最少头部达人", "min top kol", "min kol"), ""),
    Column("max_top_kol", "int", False, ("最多头部达人", "max top kol", "max kol"), ""),
    Column("budget", "number", False, ("预算", "商品预算", "product budget"),
           "cap on the product's spend"),
    Column("target_gender", "text", False, ("目标性别", "目标人群性别", "gender"),
           "female, male or all"),
    Column("target_age", "text", False, ("目标年龄", "目标人群年龄", "age"),
           "age bands among 18-24, 25-34, 35+"),
    Column("target_region", "text", False, ("目标地域", "target country"), "target region"),
    Column("commission_rate", "share", False, ("佣金率", "佣金比例", "商品佣金率", "commission", "commission rate"),
           "share of the GMV paid to creators as commission"),
    Column("margin", "share", False, ("毛利率", "利润率", "margin", "gross margin"),
           "gross margin, for the profit objective"),
    Column("return_rate", "share", False, ("退货率", "退款率", "品退率", "售后退款率", "退货退款率", "return rate",
                                           "refund rate", "returns"),
           "share of paid GMV refunded: commission and profit are on the rest"),
    Column("sample_cost", "number", False, ("样品成本", "寄样成本", "样品费用", "sample cost"),
           "cost of the free sample sent with each booking (CNY)"),
    Column("conversion_rate", "share", False, ("转化率", "预估转化率", "conversion rate", "cvr"),
           "expected orders per view; over the campaign's prior"),
)

PAIR_COLUMNS: tuple[Column, ...] = (
    Column("creator_id", "id", True, ("达人id", "creator")),
    Column("product_id", "id", True, ("商品id", "product")),
    Column("value", "number", True, ("分数", "score", "fit")),
)

OVERLAP_COLUMNS: tuple[Column, ...] = (
    Column("creator_a", "id", True, ("达人a", "creator 1", "a")),
    Column("creator_b", "id", True, ("达人b", "creator 2", "b")),
    Column("overlap", "share", True, ("重合度", "粉丝重合度", "overlap share")),
)

HISTORY_COLUMNS: tuple[Column, ...] = PAIR_COLUMNS[:2]  # past collaborations, for train-fit

# Deal terms per creator and product, over the creator's own (docs, "Money"): a slot fee, a pricing model,
# a commission rate or a rebate negotiated for this product only.
DEAL_COLUMNS: tuple[Column, ...] = (
    Column("creator_id", "id", True, ("达人id", "达人ID", "抖音号", "达人抖音号", "creator", "creator id", "uid"),
           "the creator, as in the creators table"),
    Column("product_id", "id", True, ("商品id", "商品ID", "product", "product id", "item id", "sku"),
           "the product, as in the products table"),
    Column("fee", "number", False, ("坑位费", "报价", "合作报价", "费用", "fee", "quote", "slot fee", "fee cny"),
           "the quote for this product (CNY)"),
    Column("pricing", "pricing", False,
           ("合作方式", "合作模式", "结算方式", "计费方式", "pricing", "deal", "deal type"),
           "flat, commission or fee+commission for this product"),
    Column("commission_rate", "share", False, ("佣金率", "佣金比例", "commission", "commission rate"),
           "the commission rate for this product"),
    Column("rebate", "share", False, ("返点", "返点率", "返点比例", "rebate"), "the rebate on this quote"),
)

# A pilot's results per booking (or per video: rows of one booking are added up), as Compass (罗盘) or
# Buyin (百应) exports write them.
RESULT_COLUMNS: tuple[Column, ...] = (
    Column("creator_id", "id", True,
           ("达人id", "达人ID", "达人uid", "抖音号", "达人抖音号", "作者id", "作者抖音号", "达人账号", "账号id",
            "creator", "creator id", "author id", "uid", "handle"), "the creator, as in the creators table"),
    Column("product_id", "id", True, ("商品id", "商品ID", "商品编号", "product", "product id", "item id", "sku"),
           "the product, as in the products table"),
    Column("views", "number", True,
           ("播放量", "视频播放量", "播放次数", "观看次数", "观看人次", "直播观看人次", "曝光次数", "商品曝光次数",
            "views", "plays", "video views", "impressions"), "views (plays) of the pilot's posts"),
    Column("clicks", "number", False, ("商品点击次数", "商品点击数", "点击次数", "点击量", "clicks", "product clicks"),
           "product clicks"),
    Column("orders", "number", True,
           ("成交订单数", "支付订单数", "订单数", "成交单量", "成交件数", "orders", "paid orders"), "paid orders"),
    Column("gmv", "number", False,
           ("成交金额", "支付金额", "成交gmv", "支付gmv", "gmv", "销售额", "sales"), "sales (CNY)"),
    Column("spend", "number", False, ("花费", "消耗", "实际花费", "投放花费", "spend", "cost"),
           "what the booking cost (CNY)"),
    Column("refunds", "number", False, ("退款订单数", "退款单数", "退货订单数", "refunds", "refunded orders"),
           "orders refunded: taken off the orders"),
    Column("refund_gmv", "number", False, ("退款金额", "退货金额", "refund amount", "refunded gmv"),
           "sales refunded (CNY): taken off the sales"),
    Column("wave", "number", False, ("波次", "批次", "轮次", "wave", "round"),
           "which wave the booking belongs to (0 = the pilot); blank: the pilot"),
    Column("days", "number", False, ("发布天数", "上线天数", "统计天数", "days", "days since post", "days live"),
           "days between the post and this reading (T+N)"),
    Column("posted", "text", False, ("发布日期", "发布时间", "视频发布时间", "开播时间", "posted", "post date",
                                     "date"), "the post's date (its reading's age is counted from it)"),
)

# Locks and bans as a table (--choices): a lock books the creator for the product, a ban never books the creator.
CHOICE_COLUMNS: tuple[Column, ...] = (
    Column("creator_id", "id", True, RESULT_COLUMNS[0].aliases, "the creator, as in the creators table"),
    Column("product_id", "id", False, RESULT_COLUMNS[1].aliases, "the product a lock books (blank: any product)"),
    Column("action", "text", False, ("操作", "动作", "选择", "锁定/排除", "action", "choice"),
           "lock (锁定, 必投) or ban (排除, 禁用); blank: lock when a product is given, else ban"),
)
CHOICE_ACTIONS = {"lock": "lock", "锁定": "lock", "必投": "lock", "必选": "lock", "keep": "lock",
                  "ban": "ban", "排除": "ban", "禁用": "ban", "不投": "ban", "exclude": "ban"}

TABLES: dict[str, tuple[Column, ...]] = {
    "pairs_history": HISTORY_COLUMNS,
    "creators": CREATOR_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "pairs": PAIR_COLUMNS,
    "overlaps": OVERLAP_COLUMNS,
    "results": RESULT_COLUMNS,
    "deals": DEAL_COLUMNS,
    "choices": CHOICE_COLUMNS,
}

# The largest value each number may take (docs, "Input format"): far above any real campaign, and low
# enough that the solver's integer arithmetic (money in fen, values in 1/10,000) cannot overflow.
MAX_MONEY = 1e9  # CNY for one slot or one product's price
MAX_COUNT = 1_000_000
MONEY = ("fee", "price", "budget", "sample_cost", "expected_cpm")  # amounts, in the campaign's one currency (CNY)
MAXIMA: dict[str, float] = {
    "followers": 1e10, "avg_views": 1e11, "fee": MAX_MONEY, "price": MAX_MONEY, "budget": 1e12,
    "max_products": 10_000, "min_creators": MAX_COUNT, "max_creators": MAX_COUNT, "min_top_kol": MAX_COUNT,
    "max_top_kol": MAX_COUNT, "experience_score": 5, "value": 1e6, "sample_cost": MAX_MONEY,
    "views": 1e11, "clicks": 1e11, "orders": 1e10, "gmv": 1e12, "spend": 1e12,
}

# A pricing label (case, spaces and "+" ignored) -> flat, commission or fee+commission (docs, "Money").
PRICING_ALIASES = {
    "flat": "flat", "fee": "flat", "flatfee": "flat", "一口价": "flat", "固定费用": "flat", "包干": "flat",
    "commission": "commission", "commissiononly": "commission", "纯佣": "commission", "纯佣金": "commission",
    "cps": "commission",
    "fee+commission": "fee+commission", "feecommission": "fee+commission", "坑位费佣金": "fee+commission",
    "坑位费+佣金": "fee+commission", "坑位+佣金": "fee+commission", "坑位佣金": "fee+commission",
    "hybrid": "fee+commission",
}
PRICINGS = ("flat", "commission", "fee+commission")


def pricing_key(label: object) -> str:
    return re.sub(r"[\s_\-]+", "", str(label).strip().lower())

# A tier label (case and a trailing 达人 ignored) -> top_kol or alliance; a campaign's [tiers] table adds to
# or overrides it (docs, "Input format"). Xingtu's levels: 头部 and 肩部 are bought as Top-KOLs (slot
# fees), 腰部, 尾部, 素人 and KOCs through the Alliance.
TIER_ALIASES = {
    "top_kol": "top_kol", "top kol": "top_kol", "topkol": "top_kol", "kol": "top_kol",
    "head": "top_kol", "celebrity": "top_kol", "mega": "top_kol", "头部": "top_kol", "肩部": "top_kol",
    "明星": "top_kol", "top": "top_kol", "macro": "top_kol",
    "alliance": "alliance", "affiliate": "alliance", "koc": "alliance", "腰部": "alliance",
    "尾部": "alliance", "腰尾部": "alliance", "素人": "alliance", "达人联盟": "alliance", "精选联盟": "alliance",
    "micro": "alliance", "nano": "alliance", "mid": "alliance",
    # Buyin's 达人等级 by sales: LV6 and LV7 sell like head creators; a campaign's [tiers] may say otherwise
    "lv0": "alliance", "lv1": "alliance", "lv2": "alliance", "lv3": "alliance", "lv4": "alliance", "lv5": "alliance",
    "lv6": "top_kol", "lv7": "top_kol",
}


def tier_key(label: object) -> str:
    """A tier label as the alias table keys it: 头部达人 -> 头部, "Top-KOL" -> top_kol."""
    text = str(label).strip().lower().replace("-", "_")
    return text.removesuffix("达人") or text


AGE_BANDS = ("18_24", "25_34", "35_plus")

_KEY_JUNK = re.compile(r"[\s_\-()（）\[\]【】:：./]+")
_CNY_UNIT = re.compile(r"[(（\[【]?\s*(cny|rmb|元|¥|￥)\s*[)）\]】]?$")
# A unit in brackets at the end of a header scales the column: 粉丝量(万), 报价(千元), 播放(w), 互动率(%)
_UNITS = {"万": 1e4, "w": 1e4, "万元": 1e4, "千": 1e3, "k": 1e3, "千元": 1e3, "百万": 1e6, "m": 1e6, "亿": 1e8,
          "元": 1.0, "cny": 1.0, "rmb": 1.0, "%": 0.01, "％": 0.01}
_HEADER_UNIT = re.compile(r"\s*[(（\[【]\s*(万元|千元|百万|万|w|千|k|m|亿|元|cny|rmb|%|％)\s*[)）\]】]\s*$")


def header_unit(text: object) -> float:
    """The factor a header's unit puts on its column's plain numbers: 粉丝量(万) -> 10000, (%) -> 0.01."""
    match = _HEADER_UNIT.search(str(text).strip().lower())
    return _UNITS[match.group(1)] if match else 1.0


def header_key(text: object) -> str:
    """Normalise a header for alias matching: lower case, no spaces, brackets, separators or a
    trailing unit ("报价(元)", "Fee (CNY)", "粉丝量(万)" -> the key of "报价", "fee", "粉丝量")."""
    text = _HEADER_UNIT.sub("", str(text).strip().lower())
    text = _CNY_UNIT.sub("", text)
    return _KEY_JUNK.sub("", text)


def alias_ranks(columns: tuple[Column, ...]) -> dict[str, tuple[str, int]]:
    """Each normalised alias (and the canonical name itself) -> its canonical column, and its place in that column's
    list (0: the canonical name; an alias two columns share is the first column's)."""
    ranks: dict[str, tuple[str, int]] = {}
    for col in columns:
        for rank, alias in enumerate((col.name, *col.aliases)):
            ranks.setdefault(header_key(alias), (col.name, rank))
    return ranks


def alias_map(columns: tuple[Column, ...]) -> dict[str, str]:
    """Map each normalised alias (and the canonical name itself) to its canonical column."""
    return {key: name for key, (name, _) in alias_ranks(columns).items()}


def suggest_mapping(headers: list[str], table: str, blank: Callable[[str], bool] | None = None) -> dict[str, str]:
    """Header -> canonical column for every column an alias finds. Where several headers could be one column, a
    header with data comes before a wholly blank one (`blank`, asked only then), then the one whose alias comes first
    in the column's list (the canonical name first: a catalogue's "category" before its "type"), then the leftmost;
    passed_over names the others."""
    ranks = alias_ranks(TABLES[table])
    found = [(ranks[key], place, header) for place, header in enumerate(headers)
             if (key := header_key(header)) in ranks]
    shared = Counter(column for (column, _), _, _ in found)
    best: dict[str, tuple[tuple[bool, int, int], str]] = {}
    for (column, rank), place, header in found:
        order = (shared[column] > 1 and blank is not None and blank(header), rank, place)
        if column not in best or order < best[column][0]:
            best[column] = (order, header)
    return {header: column for column, (_, header) in sorted(best.items(), key=lambda item: item[1][0][2])}


def passed_over(mapping: dict[str, str], headers: list[str], table: str) -> dict[str, list[str]]:
    """Per column the mapping reads, the file's other headers an alias would have read as it, and read as nothing."""
    aliases = alias_map(TABLES[table])
    out: dict[str, list[str]] = {}
    for header in headers:
        column = aliases.get(header_key(header))
        if column is not None and header not in mapping and column in mapping.values():
            out.setdefault(column, []).append(header)
    return out


def find_header(headers: list[str], header: str) -> str | None:
    """`header` among the file's headers: as written, else by its alias key (case, spaces, brackets, a unit)."""
    if header in headers:
        return header
    return next((h for h in headers if header_key(h) == header_key(header)), None)


def declared_over(mapping: dict[str, str], headers: list[str], declared: dict[str, str]) -> dict[str, str]:
    """The mapping with a campaign's [columns.TABLE] (header = column) put over it: a declared column is read from
    its declared header only, and that header is not read as anything else. Declared headers the file lacks are
    passed over (inputs/columns.py names them)."""
    chosen = {found: column for header, column in declared.items()
              if (found := find_header(headers, header)) is not None}
    kept = {h: c for h, c in mapping.items() if h not in chosen and c not in chosen.values()}
    return {**kept, **chosen}


def header_score(table: str, declared: Iterable[str] = ()) -> Callable[[list[str]], int]:
    """For reading an export: how many cells of a row are headers of this table's columns (or `declared` headers,
    the campaign's [columns.TABLE])."""
    keys = {*alias_map(TABLES[table]), *map(header_key, declared)}
    return lambda cells: sum(header_key(cell) in keys for cell in cells)


def quote_columns(headers: list[str]) -> dict[str, str]:
    """Quote format -> the header of its column (报价 or 价格 may follow: "21-60s视频报价")."""
    found: dict[str, str] = {}
    for quote in QUOTE_FORMATS:
        for header in headers:
            if header_key(header).startswith(header_key(quote)) and quote not in found:
                found[quote] = header
    return found

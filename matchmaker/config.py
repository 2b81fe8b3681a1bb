"""Campaign parameters: frozen dataclasses with range checks, loaded from one TOML file.

The same Config serves the CLI, the app and the notebooks. Missing sections and keys take defaults;
command-line flags override the file through `Config.override`.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from .data import TIERS
from .problems import InputError, Message, Problem, msg


class RangeError(ValueError):
    """A configuration value out of its range; `key` is "section.key"."""

    def __init__(self, key: str, expected: Message, value: Any):
        super().__init__(msg("{key} must be {expected}, got {value}", key=key, expected=expected, value=repr(value)))
        self.key, self.expected, self.value = key, expected, value


def _check(ok: bool, name: str, expected: str | Message, value: Any) -> None:
    """`expected` is a range such as "0..1" (said as "in 0..1"), or a Message."""
    if not ok:
        raise RangeError(name, expected if isinstance(expected, Message) else msg("in {range}", range=expected),
                         value)


MAX_BUDGET = 1e12  # CNY: far above any campaign; keeps the solver's money (in fen) within int64
MAX_WORKERS = 64  # solver threads; more than the machine's cores only slows CP-SAT down

# What each field type accepts, and how a problem describes it. Nothing is coerced: the string
# "false" is not a bool, 1.5 is not an int; an int is a float (TOML writes 100000 for 100000.0).
_TYPES: dict[str, tuple[Any, str]] = {
    "bool": (lambda v: isinstance(v, bool), msg("true or false")),
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), msg("a whole number such as 2")),
    "float": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), msg("a number")),
    "str": (lambda v: isinstance(v, str), msg("text in quotes")),
}


def type_problem(cls: type, key: str, value: Any) -> Message | None:
    """What is wrong with `value` for field `key` of the params class `cls`, or None."""
    kind = {f.name: f.type for f in fields(cls)}[key]
    accepts, expected = _TYPES[kind]
    return None if accepts(value) else msg("expected {expected}, got {type}", expected=expected,
                                           type=type(value).__name__)


def _typed(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """Values of a params class's fields, ints widened to float where the field is a float."""
    kinds = {f.name: f.type for f in fields(cls)}
    return {k: float(v) if kinds[k] == "float" else v for k, v in values.items()}


@dataclass(frozen=True)
class InputParams:
    """Input files; relative paths are taken from the TOML file's folder."""

    creators: str = ""
    products: str = ""
    pairs: str = ""
    overlaps: str = ""
    deals: str = ""  # terms per creator and product (docs, "Money")


INPUT_TABLES = tuple(f.name for f in fields(InputParams))  # the tables a campaign reads, and [columns] may map


@dataclass(frozen=True)
class CampaignParams:
    name: str = "campaign"
    budget: float = 100_000.0  # CNY, total over all products
    max_overlap: float = 0.3  # two creators above this audience overlap never share a product
    # the users interested in one category on the platform, which estimated overlaps are taken from
    # (fit/overlap.py): the larger it is, the less two creators of one niche share. A guess for a Douyin
    # category; state your market's
    niche_users: float = 20_000_000
    top_kol_followers: float = 1_000_000  # tier threshold when the creator table has no tier column
    top_kol_max_share: float = 1.0  # cap on the Top-KOL share of the spend (1 = no cap)
    # no single booking may cost more than this share of the budget (1 = no cap; a locked booking is exempt): with
    # heavy-tailed creators one booking would otherwise decide the campaign. Off by default, since a small test
    # campaign (a budget of a few fees) would lose its creators; the sample campaign sets 0.25
    max_booking_share: float = 1.0
    min_experience: float = 0.0  # creators with a known experience score below this are not used
    exclusivity: bool = False  # a creator never promotes two brands in the same category
    default_max_products: int = 1
    fee_quote: str = ""  # which quote column is the fee ("21-60s视频", "直播", a header); "" = the first found
    # Rules on the plan's expected money (fit/economics.py), each 0 = no such rule:
    min_roi: float = 0.0  # expected GMV / expected cost (cash and commission) at least this
    max_cpm: float = 0.0  # expected cost per 1,000 expected views at most this (CNY)
    max_commission: float = 0.0  # expected commission paid at most this (CNY)

    def __post_init__(self) -> None:
        _check(math.isfinite(self.budget) and 0 <= self.budget <= MAX_BUDGET, "campaign.budget",
               f"0..{MAX_BUDGET:,.0f}", self.budget)
        _check(0 <= self.max_overlap <= 1, "campaign.max_overlap", "0..1", self.max_overlap)
        _check(1_000 <= self.niche_users <= 2e9, "campaign.niche_users", "1,000..2e9", self.niche_users)
        _check(0 < self.top_kol_followers <= 1e10, "campaign.top_kol_followers", "(0, 1e10]",
               self.top_kol_followers)
        _check(0 <= self.top_kol_max_share <= 1, "campaign.top_kol_max_share", "0..1",
               self.top_kol_max_share)
        _check(0 < self.max_booking_share <= 1, "campaign.max_booking_share", "(0, 1]", self.max_booking_share)
        _check(0 <= self.min_experience <= 5, "campaign.min_experience", "0..5",
               self.min_experience)
        _check(1 <= self.default_max_products <= 10_000, "campaign.default_max_products", "1..10000",
               self.default_max_products)
        _check(math.isfinite(self.min_roi) and 0 <= self.min_roi <= 1000, "campaign.min_roi",
               msg("0..1000 (0: no floor)"), self.min_roi)
        for name in ("max_cpm", "max_commission"):
            value = getattr(self, name)
            _check(math.isfinite(value) and 0 <= value <= MAX_BUDGET, f"campaign.{name}",
                   msg("0..{top} (0: no cap)", top=f"{MAX_BUDGET:,.0f}"), value)


BACKENDS = ("use", "sentence-transformers", "e5")  # fit/embed.py


@dataclass(frozen=True)
class ScoringParams:
    """value = w_style*style + w_audience*audience + w_performance*performance (weights sum to 1)."""

    backend: str = "use"  # "use" (multilingual USE) | "sentence-transformers" | "e5" (multilingual-e5-small)
    model: str = ""  # sentence-transformers: a local model folder; blank = packaged all-MiniLM-L6-v2
    w_style: float = 0.5
    w_audience: float = 0.2
    w_performance: float = 0.3
    cache_dir: str = ".matchmaker-cache"  # "" disables the on-disk embedding cache
    # style from each piece of a creator's text (bio segments, posts): a pair's cosine is the mean of its `pieces`
    # best pieces' (docs, "Fit quality"); 0: the bio as one text
    pieces: int = 2
    # style also from zero-shot category inference (each text's likely category among the products')
    category_inference: bool = True
    # style also from each product's category prototype (the mean of its category's products' vectors)
    category_prototypes: bool = True
    category_temperature: float = 0.1  # the softmax's over the categories' cosines (chosen on the sample)
    learned: str = ""  # a fit model from `train-fit --kind linear` (its .json): the fit score is its probability

    def __post_init__(self) -> None:
        _check(self.backend in BACKENDS, "scoring.backend",
               msg("one of {choices}", choices=", ".join(f"'{b}'" for b in BACKENDS)), self.backend)
        for name in ("w_style", "w_audience", "w_performance"):
            value = getattr(self, name)
            _check(0 <= value <= 1, f"scoring.{name}", "0..1", value)
        _check(0 <= self.pieces <= 32, "scoring.pieces", "0..32", self.pieces)
        _check(0 < self.category_temperature <= 10, "scoring.category_temperature", "(0, 10]",
               self.category_temperature)
        total = self.w_style + self.w_audience + self.w_performance
        _check(total > 0, "scoring.w_style", msg("positive in sum with w_audience and w_performance"), total)


@dataclass(frozen=True)
class SolverParams:
    time_limit: float = 20.0  # seconds for CP-SAT
    seed: int = 0
    workers: int = 2  # physical cores; 1 gives a deterministic run
    highs: bool = False  # HiGHS's MIP beside CP-SAT on searches of up to 50,000 pairs (2+ workers; docs, "The model")

    def __post_init__(self) -> None:
        _check(0 < self.time_limit <= 86_400, "solver.time_limit", msg("in {range} seconds", range="(0, 86400]"),
               self.time_limit)
        _check(1 <= self.workers <= MAX_WORKERS, "solver.workers", f"1..{MAX_WORKERS}", self.workers)
        _check(0 <= self.seed <= 2**31 - 1, "solver.seed", "0..2147483647", self.seed)


@dataclass(frozen=True)
class EngineParams:
    """Where embedding and candidate scoring run (fit/engine.py): "local" (this process) or "ray"."""

    kind: str = "local"
    address: str = ""  # ray: "" = RAY_ADDRESS, else a new local Ray; "auto"; "ray://host:10001"
    partition_rows: int = 100_000  # creators per partition (one task each on Ray)

    def __post_init__(self) -> None:
        _check(self.kind in ("local", "ray"), "engine.kind", msg("one of {choices}", choices="'local', 'ray'"),
               self.kind)
        _check(1 <= self.partition_rows <= 10_000_000, "engine.partition_rows", "1..10000000",
               self.partition_rows)


@dataclass(frozen=True)
class StoreParams:
    """The run store (io/store.py; docs, "Run history"): a DuckDB file every run is recorded in. A relative
    path is taken from the working folder; "" records nothing. MATCHMAKER_STORE in the environment takes over."""

    path: str = ".matchmaker/runs.duckdb"


@dataclass(frozen=True)
class ServerParams:
    """The HTTP API (`matchmaker serve`; docs, "HTTP API"). Keys: MATCHMAKER_API_KEYS in the environment, else
    api_keys (comma-separated); without any the server starts only when allow_local says so (or --allow-local),
    and then answers only requests from this machine."""

    api_keys: str = ""
    allow_local: bool = False
    max_upload_mb: int = 50  # one uploaded file
    max_uploads: int = 100  # uploads kept in memory at once (the oldest are forgotten first) ...
    max_uploads_mb: int = 1000  # ... and their size together
    max_jobs: int = 2  # runs solved at once; more wait in a queue
    max_time_limit: float = 600.0  # seconds a run may ask for
    max_prepared: int = 8  # prepared campaigns kept in memory for what-if and re-plans ...
    max_prepared_mb: int = 4000  # ... and their size together (a forgotten one is prepared again when asked for)

    def __post_init__(self) -> None:
        _check(1 <= self.max_upload_mb <= 2000, "server.max_upload_mb", "1..2000", self.max_upload_mb)
        _check(1 <= self.max_uploads <= 10_000, "server.max_uploads", "1..10000", self.max_uploads)
        _check(1 <= self.max_uploads_mb <= 100_000, "server.max_uploads_mb", "1..100000", self.max_uploads_mb)
        _check(1 <= self.max_jobs <= 64, "server.max_jobs", "1..64", self.max_jobs)
        _check(0 < self.max_time_limit <= 86_400, "server.max_time_limit", "(0, 86400]", self.max_time_limit)
        _check(1 <= self.max_prepared <= 1000, "server.max_prepared", "1..1000", self.max_prepared)
        _check(1 <= self.max_prepared_mb <= 1_000_000, "server.max_prepared_mb", "1..1000000", self.max_prepared_mb)

    def keys(self) -> tuple[str, ...]:
        """The API keys: MATCHMAKER_API_KEYS, else api_keys."""
        raw = os.environ.get("MATCHMAKER_API_KEYS", self.api_keys)
        return tuple(k.strip() for k in raw.split(",") if k.strip())


OBJECTIVES = ("auto", "fit", "gmv", "profit", "reach")  # auto: profit when every product has a price, else fit


@dataclass(frozen=True)
class EconomicsParams:
    """What a booking is expected to sell and cost (fit/economics.py; docs, "Money"), and what the plan
    maximises. Conversion = orders per view: the product's conversion_rate, else the [conversion] table's
    rate for its category, else `conversion`; x top_kol_conversion for a Top-KOL; x (price /
    reference_price) ^ -price_elasticity; x exp(fit_lift * (fit - 0.5))."""

    objective: str = "auto"  # "fit" (the 0..1 fit score), "gmv" (expected GMV), "profit" (GMV x margin - cost),
    # "reach" (expected views); "auto": money first, profit when every product has a price, else fit
    conservative: bool = False  # maximise GMV or profit at the low end of its range, not as expected
    conversion: float = 0.002  # orders per view when neither the product nor [conversion] gives one
    top_kol_conversion: float = 0.7  # Top-KOLs' broader audiences convert less per view
    price_elasticity: float = 0.3
    reference_price: float = 100.0  # CNY
    fit_lift: float = 1.0  # how much the fit score moves conversion: x e^0.5 = 1.65 at fit 1, x 0.61 at 0
    view_rate_top_kol: float = 0.05  # expected views per follower when average views are unknown
    view_rate_alliance: float = 0.1
    spread: float = 2.0  # the prior's uncertainty: orders likely (about 80%) within expected / spread .. x spread
    margin: float = 0.3  # gross margin of a product without one (the profit objective)
    return_rate: float = 0.0  # share of paid GMV refunded (退货率) for a product without its own
    service_fee: float = 0.0  # the platform's technical service fee (技术服务费), a share of settled GMV
    repeat_value: float = 0.6  # a pair booked again (a later wave after a pilot) sells this share of the first

    def __post_init__(self) -> None:
        _check(self.objective in OBJECTIVES, "economics.objective",
               msg("one of {choices}", choices=", ".join(f"'{o}'" for o in OBJECTIVES)), self.objective)
        for name in ("conversion", "margin", "return_rate", "service_fee"):
            _check(0 <= getattr(self, name) <= 1, f"economics.{name}", "0..1", getattr(self, name))
        for name in ("top_kol_conversion", "view_rate_top_kol", "view_rate_alliance"):
            _check(0 <= getattr(self, name) <= 100, f"economics.{name}", "0..100", getattr(self, name))
        _check(0 <= self.price_elasticity <= 5, "economics.price_elasticity", "0..5", self.price_elasticity)
        _check(0 < self.reference_price <= 1e9, "economics.reference_price", "(0, 1e9]", self.reference_price)
        _check(0 <= self.fit_lift <= 10, "economics.fit_lift", "0..10", self.fit_lift)
        _check(1 <= self.spread <= 100, "economics.spread", "1..100", self.spread)
        _check(0 <= self.repeat_value <= 1, "economics.repeat_value", "0..1", self.repeat_value)


@dataclass(frozen=True)
class Config:
    inputs: InputParams = field(default_factory=InputParams)
    campaign: CampaignParams = field(default_factory=CampaignParams)
    scoring: ScoringParams = field(default_factory=ScoringParams)
    solver: SolverParams = field(default_factory=SolverParams)
    engine: EngineParams = field(default_factory=EngineParams)
    economics: EconomicsParams = field(default_factory=EconomicsParams)
    store: StoreParams = field(default_factory=StoreParams)
    server: ServerParams = field(default_factory=ServerParams)
    # product category -> expected orders per view, over economics.conversion
    conversion: dict[str, float] = field(default_factory=dict)
    # price band (low, high CNY; high inf for "300+") -> conversion multiplier, over the price elasticity
    price_bands: dict[tuple[float, float], float] = field(default_factory=dict)
    # product category -> creator categories it may be matched to (keys and values normalised later)
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # tier label in the creator table -> "top_kol" or "alliance", over the default table (inputs/schema.py)
    tiers: dict[str, str] = field(default_factory=dict)
    # input table ([inputs] name) -> {header as the file has it: canonical column}, over the aliases
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    base_dir: str = "."  # folder that relative input paths are taken from

    def override(self, **flags: Any) -> Config:
        """Copy with "section.key" values replaced (None values are ignored), type- and range-checked
        (ValueError naming the key)."""
        sections: dict[str, dict[str, Any]] = {}
        for key, value in flags.items():
            if value is not None:
                section, name = key.split(".")
                problem = type_problem(_SECTIONS[section], name, value)
                if problem:
                    raise ValueError(msg("{key}: {problem}", key=key, problem=problem))
                sections.setdefault(section, {})[name] = value
        return replace(self, **{s: replace(getattr(self, s), **_typed(_SECTIONS[s], v))
                                for s, v in sections.items()})

    def with_columns(self, declared: list[tuple[str, str, str]], source: str = "command line") -> Config:
        """Copy with (table, header, column) mappings put over [columns] (the command line's --column): each replaces
        the entry of its header and of its column. InputError naming the table when one is not an input table."""
        columns = {table: dict(headers) for table, headers in self.columns.items()}
        for table, header, column in declared:
            kept = {h: c for h, c in columns.get(table, {}).items() if h != header and c != column}
            columns[table] = {**kept, header: column}
        problems: list[Problem] = []
        checked = _columns(columns, source, problems)
        if problems:
            raise InputError(problems)
        return replace(self, columns=checked)

    def store_path(self) -> Path | None:
        """Where runs are recorded: MATCHMAKER_STORE, else [store] path; None when either is "" (no store)."""
        path = os.environ.get("MATCHMAKER_STORE", self.store.path)
        return Path(path) if path.strip() else None

    def input_path(self, which: str) -> Path | None:
        value = getattr(self.inputs, which)
        return (Path(self.base_dir) / value) if value else None

    def resolved_learned(self) -> Path | None:
        """scoring.learned, a relative path taken from base_dir; None when blank."""
        learned = self.scoring.learned
        return (Path(learned) if Path(learned).is_absolute() else Path(self.base_dir) / learned) if learned else None

    def resolved_model(self) -> str:
        """scoring.model, a relative folder taken from base_dir (blank stays blank)."""
        model = self.scoring.model
        if model and not Path(model).is_absolute() and (Path(self.base_dir) / model).is_dir():
            return str(Path(self.base_dir) / model)
        return model

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the TOML layout (for saving a campaign)."""
        out = {s: dataclasses.asdict(getattr(self, s))
               for s in ("inputs", "campaign", "scoring", "solver", "engine", "economics", "store", "server")}
        if self.conversion:
            out["conversion"] = dict(self.conversion)
        if self.price_bands:
            out["price_bands"] = {band_label(band): factor for band, factor in self.price_bands.items()}
        out["categories"] = {k: list(v) for k, v in self.categories.items()}
        if self.tiers:
            out["tiers"] = dict(self.tiers)
        if self.columns:
            out["columns"] = {table: dict(headers) for table, headers in self.columns.items()}
        return out


_SECTIONS = {"inputs": InputParams, "campaign": CampaignParams, "scoring": ScoringParams,
             "solver": SolverParams, "engine": EngineParams, "economics": EconomicsParams, "store": StoreParams,
             "server": ServerParams}


def _categories(value: Any, source: str, problems: list[Problem]) -> dict[str, tuple[str, ...]]:
    """[categories]: product category -> a creator category or a list of them (text only)."""
    if not isinstance(value, dict):
        problems.append(Problem.config_key(source, "categories", value,
                                           msg('expected a table of category = ["creator category", ...]')))
        return {}
    out = {}
    for key, items in value.items():
        items = [items] if isinstance(items, str) else items
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            problems.append(Problem.config_key(source, f"categories.{key}", value[key],
                                               msg("expected a list of category names in quotes")))
            continue
        out[str(key)] = tuple(items)
    return out


def _tiers(value: Any, source: str, problems: list[Problem]) -> dict[str, str]:
    """[tiers]: a tier label of the creator table = "top_kol" or "alliance"."""
    if not isinstance(value, dict):
        problems.append(Problem.config_key(source, "tiers", value,
                                           msg('expected a table of label = "top_kol"')))
        return {}
    bad = {k: v for k, v in value.items() if v not in TIERS}
    for key, item in bad.items():
        problems.append(Problem.config_key(source, f"tiers.{key}", item,
                                           msg("expected one of {choices}", choices=", ".join(TIERS))))
    return {str(k): v for k, v in value.items() if k not in bad}


def _columns(value: Any, source: str, problems: list[Problem]) -> dict[str, dict[str, str]]:
    """[columns.TABLE]: "a header as the file has it" = "the column it is" (inputs/schema.py names them), for
    headers no alias knows. Which columns a table has is checked when the table is read (inputs/columns.py)."""
    tables = INPUT_TABLES
    expected = msg('expected tables such as [columns.creators] of "header" = "column"')
    if not isinstance(value, dict):
        problems.append(Problem.config_key(source, "columns", value, expected))
        return {}
    out = {}
    for table, headers in value.items():
        if table not in tables:
            problems.append(Problem.config_key(source, f"columns.{table}", None, msg(
                "unknown table; expected one of {choices}", choices=", ".join(tables))))
        elif not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            problems.append(Problem.config_key(source, f"columns.{table}", headers, expected))
        else:
            twice = sorted(c for c, n in Counter(v.strip() for v in headers.values()).items() if n > 1)
            for column in twice:
                problems.append(Problem.config_key(source, f"columns.{table}", column, msg(
                    "two headers are mapped to the column {column}; a column is read from one header",
                    column=column)))
            if not twice:
                out[table] = {str(h): v.strip() for h, v in headers.items()}
    return out


def _conversion(value: Any, source: str, problems: list[Problem]) -> dict[str, float]:
    """[conversion]: a product category = expected orders per view, in 0..1."""
    if not isinstance(value, dict):
        problems.append(Problem.config_key(source, "conversion", value,
                                           msg("expected a table of category = orders per view (0.002)")))
        return {}
    out = {}
    for key, rate in value.items():
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            problems.append(Problem.config_key(source, f"conversion.{key}", rate,
                                               msg("expected orders per view, a number in 0..1")))
            continue
        out[str(key)] = float(rate)
    return out


_BAND = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:[-–~]\s*(\d+(?:\.\d+)?)|(\+))\s*$")


def band_label(band: tuple[float, float]) -> str:
    low, high = band
    return f"{low:g}+" if math.isinf(high) else f"{low:g}-{high:g}"


def _price_bands(value: Any, source: str, problems: list[Problem]) -> dict[tuple[float, float], float]:
    """[price_bands]: "0-100" = 1.3, "300+" = 0.6: a product priced in a band (low included, high not)
    converts that many times the prior."""
    if not isinstance(value, dict):
        problems.append(Problem.config_key(source, "price_bands", value,
                                           msg('expected a table of price band = multiplier ("0-100" = 1.3)')))
        return {}
    out = {}
    for key, factor in value.items():
        match = _BAND.match(str(key))
        band = (float(match[1]), math.inf if match[3] else float(match[2])) if match else None
        if band is None or band[1] <= band[0]:
            problems.append(Problem.config_key(source, f"price_bands.{key}", None,
                                               msg('expected a band of CNY such as "0-100" or "300+"')))
        elif isinstance(factor, bool) or not isinstance(factor, (int, float)) or not 0 <= factor <= 100:
            problems.append(Problem.config_key(source, f"price_bands.{key}", factor,
                                               msg("expected a multiplier in 0..100")))
        else:
            out[band] = float(factor)
    return out


def config_from_dict(raw: dict[str, Any], base_dir: str = ".", source: str = "config") -> Config:
    """Build a Config from TOML-shaped data; every unknown key, wrong type or bad value is a Problem
    naming the file, section and key."""
    problems: list[Problem] = []
    parts: dict[str, Any] = {}
    for section, value in raw.items():
        if section == "categories":
            parts["categories"] = _categories(value, source, problems)
            continue
        if section == "tiers":
            parts["tiers"] = _tiers(value, source, problems)
            continue
        if section == "conversion":
            parts["conversion"] = _conversion(value, source, problems)
            continue
        if section == "price_bands":
            parts["price_bands"] = _price_bands(value, source, problems)
            continue
        if section == "columns":
            parts["columns"] = _columns(value, source, problems)
            continue
        cls = _SECTIONS.get(section)
        if cls is None or not isinstance(value, dict):
            sections = sorted([*_SECTIONS, "categories", "tiers", "conversion", "price_bands", "columns"])
            problems.append(Problem.config_key(source, section, None,
                                               msg("unknown section; expected one of {choices}",
                                                   choices=", ".join(sections))))
            continue
        known = {f.name for f in fields(cls)}
        kwargs = {}
        for key, item in value.items():
            if key not in known:
                problems.append(Problem.config_key(source, f"{section}.{key}", None,
                                                   msg("unknown key; expected one of {choices}",
                                                       choices=", ".join(sorted(known)))))
            elif (problem := type_problem(cls, key, item)) is not None:
                problems.append(Problem.config_key(source, f"{section}.{key}", item, problem))
            else:
                kwargs[key] = item
        try:
            parts[section] = cls(**_typed(cls, kwargs))
        except RangeError as exc:
            problems.append(Problem.config_key(source, exc.key, exc.value, msg("must be {expected}",
                                                                                 expected=exc.expected)))
    if problems:
        raise InputError(problems)
    return Config(base_dir=base_dir, **parts)


def sample_campaign() -> Path:
    """The bundled sample campaign's TOML file (package data: the wheel ships it, `data/` links to it)."""
    return Path(str(files("matchmaker").joinpath("sample", "campaign.toml")))


def load_config(path: str | Path | None) -> Config:
    """Load a campaign TOML file; no path gives the defaults."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(path.name, None, None, str(path), msg("config file not found"))]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(path.name, None, None, None,
                                  msg("is not UTF-8 text: {error}", error=str(exc)))]) from exc
    return parse_config(text, path.name, str(path.parent))


def dump_config(config: Config, shared: bool = False) -> str:
    """TOML text of a config (inputs, campaign, scoring, solver, categories); `shared` leaves out the
    keys only a server decides (for the app's download)."""
    import tomli_w

    return tomli_w.dumps(shared_dict(config) if shared else config.to_dict())


def _toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(source, None, None, None,
                                  msg("is not valid TOML: {error}", error=str(exc)))]) from exc


def parse_config(text: str, source: str = "campaign.toml", base_dir: str = ".") -> Config:
    """A Config from TOML text (an uploaded campaign file)."""
    return config_from_dict(_toml(text, source), base_dir=base_dir, source=source)


# What only the server decides: an uploaded campaign file may not name files or folders on the server, the
# embedding model, how many threads to start, or where to compute.
SERVER_KEYS = ("inputs", "scoring.cache_dir", "scoring.model", "scoring.learned", "solver.workers", "engine", "store",
               "server")


def _without_server_keys(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """TOML-shaped data without SERVER_KEYS, and the ones it had."""
    raw = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
    found = []
    for key in SERVER_KEYS:
        section, _, name = key.partition(".")
        table = raw.get(section)
        if isinstance(table, dict) and (not name or name in table):
            found.append(key)
            del (table if name else raw)[name or section]
    return raw, found


def parse_shared_config(text: str, source: str, server: Config, max_time_limit: float
                        ) -> tuple[Config, list[str]]:
    """A campaign file uploaded by someone else (the app): campaign rules, weights and solver limits, the
    time limit within (0, max_time_limit]. The server's paths, model and worker count are kept: the keys
    among SERVER_KEYS that the file sets are ignored and returned, so the app can say so."""
    raw, ignored = _without_server_keys(_toml(text, source))
    limit = raw.get("solver", {}).get("time_limit") if isinstance(raw.get("solver"), dict) else None
    if isinstance(limit, (int, float)) and not isinstance(limit, bool) and not 0 < limit <= max_time_limit:
        raise InputError([Problem.config_key(source, "solver.time_limit", limit,
                                             msg("must be in (0, {limit:g}] seconds on this server",
                                                 limit=max_time_limit))])
    config = config_from_dict(raw, base_dir=server.base_dir, source=source)
    return replace(config, inputs=server.inputs,
                   scoring=replace(config.scoring, cache_dir=server.scoring.cache_dir, model=server.scoring.model),
                   solver=replace(config.solver, workers=server.solver.workers), engine=server.engine,
                   store=server.store, server=server.server), ignored


def shared_dict(config: Config) -> dict[str, Any]:
    """The campaign as someone else may load it: without the server's keys (SERVER_KEYS)."""
    return _without_server_keys(config.to_dict())[0]

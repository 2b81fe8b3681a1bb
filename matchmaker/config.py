"""Campaign parameters: frozen dataclasses with range checks, loaded from one TOML file.

The same Config serves the CLI, the app and the notebooks. Missing sections and keys take defaults;
command-line flags override the file through `Config.override`.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .problems import InputError, Problem


def _check(ok: bool, name: str, expected: str, value: Any) -> None:
    if not ok:
        raise ValueError(f"{name} must be {expected}, got {value!r}")


@dataclass(frozen=True)
class InputParams:
    """Input files; relative paths are taken from the TOML file's folder."""

    creators: str = ""
    products: str = ""
    pairs: str = ""
    overlaps: str = ""


@dataclass(frozen=True)
class CampaignParams:
    name: str = "campaign"
    budget: float = 100_000.0  # CNY, total over all products
    max_overlap: float = 0.3  # two creators above this audience overlap never share a product
    top_kol_followers: float = 1_000_000  # tier threshold when the creator table has no tier column
    top_kol_max_share: float = 1.0  # cap on the Top-KOL share of the spend (1 = no cap)
    min_experience: float = 0.0  # creators with a known experience score below this are not used
    exclusivity: bool = False  # a creator never promotes two brands in the same category
    default_max_products: int = 1

    def __post_init__(self) -> None:
        _check(math.isfinite(self.budget) and self.budget >= 0, "campaign.budget",
               "a number >= 0", self.budget)
        _check(0 <= self.max_overlap <= 1, "campaign.max_overlap", "in 0..1", self.max_overlap)
        _check(self.top_kol_followers > 0, "campaign.top_kol_followers", "> 0",
               self.top_kol_followers)
        _check(0 <= self.top_kol_max_share <= 1, "campaign.top_kol_max_share", "in 0..1",
               self.top_kol_max_share)
        _check(0 <= self.min_experience <= 5, "campaign.min_experience", "in 0..5",
               self.min_experience)
        _check(self.default_max_products >= 1, "campaign.default_max_products", ">= 1",
               self.default_max_products)


@dataclass(frozen=True)
class ScoringParams:
    """value = w_style*style + w_audience*audience + w_performance*performance (weights sum to 1)."""

    backend: str = "use"  # "use" (multilingual USE) | "sentence-transformers"
    model: str = ""  # sentence-transformers: a local model folder; blank = packaged all-MiniLM-L6-v2
    w_style: float = 0.5
    w_audience: float = 0.2
    w_performance: float = 0.3
    cache_dir: str = ".matchmaker-cache"  # "" disables the on-disk embedding cache

    def __post_init__(self) -> None:
        _check(self.backend in ("use", "sentence-transformers"), "scoring.backend",
               "one of 'use', 'sentence-transformers'", self.backend)
        for name in ("w_style", "w_audience", "w_performance"):
            value = getattr(self, name)
            _check(0 <= value <= 1, f"scoring.{name}", "in 0..1", value)
        total = self.w_style + self.w_audience + self.w_performance
        _check(total > 0, "the scoring weights", "positive in sum", total)


@dataclass(frozen=True)
class SolverParams:
    time_limit: float = 20.0  # seconds for CP-SAT
    seed: int = 0
    workers: int = 2  # physical cores; 1 gives a deterministic run

    def __post_init__(self) -> None:
        _check(0 < self.time_limit <= 86_400, "solver.time_limit", "in (0, 86400] seconds",
               self.time_limit)
        _check(self.workers >= 1, "solver.workers", ">= 1", self.workers)
        _check(self.seed >= 0, "solver.seed", ">= 0", self.seed)


@dataclass(frozen=True)
class Config:
    inputs: InputParams = field(default_factory=InputParams)
    campaign: CampaignParams = field(default_factory=CampaignParams)
    scoring: ScoringParams = field(default_factory=ScoringParams)
    solver: SolverParams = field(default_factory=SolverParams)
    # product category -> creator categories it may be matched to (keys and values normalised later)
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    base_dir: str = "."  # folder that relative input paths are taken from

    def override(self, **flags: Any) -> Config:
        """Copy with "section.key" values replaced (None values are ignored), re-checked."""
        sections: dict[str, dict[str, Any]] = {}
        for key, value in flags.items():
            if value is not None:
                section, name = key.split(".")
                sections.setdefault(section, {})[name] = value
        return replace(self, **{s: replace(getattr(self, s), **v) for s, v in sections.items()})

    def input_path(self, which: str) -> Path | None:
        value = getattr(self.inputs, which)
        return (Path(self.base_dir) / value) if value else None

    def resolved_model(self) -> str:
        """scoring.model, a relative folder taken from base_dir (blank stays blank)."""
        model = self.scoring.model
        if model and not Path(model).is_absolute() and (Path(self.base_dir) / model).is_dir():
            return str(Path(self.base_dir) / model)
        return model

    def to_dict(self) -> dict[str, Any]:
        """Plain dict in the TOML layout (for saving a campaign)."""
        out = {s: dataclasses.asdict(getattr(self, s))
               for s in ("inputs", "campaign", "scoring", "solver")}
        out["categories"] = {k: list(v) for k, v in self.categories.items()}
        return out


_SECTIONS = {"inputs": InputParams, "campaign": CampaignParams, "scoring": ScoringParams,
             "solver": SolverParams}


def config_from_dict(raw: dict[str, Any], base_dir: str = ".", source: str = "config") -> Config:
    """Build a Config from TOML-shaped data; every unknown key or bad value is a Problem."""
    problems: list[Problem] = []
    parts: dict[str, Any] = {}
    for section, value in raw.items():
        if section == "categories":
            if not isinstance(value, dict):
                problems.append(Problem(source, None, "categories", str(value), "expected a table"))
                continue
            parts["categories"] = {str(k): tuple([v] if isinstance(v, str) else map(str, v))
                                   for k, v in value.items()}
            continue
        cls = _SECTIONS.get(section)
        if cls is None or not isinstance(value, dict):
            problems.append(Problem(source, None, section, None,
                                    f"unknown section; expected one of {sorted([*_SECTIONS, 'categories'])}"))
            continue
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(value) - set(known))
        for key in unknown:
            problems.append(Problem(source, None, f"{section}.{key}", None,
                                    f"unknown key; expected one of {sorted(known)}"))
        kwargs = {k: v for k, v in value.items() if k in known}
        try:
            parts[section] = cls(**kwargs)
        except (ValueError, TypeError) as exc:
            problems.append(Problem(source, None, section, None, str(exc)))
    if problems:
        raise InputError(problems)
    return Config(base_dir=base_dir, **parts)


def load_config(path: str | Path | None) -> Config:
    """Load a campaign TOML file; no path gives the defaults."""
    if path is None:
        return Config()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(path.name, None, None, str(path), "config file not found")])
    except UnicodeDecodeError as exc:
        raise InputError([Problem(path.name, None, None, None, f"is not UTF-8 text: {exc}")])
    return parse_config(text, path.name, str(path.parent))


def dump_config(config: Config) -> str:
    """TOML text of a config (inputs, campaign, scoring, solver, categories)."""
    import tomli_w

    return tomli_w.dumps(config.to_dict())


def parse_config(text: str, source: str = "campaign.toml", base_dir: str = ".") -> Config:
    """A Config from TOML text (an uploaded campaign file)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([Problem(source, None, None, None, f"is not valid TOML: {exc}")])
    return config_from_dict(raw, base_dir=base_dir, source=source)

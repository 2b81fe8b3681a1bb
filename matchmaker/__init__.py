"""matchmaker: creator-brand matchmaking as one optimisation.

load (io.read -> inputs.validate -> ProblemData) -> prepare (fit: embed, score, overlap) -> solve
(plan: greedy, CP-SAT) -> check (the independent checker) -> Outcome -> report (tables, analysis)

The names below are imported when first used (PEP 562), so `import matchmaker` is cheap and the command
line (entry.py) can load the heavy libraries inside its Ctrl-C guard.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_EXPORTS = {"Config": ".config", "load_config": ".config", "ProblemData": ".data", "Outcome": ".outcome",
            "Prepared": ".pipeline", "load": ".pipeline", "prepare": ".pipeline", "run": ".pipeline",
            "solve": ".pipeline", "PlanSource": ".plan.result", "Status": ".plan.result",
            "InputError": ".problems", "Problem": ".problems"}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .config import Config, load_config  # noqa: F401
    from .data import ProblemData  # noqa: F401
    from .outcome import Outcome  # noqa: F401
    from .pipeline import Prepared, load, prepare, run, solve  # noqa: F401
    from .plan.result import PlanSource, Status  # noqa: F401
    from .problems import InputError, Problem  # noqa: F401


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'matchmaker' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value

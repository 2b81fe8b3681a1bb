"""matchmaker: creator-brand matchmaking as one optimisation.

load (io.read -> inputs.validate -> ProblemData) -> prepare (fit: embed, score, overlap) -> solve
(plan: greedy, CP-SAT) -> check (the independent checker) -> Outcome -> report (tables, analysis)
"""

from .config import Config, load_config
from .data import ProblemData
from .outcome import Outcome
from .pipeline import Prepared, load, prepare, run, solve
from .plan.result import PlanSource, Status
from .problems import InputError, Problem

__all__ = ["Config", "InputError", "Outcome", "PlanSource", "Prepared", "Problem", "ProblemData", "Status",
           "load", "load_config", "prepare", "run", "solve"]

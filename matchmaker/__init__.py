"""matchmaker: creator-brand matchmaking as one optimisation.

load (read.py, validate.py) -> embed (embed.py) -> score (score.py) -> overlap (overlap.py)
-> solve (greedy.py, model.py, solve.py) -> check (check.py) -> report (report.py, explain.py)
"""

from .config import Config, load_config
from .data import ProblemData
from .pipeline import Outcome, load, run
from .problems import InputError, Problem

__all__ = ["Config", "InputError", "Outcome", "Problem", "ProblemData", "load", "load_config", "run"]

"""The independent checker: re-derives every rule from the validated tables and the plan, sharing no
code with fit or plan (an import contract holds this)."""

from .rules import CHECKS, check_plan

__all__ = ["CHECKS", "check_plan"]

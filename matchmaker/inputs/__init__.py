"""From raw tables to the problem data: header aliases (schema), cell parsers for numbers and lists as
people write them (parse), and validation that reports every problem at once (validate -> ProblemData).
Knows nothing of files: io reads them, pipeline.load wires the two.
"""

from .validate import validate, validate_history

__all__ = ["validate", "validate_history"]

"""Input problems: every one names the file, row, column and value, and what was expected."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # spreadsheet row: the header is row 1, the first data row is row 2
    column: str | None
    value: str | None
    message: str  # what was expected
    severity: str = "error"  # "error" | "warning"
    place: str = "column"  # what `column` names: a table's "column", or a config file's "key"

    @classmethod
    def config_key(cls, file: str, key: str, value: object, message: str) -> Problem:
        """A problem with a configuration value: `key` is "section.key" (e.g. "campaign.budget")."""
        return cls(file, None, key, None if value is None else repr(value), message, place="key")

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", {self.place} '{self.column}'"
        value = "" if self.value is None else f" (got {self.value!r})"
        return f"{self.severity}: {where}: {self.message}{value}"


class InputError(Exception):
    """Raised with every problem found at once; nothing has been written when it is raised."""

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        super().__init__(f"{len(self.problems)} input problem(s)")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table (file, row, column, value, problem, severity) for the app and reports."""
    rows = [asdict(p) for p in problems]
    frame = pd.DataFrame(rows, columns=["file", "row", "column", "value", "message", "severity"])
    return frame.rename(columns={"message": "problem"})


def grouped(problems: list[Problem], max_rows: int = 8) -> list[str]:
    """One line per (file, column, message, severity), listing the rows: readable for long lists."""
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.severity, p.file, p.column, p.message), []).append(p)
    lines = []
    for (severity, file, column, message), items in groups.items():
        if len(items) == 1:
            lines.append(str(items[0]))
            continue
        rows = [str(p.row) for p in items if p.row is not None]
        shown = ", ".join(rows[:max_rows]) + (f", ... ({len(rows)} rows)" if len(rows) > max_rows else "")
        col = f", column '{column}'" if column else ""
        lines.append(f"{severity}: {file}{col}: {message}: rows {shown}")
    return lines

"""Input problems: every one names the file, row, column and value, and what was expected.

Messages for people are `Message`s: English text that keeps its template and values, so the interface
can say the same thing in another language (report.i18n.say) without parsing English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd


class Message(str):
    """An English sentence that remembers the template and values it was made from. A value may itself be
    a Message, or a tuple of them (a list, written with "; " between items)."""

    template: str
    params: Mapping[str, Any]

    def __new__(cls, template: str, params: Mapping[str, Any]) -> Message:
        shown = {k: "; ".join(v) if isinstance(v, tuple) else v for k, v in params.items()}
        self = super().__new__(cls, template.format(**shown))
        self.template, self.params = template, dict(params)
        return self

    def __reduce__(self):  # copy and pickle keep the template
        return (Message, (self.template, self.params))


def msg(template: str, /, **params: Any) -> Message:
    """A message: `template` is a literal str.format template (its translations are keyed by it)."""
    return Message(template, params)


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

    def as_dict(self) -> dict[str, object]:
        """For JSON (the HTTP API): the fields, and the whole line as the command line says it."""
        return {**{k: str(v) if isinstance(v, Message) else v for k, v in asdict(self).items()}, "text": str(self)}

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
    frame["message"] = pd.Series([p.message for p in problems], dtype=object)  # Messages, not plain str:
    return frame.rename(columns={"message": "problem"})  # the interface says them in its language


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

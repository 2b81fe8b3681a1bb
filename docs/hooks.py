"""mkdocs hooks: the reference tables are written from the code at build time, so they cannot drift from it.

`<!-- columns: creators -->` becomes the creators table's columns (matchmaker/inputs/schema.py);
`<!-- campaign: defaults -->` becomes every campaign key at its default (matchmaker/config.py)."""

from __future__ import annotations

import re

from matchmaker.config import Config, dump_config
from matchmaker.inputs.schema import TABLES

MARKER = re.compile(r"<!-- (columns|campaign): ([a-z_]+) -->")


def columns_table(table: str) -> str:
    rows = ["| column | required | also recognised as | meaning |", "|---|---|---|---|"]
    for column in TABLES[table]:
        aliases = ", ".join(a.replace("|", "\\|") for a in column.aliases)
        rows.append(f"| `{column.name}` | {'yes' if column.required else ''} | {aliases} | "
                    f"{column.doc.replace('|', chr(92) + '|')} |")
    return "\n".join(rows)


def campaign_defaults() -> str:
    return "```toml\n" + dump_config(Config()).strip() + "\n```"


def render(match: re.Match) -> str:
    kind, name = match.groups()
    if kind == "columns":
        return columns_table(name)
    if name == "defaults":
        return campaign_defaults()
    raise ValueError(f"unknown docs marker {match.group(0)}")


def on_page_markdown(markdown: str, **_) -> str:
    return MARKER.sub(render, markdown)

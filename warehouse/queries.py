"""Named SQL queries kept in `.sql` files: each starts with a `-- name: <query>` line."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@lru_cache(maxsize=None)
def named_queries(path: Path) -> dict[str, str]:
    """query name → SQL (without its final semicolon), in file order."""
    text = path.read_text()
    marks = list(_NAME.finditer(text))
    return {m.group(1): text[m.end(): nxt.start() if nxt else len(text)].strip().rstrip(";")
            for m, nxt in zip(marks, marks[1:] + [None])}


COMMANDS_SQL = Path(__file__).with_name("commands.sql")


def command_query(name: str) -> str:
    """One of the named queries in `commands.sql` (the CLI, the run summary, the run lease)."""
    return named_queries(COMMANDS_SQL)[name]

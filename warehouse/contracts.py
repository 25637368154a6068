"""Contract checks where the data lives: the SQL of `contracts.sql`, plus every view answering.

`violations` runs each named query over a scope of articles (a batch inside its transaction, or
the whole warehouse) and returns the contracts that returned rows, with a few of those rows; the
loader rolls a batch back when there is any.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from warehouse.queries import named_queries

CONTRACTS_SQL = Path(__file__).with_name("contracts.sql")


class ContractViolation(RuntimeError):
    """A load would leave the warehouse breaking a contract; the batch was rolled back."""


@dataclass(frozen=True)
class Violation:
    contract: str
    rows: int
    examples: list[tuple]

    def __str__(self) -> str:
        return f"{self.contract}: {self.rows} row(s), e.g. {self.examples[:3]}"


def contracts() -> dict[str, str]:
    """contract name → query, in file order."""
    return named_queries(CONTRACTS_SQL)


def violations(con: duckdb.DuckDBPyConnection, article_ids: list[str] | None = None) -> list[Violation]:
    """Contracts broken over `article_ids` (None: every article), and views that fail to answer."""
    if article_ids is None:
        article_ids = [aid for (aid,) in con.execute("select article_id from articles").fetchall()]
    scope = pl.DataFrame({"article_id": article_ids}, schema={"article_id": pl.String})
    con.register("_scope", scope.to_arrow())
    found = []
    try:
        for name, query in contracts().items():
            rows = con.execute(f"select * from ({query}) limit 6").fetchall()
            if rows:
                (n,) = con.execute(f"select count(*) from ({query})").fetchall()[0]
                found.append(Violation(name, n, rows[:3]))
    finally:
        con.unregister("_scope")
    for (view,) in con.execute("select view_name from duckdb_views() where not internal "
                               "and database_name = current_database() and schema_name = 'main'").fetchall():
        try:
            con.execute(f'select * from "{view}" limit 0').fetchall()
        except duckdb.Error as exc:
            found.append(Violation(f"view_answers:{view}", 1, [(str(exc).splitlines()[0],)]))
    return found

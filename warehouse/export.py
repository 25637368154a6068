"""Parquet export of the warehouse, partitioned by publication date (hive style).

Other engines (Spark, Trino, DuckDB elsewhere) read the export while a run holds the DuckDB
file. Articles, mentions and events are partitioned by their article's `published_date`; the
smaller tables in `WHOLE` are single files. Left out: `removed_spans`, `article_signatures` and
`raw_fingerprints`, Dateline's own bookkeeping (what cleaning dropped, dedup and re-run state).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

PARTITIONED = {
    "articles": "select a.*, cast(a.published_at as date) as published_date from articles a",
    "mentions": "select m.*, cast(a.published_at as date) as published_date from mentions m join articles a using (article_id)",
    "events": "select e.*, cast(a.published_at as date) as published_date from events e join articles a using (article_id)",
}
WHOLE = ("entities", "event_types", "runs", "quarantine", "dq_results")


def export_parquet(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Write the tables of `PARTITIONED` and `WHOLE` under out_dir/<table>/; returns rows written per table.

    Each table is written to a temporary folder and swapped in, so a reader never sees a table
    half replaced.
    """
    out_dir.mkdir(parents=True, exist_ok=True)

    def literal(path: Path) -> str:  # COPY takes no bound parameter for its target
        return "'" + str(path).replace("'", "''") + "'"

    counts: dict[str, int] = {}
    for table, query in [*PARTITIONED.items(), *((t, f"select * from {t}") for t in WHOLE)]:
        tmp = out_dir / f".{table}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        if table in PARTITIONED:
            tmp.mkdir()
            con.execute(f"copy ({query}) to {literal(tmp)} (format parquet, partition_by (published_date), overwrite_or_ignore)")
        else:
            tmp.mkdir()
            con.execute(f"copy ({query}) to {literal(tmp / 'data.parquet')} (format parquet)")
        counts[table] = con.execute(f"select count(*) from ({query})").fetchone()[0]
        final = out_dir / table
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    return counts

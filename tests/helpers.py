"""Small helpers shared by the tests: read the warehouse, write JSONL inputs."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def query(db: Path, sql: str, params=None) -> list[tuple]:
    """All rows of one query on a warehouse file, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """Rows as a JSONL file (the input contract), returning its path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path

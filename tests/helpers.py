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


class FailingOn:
    """A spaCy pipeline that raises on any text containing `marker`, in `pipe` and alone: a
    component bug on one article, without adding a component to a shared (cached) pipeline."""

    def __init__(self, nlp, marker: str, message: str = "component failed"):
        self.nlp, self.marker, self.message = nlp, marker, message

    def __call__(self, text: str):
        if self.marker in text:
            raise ValueError(self.message)
        return self.nlp(text)

    def pipe(self, texts, **_kwargs):
        for text in texts:
            yield self(text)

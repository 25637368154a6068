"""DuckDB loader: schema, one transaction per batch, Arrow in, nothing half-visible.

DuckDB allows one writing process per file, so the loader opens the file only for a load,
waits with back-off while another process holds it, and stages the batch as Parquet under
`staging_dir` when it must give up, for the next run to load.
"""

from __future__ import annotations

import os
import random
import shutil
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator

import duckdb
import polars as pl

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
VIEWS_SQL = Path(__file__).with_name("views.sql")

CHILD_TABLES = ("mentions", "events", "removed_spans", "article_signatures", "raw_fingerprints")
"""Rows owned by an article: replaced whole when the article is re-processed."""


class WarehouseLocked(RuntimeError):
    """Another process holds the DuckDB file for longer than the configured wait."""


@dataclass
class LoadBatch:
    """Everything one batch writes, as frames shaped like the tables of `schema.sql`."""

    articles: pl.DataFrame
    mentions: pl.DataFrame
    entities: pl.DataFrame
    events: pl.DataFrame
    removed_spans: pl.DataFrame
    quarantine: pl.DataFrame
    dq_results: pl.DataFrame
    run: pl.DataFrame  # one row of `runs`
    signatures: pl.DataFrame  # article_id, signature (MinHash bytes)
    fingerprints: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema={"raw_hash": pl.String, "article_id": pl.String, "pipeline_version": pl.String}))
    """raw_hash → article_id of the input records behind the batch's articles."""


def _is_lock_error(exc: Exception) -> bool:
    return "lock" in str(exc).lower() or "conflicting" in str(exc).lower()


def connect(db_path: Path, *, read_only: bool = False, timeout_s: float = 30.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting with jittered exponential back-off while it is locked."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(db_path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise WarehouseLocked(f"{db_path}: {exc}") from exc
                raise
            time.sleep(min(delay, max(deadline - time.monotonic(), 0)) * random.uniform(0.5, 1.0))
            delay = min(delay * 2, 2.0)
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create tables, refresh the event ontology and (re)create views; all idempotent."""
    from transforms.lexicon import event_types_frame

    con.execute(SCHEMA_SQL.read_text())
    con.execute("begin transaction")
    try:
        _insert(con, "event_types", event_types_frame(),
                _upsert_clause(con, "event_types", ["event_type"], event_types_frame(), set()))
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    con.execute(VIEWS_SQL.read_text())


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back after a failure without hiding it: when the COMMIT itself failed (disk full, I/O
    error) DuckDB has already ended the transaction and a ROLLBACK would raise "no transaction is
    active", replacing the real error (e.g. "No space left on device")."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def signatures(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple[str, bytes]], dict[str, str | None]]:
    """Stored MinHash signatures (oldest article first) and each article's dup_of."""
    rows = con.execute(
        "select s.article_id, s.signature, a.dup_of from article_signatures s join articles a using (article_id) "
        "order by a.ingested_at, a.article_id"
    ).fetchall()
    return [(r[0], r[1]) for r in rows], {r[0]: r[2] for r in rows}


def known_fingerprints(con: duckdb.DuckDBPyConnection, raw_hashes: list[str], pipeline_version: str) -> dict[str, str]:
    """raw_hash → article_id for the records whose article is loaded by this pipeline version."""
    if not raw_hashes:
        return {}
    con.register("_wanted_hashes", pl.DataFrame({"raw_hash": raw_hashes}).to_arrow())
    try:
        rows = con.execute(
            "select f.raw_hash, f.article_id from raw_fingerprints f join _wanted_hashes w using (raw_hash) "
            "join articles a using (article_id) where f.pipeline_version = $v and a.pipeline_version = $v",
            {"v": pipeline_version},
        ).fetchall()
    finally:
        con.unregister("_wanted_hashes")
    return {r[0]: r[1] for r in rows}


def stored_articles(con: duckdb.DuckDBPyConnection, article_ids: list[str], columns: list[str]) -> pl.DataFrame:
    """article_id and `columns` (names checked against the table) of the ids already loaded."""
    allowed = set(table_columns(con, "articles"))
    unknown = [c for c in columns if c not in allowed]
    if unknown:
        raise ValueError(f"not columns of articles: {unknown}")
    ids = pl.DataFrame({"article_id": article_ids}, schema={"article_id": pl.String})
    con.register("_wanted_ids", ids.to_arrow())
    try:
        col_list = ", ".join(f'a."{c}"' for c in columns)
        return con.sql(f"select a.article_id, {col_list} from articles a join _wanted_ids w using (article_id)").pl()
    finally:
        con.unregister("_wanted_ids")


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, conflict: str = "") -> int:
    """Insert a frame by name-matched columns from Arrow (never row by row)."""
    if frame.height == 0:
        return 0
    cols = [c for c in table_columns(con, table) if c in frame.columns]
    view = f"_batch_{table}"
    con.register(view, frame.select(cols).to_arrow())
    try:
        col_list = ", ".join(f'"{c}"' for c in cols)
        con.execute(f"insert into {table} ({col_list}) select {col_list} from {view} {conflict}")
    finally:
        con.unregister(view)
    return frame.height


def _upsert_clause(con: duckdb.DuckDBPyConnection, table: str, key: list[str], frame: pl.DataFrame, keep: set[str]) -> str:
    cols = [c for c in table_columns(con, table) if c in frame.columns and c not in key and c not in keep]
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols)
    return f"on conflict ({', '.join(key)}) do update set {sets}" if sets else "on conflict do nothing"


def load_batch(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    """Write one batch atomically: upsert articles, replace their children, record the run."""
    con.execute("begin transaction")
    try:
        ids = batch.articles.select("article_id")
        if ids.height:
            con.register("_batch_ids", ids.to_arrow())
            for table in CHILD_TABLES:
                con.execute(f"delete from {table} where article_id in (select article_id from _batch_ids)")
            con.unregister("_batch_ids")
        _insert(con, "articles", batch.articles,
                _upsert_clause(con, "articles", ["article_id"], batch.articles, keep={"first_seen_run"}))
        _insert(con, "entities", batch.entities,
                "on conflict (entity_id) do update set country_code = coalesce(entities.country_code, excluded.country_code)")
        _insert(con, "mentions", batch.mentions)
        _insert(con, "events", batch.events)
        _insert(con, "removed_spans", batch.removed_spans)
        _insert(con, "article_signatures", batch.signatures)
        _insert(con, "raw_fingerprints", batch.fingerprints,
                _upsert_clause(con, "raw_fingerprints", ["raw_hash"], batch.fingerprints, set()))
        _insert(con, "quarantine", batch.quarantine,
                _upsert_clause(con, "quarantine", ["run_id", "table_name", "record_key"], batch.quarantine, set()))
        _insert(con, "dq_results", _merge_dq(con, batch.dq_results),
                _upsert_clause(con, "dq_results", ["run_id", "suite", "expectation"], batch.dq_results, set()))
        _insert(con, "runs", batch.run, _upsert_clause(con, "runs", ["run_id"], batch.run, keep={"started_at"}))
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise


def _merge_dq(con: duckdb.DuckDBPyConnection, dq: pl.DataFrame) -> pl.DataFrame:
    """Accumulate a run's expectation outcomes over its batches (counts add, success ANDs)."""
    if dq.height == 0:
        return dq
    run_id = dq["run_id"][0]
    prior = con.sql(
        "select suite, expectation, success, element_count, unexpected_count from dq_results where run_id = ?",
        params=[run_id],
    ).pl()
    if prior.height == 0:
        return dq
    merged = dq.join(prior, on=["suite", "expectation"], how="left", suffix="_prior").with_columns(
        (pl.col("success") & pl.col("success_prior").fill_null(True)).alias("success"),
        (pl.col("element_count") + pl.col("element_count_prior").fill_null(0)).alias("element_count"),
        (pl.col("unexpected_count") + pl.col("unexpected_count_prior").fill_null(0)).alias("unexpected_count"),
    )
    return merged.with_columns(
        pl.when(pl.col("element_count") > 0)
        .then(100.0 * pl.col("unexpected_count") / pl.col("element_count"))
        .otherwise(0.0)
        .alias("unexpected_percent")
    ).select(dq.columns)


def record_run(con: duckdb.DuckDBPyConnection, run: pl.DataFrame) -> None:
    """Upsert the run's bookkeeping row on its own (start, failure, final status)."""
    con.execute("begin transaction")
    try:
        _insert(con, "runs", run, _upsert_clause(con, "runs", ["run_id"], run, keep={"started_at"}))
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise


def mark_requeued(con: duckdb.DuckDBPyConnection, run_id: str, sources: list[str], only_run: str | None) -> int:
    """Close earlier quarantine rows whose sources this run re-processed."""
    rows = con.execute(
        "update quarantine set requeued_by = $run where requeued_by is null and run_id <> $run "
        "and list_contains($sources, source) and ($only is null or run_id = $only) returning 1",
        {"run": run_id, "sources": sources, "only": only_run},
    ).fetchall()
    return len(rows)


# --- staging: a batch that could not be loaded waits on disk for the next run -------------

def stage_batch(staging_dir: Path, batch: LoadBatch, name: str) -> Path:
    """Write a batch as Parquet files; the folder appears atomically (rename at the end)."""
    final = staging_dir / name
    tmp = staging_dir / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in fields(batch):
        frame = getattr(batch, f.name)
        if f.name == "run" and "status" in frame.columns:  # what the runs row says once loaded from staging
            frame = frame.with_columns(pl.lit("staged").alias("status"), pl.lit(
                "warehouse was locked: batch staged, loaded by a later run").alias("message"))
        frame.write_parquet(tmp / f"{f.name}.parquet")
    _fsync_tree(tmp)
    shutil.rmtree(final, ignore_errors=True)
    tmp.rename(final)
    _fsync_dir(staging_dir)
    return final


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    """Flush the staged files before the rename publishes them (a power cut must not publish empty files)."""
    for f in folder.iterdir():
        with open(f, "rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(folder)


def load_staged(db_path: Path, staging_dir: Path, *, timeout_s: float = 30.0) -> int:
    """Load every staged batch, oldest first, one transaction each; a folder is removed only after
    its COMMIT. A crash between the two loads it again next time: articles are upserted and their
    child rows replaced, so a second load adds nothing. Returns the articles loaded."""
    staged = list(staged_batches(staging_dir))
    if not staged:
        return 0
    loaded = 0
    con = connect(db_path, timeout_s=timeout_s)
    try:
        for folder, batch in staged:
            load_batch(con, batch)
            shutil.rmtree(folder)
            loaded += batch.articles.height
    finally:
        con.close()
    return loaded


def staged_batches(staging_dir: Path) -> Iterator[tuple[Path, LoadBatch]]:
    """Batches left by earlier runs, oldest first."""
    if not staging_dir.is_dir():
        return
    for folder in sorted(p for p in staging_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        frames = {f.name: pl.read_parquet(folder / f"{f.name}.parquet") for f in fields(LoadBatch)
                  if (folder / f"{f.name}.parquet").exists() or f.name != "fingerprints"}
        yield folder, LoadBatch(**frames)

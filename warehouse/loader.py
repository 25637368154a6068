"""DuckDB loader: one transaction per batch, Arrow in, contracts checked before COMMIT.

DuckDB allows one writing process per file, so the loader opens the file only for a load and
waits with back-off while another process holds it (the flow stages a batch it cannot load, see
`warehouse.staging`). Opening for writing brings the schema up to date (`warehouse.schema`);
every load is checked against `contracts.sql` inside its transaction and rolled back on a breach.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import tenacity
import polars as pl

from warehouse import contracts, schema
from warehouse.queries import named_queries
from warehouse.contracts import ContractViolation
from warehouse.schema import WarehouseSchemaError

CHILD_TABLES = ("mentions", "events", "removed_spans", "article_signatures", "raw_fingerprints", "search_terms",
                "search_docs")
"""Rows owned by an article: replaced whole when the article is re-processed."""
SEARCH_SQL = Path(__file__).with_name("search.sql")

__all__ = ["ContractViolation", "WarehouseSchemaError", "WarehouseLocked", "LoadBatch", "connect", "load_batch"]


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

    def article_ids(self) -> list[str]:
        """Every article the batch writes rows for (the contracts' scope)."""
        ids: set[str] = set()
        for frame in (self.articles, self.mentions, self.events):
            if "article_id" in frame.columns:
                ids.update(frame["article_id"].drop_nulls().to_list())
        return sorted(ids)


def _is_lock_error(exc: BaseException) -> bool:
    """Another process holds the file (DuckDB says so in an IOException's message)."""
    return isinstance(exc, duckdb.IOException) and (
        "lock" in str(exc).lower() or "conflicting" in str(exc).lower())


READ_ONLY_SANDBOX = {"enable_external_access": False, "lock_configuration": True}
"""DuckDB settings for queries typed by a user on a read-only warehouse: a read-only connection
still writes files through COPY … TO, EXPORT DATABASE or ATTACH … (read_only false), so no file
but the warehouse is reachable and the settings cannot be changed back from SQL."""


def _until(limit_s: float, wait: tenacity.wait.wait_base):
    """`wait`, cut so the last attempt falls at the deadline rather than up to a back-off after it."""
    return lambda state: min(wait(state), max(limit_s - (state.seconds_since_start or 0.0), 0.0))


def connect(db_path: Path, *, read_only: bool = False, timeout_s: float = 30.0,
            config: dict[str, object] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting with jittered exponential back-off while it is locked."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    opening = tenacity.Retrying(
        retry=tenacity.retry_if_exception(_is_lock_error),
        stop=tenacity.stop_after_delay(timeout_s),
        wait=_until(timeout_s, tenacity.wait_random_exponential(multiplier=0.05, max=2.0)),
        reraise=True,
    )
    try:
        con = opening(duckdb.connect, str(db_path), read_only=read_only, config=dict(config or {}))
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise WarehouseLocked(f"{db_path}: {exc}") from exc
        raise
    try:
        if read_only:
            schema.check_readable(con, str(db_path))
        else:
            schema.ensure_schema(con, str(db_path))
    except BaseException:
        con.close()
        raise
    return con


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
    """Insert a frame by name-matched columns from Arrow (never row by row). A frame column the
    table lacks is an error, not a silent drop."""
    if frame.height == 0:
        return 0
    have = table_columns(con, table)
    extra = [c for c in frame.columns if c not in have]
    if extra:
        raise WarehouseSchemaError(f"table {table} has no column(s) {', '.join(extra)} for this batch")
    cols = [c for c in have if c in frame.columns]
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


_WRITES = threading.Lock()
"""Held by each write transaction of this process; `stop_writes` takes it for good on the way out."""


def stop_writes(timeout_s: float) -> bool:
    """Wait (at most `timeout_s`) for this process's write under way to end, and let no other
    start: an interrupted run records itself and exits with no load racing it."""
    return _WRITES.acquire(timeout=timeout_s)


def load_batch(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    """Write one batch atomically: upsert articles, replace their children, record the run."""
    with _WRITES:
        _load_batch(con, batch)


def _load_batch(con: duckdb.DuckDBPyConnection, batch: LoadBatch) -> None:
    con.execute("begin transaction")
    ids = batch.articles.select("article_id")
    con.register("_batch_ids", ids.to_arrow())
    try:
        if ids.height:
            for table in CHILD_TABLES:
                con.execute(f"delete from {table} where article_id in (select article_id from _batch_ids)")
        _insert(con, "articles", batch.articles,
                _upsert_clause(con, "articles", ["article_id"], batch.articles, keep={"first_seen_run"}))
        if ids.height:  # the search index of the batch's articles, from their stored rows
            search = named_queries(SEARCH_SQL)
            con.execute(search["index_articles"])
            con.execute(search["index_lengths"])
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
        broken = contracts.violations(con, batch.article_ids())
        if broken:
            raise ContractViolation("batch rolled back, it breaks the warehouse contracts: "
                                    + "; ".join(str(v) for v in broken))
        con.execute("commit")
    except BaseException:
        _rollback(con)
        raise
    finally:
        con.unregister("_batch_ids")


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
    with _WRITES:
        _record_run(con, run)


def _record_run(con: duckdb.DuckDBPyConnection, run: pl.DataFrame) -> None:
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

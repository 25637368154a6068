"""One flow run's state and bookkeeping: its counts and its row in the warehouse's `runs` table.

`Run` is what every batch of one run shares; `RunCounts` what it read, loaded, skipped and
quarantined. The row is recorded `running` at the start (`record_start`) and with each loaded
batch, then `completed` (`record_completed`), or `failed` / `interrupted` (`record_failure`).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator

import polars as pl
from prefect import get_run_logger
from prefect.artifacts import create_markdown_artifact

from dateline.settings import Settings
from flows import run_lease
from flows.reuse import AnnotationReuse
from warehouse import loader, staging
from warehouse.schema import warehouse_id as schema_id


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class RunCounts:
    """What a run read, loaded, skipped and quarantined (the `runs` row and the summary)."""

    articles_in: int = 0
    articles_new: int = 0
    articles_unchanged: int = 0
    articles_duplicate: int = 0
    articles_quarantined: int = 0
    mentions_loaded: int = 0
    events_loaded: int = 0
    per_source: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage, summed over batches

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t0

    def add_source(self, source: str, key: str, n: int = 1) -> None:
        counts = self.per_source.setdefault(source, {"records": 0, "problems": 0})
        counts[key] += n


@dataclass
class Run:
    """What every batch of one flow run shares."""

    run_id: str
    run_name: str | None
    sources: list[str]
    counts: RunCounts
    settings: Settings
    started: dt.datetime
    total: int | None = None  # records expected from the sources (for progress), None if unknown
    dup_index: Any = None  # MinHashIndex of loaded articles, filled on first use
    dup_roots: dict[str, str | None] = field(default_factory=dict)
    locked: str | None = None  # the warehouse was locked at the start: stage every batch, touch no file
    binding: staging.Binding | None = None  # the warehouse staged batches belong to (id known once opened)
    staged: int = 0
    validated: int = 0  # articles that went through GX (none on an unchanged re-run: Data Docs kept)
    dated: int = 0  # loaded articles with a publication date (event days and daily views need it)
    unread_reported: set[str] = field(default_factory=set)  # sources whose unread columns were logged
    reuse: AnnotationReuse = field(init=False)  # syndicated copies annotated once (from the settings)

    def __post_init__(self) -> None:
        # a copy's original is at most `nlp_window` batches back, or in the batches finished meanwhile
        self.reuse = AnnotationReuse(enabled=self.settings.reuse_copies, batches_kept=2 * self.settings.nlp_window + 1)

    def near_duplicates(self, articles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Set `dup_of` for syndicated copies; returns (articles, signatures frame)."""
        from transforms.dedup import MinHashIndex, assign_dup_of, signature_from_bytes, signature_to_bytes

        if self.dup_index is None:
            self.dup_index = MinHashIndex(self.settings.dup_threshold)
            if self.settings.db_path.exists() and self.locked is None:
                con = loader.connect(self.settings.db_path, read_only=False, timeout_s=self.settings.lock_timeout_s)
                try:
                    stored, self.dup_roots = loader.signatures(con)
                finally:
                    con.close()
                for aid, blob in stored:
                    self.dup_index.add(aid, signature_from_bytes(blob))
        ids, texts = articles["article_id"].to_list(), articles["text"].to_list()
        dup_of, sigs = assign_dup_of(self.dup_index, ids, texts, self.dup_roots)
        self.dup_roots.update(zip(ids, dup_of))
        frame = pl.DataFrame({"article_id": ids, "signature": [signature_to_bytes(s) for s in sigs]},
                             schema={"article_id": pl.String, "signature": pl.Binary})
        return articles.with_columns(pl.Series("dup_of", dup_of, dtype=pl.String)), frame


def run_row(run_id: str, name: str | None, sources: list[str], counts: RunCounts, settings: Settings,
            status: str, started: dt.datetime, message: str | None = None) -> pl.DataFrame:
    row = {k: v for k, v in asdict(counts).items() if k not in {"per_source", "seconds"}}
    row.update(
        run_id=run_id, flow_run_name=name, sources=sources, status=status, started_at=started,
        finished_at=None if status == "running" else utc_now(), pipeline_version=settings.pipeline_version,
        model=settings.model, message=message,
    )
    return pl.DataFrame([row]).with_columns(
        pl.col("started_at", "finished_at").cast(pl.Datetime("us", "UTC")),
        pl.col("sources").cast(pl.List(pl.String)),
        pl.col("flow_run_name", "message").cast(pl.String),
    )


def flow_run_identity() -> tuple[str, str | None]:
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return (str(run_id) if run_id else str(uuid.uuid4())), flow_run.get_name()


def record_start(run: Run) -> str | None:
    """Record the run as 'running'; when the warehouse stays locked return why (the run then
    processes and stages its batches without touching the file, and fails naming the holder)."""
    try:
        con = loader.connect(run.settings.db_path, timeout_s=run.settings.lock_timeout_s)
    except loader.WarehouseLocked as exc:
        get_run_logger().warning("%s; batches will be staged under %s", exc, run.settings.staging_root)
        return str(exc)
    try:
        run.binding = staging.Binding.of(run.settings.db_path, schema_id(con))
        for dead in run_lease.sweep_dead_runs(con, run.settings.db_path):
            get_run_logger().warning("run %s had been left running by a process that ended: marked interrupted", dead)
        loader.record_run(con, run_row(run.run_id, run.run_name, run.sources, run.counts, run.settings, "running",
                                       run.started))
    finally:
        con.close()
    return None


def record_failure(run: Run, exc: BaseException) -> None:
    """Record a failed or interrupted run on its row (batches committed before stay) and in the
    run-summary artifact; the caller raises `exc` again. If the warehouse stays locked the row is
    not written: that is logged and `exc` is raised from here."""
    logger, settings = get_run_logger(), run.settings
    status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
    message = run_lease.INTERRUPTED if status == "interrupted" else str(exc)
    logger.error("run %s: %s", status, message)
    try:
        failed = loader.connect(settings.db_path, timeout_s=0 if run.locked else settings.lock_timeout_s)
    except loader.WarehouseLocked as locked:
        logger.warning("run %s not recorded as %s: %s", run.run_id, status, locked)
        raise exc
    try:
        loader.record_run(failed, run_row(run.run_id, run.run_name, run.sources, run.counts, settings, status,
                                          run.started, message))
    finally:
        failed.close()
    create_markdown_artifact(
        key="dateline-run-summary",
        markdown=f"# Dateline run `{run.run_id}` {status}\n\n{type(exc).__name__}: {message}\n\n"
        "Nothing of the failing batch was committed; earlier batches of this run were.",
        description="Dateline run summary",
    )


def record_completed(run: Run, requeue: str | None) -> None:
    """Record the run `completed`; with `requeue`, mark the quarantine rows it re-processed."""
    settings, counts = run.settings, run.counts
    con = loader.connect(settings.db_path, timeout_s=settings.lock_timeout_s)
    try:
        loader.record_run(con, run_row(run.run_id, run.run_name, run.sources, counts, settings, "completed",
                                       run.started))
        if requeue:
            loader.mark_requeued(con, run.run_id, run.sources, None if requeue == "*" else requeue)
    finally:
        con.close()

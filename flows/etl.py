"""The main flow, `dateline-etl`: ingest → clean → nlp → validate → load, batch by batch.

Reads top-down like a recipe. Each task wraps a pure function from `transforms/` or
`expectations/`, or does one kind of I/O (reading sources, the warehouse). A task handles a batch
of articles, not one (a Prefect task run costs ~9 ms), and batches stream from the sources to
the load so memory depends on the batch size, not the corpus.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
import uuid
from collections import deque
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from dateline.settings import Settings
from flows import run_lease
from flows.fetch import policy_from_settings
from flows.model import load_pipeline
from flows.sources import SourceProblem, estimate_records, iter_records, resolve_sources
from transforms.articles import (
    UNCHANGED_IF_SAME,
    ArticlesBatch,
    build_changed_articles,
    record_fingerprints,
    unchanged_ids,
)
from transforms.columns import parse_mapping
from transforms.nlp import Annotations, annotate
from warehouse import loader, staging
from warehouse.schema import warehouse_id as schema_id

QUARANTINE_SCHEMA = {
    "run_id": pl.String,
    "table_name": pl.String,
    "record_key": pl.String,
    "record": pl.String,
    "reasons": pl.List(pl.String),
    "quarantined_at": pl.Datetime("us", "UTC"),
    "source": pl.String,
}


class QualityGateFailed(RuntimeError):
    """Too large a share of a batch was quarantined: the batch is not loaded."""


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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _quarantine_frame(run_id: str, rows: list[tuple[str, str, str, list[str], str | None]], now: dt.datetime) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"run_id": run_id, "table_name": t, "record_key": k, "record": r, "reasons": list(reasons),
             "quarantined_at": now, "source": src}
            for t, k, r, reasons, src in rows
        ],
        schema=QUARANTINE_SCHEMA,
    )


# --- tasks -------------------------------------------------------------------------------

@task(name="articles")
def clean_articles(records: list[dict[str, Any]], fingerprints: list[str], known: dict[str, str], run_id: str,
                   settings: Settings) -> tuple[ArticlesBatch, list[str]]:
    """Clean the raw records not loaded before into article rows (pure transform); also returns
    the fingerprints of the records skipped."""
    return build_changed_articles(
        records,
        fingerprints,
        known,
        run_id=run_id,
        pipeline_version=settings.pipeline_version,
        now=_now(),
        max_chars=settings.max_chars,
        default_tz=settings.default_published_tz,
    )


@task(name="known-records", retries=2, retry_delay_seconds=[1, 5])
def known_records(raw_hashes: list[str], settings: Settings) -> dict[str, str]:
    """raw_hash → article_id of records already loaded by this pipeline version: not re-cleaned."""
    if not raw_hashes or not settings.db_path.exists():
        return {}
    con = loader.connect(settings.db_path, read_only=True, timeout_s=settings.lock_timeout_s)
    try:
        return loader.known_fingerprints(con, raw_hashes, settings.pipeline_version)
    finally:
        con.close()


@task(name="unchanged-articles", retries=2, retry_delay_seconds=[1, 5])
def unchanged_articles(articles: pl.DataFrame, settings: Settings) -> set[str]:
    """Ids already loaded with the same clean text, metadata and pipeline version: NLP is skipped
    for them. Catches a record that changed only outside what Dateline keeps (a page's ads)."""
    if articles.height == 0 or not settings.db_path.exists():
        return set()
    con = loader.connect(settings.db_path, read_only=True, timeout_s=settings.lock_timeout_s)
    try:
        stored = loader.stored_articles(con, articles["article_id"].to_list(), UNCHANGED_IF_SAME)
    finally:
        con.close()
    return unchanged_ids(articles, stored)


@task(name="mentions-entities-events")
def nlp_annotations(articles: pl.DataFrame, settings: Settings) -> Annotations:
    """One spaCy pass per article: mentions, canonical entities, events.

    Not cached by Prefect: annotations carry the article's identity and depend on its dates, and
    re-runs are already cheap (identical records and unchanged articles skip NLP before this task).

    With n_process > 1 the batch goes to a pool of worker processes that keep the model loaded;
    the flow keeps n_process + 1 batches in flight so no worker waits for the next one.
    """
    if settings.n_process > 1:
        from flows.nlp_pool import annotate_in_pool

        return annotate_in_pool(articles, settings)
    nlp = load_pipeline(*settings.pipeline_spec)
    return annotate(
        nlp,
        articles,
        run_id="",
        pipeline_version=settings.pipeline_version,
        batch_size=settings.nlp_batch_size,
    )


@task(name="validate")
def validate(articles: pl.DataFrame, ann: Annotations, settings: Settings):
    """Great Expectations suites per table; failing rows are split off with their reasons."""
    from expectations.validate import BatchTables, nothing_to_validate, validate_batch

    tables = BatchTables(articles=articles, mentions=ann.mentions, events=ann.events, entities=ann.entities)
    if articles.height == 0:  # every article unchanged: no GX project opened, no run stored
        return nothing_to_validate(tables)
    return validate_batch(tables, now=_now(), context=_gx_project(settings))


@lru_cache(maxsize=4)
def _gx_project_at(root: Path):
    from expectations.validate import GxProject

    return GxProject(root)


def _gx_project(settings: Settings):
    """The file-backed GX project for this warehouse, opened once per process."""
    return _gx_project_at(settings.gx_root)


@task(name="data-docs")
def data_docs(settings: Settings) -> Path:
    """Rebuild Great Expectations' Data Docs (static HTML) for the run's validations."""
    return _gx_project(settings).build_data_docs()


def _data_docs_for(run: "_Run") -> Path:
    """Rebuild Data Docs when this run validated anything; an unchanged re-run keeps the last ones
    (rendering them costs seconds, and no result changed)."""
    from expectations.validate import local_docs_index

    index = local_docs_index(run.settings.gx_root)
    if run.validated == 0 and index.exists():
        return index
    return data_docs(run.settings)


@task(name="report")
def html_report(settings: Settings) -> str | None:
    """The HTML report of the whole warehouse, beside it. A file or database problem here is
    logged and leaves the committed run alone; a bug in the report still fails loudly."""
    import duckdb

    from warehouse.report import ReportScope, write_report

    try:
        con = loader.connect(settings.db_path, read_only=True, timeout_s=settings.lock_timeout_s)
        try:
            path = write_report(con, settings.report_path, ReportScope(), settings.db_path.name)
        finally:
            con.close()
    except (OSError, duckdb.Error, loader.WarehouseLocked) as exc:  # the report can be built again later
        get_run_logger().warning("report not written: %s: %s (run `dateline report` to retry)", type(exc).__name__, exc)
        return None
    return str(path)


@task(name="load", retries=0)
def load(batch: loader.LoadBatch, settings: Settings, stage_name: str, binding: staging.Binding) -> None:
    """One DuckDB transaction; if the file stays locked, stage the batch for the next run."""
    try:
        con = loader.connect(settings.db_path, timeout_s=settings.lock_timeout_s)
    except loader.WarehouseLocked as exc:
        path = staging.stage_batch(settings.staging_root, batch, stage_name, binding)
        raise loader.WarehouseLocked(f"{exc}; batch staged at {path} for the next run") from None
    try:
        loader.load_batch(con, batch)
    finally:
        con.close()


@task(name="load-staged")
def load_staged(settings: Settings) -> staging.StagedLoad:
    """Load batches an earlier run had to leave on disk for this warehouse; each is removed once
    committed. Batches staged for another warehouse are left alone and reported."""
    return staging.load_staged(settings.db_path, settings.staging_root, timeout_s=settings.lock_timeout_s)


# --- the flow ------------------------------------------------------------------------------

def _run_row(run_id: str, name: str | None, sources: list[str], counts: RunCounts, settings: Settings,
             status: str, started: dt.datetime, message: str | None = None) -> pl.DataFrame:
    row = {k: v for k, v in asdict(counts).items() if k not in {"per_source", "seconds"}}
    row.update(
        run_id=run_id, flow_run_name=name, sources=sources, status=status, started_at=started,
        finished_at=None if status == "running" else _now(), pipeline_version=settings.pipeline_version,
        model=settings.model, message=message,
    )
    return pl.DataFrame([row]).with_columns(
        pl.col("started_at", "finished_at").cast(pl.Datetime("us", "UTC")),
        pl.col("sources").cast(pl.List(pl.String)),
        pl.col("flow_run_name", "message").cast(pl.String),
    )


def _flow_run_identity() -> tuple[str, str | None]:
    from prefect.runtime import flow_run

    run_id = flow_run.get_id()
    return (str(run_id) if run_id else str(uuid.uuid4())), flow_run.get_name()


@flow(name="dateline-etl", log_prints=False)
def etl(sources: list[str], settings: Settings | None = None, requeue: str | None = None) -> dict[str, Any]:
    """Ingest the sources into the warehouse; returns the run summary.

    With `requeue` (a run id, or "*" for all runs), open quarantine rows from those sources are
    marked as re-processed by this run once it completes; rows that fail again are quarantined anew.
    """
    settings = settings or Settings.from_env()
    run_id, run_name = _flow_run_identity()
    started = _now()
    counts = RunCounts()
    resolved = resolve_sources(sources, policy_from_settings(settings), parse_mapping(settings.column_map))
    total = estimate_records(resolved)
    settings = settings.for_input(total)
    run = _Run(run_id, run_name, sources, counts, settings, started, total=total)
    lease = run_lease.take(run_id, settings.db_path)
    try:
        _ingest(resolved, run)
        summary = _complete(run, requeue)
    finally:
        lease.release()
    return summary


def _ingest(resolved: list[Any], run: "_Run") -> None:
    """Load what earlier runs staged, then stream the sources through the batches. A failure or an
    interrupt is recorded on the run's row (committed batches stay) and raised again."""
    logger, settings = get_run_logger(), run.settings
    try:
        run.locked = _record_start(run)
        if run.locked is None:
            staged = load_staged(settings)
            if staged.articles:
                logger.info("loaded %d staged articles from earlier runs", staged.articles)
            for folder in staged.foreign or []:
                logger.warning("left alone, staged for another warehouse: %s", folder)
        _stream(_batches(iter_records(resolved), settings.batch_size), run)
        if run.locked is not None:
            raise loader.WarehouseLocked(f"{run.locked}; {run.staged} batch(es) staged under "
                                         f"{settings.staging_root} for the next run")
    except (Exception, KeyboardInterrupt) as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        message = run_lease.INTERRUPTED if status == "interrupted" else str(exc)
        logger.error("run %s: %s", status, message)
        try:
            failed = loader.connect(settings.db_path, timeout_s=0 if run.locked else settings.lock_timeout_s)
        except loader.WarehouseLocked as locked:
            logger.warning("run %s not recorded as %s: %s", run.run_id, status, locked)
            raise exc
        try:
            loader.record_run(failed, _run_row(run.run_id, run.run_name, run.sources, run.counts, settings, status,
                                               run.started, message))
        finally:
            failed.close()
        create_markdown_artifact(
            key="dateline-run-summary",
            markdown=f"# Dateline run `{run.run_id}` {status}\n\n{type(exc).__name__}: {message}\n\n"
            "Nothing of the failing batch was committed; earlier batches of this run were.",
            description="Dateline run summary",
        )
        raise


def _complete(run: "_Run", requeue: str | None) -> dict[str, Any]:
    """Summarise the finished run, render Data Docs, record it `completed` and publish artifacts."""
    settings, counts = run.settings, run.counts
    if counts.articles_new and run.dated < counts.articles_new:
        get_run_logger().warning(
            "%d of %d articles loaded (%.0f %%) have no publication date: their events count on no day "
            "(give JSONL/CSV dates in `published_at`, or map the column with --map published_at=COLUMN)",
            counts.articles_new - run.dated, counts.articles_new, 100 * (1 - run.dated / counts.articles_new))
    summary = summarize(settings.db_path, run.run_id, counts)
    with counts.timed("data_docs"):
        summary["data_docs"] = str(_data_docs_for(run))
    with counts.timed("report"):
        summary["report"] = html_report(settings)
    summary["run"]["seconds"] = {k: round(v, 3) for k, v in counts.seconds.items()}
    con = loader.connect(settings.db_path, timeout_s=settings.lock_timeout_s)
    try:
        loader.record_run(con, _run_row(run.run_id, run.run_name, run.sources, counts, settings, "completed",
                                        run.started))
        if requeue:
            loader.mark_requeued(con, run.run_id, run.sources, None if requeue == "*" else requeue)
    finally:
        con.close()
    _publish_artifacts(summary, counts)
    return summary


def _record_start(run: "_Run") -> str | None:
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
        loader.record_run(con, _run_row(run.run_id, run.run_name, run.sources, run.counts, run.settings, "running",
                                        run.started))
    finally:
        con.close()
    return None


@dataclass
class _Run:
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


@dataclass
class _Prepared:
    """A batch cleaned and checked against the warehouse, waiting for its NLP result."""

    n: int
    size: int
    problems: list[SourceProblem]
    cleaned: ArticlesBatch
    unchanged: set[str]  # cleaned, but the same clean text is loaded: NLP skipped
    todo: pl.DataFrame
    skipped: int = 0  # articles whose records are identical to loaded ones: not even cleaned
    skipped_duplicates: int = 0  # further skipped records of the same articles


def _prepare(chunk: list[Any], n: int, run: _Run) -> _Prepared:
    """Split off source problems, clean the records, and find articles whose NLP can be skipped."""
    logger = get_run_logger()
    counts = run.counts
    problems = [item for item in chunk if isinstance(item, SourceProblem)]
    records = [item for item in chunk if not isinstance(item, SourceProblem)]
    for p in problems:
        counts.add_source(p.source, "problems")
        logger.warning("source %s: %s: %s", p.source, p.record_key, p.reason)
    for r in records:
        counts.add_source(str(r.get("source_path") or r.get("source")), "records")
        unread = r.get("unread_columns")
        if unread and r.get("source_path") not in run.unread_reported:
            run.unread_reported.add(r.get("source_path"))
            logger.warning("source %s: columns not read: %s (map them with --map FIELD=COLUMN)",
                           r.get("source_path"), ", ".join(unread))
    settings = run.settings
    with counts.timed("unchanged"):
        hashes = record_fingerprints(records, pipeline_version=settings.pipeline_version,
                                     max_chars=settings.max_chars, default_tz=settings.default_published_tz)
        known = {} if run.locked else known_records(hashes, settings)
    with counts.timed("clean"):
        cleaned, skipped = clean_articles(records, hashes, known, run.run_id, settings)
    for rej in cleaned.rejects:
        logger.warning("source %s: article %s quarantined: %s", rej.source, rej.record_key, "; ".join(rej.reasons))
    with counts.timed("unchanged"):
        unchanged = set() if run.locked else unchanged_articles(cleaned.articles, run.settings)
    todo = cleaned.articles.filter(~pl.col("article_id").is_in(list(unchanged)))
    skipped_ids = {known[h] for h in skipped}
    return _Prepared(n, len(chunk), problems, cleaned, unchanged, todo,
                     skipped=len(skipped_ids), skipped_duplicates=len(skipped) - len(skipped_ids))


def _finish(prep: _Prepared, ann: Annotations, run: _Run) -> None:
    """Validate one annotated batch, apply the quality gate, and load it in one transaction."""
    logger = get_run_logger()
    counts, settings, now = run.counts, run.settings, _now()
    failed_nlp = dict(ann.failed)
    for aid, reason in failed_nlp.items():
        logger.warning("article %s quarantined: %s", aid, reason)
    todo = prep.todo.filter(~pl.col("article_id").is_in(list(failed_nlp)))
    with counts.timed("validate"):
        outcome = validate(todo, ann, settings)
    run.validated += todo.height
    rows = [("source", p.record_key, json.dumps(p.record, default=str), [p.reason], p.source) for p in prep.problems]
    rows += [("articles", r["article_id"], json.dumps(r, default=str, ensure_ascii=False)[:20000],
              [failed_nlp[r["article_id"]]], r["source_path"])
             for r in prep.todo.filter(pl.col("article_id").is_in(list(failed_nlp))).to_dicts()]
    rows += [(r.table_name, r.record_key, r.record, list(r.reasons), r.source) for r in prep.cleaned.rejects]
    quarantine = pl.concat(
        [
            _quarantine_frame(run.run_id, rows, now),
            _with_sources(outcome.quarantine, todo).with_columns(
                pl.lit(run.run_id).alias("run_id"), pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("quarantined_at")
            ).select(list(QUARANTINE_SCHEMA)),
        ]
    )
    # A source that failed whole (unreachable feed, refused URL) is quarantined and reported, but is
    # not a row of this batch: it must not fail the gate for the other sources' articles.
    whole_sources = sum(1 for p in prep.problems if p.record_key == p.source)
    bad_articles = (len(prep.problems) - whole_sources + len(prep.cleaned.rejects) + len(failed_nlp)
                    + outcome.articles_quarantined)
    duplicates = prep.cleaned.duplicates + prep.skipped_duplicates
    counts.articles_in += prep.size - whole_sources - duplicates
    counts.articles_duplicate += duplicates
    counts.articles_unchanged += len(prep.unchanged) + prep.skipped
    counts.articles_quarantined += bad_articles
    rows_in_batch = prep.size - whole_sources
    if rows_in_batch and bad_articles / rows_in_batch > settings.quarantine_threshold:
        reasons = quarantine.explode("reasons")["reasons"].value_counts(sort=True).head(3)
        raise QualityGateFailed(
            f"batch {prep.n}: {bad_articles} of {rows_in_batch} records quarantined "
            f"(threshold {settings.quarantine_threshold:.0%}); top reasons: "
            + ", ".join(f"{r} ({c})" for r, c in reasons.iter_rows())
        )
    passed = outcome.passed
    counts.articles_new += passed.articles.height
    run.dated += passed.articles["published_at"].is_not_null().sum()
    counts.mentions_loaded += passed.mentions.height
    counts.events_loaded += passed.events.height
    loaded_ids = passed.articles["article_id"].to_list()
    removed = prep.cleaned.removed.filter(pl.col("article_id").is_in(loaded_ids))
    fingerprints = prep.cleaned.fingerprints.filter(pl.col("article_id").is_in(loaded_ids + list(prep.unchanged)))
    if passed.articles.height == 0 and quarantine.height == 0 and fingerprints.height == 0:
        logger.info("batch %d: nothing new (%d unchanged)", prep.n, len(prep.unchanged) + prep.skipped)
        return
    with counts.timed("dedup"):
        articles, signatures = run.near_duplicates(passed.articles)
    batch = loader.LoadBatch(
        articles=articles,
        signatures=signatures,
        mentions=passed.mentions,
        entities=passed.entities,
        events=passed.events,
        removed_spans=removed,
        fingerprints=fingerprints,
        quarantine=quarantine,
        dq_results=outcome.results.with_columns(pl.lit(run.run_id).alias("run_id")),
        run=_run_row(run.run_id, run.run_name, run.sources, counts, settings, "running", run.started),
    )
    with counts.timed("load"):
        stage_name = f"{run.started:%Y%m%dT%H%M%S}-{run.run_id[:8]}-{prep.n:05d}"
        binding = run.binding or staging.Binding.of(settings.db_path, None)
        if run.locked is not None:
            staging.stage_batch(settings.staging_root, batch, stage_name, binding)
            run.staged += 1
        else:
            load(batch, settings, stage_name, binding)
    logger.info("batch %d: %d loaded, %d unchanged, %d quarantined",
                prep.n, passed.articles.height, len(prep.unchanged), bad_articles)


def _stream(batches: Iterable[list[Any]], run: _Run) -> None:
    """Prepare → NLP → finish each batch, keeping up to `nlp_inflight` NLP tasks running.

    With the Dask task runner the NLP tasks of several batches run on the cluster's workers at
    once while the driver cleans the next batch; validation and loading stay in order on the
    driver (DuckDB has one writer).
    """
    inflight: deque[tuple[_Prepared, Any]] = deque()
    window = run.settings.nlp_window
    progress = _Progress(run.total, run.settings.progress)

    def drain_one() -> None:
        prep, future = inflight.popleft()
        with run.counts.timed("nlp"):
            ann = (future.result() if future is not None else Annotations.empty()).for_run(run.run_id)
        _finish(prep, ann, run)
        progress.advance(prep.size)

    for n, chunk in enumerate(batches):
        prep = _prepare(chunk, n, run)
        # nothing to annotate (every article unchanged): no task run at all
        inflight.append((prep, nlp_annotations.submit(prep.todo, run.settings) if prep.todo.height else None))
        while len(inflight) >= window:
            drain_one()
    while inflight:
        drain_one()
    progress.close()


class _Progress:
    """Progress of a run: a Prefect progress artifact (seen in the UI while the run goes) and,
    when asked, a rich progress bar on the terminal."""

    def __init__(self, total: int | None, terminal: bool):
        self.total, self.done = total, 0
        self.artifact = create_progress_artifact(0.0, key="dateline-progress",
                                                 description="records processed") if total else None
        self.bar = None
        if terminal:
            from rich.progress import Progress

            self.bar = Progress(transient=False)
            self.bar.start()
            self.task = self.bar.add_task("dateline", total=total)

    def advance(self, n: int) -> None:
        self.done += n
        if self.artifact is not None:
            update_progress_artifact(self.artifact, min(100.0, 100.0 * self.done / self.total))
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _with_sources(quarantine: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    """Attach each quarantined row's source (via its article) so `dateline requeue` can re-read it."""
    key = pl.col("record_key").str.split(":").list.first()
    return quarantine.with_columns(key.alias("_aid")).join(
        articles.select(pl.col("article_id").alias("_aid"), pl.col("source_path").alias("source")), on="_aid", how="left"
    ).drop("_aid")


def summarize(db_path: Path, run_id: str, counts: RunCounts, top: int = 5) -> dict[str, Any]:
    """Counts, top entities and events of the warehouse after the run (for CLI and artifacts)."""
    con = loader.connect(db_path, read_only=True)
    try:
        totals = con.execute(
            "select (select count(*) from articles) articles, (select count(*) from entities) entities, "
            "(select count(*) from mentions) mentions, (select count(*) from events) events, "
            "(select count(*) from quarantine where run_id = $r) quarantined",
            {"r": run_id},
        ).fetchone()
        top_entities = con.execute(
            "select e.name, e.type, e.country_code, count(*) n from mentions m join entities e using (entity_id) "
            "group by all order by n desc, e.name limit $k",
            {"k": top},
        ).fetchall()
        top_events = con.execute(
            "select e.event_type, e.actor1_text, e.actor1_country, e.actor2_text, e.actor2_country, e.modality, "
            "e.event_date, substr(a.text, e.start_char + 1, e.end_char - e.start_char) evidence "
            "from events e join articles a using (article_id) order by e.confidence desc, e.event_id limit $k",
            {"k": top},
        ).fetchall()
        dq = con.execute(
            "select count(*), count(*) filter (where not success) from dq_results where run_id = $r", {"r": run_id}
        ).fetchone()
        quarantined = con.execute(
            "select table_name, record_key, reasons from quarantine where run_id = $r order by record_key limit 20",
            {"r": run_id},
        ).fetchall()
    finally:
        con.close()
    return {
        "run_id": run_id,
        "db_path": str(db_path),
        "run": {k: v for k, v in asdict(counts).items()},
        "warehouse": dict(zip(["articles", "entities", "mentions", "events", "quarantined"], totals)),
        "top_entities": [dict(zip(["name", "type", "country_code", "mentions"], r)) for r in top_entities],
        "top_events": [
            dict(zip(["event_type", "actor1", "actor1_country", "actor2", "actor2_country", "modality", "event_date", "evidence"], r))
            for r in top_events
        ],
        "quarantined": [dict(zip(["table", "record_key", "reasons"], r)) for r in quarantined],
        "dq": {"expectations": dq[0], "failed": dq[1]},
    }


def _publish_artifacts(summary: dict[str, Any], counts: RunCounts) -> None:
    """A markdown summary and a per-source table, so the Prefect UI tells the run's story."""
    from dateline.report import summary_markdown

    create_markdown_artifact(key="dateline-run-summary", markdown=summary_markdown(summary), description="Dateline run summary")
    if summary.get("report"):
        create_link_artifact(key="dateline-report", link=f"file://{summary['report']}", link_text="Dateline report",
                             description="The warehouse's HTML report: charts, events with their evidence, data quality")
    rows = [{"source": s, **c} for s, c in counts.per_source.items()] or [{"source": "(none)", "records": 0, "problems": 0}]
    create_table_artifact(key="dateline-sources", table=rows, description="Records and problems per source")

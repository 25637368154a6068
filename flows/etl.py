"""The main flow, `dateline-etl`: read sources → clean → annotate → validate → gate → load → publish.

The steps, in order (the Prefect tasks named are defined below the flow):

1. read sources: `flows.sources` streams the records of files, folders, URLs and feeds, in batches;
   steps 2 to 6 then run per batch (`flows.batches`);
2. clean: records identical to loaded ones are skipped (`known_records`), the rest cleaned into
   articles (`clean_articles`); articles whose clean text is loaded skip NLP (`unchanged_articles`);
3. annotate: one spaCy pass per article, mentions, entities and events (`nlp_annotations`);
4. validate: Great Expectations suites split failing rows off with their reasons (`validate`);
5. gate: a batch with too large a share quarantined fails the run (`QualityGateFailed`);
6. load: one DuckDB transaction per batch, staged on disk if the file is locked (`load`);
7. publish, once: run summary, Data Docs (`data_docs`), HTML report (`html_report`), artifacts.

Each task wraps a pure function from `transforms/` or `expectations/`, or does one kind of I/O
(reading sources, the warehouse). A task handles a batch of articles, not one (a Prefect task run
has a fixed cost), and batches stream from the sources to the load so memory depends on the batch size,
not the corpus.

This module holds the flow, its two steps (`_ingest`, `_complete`) and the tasks;
`flows.batches` the work of one batch (prepare → NLP → finish, the gate), in order;
`flows.run_record` the run's shared state, its counts and its `runs` row;
`flows.summary` the run summary and the Prefect artifacts.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task

from dateline.settings import Settings
from flows import run_lease
from flows.batches import QUARANTINE_SCHEMA as QUARANTINE_SCHEMA  # re-exported
from flows.batches import BatchTasks, batched, stream
from flows.batches import QualityGateFailed as QualityGateFailed  # re-exported
from flows.fetch import policy_from_settings
from flows.model import load_pipeline
from flows.run_record import (
    Run,
    RunCounts,
    flow_run_identity,
    record_completed,
    record_failure,
    record_start,
    utc_now,
)
from flows.sources.resolve import estimate_records, iter_records, resolve_sources
from flows.summary import publish_artifacts, summarize
from transforms.articles import (
    UNCHANGED_IF_SAME,
    ArticlesBatch,
    build_changed_articles,
    unchanged_ids,
)
from transforms.columns import parse_mapping
from transforms.nlp import Annotations, annotate
from warehouse import loader, staging


@flow(name="dateline-etl", log_prints=False)
def etl(sources: list[str], settings: Settings | None = None, requeue: str | None = None) -> dict[str, Any]:
    """Ingest the sources into the warehouse; returns the run summary.

    With `requeue` (a run id, or "*" for all runs), open quarantine rows from those sources are
    marked as re-processed by this run once it completes; rows that fail again are quarantined anew.
    """
    settings = settings or Settings.from_env()
    run_id, run_name = flow_run_identity()
    started = utc_now()
    counts = RunCounts()
    resolved = resolve_sources(sources, policy_from_settings(settings), parse_mapping(settings.column_map))
    total = estimate_records(resolved)
    settings = settings.for_input(total)
    run = Run(run_id, run_name, sources, counts, settings, started, total=total)
    lease = run_lease.take(run_id, settings.db_path)
    try:
        _ingest(resolved, run)
        summary = _complete(run, requeue)
    finally:
        lease.release()
    return summary


def _ingest(resolved: list[Any], run: Run) -> None:
    """Load what earlier runs staged, then stream the sources through the batches. A failure or an
    interrupt is recorded on the run's row (committed batches stay) and raised again."""
    logger, settings = get_run_logger(), run.settings
    try:
        run.locked = record_start(run)
        if run.locked is None:
            staged = load_staged(settings)
            if staged.articles:
                logger.info("loaded %d staged articles from earlier runs", staged.articles)
            for folder in staged.foreign or []:
                logger.warning("left alone, staged for another warehouse: %s", folder)
        tasks = BatchTasks(known_records=known_records, clean_articles=clean_articles,
                           unchanged_articles=unchanged_articles, nlp_annotations=nlp_annotations,
                           validate=validate, load=load)
        stream(batched(iter_records(resolved), settings.batch_size), run, tasks)
        if run.locked is not None:
            raise loader.WarehouseLocked(f"{run.locked}; {run.staged} batch(es) staged under "
                                         f"{settings.staging_root} for the next run")
    except (Exception, KeyboardInterrupt) as exc:
        record_failure(run, exc)
        raise


def _complete(run: Run, requeue: str | None) -> dict[str, Any]:
    """Summarise the finished run, render Data Docs, record it `completed` and publish artifacts."""
    settings, counts = run.settings, run.counts
    if counts.articles_new and run.dated < counts.articles_new:
        get_run_logger().warning(
            "%d of %d articles loaded (%.0f %%) have no publication date: their events count on no day "
            "(give JSONL/CSV dates in `published_at`, or map the column with --map published_at=COLUMN)",
            counts.articles_new - run.dated, counts.articles_new, 100 * (1 - run.dated / counts.articles_new))
    summary = summarize(settings.db_path, run.run_id, counts)
    summary["run"]["copies_annotated_once"] = run.reuse.copied
    with counts.timed("data_docs"):
        summary["data_docs"] = str(_data_docs_for(run))
    with counts.timed("report"):
        summary["report"] = html_report(settings)
    summary["run"]["seconds"] = {k: round(v, 3) for k, v in counts.seconds.items()}
    record_completed(run, requeue)
    publish_artifacts(summary, counts)
    return summary


# --- tasks, in the order a run uses them --------------------------------------------------------

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
        now=utc_now(),
        max_chars=settings.max_chars,
        default_tz=settings.default_published_tz,
    )


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
    return validate_batch(tables, now=utc_now(), context=_gx_project(settings))


@lru_cache(maxsize=4)
def _gx_project_at(root: Path):
    from expectations.gx_project import GxProject

    return GxProject(root)


def _gx_project(settings: Settings):
    """The file-backed GX project for this warehouse, opened once per process."""
    return _gx_project_at(settings.gx_root)


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


@task(name="data-docs")
def data_docs(settings: Settings) -> Path:
    """Rebuild Great Expectations' Data Docs (static HTML) for the run's validations."""
    return _gx_project(settings).build_data_docs()


def _data_docs_for(run: Run) -> Path:
    """Rebuild Data Docs when this run validated anything; an unchanged re-run keeps the last ones
    (rendering them costs seconds, and no result changed)."""
    from expectations.gx_project import local_docs_index

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

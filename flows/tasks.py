"""The Prefect tasks of the `dateline-etl` flow, in the order a run uses them.

Each wraps a pure function from `transforms/` or `expectations/`, or does one kind of I/O (the
warehouse, Great Expectations' project). A task handles a batch of articles, not one: a Prefect
task run has a fixed cost. `flows.batches` runs them for each batch; `flows.etl` runs the rest.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from prefect import get_run_logger, task

from dateline.settings import Settings
from flows.model import load_pipeline
from flows.run_record import Run, utc_now
from transforms.articles import (
    UNCHANGED_IF_SAME,
    ArticlesBatch,
    build_changed_articles,
    unchanged_ids,
)
from transforms.nlp import Annotations, annotate
from warehouse import loader, staging


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


def data_docs_for(run: Run) -> Path:
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

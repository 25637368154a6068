"""The main flow, `dateline-etl`: read sources → clean → annotate → validate → gate → load → publish.

The steps, in order (the Prefect tasks named are in `flows.tasks`):

1. read sources: `flows.sources` streams the records of files, folders, URLs and feeds, in batches;
   steps 2 to 6 then run per batch (`flows.batches`);
2. clean: records identical to loaded ones are skipped (`known_records`), the rest cleaned into
   articles (`clean_articles`); articles whose clean text is loaded skip NLP (`unchanged_articles`);
3. annotate: one spaCy pass per article, mentions, entities and events (`nlp_annotations`);
4. validate: Great Expectations suites split failing rows off with their reasons (`validate`);
5. gate: a batch with too large a share quarantined fails the run (`QualityGateFailed`);
6. load: one DuckDB transaction per batch, staged on disk if the file is locked (`load`);
7. publish, once: run summary, Data Docs (`data_docs`), HTML report (`html_report`), artifacts.

Batches stream from the sources to the load, so memory depends on the batch size, not the corpus.
Reading is not a task of its own: a source is streamed record by record, each fetch retries
itself, and what cannot be read becomes a quarantine row with its reason.

This module holds the flow and its two steps (`_ingest`, `_complete`); `flows.tasks` the tasks;
`flows.batches` the work of one batch (prepare → NLP → finish, the gate), in order;
`flows.run_record` the run's shared state, its counts and its `runs` row;
`flows.summary` the run summary and the Prefect artifacts.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow, get_run_logger

from dateline.settings import Settings
from flows import run_lease
from flows.batches import QUARANTINE_SCHEMA as QUARANTINE_SCHEMA  # re-exported
from flows.batches import batched, stream
from flows.batches import QualityGateFailed as QualityGateFailed  # re-exported
from flows.fetch import policy_from_settings
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
from flows.tasks import data_docs_for, html_report, load_staged
from transforms.columns import parse_mapping
from warehouse import loader


@flow(name="dateline-etl", log_prints=False)
def etl(sources: list[str], settings: Settings | None = None, requeue: str | None = None) -> dict[str, Any]:
    """Ingest the sources into the warehouse; returns the run summary.

    With `requeue` (a run id, or "*" for all runs), open quarantine rows from those sources are
    marked as re-processed by this run once it completes; rows that fail again are quarantined anew.
    """
    body_started = time.perf_counter()  # the CLI counts Prefect's start-up up to here
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
    summary["run"]["body_started"] = body_started
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
        stream(batched(iter_records(resolved), settings.batch_size), run)
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
        summary["data_docs"] = str(data_docs_for(run))
    with counts.timed("report"):
        summary["report"] = html_report(settings)
    summary["run"]["seconds"] = {k: round(v, 3) for k, v in counts.seconds.items()}
    record_completed(run, requeue)
    publish_artifacts(summary, counts)
    return summary

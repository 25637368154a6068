"""The work of one batch: prepare (clean, skip what is loaded) → NLP → finish (validate, gate, load).

`stream` runs the batches of a run in order, keeping a few NLP tasks in flight. The Prefect tasks
a batch runs are in `flows.tasks`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

import polars as pl
from prefect import get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact

from flows.reuse import Plan
from flows.run_record import Run, run_row, utc_now
from flows.tasks import clean_articles, known_records, load, nlp_annotations, unchanged_articles, validate
from flows.sources.base import SourceProblem
from transforms.articles import ArticlesBatch, record_fingerprints
from transforms.nlp import Annotations
from warehouse import loader, staging

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


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
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


@dataclass
class _Prepared:
    """A batch cleaned and checked against the warehouse, waiting for its NLP result."""

    n: int
    size: int
    problems: list[SourceProblem]
    cleaned: ArticlesBatch
    unchanged: set[str]  # cleaned, but the same clean text is loaded: NLP skipped
    todo: pl.DataFrame  # articles annotated in this batch: by NLP, or as copies (`plan`)
    plan: Plan
    skipped: int = 0  # articles whose records are identical to loaded ones: not even cleaned
    skipped_duplicates: int = 0  # further skipped records of the same articles


def _prepare(chunk: list[Any], n: int, run: Run) -> _Prepared:
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
    return _Prepared(n, len(chunk), problems, cleaned, unchanged, todo, run.reuse.plan(todo),
                     skipped=len(skipped_ids), skipped_duplicates=len(skipped) - len(skipped_ids))


def _finish(prep: _Prepared, ann: Annotations, run: Run) -> None:
    """Validate one annotated batch, apply the quality gate, and load it in one transaction."""
    logger = get_run_logger()
    counts, settings, now = run.counts, run.settings, utc_now()
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
        run=run_row(run.run_id, run.run_name, run.sources, counts, settings, "running", run.started),
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


def stream(batches: Iterable[list[Any]], run: Run) -> None:
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
            ann = future.result() if future is not None else Annotations.empty()
        ann = run.reuse.fill(prep.plan, ann).for_run(run.run_id)
        _finish(prep, ann, run)
        progress.advance(prep.size, ann.events.height)

    for n, chunk in enumerate(batches):
        prep = _prepare(chunk, n, run)
        # nothing to annotate (every article unchanged): no task run at all
        to_nlp = prep.plan.to_annotate
        inflight.append((prep, nlp_annotations.submit(to_nlp, run.settings) if to_nlp.height else None))
        while len(inflight) >= window:
            drain_one()
    while inflight:
        drain_one()
    progress.close()


class _Progress:
    """Progress of a run: a Prefect progress artifact (seen in the UI while the run goes) and,
    when asked, a rich progress bar on the terminal: records done of all, events so far, records
    per second and the time left, updated after each batch."""

    def __init__(self, total: int | None, terminal: bool):
        self.total, self.done, self.events = total, 0, 0
        self.artifact = create_progress_artifact(0.0, key="dateline-progress",
                                                 description="records processed") if total else None
        self.bar = None
        if terminal:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("dateline"), BarColumn(), MofNCompleteColumn(), TextColumn("records"),
                                TextColumn("{task.fields[events]} events"), _rate_column(), TimeRemainingColumn(),
                                transient=False)
            self.bar.start()
            self.task = self.bar.add_task("dateline", total=total, events=0)

    def advance(self, n: int, events: int = 0) -> None:
        self.done += n
        self.events += events
        if self.artifact is not None:
            update_progress_artifact(self.artifact, min(100.0, 100.0 * self.done / self.total))
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, events=self.events)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _rate_column():
    """A rich column of records per second (rich is imported only when a terminal bar is asked for)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        """Records per second, from rich's own moving estimate."""

        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f}/s" if task.speed else "–/s")

    return Rate()



def _with_sources(quarantine: pl.DataFrame, articles: pl.DataFrame) -> pl.DataFrame:
    """Attach each quarantined row's source (via its article) so `dateline requeue` can re-read it."""
    key = pl.col("record_key").str.split(":").list.first()
    return quarantine.with_columns(key.alias("_aid")).join(
        articles.select(pl.col("article_id").alias("_aid"), pl.col("source_path").alias("source")), on="_aid", how="left"
    ).drop("_aid")

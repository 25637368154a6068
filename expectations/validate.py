"""Validate one batch of warehouse rows with Great Expectations and split passed / quarantine.

One GX validation per table per batch: polars → pandas once (via Arrow; only the columns the suite
reads, plus `_row`), and `COMPLETE` results with `unexpected_index_column_names=["_row"]` name the
failing rows. Cross-table facts and memberships in big value sets are derived first
(`expectations.checks`). Failing rows go to quarantine with the names of the expectations they
failed; an article's mentions and events follow it there (`articles.parent_quarantined`), so
nothing is dropped silently.

GX's cost per run is mostly per expectation, not per row, so the suites keep value sets small and
GX gets narrow frames; see `expectations.suites`.

The GX project and its runners are in `expectations.gx_project`; reading GX's results back as
reasons is `expectations.results`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations import checks
from expectations.gx_project import GxProject, _GxRunner, default_runner
from expectations.results import ExpectationError, _json_default, _parse
from expectations.suites import (
    ENTITY_QUARANTINED,
    PARENT_QUARANTINED,
    TABLES,
    checks_for,
    gx_columns,
    membership_flags,
    suite_parameters,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

ROW = checks.ROW

QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "table_name": pl.String,
    "record_key": pl.String,
    "record": pl.String,
    "reasons": pl.List(pl.String),
}
RESULTS_SCHEMA: dict[str, pl.DataType] = {
    "suite": pl.String,
    "expectation": pl.String,
    "success": pl.Boolean,
    "element_count": pl.Int64,
    "unexpected_count": pl.Int64,
    "unexpected_percent": pl.Float64,
    "observed_value": pl.String,
}
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "mentions": ("article_id", "mention_idx"),
    "events": ("event_id",),
    "entities": ("entity_id",),
}


@dataclass
class BatchTables:
    articles: pl.DataFrame
    mentions: pl.DataFrame
    events: pl.DataFrame
    entities: pl.DataFrame

    def get(self, table: str) -> pl.DataFrame:
        return getattr(self, table)


@dataclass
class ValidationOutcome:
    passed: BatchTables
    quarantine: pl.DataFrame
    results: pl.DataFrame
    articles_in: int
    articles_quarantined: int

    @property
    def quarantined_share(self) -> float:
        """Share of input articles quarantined (0.0 for an empty batch); the flow alerts on it."""
        return self.articles_quarantined / self.articles_in if self.articles_in else 0.0


# --------------------------------------------------------------------------- quarantine


def _record_keys(table: str, frame: pl.DataFrame) -> list[str]:
    """record_key per row; a null key becomes "<null>", and a repeated key gets "@row<n>" so the
    quarantine primary key (run_id, table_name, record_key) still holds for duplicate rows."""
    cols = KEY_COLUMNS[table]
    seen: set[str] = set()
    keys: list[str] = []
    for i, values in enumerate(frame.select(cols).iter_rows()):
        key = ":".join("<null>" if v is None else str(v) for v in values)
        if key in seen or None in values:
            key = f"{key}@row{frame[ROW][i]}"
        seen.add(key)
        keys.append(key)
    return keys


def _quarantine_rows(table: str, original: pl.DataFrame, reasons: dict[int, list[str]]) -> pl.DataFrame:
    if not reasons:
        return pl.DataFrame(schema=QUARANTINE_SCHEMA)
    bad = checks.with_row_index(original).filter(pl.col(ROW).is_in(sorted(reasons)))
    records = [
        json.dumps(row, default=_json_default, ensure_ascii=False)
        for row in bad.drop(ROW).iter_rows(named=True)
    ]
    return pl.DataFrame(
        {
            "table_name": [table] * bad.height,
            "record_key": _record_keys(table, bad),
            "record": records,
            "reasons": [reasons[r] for r in bad[ROW].to_list()],
        },
        schema=QUARANTINE_SCHEMA,
    )


def _cascade(
    frame: pl.DataFrame, column: str, parents: set[str], reason: str, reasons: dict[int, list[str]]
) -> None:
    """Add `reason` to every row whose `column` points at a quarantined parent."""
    if not parents:
        return
    hits = frame.filter(pl.col(column).is_in(sorted(parents)).fill_null(False))[ROW].to_list()
    for r in hits:
        row_reasons = reasons.setdefault(r, [])
        if reason not in row_reasons:
            row_reasons.append(reason)


def _bad_keys(frame: pl.DataFrame, column: str, reasons: dict[int, list[str]]) -> set[str]:
    if not reasons:
        return set()
    return set(frame.filter(pl.col(ROW).is_in(sorted(reasons)))[column].drop_nulls().to_list())


# --------------------------------------------------------------------------- entry point


def _with_flags(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The table's membership flags (`expectations.suites._member`) added to its derived frame."""
    for check in checks_for(table):
        if check.source is not None and check.source not in frame.columns:
            # as GX reports a missing column: a code bug, not bad rows
            raise ExpectationError(f"{check.name}: column {check.source!r} is missing")
    return checks.with_membership_flags(frame, membership_flags(table))


def _gx_frame(table: str, frame: pl.DataFrame) -> "pd.DataFrame":
    """What GX validates: `_row` and the suite's columns (a missing one stays missing: GX reports it)."""
    present = set(frame.columns)
    return frame.select([ROW, *(c for c in gx_columns(table) if c in present and c != ROW)]).to_pandas()


def nothing_to_validate(tables: BatchTables) -> ValidationOutcome:
    """The outcome for a batch with no rows (every article unchanged): GX is not run for it."""
    return ValidationOutcome(
        passed=tables,
        quarantine=pl.DataFrame(schema=QUARANTINE_SCHEMA),
        results=pl.DataFrame(schema=RESULTS_SCHEMA),
        articles_in=0,
        articles_quarantined=0,
    )


def validate_batch(
    tables: BatchTables,
    *,
    now: dt.datetime,
    known_entity_ids: frozenset[str] = frozenset(),
    known_article_ids: frozenset[str] = frozenset(),
    context: GxProject | None = None,
) -> ValidationOutcome:
    """Validate a batch: one GX run per table, failing rows (and their dependants) quarantined.

    `known_*_ids` are ids already in the warehouse, so a mention may point at an entity or article
    loaded by an earlier run. `context` is a GxProject to store results in; default: a cached
    ephemeral context.
    """
    runner: _GxRunner = context if context is not None else default_runner()
    parameters = suite_parameters(now)
    derived: dict[str, pl.DataFrame] = {
        "articles": checks.with_row_index(tables.articles),
        "mentions": checks.mention_checks(
            tables.mentions,
            tables.articles,
            tables.entities,
            known_article_ids=known_article_ids,
            known_entity_ids=known_entity_ids,
        ),
        "events": checks.event_checks(tables.events, tables.articles, known_article_ids=known_article_ids),
        "entities": checks.with_row_index(tables.entities),
    }
    derived = {table: _with_flags(table, frame) for table, frame in derived.items()}

    result_rows: list[dict[str, Any]] = []
    failed: dict[str, dict[int, list[str]]] = {}
    for table in TABLES:
        validation = runner.run(table, _gx_frame(table, derived[table]), parameters)
        rows, failed[table] = _parse(table, validation, derived[table])
        result_rows.extend(rows)

    bad_articles = _bad_keys(derived["articles"], "article_id", failed["articles"])
    bad_entities = _bad_keys(derived["entities"], "entity_id", failed["entities"])
    for table in ("mentions", "events"):
        _cascade(derived[table], "article_id", bad_articles, PARENT_QUARANTINED, failed[table])
    _cascade(derived["mentions"], "entity_id", bad_entities, ENTITY_QUARANTINED, failed["mentions"])

    passed: dict[str, pl.DataFrame] = {}
    quarantined: list[pl.DataFrame] = []
    for table in TABLES:
        original = tables.get(table)
        keep = checks.with_row_index(original).filter(~pl.col(ROW).is_in(sorted(failed[table])))
        passed[table] = keep.drop(ROW)
        quarantined.append(_quarantine_rows(table, original, failed[table]))

    return ValidationOutcome(
        passed=BatchTables(**passed),
        quarantine=pl.concat(quarantined, how="vertical"),
        results=pl.DataFrame(result_rows, schema=RESULTS_SCHEMA),
        articles_in=tables.articles.height,
        articles_quarantined=len(failed["articles"]),
    )

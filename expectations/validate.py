"""Validate one batch of warehouse rows with Great Expectations and split passed / quarantine.

One GX validation per table per batch: polars → pandas once (via Arrow; only the columns the suite
reads, plus `_row`), and `COMPLETE` results with `unexpected_index_column_names=["_row"]` name the
failing rows. Cross-table facts and memberships in big value sets are derived first
(`expectations.checks`). Failing rows go to quarantine with the names of the expectations they
failed; an article's mentions and events follow it there (`articles.parent_quarantined`), so
nothing is dropped silently.

GX's cost per run is mostly fixed (~15 ms per expectation, whatever the row count), so the suites
keep value sets small and GX gets narrow frames; see `expectations.suites`.

Great Expectations is imported inside functions only: importing it costs seconds and the CLI's
`--help` must stay fast.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations import checks
from expectations.docs_offline import localize_site
from expectations.suites import (
    ENTITY_QUARANTINED,
    PARENT_QUARANTINED,
    TABLES,
    Check,
    build_suite,
    checks_for,
    gx_columns,
    membership_flags,
    suite_parameters,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

ROW = checks.ROW
DATASOURCE = "dateline"
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW],
    # The pandas "query" is a `df.filter(items=[...])` string of the same row list; not read here,
    # and GX filters the whole frame once more per expectation to build it.
    "return_unexpected_index_query": False,
}

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


class ExpectationError(RuntimeError):
    """An expectation could not be evaluated (a bug, not bad data): fail loudly rather than pass rows."""


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


# --------------------------------------------------------------------------- GX runners


class _GxRunner:
    """A GX context set up once with one pandas asset, batch definition and suite per table.

    The GX import (5-10 s) and setup are paid once per process and reused. GX's
    execution engine keeps one "active batch" per datasource, so runs are serialised by a lock
    (Prefect may call from several threads).
    """

    def __init__(self, context: Any) -> None:
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = context
        # tqdm bars on stderr per validation are noise in flow logs.
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        self._lock = threading.Lock()
        self.batch_definitions: dict[str, Any] = {}
        self.suites: dict[str, Any] = {}
        datasource = self._datasource()
        for table in TABLES:
            asset = self._asset(datasource, table)
            self.batch_definitions[table] = self._batch_definition(asset, table)
            self.suites[table] = context.suites.add_or_update(build_suite(table))

    def _datasource(self) -> Any:
        try:
            return self.context.data_sources.get(DATASOURCE)
        except (KeyError, ValueError, LookupError):
            return self.context.data_sources.add_pandas(DATASOURCE)

    @staticmethod
    def _asset(datasource: Any, table: str) -> Any:
        try:
            return datasource.get_asset(table)
        except LookupError:
            return datasource.add_dataframe_asset(table)

    @staticmethod
    def _batch_definition(asset: Any, table: str) -> Any:
        try:
            return asset.get_batch_definition(table)
        except (KeyError, LookupError):
            return asset.add_batch_definition_whole_dataframe(table)

    def run(self, table: str, frame: "pd.DataFrame", parameters: dict[str, Any]) -> Any:
        """Validate one table's frame against its suite; returns the suite validation result."""
        with self._lock:
            batch = self.batch_definitions[table].get_batch(batch_parameters={"dataframe": frame})
            return batch.validate(
                self.suites[table], result_format=RESULT_FORMAT, expectation_parameters=parameters
            )


DOCS_SITE_DIR = Path("uncommitted") / "data_docs" / "local_site"
"""GX's default local Data Docs site, relative to the GX directory (root/gx)."""
DOCS_INDEX_RESULTS = 200
"""Validation results listed on the Data Docs index, newest first (50 batches of 4 tables); older
pages stay on disk and in `dq_results`."""


def local_docs_index(root: Path) -> Path:
    """Where the Data Docs of the GX project under `root` start (GX keeps its files in root/gx)."""
    return Path(root) / "gx" / DOCS_SITE_DIR / "index.html"


class GxProject(_GxRunner):
    """A file-backed GX project under `root`: suites saved as JSON, results stored, Data Docs.

    Suites come from code (`expectations.suites`) and overwrite what is on disk on open, so the
    JSON is a readable copy, never the source of truth.
    """

    def __init__(self, root: str | Path) -> None:
        import great_expectations as gx

        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._project_lock():
            super().__init__(gx.get_context(mode="file", project_root_dir=str(self.root)))
            self._limit_docs_index(DOCS_INDEX_RESULTS)
            self.context.variables.save()
            self.validation_definitions: dict[str, Any] = {
                table: self._validation_definition(table) for table in TABLES
            }

    @contextmanager
    def _project_lock(self):
        """Hold the project's lock file: GX's file stores are not safe across processes, so two
        runs on one warehouse take turns at opening the project, validating and rendering docs."""
        with open(self.root / ".dateline-gx.lock", "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _reload(self) -> None:
        """Read the suites and validation definitions back from the project: another process
        opening it saved them again, and GX refuses to run with the copies this one holds."""
        for table in TABLES:
            self.suites[table] = self.context.suites.get(self.suites[table].name)
            self.validation_definitions[table] = self.context.validation_definitions.get(f"dateline_{table}")

    def _validation_definition(self, table: str) -> Any:
        import great_expectations as gx

        name = f"dateline_{table}"
        try:
            self.context.validation_definitions.delete(name)  # may point at a replaced suite
        except Exception:  # noqa: BLE001 - absent on first open; GX raises various types
            pass
        return self.context.validation_definitions.add(
            gx.ValidationDefinition(
                name=name, data=self.batch_definitions[table], suite=self.suites[table]
            )
        )

    def run(self, table: str, frame: "pd.DataFrame", parameters: dict[str, Any]) -> Any:
        """Like the ephemeral run, but through a ValidationDefinition so the result is stored."""
        from great_expectations.exceptions import ValidationDefinitionRelatedResourcesFreshnessError

        with self._lock, self._project_lock():
            try:
                return self._run_stored(table, frame, parameters)
            except ValidationDefinitionRelatedResourcesFreshnessError:
                self._reload()
                return self._run_stored(table, frame, parameters)

    def _run_stored(self, table: str, frame: "pd.DataFrame", parameters: dict[str, Any]) -> Any:
        return self.validation_definitions[table].run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format=RESULT_FORMAT,
        )

    @property
    def gx_dir(self) -> Path:
        return Path(self.context.root_directory)

    def _limit_docs_index(self, results: int) -> None:
        """List only the newest `results` validation results on the Data Docs index: GX reads every
        result it lists, so an unlimited index gets slower with every run ever made."""
        sites = dict(self.context.variables.data_docs_sites or {})
        for name, site in sites.items():
            builder = dict(site.get("site_index_builder") or {"class_name": "DefaultSiteIndexBuilder"})
            builder["validation_results_limit"] = results
            sites[name] = {**site, "site_index_builder": builder}
        self.context.variables.data_docs_sites = sites

    def results_without_pages(self) -> list[Any]:
        """The newest stored validation results that have no Data Docs page yet (this run's, and
        any left by a run that stopped before its docs were built)."""
        site = local_docs_index(self.root).parent / "validations"
        newest = sorted(self.context.validation_results_store.list_keys(),
                        key=lambda key: key.run_id.run_time, reverse=True)[:DOCS_INDEX_RESULTS]
        missing = []
        for key in newest:  # GX renders at most the newest DOCS_INDEX_RESULTS; older ones never get a page
            *folders, name = key.to_tuple()
            if not site.joinpath(*folders, f"{name}.html").exists():
                missing.append(key)
        return missing

    def build_data_docs(self) -> Path:
        """Render Data Docs; returns the local index.html.

        The first build renders everything. Later builds render only the results without a page
        (plus the suites, rewritten on open) and the index, so a build costs what the run added,
        not the warehouse's whole history: a full build renders every stored result again
        (~35 ms each here; an hourly schedule stores ~100 a day).
        """
        index = local_docs_index(self.root)
        with self._lock, self._project_lock():
            started = time.time() - 1.0  # file times may be coarser than the clock
            if not index.exists():
                self.context.build_data_docs()
            else:
                from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

                suites = [ExpectationSuiteIdentifier(name=suite.name) for suite in self.suites.values()]
                self.context.build_data_docs(resource_identifiers=self.results_without_pages() + suites)
            if index.exists():
                localize_site(index.parent, since=started)
        if not index.exists():  # pragma: no cover - a custom site config
            urls = [s["site_url"] for s in self.context.get_docs_sites_urls() if s.get("site_url")]
            if urls and urls[0].startswith("file://"):
                return Path(urls[0].removeprefix("file://"))
        return index


_EPHEMERAL: _GxRunner | None = None
_EPHEMERAL_LOCK = threading.Lock()


def default_runner() -> _GxRunner:
    """The per-process ephemeral runner (created on first use)."""
    global _EPHEMERAL
    with _EPHEMERAL_LOCK:
        if _EPHEMERAL is None:
            import great_expectations as gx

            _EPHEMERAL = _GxRunner(gx.get_context(mode="ephemeral"))
        return _EPHEMERAL


# --------------------------------------------------------------------------- result parsing


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return str(value)


def _observed(result: dict[str, Any]) -> str | None:
    """observed_value if GX gives one, else the commonest unexpected values (map expectations)."""
    if result.get("observed_value") is not None:
        return json.dumps(result["observed_value"], default=_json_default, ensure_ascii=False)
    counts = result.get("partial_unexpected_counts")
    if counts:
        top = [{"value": c.get("value"), "count": c.get("count")} for c in counts[:5]]
        return json.dumps(top, default=_json_default, ensure_ascii=False)
    return None


def _exception_message(info: Any) -> str | None:
    """GX reports errors flat ({raised_exception, ...}) or per metric ({metric_id: {...}})."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _source_counts(frame: pl.DataFrame, check: Check, rows: set[int]) -> str | None:
    """observed_value of a membership check: the commonest offending values of its source column,
    as GX would report them had it tested the column itself (not the derived flag)."""
    if not rows:
        return None
    counts = (
        frame.filter(pl.col(ROW).is_in(sorted(rows)))
        .get_column(check.source)
        .value_counts(name="count")
        .sort(["count", check.source], descending=[True, False])
        .head(5)
    )
    top = [{"value": v, "count": n} for v, n in counts.iter_rows()]
    return json.dumps(top, default=_json_default, ensure_ascii=False)


def _parse(
    table: str, validation: Any, frame: pl.DataFrame
) -> tuple[list[dict[str, Any]], dict[int, list[str]]]:
    """Result rows and {row index: [failed expectation names]} from one suite validation result.

    `frame` is the derived frame GX validated (a superset of its columns): membership checks report
    their source column's non-null share and values, as when GX tested that column directly.
    """
    suite = checks_for(table)
    order = {c.name: i for i, c in enumerate(suite)}
    by_name = {c.name: c for c in suite}
    rows: list[dict[str, Any]] = []
    failed: dict[int, list[str]] = {}
    for er in validation.results:
        config = er.expectation_config
        name = (config.meta or {}).get("name") or f"{table}.{config.type}"
        error = _exception_message(er.exception_info)
        if error is not None:
            raise ExpectationError(f"{name}: {error}")
        result = dict(er.result or {})
        unexpected = int(result.get("unexpected_count") or 0)
        index_list = result.get("unexpected_index_list") or []
        bad_rows = {int(item[ROW]) for item in index_list}
        if not er.success and not bad_rows:
            raise ExpectationError(f"{name} failed but GX named no rows")
        if len(bad_rows) < unexpected:  # GX must not lose rows (e.g. to nulls)
            raise ExpectationError(f"{name}: {unexpected} unexpected but {len(bad_rows)} rows named")
        for r in bad_rows:
            failed.setdefault(r, []).append(name)
        percent = result.get("unexpected_percent")
        observed = _observed(result)
        check = by_name.get(name)
        if check is not None and check.source is not None:
            non_null = frame.height - frame.get_column(check.source).null_count()
            percent = 100.0 * unexpected / non_null if non_null else None
            observed = _source_counts(frame, check, bad_rows)
        rows.append(
            {
                "suite": table,
                "expectation": name,
                "success": bool(er.success),
                "element_count": int(result.get("element_count") or 0),
                "unexpected_count": unexpected,
                "unexpected_percent": float(percent) if percent is not None else 0.0,
                "observed_value": observed,
            }
        )
    rows.sort(key=lambda r: order.get(r["expectation"], len(order)))
    for reasons in failed.values():
        reasons.sort(key=lambda n: order.get(n, len(order)))
    return rows, failed


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

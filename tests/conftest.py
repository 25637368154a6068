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
# A developer's `dateline ui` on its default port would otherwise receive the tests' runs
os.environ.setdefault("DATELINE_UI_PORT", "0")


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


# Test tiers, so a change can be checked at the speed it needs: `make test-fast` runs `unit`
# (pure transforms, the warehouse and GX on small inputs, local HTTP: under 2 minutes), `make test`
# runs every tier (CI). A test marked with a tier itself keeps it; the others take their file's.
TIERS = ("unit", "flow", "reliability", "server")
FILE_TIERS = {
    # whole Prefect flow runs, in-process or as `dateline run`
    "test_bad_input.py": "flow", "test_dask.py": "flow", "test_flow.py": "flow",
    "test_flow_sources.py": "flow", "test_nlp_pool.py": "flow", "test_quality_gate.py": "flow",
    "test_rerun.py": "flow",
    # kills, interrupts, concurrent runs, identity properties across warehouses
    "test_reliability.py": "reliability", "test_trust.py": "reliability",
    # a real Prefect server, or headless Chromium on a page the product serves
    "test_prefect_server.py": "server", "test_report.py": "server",
}


def pytest_configure(config) -> None:
    for tier in TIERS:
        config.addinivalue_line("markers", f"{tier}: the {tier} tier (see tests/conftest.py TIERS)")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        own = [m.name for m in item.iter_markers() if m.name in TIERS]
        if len(own) > 1:
            raise pytest.UsageError(f"{item.nodeid}: one tier per test, got {own}")
        if not own:
            item.add_marker(getattr(pytest.mark, FILE_TIERS.get(item.path.name, "unit")))

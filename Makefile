# Dateline: `make run` builds the environment from uv.lock and runs the flow on samples/;
# `make test` runs the whole test suite (CI calls exactly this).
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: run test test-fast sync bench clean-db ui browser

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

sync: $(VENV)/.synced

run: $(VENV)/.synced
	$(VENV)/bin/dateline run samples/

test: $(VENV)/.synced browser
	$(VENV)/bin/python -m pytest

# The unit tier only (no whole flow runs, kills or servers), on every core (pytest-xdist): under
# 2 minutes. Also `-m flow`, `-m reliability`, `-m server` (tiers in tests/conftest.py). `make test`
# stays on one process: the reliability tier times waits and kills, which other workers would skew.
test-fast: $(VENV)/.synced
	$(VENV)/bin/python -m pytest -m unit -n auto

# The UI test drives Debian's chromium headless; install it when missing (needs root/apt).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
	  || echo "warning: could not install chromium: the Prefect UI browser test will fail"

ui: $(VENV)/.synced
	$(VENV)/bin/dateline ui

bench: $(VENV)/.synced
	$(VENV)/bin/python benchmarks/throughput.py --limit 500

clean-db:
	rm -rf warehouse/dateline.duckdb warehouse/dateline.duckdb.wal warehouse/dateline.duckdb.staging warehouse/dateline.duckdb.gx

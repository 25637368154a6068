"""`dateline serve`: the ETL flow as a long-running scheduled deployment.

Chosen: `flow.serve` rather than `prefect.yaml` + a process work pool. Dateline is one flow on
one machine next to one DuckDB file; `serve` needs no work pool or worker to operate, starts
with one command, and still shows schedules, runs, logs and artifacts in the UI. A deployment
concurrency limit of 1 makes an overlapping scheduled run wait instead of writing the file
alongside the one in progress.
"""

from __future__ import annotations

from dateline.settings import Schedule, Settings


def serve(settings: Settings, schedule: Schedule) -> None:
    """Register the deployment with its cron schedule and run scheduled flow runs until stopped."""
    from flows.etl import etl

    etl.serve(
        name=schedule.name,
        cron=schedule.cron,
        parameters={"sources": list(schedule.sources), "settings": _settings_parameter(settings)},
        global_limit=1,
        tags=["dateline"],
        description="Dateline ETL over the configured sources (see dateline.toml).",
        version=settings.pipeline_version,
    )


def _settings_parameter(settings: Settings) -> dict:
    """Settings as plain JSON for the deployment's parameters (visible in the UI: no secrets)."""
    return {k: (str(v) if v is not None and not isinstance(v, (int, float, bool, str)) else v)
            for k, v in settings.model_dump().items()}

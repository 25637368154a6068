"""Task runners: Prefect's default threads, or a Dask cluster for the NLP stage."""

from __future__ import annotations

from dateline.settings import Settings


def task_runner(settings: Settings):
    """The task runner the settings ask for; Dask uses one thread per worker process.

    Each Dask worker is its own process, so the spaCy model loads once per worker (cached by
    `flows.model.load_pipeline`) and is reused by every batch that worker receives.
    """
    if settings.task_runner == "thread":
        from prefect.task_runners import ThreadPoolTaskRunner

        # sized for the largest pool the run may pick (settings.for_input decides once it knows the input)
        return ThreadPoolTaskRunner(max_workers=max(2, settings.for_input(settings.pool_min_articles).nlp_window))
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            return DaskTaskRunner(address=settings.dask_address)
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={"n_workers": settings.dask_workers, "threads_per_worker": 1,
                            "processes": True, "dashboard_address": None},
        )
    raise ValueError(f"unknown task runner {settings.task_runner!r}; use 'thread' or 'dask'")

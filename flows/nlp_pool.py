"""NLP on several processes: a pool of worker processes, each loading the spaCy model once.

spaCy's own `nlp.pipe(n_process=N)` starts N fresh processes (and loads the model N times) on
every call, i.e. once per batch; a pool started once per Dateline process pays that once, and a
long-running `dateline serve` pays it once for all its runs. Workers are spawned, not forked:
the parent runs Prefect's threads, and forking a threaded process can deadlock.

Each worker runs its BLAS (numpy's OpenBLAS, used by thinc's matmuls) on one thread by default:
with one thread per core already busy, BLAS's extra threads only compete for the same cores
(benchmarks/RESULTS.md, defaults).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import polars as pl

from dateline.settings import PipelineSpec, Settings
from transforms.nlp import Annotations, entities_from

_POOLS: dict[tuple[PipelineSpec, int, int], ProcessPoolExecutor] = {}
_LOCK = threading.Lock()


def _warm(spec: PipelineSpec, blas_threads: int) -> None:
    """Worker initializer: follow the parent out, cap BLAS threads, and load the model before the
    first batch arrives."""
    from flows.model import load_pipeline

    _exit_with_parent()
    if blas_threads > 0:
        import numpy  # noqa: F401 - threadpoolctl limits only the BLAS libraries already loaded
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=blas_threads, user_api="blas")  # for the life of the worker
    load_pipeline(*spec)


def _exit_with_parent(poll_s: float = 1.0) -> None:
    """End this worker when the process that started it is gone. A `dateline run` killed outright
    (SIGKILL, the OOM killer) cannot stop its pool, and a worker left behind keeps its model's
    memory for good; the kernel re-parents it, which a small thread notices."""
    import os

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="dateline-parent-watch", daemon=True).start()


def blas_threads() -> list[int]:
    """Thread counts of the BLAS libraries loaded in this process (what a worker runs with)."""
    from threadpoolctl import threadpool_info

    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def annotate_batch(articles: pl.DataFrame, spec: PipelineSpec, pipeline_version: str,
                   nlp_batch_size: int) -> Annotations:
    """Annotate one batch in this process with its cached pipeline (runs inside a worker)."""
    from flows.model import load_pipeline
    from transforms.nlp import annotate

    nlp = load_pipeline(*spec)
    return annotate(nlp, articles, run_id="", pipeline_version=pipeline_version,
                    batch_size=nlp_batch_size, n_process=1)


def _key(settings: Settings) -> tuple[PipelineSpec, int, int]:
    """One pool per pipeline (model and options), size and BLAS threads."""
    return settings.pipeline_spec, settings.n_process, settings.worker_blas_threads


def pool_for(settings: Settings) -> ProcessPoolExecutor:
    """The running pool for these settings (started on first use, kept for the process)."""
    key = _key(settings)
    with _LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = ProcessPoolExecutor(
                max_workers=settings.n_process,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm,
                initargs=(settings.pipeline_spec, settings.worker_blas_threads),
            )
            _POOLS[key] = pool
        return pool


def _discard(settings: Settings, pool: ProcessPoolExecutor) -> None:
    with _LOCK:
        if _POOLS.get(_key(settings)) is pool:
            del _POOLS[_key(settings)]
    pool.shutdown(wait=False, cancel_futures=True)


def _slices(articles: pl.DataFrame, parts: int) -> list[pl.DataFrame]:
    """Up to `parts` contiguous slices of similar text length, so every worker gets a share."""
    if articles.height <= 1 or parts <= 1:
        return [articles]
    lengths = articles["text"].str.len_chars().cum_sum()
    bounds = [int((lengths <= lengths[-1] * k / parts).sum()) for k in range(1, parts)]
    edges = sorted({0, *bounds, articles.height})
    return [articles.slice(a, b - a) for a, b in zip(edges, edges[1:]) if b > a]


def merge(parts: list[Annotations]) -> Annotations:
    """One batch's annotations from its slices, in input order: an entity seen in two slices once,
    with the country the whole batch in one process would give it."""
    if len(parts) == 1:
        return parts[0]
    sightings = pl.concat([p.sightings for p in parts])  # slices are contiguous: article order kept
    return Annotations(
        mentions=pl.concat([p.mentions for p in parts]),
        entities=entities_from(sightings),
        events=pl.concat([p.events for p in parts]),
        failed=tuple(f for p in parts for f in p.failed),
        sightings=sightings,
    )


def slice_count(height: int, settings: Settings) -> int:
    """How many slices a batch goes to the pool in: at least one per worker, and about one per
    `pool_slice_articles` articles (0: one per worker, the batch split once).

    Workers take slices from one queue, so the last slice of a run is what one worker may still
    be busy with while the other has nothing left. With one slice per worker that tail is half a
    batch; with ~8 slices it is an eighth. Slices
    balance text length, so a slice holds about 1/count of the batch's text, not exactly 32
    articles.
    """
    if settings.pool_slice_articles <= 0:
        return settings.n_process
    return max(settings.n_process, -(-height // settings.pool_slice_articles))


def annotate_in_pool(articles: pl.DataFrame, settings: Settings) -> Annotations:
    """Annotate a batch on the pool's workers (split into slices they share); blocks until done.

    A worker that dies (killed, out of memory) breaks the whole pool: it is replaced and the
    batch tried once more, so one lost worker costs a retry, not the run.
    """
    extra = (settings.pipeline_spec, settings.pipeline_version, settings.nlp_batch_size)
    parts = _slices(articles, slice_count(articles.height, settings))

    def on(pool: ProcessPoolExecutor) -> Annotations:
        return merge([f.result() for f in [pool.submit(annotate_batch, part, *extra) for part in parts]])

    pool = pool_for(settings)
    try:
        return on(pool)
    except BrokenProcessPool:
        _discard(settings, pool)
    return on(pool_for(settings))  # a fresh pool; a second failure is raised


def shutdown_pools() -> None:
    """Stop every worker (tests, and a clean exit of a long-running process)."""
    with _LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)

"""NLP on two worker processes gives the same warehouse as one process, and survives a killed worker."""

from __future__ import annotations

import os
import signal

import pytest

from helpers import query as q
from helpers import write_jsonl

TEXTS = [
    "President Emmanuel Macron met Chancellor Olaf Scholz in Berlin on Tuesday to discuss energy prices.",
    "Russian forces shelled the city of Kharkiv overnight, Ukrainian officials said on Monday.",
    "The United Nations called for a ceasefire in Sudan after fighting spread to Khartoum.",
    "China and Japan agreed to resume talks on maritime security, officials in Tokyo said.",
    "Kenyan police arrested 12 protesters in Nairobi on Thursday, a spokesman said.",
    "Israel and Hamas exchanged fire near Gaza as Egypt tried to mediate a truce.",
]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pool")
    rows = [{"url": f"https://news.example.org/{i}", "published_at": "2024-05-0%d" % (i + 1), "text": t}
            for i, t in enumerate(TEXTS)]
    return write_jsonl(folder / "in.jsonl", rows)


def _tables(db):
    return {
        "articles": q(db, "select article_id, content_hash from articles order by 1"),
        "mentions": q(db, "select article_id, mention_idx, entity_id, label, start_char from mentions order by 1, 2"),
        "events": q(db, "select event_id, event_type, actor1_country, actor2_country from events order by 1"),
    }


def test_two_processes_load_what_one_process_loads(source, tmp_path):
    from dateline.settings import Settings
    from flows.etl import etl
    from flows.nlp_pool import shutdown_pools
    from flows.runners import task_runner

    results = {}
    try:
        for n in (1, 2):
            db = tmp_path / f"p{n}" / "dateline.duckdb"
            settings = Settings(db_path=db, batch_size=2, n_process=n, pipeline_version=f"pool-test-{n}")
            etl.with_options(task_runner=task_runner(settings))([str(source)], settings)
            results[n] = _tables(db)
    finally:
        shutdown_pools()
    assert len(results[1]["articles"]) == len(TEXTS)
    assert results[1]["mentions"] and results[1]["events"]
    assert results[1] == results[2]


def test_a_killed_worker_costs_a_retry_not_the_batch(tmp_path):
    import polars as pl

    from dateline.settings import Settings
    from flows import nlp_pool
    from transforms.articles import build_articles

    import datetime as dt

    settings = Settings(db_path=tmp_path / "x.duckdb", n_process=2)
    batch = build_articles([{"text": t, "source_key": f"k{i}"} for i, t in enumerate(TEXTS)], run_id="r",
                           pipeline_version="v", now=dt.datetime.now(dt.timezone.utc))
    try:
        first = nlp_pool.annotate_in_pool(batch.articles, settings)
        pool = nlp_pool.pool_for(settings)
        for pid in list(pool._processes):  # a worker killed from outside (OOM killer, operator)
            os.kill(pid, signal.SIGKILL)
        again = nlp_pool.annotate_in_pool(batch.articles, settings)
        assert nlp_pool.pool_for(settings) is not pool
    finally:
        nlp_pool.shutdown_pools()
    assert first.mentions.height > 0
    assert first.mentions.equals(again.mentions) and first.events.equals(again.events)
    assert isinstance(again.mentions, pl.DataFrame)


def test_slices_cover_the_batch_in_order_and_balance_text_length():
    import polars as pl

    from flows.nlp_pool import _slices

    frame = pl.DataFrame({"article_id": [str(i) for i in range(7)], "text": ["x" * n for n in (50, 50, 50, 50, 10, 10, 400)]})
    parts = _slices(frame, 2)
    assert pl.concat(parts)["article_id"].to_list() == frame["article_id"].to_list()
    assert len(parts) == 2 and parts[1]["article_id"].to_list() == ["6"]  # the long text alone
    assert [p.height for p in _slices(frame.head(1), 4)] == [1]
    assert sum(p.height for p in _slices(frame, 10)) == 7


def test_slice_count_gives_every_worker_a_share_in_small_slices():
    from dateline.settings import Settings
    from flows.nlp_pool import slice_count

    settings = Settings(n_process=2, pool_slice_articles=32)
    assert slice_count(256, settings) == 8  # small slices: the run's tail is one short slice
    assert slice_count(33, settings) == 2
    assert slice_count(3, settings) == 2  # never fewer slices than workers
    assert slice_count(256, settings.replace(pool_slice_articles=0)) == 2  # 0: one slice per worker


def test_a_batch_in_many_slices_gives_what_one_process_gives(tmp_path):
    """Slices are merged back in input order, an entity met in several slices once."""
    import datetime as dt

    from dateline.settings import Settings
    from flows import nlp_pool
    from flows.model import load_pipeline
    from transforms.articles import build_articles
    from transforms.nlp import annotate

    settings = Settings(db_path=tmp_path / "x.duckdb", n_process=2, pool_slice_articles=1)
    texts = TEXTS + ["Emmanuel Macron flew from Berlin to Kharkiv.", "Olaf Scholz spoke in Tokyo about China."]
    batch = build_articles([{"text": t, "source_key": f"k{i}"} for i, t in enumerate(texts)], run_id="r",
                           pipeline_version="v", now=dt.datetime.now(dt.timezone.utc))
    try:
        pooled = nlp_pool.annotate_in_pool(batch.articles, settings)
    finally:
        nlp_pool.shutdown_pools()
    local = annotate(load_pipeline(*settings.pipeline_spec), batch.articles, run_id="",
                     pipeline_version=settings.pipeline_version)
    assert pooled.mentions.height > len(texts)
    assert pooled.entities["entity_id"].is_unique().all()
    assert pooled.mentions.equals(local.mentions)
    assert pooled.events.equals(local.events)
    assert pooled.entities.sort("entity_id").equals(local.entities.sort("entity_id"))


def test_workers_run_blas_on_the_threads_configured(tmp_path, monkeypatch):
    """Workers cap BLAS at `worker_blas_threads` (one by default: a core each is all they have);
    0 leaves what the environment gives. The environment asks for 2 here, so both can fail (a
    Dask cluster started earlier in the same process leaves OPENBLAS_NUM_THREADS=1 behind)."""
    from dateline.settings import Settings
    from flows import nlp_pool

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    one = Settings(db_path=tmp_path / "x.duckdb", n_process=2)
    default = one.replace(worker_blas_threads=0)
    assert nlp_pool._key(one) != nlp_pool._key(default)  # a pool per setting, never a reused one
    try:
        capped = nlp_pool.pool_for(one).submit(nlp_pool.blas_threads).result()
        uncapped = nlp_pool.pool_for(default).submit(nlp_pool.blas_threads).result()
    finally:
        nlp_pool.shutdown_pools()
    assert capped == [1]
    assert uncapped == [2]


def test_the_default_uses_every_usable_core_for_a_large_input_and_one_for_a_small_one():
    from dateline.settings import Settings, usable_cores

    auto = Settings()
    assert auto.n_process == 0  # decided per run
    assert auto.for_input(auto.pool_min_articles).n_process == usable_cores()
    assert auto.for_input(auto.pool_min_articles - 1).n_process == 1
    assert auto.for_input(None).n_process == 1  # feeds and URL lists: not known in advance, small
    assert auto.replace(task_runner="dask").for_input(10_000).n_process == 1  # Dask workers are the processes
    assert auto.replace(n_process=3).for_input(1).n_process == 3  # a setting is kept


def test_pool_workers_end_when_their_process_is_killed(tmp_path):
    """A run killed outright (SIGKILL) cannot stop its pool: its workers notice and end."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = ("import sys, time\n"
              "from dateline.settings import Settings\n"
              "from flows.nlp_pool import blas_threads, pool_for\n"
              "pool = pool_for(Settings(n_process=2, model=sys.argv[1]))\n"
              "pool.submit(blas_threads).result()  # the workers are up\n"
              "print(' '.join(map(str, pool._processes)), flush=True)\n"
              "time.sleep(120)\n")
    from conftest import ROOT
    from dateline.settings import Settings

    proc = subprocess.Popen([sys.executable, "-c", script, Settings().model], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    workers = [int(p) for p in proc.stdout.readline().split()]
    assert workers  # started on demand: one at least
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.5)
        alive = [w for w in workers if os.path.exists(f"/proc/{w}") and "zombie" not in open(f"/proc/{w}/status").read().lower()]
    assert alive == [], f"pool workers left running after their process was killed: {alive}"

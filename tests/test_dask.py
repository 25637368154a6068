"""Scale-out: the NLP stage on a local Dask cluster of 2 workers gives the same rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from conftest import SAMPLES


def _rows(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "articles": con.execute("select article_id, content_hash from articles order by 1").fetchall(),
            "mentions": con.execute("select article_id, mention_idx, entity_id, start_char from mentions order by 1, 2").fetchall(),
            "events": con.execute("select event_id, event_type, actor1_country, actor2_country from events order by 1").fetchall(),
        }
    finally:
        con.close()


def test_dask_local_cluster_matches_default_runner(tmp_path, corpora):
    from dateline.settings import Settings
    from flows.etl import etl
    from flows.runners import task_runner

    src = tmp_path / "in"
    (src / "bbc").mkdir(parents=True)
    for f in sorted((corpora / "articles" / "bbc_news" / "bbc" / "politics").glob("*.txt"))[:30]:
        shutil.copy(f, src / "bbc" / f.name)
    shutil.copy(SAMPLES / "seed.jsonl", src / "seed.jsonl")

    results = {}
    for runner in ("thread", "dask"):
        db = tmp_path / runner / "dateline.duckdb"
        settings = Settings(db_path=db, batch_size=8, task_runner=runner, dask_workers=2,
                            nlp_inflight=2 if runner == "dask" else 1)
        summary = etl.with_options(task_runner=task_runner(settings))([str(src)], settings)
        assert summary["run"]["articles_new"] == 31
        results[runner] = _rows(db)
    assert results["dask"] == results["thread"]
    assert len(results["dask"]["events"]) > 0

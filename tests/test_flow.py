"""The whole flow, for real: Prefect (ephemeral), spaCy, Great Expectations and a DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLES
from helpers import query as q

BOILERPLATE = [
    "Skip to main content",
    "Open this photo in gallery",
    "Ahn Young-joon/The Associated Press",
    "Follow related authors and topics",
    "Authors and topics you follow will be added",
    "Interact with The Globe",
]
TABLES = ["articles", "entities", "mentions", "events", "removed_spans", "quarantine", "dq_results", "runs"]


def _run(sources, db: Path, **changes):
    from dateline.settings import Settings
    from flows.etl import etl

    settings = Settings(db_path=db, staging_dir=db.parent / "staging").replace(**changes)
    return etl([str(s) for s in sources], settings)


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("wh") / "dateline.duckdb"
    _run([SAMPLES], db)
    return db


def test_samples_load_one_article_without_boilerplate(sample_db):
    (n,) = q(sample_db, "select count(*) from articles")[0]
    assert n == 1  # the .txt and the .jsonl row are the same article
    (text,) = q(sample_db, "select text from articles")[0]
    for line in BOILERPLATE:
        assert line not in text
    assert text.startswith("North Korean leader Kim Jong-un called for bolstered war readiness")
    assert "Matthew Miller, a spokesperson for the State Department" in text


def test_published_at_comes_from_the_jsonl_row(sample_db):
    (pub,) = q(sample_db, "select cast(published_at as date)::varchar from articles")[0]
    assert pub == "2023-12-28"


def test_removed_spans_keep_what_was_cut(sample_db):
    kinds = {k for (k,) in q(sample_db, "select distinct kind from removed_spans")}
    texts = " ".join(t for (t,) in q(sample_db, "select text from removed_spans"))
    assert "Skip to main content" in texts and "Ahn Young-joon" in texts
    assert len(kinds) >= 3


def test_kim_is_a_person_and_north_korea_is_prk(sample_db):
    assert q(sample_db, "select count(*) from mentions where text = 'Kim Jong-un' and label = 'PERSON'")[0][0] >= 1
    assert q(sample_db, "select country_code from entities where name = 'North Korea' and type = 'GPE'") == [("PRK",)]
    # The demonym and the possessive resolve to the same country.
    codes = q(sample_db, "select distinct e.country_code from mentions m join entities e using (entity_id) "
                         "where m.text in ('North Korean', 'North Korea')")
    assert codes == [("PRK",)]


def test_mention_offsets_point_at_their_text(sample_db):
    bad = q(sample_db, "select count(*) from mentions m join articles a using (article_id) "
                       "where substr(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text")
    assert bad == [(0,)]


def test_an_event_has_actor1_north_korea(sample_db):
    assert q(sample_db, "select count(*) from events where actor1_country = 'PRK'")[0][0] >= 1
    types = {t for (t,) in q(sample_db, "select distinct event_type from events")}
    assert types, "no events extracted"
    assert types <= {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
                     "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}


def test_runs_and_dq_results_recorded(sample_db):
    runs = q(sample_db, "select status, articles_new, pipeline_version from runs")
    assert runs and runs[0][0] == "completed" and runs[0][1] == 1
    suites = {s for (s,) in q(sample_db, "select distinct suite from dq_results")}
    assert {"articles", "mentions", "events", "entities"} <= suites


def test_views_answer_on_sample(sample_db):
    for view in ["entity_aliases", "daily_event_counts", "dyads", "entity_cooccurrence", "top_entities_daily", "gdelt_events"]:
        assert q(sample_db, f"select count(*) from {view}")[0][0] > 0, view
    row = q(sample_db, "select SQLDATE, EventRootCode, QuadClass from gdelt_events limit 1")[0]
    assert 20000101 < row[0] < 21000101 and row[1] and row[2] in (1, 2, 3, 4)


def test_rerun_changes_nothing(sample_db):
    before = _counts(sample_db)
    snapshot = q(sample_db, "select article_id, content_hash, run_id from articles order by 1")
    _run([SAMPLES], sample_db)
    after = _counts(sample_db)
    assert {k: v for k, v in after.items() if k not in {"runs", "dq_results"}} == \
           {k: v for k, v in before.items() if k not in {"runs", "dq_results"}}
    assert after["runs"] == before["runs"] + 1
    assert q(sample_db, "select article_id, content_hash, run_id from articles order by 1") == snapshot
    last = q(sample_db, "select articles_unchanged, articles_new from runs order by started_at desc limit 1")[0]
    assert last == (1, 0)


def test_bbc_200_real_articles_including_cp1252(tmp_path, corpora):
    src = corpora / "articles" / "bbc_news" / "bbc"
    files = sorted(src.glob("sport/*.txt"))[190:290] + sorted(src.glob("politics/*.txt"))[:100]
    assert src / "sport" / "199.txt" in files and len(files) == 200
    dest = tmp_path / "bbc"
    for f in files:
        (dest / f.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dest / f.parent.name / f.name)
    db = tmp_path / "bbc.duckdb"
    summary = _run([dest], db, batch_size=64)
    # Two pairs of files in this slice are byte-identical copies (sport/252=255, 257=258):
    # every file is accounted for as a loaded article or an in-batch duplicate, none lost.
    run = summary["run"]
    assert run["articles_in"] + run["articles_duplicate"] == 200
    assert run["articles_duplicate"] == 2 and run["articles_quarantined"] == 0
    assert q(db, "select count(*) from articles")[0][0] == 198
    assert q(db, "select count(*) from quarantine")[0][0] == 0
    # The cp1252 pound sign survived decoding.
    assert q(db, "select count(*) from articles where text like '%£%'")[0][0] >= 1
    assert q(db, "select count(*) from articles where text like '%\ufffd%'")[0][0] == 0


def test_cli_sql_formats_and_parquet_export(sample_db, tmp_path, capsys):
    import json as _json

    import polars as pl

    from dateline.cli import main

    assert main(["sql", "select name, country_code from entities where name = 'North Korea'",
                 "--db", str(sample_db), "--format", "json"]) == 0
    assert _json.loads(capsys.readouterr().out) == [{"name": "North Korea", "country_code": "PRK"}]
    assert main(["sql", "select count(*) as n from articles", "--db", str(sample_db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "1"]
    assert main(["sql", "select nope", "--db", str(sample_db)]) == 1
    assert "Binder" in capsys.readouterr().err
    out = tmp_path / "parquet"
    assert main(["export", "--parquet", str(out), "--db", str(sample_db)]) == 0
    assert (out / "articles" / "published_date=2023-12-28").is_dir()
    events = pl.read_parquet(out / "events" / "**" / "*.parquet", hive_partitioning=True)
    assert events.height == q(sample_db, "select count(*) from events")[0][0]

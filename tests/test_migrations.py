"""The warehouse as a contract: schema versions, migrations of every released file, drift refused,
contracts checked inside each load's transaction, views re-created on open."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from helpers import query as q
from warehouse import contracts, loader, schema

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "schemas").glob("v0_*.sql"))
OLD_ROWS = {"runs": 1, "articles": 1, "entities": 2, "mentions": 2, "events": 1, "removed_spans": 1,
            "quarantine": 1, "dq_results": 1}


def _file_from(fixture: Path, db: Path) -> Path:
    con = duckdb.connect(str(db))
    con.execute(fixture.read_text())
    con.close()
    return db


def _columns(db: Path) -> dict[str, dict[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return schema._columns(con)
    finally:
        con.close()


def test_fixtures_cover_every_released_schema():
    assert [f.name.split("_")[2].removesuffix(".sql") for f in FIXTURES] == ["a705a29", "3681778", "f810459", "efb63d3"]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_every_released_warehouse_opens_as_the_current_schema_with_nothing_lost(fixture, tmp_path):
    db = _file_from(fixture, tmp_path / "old.duckdb")
    # every old column, but articles.pipeline_version (the re-processing mark, tested below)
    before = {t: [c for c in cols if (t, c) != ("articles", "pipeline_version")] for t, cols in _columns(db).items()}
    old_values = {t: q(db, f"select {', '.join(before[t])} from {t} order by all") for t in OLD_ROWS}

    loader.connect(db).close()

    assert q(db, "select max(version) from schema_migrations") == [(schema.latest_version(),)]
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert schema.schema_problems(con) == []
        assert contracts.violations(con) == []
    finally:
        con.close()
    for table, n in OLD_ROWS.items():  # every row and every value of the old columns kept
        assert q(db, f"select count(*) from {table}") == [(n,)]
        assert q(db, f"select {', '.join(before[table])} from {table} order by all") == old_values[table], table
    assert q(db, "select count(*) from warehouse_meta where key = 'warehouse_id'") == [(1,)]
    assert q(db, "select name from country_codes where code = 'PRK'") == [("North Korea",)]
    assert q(db, "select count(*) from dated_events") == [(1,)]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.stem)
def test_rows_written_before_a_column_existed_are_marked_for_re_processing(fixture, tmp_path):
    db = _file_from(fixture, tmp_path / "old.duckdb")
    had_offsets = "trigger_start" in _columns(db)["events"]
    loader.connect(db).close()
    (version,) = q(db, "select pipeline_version from articles")[0]
    # events without trigger offsets (added by f810459) get them only from a new NLP pass
    assert version == ("0.1.0" if had_offsets else "migrated:0.1.0")


def test_a_migration_is_one_transaction(tmp_path, monkeypatch):
    """A migration that fails half-way leaves the file exactly as it was, and says which one failed."""
    db = _file_from(FIXTURES[0], tmp_path / "old.duckdb")
    before = _columns(db)
    broken = tmp_path / "002_broken.sql"
    broken.write_text("create table warehouse_meta (key varchar primary key, value varchar);\n"
                      "alter table no_such_table add column x integer;\n")
    real = schema.migrations()
    monkeypatch.setattr(schema, "migrations", lambda: (real[0], schema.Migration(2, "broken", broken)))
    with pytest.raises(schema.WarehouseSchemaError, match=r"migration 002_broken from schema version 0 failed"):
        loader.connect(db)
    assert _columns(db) == before  # 001's columns and 002's table rolled back too


def test_a_file_from_a_newer_dateline_is_refused_for_reading_and_writing(tmp_path):
    db = tmp_path / "new.duckdb"
    loader.connect(db).close()
    con = duckdb.connect(str(db))
    con.execute("insert into schema_migrations values (99, 'from_the_future', now())")
    con.close()
    for read_only in (False, True):
        with pytest.raises(schema.WarehouseSchemaError, match=r"schema version 99 is newer than this Dateline's \(\d+\)"):
            loader.connect(db, read_only=read_only)


def test_a_file_of_other_tables_is_not_taken_over(tmp_path):
    db = tmp_path / "other.duckdb"
    con = duckdb.connect(str(db))
    con.execute("create table invoices (id integer)")
    con.close()
    with pytest.raises(schema.WarehouseSchemaError, match="not a Dateline warehouse .*invoices"):
        loader.connect(db)
    assert set(_columns(db)) == {"invoices"}


@pytest.mark.parametrize("damage, says", [
    ("drop table mentions", "table mentions is missing"),
    ("alter table events drop column is_historical", "column events.is_historical is missing"),
    ("alter table articles alter column word_count type varchar", "column articles.word_count is VARCHAR, expected INTEGER"),
])
def test_schema_drift_is_refused_naming_what_is_wrong(tmp_path, damage, says):
    db = tmp_path / "wh.duckdb"
    loader.connect(db).close()
    con = duckdb.connect(str(db))
    con.execute(damage)
    con.close()
    with pytest.raises(schema.WarehouseSchemaError, match=says):
        loader.connect(db)
    if damage.startswith("drop table"):  # not silently re-created empty
        assert "mentions" not in _columns(db)


def test_a_run_on_a_refused_warehouse_fails_before_anything_slow_starts(tmp_path, capsys):
    from dateline.cli import main

    db = tmp_path / "wh.duckdb"
    loader.connect(db).close()
    con = duckdb.connect(str(db))
    con.execute("drop table mentions")
    con.close()
    src = tmp_path / "a.txt"
    src.write_text("Rebels attacked a convoy near Goma on Monday, the army said.")
    assert main(["run", str(src), "--db", str(db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "table mentions is missing" in err[0]


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc: unwritable even for root")
def test_an_unwritable_warehouse_or_a_missing_source_fails_in_one_line_before_the_flow_is_imported(tmp_path, capsys,
                                                                                                   monkeypatch):
    import sys

    from dateline.cli import main

    monkeypatch.setitem(sys.modules, "flows.etl", None)  # importing the flow (and Prefect) would raise here
    src = tmp_path / "a.txt"
    src.write_text("Rebels attacked a convoy near Goma on Monday, the army said.")
    # os.access says yes to root for /proc; only a real write tells
    assert main(["run", str(src), "--db", "/proc/dateline-no-such/wh.duckdb"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dateline: cannot write /proc/dateline-no-such/wh.duckdb"), err
    assert main(["run", str(tmp_path / "no-such-source"), "--db", str(tmp_path / "new" / "wh.duckdb")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such file or folder" in err[0], err
    assert not (tmp_path / "new").exists()  # a refused run leaves no folder behind


def test_views_are_recreated_from_views_sql_on_every_open(tmp_path):
    db = tmp_path / "wh.duckdb"
    loader.connect(db).close()
    con = duckdb.connect(str(db))
    con.execute("create or replace view dyads as select 1 as hand_edited")
    con.close()
    loader.connect(db).close()
    assert "hand_edited" not in [c for (c,) in q(db, "select column_name from information_schema.columns "
                                                      "where table_name = 'dyads'")]


def test_a_frame_column_the_table_lacks_is_an_error_not_a_silent_drop(tmp_path):
    con = loader.connect(tmp_path / "wh.duckdb")
    try:
        with pytest.raises(schema.WarehouseSchemaError, match="no column.*not_a_column"):
            loader._insert(con, "runs", pl.DataFrame({"run_id": ["r"], "not_a_column": [1]}))
    finally:
        con.close()


def _batch(text: str, mention: tuple[int, int, str], country: str = "PRK") -> loader.LoadBatch:
    now = dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)
    articles = pl.DataFrame([{"article_id": "a1", "text": text, "content_hash": "h", "ingested_at": now}])
    entities = pl.DataFrame([{"entity_id": "e1", "name": "North Korea", "type": "GPE", "country_code": country}])
    s, e, t = mention
    mentions = pl.DataFrame([{"article_id": "a1", "mention_idx": 0, "entity_id": "e1", "text": t,
                              "start_char": s, "end_char": e}])
    empty = pl.DataFrame()
    return loader.LoadBatch(articles=articles, mentions=mentions, entities=entities, events=empty,
                            removed_spans=empty, quarantine=empty, dq_results=empty,
                            run=pl.DataFrame([{"run_id": "r1", "status": "running"}]), signatures=empty)


@pytest.mark.parametrize("mention, country, contract", [
    ((99, 110, "North Korea"), "PRK", "mention_offsets_inside_article"),
    ((0, 5, "South"), "PRK", "mention_offsets_inside_article"),
    ((0, 11, "North Korea"), "XXX", "country_codes_valid"),
])
def test_a_batch_breaking_a_contract_is_rolled_back_and_named(tmp_path, mention, country, contract):
    db = tmp_path / "wh.duckdb"
    con = loader.connect(db)
    try:
        with pytest.raises(loader.ContractViolation, match=contract):
            loader.load_batch(con, _batch("North Korea fired a missile.", mention, country))
    finally:
        con.close()
    assert q(db, "select (select count(*) from articles), (select count(*) from mentions), "
                 "(select count(*) from runs)") == [(0, 0, 0)]


def test_a_good_batch_passes_the_contracts(tmp_path):
    db = tmp_path / "wh.duckdb"
    con = loader.connect(db)
    try:
        loader.load_batch(con, _batch("North Korea fired a missile.", (0, 11, "North Korea")))
        assert contracts.violations(con) == []
    finally:
        con.close()
    assert q(db, "select count(*) from mentions") == [(1,)]


def test_orphans_and_broken_views_are_found_over_the_whole_warehouse(tmp_path):
    db = tmp_path / "wh.duckdb"
    con = loader.connect(db)
    try:
        loader.load_batch(con, _batch("North Korea fired a missile.", (0, 11, "North Korea")))
        con.execute("insert into events (event_id, article_id, start_char, end_char, event_type) "
                    "values ('ev', 'gone', 0, 5, 'ASSAULT')")
        con.execute("create or replace view broken as select sent_idx from mentions")
        con.execute("alter table mentions rename column sent_idx to sentence")
        found = {v.contract for v in contracts.violations(con, ["gone"])}
    finally:
        con.close()
    assert {"events_have_article", "view_answers:broken"} <= found


def _events_batch() -> loader.LoadBatch:
    """One article of 2024-05-10 with a fresh act, a past act dated only by year, a past act with
    its own day, and a fresh act with its own day."""
    now = dt.datetime(2024, 5, 10, 12, tzinfo=dt.timezone.utc)
    text = "Troops shelled the town. Rebels have attacked it since 2022. Police arrested him on 3 May 2019."
    articles = pl.DataFrame([{"article_id": "a1", "text": text, "published_at": now, "content_hash": "h"}])
    rows = [("fresh", "ASSAULT", None, "none", False), ("since", "ASSAULT", dt.date(2022, 1, 1), "year", True),
            ("old-day", "COERCE", dt.date(2019, 5, 3), "day", True), ("dated", "ASSAULT", dt.date(2024, 5, 9), "day", False)]
    events = pl.DataFrame([{"event_id": eid, "article_id": "a1", "start_char": 0, "end_char": 24, "event_type": kind,
                            "quad_class": 4, "actor1_country": "UKR", "actor2_country": "RUS", "event_date": day,
                            "date_precision": precision, "is_historical": historical, "modality": "asserted"}
                           for eid, kind, day, precision, historical in rows])
    empty = pl.DataFrame()
    return loader.LoadBatch(articles=articles, mentions=empty, entities=empty, events=events, removed_spans=empty,
                            quarantine=empty, dq_results=empty, run=empty, signatures=empty)


def test_counting_views_never_count_a_past_act_on_the_publication_day(tmp_path):
    db = tmp_path / "wh.duckdb"
    con = loader.connect(db)
    try:
        loader.load_batch(con, _events_batch())
    finally:
        con.close()
    assert q(db, "select event_id, cast(day as varchar), dated_by from dated_events order by event_id") == [
        ("dated", "2024-05-09", "event_date"), ("fresh", "2024-05-10", "published_at"),
        ("old-day", "2019-05-03", "event_date")]
    assert q(db, "select cast(day as varchar), event_type, events from daily_event_counts order by all") == [
        ("2019-05-03", "COERCE", 1), ("2024-05-09", "ASSAULT", 1), ("2024-05-10", "ASSAULT", 1)]
    assert q(db, "select sum(events) from dyads") == [(3,)]
    assert q(db, "select count(*), count(*) filter (where SQLDATE = 20240510) from gdelt_events") == [(3, 1)]
    # the day is written once: every counting view reads dated_events
    views = (Path(loader.__file__).with_name("views.sql")).read_text()
    assert views.count("date_precision = 'day'") == 1


def test_dateline_check_reports_broken_contracts_and_old_versions(tmp_path, capsys):
    from dateline.cli import main

    db = tmp_path / "wh.duckdb"
    con = loader.connect(db)
    try:
        loader.load_batch(con, _batch("North Korea fired a missile.", (0, 11, "North Korea")))
    finally:
        con.close()
    assert main(["check", "--db", str(db)]) == 0
    assert "contracts hold" in capsys.readouterr().out
    con = duckdb.connect(str(db))
    con.execute("update mentions set end_char = 99")
    con.close()
    assert main(["check", "--db", str(db)]) == 1
    assert "mention_offsets_inside_article: 1 row(s)" in capsys.readouterr().out
    old = _file_from(FIXTURES[0], tmp_path / "old.duckdb")
    assert main(["check", "--db", str(old)]) == 1
    assert "schema version 0, this Dateline writes" in capsys.readouterr().out

"""A warehouse that never holds stale, short or cross-loaded data (issue: trustworthy warehouse).

Each test is one way the warehouse used to end up wrong while the run reported success: annotations
reused under another article's identity or dates, batches staged for one file loaded into another,
typed fields, symlink loops, concurrent runs, a "read-only" query that writes, Ctrl-C and SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, Phase, given, settings as hsettings, strategies as st

from conftest import CORPORA, SEED
from helpers import query as q
from helpers import write_jsonl

DATELINE = str(Path(sys.executable).with_name("dateline"))
SEED_TEXT = SEED.read_text(encoding="utf-8")


def _run(sources, db: Path, **changes):
    from dateline.settings import Settings
    from flows.etl import etl

    return etl([str(s) for s in sources], Settings(db_path=db).replace(**changes))


def _annotations(db: Path, article_id: str | None = None) -> tuple[list[tuple], list[tuple]]:
    """An article's mentions and events without identity (ids, runs): what the text and dates gave."""
    where = "where article_id = $a" if article_id else ""
    params = {"a": article_id} if article_id else {}
    mentions = q(db, f"select mention_idx, text, label, start_char, end_char, sent_idx from mentions {where} "
                     "order by all", params)
    events = q(db, "select sent_idx, start_char, end_char, trigger, event_type, actor1_text, actor1_country, "
                   "actor2_text, actor2_country, cast(event_date as varchar), date_precision, modality, "
                   f"is_historical from events {where} order by all", params)
    return mentions, events


def _quarantined(db: Path) -> list[tuple]:
    return q(db, "select table_name, record_key, array_to_string(reasons, '; ') from quarantine order by all")


def _contracts_hold(db: Path) -> list:
    from warehouse.contracts import violations

    con = duckdb.connect(str(db), read_only=True)
    try:
        return violations(con)
    finally:
        con.close()


# --- 1. annotations belong to their article's identity and dates ------------------------------

def test_the_same_text_under_a_new_identity_gets_its_own_annotations(tmp_path):
    first, second = tmp_path / "a" / "wh.duckdb", tmp_path / "b" / "wh.duckdb"
    _run([SEED], first)
    row = write_jsonl(tmp_path / "moved.jsonl", [{"text": SEED_TEXT, "url": "https://example.com/seed-story"}])
    _run([row], second)
    [(old_id,)], [(new_id,)] = q(first, "select article_id from articles"), q(second, "select article_id from articles")
    assert old_id != new_id
    assert _quarantined(second) == []
    mentions, events = _annotations(second, new_id)
    assert len(mentions) > 20 and len(events) > 5
    assert (mentions, events) == _annotations(first, old_id)
    assert q(second, "select count(*) from mentions where article_id <> $a", {"a": new_id}) == [(0,)]


IDENTITIES = {"url-a": {"url": "https://example.com/a"}, "url-b": {"url": "https://example.org/b"}, "text": {}}
DATES = [None, "2023-12-28", "2024-03-04"]
_REFERENCE: dict[str | None, tuple] = {}


def _reference(date: str | None) -> tuple:
    """Annotations of the seed with this publication date, from a fresh warehouse of its own."""
    if date not in _REFERENCE:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "ref.duckdb"
            src = write_jsonl(Path(tmp) / "in.jsonl", [{"text": SEED_TEXT, **({"published_at": date} if date else {})}])
            _run([src], db)
            _REFERENCE[date] = _annotations(db)
    return _REFERENCE[date]


@hsettings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.generate],
           suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(sorted(IDENTITIES)), st.sampled_from(["w1", "w2"]), st.sampled_from(DATES)),
                min_size=3, max_size=4))
def test_same_text_any_identity_warehouse_and_dates_gives_a_fresh_runs_annotations(steps):
    """Property: whatever identities, warehouses and dates the same text went through before (and
    whatever those runs left behind), loading it gives what a fresh run of it gives."""
    with tempfile.TemporaryDirectory() as tmp:
        for i, (identity, warehouse, date) in enumerate(steps):
            db = Path(tmp) / warehouse / "wh.duckdb"
            row = {"text": SEED_TEXT, **IDENTITIES[identity], **({"published_at": date} if date else {})}
            _run([write_jsonl(Path(tmp) / f"step{i}.jsonl", [row])], db)
            (aid,) = q(db, "select article_id from articles order by ingested_at desc, article_id limit 1")[0]
            if identity != "text" and IDENTITIES[identity]["url"]:
                assert q(db, "select url from articles where article_id = $a", {"a": aid}) == [(row["url"],)]
            assert _annotations(db, aid) == _reference(date), steps[: i + 1]
            assert not [r for r in _quarantined(db) if "exists" in r[2]]


def test_adding_published_at_re_dates_the_events(tmp_path):
    db = tmp_path / "wh.duckdb"
    _run([write_jsonl(tmp_path / "undated.jsonl", [{"text": SEED_TEXT, "url": "https://example.com/s"}])], db)
    undated = q(db, "select count(*) from events where event_date is not null")[0][0]
    _run([write_jsonl(tmp_path / "dated.jsonl", [{"text": SEED_TEXT, "url": "https://example.com/s",
                                                    "published_at": "2023-12-28"}])], db)
    assert _annotations(db) == _reference("2023-12-28")
    assert q(db, "select count(*) from events where event_date is not null")[0][0] > undated


# --- 6. staged batches belong to their warehouse ---------------------------------------------

def _staged_batch(n: int = 2):
    import datetime as dt

    import polars as pl

    from transforms.articles import build_articles
    from warehouse.loader import LoadBatch

    built = build_articles([{"text": f"Story {i}: rebels attacked a convoy near Goma on Monday.", "source_key": f"k{i}"}
                            for i in range(n)], run_id="r1", pipeline_version="t", now=dt.datetime.now(dt.timezone.utc))
    empty = pl.DataFrame()
    return LoadBatch(articles=built.articles, mentions=empty, entities=empty, events=empty,
                     removed_spans=built.removed, quarantine=empty, dq_results=empty, run=empty, signatures=empty)


def test_default_staging_gx_and_lease_folders_are_per_warehouse(tmp_path):
    from dateline.settings import Settings

    x, y = Settings(db_path=tmp_path / "x.duckdb"), Settings(db_path=tmp_path / "y.duckdb")
    assert x.staging_root != y.staging_root and x.gx_root != y.gx_root
    assert x.staging_root == tmp_path / "x.duckdb.staging" and x.gx_root == tmp_path / "x.duckdb.gx"


def test_a_batch_staged_for_one_warehouse_is_refused_by_another(tmp_path):
    from warehouse import loader
    from warehouse.schema import warehouse_id
    from warehouse.staging import Binding, load_staged, stage_batch

    shared = tmp_path / "shared-staging"  # a user who points both warehouses at one staging folder
    x, y = tmp_path / "x.duckdb", tmp_path / "y.duckdb"
    stage_batch(shared, _staged_batch(3), "b1", Binding.of(x, None))
    result = load_staged(y, shared)
    assert result.articles == 0 and len(result.foreign) == 1 and str(x.resolve()) in result.foreign[0]
    assert q(y, "select count(*) from articles") == [(0,)]
    assert (shared / "b1").is_dir()  # left for its own warehouse
    assert load_staged(x, shared).articles == 3
    assert q(x, "select count(*) from articles") == [(3,)] and not (shared / "b1").exists()

    # the same path, but another file (deleted and made again): refused by its id
    con = loader.connect(x)
    old_id = warehouse_id(con)
    con.close()
    stage_batch(shared, _staged_batch(2), "b2", Binding.of(x, old_id))
    x.unlink()
    assert load_staged(x, shared).articles == 0
    assert q(x, "select count(*) from articles") == [(0,)]


# --- 7. a badly typed field costs its row, with the line number --------------------------------

def test_badly_typed_fields_quarantine_their_rows_and_the_rest_loads(tmp_path):
    from dateline.cli import main

    good = {"text": "Rebels attacked a convoy near Goma on Monday, the army said.", "published_at": "2024-03-01"}
    rows = [dict(good, url="https://example.com/1"),
            dict(good, url=12345), dict(good, url=["https://example.com/x"]), dict(good, source=["a", "b"]),
            dict(good, byline={"name": "X"}), dict(good, title=3.5),
            dict(good, text="Police arrested two men in Lagos on Tuesday.", url="https://example.com/2", id=7)]
    rows += [dict(good, text=f"Story {i}: troops shelled the town of Kharkiv on Monday.", url=f"https://example.com/s{i}")
             for i in range(5)]  # enough good rows that the bad ones stay under the batch's quarantine threshold
    src = write_jsonl(tmp_path / "typed.jsonl", rows)
    db = tmp_path / "wh.duckdb"
    assert main(["run", str(src), "--db", str(db)]) == 0
    assert q(db, "select count(*), count(*) filter (where external_id = '7') from articles") == [(7, 1)]
    bad = {key.rsplit(":", 1)[1]: reason for _t, key, reason in _quarantined(db)}
    assert bad == {"2": "wrong field type: `url` must be a string, got int",
                   "3": "wrong field type: `url` must be a string, got list",
                   "4": "wrong field type: `source` must be a string, got list",
                   "5": "wrong field type: `byline` must be a string, got dict",
                   "6": "wrong field type: `title` must be a string, got float"}


# --- 8. folders: loops, links and feeds are reported, never fatal or silent --------------------

def test_a_folder_with_a_symlink_loop_links_and_a_feed_loads_and_reports_each(tmp_path):
    from dateline.cli import main

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "story.txt").write_text("Rebels attacked a convoy near Goma on Monday, the army said in a statement.")
    os.symlink(folder / "loop", folder / "loop")  # a link to itself
    os.symlink(folder / "sub", folder / "linked-dir")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    body = "Protesters marched through the capital on Sunday and the police arrested dozens of them. " * 12
    (folder / "sub" / "feed.xml").write_text(  # full content in the item: nothing to fetch
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>t</title><link>https://example.com/</link><description>d</description>"
        "<item><title>March</title><link>https://example.com/march</link>"
        f"<content:encoded><![CDATA[<p>{body}</p>]]></content:encoded></item></channel></rss>")
    db = tmp_path / "wh.duckdb"
    assert main(["run", str(folder), "--db", str(db)]) == 0
    sources = {s for (s,) in q(db, "select distinct source_path from articles")}
    assert str(folder.resolve() / "story.txt") in sources
    assert str(folder.resolve() / "sub" / "feed.xml") in sources  # the feed's items were read
    reasons = {Path(key).name: reason for _t, key, reason in _quarantined(db) if _t == "source"}
    assert reasons["loop"].startswith("not read: broken symbolic link")
    assert reasons["linked-dir"] == "not read: symbolic link to a folder (links are not followed)"
    assert reasons["photo.png"] == "not read: unsupported file type .png"


# --- 9. two runs at once on one warehouse -------------------------------------------------------

def _articles(n: int, tag: str) -> list[dict]:
    texts = sorted((CORPORA / "articles" / "bbc_news" / "bbc" / "politics").glob("*.txt"))
    return [{"text": p.read_text(encoding="latin-1"), "url": f"https://example.com/{tag}/{p.stem}",
             "published_at": "2005-03-01"} for p in texts[:n]]


def test_gx_projects_opened_by_two_processes_both_validate(tmp_path):
    """The second process to open a GX project re-saves its suites; the first must still validate."""
    import datetime as dt

    from expectations.gx_project import GxProject
    from expectations.validate import BatchTables, validate_batch
    from transforms.articles import build_articles
    from transforms.nlp import Annotations

    first, second = GxProject(tmp_path / "gx"), GxProject(tmp_path / "gx")
    built = build_articles([{"text": "Rebels attacked a convoy near Goma on Monday.", "source_key": "k"}],
                           run_id="r", pipeline_version="t", now=dt.datetime.now(dt.timezone.utc))
    ann = Annotations.empty()
    tables = BatchTables(articles=built.articles, mentions=ann.mentions, events=ann.events, entities=ann.entities)
    for project in (first, second, first):
        assert validate_batch(tables, now=dt.datetime.now(dt.timezone.utc), context=project).passed.articles.height == 1


def test_two_runs_at_once_on_one_warehouse_both_load_everything(tmp_path):
    db = tmp_path / "wh.duckdb"
    a = write_jsonl(tmp_path / "a.jsonl", _articles(12, "a"))
    b = write_jsonl(tmp_path / "b.jsonl", _articles(12, "b"))
    env = {**os.environ, "DATELINE_BATCH_SIZE": "4", "DATELINE_LOCK_TIMEOUT_S": "120"}
    procs = [subprocess.Popen([DATELINE, "run", str(src), "--db", str(db)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for src in (a, b)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    assert q(db, "select count(*) from articles") == [(24,)]
    assert q(db, "select status, count(*) from runs group by all") == [("completed", 2)]
    assert _contracts_hold(db) == []
    assert len({r for (r,) in q(db, "select distinct run_id from dq_results")}) == 2


# --- 10. `dateline sql` reads; it never writes a file -----------------------------------------

def test_sql_cannot_overwrite_the_warehouse_or_write_another_file(tmp_path, capsys):
    from dateline.cli import main
    from warehouse import loader

    db = tmp_path / "wh.duckdb"
    loader.connect(db).close()
    before = db.read_bytes()
    other = tmp_path / "other.duckdb"
    for statement in (f"COPY (select 42) TO '{db}'", f"ATTACH '{other}' (read_only false)",
                      f"EXPORT DATABASE '{tmp_path / 'dump'}'", "SET enable_external_access = true",
                      "drop table runs"):
        capsys.readouterr()
        assert main(["sql", statement, "--db", str(db)]) == 1, statement
        err = capsys.readouterr().err
        assert err.startswith("dateline: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert db.read_bytes() == before
    assert not other.exists() and not (tmp_path / "dump").exists()
    assert main(["sql", "select count(*) as n from runs", "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n", "0"]
    assert main(["sql", f"COPY (select 42 as answer) TO '{tmp_path / 'out.csv'}'", "--db", str(db), "--write"]) == 0
    assert (tmp_path / "out.csv").read_text().splitlines() == ["answer", "42"]


def test_sql_waits_for_a_writers_lock(tmp_path, capsys):
    from dateline.cli import main
    from warehouse import loader

    db = tmp_path / "wh.duckdb"
    loader.connect(db).close()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time, duckdb\n"
                               "con = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(2)",
                               str(db)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    try:
        assert main(["sql", "select count(*) as n from runs", "--db", str(db), "--format", "csv"]) == 0
    finally:
        holder.wait()
    assert capsys.readouterr().out.splitlines() == ["n", "0"]


# --- 11. Ctrl-C and SIGKILL -------------------------------------------------------------------

def _start_run(src: Path, db: Path, tmp: Path) -> subprocess.Popen:
    """`dateline run` in its own process group, as a terminal starts it (Ctrl-C reaches the group)."""
    env = {**os.environ, "DATELINE_BATCH_SIZE": "8"}
    return subprocess.Popen([DATELINE, "run", str(src), "--db", str(db)], env=env, start_new_session=True,
                            stdout=open(tmp / "run.out", "w"), stderr=subprocess.STDOUT)


def _wait_for_first_batch(proc: subprocess.Popen, db: Path, timeout: float = 240) -> None:
    """Until the run has committed a batch (the loader opens the file only while it loads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it could be interrupted"
        try:
            if db.exists() and q(db, "select count(*) from articles")[0][0] > 0:
                return
        except duckdb.Error:  # locked by the run, or not made yet
            pass
        time.sleep(0.3)
    raise AssertionError("no batch committed in time")


def test_ctrl_c_stops_the_run_within_seconds_and_marks_it_interrupted(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", _articles(120, "c"))
    db = tmp_path / "wh.duckdb"
    proc = _start_run(src, db, tmp_path)
    try:
        _wait_for_first_batch(proc, db)
        t0 = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=60)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    out = (tmp_path / "run.out").read_text()
    assert code == 130 and stopped_in < 5, (code, stopped_in, out[-2000:])
    assert "Traceback" not in out
    assert q(db, "select status from runs") == [("interrupted",)]
    loaded = q(db, "select count(*) from articles")[0][0]
    assert 0 < loaded < 120
    assert _contracts_hold(db) == []


def test_a_killed_run_is_marked_interrupted_by_the_next_run(tmp_path):
    from dateline.cli import main

    src = write_jsonl(tmp_path / "in.jsonl", _articles(40, "k"))
    db = tmp_path / "wh.duckdb"
    proc = _start_run(src, db, tmp_path)
    try:
        _wait_for_first_batch(proc, db)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert q(db, "select status from runs") == [("running",)]
    assert main(["run", str(src), "--db", str(db)]) == 0
    rows = q(db, "select status, message from runs order by started_at")
    assert [r[0] for r in rows] == ["interrupted", "completed"]
    assert "process ended before the run finished" in rows[0][1]
    assert q(db, "select count(*) from articles") == [(40,)]
    assert _contracts_hold(db) == []


# --- the CLI says what went wrong in one line -------------------------------------------------

def test_cli_output_survives_pipes_lists_and_unwritable_targets(tmp_path):
    from warehouse import loader

    db = tmp_path / "wh.duckdb"
    loader.connect(db).close()
    piped = subprocess.run(f"{DATELINE} sql 'select * from range(200000)' --db {db} --format csv | head -1",
                           shell=True, capture_output=True, text=True)
    assert piped.stdout == "range\n" and "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr
    lists = subprocess.run([DATELINE, "sql", "select ['a', 'b'] as l, sum(1) as n", "--db", str(db), "--format", "csv"],
                           capture_output=True, text=True)
    assert lists.returncode == 0 and lists.stdout.splitlines() == ["l,n", '"[""a"", ""b""]",1']
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    export = subprocess.run([DATELINE, "export", "--parquet", str(blocked / "out"), "--db", str(db)],
                            capture_output=True, text=True)
    assert export.returncode == 1 and len(export.stderr.strip().splitlines()) == 1
    assert export.stderr.startswith("dateline: cannot export to")


def test_a_bad_warehouse_target_fails_at_once_in_one_line(tmp_path, capsys):
    from dateline.cli import main

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for target, says in ((tmp_path, "is a folder"), (blocker / "wh.duckdb", "is not a folder")):
        assert main(["run", str(SEED), "--db", str(target)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and says in err[0], err

"""`dateline search`: the index the loader keeps, BM25 ranking on queries whose answers are known,
filters, snippets, and the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from conftest import CORPORA
from transforms.snippets import snippet
from warehouse import loader
from warehouse.search import search


def _load(db: Path, records: list[dict], events: pl.DataFrame | None = None) -> None:
    from transforms.articles import build_articles

    built = build_articles(records, run_id="r", pipeline_version="t", now=dt.datetime.now(dt.timezone.utc))
    empty = pl.DataFrame()
    con = loader.connect(db)
    try:
        loader.load_batch(con, loader.LoadBatch(articles=built.articles, mentions=empty, entities=empty,
                                                events=events if events is not None else empty, removed_spans=empty,
                                                quarantine=empty, dq_results=empty, run=empty, signatures=empty))
    finally:
        con.close()


@pytest.fixture(scope="module")
def bbc_db(tmp_path_factory) -> Path:
    """120 BBC politics articles, titles from their first lines."""
    db = tmp_path_factory.mktemp("search") / "wh.duckdb"
    files = sorted((CORPORA / "articles" / "bbc_news" / "bbc" / "politics").glob("*.txt"))[:120]
    _load(db, [{"text": f.read_bytes().decode("cp1252"), "source_key": f.name, "published_at": "2005-03-01"}
               for f in files])
    return db


def _read(db: Path):
    return loader.connect(db, read_only=True)


def test_an_article_is_found_first_by_its_own_title(bbc_db):
    con = _read(bbc_db)
    try:
        titled = con.execute("select article_id, title from articles where title is not null order by article_id "
                             "limit 40").fetchall()
        assert len(titled) == 40
        ranks = []
        for aid, title in titled:
            ids = [h.article_id for h in search(con, title, limit=5)]
            ranks.append(ids.index(aid) if aid in ids else None)
    finally:
        con.close()
    assert ranks.count(0) >= 36 and None not in ranks, ranks


def test_rare_words_outrank_common_ones_and_unknown_words_find_nothing(bbc_db):
    con = _read(bbc_db)
    try:
        (rare,) = con.execute("select term from search_terms where length(term) > 6 group by term "
                              "having count(*) = 1 order by term limit 1").fetchall()[0]
        (owner,) = con.execute("select article_id from search_terms where term = $t", {"t": rare}).fetchall()[0]
        hits = search(con, f"the government said {rare}")
        assert hits[0].article_id == owner
        assert f"[{rare}]" in hits[0].snippet.lower()
        assert search(con, "zzqxv unfindable") == []
        assert search(con, "  ,,, ") == []
    finally:
        con.close()


def test_filters_by_date_event_type_and_entity(tmp_path):
    db = tmp_path / "wh.duckdb"
    rows = [{"text": "Troops shelled the border town of Kharkiv overnight, officials said.", "url": f"https://x.org/{i}",
             "published_at": day, "source_key": str(i)} for i, day in enumerate(["2024-01-01", "2024-03-01"])]
    _load(db, rows)
    con = loader.connect(db)
    try:
        later = con.execute("select article_id from articles where published_at >= '2024-02-01'").fetchall()[0][0]
        con.execute("insert into entities values ('e1', 'Kharkiv', 'GPE', 'UKR', 'r')")
        con.execute("insert into mentions (article_id, mention_idx, entity_id, text, label, start_char, end_char) "
                    "values ($a, 0, 'e1', 'Kharkiv', 'GPE', 31, 38)", {"a": later})
        con.execute("insert into events (event_id, article_id, start_char, end_char, event_type) "
                    "values ('ev', $a, 0, 10, 'ASSAULT')", {"a": later})
    finally:
        con.close()
    con = _read(db)
    try:
        assert len(search(con, "troops shelled")) == 2
        assert [h.article_id for h in search(con, "troops shelled", since=dt.date(2024, 2, 1))] == [later]
        assert [h.article_id for h in search(con, "troops", event_type="ASSAULT")] == [later]
        assert [h.article_id for h in search(con, "troops", entity="kharkiv")] == [later]
        hit = search(con, "troops", entity="kharkiv")[0]
        assert hit.events[0]["type"] == "ASSAULT" and hit.entities[0]["name"] == "Kharkiv"
    finally:
        con.close()


def test_re_loading_an_article_replaces_its_index_rows(tmp_path):
    db = tmp_path / "wh.duckdb"
    _load(db, [{"text": "Talks on the ceasefire resumed in Geneva.", "url": "https://x.org/a", "source_key": "a"}])
    _load(db, [{"text": "Talks collapsed in Vienna instead.", "url": "https://x.org/a", "source_key": "a"}])
    con = _read(db)
    try:
        assert search(con, "geneva") == [] and len(search(con, "vienna")) == 1
        assert con.execute("select length from search_docs").fetchall() == [(5,)]
    finally:
        con.close()


def test_snippet_shows_the_densest_window_with_marks():
    text = "Nothing here. " * 30 + "The council imposed sanctions after the missile launch on Friday. " + "More. " * 30
    out = snippet(text, {"sanctions", "missile", "launch"}, width=100)
    assert "[sanctions]" in out and "[missile] [launch]" in out
    assert out.startswith("…") and out.endswith("…") and len(out) < 140


def test_cli_search_prints_ranked_hits_and_refuses_a_bad_date(bbc_db, capsys):
    from dateline.cli import main

    assert main(["search", "election campaign", "--db", str(bbc_db), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. ") and "\n2. " in out and "[election]" in out.lower()
    with pytest.raises(SystemExit):
        main(["search", "x", "--db", str(bbc_db), "--since", "last week"])
    assert "not a date" in capsys.readouterr().err

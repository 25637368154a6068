"""The flow over a real feed served on 127.0.0.1, the default SSRF refusal, and syndicated copies."""

from __future__ import annotations

import json

import pytest

from conftest import CORPORA
from http_server import LocalServer, static
from helpers import query as _q

GUARDIAN = CORPORA / "feeds" / "rss-parser" / "input" / "guardian.rss"

WIRE = ("The United Nations Security Council met on Monday to discuss the escalating conflict in the "
        "eastern region, where government forces and rebels have clashed for weeks. Diplomats said the "
        "council was divided over a draft resolution calling for an immediate ceasefire and the delivery "
        "of humanitarian aid to civilians trapped by the fighting. The French ambassador urged members to "
        "act quickly, while the Russian envoy warned against outside interference in the country's "
        "internal affairs. Aid agencies say more than two hundred thousand people have fled their homes "
        "since the offensive began, and food supplies in the main city are running low.")


PAGE = CORPORA / "html" / "mozilla_readability" / "guardian-1" / "source.html.gz"


@pytest.fixture
def feed_server():
    """The real Guardian feed with its item links pointed at a real Guardian page served here."""
    import gzip

    srv = LocalServer(prefix_routes={"/g/": static(gzip.decompress(PAGE.read_bytes()))})
    feed = GUARDIAN.read_bytes().replace(b"https://www.theguardian.com/", srv.url("/g/").encode())
    srv.routes["/feed.rss"] = static(feed, "application/rss+xml")
    yield srv
    srv.close()


def test_feed_url_refused_by_default_then_loaded_when_allowed(tmp_path, feed_server):
    from dateline.settings import Settings
    from flows.etl import etl

    url = feed_server.url("/feed.rss")
    db = tmp_path / "wh.duckdb"
    summary = etl([url], Settings(db_path=db))
    assert summary["run"]["articles_new"] == 0
    reasons = [r for (rs,) in _q(db, "select reasons from quarantine") for r in rs]
    assert reasons and all("127.0.0.1" in r or "loopback" in r or "refused" in r.lower() for r in reasons), reasons
    assert feed_server.requests == []  # refused before any connection

    allowed = Settings(db_path=db, fetch_allow_networks="127.0.0.1/32")
    summary = etl([url], allowed)
    n_items = summary["run"]["articles_in"]
    loaded = _q(db, "select count(*) from articles")[0][0]
    quarantined = _q(db, "select count(*) from quarantine where run_id = "
                         f"'{summary['run_id']}' and table_name in ('source', 'articles')")[0][0]
    assert loaded > 10 and loaded + quarantined >= n_items - summary["run"]["articles_duplicate"]
    assert _q(db, f"select count(*) from articles where url like '{feed_server.url('/g/')}%' "
                  "and published_at is not null and title is not null")[0][0] == loaded
    assert all(r.client == "127.0.0.1" for r in feed_server.requests)


def test_syndicated_copy_points_at_the_first(tmp_path):
    from dateline.settings import Settings
    from flows.etl import etl

    copy = WIRE.replace("on Monday", "on Monday, officials said,").replace("running low", "running very low")
    other = "Parliament in Canberra passed a new budget on Tuesday after a long debate about taxes and spending."
    rows = [
        {"url": "https://first.example/a", "text": WIRE, "published_at": "2024-05-06"},
        {"url": "https://second.example/b", "text": copy, "published_at": "2024-05-06"},
        {"url": "https://third.example/c", "text": other, "published_at": "2024-05-07"},
    ]
    src = tmp_path / "wire.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp_path / "wh.duckdb"
    etl([str(src)], Settings(db_path=db))
    dup = dict(_q(db, "select url, dup_of from articles"))
    first_id = _q(db, "select article_id from articles where url = 'https://first.example/a'")[0][0]
    assert dup["https://second.example/b"] == first_id
    assert dup["https://first.example/a"] is None and dup["https://third.example/c"] is None
    # A later run with another copy links to the same cluster root.
    src2 = tmp_path / "wire2.jsonl"
    src2.write_text(json.dumps({"url": "https://fourth.example/d", "text": copy + " More to follow.",
                                "published_at": "2024-05-07"}) + "\n", encoding="utf-8")
    etl([str(src2)], Settings(db_path=db))
    assert _q(db, "select dup_of from articles where url = 'https://fourth.example/d'") == [(first_id,)]


def test_terminal_progress_counts_records_and_events():
    from flows.batches import _Progress, _rate_column

    progress = _Progress(None, terminal=True)  # no total: no Prefect artifact, a bar on the terminal
    try:
        progress.advance(5, 7)
        progress.advance(3, 2)
        task = progress.bar.tasks[0]
        assert (task.completed, task.fields["events"]) == (8, 9)
    finally:
        progress.close()
    assert str(_rate_column().render(task)).endswith("/s")

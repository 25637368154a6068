"""Only the fetcher opens sockets: parsers (trafilatura, htmldate, feedparser, …) get bytes or a
parsed tree, never a URL they could download by themselves, outside the address policy."""

from __future__ import annotations

import gzip
import socket
import traceback

import pytest

from conftest import CORPORA
from helpers import write_jsonl
from http_server import LocalServer, static

HOSTILE_BODIES = ["{url}", "  {url}  ", "{url}/redirect", "https://{host}/x", "<p>{url}</p>", "{url}?a=b"]


@pytest.fixture
def sockets_outside_the_fetcher(monkeypatch):
    """Fail any socket connect whose caller is not `flows.fetch_transport` (the only module of the
    fetcher that opens sockets); returns the attempts made."""
    attempts: list[str] = []
    real_connect, real_create = socket.socket.connect, socket.create_connection

    def allowed(address) -> bool:
        stack = traceback.extract_stack()
        if any(frame.filename.endswith("flows/fetch_transport.py") for frame in stack):
            return True
        attempts.append(f"{address} from {stack[-3].filename}:{stack[-3].lineno}")
        raise ConnectionRefusedError(f"socket to {address} opened outside the fetcher")

    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: allowed(address) and real_connect(sock, address))
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: allowed(address) and real_create(address, *a, **k))
    return attempts


def test_the_guard_lets_the_fetcher_through_and_stops_anyone_else(sockets_outside_the_fetcher, server):
    from flows.fetch import FetchPolicy, fetch

    local = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=5.0, retries=0)
    assert b"behind your back" in fetch(server.url("/x"), local).content
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)
    assert len(sockets_outside_the_fetcher) == 1 and "test_no_fetch.py" in sockets_outside_the_fetcher[0]


@pytest.fixture
def server():
    srv = LocalServer({"/x": static(b"<html><body><p>fetched behind your back</p></body></html>")})
    yield srv
    srv.close()


def test_cleaning_a_body_that_is_a_url_opens_no_socket(sockets_outside_the_fetcher, server):
    from transforms.articles import clean_record

    for body in HOSTILE_BODIES:
        raw = body.format(url=server.url("/x"), host=f"127.0.0.1:{server.port}")
        clean_record({"html": raw, "url": server.url("/page")})
        clean_record({"text": raw})
    assert sockets_outside_the_fetcher == [] and server.requests == []


def test_cleaning_real_pages_and_parsing_real_feeds_opens_no_socket(sockets_outside_the_fetcher):
    from transforms.articles import clean_record
    from transforms.feed import NotAFeed, parse_feed

    pages = sorted((CORPORA / "html").rglob("*.gz"))[::10]
    assert len(pages) >= 30
    for page in pages:
        clean_record({"html": gzip.decompress(page.read_bytes()).decode("utf-8", "replace"), "url": "https://example.com/"})
    feeds = [p for p in sorted((CORPORA / "feeds").rglob("*")) if p.suffix in {".xml", ".rss", ".atom"}]
    assert feeds
    for feed in feeds:
        try:
            parse_feed(feed.read_bytes())
        except NotAFeed:  # a few are broken on purpose
            pass
    assert sockets_outside_the_fetcher == []


@pytest.mark.flow  # `dateline run` end to end
def test_extract_and_run_never_fetch_a_url_given_as_page_content(tmp_path, server, capsys):
    """`dateline extract` of a page whose body is a URL, and a run of a JSONL row whose `html` is one."""
    from dateline.cli import main

    page = tmp_path / "page.html"
    page.write_text(server.url("/x"))
    assert main(["extract", str(page)]) == 0
    row = write_jsonl(tmp_path / "rows.jsonl", [{"html": server.url("/x"), "url": "https://example.com/a"},
                                                 {"html": "  " + server.url("/x") + "  "}])
    assert main(["run", str(row), "--db", str(tmp_path / "wh.duckdb")]) == 0
    capsys.readouterr()
    assert server.requests == []

"""Feeds, URLs and URL lists: real feeds and pages from ../shared/corpora served on 127.0.0.1.

Item links in the served feeds are rewritten to point at the local server (`/site/<host>/…`),
which answers with real news pages from `corpora/html/newspaper4k` — nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
import json
import re
import socket
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from flows.sources.base import SourceProblem
from flows.sources.resolve import SourceError, read_one, resolve_sources
from flows.sources.web import FeedSource, UrlListSource, UrlSource, is_url_list, looks_like_feed
from flows.fetch import FetchPolicy
from http_server import LocalServer, gzip_bomb, redirect, slow_drip, static
from transforms.decode import decode_bytes
from transforms.feed import NotAFeed, parse_feed, strip_entity_declarations

FEEDS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "feeds"
RSS_PARSER = FEEDS / "rss-parser"
FEED_RS = FEEDS / "feed-rs"
PAGES = sorted((Path(__file__).resolve().parents[2] / "shared" / "corpora" / "html" / "newspaper4k" / "html").glob("*.html.gz"))


def _no_dns(host: str, port: int) -> list[str]:
    """Tests never ask a real DNS server: names not listed here fail to resolve."""
    raise OSError(f"test resolver: {host} is not a test host")


LOCAL = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=5.0, retries=0, resolver=_no_dns)


@pytest.fixture(autouse=True)
def guard_sockets(monkeypatch):
    real = socket.create_connection

    def guarded(address, *args, **kwargs):
        if address[0] != "127.0.0.1":
            raise AssertionError(f"test tried to connect to {address}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)


@pytest.fixture
def server():
    srv = LocalServer()
    yield srv
    srv.close()


# ---------------------------------------------------------------------------------------------
# expected output helpers


def _expected_items(name: str) -> list[dict]:
    raw = (RSS_PARSER / "expected_output" / f"{name}.json").read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:  # encoding.json was saved in the feed's own ISO-8859-1
        text = raw.decode("cp1252")
    return json.loads(text)["feed"]["items"]


def _norm_title(value: str | None) -> str | None:
    if not value:
        return None
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", value)).split()) or None


def _same_second(iso_a: str | None, iso_b: str | None) -> bool:
    a = dt.datetime.fromisoformat(iso_a.replace("Z", "+00:00")).replace(microsecond=0)
    b = dt.datetime.fromisoformat(iso_b.replace("Z", "+00:00")).replace(microsecond=0)
    return a == b


def _check_against_rss_parser(name: str, items: list[dict], link_map=lambda s: s) -> None:
    expected = _expected_items(name)
    assert len(items) == len(expected), name
    for exp, got in zip(expected, items):
        if "\ufffd" not in (exp.get("title") or ""):  # rss-parser mis-decoded some Latin-1 titles
            assert got["title"] == _norm_title(exp.get("title")), (name, exp.get("title"))
        exp_link = (exp.get("link") or "").strip()
        if exp_link.startswith(("http://", "https://")):
            assert got["link"] == link_map(exp_link), name
        elif exp_link:  # relative in the feed: we make it absolute
            assert got["link"] and got["link"].endswith(exp_link), name
        if exp.get("isoDate"):
            assert got["published_at"] and _same_second(exp["isoDate"], got["published_at"]), (name, exp["isoDate"])


RSS_PARSER_NAMES = sorted(p.stem for p in (RSS_PARSER / "expected_output").glob("*.json"))


# ---------------------------------------------------------------------------------------------
# pure parsing of the real feeds


@pytest.mark.parametrize("name", RSS_PARSER_NAMES)
def test_real_feeds_parse_like_rss_parser_expects(name):
    (path,) = [p for p in (RSS_PARSER / "input").iterdir() if p.stem == name]
    _check_against_rss_parser(name, parse_feed(path.read_bytes(), None))


@pytest.mark.parametrize("path", sorted(FEED_RS.glob("*.xml")), ids=lambda p: p.stem)
def test_news_feeds_parse_like_feed_rs_expects(path):
    expected = json.loads(path.with_suffix(".serde.json").read_text(encoding="utf-8"))["entries"]
    items = parse_feed(path.read_bytes(), None)
    assert len(items) == len(expected)
    for exp, got in zip(expected, items):
        assert got["title"] == _norm_title((exp.get("title") or {}).get("content"))
        assert got["link"] == exp["links"][0]["href"]
        if exp.get("published"):  # incl. the Italian "mer, 16 nov 2022 00:38:15 +0100"
            assert _same_second(exp["published"], got["published_at"])


def test_feed_fields_and_full_content():
    guardian = parse_feed((RSS_PARSER / "input" / "guardian.rss").read_bytes(), "https://www.theguardian.com/us/rss")
    first = guardian[0]
    assert first["author"] == "David Smith in Washington"
    assert first["published_at"] == "2018-01-31T07:26:05+00:00"
    assert first["summary"].startswith("<p>The president")
    assert first["language"] == "en-gb"
    heise = parse_feed((RSS_PARSER / "input" / "heise.atom").read_bytes(), None)
    assert all(i["content"] for i in heise)  # atom:content carried through


def test_iso_8859_1_feed_decodes():
    items = parse_feed((RSS_PARSER / "input" / "encoding.rss").read_bytes(), None)
    assert items[0]["title"] == "Mãe de utente é a nova presidente da Raríssimas"


@pytest.mark.parametrize("data", [
    b"<html><head><title>Home</title></head><body><p>Not a feed</p></body></html>",
    b'{"items": []}',
    b"just some words",
    b"<?xml version='1.0'?><rss version='2.0'><channel><title>empty</title></channel></rss>",
    b"   ",
])
def test_not_a_feed(data):
    with pytest.raises(NotAFeed):
        parse_feed(data, "https://example.org/feed.xml")


def test_unrecognized_rss_is_not_a_feed():
    with pytest.raises(NotAFeed, match="not a readable RSS/Atom feed"):
        parse_feed((RSS_PARSER / "input" / "unrecognized.rss").read_bytes(), None)


def test_malformed_rss_recovers_the_items_it_can():
    data = (RSS_PARSER / "input" / "guardian.rss").read_bytes()
    cut = data[: len(data) // 2]  # truncated mid-document
    items = parse_feed(cut, None)
    assert 10 < len(items) < 55
    assert items[0]["title"].startswith("Trump State of the Union")
    broken = b"<rss version='2.0'><channel><item><title>A & B <b>unclosed</title><link>http://x.org/1</link></item>"
    (item,) = parse_feed(broken, None)
    assert item["link"] == "http://x.org/1"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>lol</title>
<item><title>&lol9;</title><link>http://example.org/a</link><description>&lol9; &lol9;</description></item>
</channel></rss>"""


def _xxe(path: Path) -> bytes:
    return (f"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY xxe SYSTEM "file://{path}">
  <!ENTITY % remote SYSTEM "file://{path}">
  %remote;
]>
<rss version="2.0"><channel><title>x</title>
<item><title>Leak &xxe;</title><link>http://example.org/a</link><description>&xxe;</description></item>
</channel></rss>""").encode()


def test_billion_laughs_is_not_expanded():
    t = time.monotonic()
    (item,) = parse_feed(BILLION_LAUGHS, None)
    assert time.monotonic() - t < 1.0
    assert "lollol" not in (item["title"] or "") + (item["summary"] or "")
    assert len(item["summary"] or "") < 100


def test_xxe_reads_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    t = time.monotonic()
    items = parse_feed(_xxe(secret), None)
    assert time.monotonic() - t < 1.0
    assert "TOP-SECRET" not in json.dumps(items)


def test_utf16_entity_bomb_is_stripped_too():
    data = BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="utf-16"?>')
    (item,) = parse_feed(data.decode("utf-8").encode("utf-16"), None)
    assert "lollol" not in json.dumps(item)


def test_strip_entity_declarations_keeps_plain_doctypes():
    netscape = (b'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>')
    assert strip_entity_declarations(netscape) == (netscape, False)
    out, stripped = strip_entity_declarations(BILLION_LAUGHS)
    assert stripped and b"<!ENTITY" not in out and out.rstrip().endswith(b"</rss>")


def test_bytes_that_look_like_a_path_are_never_opened(tmp_path):
    # feedparser.parse(bytes) would open() a file of that name; parse_feed hands it a BytesIO
    target = tmp_path / "feed.xml"
    target.write_bytes(BILLION_LAUGHS.replace(b"&lol9;", b"FROM-DISK"))
    with pytest.raises(NotAFeed):
        parse_feed(str(target).encode(), None)


# ---------------------------------------------------------------------------------------------
# serving the corpora


def _page_bytes(index: int) -> bytes:
    return gzip.decompress(PAGES[index % len(PAGES)].read_bytes())


def _page_for(path: str) -> int:
    return zlib.crc32(path.encode())


def _serve_site(server: LocalServer) -> None:
    def route(h):
        path = urlsplit(h.path).path
        if "/missing" in path:
            h.send_response(404)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        body = _page_bytes(_page_for(path))
        h.send_response(200)
        h.send_header("Content-Type", "text/html")  # no charset: the page's <meta> decides
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    server.prefix_routes["/site/"] = route


def _localise(data: bytes, hosts: set[str], base: str) -> bytes:
    for host in hosts:
        data = re.sub(rb"https?://" + re.escape(host.encode()), f"{base}/site/{host}".encode(), data)
    return data


def _link_hosts(name: str) -> set[str]:
    return {urlsplit(i["link"].strip()).netloc for i in _expected_items(name) if (i.get("link") or "").startswith("http")}


HTTP_FEEDS = ["guardian", "heise", "encoding", "feedburner"]


def test_feed_sources_over_http_follow_links_to_local_pages(server):
    _serve_site(server)
    maps = {}
    for name in HTTP_FEEDS:
        (path,) = [p for p in (RSS_PARSER / "input").iterdir() if p.stem == name]
        hosts = _link_hosts(name)
        server.routes[f"/feeds/{path.name}"] = static(_localise(path.read_bytes(), hosts, server.base),
                                                      "application/rss+xml")
        maps[name] = (path.name, hosts)
    for name, (filename, hosts) in maps.items():
        url = server.url(f"/feeds/{filename}")
        records = list(FeedSource(url, LOCAL).read())
        problems = [r for r in records if isinstance(r, SourceProblem)]
        assert not problems, problems[:3]
        localise = lambda link: _localise(link.encode(), hosts, server.base).decode()  # noqa: E731
        items = [{"title": r.get("title"), "link": r.get("url"), "published_at": r.get("published_at")} for r in records]
        _check_against_rss_parser(name, items, localise)
        for r in records:
            assert r["source"] == url and r["source_key"].startswith(url + "#") and r["source_path"] == url
            assert r.get("html")
            if r["url"].startswith(server.base + "/site/") and "encoding" in r:  # fetched: the served page
                expected = decode_bytes(_page_bytes(_page_for(urlsplit(r["url"]).path)), None)[0]
                assert r["html"] == expected
    fetched_paths = [s.path for s in server.requests if s.path.startswith("/site/")]
    assert len(fetched_paths) >= 55 + 40  # guardian and JN carry no full text: every link was fetched
    assert all(s.headers["user-agent"].startswith("Dateline/") for s in server.requests)


def test_feed_item_link_failures_cost_one_item(server):
    _serve_site(server)
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>ok</title><link>{server.base}/site/a/1</link><guid isPermaLink="false">g1</guid></item>
    <item><title>gone</title><link>{server.base}/site/a/missing</link><guid isPermaLink="false">g2</guid></item>
    <item><title>inward</title><link>http://10.0.0.8/x</link><guid isPermaLink="false">g3</guid></item>
    <item><title>summary only</title><description>&lt;p&gt;Short summary.&lt;/p&gt;</description><guid isPermaLink="false">g4</guid></item>
    <item><title>nothing</title><guid isPermaLink="false">g5</guid></item>
    </channel></rss>""".encode()
    server.routes["/f.rss"] = static(feed, "application/rss+xml")
    url = server.url("/f.rss")
    out = list(FeedSource(url, LOCAL).read())
    assert [type(o).__name__ for o in out] == ["dict", "SourceProblem", "SourceProblem", "dict", "SourceProblem"]
    assert out[1].record_key == f"{url}#g2" and "HTTP 404" in out[1].reason and out[1].source == url
    assert "refused" in out[2].reason and "10.0.0.8" in out[2].reason
    assert out[3]["html"] == "<p>Short summary.</p>" and out[3]["feed_summary_only"]
    assert "no content" in out[4].reason


def test_non_feed_document_as_a_feed_is_a_source_problem(server):
    server.routes["/news.xml"] = static(_page_bytes(0), "text/html")
    url = server.url("/news.xml")
    (only,) = list(FeedSource(url, LOCAL).read())
    assert isinstance(only, SourceProblem) and only.source == url
    assert only.reason == f"not a feed: {url}: an HTML page, not an RSS/Atom feed"


def test_unreachable_and_refused_feeds_fail_alone(server):
    (refused,) = list(FeedSource(server.url("/f.rss")).read())  # default policy: 127.0.0.1 refused
    assert isinstance(refused, SourceProblem) and "cannot fetch feed" in refused.reason and "loopback" in refused.reason
    (missing,) = list(FeedSource(server.url("/nope.rss"), LOCAL).read())
    assert "HTTP 404" in missing.reason
    (no_file,) = list(FeedSource("/nonexistent/feed.xml").read())
    assert "cannot read feed file" in no_file.reason


def test_hostile_feeds_over_http(server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    server.routes["/lol.rss"] = static(BILLION_LAUGHS, "application/rss+xml")
    server.routes["/xxe.rss"] = static(_xxe(secret), "application/rss+xml")
    server.routes["/bomb.rss"] = gzip_bomb(64)
    server.routes["/drip.rss"] = slow_drip(0.05, 20)
    capped = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=5.0, retries=0, max_decompressed_bytes=1 << 20,
                         resolver=_no_dns)
    t = time.monotonic()
    (lol,) = list(FeedSource(server.url("/lol.rss"), capped, follow_links=False).read())
    (xxe,) = list(FeedSource(server.url("/xxe.rss"), capped, follow_links=False).read())
    assert isinstance(lol, dict) and isinstance(xxe, dict)
    assert "lollol" not in json.dumps(lol) and "TOP-SECRET" not in json.dumps(xxe)
    assert time.monotonic() - t < 1.5
    (bomb,) = list(FeedSource(server.url("/bomb.rss"), capped).read())
    assert "decompressed body is over" in bomb.reason
    t = time.monotonic()
    fast = FetchPolicy(allow_networks=("127.0.0.1/32",), timeout_s=1.0, retries=0, resolver=_no_dns)
    (drip,) = list(FeedSource(server.url("/drip.rss"), fast).read())
    assert "total deadline of 1s exceeded" in drip.reason
    assert time.monotonic() - t < 2.0


def test_redirect_from_feed_to_metadata_address_is_refused(server):
    server.routes["/moved.rss"] = redirect("http://169.254.169.254/latest/meta-data/")
    (p,) = list(FeedSource(server.url("/moved.rss"), LOCAL).read())
    assert "refused" in p.reason and "169.254.169.254" in p.reason


# ---------------------------------------------------------------------------------------------
# URLs and URL lists


def test_url_source_reads_a_page_or_a_feed(server):
    _serve_site(server)
    (page,) = list(UrlSource(server.url("/site/x/story"), LOCAL).read())
    assert page["url"] == server.url("/site/x/story") and "<html" in page["html"].lower()
    server.routes["/feed"] = static((FEED_RS / "rss_2.0_nbcny.xml").read_bytes(), "text/xml")
    (item,) = list(UrlSource(server.url("/feed"), LOCAL, follow_links=False).read())
    assert item["title"].startswith("NYC cops search") and item["source"] == server.url("/feed")
    server.routes["/img"] = static(b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png")
    (img,) = list(UrlSource(server.url("/img"), LOCAL).read())
    assert isinstance(img, SourceProblem) and "not an HTML page" in img.reason


def test_url_list_source(server, tmp_path):
    _serve_site(server)
    lst = tmp_path / "urls.txt"
    lst.write_text(
        "# today's links\n"
        f"{server.base}/site/a/one\n"
        "\n"
        f"{server.base}/site/a/missing\n"
        "http://192.168.0.10/router\n"
        f"  {server.base}/site/b/two  \n",
        encoding="utf-8",
    )
    assert is_url_list(lst)
    out = list(UrlListSource(lst, LOCAL).read())
    assert [type(o).__name__ for o in out] == ["dict", "SourceProblem", "SourceProblem", "dict"]
    assert out[0]["source_key"] == f"{lst}:2" and out[0]["url"] == f"{server.base}/site/a/one"
    assert out[1].record_key == f"{lst}:4" and "404" in out[1].reason
    assert out[2].record_key == f"{lst}:5" and "private" in out[2].reason
    assert out[3]["source_key"] == f"{lst}:6" and out[3]["source_path"] == str(lst)


def test_resolve_sources_picks_the_reader(tmp_path, server):
    feed = tmp_path / "news.rss"
    feed.write_bytes((FEED_RS / "rss_2.0_wirecutter.xml").read_bytes())
    urls = tmp_path / "urls.txt"
    urls.write_text("# list\nhttps://example.org/a\nhttp://example.org/b\n", encoding="utf-8")
    article = tmp_path / "story.txt"
    article.write_text("SEOUL — See https://example.org for more.\nA second line.\n", encoding="utf-8")
    (tmp_path / "dir").mkdir()
    got = resolve_sources([str(feed), str(urls), str(article), str(tmp_path / "dir"),
                           "https://example.org/feed.xml", "https://example.org/story", " http://example.org/x.atom "],
                          LOCAL)
    assert [type(s).__name__ for s in got] == ["FeedSource", "UrlListSource", "FileSource", "FolderSource",
                                                "FeedSource", "UrlSource", "FeedSource"]
    assert got[0].policy is LOCAL and got[4].policy is LOCAL
    with pytest.raises(SourceError, match="only http"):
        resolve_sources(["ftp://example.org/feed.xml"])
    (item,) = list(got[0].read())  # a feed file on disk; its item carries full content
    assert item["title"].startswith("How to Teach Someone a Board Game") and item["html"]


def test_read_one_for_extract(server, tmp_path):
    _serve_site(server)
    item = read_one(server.url("/site/z/page"), LOCAL)
    assert item["html"] and item["url"] == server.url("/site/z/page")
    refused = read_one(server.url("/site/z/page"))
    assert isinstance(refused, SourceProblem) and "refused" in refused.reason
    f = tmp_path / "a.txt"
    f.write_text("Just one article.", encoding="utf-8")
    assert read_one(str(f))["text"] == "Just one article."
    assert isinstance(read_one(str(tmp_path / "none.txt")), SourceProblem)


def test_looks_like_feed():
    assert looks_like_feed((RSS_PARSER / "input" / "rss-1.rss").read_bytes())
    assert looks_like_feed((RSS_PARSER / "input" / "heise.atom").read_bytes())
    assert looks_like_feed(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c -->\n<rss version='2.0'>")
    assert not looks_like_feed(_page_bytes(0))

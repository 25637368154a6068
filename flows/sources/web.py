"""Feed and URL sources: RSS/Atom feeds (URL or file), single URLs and URL lists.

They speak the same interface as the file sources (`flows.sources.base.ArticleSource`): `name` and
`read()` yielding raw records or `SourceProblem`s. A problem costs one item (a link that cannot be
fetched, a page that is not HTML) or the one source (a feed that cannot be fetched or is not a
feed), never the run. All HTTP goes through `flows.fetch.fetch` under one `FetchPolicy`.

Records carry the JSONL contract fields: `html` (the feed's full content, else the fetched page),
`url` (the item's link), `title`, `published_at` (UTC ISO), `byline`, `language`, `id`, `source`,
plus `source_key` (`<feed>#<item id>` or `<list>:<line>`) and `source_path` (the spec to re-run).
"""

from __future__ import annotations

import collections
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import httpx

from flows.fetch import FetchError, FetchPolicy, FetchResult, fetch, make_client
from flows.sources.base import SourceItem, SourceProblem, is_url, read_capped
from transforms.decode import decode_bytes, looks_binary
from transforms.feed import NotAFeed, parse_feed

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
MAX_FEED_FILE_BYTES = 64 * 1024 * 1024
MAX_URL_LIST_BYTES = 16 * 1024 * 1024
_HTML_TYPES = {"text/html", "application/xhtml+xml", "application/xml", "text/xml", ""}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
_FEED_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<\?[^>]*>\s*)*"
                         rb"(?:<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>\s*)?<(?:rss|feed|rdf:RDF|RDF)\b", re.S | re.I)
_TAGS = re.compile(r"<[^>]+>")


def looks_like_feed(data: bytes, content_type: str = "") -> bool:
    """RSS/Atom by Content-Type or by the root element (first 4 KB)."""
    return content_type in _FEED_TYPES or bool(_FEED_START.match(data[:4096]))


def _url_lines(data: bytes) -> list[tuple[int, str]]:
    text, _ = decode_bytes(data)
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append((lineno, line))
    return out


def is_url_list(path: Path) -> bool:
    """A .txt file whose non-comment, non-blank lines are all http(s) URLs (at least one)."""
    try:
        if path.stat().st_size > MAX_URL_LIST_BYTES:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if looks_binary(data):
        return False
    lines = _url_lines(data)
    return bool(lines) and all(is_url(line) and " " not in line for _, line in lines)


def _page_record(page: FetchResult, url: str) -> dict[str, Any] | str:
    """The fetched page as a record body, or the reason it is not an article page."""
    ctype = page.content_type
    if ctype == "text/plain":
        if looks_binary(page.content):
            return "binary content served as text/plain"
        text, enc = decode_bytes(page.content, page.charset)
        return {"text": text, "url": url, "encoding": enc}
    if ctype not in _HTML_TYPES:
        return f"not an HTML page (Content-Type {ctype})"
    if looks_binary(page.content):
        return "binary content, not HTML"
    if not page.content.strip():
        return "empty page"
    html, enc = decode_bytes(page.content, page.charset)
    return {"html": html, "url": url, "encoding": enc}


def _text_words(html: str) -> int:
    return len(_TAGS.sub(" ", html).split())


class _Fetcher:
    """Fetches under one policy with one pooled client and a small thread pool, in order."""

    def __init__(self, policy: FetchPolicy, workers: int) -> None:
        self.policy = policy
        self.workers = max(1, workers)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    @property
    def client(self) -> httpx.Client:
        with self._lock:  # worker threads share one pooled client
            if self._client is None:
                self._client = make_client(self.policy)
            return self._client

    def get(self, url: str, accept: str) -> FetchResult:
        return fetch(url, self.policy, self.client, accept=accept)

    def map_ordered(self, jobs: Iterable[Any], fn: Callable[[Any], Any]) -> Iterator[tuple[Any, Any]]:
        """(job, fn(job)) in job order, at most `workers` running and a small window queued."""
        if self.workers == 1:
            for job in jobs:
                yield job, fn(job)
            return
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="dateline-fetch") as pool:
            window: collections.deque[tuple[Any, Future]] = collections.deque()
            for job in jobs:
                window.append((job, pool.submit(fn, job)))
                if len(window) >= self.workers * 2:
                    j, fut = window.popleft()
                    yield j, fut.result()
            while window:
                j, fut = window.popleft()
                yield j, fut.result()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _fetch_page(fetcher: _Fetcher, url: str) -> dict[str, Any] | str:
    """Never raises: a record body or the reason the page could not be used."""
    try:
        page = fetcher.get(url, PAGE_ACCEPT)
    except FetchError as exc:
        return f"cannot fetch: {exc.reason}" + (f" ({exc.url})" if exc.url != url else "")
    return _page_record(page, url)


@dataclass(frozen=True)
class FeedSource:
    """An RSS/Atom feed given as a URL or a file; each item becomes one record.

    An item with full content (content:encoded, atom:content of at least `min_content_words`
    words) is used as is; otherwise its link is fetched and the page is the record's `html`.
    """

    spec: str
    policy: FetchPolicy | None = None
    follow_links: bool = True
    min_content_words: int = 80
    workers: int = 4

    @property
    def name(self) -> str:
        return self.spec

    def read(self) -> Iterator[SourceItem]:
        fetcher = _Fetcher(self.policy or FetchPolicy(), self.workers)
        try:
            yield from self._read(fetcher)
        except Exception as exc:  # a bug here must cost this source, not the run; reported, not hidden
            yield SourceProblem(self.name, self.name, f"feed source failed: {type(exc).__name__}: {exc}")
        finally:
            fetcher.close()

    def _load(self, fetcher: _Fetcher) -> tuple[bytes, str | None, str]:
        """(bytes, content type, base URL) of the feed; raises FetchError/OSError/ValueError."""
        if is_url(self.spec):
            result = fetcher.get(self.spec.strip(), FEED_ACCEPT)
            return result.content, result.headers.get("content-type"), result.final_url
        path = Path(self.spec)
        return read_capped(path, MAX_FEED_FILE_BYTES), None, ""

    def _read(self, fetcher: _Fetcher) -> Iterator[SourceItem]:
        try:
            data, ctype, base = self._load(fetcher)
        except FetchError as exc:
            yield SourceProblem(self.name, self.name, f"cannot fetch feed: {exc}")
            return
        except (OSError, ValueError, EOFError) as exc:
            yield SourceProblem(self.name, self.name, f"cannot read feed file: {exc}")
            return
        yield from feed_records(data, self.name, fetcher, content_type=ctype, base_url=base or None,
                                follow_links=self.follow_links, min_content_words=self.min_content_words)


def feed_records(data: bytes, name: str, fetcher: _Fetcher, *, content_type: str | None = None,
                 base_url: str | None = None, follow_links: bool = True,
                 min_content_words: int = 80) -> Iterator[SourceItem]:
    try:
        items = parse_feed(data, base_url, content_type=content_type)
    except NotAFeed as exc:
        yield SourceProblem(name, name, f"not a feed: {exc}")
        return

    def job(pair: tuple[int, dict[str, Any]]) -> SourceItem:
        idx, item = pair
        key = f"{name}#{item.get('id') or item.get('link') or idx}"
        record: dict[str, Any] = {
            "url": item.get("link"), "title": item.get("title"), "published_at": item.get("published_at"),
            "byline": item.get("author"), "language": item.get("language"), "id": item.get("id"),
            "source": name, "source_key": key, "source_path": name,
        }
        record = {k: v for k, v in record.items() if v not in (None, "")}
        content = item.get("content")
        link = item.get("link")
        if content and (_text_words(content) >= min_content_words or not (follow_links and link)):
            record["html"] = content
            return record
        if link and follow_links:
            body = _fetch_page(fetcher, link)
            if isinstance(body, str):
                return SourceProblem(name, key, f"item link {link}: {body}", record)
            body.pop("url", None)
            record.update(body)
            return record
        if item.get("summary"):
            record["html"] = item["summary"]
            record["feed_summary_only"] = True
            return record
        return SourceProblem(name, key, "feed item has no content, no summary and no link to fetch", record)

    pairs = list(enumerate(items, start=1))
    for _, out in fetcher.map_ordered(pairs, job):
        yield out


@dataclass(frozen=True)
class UrlSource:
    """One URL: an article page (one record), or — when it turns out to be RSS/Atom — a feed."""

    url: str
    policy: FetchPolicy | None = None
    follow_links: bool = True

    @property
    def name(self) -> str:
        return self.url

    def read(self) -> Iterator[SourceItem]:
        fetcher = _Fetcher(self.policy or FetchPolicy(), 4)
        try:
            try:
                page = fetcher.get(self.url.strip(), PAGE_ACCEPT + ", application/rss+xml;q=0.8, application/atom+xml;q=0.8")
            except FetchError as exc:
                yield SourceProblem(self.name, self.name, f"cannot fetch: {exc}")
                return
            if looks_like_feed(page.content, page.content_type):
                yield from feed_records(page.content, self.name, fetcher,
                                        content_type=page.headers.get("content-type"),
                                        base_url=page.final_url, follow_links=self.follow_links)
                return
            body = _page_record(page, self.url)
            if isinstance(body, str):
                yield SourceProblem(self.name, self.name, body)
                return
            yield {**body, "source": self.name, "source_key": self.name, "source_path": self.name}
        except Exception as exc:
            yield SourceProblem(self.name, self.name, f"URL source failed: {type(exc).__name__}: {exc}")
        finally:
            fetcher.close()


@dataclass(frozen=True)
class UrlListSource:
    """A text file of article URLs, one per line; blank lines and `#` comments are skipped."""

    path: Path
    policy: FetchPolicy | None = None
    workers: int = 4

    @property
    def name(self) -> str:
        return str(self.path)

    def read(self) -> Iterator[SourceItem]:
        try:
            data = read_capped(Path(self.path), MAX_URL_LIST_BYTES)
        except (OSError, ValueError, EOFError) as exc:
            yield SourceProblem(self.name, self.name, f"cannot read URL list: {exc}")
            return
        fetcher = _Fetcher(self.policy or FetchPolicy(), self.workers)

        def job(pair: tuple[int, str]) -> SourceItem:
            lineno, url = pair
            key = f"{self.name}:{lineno}"
            if not is_url(url) or " " in url:
                return SourceProblem(self.name, key, f"not an http(s) URL: {url[:200]!r}", {"line": url[:2000]})
            body = _fetch_page(fetcher, url)
            if isinstance(body, str):
                return SourceProblem(self.name, key, f"{url}: {body}", {"url": url})
            return {**body, "source": self.name, "source_key": key, "source_path": self.name}

        try:
            for _, out in fetcher.map_ordered(_url_lines(data), job):
                yield out
        except Exception as exc:
            yield SourceProblem(self.name, self.name, f"URL list failed: {type(exc).__name__}: {exc}")
        finally:
            fetcher.close()

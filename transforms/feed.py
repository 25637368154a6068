"""RSS / Atom bytes to item dicts — pure: no network, no files.

feedparser is always handed a ``BytesIO``: given ``bytes`` or ``str`` it may treat the value as a
file name or URL and read or fetch it (feedparser's own docs warn about untrusted strings).

Entity bombs and XXE: feedparser removes every ``<!ENTITY>`` except ones that are a single numeric
character reference, and its SAX parser has external general entities switched off; expat ≥ 2.4
also limits entity amplification. We do not rely on those alone: a document whose DOCTYPE declares
any entity has its whole DOCTYPE removed before parsing (undeclared references then stay literal
text, ``&lol9;``), so nothing is ever expanded or read.

Output items (one dict per entry)::

    title, link (absolute), id (guid / atom id), published_at (UTC ISO 8601 or None),
    updated_at, summary (HTML as in the feed, sanitised by feedparser), author,
    content (full HTML body from content:encoded / atom:content, or None), language
"""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import html as htmllib
import io
import re
import time
from typing import Any
from urllib.parse import urljoin

import feedparser

__all__ = ["NotAFeed", "parse_feed", "strip_entity_declarations"]


class NotAFeed(ValueError):
    """The bytes are not an RSS/Atom feed (or not one we can read safely)."""


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_HTML_START = re.compile(rb"<!DOCTYPE\s+html|<html[\s>]", re.IGNORECASE)
_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_DECL_ENCODING = re.compile(rb"""^(<\?xml[^>]*?)\s+encoding\s*=\s*["'][^"']*["']""")


def _to_utf8(data: bytes) -> bytes:
    """UTF-16/32 documents re-encoded as UTF-8 so the byte-level DOCTYPE scan sees them."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            break
    else:
        if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
            enc = "utf-16-le" if data[0] == 0x3C else "utf-16-be"
        else:
            return data
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise NotAFeed(f"declared {enc} but the bytes do not decode: {exc}") from None
    out = text.lstrip("\ufeff").encode("utf-8")
    return _XML_DECL_ENCODING.sub(rb"\1", out, count=1)


def _doctype_end(data: bytes, start: int) -> int:
    """Index just past the DOCTYPE declaration starting at ``start`` (quote- and bracket-aware)."""
    depth, quote, i, n = 0, 0, start + 9, len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif data.startswith(b"<!--", i):
            end = data.find(b"-->", i + 4)
            if end < 0:
                break
            i = end + 3
            continue
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth -= 1
        elif c == 0x3E and depth <= 0:  # >
            return i + 1
        i += 1
    raise NotAFeed("unterminated <!DOCTYPE> declaration")


def strip_entity_declarations(data: bytes) -> tuple[bytes, bool]:
    """Remove a DOCTYPE that declares entities; returns (bytes, whether anything was removed)."""
    m = _DOCTYPE.search(data)
    if m is None:  # without a DOCTYPE no entity can be declared
        return data, False
    end = _doctype_end(data, m.start())
    if not _ENTITY.search(data, m.start(), end):
        return data, False
    return data[: m.start()] + data[end:], True


def _iso(parsed: time.struct_time | None) -> str | None:
    if not parsed:
        return None
    try:
        return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc).isoformat()
    except (TypeError, ValueError):
        return None


_MONTHS = {
    # en, it, pt, es, fr, de, nl: first letters of month names / abbreviations (accents folded)
    "jan": 1, "gen": 1, "ene": 1, "janv": 1, "jän": 1, "jaen": 1,
    "feb": 2, "fev": 2, "fév": 2, "févr": 2, "fevr": 2,
    "mar": 3, "mär": 3, "mrz": 3, "mars": 3, "maa": 3,
    "apr": 4, "abr": 4, "avr": 4,
    "may": 5, "mag": 5, "mai": 5, "mei": 5,
    "jun": 6, "giu": 6, "juin": 6,
    "jul": 7, "lug": 7, "juil": 7,
    "aug": 8, "ago": 8, "aoû": 8, "aou": 8, "août": 8, "aout": 8,
    "sep": 9, "set": 9, "sept": 9,
    "oct": 10, "ott": 10, "out": 10, "okt": 10,
    "nov": 11,
    "dec": 12, "dic": 12, "dez": 12, "déc": 12,
}
_LOCAL_DATE = re.compile(
    r"(\d{1,2})\.?\s+([^\W\d_]+)\.?\s+(\d{4})(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:([+-])(\d{2}):?(\d{2})|(GMT|UTC|UT|Z))?",
    re.IGNORECASE,
)


def _local_date(raw: str | None) -> str | None:
    """RFC 822-shaped dates with non-English names ("mer, 16 nov 2022 00:38:15 +0100") as UTC ISO.

    feedparser only knows English names; without a zone the time is taken as UTC, as feedparser does.
    """
    if not raw:
        return None
    m = _LOCAL_DATE.search(raw)
    if not m:
        return None
    day, month_name, year, hh, mm, ss, sign, oh, om, _utc = m.groups()
    name = month_name.lower()
    month = next((_MONTHS[name[:n]] for n in (4, 3) if name[:n] in _MONTHS), None)
    if month is None:
        return None
    offset = dt.timedelta(0)
    if sign:
        offset = dt.timedelta(hours=int(oh), minutes=int(om)) * (1 if sign == "+" else -1)
    try:
        local = dt.datetime(int(year), month, int(day), int(hh), int(mm), int(ss or 0), tzinfo=dt.timezone(offset))
    except ValueError:
        return None
    return local.astimezone(dt.timezone.utc).isoformat()


def _plain(value: str | None, detail: Any) -> str | None:
    """A title as plain text (feedparser keeps HTML titles as markup)."""
    if not value:
        return None
    if isinstance(detail, dict) and "html" in str(detail.get("type", "")):
        value = htmllib.unescape(re.sub(r"<[^>]*>", "", value))
    return " ".join(value.split()) or None


def _content(entry: Any) -> str | None:
    """The longest HTML/text body the entry carries (content:encoded, atom:content)."""
    bodies = [c.get("value") or "" for c in entry.get("content") or [] if isinstance(c, dict)]
    bodies = [b for b in bodies if b.strip()]
    return max(bodies, key=len) if bodies else None


def _author(entry: Any) -> str | None:
    if entry.get("author"):
        return str(entry["author"]).strip() or None
    names = [a.get("name") for a in entry.get("authors") or [] if isinstance(a, dict) and a.get("name")]
    return ", ".join(names) or None


def parse_feed(data: bytes, url: str | None = None, *, content_type: str | None = None) -> list[dict[str, Any]]:
    """Items of an RSS/Atom feed given as bytes; raises NotAFeed when the bytes are not a feed.

    ``url`` is the feed's location, used to make relative links absolute; ``content_type`` is the
    HTTP Content-Type (its charset is honoured when the document does not declare one).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("parse_feed takes bytes")
    where = url or "feed"
    if not data.strip():
        raise NotAFeed(f"{where}: empty document")
    data, _ = strip_entity_declarations(_to_utf8(bytes(data)))
    headers = {}
    if url:
        headers["content-location"] = url
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or None,
                              resolve_relative_uris=True, sanitize_html=True)
    entries = parsed.get("entries") or []
    if not entries:
        if _HTML_START.search(data[:2048]):
            raise NotAFeed(f"{where}: an HTML page, not an RSS/Atom feed")
        if parsed.get("bozo"):
            exc = parsed.get("bozo_exception")
            raise NotAFeed(f"{where}: not a readable RSS/Atom feed ({type(exc).__name__}: {exc})")
        if parsed.get("version"):
            raise NotAFeed(f"{where}: a {parsed['version']} feed with no items")
        raise NotAFeed(f"{where}: not an RSS/Atom feed (no channel, feed or items found)")
    feed_meta = parsed.get("feed") or {}
    language = feed_meta.get("language") or None
    base = url or feed_meta.get("link") or None
    items = []
    for entry in entries:
        link = (entry.get("link") or "").strip() or None
        if link and base:
            link = urljoin(base, link)
        if link and not link.lower().startswith(("http://", "https://")):
            link = None  # e.g. an Atom tag: URI standing in for a missing link
        # dict.get: FeedParserDict.get("updated_parsed") silently falls back to published (and warns)
        raw = functools.partial(dict.get, entry)
        published = _iso(raw("published_parsed") or raw("updated_parsed") or raw("created_parsed"))
        if published is None:
            published = _local_date(raw("published") or raw("updated"))
        items.append({
            "title": _plain(entry.get("title"), entry.get("title_detail")),
            "link": link,
            "id": entry.get("id") or None,
            "published_at": published,
            "updated_at": _iso(raw("updated_parsed")),
            "summary": entry.get("summary") or None,
            "author": _author(entry),
            "content": _content(entry),
            "language": language,
        })
    return items

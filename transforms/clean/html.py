"""Cleaning an HTML page: trafilatura extracts the body, the page's own tags fill the gaps.

Title, author, site name and date come from trafilatura first, then from og/meta tags,
``<title>`` and htmldate; a site-name part is trimmed from a title only with evidence. The
extracted lines then go through the same boilerplate rules as text dumps, which catch captions,
credits and widgets that trafilatura lets through.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from transforms.clean.dump import _assemble, _classify, _split_lines
from transforms.clean.metadata import detect_language
from transforms.clean.model import CleanArticle
from transforms.clean.normalise import normalize_text
from transforms.clean.rules import _fold, load_rules


_EMPTY = CleanArticle("", None, None, None, None, None, ())
_DATE_META = (
    "article:published_time", "og:article:published_time", "datePublished", "date",
    "pubdate", "publishdate", "publish-date", "dc.date", "dc.date.issued", "dcterms.created",
    "sailthru.date", "parsely-pub-date", "article.published",
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_WHOLE_DOCUMENT = re.compile(r"<!doctype|<(?:html|head|body)[\s>]", re.IGNORECASE)


def _parse_tree(html: str) -> Any | None:
    try:
        from lxml import html as lxml_html

        return lxml_html.fromstring(_XML_DECL.sub("", html, count=1))
    except Exception:
        return None


def _meta(tree: Any, *names: str) -> str | None:
    wanted = {n.lower() for n in names}
    try:
        for el in tree.iter("meta"):
            key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
            if key in wanted:
                value = (el.get("content") or "").strip()
                if value:
                    return value
    except Exception:
        return None
    return None


def _iso_or_none(value: str | None) -> str | None:
    """Keep a date string only if it parses as ISO 8601 (returned as found)."""
    if not value:
        return None
    value = value.strip()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _html_title(tree: Any) -> str | None:
    title = _meta(tree, "og:title", "twitter:title")
    if not title:
        try:
            el = tree.find(".//title")
            title = el.text_content() if el is not None else None
        except Exception:
            title = None
    title = normalize_text(title or "").replace("\n", " ").strip()
    return title or None


_TITLE_SEP = re.compile(r"\s+[|–—»·:-]\s+|\s*[|｜ㅣ_]\s*|(?<=[\u3000-\u9fff\uac00-\ud7af])\s*[-–—]\s*")


def _site_key(value: str | None) -> str:
    return re.sub(r"[\W_]+", "", (value or "").casefold())


def _page_headings(tree: Any) -> list[str]:
    try:
        return [normalize_text(h.text_content()).replace("\n", " ") for h in tree.iter("h1")][:5]
    except Exception:
        return []


def _tidy_title(title: str, site: str | None, url: str | None, headings: list[str]) -> str:
    """Drop the site-name part of ``"Headline | Site"`` / ``"Site - Headline"`` style titles.

    A segment is dropped only with evidence: it matches the site name or the URL host, or the
    rest of the title is exactly the page's own <h1>.
    """
    for h in headings:
        if h and h != title and len(h) >= 0.4 * len(title) and _fold(h) and _fold(h) in _fold(title):
            parts = [p for p in _TITLE_SEP.split(title) if p.strip()]
            if any(_fold(p) == _fold(h) for p in parts) or _fold(title).startswith(_fold(h)):
                return h
    keys = {k for k in (_site_key(site),) if len(k) >= 3}
    if url:
        host = re.sub(r"^(?:https?://)?(?:www\.)?", "", url.casefold()).split("/")[0]
        keys |= {_site_key(p) for p in host.split(".")[:-1] if len(p) >= 3}
    if not keys:
        return title
    parts = [m for m in _TITLE_SEP.split(title)]
    seps = _TITLE_SEP.findall(title)
    if not seps:
        return title

    def site_like(seg: str) -> bool:
        k = _site_key(seg)
        return bool(k) and any(k == key or key in k or (k in key and len(k) >= 4) for key in keys)

    # strip trailing then leading site segments, never leaving less than one segment
    while len(parts) > 1 and site_like(parts[-1]):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and site_like(parts[0]):
        parts.pop(0)
        seps.pop(0)
    out = parts[0]
    for sep, part in zip(seps, parts[1:]):
        out += sep + part
    return out.strip() or title


def _html_date(html: str, tree: Any) -> str | None:
    found = _iso_or_none(_meta(tree, *_DATE_META)) if tree is not None else None
    if found:
        return found
    try:
        from htmldate import find_date

        # bytes, never the string: htmldate downloads any str that looks like a URL (an SSRF)
        return find_date(html.encode("utf-8"), extensive_search=False) or None
    except Exception:
        return None


def _trafilatura(html: str, url: str | None) -> Any | None:
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        favor_precision=False,
        favor_recall=False,
        deduplicate=False,
    )


def _attr(doc: Any, name: str) -> str | None:
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def clean_html(html: str, url: str | None = None) -> CleanArticle:
    """Extract the article body and metadata from an HTML page.

    trafilatura does the heavy lifting (main-content detection, title, author, date, site
    name); the page's own ``article:published_time``/``<title>``/og tags and htmldate fill gaps.
    The extracted lines then go through the same boilerplate rules as text dumps (captions,
    credits, "Advertisement", share widgets) that trafilatura lets through. Never raises: an
    unextractable page gives ``text == ""`` so the caller can quarantine it.
    """
    if not isinstance(html, str) or not html.strip():
        return _EMPTY
    html = html.replace("\x00", "")
    if not _WHOLE_DOCUMENT.search(html[:4096]):
        # a fragment (a feed item's content:encoded, a JSONL `html` of one <p>): trafilatura takes a
        # lone block for "not HTML" and extracts nothing, so give it the document around it
        html = f"<html><body>{html}</body></html>"
    tree = _parse_tree(html)
    try:
        doc = _trafilatura(html, url)
    except Exception:
        doc = None

    raw_text = _attr(doc, "text") if doc is not None else None
    title = _attr(doc, "title") if doc is not None else None
    author = _attr(doc, "author") if doc is not None else None
    site = _attr(doc, "sitename") if doc is not None else None
    date = _attr(doc, "date") if doc is not None else None

    if tree is not None:
        title = title or _html_title(tree)
        site = site or _meta(tree, "og:site_name", "application-name")
        page_date = _iso_or_none(_meta(tree, *_DATE_META))
        # Prefer the page's full timestamp when it agrees with trafilatura's day.
        if page_date and (date is None or page_date.startswith(date)):
            date = page_date
    if date is None:
        date = _html_date(html, tree)
    title = normalize_text(title).replace("\n", " ") if title else None
    if title:
        title = _tidy_title(title, site, url, _page_headings(tree) if tree is not None else [])

    if not raw_text:
        return CleanArticle("", title, author, date, None, site, ())

    # our own rules run unguarded: a bug here quarantines the record (`clean_failed`), never
    # passes the page through uncleaned
    rules = load_rules()
    lines = _split_lines(raw_text)
    classified = _classify(lines, rules, title, zones=False, guess_title=False)
    if lines and title and _fold(lines[0]) == _fold(title):
        classified.kinds[0] = "title"
    body, removed = _assemble(classified)
    return CleanArticle(
        text=body,
        title=title or None,
        byline=author,
        published_at=date,
        language=detect_language(body),
        site_name=site,
        removed=removed,
    )

"""Reuters-21578 SGML (`reut2-*.sgm`) → raw article records (the JSONL contract's fields).

The collection is the classic newswire test set: each `<REUTERS NEWID=…>` record holds a
`<DATE>` and a `<TEXT>` with optional `<TITLE>`, `<DATELINE>` and `<BODY>`. It is SGML, not
XML (unquoted attributes in places, `&#3;` control entities, a `<BODY>` tag that an HTML parser
would treat as the page body), so a tolerant record-by-record scan with the standard library's
entity decoder is the dependable reader. Pure: text in, records out.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any, Iterator

_RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S | re.I)
_NEWID = re.compile(r'\bNEWID\s*=\s*"?(\d+)', re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TRAILER = re.compile(r"\s*\breuter\s*$", re.I)  # the wire's sign-off after every body


def _element(name: str, text: str) -> str | None:
    match = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", text, re.S | re.I)
    return match.group(1) if match else None


def _plain(fragment: str | None) -> str:
    """Entities decoded, control characters (&#3; ends each story) and stray tags removed."""
    if not fragment:
        return ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return _CONTROL.sub("", text).strip()


_PARAGRAPH = re.compile(r"\n[ \t]+(?=\S)")  # the wire indents each new paragraph


def unwrap(text: str) -> str:
    """The wire's fixed-width lines joined back into paragraphs (blank line between paragraphs),
    so the text reads like any other article and the dump cleaner sees prose, not short lines."""
    paragraphs = _PARAGRAPH.split(text)
    return "\n\n".join(re.sub(r"\s*\n\s*", " ", p).strip() for p in paragraphs if p.strip())


def parse_date(value: str | None) -> str | None:
    """`26-FEB-1987 15:01:01.79` → `1987-02-26T15:01:01` (the wire's clock; no zone given)."""
    if not value:
        return None
    try:
        stamp = dt.datetime.strptime(value.strip().split(".")[0], "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None
    return stamp.isoformat()


def parse_reuters_sgml(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(NEWID, record) per story: `text` is the dateline and body (a brief's title when it has
    no body), plus `title`, `published_at` and `id`. A story with no text yields an empty `text`
    so the caller can report it rather than drop it silently."""
    for attrs, inner in _RECORD.findall(text):
        id_match = _NEWID.search(attrs)
        newid = id_match.group(1) if id_match else ""
        story = _element("TEXT", inner) or ""
        title = _plain(_element("TITLE", story))
        dateline = _plain(_element("DATELINE", story))
        body = _element("BODY", story)
        if body is not None:
            content = _TRAILER.sub("", _plain(body))
        else:  # TYPE="UNPROC" stories are bare text; TYPE="BRIEF" ones only a title
            content = _TRAILER.sub("", _plain(story)) if not title else ""
        content = content or title
        content = unwrap(content)
        full = f"{dateline} {content}".strip() if dateline and content else content
        record: dict[str, Any] = {"id": newid, "text": full}
        if title:
            record["title"] = title
        published = parse_date(_plain(_element("DATE", inner)))
        if published:
            record["published_at"] = published
        yield newid, record

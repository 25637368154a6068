"""Article identity: canonical URLs, deterministic ids and content hashes.

The same article read from a feed and from a folder must become one row, so ids come from the
canonical URL when there is one, else from the normalised text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, Mapping
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid",
        "_ga", "_gl", "ref", "ref_src", "cmpid", "ncid", "ocid", "smid", "sr_share",
        "icid", "cid", "s_cid", "spm", "share", "from", "xtor", "wt_mc", "at_medium",
        "at_campaign",
    }
)
"""Query parameters that track a click and never select content."""

_WS = re.compile(r"\s+")


def canonical_url(url: str | None) -> str | None:
    """Same article, same URL: lowercase scheme and host, no default port, fragment or trackers."""
    if url is None:
        return None
    url = url.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    # Percent-encode what a URL may not contain (spaces, controls); existing escapes stay as they are.
    path = quote(parts.path, safe="/%:@!$&'()*+,;=-._~") or "/"
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def domain_of(url: str | None) -> str | None:
    """Registered host of a URL without a leading www., for grouping by site."""
    canon = canonical_url(url)
    if canon is None:
        return None
    host = urlsplit(canon).hostname or ""
    return host[4:] if host.startswith("www.") else host


def normalised_text(text: str) -> str:
    """Text reduced to what identifies it: NFKC, casefolded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def _digest(prefix: str, value: str) -> str:
    return hashlib.sha256(f"{prefix}:{value}".encode("utf-8")).hexdigest()[:16]


def article_id(url: str | None, text: str) -> str:
    """Deterministic article id: hash of the canonical URL, else of the normalised text."""
    canon = canonical_url(url)
    if canon is not None:
        return _digest("url", canon)
    return _digest("text", normalised_text(text))


def content_hash(text: str) -> str:
    """Hash of the exact clean text: unchanged content with the same pipeline skips NLP."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


READER_KEYS = frozenset({"source_key", "source_path", "unread_columns"})
"""Keys a reader adds to say where a record was read; not part of the record's content."""


def record_fingerprint(raw: Mapping[str, Any], salt: str = "") -> str:
    """Hash of a raw input record (every field but the reader's bookkeeping) and of the settings
    that shape its cleaning (`salt`): an identical record seen before is skipped before cleaning,
    which is what makes a re-run on unchanged input nearly free."""
    h = hashlib.sha256(salt.encode("utf-8"))
    for key in sorted(k for k in raw if k not in READER_KEYS):
        value = raw[key]
        h.update(b"\x1e" + str(key).encode("utf-8") + b"\x1f")
        h.update(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else repr(value).encode("utf-8"))
    return h.hexdigest()


def stable_id(*parts: object) -> str:
    """Short deterministic id from parts (entity and event ids)."""
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:16]

"""Raw source records → clean `articles` rows, `removed_spans` rows and rejects.

Input: dicts with the JSONL contract fields (`text` or `html`, `url`, `title`, `published_at`,
`source`, `language`, `id`) plus `source_key` (file:line) from the reader. Output frames follow
`warehouse/schema.sql`. Pure: no I/O, no Prefect.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence
from zoneinfo import ZoneInfo

import polars as pl

from transforms import clean
from transforms.identity import article_id, canonical_url, content_hash, domain_of, record_fingerprint

ARTICLE_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String,
    "external_id": pl.String,
    "url": pl.String,
    "canonical_url": pl.String,
    "source": pl.String,
    "source_path": pl.String,
    "domain": pl.String,
    "title": pl.String,
    "byline": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "published_precision": pl.String,
    "language": pl.String,
    "text": pl.String,
    "word_count": pl.Int32,
    "content_hash": pl.String,
    "dup_of": pl.String,
    "first_seen_run": pl.String,
    "run_id": pl.String,
    "pipeline_version": pl.String,
    "ingested_at": pl.Datetime("us", "UTC"),
}
REMOVED_SCHEMA: dict[str, pl.DataType] = {
    "article_id": pl.String,
    "span_idx": pl.Int32,
    "kind": pl.String,
    "text": pl.String,
    "run_id": pl.String,
}
FINGERPRINT_SCHEMA: dict[str, pl.DataType] = {
    "raw_hash": pl.String,
    "article_id": pl.String,
    "pipeline_version": pl.String,
}
_WORD = re.compile(r"\w+", re.UNICODE)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")


@dataclass(frozen=True)
class Reject:
    """A record that cannot become an article, with the reason (it goes to `quarantine`)."""

    table_name: str
    record_key: str
    record: str  # JSON, body truncated
    reasons: tuple[str, ...]
    source: str | None = None


@dataclass(frozen=True)
class ArticlesBatch:
    articles: pl.DataFrame
    removed: pl.DataFrame
    rejects: list[Reject]
    duplicates: int  # rows dropped because a later row in the batch had the same article_id
    fingerprints: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=FINGERPRINT_SCHEMA))
    """raw_hash → article_id for every record that became (or was superseded by) an article row."""


def parse_published(value: Any, default_tz: str = "UTC") -> tuple[dt.datetime | None, str]:
    """ISO 8601 date or datetime → (UTC datetime, precision); naive times take `default_tz`.

    Precision is "day" for a bare date and "time" for a datetime; an unparseable value is
    (None, "none") and the caller records why.
    """
    if value is None:
        return None, "none"
    if isinstance(value, dt.datetime):
        parsed, precision = value, "time"
    elif isinstance(value, dt.date):
        parsed, precision = dt.datetime(value.year, value.month, value.day), "day"
    else:
        text = str(value).strip()
        if not text:
            return None, "none"
        precision = "day" if _DATE_ONLY.match(text) else "time"
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            parsed = _other_date_format(text)
            if parsed is None:
                return None, "invalid"
            precision = "time" if _CLOCK.search(text) else "day"
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_tz))
    return parsed.astimezone(dt.timezone.utc), precision


def _other_date_format(text: str) -> dt.datetime | None:
    """A date written another way than ISO 8601 ("2017/2/7", "7 February 2017", "Feb 7, 2017 10:00"),
    read by dateparser; only with a four-digit year, so nothing relative ("yesterday") is taken
    and no date is invented. Ambiguous day/month orders are read month first, as dateparser does."""
    if not _YEAR.search(text):
        return None
    import dateparser

    return dateparser.parse(text, languages=["en"], settings={"RETURN_AS_TIMEZONE_AWARE": False,
                                                               "STRICT_PARSING": True})


def normalise_language(code: Any) -> str | None:
    """BCP 47 tag ("en-GB", "EN_us", "eng") → ISO 639-1 ("en"), or None when it is not one."""
    if not code:
        return None
    primary = re.split(r"[-_]", str(code).strip().lower())[0]
    if len(primary) == 3:
        try:
            import pycountry

            lang = pycountry.languages.get(alpha_3=primary)
            primary = getattr(lang, "alpha_2", "") if lang else ""
        except (KeyError, LookupError):
            primary = ""
    return primary if re.fullmatch(r"[a-z]{2}", primary) else None


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _record_json(raw: Mapping[str, Any], limit: int = 2000) -> str:
    """The raw record as JSON for quarantine, bodies cut so a giant input stays inspectable."""
    out = {}
    for k, v in raw.items():
        if isinstance(v, str) and len(v) > limit:
            v = v[:limit] + f"… [{len(v)} chars]"
        out[k] = v
    return json.dumps(out, ensure_ascii=False, default=str)


def html_limit_problem(html: str) -> str | None:
    """Why lxml would silently drop part of this HTML, or None.

    libxml2 (behind lxml) stops at 256 nested elements and at a text node over 10,000,000 bytes
    and returns what it has parsed so far with no exception: the article would load truncated.
    We parse once more with the same limits and read the parser's error log for resource-limit
    errors; such a page is quarantined instead (`html_too_deep`, `html_text_node_too_large`).
    """
    if len(html) < 4096 and html.count("<") < 256:
        return None  # too small to reach either limit
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser()
    try:
        lxml_html.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1), parser=parser)
    except (etree.ParserError, ValueError):
        pass  # empty or unparseable: the cleaner reports it as an empty text
    for err in parser.error_log:
        if err.type_name == "ERR_RESOURCE_LIMIT" or "XML_PARSE_HUGE" in err.message:
            if "depth" in err.message.lower():
                return "html_too_deep: more than 256 nested elements (lxml would drop the rest of the page)"
            return f"html_text_node_too_large: {err.message.strip()} (lxml would truncate the text)"
    return None


def clean_record(raw: Mapping[str, Any]) -> clean.CleanArticle:
    """HTML goes through the HTML extractor, text through the text-dump cleaner."""
    html = raw.get("html")
    if html:
        return clean.clean_html(html, url=raw.get("url"))
    return clean.clean_text_dump(raw.get("text") or "", title=raw.get("title"))


def build_articles(
    raws: Iterable[Mapping[str, Any]],
    *,
    run_id: str,
    pipeline_version: str,
    now: dt.datetime,
    max_chars: int = 1_000_000,
    default_tz: str = "UTC",
    fingerprints: Sequence[str] | None = None,
) -> ArticlesBatch:
    """Clean each raw record into an article row; the last record wins for a repeated id.

    `fingerprints` are the records' `record_fingerprints` when the caller has them already.
    """
    raws = list(raws)
    if fingerprints is None:
        fingerprints = record_fingerprints(raws, pipeline_version=pipeline_version, max_chars=max_chars,
                                           default_tz=default_tz)
    loaded_by: dict[str, str] = {}
    rows: dict[str, dict[str, Any]] = {}
    removed: dict[str, list[clean.Removed]] = {}
    rejects: list[Reject] = []
    duplicates = 0
    for raw, fingerprint in zip(raws, fingerprints, strict=True):
        key = str(raw.get("source_key") or raw.get("source") or "?")
        body = raw.get("html") or raw.get("text") or ""
        if len(body) > max_chars * 4:
            rejects.append(Reject("articles", key, _record_json(raw), ("too_large",), raw.get("source_path")))
            continue
        limit = html_limit_problem(raw["html"]) if raw.get("html") else None
        if limit:
            rejects.append(Reject("articles", key, _record_json(raw), (limit,), raw.get("source_path")))
            continue
        try:
            cleaned = clean_record(raw)
        except Exception as exc:  # a cleaner bug must cost one record, not the batch
            rejects.append(Reject("articles", key, _record_json(raw), (f"clean_failed: {type(exc).__name__}: {exc}",), raw.get("source_path")))
            continue
        text = cleaned.text
        if not text.strip():  # empty or whitespace-only (or all boilerplate): nothing to load
            rejects.append(Reject("articles", key, _record_json(raw), ("empty_text: nothing left after cleaning",),
                                  raw.get("source_path")))
            continue
        if len(text) > max_chars:
            rejects.append(Reject("articles", key, _record_json(raw), ("too_large",), raw.get("source_path")))
            continue
        url = raw.get("url") or None
        published, precision = parse_published(raw.get("published_at"), default_tz)
        if precision == "invalid":
            rejects.append(
                Reject("articles", key, _record_json(raw), (f"invalid published_at: {raw.get('published_at')!r}",),
                       raw.get("source_path"))
            )
            continue
        if published is None and cleaned.published_at:
            published, precision = parse_published(cleaned.published_at, default_tz)
            if precision == "invalid":
                published, precision = None, "none"
        aid = article_id(url, text)
        if aid in rows:
            duplicates += 1
        rows[aid] = {
            "article_id": aid,
            "external_id": str(raw["id"]) if raw.get("id") not in (None, "") else None,
            "url": url,
            "canonical_url": canonical_url(url),
            "source": raw.get("source") or None,
            "source_path": raw.get("source_path"),
            "domain": domain_of(url),
            "title": raw.get("title") or cleaned.title,
            "byline": raw.get("byline") or cleaned.byline,
            "published_at": published,
            "published_precision": precision,
            "language": normalise_language(raw.get("language")) or cleaned.language,
            "text": text,
            "word_count": word_count(text),
            "content_hash": content_hash(text),
            "dup_of": None,
            "first_seen_run": run_id,
            "run_id": run_id,
            "pipeline_version": pipeline_version,
            "ingested_at": now,
        }
        removed[aid] = list(cleaned.removed)
        loaded_by[fingerprint] = aid
    articles = pl.DataFrame(list(rows.values()), schema=ARTICLE_SCHEMA)
    removed_rows = [
        {"article_id": aid, "span_idx": i, "kind": r.kind, "text": r.text, "run_id": run_id}
        for aid, spans in removed.items()
        for i, r in enumerate(spans)
    ]
    fp = pl.DataFrame({"raw_hash": list(loaded_by), "article_id": list(loaded_by.values()),
                       "pipeline_version": [pipeline_version] * len(loaded_by)}, schema=FINGERPRINT_SCHEMA)
    return ArticlesBatch(articles, pl.DataFrame(removed_rows, schema=REMOVED_SCHEMA), rejects, duplicates, fp)


def record_fingerprints(raws: Sequence[Mapping[str, Any]], *, pipeline_version: str, max_chars: int,
                        default_tz: str) -> list[str]:
    """One `raw_hash` per record, salted with what besides the record decides its article row
    (pipeline version and cleaning settings): a change of either re-processes the record."""
    salt = f"{pipeline_version}|{max_chars}|{default_tz}"
    return [record_fingerprint(raw, salt) for raw in raws]


def build_changed_articles(
    raws: Sequence[Mapping[str, Any]],
    fingerprints: Sequence[str],
    known: Mapping[str, str],
    **build: Any,
) -> tuple[ArticlesBatch, list[str]]:
    """`build_articles` for the records not loaded before (`known`: raw_hash → article_id);
    returns the batch and the fingerprints of the records skipped.

    A known record whose article a new record of this batch also writes is built again with it,
    so "the last record wins" inside a batch whether or not its records were seen before.
    """
    def built(keep: list[bool]) -> ArticlesBatch:
        return build_articles([r for r, k in zip(raws, keep) if k], fingerprints=[f for f, k in zip(fingerprints, keep) if k],
                              **build)

    keep = [f not in known for f in fingerprints]
    batch = built(keep)
    new_ids = set(batch.articles["article_id"].to_list())
    again = [k or known[f] in new_ids for f, k in zip(fingerprints, keep)]
    if again != keep:
        batch = built(again)
    return batch, [f for f, k in zip(fingerprints, again) if not k]


UNCHANGED_IF_SAME = ["content_hash", "pipeline_version", "url", "title", "byline", "published_at",
                     "language", "external_id", "source"]
"""An article whose clean text and these fields are as loaded needs no NLP (event dates depend on
published_at, so a changed date re-processes the article)."""


def unchanged_ids(articles: pl.DataFrame, stored: pl.DataFrame) -> set[str]:
    """Ids of `articles` whose `UNCHANGED_IF_SAME` columns equal the `stored` row's (nulls equal)."""
    if stored.height == 0:
        return set()
    mine = articles.select("article_id", *UNCHANGED_IF_SAME)
    stored = stored.select(mine.columns).cast(dict(mine.schema))
    return set(mine.join(stored, on=mine.columns, how="semi", nulls_equal=True)["article_id"].to_list())

"""Which input column holds which contract field, for JSONL rows and CSV files made by others.

A dataset rarely names its columns `published_at` and `url`: dai2017 has `publish_date` and
`article_source_link`, scrapers write `link`, `body`, `author`. Common names are recognised, an
explicit mapping (`--map published_at=publish_date`) wins over them, and the columns nothing reads
are reported, so no column is dropped without a word. Pure.
"""

from __future__ import annotations

from typing import Iterable, Mapping

FIELDS = ("id", "url", "title", "published_at", "source", "language", "text", "html", "byline")

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("article_id", "doc_id", "guid", "uuid", "identifier"),
    "url": ("link", "article_url", "article_link", "source_url", "article_source_link", "href", "permalink"),
    "title": ("headline", "heading", "article_title"),
    "published_at": ("publish_date", "published", "published_date", "publication_date", "pub_date", "pubdate",
                     "date_published", "publishedat", "date", "datetime", "timestamp", "time", "created_at"),
    "source": ("publisher", "outlet", "source_name", "site_name", "newspaper", "site"),
    "language": ("lang", "locale"),
    "text": ("body", "content", "article", "article_text", "full_text", "fulltext", "maintext", "story"),
    "html": ("raw_html", "page_html", "html_content"),
    "byline": ("author", "authors", "creator", "writer"),
}
"""Other names of each field, most specific first (compared without case, `-` as `_`)."""


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def parse_mapping(spec: str | Iterable[str]) -> dict[str, str]:
    """`field=column` pairs (comma-separated, or a list of them) → {field: column}; an unknown
    field or a pair without "=" is an error naming it."""
    items = [p for p in (spec.split(",") if isinstance(spec, str) else spec) if p.strip()]
    out: dict[str, str] = {}
    for item in items:
        field, sep, column = item.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise ValueError(f"column mapping {item!r}: expected field=column, e.g. published_at=publish_date")
        if field not in FIELDS:
            raise ValueError(f"column mapping {item!r}: {field!r} is not a field; fields: {', '.join(FIELDS)}")
        out[field] = column
    return out


def column_mapping(columns: Iterable[str], explicit: Mapping[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """({column: field}, unread columns) for a row or header with these `columns`.

    A field is taken, in order, from the column `explicit` names for it, the column named as the
    field, then the first alias present. Each column feeds one field at most.
    """
    columns = list(columns)
    by_norm = {_norm(c): c for c in columns}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for field in FIELDS:
        wanted = [explicit[field]] if explicit and field in explicit else []
        wanted += [field, *ALIASES[field]]
        for name in wanted:
            column = name if name in columns else by_norm.get(_norm(name))
            if column is not None and column not in taken:
                mapping[column] = field
                taken.add(column)
                break
    return mapping, [c for c in columns if c not in taken]

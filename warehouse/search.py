"""`dateline search`: BM25-ranked articles for a query, with a snippet and their events and
entities. The index and the ranking are SQL (`search.sql`); this module runs them and shapes hits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from transforms.snippets import snippet
from warehouse.queries import named_queries

SEARCH_SQL = Path(__file__).with_name("search.sql")


@dataclass
class Hit:
    article_id: str
    score: float
    title: str | None
    url: str | None
    published: dt.date | None
    snippet: str
    events: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)


def search(con: duckdb.DuckDBPyConnection, query: str, *, since: dt.date | None = None, event_type: str | None = None,
           entity: str | None = None, limit: int = 10, mark: tuple[str, str] = ("[", "]")) -> list[Hit]:
    """The `limit` best articles for `query` (words, any order) under the filters."""
    sql = named_queries(SEARCH_SQL)
    terms = [t for (t,) in con.execute(sql["query_terms"], {"query": query}).fetchall()]
    if not terms:
        return []
    rows = con.execute(sql["search"], {"terms": terms, "since": since, "type": event_type, "entity": entity,
                                       "limit": limit}).fetchall()
    hits = [Hit(aid, score, title, url, published, snippet(text, set(terms), mark=mark))
            for aid, score, _matched, title, url, published, text in rows]
    if hits:
        _attach_details(con, hits)
    return hits


def _attach_details(con: duckdb.DuckDBPyConnection, hits: list[Hit]) -> None:
    """Each hit's events (type, actors, day) and its most mentioned entities."""
    by_id = {h.article_id: h for h in hits}
    ids = list(by_id)
    for aid, etype, a1, c1, a2, c2, modality in con.execute(
        "select article_id, event_type, actor1_text, actor1_country, actor2_text, actor2_country, modality "
        "from events where list_contains($ids, article_id) order by article_id, start_char", {"ids": ids}
    ).fetchall():
        by_id[aid].events.append({"type": etype, "actor1": a1, "actor1_country": c1, "actor2": a2,
                                  "actor2_country": c2, "modality": modality})
    for aid, name, etype, country, n in con.execute(
        "select m.article_id, e.name, e.type, e.country_code, count(*) n from mentions m join entities e "
        "using (entity_id) where list_contains($ids, m.article_id) group by all order by m.article_id, n desc, e.name",
        {"ids": ids},
    ).fetchall():
        if len(by_id[aid].entities) < 8:
            by_id[aid].entities.append({"name": name, "type": etype, "country": country, "mentions": n})

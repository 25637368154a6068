"""`dateline report`: one self-contained HTML file of the warehouse an analyst would rather look at
than query: events over time, who acts on whom, a world map, the entity network, top entities
with sparklines, the events with their evidence, and data quality. Queries are
`report.sql`; the charts and the page are `transforms.charts`."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from transforms import charts
from warehouse.queries import named_queries

REPORT_SQL = Path(__file__).with_name("report.sql")


@dataclass(frozen=True)
class ReportScope:
    since: dt.date | None = None
    until: dt.date | None = None
    country: str | None = None  # ISO3

    def params(self) -> dict:
        return {"since": self.since, "until": self.until, "country": self.country}

    def describe(self) -> str:
        parts = [f"from {self.since}" if self.since else "", f"to {self.until}" if self.until else "",
                 f"events with {self.country} on either side" if self.country else ""]
        return ", ".join(p for p in parts if p) or "the whole warehouse"


def _used(sql: str, params: dict) -> dict:
    """The parameters a query names (DuckDB refuses extra ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> list[dict]:
    cur = con.execute(sql, _used(sql, params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _numeric_ids() -> dict[str, str]:
    """ISO3 → ISO numeric, the ids of the vendored world map."""
    import pycountry

    return {c.alpha_3: c.numeric for c in pycountry.countries}


def report_html(con: duckdb.DuckDBPyConnection, scope: ReportScope, db_name: str) -> str:
    """The report page for a warehouse connection (read-only is enough)."""
    sql = named_queries(REPORT_SQL)
    params = scope.params()
    con.register("report_events", con.sql(sql["scoped_events"], params=params).to_arrow_table())
    try:
        return _page(con, sql, scope, params, db_name)
    finally:
        con.unregister("report_events")


def _page(con: duckdb.DuckDBPyConnection, sql: dict[str, str], scope: ReportScope, params: dict, db_name: str) -> str:
    totals = _rows(con, sql["totals"], {})[0]
    top = _rows(con, sql["top_entities"], params)
    ids = [t["entity_id"] for t in top]
    specs = {
        "chart-timeline": charts.timeline_spec(_rows(con, sql["timeline"], {})),
        "chart-dyads": charts.matrix_spec(_rows(con, sql["dyads"], {})),
        "chart-map": charts.map_spec(_rows(con, sql["countries"], {}), _numeric_ids()),
        "chart-network": charts.network_spec(top, _rows(con, sql["cooccurrence"], {"entities": ids})),
        "chart-sparklines": charts.sparklines_spec(_rows(con, sql["entity_trend"], {**params, "entities": ids}),
                                                   [t["name"] for t in top]),
    }
    events = _rows(con, sql["event_table"], {})
    for e in events:
        e["evidence"] = charts.highlighted(e["evidence"] or "", [(e["trigger_from"], e["trigger_to"], "trigger"),
                                                                 (e["actor1_from"], e["actor1_to"], "actor1"),
                                                                 (e["actor2_from"], e["actor2_to"], "actor2")])
        e["actors"] = (f"{e['actor1_text'] or '?'} [{e['actor1_country'] or '-'}] → "
                       f"{e['actor2_text'] or '?'} [{e['actor2_country'] or '-'}]")
        e["confidence"] = f"{e['confidence']:.2f}" if e["confidence"] is not None else ""
        label = charts.html.escape(e["title"] or e["article_id"])
        e["article"] = (f'<a href="{charts.html.escape(e["url"], quote=True)}">{label}</a>' if e["url"] else label)
    facts = (f"{db_name}: {totals['articles']:,} articles, {totals['entities']:,} entities; "
             f"{totals['events']:,} asserted or claimed events in {totals['articles_with_events']:,} articles, "
             f"{totals['first_day'] or '–'} to {totals['last_day'] or '–'} ({scope.describe()}). "
             f"Built {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC. Historical mentions are left out of "
             "counts; an event without a stated day counts on its article's day.")
    sections = [
        ("Events over time by QuadClass", '<div id="chart-timeline" class="chart"></div>'),
        ("Who acts on whom", '<div class="grid"><div id="chart-dyads" class="chart"></div>'
                             '<div id="chart-map" class="chart"></div></div>'),
        ("Entities", '<div class="grid"><div id="chart-network"></div><div id="chart-sparklines"></div></div>'),
        ("Events and their evidence (newest, most confident first; 300 at most)",
         charts.table(events, ["day", "event_type", "modality", "confidence", "actors", "evidence", "article"],
                      raw=frozenset({"evidence", "article"}))),
        ("Data quality: open quarantine by reason", charts.table(_rows(con, sql["quarantine_reasons"], {}),
                                                                 ["table_name", "reason", "records"])),
        ("Last runs", charts.table(_rows(con, sql["last_runs"], {}),
                                   ["status", "started_at", "articles_in", "articles_new", "articles_quarantined",
                                    "events_loaded", "message"])),
    ]
    return charts.page("Dateline report", facts, sections, specs)


def write_report(con: duckdb.DuckDBPyConnection, out: Path, scope: ReportScope, db_name: str) -> Path:
    """Write the page atomically (a reader never sees half a file)."""
    text = report_html(con, scope, db_name)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a report is for reading
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out

"""The report's charts as Vega-Lite specifications, and the self-contained page that draws them.

Vega-Lite (declarative JSON, rendered to SVG by the vendored vega and vega-lite scripts in
`assets/`) was chosen over Plotly because its scripts weigh 0.8 MB against Plotly's 4.9 MB, and a
world map needs only the 108 kB TopoJSON of world-atlas inlined in the page, where Plotly fetches
its map from a CDN. Pure: rows in, dicts and a string out; only this package's assets are read.
"""

from __future__ import annotations

import html
import json
import math
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

QUAD_LABELS = {1: "1 verbal cooperation", 2: "2 material cooperation", 3: "3 verbal conflict", 4: "4 material conflict"}
QUAD_COLORS = ["#4c9f70", "#1f6f4a", "#e3a13b", "#c0392b"]
_SVG = {"renderer": "svg"}


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return resources.files(__package__ or "transforms").joinpath("assets", name).read_text("utf-8")


def timeline_spec(rows: Iterable[dict]) -> dict:
    """Events per period stacked by QuadClass."""
    values = [{"period": str(r["period"])[:10], "quad": QUAD_LABELS.get(r["quad_class"], str(r["quad_class"])),
               "events": r["events"]} for r in rows]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": "container", "height": 220,
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "period", "type": "temporal", "title": None},
            "y": {"field": "events", "type": "quantitative", "aggregate": "sum", "title": "events"},
            "color": {"field": "quad", "type": "nominal", "title": "QuadClass",
                      "scale": {"domain": list(QUAD_LABELS.values()), "range": QUAD_COLORS}},
        },
    }


def matrix_spec(rows: Iterable[dict]) -> dict:
    """Actor 1 country × actor 2 country, coloured by events, with the commonest type on hover."""
    values = [{"actor1": r["actor1_country"], "actor2": r["actor2_country"], "events": r["events"],
               "type": r["commonest_type"]} for r in rows]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": "container", "height": 360,
        "data": {"values": values},
        "mark": {"type": "rect", "tooltip": True},
        "encoding": {
            "x": {"field": "actor2", "type": "nominal", "title": "acted on (actor 2)", "sort": "-color"},
            "y": {"field": "actor1", "type": "nominal", "title": "actor 1", "sort": "-color"},
            "color": {"field": "events", "type": "quantitative", "scale": {"scheme": "oranges"}},
            "tooltip": [{"field": "actor1"}, {"field": "actor2"}, {"field": "events"},
                        {"field": "type", "title": "commonest type"}],
        },
    }


def map_spec(rows: Iterable[dict], numeric_of: dict[str, str]) -> dict:
    """World map of the events each country took part in (ISO3 → the map's ISO numeric ids):
    every country drawn in grey, those with events coloured over it."""
    values = [{"id": numeric_of[r["country"]], "country": r["country"], "events": r["events"]}
              for r in rows if r["country"] in numeric_of]
    world = {"name": "world", "format": {"type": "topojson", "feature": "countries"}}  # inlined once, used twice
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": "container", "height": 320,
        "datasets": {"world": json.loads(asset("countries-110m.json"))},
        "projection": {"type": "equalEarth"},
        "layer": [
            {"data": world, "mark": {"type": "geoshape", "fill": "#e6e9ed", "stroke": "white", "strokeWidth": 0.3}},
            {"data": world,
             "transform": [{"lookup": "id", "from": {"data": {"values": values}, "key": "id",
                                                      "fields": ["country", "events"]}},
                           {"filter": "datum.events > 0"}],
             "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3, "tooltip": True},
             "encoding": {"color": {"field": "events", "type": "quantitative", "scale": {"scheme": "blues"},
                                    "title": "events"},
                          "tooltip": [{"field": "properties.name", "title": "country"}, {"field": "events"}]}},
        ],
    }


def circle_layout(names: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Nodes on a circle in the given order (most connected first), deterministic."""
    n = max(1, len(names))
    return {name: (math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)) for i, name in enumerate(names)}


def network_spec(nodes: Sequence[dict], edges: Iterable[dict], max_edges: int = 40) -> dict:
    """Top entities and the articles they share: the `max_edges` strongest ties as lines (width =
    articles), nodes sized by mentions."""
    place = circle_layout([n["entity_id"] for n in nodes])
    edges = sorted(edges, key=lambda e: (-e["articles"], e["a"], e["b"]))[:max_edges]
    names = {n["entity_id"]: n["name"] for n in nodes}
    node_values = [{"x": place[n["entity_id"]][0], "y": place[n["entity_id"]][1], "name": n["name"],
                    "type": n["type"], "mentions": n["mentions"]} for n in nodes]
    edge_values = [{"x": place[e["a"]][0], "y": place[e["a"]][1], "x2": place[e["b"]][0], "y2": place[e["b"]][1],
                    "articles": e["articles"], "pair": f"{names[e['a']]} – {names[e['b']]}"}
                   for e in edges if e["a"] in place and e["b"] in place]
    axis = {"axis": None, "scale": {"domain": [-1.35, 1.35]}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": 420, "height": 420,
        "layer": [
            {"data": {"values": edge_values}, "mark": {"type": "rule", "color": "#9aa5b1", "tooltip": True},
             "encoding": {"x": {"field": "x", "type": "quantitative", **axis},
                          "y": {"field": "y", "type": "quantitative", **axis},
                          "x2": {"field": "x2"}, "y2": {"field": "y2"},
                          "strokeWidth": {"field": "articles", "type": "quantitative", "scale": {"range": [0.5, 6]},
                                          "legend": None},
                          "tooltip": [{"field": "pair"}, {"field": "articles"}]}},
            {"data": {"values": node_values}, "mark": {"type": "circle", "tooltip": True},
             "encoding": {"x": {"field": "x", "type": "quantitative", **axis},
                          "y": {"field": "y", "type": "quantitative", **axis},
                          "size": {"field": "mentions", "type": "quantitative", "scale": {"range": [60, 900]}},
                          "color": {"field": "type", "type": "nominal"},
                          "tooltip": [{"field": "name"}, {"field": "type"}, {"field": "mentions"}]}},
            {"data": {"values": node_values}, "mark": {"type": "text", "dy": -14, "fontSize": 10},
             "encoding": {"x": {"field": "x", "type": "quantitative", **axis},
                          "y": {"field": "y", "type": "quantitative", **axis},
                          "text": {"field": "name"}}},
        ],
    }


def sparklines_spec(rows: Iterable[dict], names: Sequence[str]) -> dict:
    """Mentions per day of each top entity, one small line each."""
    values = [{"name": r["name"], "day": str(r["day"]), "mentions": r["mentions"]} for r in rows]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": values},
        "facet": {"row": {"field": "name", "type": "nominal", "sort": list(names), "title": None,
                          "header": {"labelAngle": 0, "labelAlign": "left", "labelLimit": 180}}},
        "spec": {"width": 260, "height": 22,
                 "mark": {"type": "line", "interpolate": "monotone", "point": {"size": 12}, "tooltip": True},
                 "encoding": {"x": {"field": "day", "type": "temporal", "axis": None},
                              "y": {"field": "mentions", "type": "quantitative", "axis": None}}},
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}, "facet": {"spacing": 2}},
    }


def highlighted(evidence: str, spans: Sequence[tuple[int | None, int | None, str]]) -> str:
    """The evidence sentence as HTML with each (start, end, class) span wrapped in <mark>."""
    marks = sorted((s, e, c) for s, e, c in spans if s is not None and e is not None and 0 <= s < e <= len(evidence))
    out, at = [], 0
    for s, e, c in marks:
        if s < at:
            continue  # overlapping spans: the first wins
        out.append(html.escape(evidence[at:s]))
        out.append(f'<mark class="{c}">{html.escape(evidence[s:e])}</mark>')
        at = e
    out.append(html.escape(evidence[at:]))
    return "".join(out)


def table(rows: Sequence[dict], columns: Sequence[str], raw: frozenset[str] = frozenset()) -> str:
    """An HTML table; values are escaped except in `raw` columns (already HTML)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{r.get(c) if c in raw else html.escape('' if r.get(c) is None else str(r.get(c)))}</td>"
                         for c in columns) + "</tr>"
        for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or '<tr><td>none</td></tr>'}</tbody></table>"


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, default=str, ensure_ascii=False).replace("</", "<\\/")


PAGE_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 1.5rem;color:#1d2733}
h1{margin:.2rem 0}h2{margin:1.6rem 0 .4rem;font-size:1.1rem;border-bottom:1px solid #d6dde4}
.facts{color:#52606d}.chart{width:100%;min-height:60px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
table{border-collapse:collapse;width:100%;font-size:12.5px}th,td{border-bottom:1px solid #e4e9ee;padding:3px 6px;
text-align:left;vertical-align:top}mark.trigger{background:#ffd27a}mark.actor1{background:#bfe3ff}
mark.actor2{background:#d6f5c6}#errors{color:#b00020;white-space:pre-wrap}
"""

DRAW_JS = """
const report = (m) => { document.getElementById('errors').textContent += m + '\\n'; };
window.addEventListener('error', (e) => report('error: ' + e.message));
const views = Object.entries(SPECS).map(([id, spec]) => {
  try {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {renderer: 'svg', container: '#' + id, hover: true});
    return view.runAsync().catch((e) => report(id + ': ' + e));
  } catch (e) { report(id + ': ' + e); return Promise.resolve(); }
});
Promise.all(views).then(() => document.body.setAttribute('data-rendered', Object.keys(SPECS).length));
"""


def page(title: str, facts: str, sections: Sequence[tuple[str, str]], specs: dict[str, dict]) -> str:
    """The whole report: sections of (heading, HTML), the charts drawn into their `div`s by the
    inlined vega scripts. Opens with no network; errors show on the page (and in `#errors`)."""
    body = "".join(f"<h2>{html.escape(h)}</h2>{content}" for h, content in sections)
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style>"
        f"<script>{asset('vega.min.js')}</script><script>{asset('vega-lite.min.js')}</script></head><body>"
        f"<h1>{html.escape(title)}</h1><p class=facts>{facts}</p><pre id=errors></pre>{body}"
        f"<script>const SPECS = {_script_json(specs)};{DRAW_JS}</script></body></html>"
    )

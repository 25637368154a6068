"""`dateline report`: one self-contained HTML file whose charts render in a real headless browser
with the network switched off; each run writes it and links it from its Prefect artifacts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import CORPORA
from helpers import query as q
from helpers import offline_dom, write_jsonl

CHARTS = ["chart-timeline", "chart-dyads", "chart-map", "chart-network", "chart-sparklines"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """16 real political articles (realnews_dev texts with their dates) run through the flow."""
    from dateline.cli import main

    tmp = tmp_path_factory.mktemp("report")
    gold = [json.loads(line) for line in (CORPORA / "events" / "realnews_dev" / "gold.jsonl").read_text().splitlines()]
    rows = [{"text": g["text"], "title": g["title"], "url": g["url"], "published_at": g["published_at"]} for g in gold[:16]]
    db = tmp / "wh.duckdb"
    assert main(["run", str(write_jsonl(tmp / "news.jsonl", rows)), "--db", str(db)]) == 0
    return db


def _chart(dom: str, chart_id: str) -> str:
    start = dom.index(f'id="{chart_id}"')
    nxt = min([dom.find('id="chart-', start + 10)] + [i for i in [dom.find("<h2", start)] if i > 0])
    return dom[start: nxt if nxt > 0 else len(dom)]


def test_each_run_writes_the_report_beside_its_warehouse(warehouse):
    report = warehouse.with_name(warehouse.name + ".report.html")
    assert report.exists() and report.stat().st_size < 5_000_000
    assert "Dateline report" in report.read_text(encoding="utf-8")


def test_the_report_renders_every_chart_offline_with_no_errors(warehouse, tmp_path):
    from dateline.cli import main

    out = tmp_path / "report.html"
    assert main(["report", "--db", str(warehouse), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|<img", html)  # nothing to fetch
    assert "url(" not in html[html.index("<style>"): html.index("</style>")]
    dom, console = offline_dom(out, tmp_path)
    assert "Uncaught" not in console, console
    assert 'data-rendered="5"' in dom, dom[:2000]
    assert re.search(r'<pre id="errors">\s*</pre>', dom)
    shapes = {c: len(re.findall(r"<(?:path|rect|line|circle|text)\b", _chart(dom, c))) for c in CHARTS}
    assert all("<svg" in _chart(dom, c) for c in CHARTS), shapes
    assert shapes["chart-map"] > 150  # every country of the world map
    assert all(n >= 10 for n in shapes.values()), shapes
    events = q(warehouse, "select count(*) from dated_events where modality in ('asserted', 'claimed')")[0][0]
    assert events > 50 and f"{events:,} asserted or claimed events" in dom
    assert dom.count('<mark class="trigger">') >= 50  # evidence with the trigger highlighted


def test_the_report_scope_narrows_every_panel(warehouse, tmp_path):
    from dateline.cli import main

    out = tmp_path / "syria.html"
    assert main(["report", "--db", str(warehouse), "--out", str(out), "--country", "syr",
                 "--since", "2017-02-01", "--until", "2017-03-31"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "events with SYR on either side" in html
    n = q(warehouse, "select count(*) from dated_events where modality in ('asserted', 'claimed') "
                     "and (actor1_country = 'SYR' or actor2_country = 'SYR') "
                     "and day between '2017-02-01' and '2017-03-31'")[0][0]
    assert f"{n:,} asserted or claimed events" in html
    assert main(["report", "--db", str(warehouse), "--country", "XXX"]) == 2

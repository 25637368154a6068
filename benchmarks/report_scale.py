"""How long `dateline report` takes, and how big the page gets, on a 20,000-article warehouse.

    .venv/bin/python benchmarks/report_scale.py [--articles 20000] [--workdir DIR]

Annotating 20,000 articles takes an hour here, and what the report costs depends on the rows it
reads, not on how they were made. So the 30 hand-coded realnews_dev articles go through the flow
once (`dateline run`, real mentions and events), and the warehouse is then copied up to
`--articles` articles in SQL: each copy gets new article and event ids and is moved back in time
by whole days (copy k of an article is published k days earlier, so the timeline spans years),
keeping every entity, mention and event row of the original. The report is built three times
from the copied file and the median time printed with the page size (goals of #23: ≤ 10 s, ≤ 5 MB).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOLD = ROOT.parent / "shared" / "corpora" / "events" / "realnews_dev" / "gold.jsonl"

# Tables keyed by article: each copy gets `article_id || '~' || k`; events also a new event id.
_COPIES = {
    "articles": "* replace (article_id || '~' || k as article_id, url || '#copy' || k as url, "
                "published_at - to_days(cast(k as integer)) as published_at, null as dup_of)",
    "mentions": "* replace (article_id || '~' || k as article_id)",
    "events": "* replace (event_id || '~' || k as event_id, article_id || '~' || k as article_id, "
              "event_date - cast(k as integer) as event_date)",
    "removed_spans": "* replace (article_id || '~' || k as article_id)",
    "search_docs": "* replace (article_id || '~' || k as article_id)",
    "search_terms": "* replace (article_id || '~' || k as article_id)",
}


def build_base(workdir: Path) -> Path:
    from dateline.cli import main as cli

    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    news = workdir / "realnews.jsonl"
    news.write_text("".join(json.dumps({k: r[k] for k in ("text", "title", "url", "published_at")}) + "\n"
                            for r in rows), encoding="utf-8")
    db = workdir / "base.duckdb"
    if cli(["run", str(news), "--db", str(db)]) != 0:
        raise SystemExit("the base run failed")
    return db


def scale_up(base: Path, target: Path, articles: int) -> dict[str, int]:
    import duckdb

    shutil.copyfile(base, target)
    con = duckdb.connect(str(target))
    try:
        have = con.sql("select count(*) from articles").fetchall()[0][0]
        copies = max(1, -(-articles // have))  # ceil
        con.execute("begin")
        for table, select in _COPIES.items():
            con.execute(f"insert into {table} select {select.replace('* replace', '* exclude (k) replace')} "
                        f"from {table} cross join range(1, {copies}) as c(k)")
        con.execute("commit")
        return {t: con.sql(f"select count(*) from {t}").fetchall()[0][0] for t in ("articles", "mentions", "events")}
    finally:
        con.close()


def time_report(db: Path, out: Path, rounds: int = 3) -> list[float]:
    import duckdb

    from warehouse.report import ReportScope, write_report

    seconds = []
    for _ in range(rounds):
        con = duckdb.connect(str(db), read_only=True)
        try:
            start = time.perf_counter()
            write_report(con, out, ReportScope(None, None, None), db.name)
            seconds.append(time.perf_counter() - start)
        finally:
            con.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20_000)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dateline-report-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    base = build_base(workdir)
    scaled = workdir / "scaled.duckdb"
    counts = scale_up(base, scaled, args.articles)
    out = workdir / "report.html"
    seconds = time_report(scaled, out)
    size = out.stat().st_size
    print(f"warehouse: {counts['articles']:,} articles, {counts['mentions']:,} mentions, {counts['events']:,} events")
    print(f"report: median {statistics.median(seconds):.2f} s over {len(seconds)} builds "
          f"({', '.join(f'{s:.2f}' for s in seconds)}), {size / 1e6:.2f} MB (goals: ≤ 10 s, ≤ 5 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

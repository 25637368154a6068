"""Search speed and ranking on a 20k-article warehouse (Reuters-21578 stories, no NLP needed).

    .venv/bin/python benchmarks/search.py [--articles 20000] [--queries 200]

Builds the warehouse with the flow's own cleaning and loader (so the index is the one runs keep),
then times `warehouse.search.search` on queries whose right answer is known: the title of a
sampled article (right when that article ranks first, or in the top 3), and reports median and
95th-percentile latency over all of them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REUTERS = ROOT.parent / "shared" / "corpora" / "articles" / "reuters21578"


def build(db: Path, limit: int) -> int:
    import polars as pl

    from flows.sources.base import SourceProblem
    from flows.sources.files import FolderSource
    from transforms.articles import build_articles
    from warehouse import loader

    records = []
    for item in FolderSource(REUTERS).read():
        if not isinstance(item, SourceProblem):
            records.append(item)
        if len(records) >= limit:
            break
    con = loader.connect(db)
    empty = pl.DataFrame()
    loaded = 0
    try:
        for i in range(0, len(records), 512):
            built = build_articles(records[i:i + 512], run_id="bench", pipeline_version="bench",
                                   now=dt.datetime.now(dt.timezone.utc))
            loader.load_batch(con, loader.LoadBatch(articles=built.articles, mentions=empty, entities=empty,
                                                    events=empty, removed_spans=empty, quarantine=empty,
                                                    dq_results=empty, run=empty, signatures=empty))
            loaded += built.articles.height
    finally:
        con.close()
    return loaded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args(argv)
    from warehouse import loader
    from warehouse.search import search

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "search.duckdb"
        t0 = time.perf_counter()
        n = build(db, args.articles)
        print(f"warehouse: {n} articles indexed in {time.perf_counter() - t0:.1f} s")
        con = loader.connect(db, read_only=True)
        try:
            titled = con.execute("select article_id, title from articles where title is not null "
                                 "and length(title) > 25 order by article_id").fetchall()
            sample = random.Random(7).sample(titled, min(args.queries, len(titled)))
            search(con, "warm up the caches")
            times, first, top3 = [], 0, 0
            for aid, title in sample:
                t = time.perf_counter()
                hits = search(con, title, limit=10)
                times.append(time.perf_counter() - t)
                ids = [h.article_id for h in hits]
                first += bool(ids) and ids[0] == aid
                top3 += aid in ids[:3]
            duplicates = con.execute("select count(*) - count(distinct lower(title)) from articles "
                                     "where title is not null").fetchall()[0][0]
        finally:
            con.close()
    times.sort()
    print(f"{len(sample)} title queries: median {1000 * statistics.median(times):.0f} ms, "
          f"p95 {1000 * times[int(0.95 * (len(times) - 1))]:.0f} ms, max {1000 * times[-1]:.0f} ms")
    print(f"the titled article ranks first: {first}/{len(sample)}; in the top 3: {top3}/{len(sample)} "
          f"({duplicates} articles share a title with another)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

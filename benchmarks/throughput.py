"""Throughput of the whole flow against bare spaCy on the same texts, in one run.

    .venv/bin/python benchmarks/throughput.py --limit 1000

Prints words/s and articles/s for: naive per-document spaCy (full pipeline, one process),
bare `nlp.pipe` with Dateline's components, the whole Dateline flow (JSONL → DuckDB with GX,
Prefect ephemeral, after a warm-up run that pays Prefect's server start and the model load),
a re-run on unchanged input, and the ratios. Corpus: ../shared/corpora/articles/news_articles_dai2017.
Numbers are noisy on shared 2-core machines: compare ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpora" / "articles" / "news_articles_dai2017" / "NewsArticles.csv.gz"
_WORD = re.compile(r"\w+")


def load_rows(limit: int) -> list[dict]:
    """The first `limit` non-empty articles as JSONL-contract rows."""
    csv.field_size_limit(sys.maxsize)
    rows = []
    with gzip.open(CORPUS, "rt", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            if not rec["text"].strip():
                continue
            try:  # "2017/2/7", once "2017/3/30 7:11"
                y, m, d = (int(x) for x in rec["publish_date"].split()[0].split("/"))
                published = dt.date(y, m, d).isoformat()
            except (ValueError, IndexError):
                published = None
            rows.append({"id": rec["article_id"], "url": rec["article_source_link"], "title": rec["title"],
                         "published_at": published, "text": rec["text"]})
            if len(rows) >= limit:
                break
    return rows


def words(texts: list[str]) -> int:
    return sum(len(_WORD.findall(t)) for t in texts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--naive-limit", type=int, default=200, help="articles for the slow naive baseline")
    ap.add_argument("--n-process", type=int, default=1)
    args = ap.parse_args()

    from dateline.settings import Settings, prefect_environment

    os.environ.update({k: v for k, v in prefect_environment().items() if k not in os.environ})
    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="dateline-bench-prefect-"))
    from flows.model import load_pipeline

    rows = load_rows(args.limit)
    texts = [r["text"] for r in rows]
    n_words = words(texts)
    tmp = Path(tempfile.mkdtemp(prefix="dateline-bench-"))
    src = tmp / "articles.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    settings = Settings(db_path=tmp / "bench.duckdb", staging_dir=tmp / "staging", n_process=args.n_process)

    results: list[tuple[str, int, int, float]] = []

    t0 = time.perf_counter()
    nlp = load_pipeline(settings.model, settings.use_blis)
    model_load = time.perf_counter() - t0

    naive_texts = texts[: args.naive_limit]
    import spacy

    full = spacy.load(settings.model)  # full pipeline, default ops, the script a user would write
    t0 = time.perf_counter()
    for t in naive_texts:
        full(t)
    results.append(("naive [nlp(t) for t in texts]", len(naive_texts), words(naive_texts), time.perf_counter() - t0))

    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=settings.nlp_batch_size, n_process=args.n_process):
        pass
    results.append((f"bare nlp.pipe ({args.n_process} proc)", len(texts), n_words, time.perf_counter() - t0))

    from flows.etl import etl

    warm = tmp / "warm.jsonl"
    warm.write_text(json.dumps({"text": "Warm-up article about Paris and Berlin.", "published_at": "2020-01-01"}) + "\n")
    t0 = time.perf_counter()
    etl([str(warm)], settings.replace(db_path=tmp / "warm.duckdb"))
    startup = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary = etl([str(src)], settings)
    results.append((f"dateline flow ({args.n_process} proc)", len(texts), n_words, time.perf_counter() - t0))
    stages = summary["run"]["seconds"]

    t0 = time.perf_counter()
    etl([str(src)], settings)
    results.append(("dateline re-run (unchanged)", len(texts), n_words, time.perf_counter() - t0))

    print(f"\n{len(texts)} articles, {n_words} words; model load {model_load:.1f}s; "
          f"first flow (Prefect ephemeral start + warm-up) {startup:.1f}s\n")
    print("| what | articles | words | seconds | words/s | articles/s |")
    print("|---|---|---|---|---|---|")
    rate = {}
    for name, n, w, s in results:
        rate[name] = w / s
        print(f"| {name} | {n} | {w} | {s:.1f} | {w / s:,.0f} | {n / s:.1f} |")
    bare = rate[f"bare nlp.pipe ({args.n_process} proc)"]
    flow = rate[f"dateline flow ({args.n_process} proc)"]
    naive = rate["naive [nlp(t) for t in texts]"]
    first = results[2][3]
    print(f"\nflow / bare nlp.pipe = {flow / bare:.2f}  (goal ≥ 0.85)")
    print(f"flow / naive = {flow / naive:.2f}  (goal ≥ 3)")
    print(f"re-run / first run time = {results[3][3] / first:.1%}  (goal ≤ 5 %)")
    print("\nwhere the flow's time went (seconds, share of the flow's wall time):")
    for stage, secs in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:10s} {secs:7.1f}s  {secs / first:6.1%}")
    print(f"  {'other':10s} {first - sum(stages.values()):7.1f}s  {(first - sum(stages.values())) / first:6.1%}  (reading sources, Prefect, bookkeeping)")


if __name__ == "__main__":
    main()

"""Speed-up of the NLP stage on a local Dask cluster: 2 workers against 1, same articles, one run.

    .venv/bin/python benchmarks/dask_speedup.py --limit 1000

Each configuration runs the whole flow (JSONL → DuckDB) into its own fresh warehouse after a
warm-up run that starts the cluster's workers and loads the model; the figure is the flow's
wall time. On a 2-core machine 2 workers can at best halve the NLP time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    from throughput import load_rows, use_ephemeral_prefect, words, write_inputs

    from dateline.settings import Settings

    use_ephemeral_prefect("dateline-dask")

    from flows.etl import etl
    from flows.runners import task_runner

    rows = load_rows(args.limit)
    n_words = words([r["text"] for r in rows])
    tmp = Path(tempfile.mkdtemp(prefix="dateline-dask-"))
    src, warm = write_inputs(tmp, rows)

    results = {}
    for workers in (1, 2):
        # A pipeline version of its own per configuration: the NLP cache (keyed by content hash and
        # pipeline version) must not hand the second configuration the first one's results.
        settings = Settings(db_path=tmp / f"w{workers}" / "dateline.duckdb", batch_size=args.batch_size,
                            task_runner="dask", dask_workers=workers, nlp_inflight=workers,
                            pipeline_version=f"bench-dask-{workers}-{time.time_ns()}")
        flow = etl.with_options(task_runner=task_runner(settings))
        t0 = time.perf_counter()
        flow([str(warm), str(src)], settings)
        results[workers] = time.perf_counter() - t0
    print(f"\n{len(rows)} articles, {n_words} words (each time includes starting the LocalCluster)\n")
    print("| Dask workers | seconds | words/s |")
    print("|---|---|---|")
    for w, s in results.items():
        print(f"| {w} | {s:.1f} | {n_words / s:,.0f} |")
    print(f"\nspeed-up 2 workers vs 1: {results[1] / results[2]:.2f}×")


if __name__ == "__main__":
    main()

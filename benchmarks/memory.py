"""Peak memory of a whole run against corpus size: Reuters-21578, 2,000 vs 20,000 stories.

    .venv/bin/python benchmarks/memory.py            # 2 and 20 SGML files (≈2,000 and ≈20,000 stories)
    .venv/bin/python benchmarks/memory.py --files 1 3   # a quick check

Each size runs `dateline run FILE…` in a fresh process on a fresh warehouse (Prefect ephemeral,
default settings) and reads the peak RSS of that process tree from the kernel (getrusage of the
waited-for children: the largest single process, which is Dateline itself). Memory is bounded by
the batch size if the ratio stays near 1 (goal ≤ 1.25).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SGM = ROOT.parent / "shared" / "corpora" / "articles" / "reuters21578" / "sgm"
DATELINE = Path(sys.executable).with_name("dateline")

_MEASURE = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run(files: list[Path], workdir: Path) -> tuple[float, int, float]:
    """(peak RSS MiB, articles loaded, seconds) of one `dateline run` over `files`."""
    db = workdir / "dateline.duckdb"
    env = dict(os.environ, PREFECT_HOME=str(workdir / "prefect"), PREFECT_LOGGING_LEVEL="ERROR")
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(DATELINE), "run", "--db", str(db), *map(str, files)],
                         capture_output=True, text=True, env=env, check=True)
    seconds = time.perf_counter() - t0
    rc, maxrss_kib = out.stdout.split()[-2:]
    if rc != "0":
        raise SystemExit(f"dateline run failed ({rc}) on {len(files)} files")
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        (articles,) = con.execute("select count(*) from articles").fetchone()
    finally:
        con.close()
    return int(maxrss_kib) / 1024, articles, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, nargs=2, default=[2, 20], metavar=("SMALL", "LARGE"),
                    help="SGML files (1,000 stories each) for the small and the large run")
    args = ap.parse_args()
    files = sorted(SGM.glob("reut2-*.sgm.gz"))
    rows = []
    for n in args.files:
        with tempfile.TemporaryDirectory(prefix="dateline-mem-") as tmp:
            rows.append((n, *run(files[:n], Path(tmp))))
    print("| SGML files | articles loaded | seconds | peak RSS (MiB) |")
    print("|---|---|---|---|")
    for n, rss, articles, secs in rows:
        print(f"| {n} | {articles:,} | {secs:.0f} | {rss:,.0f} |")
    print(f"\npeak RSS {rows[-1][2]:,} vs {rows[0][2]:,} articles = {rows[-1][1] / rows[0][1]:.2f}×  (goal ≤ 1.25)")


if __name__ == "__main__":
    main()

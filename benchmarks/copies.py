"""How much annotating a syndicated copy once saves: one feed, 30 % exact copies, reuse on and off.

The feed is the first `--originals` dai2017 articles plus copies of randomly chosen ones (new id and
URL, same text and date) so that copies are `--share` of the whole, shuffled with a fixed seed.
The same `dateline run` (defaults, Prefect ephemeral) loads it into two new files, with
`DATELINE_REUSE_COPIES` true and false, alternating `--repeat` times; the warehouse contents must
be the same (checked with `same_warehouse.table_digests`, ids and run columns aside).

    .venv/bin/python benchmarks/copies.py [--originals 700 --share 0.3 --repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from same_warehouse import table_digests  # noqa: E402
from throughput import ROOT, load_rows  # noqa: E402


def feed_with_copies(originals: list[dict], share: float, seed: int = 7) -> list[dict]:
    """The originals plus exact copies of random ones, `share` of the result, shuffled."""
    rng = random.Random(seed)
    n_copies = round(len(originals) * share / (1 - share))
    copies = []
    for i in range(n_copies):
        source = rng.choice(originals)
        copies.append({**source, "id": f"copy-{i}-{source['id']}", "url": f"https://syndicated.example/{i}"})
    rows = originals + copies
    rng.shuffle(rows)
    return rows


def timed_run(src: Path, db: Path, reuse: bool) -> tuple[float, dict]:
    """Wall seconds of `dateline run --json`, and its summary."""
    env = {**os.environ, "DATELINE_REUSE_COPIES": "true" if reuse else "false"}
    started = time.perf_counter()
    out = subprocess.run([str(ROOT / ".venv" / "bin" / "dateline"), "run", str(src), "--db", str(db), "--json"],
                         env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, json.loads(out.stdout)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--originals", type=int, default=700)
    ap.add_argument("--share", type=float, default=0.3)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dateline-copies-"))
    rows = feed_with_copies(load_rows(args.originals), args.share)
    src = work / "feed.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} articles, {len(rows) - args.originals} of them exact copies ({args.share:.0%})")
    walls: dict[bool, list[float]] = {True: [], False: []}
    nlp: dict[bool, list[float]] = {True: [], False: []}
    steady: dict[bool, list[float]] = {True: [], False: []}  # the run after start-up (imports, Prefect)
    digests = {}
    for i in range(args.repeat):
        for reuse in (False, True) if i % 2 == 0 else (True, False):
            db = work / f"w-{reuse}-{i}.duckdb"
            wall, summary = timed_run(src, db, reuse)
            walls[reuse].append(wall)
            nlp[reuse].append(summary["run"]["seconds"].get("nlp", 0.0))
            steady[reuse].append(summary["run"]["total_seconds"] - sum(summary["run"]["startup_seconds"].values()))
            digests[reuse] = table_digests(db)
            print(f"reuse={reuse!s:5} wall {wall:6.1f} s  after start-up {steady[reuse][-1]:6.1f} s  "
                  f"NLP stage {nlp[reuse][-1]:6.1f} s  "
                  f"copies annotated once {summary['run'].get('copies_annotated_once', 0)}", flush=True)
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    same = {t for t in digests[True] if digests[True][t]["digest"] != digests[False][t]["digest"]} - {"runs"}
    print(f"speed-up with reuse: wall {mean(walls[False]) / mean(walls[True]):.2f}x, "
          f"after start-up {mean(steady[False]) / mean(steady[True]):.2f}x, "
          f"NLP stage {mean(nlp[False]) / mean(nlp[True]):.2f}x (goal: >= 1.3x)")
    print("warehouse contents: " + ("the same" if not same else f"DIFFER in {sorted(same)}"))
    return 1 if same else 0


if __name__ == "__main__":
    raise SystemExit(main())

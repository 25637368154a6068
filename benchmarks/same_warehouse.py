"""Does a code change keep the warehouse the same? A digest of every table's contents after one run.

A restructuring (#25) must leave what a run loads unchanged. This runs `dateline run` on the
dai2017 corpus (or its first `--limit` articles) into a new file and writes, per base table, the
row count and an order-free digest of the rows. Columns that differ between any two runs by
design (run ids, clock times, the file's own id) are left out of the digest, and said so; so are
those keys inside JSON values (a quarantined row's record carries its run id and load time).

    .venv/bin/python benchmarks/same_warehouse.py --out /tmp/before.json          # on the old commit
    .venv/bin/python benchmarks/same_warehouse.py --out /tmp/after.json           # on the new one
    .venv/bin/python benchmarks/same_warehouse.py --compare /tmp/before.json /tmp/after.json

The input is written to the same path each time (`--work`), since runs record their source paths.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, load_rows, write_inputs  # noqa: E402

# Differ between two runs of the same code on the same input, by design.
VOLATILE = {
    "run_id", "first_seen_run", "requeued_by", "flow_run_name",
    "started_at", "finished_at", "ingested_at", "quarantined_at", "applied_at",
}
SKIPPED_TABLES = {"warehouse_meta"}  # the file's own uuid and creation time


def _stable(column: str, data_type: str) -> str:
    """The column as digested: a JSON value (a quarantined row) without its volatile keys."""
    if data_type != "JSON":
        return f'"{column}"'
    patch = json.dumps({key: None for key in sorted(VOLATILE)})
    return f"""json_merge_patch("{column}", '{patch}')"""


def table_digests(db: Path) -> dict[str, dict]:
    """Per base table: rows, the columns digested, and an md5 over the sorted row hashes."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        out = {}
        for table in tables:
            if table in SKIPPED_TABLES:
                continue
            columns = [(c, t) for c, t in con.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' "
                "AND table_name = ? ORDER BY ordinal_position", [table]).fetchall() if c not in VOLATILE]
            cols = [c for c, _ in columns]
            packed = ", ".join(f'"{c}" := {_stable(c, t)}' for c, t in columns)
            [(rows, digest)] = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), '')) FROM "
                f"(SELECT md5(CAST(struct_pack({packed}) AS VARCHAR)) AS h FROM \"{table}\")").fetchall()
            out[table] = {"rows": rows, "digest": digest, "columns": cols}
        return out
    finally:
        con.close()


def run_flow(src: Path, db: Path, n_process: int) -> float:
    """`dateline run` as a user runs it; returns its wall seconds."""
    for stale in db.parent.glob(db.name + "*"):
        subprocess.run(["rm", "-rf", str(stale)], check=True)
    started = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "dateline"), "run", str(src), "--db", str(db),
                    "--n-process", str(n_process)], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def compare(before: dict, after: dict) -> list[str]:
    """The tables whose rows or digest differ, each with why."""
    problems = []
    for table in sorted(set(before["tables"]) | set(after["tables"])):
        a, b = before["tables"].get(table), after["tables"].get(table)
        if a is None or b is None:
            problems.append(f"{table}: only in {'after' if a is None else 'before'}")
        elif a["columns"] != b["columns"]:
            problems.append(f"{table}: columns differ")
        elif a["rows"] != b["rows"]:
            problems.append(f"{table}: {a['rows']} rows before, {b['rows']} after")
        elif a["digest"] != b["digest"]:
            problems.append(f"{table}: same {a['rows']} rows count, different contents")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="write the digests here")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    ap.add_argument("--limit", type=int, default=0, help="first N articles (0 = all 3,788)")
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--work", type=Path, default=Path("/tmp/dateline-same-warehouse"))
    args = ap.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        problems = compare(before, after)
        for table, info in sorted(after["tables"].items()):
            print(f"{table:22} {info['rows']:>9} rows  {info['digest']}")
        print("\n".join(problems) if problems else f"same contents in all {len(after['tables'])} tables")
        return 1 if problems else 0
    if not args.out:
        ap.error("--out or --compare")
    args.work.mkdir(parents=True, exist_ok=True)
    rows = load_rows(args.limit or 10**9)
    src, _ = write_inputs(args.work, rows)
    db = args.work / "warehouse.duckdb"
    seconds = run_flow(src, db, args.n_process)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    result = {"commit": commit, "articles": len(rows), "seconds": round(seconds, 1),
              "volatile_columns": sorted(VOLATILE), "tables": table_digests(db)}
    args.out.write_text(json.dumps(result, indent=1))
    print(f"{len(rows)} articles in {seconds:.0f} s at {commit}; digests in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

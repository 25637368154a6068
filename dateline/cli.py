"""`dateline` command line: run the flow, query the warehouse, extract one article.

Heavy libraries (Prefect, spaCy, Great Expectations) are imported inside the commands that need
them, so `dateline --help` answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from dateline.settings import Settings, prefect_environment


def _parser() -> argparse.ArgumentParser:
    defaults = Settings.from_env()
    p = argparse.ArgumentParser(prog="dateline", description="News articles → entities and events in DuckDB.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the dateline-etl flow over files and folders")
    run.add_argument("sources", nargs="+", help="files or folders of .txt, .html(.gz), .jsonl, .csv")
    run.add_argument("--db", type=Path, default=defaults.db_path, help="DuckDB file (default: %(default)s)")
    run.add_argument("--model", default=None, help="spaCy model package (default: %s)" % defaults.model)
    run.add_argument("--batch-size", type=int, default=None, help="articles per task")
    run.add_argument("--n-process", type=int, default=None, help="spaCy worker processes")
    run.add_argument("--quarantine-threshold", type=float, default=None,
                     help="fail a batch when more than this share is quarantined (default 0.5)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")

    sql = sub.add_parser("sql", help="run a SQL query against the warehouse (read-only)")
    sql.add_argument("query")
    sql.add_argument("--db", type=Path, default=defaults.db_path)
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")

    ext = sub.add_parser("extract", help="print one cleaned article (HTML or text file)")
    ext.add_argument("path", type=Path)
    ext.add_argument("--format", choices=["json", "text"], default="json")
    return p


def cmd_run(args: argparse.Namespace) -> int:
    os.environ.update({k: v for k, v in prefect_environment().items() if k not in os.environ})
    settings = Settings.from_env(
        db_path=args.db, model=args.model, batch_size=args.batch_size, n_process=args.n_process,
        quarantine_threshold=args.quarantine_threshold,
    )
    from dateline.report import summary_text
    from flows.etl import etl
    from flows.sources import SourceError, resolve_sources

    try:
        resolve_sources(args.sources)  # fail fast on a bad path, before Prefect starts
    except SourceError as exc:
        print(f"dateline: {exc}", file=sys.stderr)
        return 2
    try:
        summary = etl(args.sources, settings)
    except Exception as exc:  # the flow already logged the traceback; say why in one line
        first_line = (str(exc).strip().splitlines() or [""])[0]
        print(f"dateline: run failed: {type(exc).__name__}: {first_line}", file=sys.stderr)
        return 1
    print(json.dumps(summary, default=str, indent=2) if args.json else summary_text(summary))
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    if not args.db.exists():
        print(f"dateline: no warehouse at {args.db}; run `dateline run` first", file=sys.stderr)
        return 2
    con = duckdb.connect(str(args.db), read_only=True)
    try:
        frame = con.sql(args.query).pl()
    except duckdb.Error as exc:
        print(f"dateline: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
    if args.format == "csv":
        sys.stdout.write(frame.write_csv())
    elif args.format == "json":
        print(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=2))
    else:
        import polars as pl

        with pl.Config(tbl_rows=200, tbl_cols=50, fmt_str_lengths=80, tbl_hide_dataframe_shape=False):
            print(frame)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.sources import FileSource, SourceProblem
    from transforms.articles import clean_record

    items = list(FileSource(args.path).read())
    if not items:
        print(f"dateline: {args.path}: no article found", file=sys.stderr)
        return 1
    item = items[0]
    if isinstance(item, SourceProblem):
        print(f"dateline: {item.record_key}: {item.reason}", file=sys.stderr)
        return 1
    cleaned = clean_record(item)
    if args.format == "text":
        print(cleaned.text)
        return 0
    out = {
        "title": cleaned.title, "byline": cleaned.byline, "published_at": cleaned.published_at,
        "language": cleaned.language, "text": cleaned.text, "url": item.get("url"),
        "removed": [{"kind": r.kind, "text": r.text} for r in cleaned.removed],
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"run": cmd_run, "sql": cmd_sql, "extract": cmd_extract}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

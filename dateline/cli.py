"""`dateline` command line: run the flow, query the warehouse, extract one article.

Heavy libraries (Prefect, spaCy, Great Expectations) are imported inside the commands that need
them, so `dateline --help` answers at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

_STARTED = time.perf_counter()  # when this command started (interpreter start-up aside)

from dateline.cli_errors import CliError, one_line
from dateline.malloc import limit_arenas
from dateline.prefect_server import local_prefect_api
from dateline.settings import Settings, SettingsError, load_config, prefect_environment
from dateline.warehouse_commands import (
    query_frame,
    cmd_check,
    cmd_export,
    cmd_quarantine,
    cmd_report,
    cmd_search,
    cmd_sql,
)
from warehouse.queries import command_query


def _parser() -> argparse.ArgumentParser:
    defaults = Settings.from_env()
    p = argparse.ArgumentParser(prog="dateline", description="News articles → entities and events in DuckDB.")
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the dateline-etl flow over files, folders, feeds and URLs")
    run.add_argument("sources", nargs="+",
                     help="files or folders of .txt, .html(.gz), .jsonl, .csv, Reuters .sgm; feeds (.xml/.rss/.atom or URL); "
                          "article URLs; .txt lists of URLs")
    run.add_argument("--db", type=Path, default=defaults.db_path, help="DuckDB file (default: %(default)s)")
    run.add_argument("--model", default=None, help="spaCy model package (default: %s)" % defaults.model)
    run.add_argument("--batch-size", type=int, default=None, help="articles per task")
    run.add_argument("--n-process", type=int, default=None,
                     help="NLP worker processes (a pool; each loads the model once); default: every usable core "
                          f"when the input has {defaults.pool_min_articles}+ articles, else 1")
    run.add_argument("--quarantine-threshold", type=float, default=None,
                     help="fail a batch when more than this share is quarantined (default 0.5)")
    run.add_argument("--map", action="append", default=None, metavar="FIELD=COLUMN",
                     help="read a JSONL/CSV field from another column, e.g. published_at=publish_date "
                          "(repeatable; common names such as publish_date, link, body are recognised anyway)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON")
    run.add_argument("--config", type=Path, default=None, help="a dateline.toml with [settings]")
    run.add_argument("--task-runner", choices=["thread", "dask"], default=None,
                     help="where NLP tasks run: threads here, or a Dask cluster")
    run.add_argument("--dask-address", default=None, help="tcp://host:port of a Dask scheduler (default: local cluster)")

    srv = sub.add_parser("serve", help="run the flow on a cron schedule as a Prefect deployment")
    srv.add_argument("--config", type=Path, default=Path("dateline.toml") if Path("dateline.toml").exists() else None,
                     help="dateline.toml with [schedule] (sources, cron) and [settings]")

    ui = sub.add_parser("ui", help="start the Prefect server and UI on 127.0.0.1")
    ui.add_argument("--port", type=int, default=defaults.ui_port)

    exp = sub.add_parser("export", help="export the warehouse as Parquet partitioned by publication date")
    exp.add_argument("--parquet", type=Path, required=True, metavar="DIR")
    exp.add_argument("--db", type=Path, default=defaults.db_path)

    sql = sub.add_parser("sql", help="run a SQL query against the warehouse (read-only unless --write)")
    sql.add_argument("query")
    sql.add_argument("--db", type=Path, default=defaults.db_path)
    sql.add_argument("--write", action="store_true",
                     help="open the warehouse for writing, with access to other files (COPY, ATTACH)")
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")

    rep = sub.add_parser("report", help="write the HTML report (charts, events with evidence, data quality)")
    rep.add_argument("--db", type=Path, default=defaults.db_path)
    rep.add_argument("--out", type=Path, default=None, help="HTML file (default: beside the warehouse, <db>.report.html)")
    rep.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD", help="events on or after")
    rep.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD", help="events on or before")
    rep.add_argument("--country", default=None, metavar="ISO3", help="only events with this country on either side")

    sea = sub.add_parser("search", help="find articles by words (BM25), with snippets, events and entities")
    sea.add_argument("query", help="words to look for, in any order")
    sea.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD", help="published on or after")
    sea.add_argument("--entity", default=None, help="only articles mentioning an entity whose name contains this")
    sea.add_argument("--type", dest="event_type", default=None, metavar="PLOVER_TYPE",
                     help="only articles with an event of this type (e.g. ASSAULT)")
    sea.add_argument("--limit", type=int, default=10)
    sea.add_argument("--db", type=Path, default=defaults.db_path)
    sea.add_argument("--format", choices=["text", "json"], default="text")

    chk = sub.add_parser("check", help="check the warehouse against its schema and contracts (read-only)")
    chk.add_argument("--db", type=Path, default=defaults.db_path)

    qua = sub.add_parser("quarantine", help="list quarantined records and their reasons")
    qua.add_argument("--run", dest="run_id", default=None, help="only this run (default: all open rows)")
    qua.add_argument("--db", type=Path, default=defaults.db_path)
    qua.add_argument("--all", action="store_true", help="include rows already requeued")
    qua.add_argument("--format", choices=["table", "csv", "json"], default="table")

    req = sub.add_parser("requeue", help="re-process the sources of quarantined records (after a fix)")
    req.add_argument("--run", dest="run_id", default=None, help="only rows quarantined by this run")
    req.add_argument("--db", type=Path, default=defaults.db_path)

    ext = sub.add_parser("extract", help="print one cleaned article (HTML or text file, or a URL)")
    ext.add_argument("path", help="a file or an http(s) URL")
    ext.add_argument("--format", choices=["json", "text"], default="json")
    return p


def cmd_run(args: argparse.Namespace) -> int:
    os.environ.update({k: v for k, v in prefect_environment().items() if k not in os.environ})
    base, _ = load_config(getattr(args, "config", None))
    settings = base.replace(**{k: v for k, v in dict(
        db_path=args.db, model=args.model, batch_size=args.batch_size, n_process=args.n_process,
        quarantine_threshold=args.quarantine_threshold, task_runner=getattr(args, "task_runner", None),
        dask_address=getattr(args, "dask_address", None),
        column_map=",".join(args.map) if getattr(args, "map", None) else None).items() if v is not None})
    if sys.stderr.isatty() and not getattr(args, "json", False):
        settings = settings.replace(progress=True)
    if settings.task_runner == "dask" and settings.nlp_inflight == 1:
        settings = settings.replace(nlp_inflight=settings.dask_workers)
    limit_arenas(settings.malloc_arenas)  # before Prefect starts its threads (dateline.malloc)
    problem = _warehouse_problem(settings.db_path)  # before the slow imports and Prefect's start
    if problem:
        print(f"dateline: {problem}", file=sys.stderr)
        return 2
    from flows.fetch import policy_from_settings
    from flows.sources.resolve import SourceError, resolve_sources
    from transforms.columns import parse_mapping

    try:  # fail fast on a bad spec or mapping, before Prefect is even imported (~5 s)
        resolve_sources(args.sources, policy_from_settings(settings), parse_mapping(settings.column_map))
    except (SourceError, ValueError) as exc:
        print(f"dateline: {exc}", file=sys.stderr)
        return 2
    if "PREFECT_API_URL" not in os.environ and settings.ui_port:
        api = local_prefect_api(settings.ui_port)
        if api:  # skip the ~20 s ephemeral server start; the run shows in that server's UI
            os.environ["PREFECT_API_URL"] = api
            print(f"dateline: using the Prefect server at {api.removesuffix('/api')}", file=sys.stderr)
    from flows.summary import summary_text
    from flows.etl import etl
    from flows.runners import task_runner
    from dateline import interrupt

    imported = time.perf_counter()
    try:
        with interrupt.handled(settings.gx_root):
            flow = etl.with_options(task_runner=task_runner(settings))
            summary = flow(args.sources, settings, requeue=getattr(args, "requeue", None))
        body_started = summary["run"].pop("body_started", imported)
        summary["run"]["startup_seconds"] = {"checks_and_imports": round(imported - _STARTED, 3),
                                             "prefect": round(body_started - imported, 3)}
        summary["run"]["total_seconds"] = round(time.perf_counter() - _STARTED, 3)
    except Exception as exc:  # the flow already logged the traceback; say why in one line
        first_line = (str(exc).strip().splitlines() or [""])[0]
        print(f"dateline: run failed: {type(exc).__name__}: {first_line}", file=sys.stderr)
        return 1
    print(json.dumps(summary, default=str, indent=2) if args.json else summary_text(summary))
    return 0


def _warehouse_problem(db: Path) -> str | None:
    """Why the warehouse would be refused, found before Prefect and spaCy start (None: fine, new,
    or locked by a run, which the flow waits for or stages around)."""
    import duckdb

    from warehouse import schema

    if db.is_dir():
        return f"{db} is a folder; --db names the warehouse file (e.g. {db / 'dateline.duckdb'})"
    folder = next((p for p in [db.parent, *db.parent.parents] if p.exists()), None)
    if folder is None or not folder.is_dir():
        return f"cannot make the folder of {db}: {folder} is not a folder"
    try:  # a real write, not os.access: root passes that check on read-only mounts and /proc;
        # in the nearest folder that exists, so a run refused later leaves no new folders behind
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".dateline-write-check-"):
            pass
    except OSError as exc:
        return f"cannot write {db}: {exc.strerror or exc} (choose another --db)"
    if db.exists() and not os.access(db, os.W_OK):
        return f"cannot write {db}: permission denied (choose another --db)"
    if not db.exists():
        return None
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.IOException:
        return None  # locked by a writer
    except duckdb.Error as exc:
        return f"cannot open {db}: {one_line(exc)}"
    try:
        schema.preflight(con, str(db))
    except schema.WarehouseSchemaError as exc:
        return str(exc)
    finally:
        con.close()
    return None


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def cmd_requeue(args: argparse.Namespace) -> int:
    """Run the flow again over the sources that produced open quarantine rows."""
    rows = query_frame(args.db, command_query("requeue_sources"), {"run_id": args.run_id}).rows()
    sources = [r[0] for r in rows if Path(r[0]).exists() or r[0].startswith(("http://", "https://"))]
    missing = [r[0] for r in rows if r[0] not in sources]
    for m in missing:
        print(f"dateline: source no longer exists, left in quarantine: {m}", file=sys.stderr)
    if not sources:
        print("dateline: nothing to requeue")
        return 0
    run_args = argparse.Namespace(sources=sources, db=args.db, model=None, batch_size=None, n_process=None,
                                  quarantine_threshold=None, json=False, config=None, requeue=args.run_id or "*")
    return cmd_run(run_args)


def cmd_serve(args: argparse.Namespace) -> int:
    os.environ.update({k: v for k, v in prefect_environment().items() if k not in os.environ})
    settings, schedule = load_config(args.config)
    limit_arenas(settings.malloc_arenas)
    from flows.serve import serve

    print(f"dateline: serving {schedule.name!r} on cron {schedule.cron!r} over {', '.join(schedule.sources)}")
    serve(settings, schedule)
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """Start `prefect server start` bound to 127.0.0.1 with analytics off (foreground)."""
    import subprocess

    env = {**os.environ, **prefect_environment(), "PREFECT_SERVER_API_HOST": "127.0.0.1",
           "PREFECT_SERVER_API_PORT": str(args.port)}
    url = f"http://127.0.0.1:{args.port}"
    print(f"dateline: Prefect UI at {url} — in other shells: export PREFECT_API_URL={url}/api")
    prefect = Path(sys.executable).with_name("prefect")
    return subprocess.call([str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(args.port)], env=env)


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.fetch import policy_from_settings
    from flows.sources.base import SourceProblem
    from flows.sources.resolve import read_one
    from transforms.articles import clean_record

    item = read_one(args.path, policy_from_settings(Settings.from_env()))
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
    try:
        parser = _parser()
    except SettingsError as exc:  # a DATELINE_* variable that is not of its setting's type
        print(f"dateline: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    commands = {"run": cmd_run, "sql": cmd_sql, "extract": cmd_extract, "check": cmd_check, "search": cmd_search,
                "report": cmd_report,
                "quarantine": cmd_quarantine, "requeue": cmd_requeue, "serve": cmd_serve,
                "ui": cmd_ui, "export": cmd_export}
    try:
        return commands[args.command](args)
    except CliError as exc:
        print(f"dateline: {exc}", file=sys.stderr)
        return exc.code
    except SettingsError as exc:  # a bad value in dateline.toml
        print(f"dateline: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `dateline sql … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # Ctrl-C on `ui`, `serve` or a long query
        print("dateline: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

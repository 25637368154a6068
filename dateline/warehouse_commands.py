"""The commands that read the warehouse: `sql`, `check`, `search`, `report`, `quarantine`,
`export`. Each opens the file read-only (sandboxed: no other file reachable) and waits for a
running load like the loader does; every expected failure is one line and an exit code."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dateline.cli_errors import CliError, one_line
from dateline.settings import Settings
from warehouse.queries import command_query


def _open(db: Path, *, write: bool = False, sandbox: bool = True):
    """The warehouse for a command: read-only (and, with `sandbox`, no other file reachable)
    unless `write`; waits for a running load's lock like the loader does; one line on failure."""
    import duckdb

    from warehouse import loader

    if not db.exists():
        raise CliError(2, f"no warehouse at {db}; run `dateline run` first")
    timeout = Settings.from_env().lock_timeout_s
    try:
        return loader.connect(db, read_only=not write, timeout_s=timeout,
                              config=loader.READ_ONLY_SANDBOX if sandbox and not write else None)
    except loader.WarehouseLocked:
        raise CliError(1, f"{db} is locked by a writer for more than {timeout:g} s; try again when the run ends") from None
    except loader.WarehouseSchemaError as exc:
        raise CliError(2, str(exc)) from None
    except duckdb.Error as exc:
        raise CliError(1, f"cannot open {db}: {one_line(exc)}") from None


def query_frame(db: Path, sql: str, params: dict | None = None, *, write: bool = False):
    """One query on the warehouse as a polars frame (None for a statement without rows)."""
    import duckdb

    con = _open(db, write=write)
    try:
        relation = con.sql(sql, params=params)  # None for a statement that returns no rows
        return relation.pl() if relation is not None else None
    except duckdb.PermissionException as exc:
        raise CliError(1, f"{one_line(exc)} (`dateline sql` only reads the warehouse; use `dateline export`, "
                          "or --write to run statements that write)") from None
    except duckdb.Error as exc:
        raise CliError(1, one_line(exc)) from None
    finally:
        con.close()


def cmd_sql(args: argparse.Namespace) -> int:
    frame = query_frame(args.db, args.query, write=args.write)
    if frame is not None:
        _print_frame(frame, args.format)
    return 0


def _print_frame(frame, fmt: str) -> None:
    """A result as CSV, JSON or a table the width of the terminal (long texts kept whole up to a
    point, whole-number decimals as integers, lists as JSON in CSV)."""
    import shutil

    import polars as pl

    frame = frame.with_columns(
        pl.col(c).cast(pl.Int64) for c, t in frame.schema.items() if isinstance(t, pl.Decimal) and t.scale == 0
    )
    if fmt == "csv":
        frame = frame.with_columns(
            pl.Series(c, [None if v is None else json.dumps(v, default=str, ensure_ascii=False)
                          for v in frame[c].to_list()], dtype=pl.String)
            for c, t in frame.schema.items() if t.is_nested()
        )
        sys.stdout.write(frame.write_csv())
    elif fmt == "json":
        print(json.dumps(frame.to_dicts(), default=str, ensure_ascii=False, indent=2))
    else:
        width = shutil.get_terminal_size((160, 40)).columns
        with pl.Config(tbl_rows=200, tbl_cols=50, fmt_str_lengths=max(40, width // 2), tbl_width_chars=width,
                       tbl_hide_dataframe_shape=False, tbl_hide_column_data_types=True):
            print(frame)


def cmd_report(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.report import ReportScope, write_report

    country = args.country.upper() if args.country else None
    if country is not None:
        from transforms.gazetteer import valid_iso3

        if country not in valid_iso3():
            raise CliError(2, f"--country {args.country!r} is not an ISO 3166 alpha-3 code (e.g. USA, PRK)")
    out = args.out or Settings.from_env(db_path=args.db).report_path
    con = _open(args.db, sandbox=False)  # it reads the warehouse only, but writes the report file
    try:
        write_report(con, out, ReportScope(args.since, args.until, country), args.db.name)
    except OSError as exc:
        raise CliError(1, f"cannot write {out}: {one_line(exc)}") from None
    except duckdb.CatalogException as exc:
        raise CliError(2, f"{args.db} is missing what the report reads ({one_line(exc)}); a `dateline run` "
                          "upgrades it") from None
    finally:
        con.close()
    print(f"report: {out} ({out.stat().st_size / 1e6:.1f} MB) — open it in a browser, no network needed")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    import dataclasses

    import duckdb

    from warehouse.search import search

    con = _open(args.db)
    bold = sys.stdout.isatty() and args.format == "text"
    try:
        hits = search(con, args.query, since=args.since, event_type=args.event_type and args.event_type.upper(),
                      entity=args.entity, limit=args.limit, mark=("\033[1m", "\033[0m") if bold else ("[", "]"))
    except duckdb.CatalogException:
        raise CliError(2, f"{args.db} has no search index yet: a `dateline run` on it adds one") from None
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps([dataclasses.asdict(h) for h in hits], default=str, ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no article matches")
    for rank, h in enumerate(hits, start=1):
        print(f"{rank}. {h.title or '(untitled)'}  [{h.published or 'undated'}, score {h.score:.2f}]")
        print(f"   {h.url or h.article_id}")
        print(f"   {h.snippet}")
        for e in h.events[:3]:
            print(f"   event {e['type']}: {e['actor1'] or '?'} [{e['actor1_country'] or '-'}] → "
                  f"{e['actor2'] or '?'} [{e['actor2_country'] or '-'}] ({e['modality']})")
        if h.entities:
            print("   entities: " + ", ".join(f"{x['name']} ×{x['mentions']}" for x in h.entities[:5]))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Schema version and drift, then every contract of warehouse/contracts.sql over all articles."""

    from warehouse import contracts, schema

    con = _open(args.db)
    try:
        version = schema.stored_version(con)
        problems = schema.schema_problems(con) if version == schema.latest_version() else [
            f"schema version {version}, this Dateline writes {schema.latest_version()}: the next `dateline run` migrates it"]
        broken = contracts.violations(con) if not problems else []
    finally:
        con.close()
    for line in problems + [str(v) for v in broken]:
        print(f"dateline: {args.db}: {line}")
    if not problems and not broken:
        print(f"{args.db}: schema version {version}, {len(contracts.contracts())} contracts hold")
    return 1 if problems or broken else 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    _print_frame(query_frame(args.db, command_query("quarantine_rows"), {"run_id": args.run_id, "all": args.all}), args.format)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.export import export_parquet

    if not args.db.exists():
        raise CliError(2, f"no warehouse at {args.db}; run `dateline run` first")
    con = duckdb.connect(str(args.db), read_only=True)
    try:
        counts = export_parquet(con, args.parquet)
    except (OSError, duckdb.Error) as exc:
        raise CliError(1, f"cannot export to {args.parquet}: {one_line(exc)}") from None
    finally:
        con.close()
    for table, n in counts.items():
        print(f"{table}: {n} rows → {args.parquet / table}")
    return 0

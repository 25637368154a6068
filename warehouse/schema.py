"""The warehouse's schema as a contract: a version in the file, migrations on open, drift refused.

`schema.sql` is the current schema and makes a new file. An existing file records the migrations
that made it in `schema_migrations`; opening it for writing applies the missing ones from
`migrations/NNN_name.sql` in one transaction, then checks that every table and column the code
writes is there with its type. A file from a newer Dateline, a file that is not a Dateline
warehouse, or one whose tables were altered by hand is refused with a message saying what is
wrong and what to do; nothing is silently re-created empty or written short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

HERE = Path(__file__).parent
SCHEMA_SQL = HERE / "schema.sql"
VIEWS_SQL = HERE / "views.sql"
MIGRATIONS_DIR = HERE / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{3})_(\w+)\.sql$")


class WarehouseSchemaError(RuntimeError):
    """The file's schema is not one this code can read or write; the message says what to do."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path


@lru_cache(maxsize=1)
def migrations() -> tuple[Migration, ...]:
    """The numbered migration scripts, oldest first (numbers must run 1, 2, 3, … without gaps)."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if not m:
            raise WarehouseSchemaError(f"{path}: migration files are named NNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise WarehouseSchemaError(f"{MIGRATIONS_DIR}: migration numbers must be 1..N without gaps")
    return tuple(found)


def latest_version() -> int:
    """The schema version this code writes (the newest migration's number)."""
    return migrations()[-1].version


@lru_cache(maxsize=1)
def expected_columns() -> dict[str, dict[str, str]]:
    """table → column → DuckDB type, as `schema.sql` makes them (read from an in-memory copy)."""
    con = duckdb.connect()
    try:
        con.execute(SCHEMA_SQL.read_text())
        return _columns(con)
    finally:
        con.close()


def _columns(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    rows = con.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = 'main' and table_catalog = current_database() "
        "and table_name in (select table_name from information_schema.tables "
        "                   where table_type = 'BASE TABLE' and table_schema = 'main' "
        "                   and table_catalog = current_database()) "
        "order by table_name, ordinal_position"
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


def stored_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The file's schema version: None for an empty file, 0 for a Dateline warehouse made before
    versions were recorded. Raises for a file that holds other tables than Dateline's."""
    tables = set(_columns(con))
    if not tables:
        return None
    if "schema_migrations" in tables:
        (version,) = con.execute("select coalesce(max(version), 0) from schema_migrations").fetchall()[0]
        return int(version)
    if {"articles", "runs"} <= tables:
        return 0
    raise WarehouseSchemaError(
        f"not a Dateline warehouse (it holds tables {', '.join(sorted(tables)[:8])}); choose another --db"
    )


def schema_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What differs from `schema.sql`: missing tables, missing columns, changed types.
    Extra tables and columns are the user's own and are left alone."""
    have = _columns(con)
    problems = []
    for table, columns in expected_columns().items():
        if table not in have:
            problems.append(f"table {table} is missing")
            continue
        for column, kind in columns.items():
            got = have[table].get(column)
            if got is None:
                problems.append(f"column {table}.{column} is missing")
            elif got != kind:
                problems.append(f"column {table}.{column} is {got}, expected {kind}")
    return problems


def check_readable(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """Refuse a file written by a newer Dateline even for reading (its tables may mean other things)."""
    version = stored_version(con)
    if version is not None and version > latest_version():
        raise WarehouseSchemaError(_newer(where, version))


def preflight(con: duckdb.DuckDBPyConnection, where: str) -> None:
    """What `ensure_schema` would refuse, found on a read-only connection before a run starts:
    a newer or foreign file, or drift in a file at the current version."""
    version = stored_version(con)
    if version is not None and version > latest_version():
        raise WarehouseSchemaError(_newer(where, version))
    if version == latest_version():
        problems = schema_problems(con)
        if problems:
            raise WarehouseSchemaError(_drift(where, version, problems))


def _drift(where: str, version: int, problems: list[str]) -> str:
    return (f"{where}: schema version {version} but {'; '.join(problems)}. The file was changed outside "
            "Dateline; restore it from a copy, or start a new warehouse (--db) and re-run the sources")


def _newer(where: str, version: int) -> str:
    return (f"{where}: warehouse schema version {version} is newer than this Dateline's "
            f"({latest_version()}); upgrade Dateline (git pull && make sync) or choose another --db")


def ensure_schema(con: duckdb.DuckDBPyConnection, where: str = "warehouse") -> int:
    """Create a new warehouse, or migrate an older one in one transaction, then check its tables,
    refresh the reference data when it changed and re-create the views. Returns the version."""
    version = stored_version(con)
    latest = latest_version()
    if version is not None and version > latest:
        raise WarehouseSchemaError(_newer(where, version))
    if version is None:
        _in_transaction(con, lambda: _create(con))
    elif version < latest:
        _in_transaction(con, lambda: _migrate(con, version, where))
    problems = schema_problems(con)
    if problems:
        raise WarehouseSchemaError(_drift(where, latest, problems))
    _in_transaction(con, lambda: _refresh_reference_data(con))
    con.execute(VIEWS_SQL.read_text())
    return latest


def _in_transaction(con: duckdb.DuckDBPyConnection, work) -> None:
    con.execute("begin transaction")
    try:
        work()
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass
        raise


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL.read_text())
    now = dt.datetime.now(dt.timezone.utc)
    for m in migrations():
        con.execute("insert into schema_migrations values (?, ?, ?)", [m.version, m.name, now])
    con.execute("insert into warehouse_meta values ('created_at', ?)", [now.isoformat()])


def _migrate(con: duckdb.DuckDBPyConnection, version: int, where: str) -> None:
    con.execute("create table if not exists schema_migrations "
                "(version integer primary key, name varchar, applied_at timestamptz)")
    now = dt.datetime.now(dt.timezone.utc)
    for m in migrations():
        if m.version <= version:
            continue
        try:
            con.execute(m.path.read_text())
        except duckdb.Error as exc:
            raise WarehouseSchemaError(
                f"{where}: migration {m.version:03d}_{m.name} from schema version {version} failed "
                f"({type(exc).__name__}: {exc}); the file is unchanged"
            ) from exc
        con.execute("insert into schema_migrations values (?, ?, ?)", [m.version, m.name, now])


def reference_frames() -> dict[str, tuple[pl.DataFrame, str]]:
    """Reference tables seeded from the code's data files: table → (rows, key column)."""
    from transforms.gazetteer import country_names
    from transforms.lexicon import event_types_frame

    names = country_names()
    codes = pl.DataFrame({"code": sorted(names), "name": [names[c] for c in sorted(names)]},
                         schema={"code": pl.String, "name": pl.String})
    return {"event_types": (event_types_frame(), "event_type"), "country_codes": (codes, "code")}


def _refresh_reference_data(con: duckdb.DuckDBPyConnection) -> None:
    """Upsert the reference tables and give a new file its id; skipped when nothing changed
    (a hash of the rows is kept in `warehouse_meta`)."""
    con.execute("insert into warehouse_meta select 'warehouse_id', cast(uuid() as varchar) "
                "where not exists (select 1 from warehouse_meta where key = 'warehouse_id')")
    frames = reference_frames()
    digest = hashlib.sha256()
    for table, (frame, _key) in sorted(frames.items()):
        digest.update(table.encode())
        digest.update(frame.write_csv().encode())
    stamp = digest.hexdigest()
    stored = con.execute("select value from warehouse_meta where key = 'reference_data'").fetchall()
    if stored and stored[0][0] == stamp:
        return
    for table, (frame, key) in frames.items():
        con.register("_reference", frame.to_arrow())
        try:
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            sets = ", ".join(f'"{c}" = excluded."{c}"' for c in frame.columns if c != key)
            con.execute(f"insert into {table} ({cols}) select {cols} from _reference "
                        f"on conflict ({key}) do update set {sets}")
        finally:
            con.unregister("_reference")
    con.execute("insert into warehouse_meta values ('reference_data', ?) "
                "on conflict (key) do update set value = excluded.value", [stamp])


def warehouse_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """The file's own id (made with it, or on its first open by this version)."""
    try:
        rows = con.execute("select value from warehouse_meta where key = 'warehouse_id'").fetchall()
    except duckdb.CatalogException:
        return None
    return rows[0][0] if rows else None

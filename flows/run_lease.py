"""Which runs of a warehouse are alive, so a killed run is never left `running` for good.

Each run holds an exclusive lock on `<db file>.runs/<run_id>.lock` while it goes; the kernel drops
the lock when the process ends, however it ends (Ctrl-C, SIGKILL, a crash, a power cut). A later
run that finds a `running` row whose lock it can take knows that process is gone and marks the row
`interrupted`. The runs of this process are kept in `ACTIVE`, for the Ctrl-C handler to mark.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import duckdb

from warehouse.queries import command_query

DEAD_RUN = ("the process ended before the run finished (interrupted, killed or crashed); "
            "batches it committed are kept, the rest were rolled back")
INTERRUPTED = "interrupted (Ctrl-C or SIGTERM); batches committed before are kept, none was loaded after"


@dataclass
class RunLease:
    """The lock a live run holds on its file under `<db file>.runs/`."""

    run_id: str
    db_path: Path
    handle: IO[bytes] | None = field(default=None, repr=False)

    @property
    def path(self) -> Path:
        return lease_folder(self.db_path) / f"{self.run_id}.lock"

    def release(self) -> None:
        with _LOCK:
            ACTIVE.pop(self.run_id, None)
        if self.handle is not None:
            try:
                self.path.unlink(missing_ok=True)
            finally:
                self.handle.close()  # closing drops the lock
                self.handle = None


ACTIVE: dict[str, RunLease] = {}
_LOCK = threading.Lock()


def lease_folder(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.name}.runs")


def take(run_id: str, db_path: Path) -> RunLease:
    """Hold the run's lock file for as long as the run goes (released by `release` or by exit)."""
    folder = lease_folder(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    lease = RunLease(run_id, db_path)
    handle = open(lease.path, "a+b")
    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    lease.handle = handle
    with _LOCK:
        ACTIVE[run_id] = lease
    return lease


def is_alive(db_path: Path, run_id: str) -> bool:
    """True while some process holds the run's lock file."""
    path = lease_folder(db_path) / f"{run_id}.lock"
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def sweep_dead_runs(con: duckdb.DuckDBPyConnection, db_path: Path) -> list[str]:
    """Mark `running` rows whose process is gone as `interrupted`; returns their run ids."""
    running = [r for (r,) in con.execute(command_query("running_runs")).fetchall()]
    dead = [r for r in running if not is_alive(db_path, r)]
    for run_id in dead:
        mark(con, run_id, DEAD_RUN)
        (lease_folder(db_path) / f"{run_id}.lock").unlink(missing_ok=True)
    return dead


def mark(con: duckdb.DuckDBPyConnection, run_id: str, message: str) -> None:
    """Set a run `interrupted` (in its own transaction) unless it already finished."""
    con.execute(
        command_query("mark_interrupted"),
        {"now": dt.datetime.now(dt.timezone.utc), "msg": message, "run": run_id},
    )

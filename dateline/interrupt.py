"""Ctrl-C and SIGTERM during `dateline run`: stop within seconds and leave the warehouse consistent.

Prefect's ephemeral server shares the terminal's process group, so Ctrl-C kills it too, and the
flow engine then retries its API calls for minutes; the NLP thread would also finish its batch
first. So the first signal does not go through Prefect: a helper thread waits (briefly) for any
Great Expectations file write to end, marks this process's runs `interrupted` in the warehouse,
stops the ephemeral server and ends the process. A load under way is let finish (or roll back) and
none starts after it; batches committed before stay. A second signal ends the process at once.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

EXIT_CODE = 130
GRACE_S = 2.0  # the longest wait for a GX write, then for a load, to end before leaving anyway


@contextmanager
def handled(gx_root: Path) -> Iterator[None]:
    """Handle SIGINT and SIGTERM as described above while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        if fired.is_set():
            os._exit(EXIT_CODE)
        fired.set()
        threading.Thread(target=_stop, args=(signal.Signals(signum).name, gx_root), daemon=True).start()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop(name: str, gx_root: Path) -> None:
    print(f"dateline: {name}: stopping; batches committed so far are kept", file=sys.stderr, flush=True)
    _wait_for_gx(gx_root)
    from warehouse import loader

    loader.stop_writes(GRACE_S)  # a load under way commits or not; none starts after it
    _mark_runs()
    _stop_ephemeral_server()
    sys.stderr.flush()
    sys.stdout.flush()
    os._exit(EXIT_CODE)


def _wait_for_gx(gx_root: Path) -> None:
    """GX writes its JSON stores in place: take its project lock so no file is cut in half."""
    lock = gx_root / ".dateline-gx.lock"
    if not lock.exists():
        return
    with open(lock, "a+b") as fh:
        deadline = time.monotonic() + GRACE_S
        while time.monotonic() < deadline:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return  # held until the process ends
            except BlockingIOError:
                time.sleep(0.05)


def _mark_runs() -> None:
    import duckdb

    from flows import run_lease

    for lease in list(run_lease.ACTIVE.values()):
        deadline = time.monotonic() + GRACE_S
        while True:
            try:  # a plain connection: nothing to migrate or re-create on the way out
                con = duckdb.connect(str(lease.db_path))
                try:
                    run_lease.mark(con, lease.run_id, run_lease.INTERRUPTED)
                finally:
                    con.close()
                break
            except duckdb.Error as exc:  # the run's own read-only look-up holds the file for a moment
                if time.monotonic() < deadline:
                    time.sleep(0.05)
                    continue
                print(f"dateline: run {lease.run_id} left for the next run to mark: {exc}", file=sys.stderr)
                break


def _stop_ephemeral_server() -> None:
    """os._exit skips Prefect's atexit hook, which would stop the server it started."""
    try:
        from prefect.server.api.server import SubprocessASGIServer
    except ImportError:
        return
    for server in list(getattr(SubprocessASGIServer, "_instances", {}).values()):
        process = getattr(server, "server_process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=2)
            except Exception:  # noqa: BLE001
                process.kill()

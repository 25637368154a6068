"""glibc malloc arenas: one per process, so spaCy in a task thread reuses warm memory.

glibc gives each new thread that allocates its own malloc arena (up to 8 per core). Prefect runs
a task in a worker thread of its task runner, so the NLP task's large numpy buffers came from an
arena of their own, grown fresh per task thread, where the main thread's arena is already warm:
`nlp.pipe` in a fresh thread took 6-8x the page faults of the same call on the main thread (250
news articles, 3 alternating rounds), and with one arena the same. In a Dateline process the
heavy work is mostly one thread at a time (the NLP task while the driver waits, or the driver);
where the driver and a task thread overlap, they share one arena's lock.

Set at the entry points (`dateline run`/`serve`, the benchmarks) before Prefect starts threads:
`mallopt(M_ARENA_MAX, n)` for this process, and `MALLOC_ARENA_MAX` in the environment, which
glibc reads at start-up in the processes this one starts (served flow runs, NLP pool workers,
Dask workers). Off glibc (macOS, musl) nothing happens.
"""

from __future__ import annotations

import ctypes
import os
from functools import lru_cache

M_ARENA_MAX = -8  # from glibc's malloc.h


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(None)  # the symbols already loaded: libc's on Linux
        libc.mallopt  # noqa: B018 - glibc has it; musl and macOS do not
    except (OSError, AttributeError, TypeError):  # TypeError: CDLL(None) on Windows
        return None
    return libc


def limit_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at `arenas` here and in child processes (0 keeps glibc's
    default); True when this process's cap was applied."""
    if arenas <= 0:
        return False
    libc = _libc()
    if libc is None:
        return False
    os.environ.setdefault("MALLOC_ARENA_MAX", str(arenas))
    return libc.mallopt(M_ARENA_MAX, arenas) == 1

"""glibc malloc arenas: one for the whole process, so spaCy in a task thread reuses warm memory.

glibc gives each new thread that allocates its own malloc arena (up to 8 per core). Prefect runs
a task in a worker thread of its task runner, so the NLP task's large numpy buffers came from an
arena of their own, grown fresh per task thread, where the main thread's arena is already warm:
`nlp.pipe` in a fresh thread took 6-8x the page faults of the same call on the main thread (250
news articles, 3 alternating rounds), and ran 1.0-1.15x slower. With one arena the thread's
faults matched the main thread's. Only one thread at a time does heavy work in a Dateline
process (the NLP task, or the driver), so sharing one arena's lock costs nothing measurable.

`mallopt(M_ARENA_MAX, n)` takes effect for threads that allocate after it; it is a no-op off
glibc (macOS, musl), where this module does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

M_ARENA_MAX = -8  # from glibc's malloc.h


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 - glibc has it; musl and macOS do not
    except (OSError, AttributeError, TypeError):
        return None
    return libc


def limit_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at `arenas` (0 keeps glibc's default); True when applied."""
    if arenas <= 0:
        return False
    libc = _libc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, arenas) == 1)

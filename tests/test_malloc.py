"""One malloc arena: a thread's allocations come from the main arena (glibc only)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dateline.malloc import _libc, limit_arenas

PROBE = r"""
import ctypes, ctypes.util, os, sys, tempfile, threading
sys.path.insert(0, {root!r})
from dateline.malloc import limit_arenas
limit_arenas({arenas})
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.fopen.restype = ctypes.c_void_p
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
kept = []
def work():
    kept.extend(libc.malloc(50_000) for _ in range(50))  # below the mmap threshold: arena memory
t = threading.Thread(target=work); t.start(); t.join()
path = os.path.join(tempfile.mkdtemp(), "info.xml")
fp = libc.fopen(path.encode(), b"w"); libc.malloc_info(0, fp); libc.fclose(fp)
print(open(path).read().count("<heap nr="))
"""


def _heaps(arenas: int) -> int:
    from dateline.settings import REPO_ROOT

    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(REPO_ROOT), arenas=arenas)],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(_libc() is None, reason="not glibc: mallopt is unavailable")
def test_a_thread_allocates_from_the_main_arena_when_limited_to_one():
    assert _heaps(1) == 1
    assert _heaps(0) >= 2  # glibc's default: the thread got an arena of its own


def test_zero_or_less_keeps_the_default():
    assert limit_arenas(0) is False
    assert limit_arenas(-3) is False

"""One malloc arena: a thread's allocations come from the main arena (glibc only)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dateline.malloc import _libc, limit_arenas

PROBE = r"""
import ctypes, os, sys, tempfile, threading
sys.path.insert(0, {root!r})
from dateline.malloc import limit_arenas
applied = limit_arenas({arenas})
libc = ctypes.CDLL(None)
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
print(applied, open(path).read().count("<heap nr="), os.environ.get("MALLOC_ARENA_MAX"))
"""


def _probe(arenas: int) -> tuple[str, int, str]:
    from dateline.settings import REPO_ROOT

    env = {k: v for k, v in os.environ.items() if k not in {"MALLOC_ARENA_MAX", "GLIBC_TUNABLES"}}
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(REPO_ROOT), arenas=arenas)],
                         capture_output=True, text=True, check=True, env=env)
    applied, heaps, child_env = out.stdout.split()
    return applied, int(heaps), child_env


@pytest.mark.skipif(_libc() is None, reason="not glibc: mallopt is unavailable")
def test_a_thread_allocates_from_the_main_arena_when_limited_to_one():
    assert _probe(1) == ("True", 1, "1")  # applied, one heap, and children are told too
    applied, heaps, child_env = _probe(0)
    assert (applied, child_env) == ("False", "None")
    assert heaps >= 2  # glibc's default: the thread got an arena of its own


def test_zero_or_less_keeps_the_default():
    assert limit_arenas(0) is False
    assert limit_arenas(-3) is False


def test_dateline_run_limits_arenas_before_anything_starts(tmp_path, monkeypatch):
    from dateline import cli

    calls = []
    monkeypatch.setattr(cli, "limit_arenas", calls.append)
    monkeypatch.setenv("DATELINE_MALLOC_ARENAS", "3")
    assert cli.main(["run", str(tmp_path / "missing-folder")]) == 2  # a bad source: fails before Prefect
    assert calls == [3]

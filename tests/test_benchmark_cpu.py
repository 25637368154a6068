"""The throughput benchmark's CPU accounting: which of psutil's CPU times count as busy."""

from __future__ import annotations

import sys
import time
from collections import namedtuple
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from throughput import busy_and_steal, machine_cpu  # noqa: E402

LinuxTimes = namedtuple("LinuxTimes", "user nice system idle iowait irq softirq steal guest guest_nice")


def test_cpu_times_count_busy_time_and_steal_not_idle():
    # Linux counts guest time inside user and nice already, so it must not be added again
    busy, steal = busy_and_steal(LinuxTimes(5.0, 0.1, 0.9, 90.0, 4.0, 0.2, 0.3, 3.0, 0.5, 0.05))
    assert busy == pytest.approx(6.5)  # 5.0 + 0.1 + 0.9 + 0.2 + 0.3: idle, iowait, guest left out
    assert steal == pytest.approx(3.0)
    # an OS without irq, softirq or steal fields (macOS): busy from what there is, nothing stolen
    assert busy_and_steal(namedtuple("MacTimes", "user nice system idle")(5.0, 0.1, 0.9, 90.0)) == (
        pytest.approx(6.0), 0.0)


def test_machine_cpu_sees_this_process_work():
    before = machine_cpu()
    end = time.process_time() + 0.3
    while time.process_time() < end:  # 0.3 s of CPU on this process
        pass
    after = machine_cpu()
    assert after[0] - before[0] >= 0.2

"""The throughput benchmark's CPU accounting: what it reads from /proc/stat."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from throughput import machine_cpu, parse_cpu_line  # noqa: E402


def test_cpu_line_counts_busy_time_and_steal_not_idle():
    # user nice system idle iowait irq softirq steal guest guest_nice, in ticks; Linux counts
    # guest time inside user and nice already, so it must not be added again
    busy, steal = parse_cpu_line("cpu  500 10 90 9000 400 20 30 300 50 5", ticks_per_second=100)
    assert busy == pytest.approx(6.5)  # (500 + 10 + 90 + 20 + 30) / 100: idle, iowait, guest left out
    assert steal == pytest.approx(3.0)


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="Linux only")
def test_machine_cpu_sees_this_process_work():
    before = machine_cpu()
    end = time.process_time() + 0.3
    while time.process_time() < end:  # 0.3 s of CPU on this process
        pass
    after = machine_cpu()
    assert before is not None and after is not None
    assert after[0] - before[0] >= 0.2

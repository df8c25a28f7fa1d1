"""NOTE(runqueue-accounting): a span's wall seconds split into CPU, run-queue wait and
sleep; the kernel's file is read when present and its absence is not an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.engine import schedstat
from podcheck.engine.schedstat import Span


def test_sleep_is_the_wall_time_neither_on_a_cpu_nor_runnable() -> None:
    assert Span(wall=3.0, cpu=1.0, runq=0.5).sleep == pytest.approx(1.5)


def test_sleep_is_never_negative_when_the_clocks_disagree_slightly() -> None:
    assert Span(wall=1.0, cpu=0.8, runq=0.3).sleep == 0.0


def test_the_kernel_file_is_read_in_nanoseconds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "schedstat"
    fake.write_text("2500000000 750000000 12\n")
    monkeypatch.setattr(schedstat, "SCHEDSTAT", fake)
    s = schedstat.sample()
    assert (s.cpu, s.runq) == (2.5, 0.75)


def test_without_the_file_the_wait_reads_zero(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedstat, "SCHEDSTAT", tmp_path / "absent")
    s = schedstat.sample()
    assert s.runq == 0.0 and s.cpu >= 0.0


def test_a_span_of_busy_work_is_mostly_cpu() -> None:
    start = schedstat.sample()
    total = sum(i * i for i in range(200_000))
    span = schedstat.since(start)
    assert total > 0
    assert 0.0 < span.cpu <= span.wall + 0.05 and span.runq >= 0.0

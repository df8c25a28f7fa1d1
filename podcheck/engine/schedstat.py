"""Where a thread's wall time went: on a CPU, runnable but waiting for one, or asleep.

Stage: inside `podcheck.engine`, used by `engine/workers.py` to account for each level
of a worker process (NOTE(runqueue-accounting)).

NOTE(runqueue-accounting): a worker's wall seconds per level are its CPU seconds, the
seconds it was runnable while the scheduler ran something else on every core (the run
queue delay: the machine's load, or a sibling thread or process), and the seconds it
slept (blocked on a pipe: waiting for a peer's batches or the coordinator's next
command).  Linux keeps the first two per thread in `/proc/thread-self/schedstat`
(nanoseconds on a CPU, nanoseconds waiting on a run queue, timeslices: the kernel's
`proc_sched_show_task`/`schedstat` of `kernel/sched/stats.c`); the sleep is the rest.
On a shared machine the run queue delay is most of a partitioned run's wall time
beyond its CPU (docs/scaling.md), and no change to the workers can win it back; the
sleep is what the partitioning costs.  Where the file does not exist (not Linux), the
run queue delay reads 0 and `thread_time` stands for the CPU seconds.  Reading it
changes nothing computed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

SCHEDSTAT = Path("/proc/thread-self/schedstat")


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading of this thread's clocks (seconds)."""

    wall: float  # `time.perf_counter` (CLOCK_MONOTONIC: one clock for forked processes)
    cpu: float  # CPU seconds of this thread
    runq: float  # seconds this thread was runnable and not running


@dataclass(frozen=True, slots=True)
class Span:
    """Where the wall seconds between two samples went."""

    wall: float
    cpu: float
    runq: float

    @property
    def sleep(self) -> float:
        """Seconds blocked (neither on a CPU nor runnable)."""
        return max(0.0, self.wall - self.cpu - self.runq)


def sample() -> Sample:
    """This thread's clocks now."""
    wall = time.perf_counter()
    try:
        on_cpu, waited = SCHEDSTAT.read_text().split()[:2]
    except (OSError, ValueError):
        return Sample(wall, time.thread_time(), 0.0)
    return Sample(wall, int(on_cpu) / 1e9, int(waited) / 1e9)


def since(start: Sample) -> Span:
    """The span from `start` to now."""
    end = sample()
    return Span(end.wall - start.wall, end.cpu - start.cpu, end.runq - start.runq)

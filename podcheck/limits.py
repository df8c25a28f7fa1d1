"""Whole-run limits: a wall-clock deadline, a memory ceiling and Ctrl-C, in every phase.

Stage: shared by the drivers (`podcheck.check`).  A `Watch` is armed around one run
(`watching`): a timer fires every `TICK` seconds and compares the clock with the
deadline and the resident memory with the ceiling; SIGINT records an interruption.
While the BFS runs (`cooperative`), the watch only records the limit in `stop`, and
the search reads it at its next clock check and ends with the statistics and the
verdicts it has (NOTE(whole-run-limits)); in every other phase (load, compile,
liveness, the other engines) the watch raises `Stopped`, which the driver turns into
an inconclusive run.  Signals and timers exist only in the main thread: elsewhere the
watch is inert but for `poll`, which the BFS still calls.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TypeVar

from podcheck.engine.result import Limit

T = TypeVar("T")

TICK = 0.2  # seconds between two looks at the clock and the memory
# NOTE(limit-overshoot): the BFS reads `stop` between two states, and one state of a
# very big model can take minutes to expand (1 000 replicas: 22 000 actions, each
# successor canonicalised), so a cooperative search that has not stopped `OVERSHOOT`
# seconds after a limit was reached is stopped by raising, as every other phase is: the
# run is inconclusive without the search's statistics rather than over its limit.
OVERSHOOT = 2.0
MEMORY_SHARE = 0.5  # the default `--max-memory`: this share of the machine's RAM


class Stopped(BaseException):
    """A limit stopped a phase that cannot stop by itself (a BaseException, so that no
    `except Exception` in the pipeline swallows it)."""

    def __init__(self, limit: Limit) -> None:
        super().__init__(limit.value)
        self.limit = limit


def machine_memory() -> int | None:
    """The machine's physical memory in bytes, or None where the OS does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def default_max_memory() -> int | None:
    """The default memory ceiling: `MEMORY_SHARE` of the machine's RAM."""
    total = machine_memory()
    return None if total is None else int(total * MEMORY_SHARE)


@dataclass(slots=True)
class Process:
    """When the process started, a `time.monotonic()` (set by `cli.main` alone: a command
    called in-process, as the tests do, has no start-up of its own to count)."""

    began: float | None = None

    def budget(self, timeout: float | None) -> float | None:
        """What is left of a `--timeout` counted from the start of the process (from
        now when it is not known: NOTE(split-deadline))."""
        return timeout if self.began is None else left(timeout, self.began)


PROCESS = Process()


def left(timeout: float | None, since: float) -> float | None:
    """What is left of `timeout` seconds counted from `since` (a `time.monotonic()`)."""
    return None if timeout is None else max(0.0, timeout - (time.monotonic() - since))


def process_age() -> float:
    """Seconds since this process started (the interpreter and the imports included:
    NOTE(split-deadline) in engine/smt_values.py), from /proc; 0 where it is missing."""
    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return 0.0


def resident_bytes() -> int:
    """This process's resident memory now (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@dataclass(slots=True)
class Watch:
    """The limits of one run and the first one reached (`stop`)."""

    deadline: float | None = None  # a `time.monotonic()` value
    max_memory: int | None = None  # bytes of resident memory
    stop: Limit | None = None
    cooperative: bool = False  # True while the BFS polls `stop` itself
    stopped_at: float | None = None  # `time.monotonic()` when `stop` was first set
    in_search: bool = False  # a search polls `searching` and has not yet seen `stop`

    @staticmethod
    def of(timeout: float | None, max_memory: int | None) -> Watch:
        """A watch whose deadline is `timeout` seconds from now."""
        deadline = None if timeout is None else time.monotonic() + timeout
        return Watch(deadline, max_memory)

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative), None without one."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def poll(self) -> Limit | None:
        """Look at the clock and the memory; the limit reached, if any (sticky)."""
        if self.stop is None:
            if self.deadline is not None and time.monotonic() >= self.deadline:
                self.stop = Limit.TIMEOUT
            elif self.max_memory is not None and resident_bytes() > self.max_memory:
                self.stop = Limit.MAX_MEMORY
            if self.stop is not None:
                self.stopped_at = time.monotonic()
        return self.stop

    def check(self) -> None:
        """Raise `Stopped` if a limit was reached (a phase boundary)."""
        if self.poll() is not None and self.stop is not None:
            raise Stopped(self.stop)

    def _fire(self, limit: Limit | None) -> None:
        if limit is not None and (not self.cooperative or self._overshot()):
            raise Stopped(limit)

    def _overshot(self) -> bool:
        """The cooperative search has not stopped `OVERSHOOT` seconds after the limit."""
        return (self.in_search and self.stopped_at is not None
                and self.stop is not Limit.INTERRUPT
                and time.monotonic() - self.stopped_at > OVERSHOOT)

    def on_timer(self, _signum: int, _frame: FrameType | None) -> None:
        """SIGALRM: poll, and raise unless the BFS will read `stop` itself."""
        self._fire(self.poll())

    def on_interrupt(self, _signum: int, _frame: FrameType | None) -> None:
        """SIGINT: record the interruption (a second Ctrl-C in the BFS raises)."""
        if self.stop is Limit.INTERRUPT:
            raise Stopped(Limit.INTERRUPT)
        self.stop = Limit.INTERRUPT
        self._fire(self.stop)

    def searching(self) -> Limit | None:
        """The BFS's `should_stop`: from its first call (the search loop has started) a
        limit is only recorded, and this returns it."""
        self.cooperative = True
        self.in_search = self.stop is None
        return self.stop

    def keep_result(self) -> None:
        """A search has returned its result: from now a limit is only recorded (the
        result is kept), never raised for overshooting (NOTE(limit-overshoot))."""
        self.cooperative, self.in_search = True, False

    def cooperating(self) -> AbstractContextManager[None]:
        """While inside, limits are only recorded (call `check` first to raise for a
        limit reached before)."""
        self.check()
        return _mode(self, True)

    def interruptible(self) -> AbstractContextManager[None]:
        """While inside, a limit raises `Stopped` at the next tick."""
        return _mode(self, False)


@contextmanager
def _mode(watch: Watch, cooperative: bool) -> Iterator[None]:
    before = watch.cooperative
    watch.cooperative = cooperative
    try:
        yield
    finally:
        watch.cooperative = before


@contextmanager
def watching(watch: Watch) -> Iterator[Watch]:
    """Arm the timer and the SIGINT handler for `watch` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield watch
        return
    armed = watch.deadline is not None or watch.max_memory is not None
    old_int = signal.signal(signal.SIGINT, watch.on_interrupt)
    old_alarm = signal.signal(signal.SIGALRM, watch.on_timer) if armed else None
    if armed:
        signal.setitimer(signal.ITIMER_REAL, TICK, TICK)
    try:
        yield watch
    finally:
        watch.keep_result()  # a tick now must not raise out of this `finally`
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, old_alarm)
        signal.signal(signal.SIGINT, old_int)


def bounded(seconds: float | None, work: Callable[[], T]) -> T | None:
    """`work()`, or None when `seconds` of wall time ran out first: a phase that does not
    look at the clock itself (a liveness check, a compile) is stopped at the first tick
    past them (NOTE(whole-run-budget): `tune`, `counts`).  Ctrl-C is a KeyboardInterrupt,
    as it is outside a watch."""
    if seconds is None:
        return work()
    watch = Watch.of(seconds, None)
    try:
        with watching(watch):
            return work()
    except Stopped as stop:
        if stop.limit is Limit.INTERRUPT:
            raise KeyboardInterrupt from None
        return None

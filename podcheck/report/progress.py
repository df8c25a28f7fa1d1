"""Render a run's progress on stderr: the rich `RunReporter`.

Stage: `podcheck.report`.  Consumes the calls of the `RunReporter` protocol
(`podcheck.engine.progress`: the phase a run or a suite is in, the engines' `Progress`
values, the final `Stats`); produces a status line on stderr via rich, and only for a
phase that has lasted `after_seconds` (2 s), so short runs and golden outputs stay
quiet.  On a terminal the line is redrawn in place (a transient rich `Live`, refreshed
by a daemon thread, so that a phase with no callbacks, such as a long compile or a
liveness check, still shows its elapsed time); elsewhere (a CI log, when asked for with
`--progress`) a plain line is printed every `every_seconds`.  `close` stops it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType

from rich.console import Console
from rich.live import Live
from rich.text import Text

from podcheck.engine.progress import Progress
from podcheck.engine.result import Stats
from podcheck.report.words import count

_TICK = 0.25  # seconds between two looks of the display thread


def status_line(phase: str, detail: str, counts: Progress | None, seconds: float) -> str:
    """`exploring the states: 12 040 states, queue 3 100, depth 14, 6 020 states/s, 2 s`."""
    parts = [f"{phase} {detail}".strip()]
    if counts is not None:
        rate = count(int(counts.states / counts.seconds)) if counts.seconds > 0 else "-"
        parts.append(f"{count(counts.states)} states, queue {count(counts.queue)}, "
                     f"depth {counts.depth}, {rate} states/s")
    return f"podcheck: {': '.join(parts)}, {seconds:.0f} s"


class RichReporter:
    """Progress of every phase longer than `after_seconds`, on stderr (see the module
    doc); `live` (default: the console is a terminal) chooses the redrawn line."""

    def __init__(self, console: Console | None = None, after_seconds: float = 2.0, *,
                 live: bool | None = None, every_seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console = console if console is not None else Console(stderr=True)
        self.after_seconds = after_seconds
        self.every_seconds = every_seconds
        self.live = self.console.is_terminal if live is None else live
        self.clock = clock
        self._lock = threading.Lock()
        self._phase, self._detail, self._since = "", "", clock()
        self._counts: Progress | None = None
        self._printed = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def on_phase(self, phase: str, detail: str = "") -> None:
        """A phase begins: its line appears once it has lasted `after_seconds`."""
        with self._lock:
            if phase != self._phase:
                self._since = self.clock()
            self._phase, self._detail, self._counts = phase, detail, None
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="podcheck-progress",
                                            daemon=True)
            self._thread.start()

    def on_progress(self, progress: Progress) -> None:
        """The engine's counts so far, shown with the current phase."""
        with self._lock:
            self._counts = progress
        if self._thread is None:  # an engine run without phases (a library call)
            self.on_phase("exploring the states")

    def on_done(self, stats: Stats) -> None:
        """Print a closing line if the engine ran for `after_seconds` or more."""
        if stats.seconds < self.after_seconds:
            return
        ending = "done" if stats.complete else "stopped"
        self.console.print(
            f"[dim]podcheck: search {ending}: {count(stats.states)} states, "
            f"{count(stats.transitions)} transitions, depth {stats.depth}, "
            f"{stats.seconds:.1f} s[/dim]", highlight=False, soft_wrap=True)

    def line(self) -> str | None:
        """The status line now, or None while the phase is younger than `after_seconds`."""
        with self._lock:
            seconds = self.clock() - self._since
            if not self._phase or seconds < self.after_seconds:
                return None
            return status_line(self._phase, self._detail, self._counts, seconds)

    def _run(self) -> None:
        if not self.live:
            while not self._stop.wait(_TICK):
                text = self.line()
                if text is not None and self.clock() - self._printed >= self.every_seconds:
                    self._printed = self.clock()
                    self.console.print(text, highlight=False, markup=False, soft_wrap=True)
            return
        with Live(console=self.console, transient=True, auto_refresh=False) as live:
            while not self._stop.wait(_TICK):
                text = self.line()
                live.update(Text(text or "", style="dim", no_wrap=True, overflow="ellipsis"),
                            refresh=True)

    def close(self) -> None:
        """Stop the display thread and clear the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> RichReporter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

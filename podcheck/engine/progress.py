"""How engines report progress: a `Reporter` protocol instead of `print`.

Stage: inside `podcheck.engine`.  Engines (bfs, liveness) call `on_progress` now and
then while they run and `on_done` once with their final `Stats`; the CLI chooses the
reporter.  `RichReporter` writes a line to stderr, and only for runs that last longer
than a couple of seconds, so short runs and golden outputs stay quiet.
"""

from __future__ import annotations

from typing import Protocol

from rich.console import Console

from podcheck.engine.result import Stats


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


class Reporter(Protocol):
    """Receives an engine's progress; must be cheap (it runs inside the search)."""

    def on_progress(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        """Called about once a second with the counts so far."""

    def on_done(self, stats: Stats) -> None:
        """Called once when the engine stops."""


class SilentReporter:
    """A reporter that says nothing."""

    def on_progress(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        """Ignore progress."""

    def on_done(self, stats: Stats) -> None:
        """Ignore the end of the run."""


class RichReporter:
    """Progress lines on stderr (via rich), for runs longer than `after_seconds`."""

    def __init__(self, console: Console | None = None, after_seconds: float = 2.0) -> None:
        self.console = console if console is not None else Console(stderr=True)
        self.after_seconds = after_seconds

    def on_progress(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        """Print one progress line once the run has lasted `after_seconds`."""
        if seconds < self.after_seconds:
            return
        rate = _count(int(states / seconds)) if seconds > 0 else "-"
        self.console.print(
            f"[dim]bfs: {_count(states)} states, {_count(transitions)} transitions, "
            f"depth {depth}, {seconds:.1f} s ({rate} states/s)[/dim]",
            highlight=False,
        )

    def on_done(self, stats: Stats) -> None:
        """Print a closing line if progress was shown."""
        if stats.seconds < self.after_seconds:
            return
        ending = "done" if stats.complete else "stopped"
        self.console.print(
            f"[dim]bfs {ending}: {_count(stats.states)} states, "
            f"{_count(stats.transitions)} transitions, depth {stats.depth}, "
            f"{stats.seconds:.1f} s[/dim]",
            highlight=False,
        )

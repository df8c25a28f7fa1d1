"""Render an engine's progress on a terminal: the rich `Reporter`.

Stage: `podcheck.report`.  Consumes the progress calls of the `Reporter` protocol
(`podcheck.engine.progress`) and the final `Stats`; produces lines on stderr (via
rich), and only for runs that last longer than a couple of seconds, so short runs
and golden outputs stay quiet.
"""

from __future__ import annotations

from rich.console import Console

from podcheck.engine.result import Stats
from podcheck.report.words import count


class RichReporter:
    """Progress lines on stderr (via rich), for runs longer than `after_seconds`."""

    def __init__(self, console: Console | None = None, after_seconds: float = 2.0) -> None:
        self.console = console if console is not None else Console(stderr=True)
        self.after_seconds = after_seconds

    def on_progress(self, states: int, transitions: int, depth: int, seconds: float) -> None:
        """Print one progress line once the run has lasted `after_seconds`."""
        if seconds < self.after_seconds:
            return
        rate = count(int(states / seconds)) if seconds > 0 else "-"
        self.console.print(
            f"[dim]bfs: {count(states)} states, {count(transitions)} transitions, "
            f"depth {depth}, {seconds:.1f} s ({rate} states/s)[/dim]",
            highlight=False,
        )

    def on_done(self, stats: Stats) -> None:
        """Print a closing line if progress was shown."""
        if stats.seconds < self.after_seconds:
            return
        ending = "done" if stats.complete else "stopped"
        self.console.print(
            f"[dim]bfs {ending}: {count(stats.states)} states, "
            f"{count(stats.transitions)} transitions, depth {stats.depth}, "
            f"{stats.seconds:.1f} s[/dim]",
            highlight=False,
        )

"""How engines report progress: a `Reporter` protocol instead of `print`.

Stage: inside `podcheck.engine`.  Engines (bfs, liveness) call `on_progress` now and
then while they run and `on_done` once with their final `Stats`; the caller chooses
the reporter (like stateright's `Reporter` trait in `src/report.rs`).  Engines only
hand over numbers: the renderers that turn them into text live in `podcheck.report`
(`report/progress.py`).
"""

from __future__ import annotations

from typing import Protocol

from podcheck.engine.result import Stats


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

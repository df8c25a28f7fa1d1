"""How engines and drivers report progress: a `Reporter` protocol instead of `print`.

Stage: inside `podcheck.engine`.  Engines (bfs, vector, simulate) call `on_progress`
about once a second with a `Progress` value and `on_done` once with their final
`Stats`; the caller chooses the reporter (like stateright's `Reporter` trait in
`src/report.rs`).  The drivers (`podcheck.check`, `podcheck.suite`) also say which
phase a run is in through `RunReporter.on_phase`, so that a long compile or liveness
check is never silent.  Engines and drivers only hand over values: the renderers that
turn them into text live in `podcheck.report` (`report/progress.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from podcheck.engine.result import Stats


@dataclass(frozen=True, slots=True)
class Progress:
    """A running search's counts: states checked, transitions taken, the depth reached,
    states found but not yet checked (`queue`; for random walks, the walks left), and
    seconds since it started."""

    states: int
    transitions: int
    depth: int
    queue: int
    seconds: float


class Reporter(Protocol):
    """Receives an engine's progress; must be cheap (it runs inside the search)."""

    def on_progress(self, progress: Progress) -> None:
        """Called about once a second with the counts so far."""

    def on_done(self, stats: Stats) -> None:
        """Called once when the engine stops."""


class RunReporter(Reporter, Protocol):
    """A `Reporter` that also hears which phase of a run (or of a suite) has begun."""

    def on_phase(self, phase: str, detail: str = "") -> None:
        """Called when a phase begins (`phase` in words, `detail` such as a property
        name or `3/12 specs`)."""


class SilentReporter:
    """A reporter that says nothing."""

    def on_progress(self, progress: Progress) -> None:
        """Ignore progress."""

    def on_done(self, stats: Stats) -> None:
        """Ignore the end of the run."""

    def on_phase(self, phase: str, detail: str = "") -> None:
        """Ignore the phase."""

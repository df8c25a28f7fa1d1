"""What a run has produced so far, for a run a limit stops before its result: the
phase it was in, its diagnostics and sources, and the PC502 warning it ends with.

Stage: part of the driver `podcheck.check`.  NOTE(counts-hint): a run stopped while
loading a `.pod` spec (every point of its ranges is checked there) says too, when
`podcheck counts` takes the spec, which command decides its replica range
(`counting.hint_of_file`: the spec read at its corners only, at most `HINT_SECONDS`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from podcheck.counting import hint_of_file
from podcheck.diagnostics import Diagnostic, Severity, codes
from podcheck.engine.progress import RunReporter
from podcheck.engine.result import Limit
from podcheck.limits import bounded
from podcheck.run import CheckRun


class Phase(enum.StrEnum):
    """The phases of a run, as a stopped run names them."""

    LOAD = "loading the spec"
    COMPILE = "compiling the model"
    EXPLORE = "exploring the states"
    LIVENESS = "checking liveness"


@dataclass(slots=True)
class Partial:
    """What a run has produced so far (for a run a limit stops before its result)."""

    path: str
    phase: Phase = Phase.LOAD
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)

    def enter(self, phase: Phase, reporter: RunReporter) -> None:
        """The run is now in `phase`: say so to `reporter`."""
        self.phase = phase
        reporter.on_phase(phase.value, self.path)

    def stopped(self, limit: Limit) -> CheckRun:
        diag = Diagnostic(codes.RUN_STOPPED, Severity.WARNING,
            f"the run stopped ({limit.value}) while {self.phase.value}, before any verdict",
            help=HELP[limit])
        told, sources = self.diagnostics + (diag,), self.sources
        if self.phase is Phase.LOAD and self.path.endswith(".pod"):  # NOTE(counts-hint)
            hint = bounded(HINT_SECONDS, lambda: hint_of_file(self.path))
            told, sources = (told, sources) if hint is None else ((*told, hint[0]), hint[1])
        return CheckRun(self.path, told, sources, stopped=limit)


HINT_SECONDS = 0.5  # at most this long past a limit to see whether `counts` takes the spec
HELP = {
    Limit.TIMEOUT: "raise --timeout, or make the spec smaller",
    Limit.MAX_MEMORY: "raise --max-memory, or make the spec smaller",
    Limit.INTERRUPT: "the run was interrupted (Ctrl-C)",
    Limit.MAX_STATES: "raise --max-states",
    Limit.MAX_DEPTH: "raise --max-depth",
}

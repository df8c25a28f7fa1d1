"""What engines produce: verdicts, counterexample traces and statistics.

Stage: output of `podcheck.engine` (bfs, liveness, later smt), input of
`podcheck.report` (text, ITF JSON, ...).  A counterexample is exactly one `Trace`
value; every renderer reads the same value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from podcheck.ir import State, TransitionSystem


class Verdict(enum.Enum):
    """The answer for one property.  `UNKNOWN` is a verdict, never a silent pass."""

    HOLDS = "holds"
    VIOLATED = "violated"
    UNKNOWN = "inconclusive"


@dataclass(frozen=True, slots=True)
class Step:
    """One state of a trace and the action that led to it (None for the initial state)."""

    state: State
    action: int | None = None


@dataclass(frozen=True, slots=True)
class Trace:
    """A path through `system`: steps[0] is initial, steps[i] follows steps[i-1].

    For a lasso (liveness counterexample) `loop_start` is the index of the first step
    of the cycle: after the last step, the run goes back to `steps[loop_start]` by
    the action recorded in `loop_action`, and repeats forever.  A deadlock lasso (the
    run stutters in its last state) has `loop_start == len(steps) - 1` and
    `loop_action is None`.
    """

    system: TransitionSystem = field(repr=False)
    steps: tuple[Step, ...]
    loop_start: int | None = None
    loop_action: int | None = None

    def __post_init__(self) -> None:
        assert self.steps and self.steps[0].action is None
        assert self.loop_start is None or 0 <= self.loop_start < len(self.steps)

    @property
    def length(self) -> int:
        """The number of actions in the trace (the loop's closing action not counted)."""
        return len(self.steps) - 1


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """The verdict for one property, with its counterexample or witness trace."""

    name: str
    verdict: Verdict
    trace: Trace | None = None
    detail: str = ""  # e.g. "no violation up to depth 14, 1 204 states"
    expected: str | None = None  # what the spec's `expect` says, if anything

    @property
    def as_expected(self) -> bool:
        """True when there is no expectation or the verdict matches it."""
        return self.expected is None or self.expected == self.verdict.value


@dataclass(frozen=True, slots=True)
class Stats:
    """Exploration statistics.  `seconds` and `peak_bytes` are never in goldens."""

    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0
    peak_bytes: int = 0
    complete: bool = True  # False when a limit stopped the exploration
    bytes_per_state: float | None = None  # stored bytes per state (vector engine)
    collision_probability: float | None = None  # fingerprint mode: TLC's estimate

    @property
    def states_per_second(self) -> float:
        """Distinct states explored per second of wall-clock time."""
        return self.states / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything one run of an engine found about one system."""

    system: TransitionSystem = field(repr=False)
    engine: str
    results: tuple[PropertyResult, ...]
    stats: Stats
    deadlock: Trace | None = None
    limit: str | None = None  # which limit ended the run ("max-states", ...), if any
    fallback: str | None = None  # why the vector engine handed the run to bfs, if it did

"""What engines produce: verdicts, counterexample traces and statistics.

Stage: output of `podcheck.engine` (bfs, liveness, later smt), input of
`podcheck.report` (text, ITF JSON, ...).  A counterexample is exactly one `Trace`
value; every renderer reads the same value.  Engines write no prose: how a verdict was
reached is a `Reason` value (`SafetySearch`, `FairSearch`, `LivenessPending`) that
`podcheck.report` puts into words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from podcheck.engine.symmetry import SymmetryUse
from podcheck.ir import Expectation, Expr, State, TransitionSystem

LIVENESS = frozenset({Expectation.EVENTUALLY, Expectation.ALWAYS_EVENTUALLY, Expectation.LEADS_TO})


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


class Goal(enum.Enum):
    """What a safety search looks for in each state."""

    COUNTEREXAMPLE = "counterexample"  # a state where an `always` condition is false
    WITNESS = "witness"  # a state where a `sometimes` condition is true


@dataclass(frozen=True, slots=True)
class SafetySearch:
    """How a search over states decided, or left open, one safety property.

    With a trace, the trace is a shortest one to the state found.  Without one, the
    goal was not found among `states` states: all reachable states if `exhaustive`,
    else those up to the limit, every state at depth <= `complete_depth` among them
    (-1: not even every initial state).
    """

    goal: Goal
    states: int
    exhaustive: bool
    complete_depth: int = -1
    collision: float | None = None  # fingerprint mode: the chance that a state was missed


class Stutter(enum.Enum):
    """Why a violating lasso may stay in its last state forever."""

    NO_FAIR_ACTION = "no-fair-action"  # actions are enabled, none of them fair
    TERMINAL = "terminal"  # the system's `terminal` condition holds
    DEADLOCK = "deadlock"  # no action is enabled and the state is not terminal


@dataclass(frozen=True, slots=True)
class FairnessSummary:
    """Which action names are weakly and which strongly fair (sorted, deduplicated)."""

    weak: tuple[str, ...] = ()
    strong: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FairSearch:
    """How the liveness checker decided one temporal property on a complete graph.

    `states` is the size of the graph, `fairness` the fairness it assumed.  For a
    violation, `stutter` says why the lasso may end by stuttering, or is None when the
    lasso ends in a fair loop (of `len(trace.steps) - trace.loop_start` actions).
    """

    states: int
    fairness: FairnessSummary
    stutter: Stutter | None = None


class Pending(enum.Enum):
    """Why a liveness property has no verdict yet."""

    SAFETY_PASS = "safety-pass"  # the search kept no state graph, so did not look
    LEFT_TO_LIVENESS = "left-to-liveness"  # the graph was kept for the liveness checker
    GRAPH_INCOMPLETE = "graph-incomplete"  # a limit cut the state graph short
    STOPPED = "stopped"  # a whole-run limit stopped the liveness checker


@dataclass(frozen=True, slots=True)
class LivenessPending:
    """A liveness property left undecided, and why (`limit`: the limit that stopped it)."""

    why: Pending
    limit: str | None = None


class Solver(enum.Enum):
    """Which solver question a symbolic engine was asking."""

    BMC = "bmc"  # is a goal state reachable in exactly k steps
    INDUCTION_STEP = "induction step"  # is the goal k-inductive
    SPACER = "spacer"  # Z3's fixedpoint engine on the constrained Horn clauses


@dataclass(frozen=True, slots=True)
class SolverUnknown:
    """Z3 answered unknown: to which question, at which depth or k, and Z3's own reason
    (`reason_unknown`, verbatim)."""

    solver: Solver
    at: int
    z3_reason: str


class SymbolicOutcome(enum.Enum):
    """How a symbolic engine decided, or left open, one safety goal."""

    FOUND = "found"  # a run reaches the goal (the trace)
    PROVED = "proved"  # the goal is unreachable: k-inductive at `bound`, or pdr's invariant
    BOUNDED = "bounded"  # not reached within `bound` steps: no proof
    NOT_INDUCTIVE = "not-inductive"  # kind: not k-inductive for any k <= `bound`
    SOLVER_UNKNOWN = "solver-unknown"  # Z3 could not answer (`unknown`)
    RUN_NOT_FOUND = "run-not-found"  # spacer says reachable, the run was not rebuilt
    LIVENESS = "liveness"  # a liveness property: these engines check safety only


@dataclass(frozen=True, slots=True)
class SymbolicSearch:
    """The reason behind a verdict of `--engine bmc|kind|pdr` for one property."""

    engine: str
    goal: Goal
    outcome: SymbolicOutcome
    bound: int = 0
    unknown: SolverUnknown | None = None


@dataclass(frozen=True, slots=True)
class SimulationSearch:
    """How random walks (`--simulate`, `podcheck.engine.simulate`) decided, or left open,
    one property: `walks` walks of at most `max_depth` steps, walk i drawn with seed
    `seed + i`; `walk` is the one whose trace is given.  `goal` is None for a liveness
    property, which walks do not check.  Never exhaustive: without a trace, undecided."""

    goal: Goal | None
    walks: int
    seed: int
    max_depth: int
    walk: int | None = None


Reason = SafetySearch | FairSearch | LivenessPending | SymbolicSearch | SimulationSearch


@dataclass(frozen=True, slots=True)
class CountVerdicts:
    """One property at each value of one parameter (a replica range, engine/counts.py):
    the values where it fails, where it holds, and where a limit left it undecided,
    each increasing; `engine` decided them, one run per value; `shown` is the value of
    the run the result carries (None without one)."""

    param: str  # the parameter's field (`replicas`)
    failing: tuple[int, ...]
    holding: tuple[int, ...]
    undecided: tuple[int, ...] = ()
    engine: str = "bfs"
    shown: int | None = None


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """The verdict for one property, with its counterexample or witness trace.

    `reason` says how the engine reached the verdict; `detail` is free text for an
    engine that has no structured reason (renderers show `reason` when it is set).
    """

    name: str
    verdict: Verdict
    trace: Trace | None = None
    detail: str = ""
    expected: str | None = None  # what the spec's `expect` says, if anything
    reason: Reason | None = None
    invariant: Expr | None = None  # an inductive invariant that proves the verdict (pdr)
    counts: tuple[CountVerdicts, ...] = ()  # per value of a replica range, when decided

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


class FallbackKind(enum.Enum):
    """What an engine could not do as asked, and did instead."""

    CANNOT_ENCODE = "cannot-encode"  # the vector engine handed the run to bfs
    FINGERPRINTS_OFF = "fingerprints-off"  # the liveness graph needs exact states


@dataclass(frozen=True, slots=True)
class Fallback:
    """A `FallbackKind` and its particulars (for CANNOT_ENCODE, what does not fit)."""

    kind: FallbackKind
    detail: str = ""


class Limit(enum.StrEnum):
    """A limit that can end an exploration early (spelled as the CLI option)."""

    MAX_STATES = "max-states"
    MAX_DEPTH = "max-depth"
    TIMEOUT = "timeout"
    MAX_MEMORY = "max-memory"
    INTERRUPT = "interrupt"  # Ctrl-C (SIGINT)


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything one run of an engine found about one system."""

    system: TransitionSystem = field(repr=False)
    engine: str
    results: tuple[PropertyResult, ...]
    stats: Stats
    deadlock: Trace | None = None
    limit: str | None = None  # the `Limit` that ended the run, if any
    fallback: Fallback | None = None  # what the engine could not do as asked, if any
    symmetry: SymmetryUse | None = None  # the symmetry groups used or dropped, if declared

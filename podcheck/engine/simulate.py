"""Random walks through a transition system: TLC's simulation mode, for a quick look.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and `SimulateOptions`;
produces a `CheckResult` whose reasons are `SimulationSearch` values.  Walk i draws its
choices from `random.Random(seed + i)`: it starts in a random initial state and takes
a random enabled action at each step, for at most `max_depth` steps or until no action
is enabled.  Every state it visits is checked against each open safety property; the
first walk that reaches a violation of an `always` property (or a witness of a
`sometimes` one) gives its verdict and its trace, which is a real run but not a
shortest one; the walks stop once every safety property is decided.  A property no
walk decided stays `Verdict.UNKNOWN`, as do liveness properties: walks are never
exhaustive, so nothing is ever said to hold for lack of a counterexample, and the
result's statistics are never `complete` (NOTE(simulation-never-complete)).  A walk
stuck in a non-terminal state is a deadlock, reported as BFS reports one.  It prints
nothing.

    for i in range(walks):
        rng = Random(seed + i)
        state = rng.choice(init)
        for depth in range(max_depth + 1):
            check(state)                   # open properties; a hit keeps the walk
            succ = successors(state)
            if not succ: deadlock unless terminal(state); break
            action, state = rng.choice(succ)
"""

from __future__ import annotations

import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from podcheck import ir
from podcheck.engine import pycompile
from podcheck.engine.progress import Progress, Reporter, SilentReporter
from podcheck.engine.result import (
    LIVENESS,
    CheckResult,
    Goal,
    Limit,
    PropertyResult,
    SimulationSearch,
    Stats,
    Step,
    Trace,
    Verdict,
)
from podcheck.ir import Expectation, State, TransitionSystem

DEFAULT_DEPTH = 100
# NOTE(simulation-never-complete): the limit a simulation result names, so that every
# renderer says the run was cut short and `CheckRun.exit_code` never returns 0.
NOT_EXHAUSTIVE = "--simulate (random walks are not exhaustive)"
_CLOCK_MASK = 255  # look at the clock (and `should_stop`) every 256 steps


@dataclass(frozen=True, slots=True)
class SimulateOptions:
    """How many walks, from which seed, how deep; `should_stop` is a whole-run limit."""

    walks: int
    seed: int = 0
    max_depth: int = DEFAULT_DEPTH
    should_stop: Callable[[], Limit | None] | None = None


@dataclass(slots=True)
class _Walks:
    """What the walks found so far: per property the walk and the trace, the deadlock."""

    system: TransitionSystem
    checks: dict[int, Callable[[State], bool]]  # open property -> "found here" predicate
    found: dict[int, tuple[int, Trace]] = field(default_factory=dict)
    deadlock: Trace | None = None
    steps: int = 0
    seen: set[int] = field(default_factory=set)  # hashes of the states visited
    walks: int = 0
    deepest: int = 0
    stop: Limit | None = None

    def done(self) -> bool:
        """Nothing left to look for: every safety property decided (walks that had none
        to decide go on looking for a deadlock until they find one)."""
        return not self.checks and (bool(self.found) or self.deadlock is not None)

    def look(self, steps: list[Step], walk: int) -> None:
        state = steps[-1].state
        self.seen.add(hash(state))
        for i in [i for i in sorted(self.checks) if self.checks[i](state)]:
            self.found[i] = walk, Trace(self.system, tuple(steps))
            del self.checks[i]


def _goals(system: TransitionSystem) -> dict[int, Callable[[State], bool]]:
    goals: dict[int, Callable[[State], bool]] = {}
    for i, prop in enumerate(system.properties):
        if prop.expectation is Expectation.ALWAYS:
            goals[i] = pycompile.compile_predicate(system, ir.not_(prop.condition))
        elif prop.expectation is Expectation.SOMETIMES:
            goals[i] = pycompile.compile_predicate(system, prop.condition)
    return goals


def _walk(run: _Walks, compiled: pycompile.CompiledSystem, options: SimulateOptions,
          walk: int, tick: Callable[[], None]) -> None:
    """One walk (see the module doc), stopping early once `run.stop` is set."""
    rng = random.Random(options.seed + walk)
    init = list(dict.fromkeys(run.system.init))
    steps = [Step(rng.choice(init))]
    while run.stop is None:
        run.look(steps, walk)
        succ = compiled.successors(steps[-1].state)
        if not succ:
            if run.deadlock is None and not compiled.terminal(steps[-1].state):
                run.deadlock = Trace(run.system, tuple(steps))
            return
        if len(steps) > options.max_depth or run.done():
            return
        action, state = rng.choice(succ)
        steps.append(Step(state, action))
        run.steps += 1
        run.deepest = max(run.deepest, len(steps) - 1)
        if not run.steps & _CLOCK_MASK:
            tick()


def _result(run: _Walks, i: int, options: SimulateOptions) -> PropertyResult:
    prop = run.system.properties[i]
    goal = None if prop.expectation in LIVENESS else (
        Goal.COUNTEREXAMPLE if prop.expectation is Expectation.ALWAYS else Goal.WITNESS)
    walk, trace = run.found.get(i, (None, None))
    reason = SimulationSearch(goal, run.walks, options.seed, options.max_depth, walk)
    verdict = Verdict.UNKNOWN
    if trace is not None:
        verdict = Verdict.VIOLATED if goal is Goal.COUNTEREXAMPLE else Verdict.HOLDS
    return PropertyResult(prop.name, verdict, trace, expected=prop.expected, reason=reason)


def _peak_bytes() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def simulate(system: TransitionSystem, options: SimulateOptions,
             reporter: Reporter | None = None) -> CheckResult:
    """Run `options.walks` random walks through `system` (see the module doc).

    Raises `ir.ModelError` when an action drives a variable outside its domain.
    """
    start = last = time.perf_counter()
    reporter = reporter if reporter is not None else SilentReporter()
    compiled = pycompile.compile_system(system)
    run = _Walks(system, _goals(system))

    def tick() -> None:
        nonlocal last
        now = time.perf_counter()
        run.stop = (options.should_stop or (lambda: None))()
        if now - last >= 1.0:
            last = now
            reporter.on_progress(Progress(len(run.seen), run.steps, run.deepest,
                                          options.walks - run.walks, now - start))

    run.stop = (options.should_stop or (lambda: None))()  # the walks start here
    for walk in range(options.walks):
        if run.stop is not None or run.done():
            break
        _walk(run, compiled, options, walk, tick)
        run.walks += 1
    results = tuple(_result(run, i, options) for i in range(len(system.properties)))
    stats = Stats(states=len(run.seen), transitions=run.steps, depth=run.deepest,
                  seconds=time.perf_counter() - start, peak_bytes=_peak_bytes(),
                  complete=False)
    reporter.on_done(stats)
    return CheckResult(system, "simulate", results, stats, run.deadlock,
                       run.stop or NOT_EXHAUSTIVE)

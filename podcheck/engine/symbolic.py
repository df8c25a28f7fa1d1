"""The symbolic engines behind `podcheck check --engine bmc|kind|pdr`.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and `SymbolicOptions`;
produces the same `CheckResult` BFS does, so every renderer works.

Every safety question is a goal, an IR condition that must never hold: the negated
condition of an `always` property, the condition of a `sometimes` property (reaching
it is the witness), and, when `check_deadlock`, "no action is enabled and the state is
not terminal".  Then:

- bmc: a goal reached within `depth` steps gives its shortest run (a counterexample,
  a witness, or the deadlock).  No run within `depth` steps is never a proof: the
  verdict is UNKNOWN ("no violation within K steps").
- kind: as bmc, and a goal that is k-inductive for some k <= `depth` is proved
  unreachable: an `always` property HOLDS, a `sometimes` property is VIOLATED.
- pdr: Spacer decides every goal without a bound; a proof carries its inductive
  invariant (`PropertyResult.invariant`).

Liveness properties (eventually, always eventually, leads to) are not decided by
these engines: they are UNKNOWN with the reason.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.bmc import search
from podcheck.engine.kind import induct
from podcheck.engine.pdr import prove
from podcheck.engine.result import (
    CheckResult,
    Goal,
    Limit,
    PropertyResult,
    SolverUnknown,
    Stats,
    SymbolicOutcome,
    SymbolicSearch,
    Trace,
    Verdict,
)
from podcheck.ir import Expectation, Expr, Property, TransitionSystem

DEADLOCK = -1  # the goal number of the deadlock check
DEFAULT_DEPTH = 20


class SymbolicEngine(enum.StrEnum):
    """The engines that ask Z3."""

    BMC = "bmc"
    KIND = "kind"
    PDR = "pdr"


SYMBOLIC_ENGINES = frozenset(e.value for e in SymbolicEngine)


@dataclass(frozen=True, slots=True)
class SymbolicOptions:
    """One symbolic run: the engine, the bound (BMC depth, largest k), the budget."""

    engine: SymbolicEngine = SymbolicEngine.BMC
    depth: int = DEFAULT_DEPTH
    timeout_seconds: float | None = None
    check_deadlock: bool = True
    simple_path: bool = True
    should_stop: Callable[[], bool] | None = None  # polled before every Z3 query
    clock: Callable[[], float] = time.perf_counter  # the deadline's (tests: a fake one)
    within: smt.Deadline | None = None  # the whole run's budget (NOTE(whole-run-budget))

    @staticmethod
    def of(engine: str, depth: int | None, timeout_seconds: float | None) -> SymbolicOptions:
        """Options from the command line's words (`depth` None: `DEFAULT_DEPTH`)."""
        bound = DEFAULT_DEPTH if depth is None else depth
        return SymbolicOptions(SymbolicEngine(engine), bound, timeout_seconds)


@dataclass(frozen=True, slots=True)
class _Decision:
    """What an engine found for one goal (the `SymbolicSearch` fields it sets)."""

    outcome: SymbolicOutcome
    bound: int = 0
    trace: Trace | None = None
    invariant: Expr | None = None
    unknown: SolverUnknown | None = None

    @property
    def proved(self) -> bool:
        """True when the goal is proved unreachable."""
        return self.outcome is SymbolicOutcome.PROVED


def goals_of(system: TransitionSystem, *, check_deadlock: bool) -> dict[int, Expr]:
    """Every safety goal of `system` by number (property index, or `DEADLOCK`)."""
    goals: dict[int, Expr] = {}
    for i, prop in enumerate(system.properties):
        if prop.expectation is Expectation.ALWAYS:
            goals[i] = ir.not_(prop.condition)
        elif prop.expectation is Expectation.SOMETIMES:
            goals[i] = prop.condition
    if check_deadlock:
        stuck = (ir.not_(a.guard) for a in system.actions)
        goals[DEADLOCK] = ir.and_(*stuck, ir.not_(system.terminal))
    return goals


def _decide(
    system: TransitionSystem, goals: Mapping[int, Expr], options: SymbolicOptions,
    deadline: smt.Deadline,
) -> dict[int, _Decision]:  # fmt: skip
    if options.engine is SymbolicEngine.BMC:
        return {g: _reached(r.trace, r.unknown, SymbolicOutcome.BOUNDED, options.depth)
                for g, r in search(system, goals, options.depth, deadline).items()}
    if options.engine is SymbolicEngine.KIND:
        decided = induct(system, goals, options.depth, deadline, simple_path=options.simple_path)
        return {g: _Decision(SymbolicOutcome.PROVED, d.k) if d.k is not None else
                _reached(d.reach.trace if d.reach else None, d.unknown,
                         SymbolicOutcome.NOT_INDUCTIVE, options.depth)
                for g, d in decided.items()}  # fmt: skip
    return {g: _Decision(SymbolicOutcome.PROVED, invariant=p.invariant) if p.proved else
            _reached(p.reach.trace if p.reach else None, p.unknown,
                     SymbolicOutcome.RUN_NOT_FOUND if p.run_missing else
                     SymbolicOutcome.SOLVER_UNKNOWN)
            for g, p in prove(system, goals, deadline).items()}  # fmt: skip


def _reached(trace: Trace | None, unknown: SolverUnknown | None, otherwise: SymbolicOutcome,
             bound: int = 0) -> _Decision:  # fmt: skip
    """A run found; else Z3's unknown; else `otherwise` (bounded, not inductive, ...)."""
    if trace is not None:
        return _Decision(SymbolicOutcome.FOUND, trace.length, trace)
    if unknown is not None and otherwise is not SymbolicOutcome.RUN_NOT_FOUND:
        return _Decision(SymbolicOutcome.SOLVER_UNKNOWN, unknown.at, unknown=unknown)
    return _Decision(otherwise, bound, unknown=unknown)


def _goal(prop: Property) -> Goal:
    return Goal.COUNTEREXAMPLE if prop.expectation is Expectation.ALWAYS else Goal.WITNESS


def _liveness(prop: Property, engine: SymbolicEngine) -> PropertyResult:
    reason = SymbolicSearch(engine.value, _goal(prop), SymbolicOutcome.LIVENESS)
    return PropertyResult(prop.name, Verdict.UNKNOWN, expected=prop.expected, reason=reason)


def _result(prop: Property, d: _Decision, engine: SymbolicEngine) -> PropertyResult:
    always = prop.expectation is Expectation.ALWAYS
    reason = SymbolicSearch(engine.value, _goal(prop), d.outcome, d.bound, d.unknown)
    if d.outcome is SymbolicOutcome.FOUND:
        verdict = Verdict.VIOLATED if always else Verdict.HOLDS
    elif d.proved:
        verdict = Verdict.HOLDS if always else Verdict.VIOLATED
    else:
        verdict = Verdict.UNKNOWN
    return PropertyResult(prop.name, verdict, d.trace, expected=prop.expected, reason=reason,
                          invariant=d.invariant)


def run_symbolic(system: TransitionSystem, options: SymbolicOptions) -> CheckResult:
    """Check every property of `system` with the engine `options.engine` (module doc)."""
    start = time.perf_counter()
    deadline = smt.Deadline(options.timeout_seconds, options.clock(), options.should_stop,
                            clock=options.clock, outer=options.within)  # fmt: skip
    goals = goals_of(system, check_deadlock=options.check_deadlock)
    decided = _decide(system, goals, options, deadline)
    engine = options.engine
    results = tuple(
        _result(prop, decided[i], engine) if i in decided else _liveness(prop, engine)
        for i, prop in enumerate(system.properties)
    )
    dead = decided.get(DEADLOCK)
    deadlock = dead.trace if dead is not None else None
    complete = all(d.trace is not None or d.proved for d in decided.values())
    depth = max((d.trace.length for d in decided.values() if d.trace is not None), default=0)
    bounded = not complete and options.engine is not SymbolicEngine.PDR
    depth = options.depth if bounded else depth
    stats = Stats(depth=depth, seconds=time.perf_counter() - start, complete=complete)
    limit = None if complete else (Limit.TIMEOUT if deadline.expired() else Limit.MAX_DEPTH)
    return CheckResult(system, options.engine.value, results, stats, deadlock, limit)

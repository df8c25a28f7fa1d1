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
from collections.abc import Mapping
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.bmc import search
from podcheck.engine.kind import induct
from podcheck.engine.pdr import prove
from podcheck.engine.result import CheckResult, PropertyResult, Stats, Trace, Verdict
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

    @staticmethod
    def of(engine: str, depth: int | None, timeout_seconds: float | None) -> SymbolicOptions:
        """Options from the command line's words (`depth` None: `DEFAULT_DEPTH`)."""
        bound = DEFAULT_DEPTH if depth is None else depth
        return SymbolicOptions(SymbolicEngine(engine), bound, timeout_seconds)


@dataclass(frozen=True, slots=True)
class _Decision:
    """What an engine found for one goal."""

    trace: Trace | None = None
    proved: bool = False
    invariant: Expr | None = None
    how: str = ""  # "k-induction, k = 2"; or why it is undecided


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
        bounded = f"within {options.depth} steps (bounded model checking, --depth)"
        return {
            g: _Decision(r.trace, how=r.reason or bounded)
            for g, r in search(system, goals, options.depth, deadline).items()
        }
    if options.engine is SymbolicEngine.KIND:
        decided = induct(system, goals, options.depth, deadline, simple_path=options.simple_path)
        return {
            g: _Decision(
                d.reach.trace if d.reach else None,
                proved=d.k is not None,
                how=f"k-induction, k = {d.k}" if d.k is not None else d.reason,
            )
            for g, d in decided.items()
        }
    return {
        g: _Decision(p.reach.trace if p.reach else None, p.proved, p.invariant,
                     "pdr (spacer)" if p.proved else p.reason)  # fmt: skip
        for g, p in prove(system, goals, deadline).items()
    }


def _steps(n: int) -> str:
    return f"{n} step{'' if n == 1 else 's'}"


def _liveness(prop: Property, engine: SymbolicEngine) -> PropertyResult:
    why = (f"{prop.expectation.value} is a liveness property: the {engine.value} engine "
           "checks safety only; use --engine bfs")  # fmt: skip
    return PropertyResult(prop.name, Verdict.UNKNOWN, None, why, prop.expected)


def _result(prop: Property, d: _Decision) -> PropertyResult:
    always = prop.expectation is Expectation.ALWAYS
    if d.trace is not None:
        verdict = Verdict.VIOLATED if always else Verdict.HOLDS
        noun = "counterexample" if always else "witness"
        detail = f"shortest {noun}: {_steps(d.trace.length)}"
        return PropertyResult(prop.name, verdict, d.trace, detail, prop.expected)
    if d.proved:
        verdict = Verdict.HOLDS if always else Verdict.VIOLATED
        what = "proved" if always else "no witness exists, proved"
        return PropertyResult(prop.name, verdict, None, f"{what} by {d.how}", prop.expected,
                              invariant=d.invariant)
    what = "no violation" if always else "no witness"
    detail = f"{what} {d.how}" if d.how.startswith("within") else f"{what} found: {d.how}"
    return PropertyResult(prop.name, Verdict.UNKNOWN, None, detail, prop.expected)


def run_symbolic(system: TransitionSystem, options: SymbolicOptions) -> CheckResult:
    """Check every property of `system` with the engine `options.engine` (module doc)."""
    start = time.perf_counter()
    deadline = smt.Deadline(options.timeout_seconds, start)
    goals = goals_of(system, check_deadlock=options.check_deadlock)
    decided = _decide(system, goals, options, deadline)
    results = tuple(
        _result(prop, decided[i]) if i in decided else _liveness(prop, options.engine)
        for i, prop in enumerate(system.properties)
    )
    dead = decided.get(DEADLOCK)
    deadlock = dead.trace if dead is not None else None
    complete = all(d.trace is not None or d.proved for d in decided.values())
    depth = max((d.trace.length for d in decided.values() if d.trace is not None), default=0)
    bounded = not complete and options.engine is not SymbolicEngine.PDR
    depth = options.depth if bounded else depth
    stats = Stats(depth=depth, seconds=time.perf_counter() - start, complete=complete)
    limit = None if complete else ("timeout" if deadline.expired() else "depth")
    return CheckResult(system, options.engine.value, results, stats, deadlock, limit)

"""Numbers and engine reasons in words: the prose of every verdict.

Stage: `podcheck.report`.  Consumes a `PropertyResult` (its structured `reason`,
see `podcheck.engine.result`) and counts; produces the short English phrases the
text report, the JSON `detail` field and the suite report print.  Engines write no
prose; every sentence about how a verdict was reached is written here, once.
"""

from __future__ import annotations

from podcheck.engine.result import (
    FairnessSummary,
    FairSearch,
    Fallback,
    FallbackKind,
    Goal,
    LivenessPending,
    Pending,
    PropertyResult,
    SafetySearch,
    SimulationSearch,
    Solver,
    SolverUnknown,
    Stutter,
    SymbolicOutcome,
    SymbolicSearch,
    Trace,
)
from podcheck.engine.symmetry import Cause, Off, SymmetryUse
from podcheck.ir import Fairness

_STUTTER = {
    Stutter.NO_FAIR_ACTION: "no fair action enabled",
    Stutter.TERMINAL: "terminal state",
    Stutter.DEADLOCK: "deadlock",
}
_PENDING = {
    Pending.SAFETY_PASS: "liveness property: not checked by the safety pass",
    Pending.LEFT_TO_LIVENESS: "liveness property: left to the liveness checker",
}


def count(n: int) -> str:
    """`1204` as `1 204` (thousands separated by spaces)."""
    return f"{n:,}".replace(",", " ")


def plural(n: int, word: str) -> str:
    """`1 step`, `2 steps`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def fairness(summary: FairnessSummary) -> str:
    """`weak fairness on a, b; strong fairness on c`, or `no fairness`."""
    parts = [
        f"{kind.value} fairness on {', '.join(names)}"
        for kind, names in ((Fairness.WEAK, summary.weak), (Fairness.STRONG, summary.strong))
        if names
    ]
    return "; ".join(parts) if parts else "no fairness"


def detail(result: PropertyResult) -> str:
    """How the engine reached `result`'s verdict, in words (`detail` if no reason)."""
    reason = result.reason
    if isinstance(reason, SafetySearch):
        return _safety(reason, result.trace)
    if isinstance(reason, FairSearch):
        return _fair(reason, result.trace)
    if isinstance(reason, LivenessPending):
        return _pending(reason)
    if isinstance(reason, SymbolicSearch):
        return _symbolic(reason)
    if isinstance(reason, SimulationSearch):
        return _simulated(reason)
    return result.detail


def _simulated(r: SimulationSearch) -> str:
    walks = f"{plural(r.walks, 'random walk')} of at most {plural(r.max_depth, 'step')}"
    if r.goal is None:
        return f"a liveness property: random walks check safety only ({walks})"
    if r.walk is not None:
        return (f"{r.goal.value} found by walk {r.walk + 1} of {walks} "
                f"(`--simulate 1 --seed {r.seed + r.walk}` replays it)")
    what = "no violation" if r.goal is Goal.COUNTEREXAMPLE else "no witness"
    return f"{what} in {walks} from seed {r.seed}: not exhaustive"


def _symbolic(r: SymbolicSearch) -> str:
    always = r.goal is Goal.COUNTEREXAMPLE
    what = "no violation" if always else "no witness"
    match r.outcome:
        case SymbolicOutcome.FOUND:
            return f"shortest {r.goal.value}: {plural(r.bound, 'step')}"
        case SymbolicOutcome.PROVED:
            how = "pdr (spacer)" if r.engine == "pdr" else f"k-induction, k = {r.bound}"
            return f"{'proved' if always else 'no witness exists, proved'} by {how}"
        case SymbolicOutcome.BOUNDED:
            return f"{what} within {r.bound} steps (bounded model checking, --depth)"
        case SymbolicOutcome.NOT_INDUCTIVE:
            return f"{what} found: not k-inductive for k <= {r.bound}"
        case SymbolicOutcome.RUN_NOT_FOUND:
            why = "the run to it was not found" if r.unknown is None else unknown(r.unknown)
            return f"{what} found: spacer found the goal reachable, but {why}"
        case SymbolicOutcome.LIVENESS:
            return (f"a liveness property: the {r.engine} engine checks safety only; "
                    "use --engine bfs")
    assert r.unknown is not None, r
    return f"{what} found: {unknown(r.unknown)}"


def unknown(u: SolverUnknown) -> str:
    """What Z3 said when it could not answer, and to which question."""
    match u.solver:
        case Solver.BMC:
            return f"z3 answered unknown at depth {u.at} ({u.z3_reason})"
        case Solver.INDUCTION_STEP:
            return f"z3 answered unknown in the induction step at k = {u.at} ({u.z3_reason})"
    return f"z3 (spacer) answered unknown ({u.z3_reason})"


def _safety(reason: SafetySearch, trace: Trace | None) -> str:
    if trace is not None:
        return f"shortest {reason.goal.value}: {plural(trace.length, 'step')}"
    always = reason.goal is Goal.COUNTEREXAMPLE
    states = count(reason.states)
    if reason.exhaustive:
        found = f"checked all {states} reachable states" if always else (
            f"no witness among {states} reachable states")
        if reason.collision is not None:
            found += f" (64-bit fingerprints: collision probability {reason.collision:.1e})"
        return found
    what = "no violation" if always else "no witness"
    if reason.complete_depth < 0:
        return f"{what} in the first {states} states"
    return (f"{what} within {reason.complete_depth} steps (every state that close checked), "
            f"{states} states")


def _fair(reason: FairSearch, trace: Trace | None) -> str:
    summary = f"{count(reason.states)} states, {fairness(reason.fairness)}"
    if trace is None:
        return summary
    if reason.stutter is not None:
        return f"the run stutters forever ({_STUTTER[reason.stutter]}); {summary}"
    assert trace.loop_start is not None
    loop = len(trace.steps) - trace.loop_start
    return f"a fair loop of {loop} actions avoids the goal forever; {summary}"


def _pending(reason: LivenessPending) -> str:
    if reason.why is Pending.GRAPH_INCOMPLETE:
        return (f"not decided: the exploration stopped ({reason.limit}) before the state "
                "graph was complete, and a liveness property needs all of it")
    if reason.why is Pending.STOPPED:
        return f"not decided: the run stopped ({reason.limit}) while checking liveness"
    return _PENDING[reason.why]


def fallback(f: Fallback) -> str:
    """What the engine did instead of what was asked, in words."""
    if f.kind is FallbackKind.CANNOT_ENCODE:
        return f"the vector engine cannot encode this system ({f.detail}): explored with bfs"
    return "fingerprints off: the liveness checker needs the exact state graph"


_OFF = {
    Off.DISABLED: "symmetry off (--no-symmetry)",
    Off.LIVENESS: "symmetry off: this run keeps the concrete state graph (podcheck graph, "
                  "or liveness checked unreduced)",
    Off.ENCODING: "symmetry off: the vector engine cannot canonicalise these groups",
    Off.WORKERS: "symmetry off: --workers above 1 explores concrete states",
}
_CAUSE = {
    Cause.ACTION: "action `{}` is not mapped onto an action of the system",
    Cause.PROPERTY: "property `{}` names one member",
    Cause.TERMINAL: "the terminal condition names one member",
    Cause.REFERENCE: "a member number is ordered or computed with",
    Cause.DOMAIN: "corresponding variables have different ranges",
    Cause.TOO_MANY: "too many interchangeable members with references",
    Cause.VACANCY: "a free member's variables need not hold their vacant values",
    Cause.LOWEST_FREE: "the lowest free member is filled first, which the reduction "
                       "handles for reachability only (liveness is checked without it)",
}


_HOW = {False: "not interchangeable", True: "for safety only"}


def symmetry(use: SymmetryUse) -> str:
    """What a run did with the declared symmetry, as one sentence."""
    if use.off is not None:
        return _OFF[use.off]
    parts = [f"symmetry: one state per orbit of {', '.join(f'{n} ({k})' for n, k in use.used)}"
             if use.used else "symmetry: no declared group holds"]
    parts += [f"{b.group} {_HOW[b.cause is Cause.LOWEST_FREE]}: {_CAUSE[b.cause].format(b.name)}"
              for b in use.broken]
    return "; ".join(parts)


def symmetry_worth_a_line(use: SymmetryUse) -> bool:
    """The text report's statistics say what symmetry did, except that liveness runs
    (always unreduced, see docs/performance.md) leave it to `CheckResult.symmetry`."""
    return use.off is not Off.LIVENESS

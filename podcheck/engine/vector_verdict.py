"""Verdicts of a vector-engine run, worded as `engine/bfs.py` words them.

Stage: inside `podcheck.engine`, used by `podcheck.engine.vector`.  Consumes what a run
found (`Outcome`) and a trace builder; produces one `PropertyResult` per property.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from podcheck.engine.bfs import LEFT_TO_LIVENESS, LIVENESS, NOT_CHECKED
from podcheck.engine.result import PropertyResult, Trace, Verdict
from podcheck.ir import Expectation, TransitionSystem


@dataclass(frozen=True, slots=True)
class Outcome:
    """States checked, deepest complete level, the limit that stopped the run, the state
    id that decided each property, and the fingerprint collision estimate (if any)."""

    checked: int
    complete_depth: int
    stop: str | None
    found: dict[int, int]
    collision: float | None = None


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _partial(what: str, outcome: Outcome) -> str:
    states = f"{_count(outcome.checked)} states"
    if outcome.complete_depth < 0:
        return f"{what} in the first {states}"
    return (f"{what} within {outcome.complete_depth} steps (every state that close checked), "
            f"{states}")


def _decided(i: int, system: TransitionSystem, outcome: Outcome,
             trace_of: Callable[[int], Trace]) -> PropertyResult:  # fmt: skip
    prop = system.properties[i]
    always = prop.expectation is Expectation.ALWAYS
    sid = outcome.found.get(i)
    if sid is not None:
        trace = trace_of(sid)
        noun = "counterexample" if always else "witness"
        detail = f"shortest {noun}: {trace.length} step{'' if trace.length == 1 else 's'}"
        verdict = Verdict.VIOLATED if always else Verdict.HOLDS
        return PropertyResult(prop.name, verdict, trace, detail, prop.expected)
    if outcome.stop is not None:
        detail = _partial("no violation" if always else "no witness", outcome)
        return PropertyResult(prop.name, Verdict.UNKNOWN, None, detail, prop.expected)
    detail = f"{_count(outcome.checked)} reachable states"
    detail = ("checked all " if always else "no witness among ") + detail
    if outcome.collision is not None:
        detail += f" (64-bit fingerprints: collision probability {outcome.collision:.1e})"
    verdict = Verdict.HOLDS if always else Verdict.VIOLATED
    return PropertyResult(prop.name, verdict, None, detail, prop.expected)


def verdicts(
    system: TransitionSystem, outcome: Outcome, trace_of: Callable[[int], Trace],
    keep_graph: bool,
) -> tuple[PropertyResult, ...]:  # fmt: skip
    """One result per property of `system`; liveness properties are left undecided."""
    results = []
    for i, prop in enumerate(system.properties):
        if prop.expectation in LIVENESS:
            detail = LEFT_TO_LIVENESS if keep_graph else NOT_CHECKED
            results.append(PropertyResult(prop.name, Verdict.UNKNOWN, None, detail,
                                          prop.expected))
        else:
            results.append(_decided(i, system, outcome, trace_of))
    return tuple(results)

"""Verdicts of a vector-engine run, as the same values `engine/bfs.py` returns.

Stage: inside `podcheck.engine`, used by `podcheck.engine.vector`.  Consumes what a run
found (`Outcome`) and a trace builder; produces one `PropertyResult` per property, its
`reason` a value (`SafetySearch`, `LivenessPending`) that `report/words.py` puts in words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine.packing import Ints
from podcheck.engine.result import (
    LIVENESS,
    Goal,
    LivenessPending,
    Pending,
    PropertyResult,
    SafetySearch,
    Step,
    Trace,
    Verdict,
)
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


def _decided(i: int, system: TransitionSystem, outcome: Outcome,
             trace_of: Callable[[int], Trace]) -> PropertyResult:  # fmt: skip
    prop = system.properties[i]
    always = prop.expectation is Expectation.ALWAYS
    done = outcome.stop is None
    goal = Goal.COUNTEREXAMPLE if always else Goal.WITNESS
    reason = SafetySearch(goal, outcome.checked, done, outcome.complete_depth,
                          outcome.collision if done else None)
    sid = outcome.found.get(i)
    if sid is not None:
        verdict = Verdict.VIOLATED if always else Verdict.HOLDS
        return PropertyResult(prop.name, verdict, trace_of(sid), expected=prop.expected,
                              reason=reason)
    verdict = Verdict.UNKNOWN if not done else Verdict.HOLDS if always else Verdict.VIOLATED
    return PropertyResult(prop.name, verdict, None, expected=prop.expected, reason=reason)


def verdicts(
    system: TransitionSystem, outcome: Outcome, trace_of: Callable[[int], Trace],
    keep_graph: bool,
) -> tuple[PropertyResult, ...]:  # fmt: skip
    """One result per property of `system`; liveness properties are left undecided."""
    results = []
    for i, prop in enumerate(system.properties):
        if prop.expectation in LIVENESS:
            why = Pending.LEFT_TO_LIVENESS if keep_graph else Pending.SAFETY_PASS
            results.append(PropertyResult(prop.name, Verdict.UNKNOWN, expected=prop.expected,
                                          reason=LivenessPending(why)))
        else:
            results.append(_decided(i, system, outcome, trace_of))
    return tuple(results)


def replay(system: TransitionSystem, init: list[ir.State], links: Ints, sid: int) -> Trace:
    """The trace to state `sid` along parent `links` (`parent id * actions + action`,
    or `i - len(init)` for the i-th initial state), replayed on `ir.apply`."""
    start, actions = path(lambda i: int(links[i]), sid, max(1, len(system.actions)))
    state = init[start]
    steps = [Step(state)]
    for a in actions:
        state = ir.apply(system, system.actions[a], state)
        steps.append(Step(state, a))
    return Trace(system, tuple(steps))


def path(link_of: Callable[[int], int], sid: int, width: int) -> tuple[int, list[int]]:
    """The initial state's link (`i - len(init)` for the i-th, so `init[link]` is it)
    and the actions from it to `sid` along `link_of` (a state's parent link:
    `parent * width + action`)."""
    actions = []
    while (link := link_of(sid)) >= 0:
        sid, a = divmod(link, width)
        actions.append(a)
    return link, actions[::-1]

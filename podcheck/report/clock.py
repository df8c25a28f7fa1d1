"""The time of each step of a trace, from the clock's display view.

Stage: `podcheck.report`.  Consumes a `Trace` whose system declares the clock's view
(owner `clock`, field `next`: the seconds "time passes" would advance from a state,
model/clock.py `Clock.advance_view`); produces the elapsed seconds at each step.  Time
starts at 0 in the initial state; a "time passes" step adds the view's value in the state
it leaves, a "one second passes" step adds 1, and every other step takes no time
(NOTE(time-abstraction) in model/clock.py).
"""

from __future__ import annotations

from podcheck.engine.result import Trace
from podcheck.ir import Derived, State, TransitionSystem, evaluate
from podcheck.vocab import ActionKind, Actor

CLOCK_OWNER = str(Actor.CLOCK)
NEXT_FIELD = "next"


def is_clock_view(view: Derived) -> bool:
    """True for the clock's own view, which renderers show as step times, not as a value."""
    return view.owner == CLOCK_OWNER and view.field == NEXT_FIELD


def advance(system: TransitionSystem, action: int | None, before: State) -> int:
    """Seconds that `action` taken from `before` lets pass (0 for a system without the
    clock's view)."""
    if action is None:
        return 0
    name = system.actions[action].name
    if name == ActionKind.SECOND_PASSES:
        return 1
    if name != ActionKind.TIME_PASSES:
        return 0
    view = next((d for d in system.derived if is_clock_view(d)), None)
    return 0 if view is None else evaluate(view.expr, before)


def step_times(trace: Trace) -> list[int]:
    """Elapsed seconds at each step of `trace` (index 0: the initial state)."""
    times = [0]
    for prev, step in zip(trace.steps, trace.steps[1:], strict=False):
        times.append(times[-1] + advance(trace.system, step.action, prev.state))
    return times

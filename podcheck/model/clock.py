"""The event-driven clock: remaining-time timers and one "time passes" action.

Stage: internal to `podcheck.model`.  Consumes timer registrations from the kubelet
side of the model (`pod.py`, `containers.py`, `probes_model.py`; the cluster side has no
timers: its controllers react without delay); produces, on `Clock.build`, the clock's
actions on the shared `Builder`.

NOTE(time-abstraction): time is discrete (whole seconds; spec durations are rounded
up) and event-driven.  A component owns *timers*: state variables counting down the
seconds to its next event, each with an `active` condition and a `distance` (the
seconds until its next event; usually the timer itself).  There is no global
"elapsed" variable: only remaining times are state, so a 300 s back-off is two
states (armed, due), not 300.
- "time passes" advances every active timer by delta = the smallest distance among
  active timers, i.e. it jumps to the next instant at which something is due.
- Events due now are urgent: time cannot pass while an active timer's distance is 0,
  nor while a registered *urgent* condition holds (a kubelet reaction that is enabled
  right now, such as starting the next init container).
- A duration known only as a range [lo, hi] is one timer set to hi whose distance
  is "seconds until the window opens" (hi - lo before it opens, then the timer
  itself): the event is enabled from lo on, at every instant at which the clock
  stops, and forced at hi (`window_distance`).

Why this is sound for the properties we check (untimed: invariants and temporal
formulas over event orderings): between two consecutive due instants no rule of the
model can fire except those whose guards do not read timers (reactions, which are
urgent, and the optional events: crash, hang, a range event); jumping over the gap
therefore loses no ordering of *timer-driven* events.  An optional event placed
strictly between two due instants is equivalent to placing it right before the next
one unless it arms a timer of its own (an exit arms a back-off): then its exact
second shifts that timer relative to the others.  For those, the default explores
only the due instants; `ModelOptions.exact_windows` adds a "one second passes"
action while such an event is possible, which restores every integer placement.
Limits: no sub-second precision; timers pause while their `active` is false (for the
kubelet: while its node is down).  A probe ticker's first tick after a start is a range
event of its own (NOTE(probe-ticks) in `probe_clock.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck import ir
from podcheck.model.layout import Builder
from podcheck.model.options import ModelOptions
from podcheck.vocab import ActionKind, Actor

NEXT_FIELD = "next"  # the field of the clock's display view (`advance_view`)


@dataclass(frozen=True, slots=True)
class Timer:
    """A registered timer: its variable, when it runs, and its distance to its event."""

    var: ir.Var
    active: ir.Expr
    distance: ir.Expr
    hi: int


def window_distance(timer: ir.Expr, window: int) -> ir.Expr:
    """Distance of a range timer set to `hi` whose event may fire once it is <= `window`.

    `window` is hi - lo: before the window opens the next stop is its opening, inside
    it the timer's end (where the event is forced).
    """
    if window <= 0:
        return timer
    return ir.ite(ir.op(">", timer, window), ir.op("-", timer, window), timer)


@dataclass(slots=True)
class Clock:
    """Collects timers, urgent conditions and open windows; `build` adds the actions.

    Usage: `t = clock.timer(name, hi, owner=..)`; later (once the condition's
    variables exist) `clock.register(t, active, distance)`; `clock.urgent(cond)` for
    reactions that must happen before time passes; `clock.window(cond)` while an
    optional event could happen at any second; finally `clock.build()` once, after
    every component has registered.
    """

    builder: Builder
    options: ModelOptions = ModelOptions()
    timers: list[Timer] = field(default_factory=list)
    urgents: list[ir.Expr] = field(default_factory=list)
    windows: list[ir.Expr] = field(default_factory=list)
    optional: list[tuple[ir.Var, ir.Expr]] = field(default_factory=list)
    _hi: dict[int, int] = field(default_factory=dict)
    _registered: set[int] = field(default_factory=set)  # indices of `timers` vars
    built: bool = False

    def timer(
        self, name: str, hi: int, *, init: int = 0, owner: str = "", field_name: str = ""
    ) -> ir.Var:
        """Declare a timer variable with domain 0..hi (initially `init`, usually 0)."""
        assert hi >= 0, name
        var = self.builder.var(name, 0, hi, init, owner=owner, field_name=field_name)
        self._hi[var.index] = hi
        return var

    def register(self, var: ir.Var, active: ir.Expr, distance: ir.Expr | None = None) -> None:
        """Let `var` count down while `active` holds; its next event is `distance` away."""
        assert not self.built, "register timers before Clock.build"
        assert var.index in self._hi, "declare timers with Clock.timer"
        assert var.index not in self._registered, "timer registered twice"
        self._registered.add(var.index)
        hi = self._hi[var.index]
        self.timers.append(Timer(var, active, var if distance is None else distance, hi))

    def urgent(self, cond: ir.Expr) -> None:
        """Time may not pass while `cond` holds."""
        assert not self.built
        self.urgents.append(cond)

    def window(self, cond: ir.Expr) -> None:
        """An optional event may happen at any second while `cond` holds."""
        assert not self.built
        self.windows.append(cond)

    def may_wait(self, var: ir.Var, cond: ir.Expr) -> None:
        """Actions that read timer `var` are optional, not due, while `cond` holds (a
        range event inside its window): prompt reactions (`timed.make_prompt`) do not
        make them urgent there."""
        assert not self.built
        self.optional.append((var, cond))

    def delta(self) -> ir.Expr:
        """Seconds to the next due instant (`infinity()` when no timer is active)."""
        big = self.infinity()
        return ir.Op("min", tuple(ir.ite(t.active, t.distance, big) for t in self.timers))

    def advance_view(self) -> ir.Derived:
        """The display view `clock.next`: the seconds "time passes" would advance from a
        state (0 when no timer is active).  Renderers sum it over the time steps of a trace
        to show each step's time (report/clock.py); it is not state."""
        if not self.timers:
            return ir.Derived(str(Actor.CLOCK), NEXT_FIELD, ir.Const(0))
        delta = self.delta()
        return ir.Derived(str(Actor.CLOCK), NEXT_FIELD,
                          ir.ite(ir.op("<", delta, self.infinity()), delta, 0))

    def infinity(self) -> int:
        """A value larger than any timer: the delta when nothing is pending."""
        return max((t.hi for t in self.timers), default=0) + 1

    def build(self) -> None:
        """Add "time passes" (and, with exact windows, "one second passes")."""
        assert not self.built, "Clock.build called twice"
        self.built = True
        if not self.timers:
            return
        delta = self.delta()
        calm = ir.not_(ir.or_(*self.urgents)) if self.urgents else ir.TRUE
        self.builder.action(
            ActionKind.TIME_PASSES,
            (),
            ir.and_(ir.op(">", delta, 0), ir.op("<", delta, self.infinity()), calm),
            self._advance(delta),
            "time passes to the next deadline",
            Actor.CLOCK,
            ir.Fairness.WEAK,
        )
        if self.options.exact_windows and self.windows:
            guard = ir.and_(
                ir.or_(*self.windows),
                ir.op(">", delta, 1),
                ir.op("<", delta, self.infinity()),
                calm,
            )
            self.builder.action(
                ActionKind.SECOND_PASSES, (), guard, self._advance(ir.Const(1)),
                "one second passes", Actor.CLOCK, ir.Fairness.NONE,
            )

    def _advance(self, delta: ir.Expr) -> list[tuple[ir.Var, ir.Expr | int]]:
        return [
            (t.var, ir.ite(t.active, ir.op("-", t.var, delta), t.var)) for t in self.timers
        ]

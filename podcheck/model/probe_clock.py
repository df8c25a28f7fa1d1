"""The probe clock: when a probe worker's ticks fall (NOTE(probe-ticks)).

Stage: internal to `podcheck.model` (used by `probes_model.py`).  Consumes one probe,
its ticker variable and phase variable, and the worker's expressions (running, process
up, started, the counters a success leaves); produces the ticker's update lists (arm,
disarm, next tick, release), the "ticks now" guard, and the clock registration.

NOTE(probe-ticks): pkg/kubelet/prober/worker.go `run` starts the worker's ticker when
the worker starts, not when a container instance starts, and `doProbe` skips while the
container has run less than initialDelaySeconds; so the first effective tick of an
instance lies anywhere in [initialDelay, initialDelay + period) after its start, and the
later ones one period apart.  The phase variable holds where the first tick stands:
  FIRST     unplaced; the ticker counts down to the latest first tick (initialDelay +
            period - 1); the tick may fire once the window is open (ticker <= period-1);
  RELEASED  unplaced; it waited (NOTE(lazy-phase)) and the event that made its tick
            matter just happened: the tick lies in (now, now + period], ticker <= period;
  PLACED    the first tick happened; every later one is `period` after the previous.
By default a window's tick is explored at its opening and at its end (like the clock's
other range events, NOTE(time-abstraction)); with `exact_windows` at every second.

NOTE(lazy-phase): an unplaced worker whose tick would change nothing (liveness and
readiness gated by a startup probe that has not succeeded: doProbe skips them; a liveness
worker with no failures whose process is up and whose handler cannot time out: a success
leaves it as it is; a readiness worker, unready with no run, whose process is not up:
failures while unready are not counted) waits at its window's opening instead of placing
its phase; at the event after which its tick would matter (the startup probe succeeds,
the process comes up, the process hangs) its window is (now, now + period].  The real
tick train is fixed by a phase no earlier tick has revealed, so every placement of the
first tick that matters stays possible: the waiting ticks could only have been no-ops.

NOTE(quiet-probes): a steady worker (the behaviour never hangs and its handler always
answers within timeoutSeconds) whose process is up, whose first tick is placed and whose
counters are where a success leaves them (liveness: no failures; readiness: published
Ready with a saturated run) can change nothing but its ticker until the container stops:
its ticker stops at 0 (canonical), so its ticks are not explored.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.model.clock import window_distance
from podcheck.model.updates import Updates

PLACED, FIRST, RELEASED = 0, 1, 2


@dataclass(frozen=True)
class Ticker:
    """One probe worker's ticker: `t` seconds to its next (or latest first) tick,
    `phase` PLACED / FIRST / RELEASED (None when periodSeconds is 1: no phase to choose).

    `waits`: the tick would change nothing while this holds (NOTE(lazy-phase));
    `settled`: the worker's counters are where a success leaves them and its process is
    up, and no tick can fail any more (NOTE(quiet-probes)); both None when they do not
    apply."""

    probe: spec.Probe
    t: ir.Var
    phase: ir.Var | None
    running: ir.Expr
    waits: ir.Expr | None
    settled: ir.Expr | None
    exact: bool

    @property
    def period(self) -> int:
        """The probe's periodSeconds."""
        return self.probe.periodSeconds

    def arm(self) -> Updates:
        """A new container instance: the first tick is unplaced, latest at
        initialDelay + period - 1."""
        ups: Updates = [(self.t, self.probe.initialDelaySeconds + self.period - 1)]
        if self.phase is not None:
            ups.append((self.phase, FIRST))
        return ups

    def disarm(self) -> Updates:
        """The container stopped: the ticker is idle."""
        ups: Updates = [(self.t, 0)]
        if self.phase is not None:
            ups.append((self.phase, PLACED))
        return ups

    def next(self, value: int | ir.Expr) -> Updates:
        """A tick happened: the next one is `value` seconds away; the phase is placed."""
        ups: Updates = [(self.t, value)]
        if self.phase is not None:
            ups.append((self.phase, PLACED))
        return ups

    def frozen(self) -> ir.Expr:
        """The unplaced ticker waits at its window's opening (NOTE(lazy-phase))."""
        if self.phase is None or self.waits is None:
            return ir.FALSE
        return ir.and_(ir.eq(self.phase, FIRST), ir.op("<=", self.t, self.period - 1),
                       self.waits)

    def release(self, waits_after: ir.Expr) -> Updates:
        """An event after which the waiting tick would matter (`waits_after`: the waiting
        condition in the event's post-state) opens its window (now, now + period]."""
        if self.phase is None or self.waits is None:
            return []
        go = ir.and_(self.frozen(), ir.not_(waits_after))
        return [(self.phase, ir.ite(go, RELEASED, self.phase)),
                (self.t, ir.ite(go, self.period, self.t))]

    def quiet(self) -> ir.Expr:
        """The worker can change nothing but its ticker (NOTE(quiet-probes))."""
        if self.settled is None:
            return ir.FALSE
        parts = [self.settled, ir.eq(self.t, 0)]
        if self.phase is not None:
            parts.append(ir.eq(self.phase, PLACED))
        return ir.and_(*parts)

    def ticks(self) -> ir.Expr:
        """The worker ticks now: due, or inside its first tick's window."""
        due = ir.eq(self.t, 0)
        if self.phase is not None:
            first, released = self.period - 1, self.period
            if self.exact:
                windows = (ir.op("<=", self.t, first), ir.op("<=", self.t, released))
            else:
                windows = (ir.eq(self.t, first), ir.eq(self.t, released))
            due = ir.or_(due, ir.and_(ir.eq(self.phase, FIRST), windows[0]),
                         ir.and_(ir.eq(self.phase, RELEASED), windows[1]))
        return ir.and_(self.running, due, ir.not_(self.quiet()), ir.not_(self.frozen()))

    def registration(self, active: ir.Expr) -> tuple[ir.Expr, ir.Expr, ir.Expr | None]:
        """(when the ticker runs, its distance to the next stop, when its first tick's
        window is open or None): it runs while `active` unless quiet or frozen; while
        the first tick is FIRST the next stop is the window's opening, then its end."""
        full = ir.and_(active, ir.not_(self.quiet()), ir.not_(self.frozen()))
        if self.phase is None:
            return full, self.t, None
        first = ir.eq(self.phase, FIRST)
        distance = ir.ite(first, window_distance(self.t, self.period - 1), self.t)
        open_ = ir.or_(ir.and_(first, ir.op("<=", self.t, self.period - 1)),
                       ir.eq(self.phase, RELEASED))
        return full, distance, ir.and_(full, open_)

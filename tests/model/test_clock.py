"""The event-driven clock (podcheck/model/clock.py): jumps, urgency, windows."""

from __future__ import annotations

import pytest

from podcheck import ir
from podcheck.model.clock import Clock, window_distance
from podcheck.model.layout import Builder
from podcheck.model.options import ModelOptions
from tests.engine.reference import reachable_parents

reachable = reachable_parents


def two_timers(urgent: bool = False) -> tuple[ir.TransitionSystem, ir.Var, ir.Var]:
    """Timers a (7 s) and b (3 s), each firing once; optionally an urgent flag."""
    b = Builder("clock")
    clock = Clock(b)
    ta = clock.timer("a", 7, init=7)
    tb = clock.timer("b", 3, init=3)
    fa, fb = b.bool_var("fired_a"), b.bool_var("fired_b")
    clock.register(ta, ir.eq(fa, 0))
    clock.register(tb, ir.eq(fb, 0))
    b.action("fire", (("t", "a"),), ir.and_(ir.eq(fa, 0), ir.eq(ta, 0)), [(fa, 1)], "a", "env")
    b.action("fire", (("t", "b"),), ir.and_(ir.eq(fb, 0), ir.eq(tb, 0)), [(fb, 1)], "b", "env")
    if urgent:
        flag = b.bool_var("pending", True)
        clock.urgent(ir.eq(flag, 1))
        b.action("react", (), ir.eq(flag, 1), [(flag, 0)], "react", "kubelet")
    clock.build()
    return b.build(), ta, tb


def test_time_jumps_to_the_next_deadline_and_never_ticks() -> None:
    system, _, _ = two_timers()
    seen = reachable(system)
    assert set(seen) == {(7, 3, 0, 0), (4, 0, 0, 0), (4, 0, 0, 1), (0, 0, 0, 1), (0, 0, 1, 1)}
    tick = next(a for a in system.actions if a.name == "time_passes")
    assert tick.actor == "clock" and tick.fairness is ir.Fairness.WEAK


def test_a_due_timer_blocks_time() -> None:
    system, _, _ = two_timers()
    names = [system.actions[i].name for i, _ in ir.successors(system, (4, 0, 0, 0))]
    assert names == ["fire"]


def test_nothing_pending_means_no_time_step() -> None:
    system, _, _ = two_timers()
    assert list(ir.successors(system, (0, 0, 1, 1))) == []


def test_an_urgent_reaction_happens_before_time_passes() -> None:
    system, _, _ = two_timers(urgent=True)
    first = [system.actions[i].name for i, _ in ir.successors(system, system.init[0])]
    assert first == ["react"]


def test_timers_are_bounded_by_their_declared_domain() -> None:
    system, _, _ = two_timers()
    assert [(v.lo, v.hi) for v in system.vars[:2]] == [(0, 7), (0, 3)]


def window_model(exact: bool) -> tuple[ir.TransitionSystem, ir.Var, ir.Var]:
    """An event somewhere in [5, 60] s and a ticker every 10 s; `age` measures time."""
    b = Builder("window")
    clock = Clock(b, ModelOptions(exact_windows=exact))
    age = clock.timer("age", 100, init=100)
    ev = clock.timer("event", 60, init=60)
    tick = clock.timer("ticker", 10, init=10)
    done = b.bool_var("done")
    clock.register(age, ir.eq(done, 0))
    clock.register(ev, ir.eq(done, 0), window_distance(ev, 55))
    clock.register(tick, ir.eq(done, 0))
    b.action("tick", (), ir.and_(ir.eq(done, 0), ir.eq(tick, 0)), [(tick, 10)], "tick", "env")
    can = ir.and_(ir.eq(done, 0), ir.op("<=", ev, 55))
    b.action("event", (), can, [(done, 1), (ev, 0), (tick, 0)], "event", "env",
             ir.Fairness.NONE)
    clock.window(ir.and_(can, ir.op(">", ev, 0)))
    clock.build()
    return b.build(), age, done


def event_times(exact: bool) -> set[int]:
    system, age, done = window_model(exact)
    seen = reachable(system)
    return {100 - s[age.index] for s in seen if s[done.index] == 1}


def test_a_range_event_fires_at_due_instants_by_default() -> None:
    assert event_times(exact=False) == {5, 10, 20, 30, 40, 50, 60}


def test_exact_windows_let_a_range_event_fire_at_every_second() -> None:
    assert event_times(exact=True) == set(range(5, 61))


def test_window_distance_stops_at_the_opening_then_at_the_end() -> None:
    dist = window_distance(ir.Var(0), 55)
    assert [ir.evaluate(dist, (t,)) for t in (60, 56, 55, 10, 0)] == [5, 1, 55, 10, 0]
    assert window_distance(ir.Var(0), 0) == ir.Var(0)


def test_build_twice_is_a_bug() -> None:
    b = Builder("x")
    clock = Clock(b)
    clock.build()
    with pytest.raises(AssertionError):
        clock.build()

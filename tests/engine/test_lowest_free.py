"""Pod-slot symmetry when the controller fills the lowest free slot first
(NOTE(lowest-free), engine/vacancy.py): the group is verified on the relaxed actions
once "a free slot holds its vacant values" is shown inductive, and the reduced search
reaches exactly the orbits of the reachable states."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs, vacancy, vector
from podcheck.engine.symmetry import Cause, prepare
from podcheck.ir import Action, Expectation, Property, StateVar, SymmetryGroup

ROOT = Path(__file__).resolve().parents[2]
OFF = bfs.BfsOptions(symmetry=False)


def _slots(n: int, cap: int, steps: int, reset: bool = True, init: int = 0,
           prop: ir.Expr | None = None) -> ir.TransitionSystem:  # fmt: skip
    """`n` slots (used, phase 0..steps) filled lowest-free-first while fewer than `cap`
    are used; a used slot advances its phase or is deleted (phase reset to 0 when
    `reset`); the first `init` slots are used initially."""
    used = [ir.Var(2 * i) for i in range(n)]
    phase = [ir.Var(2 * i + 1) for i in range(n)]
    vars_ = tuple(v for i in range(n) for v in (
        StateVar(f"s{i}.used", 0, 1), StateVar(f"s{i}.phase", 0, steps)))
    room = ir.op("<", ir.count(*used), cap)
    actions = []
    for i in range(n):
        lowest = ir.and_(ir.not_(used[i]), *used[:i])
        slot = (("slot", str(i)),)
        actions.append(Action("create", slot, ir.and_(lowest, room), ((2 * i, ir.Const(1)),),
                              f"create {i}", "controller"))
        actions.append(Action("advance", slot, ir.and_(used[i], ir.op("<", phase[i], steps)),
                              ((2 * i + 1, ir.op("+", phase[i], 1)),), f"advance {i}", "k"))
        gone = ((2 * i, ir.Const(0)),) + (((2 * i + 1, ir.Const(0)),) if reset else ())
        actions.append(Action("delete", slot, used[i], gone, f"delete {i}", "env"))
    state = tuple(x for i in range(n) for x in (int(i < init), 0))
    done = ir.count(*(ir.eq(p, steps) for p in phase))
    props = (Property("few-done", Expectation.ALWAYS,
                      prop if prop is not None else ir.op("<", done, cap)),)
    group = SymmetryGroup("slots", tuple((2 * i, 2 * i + 1) for i in range(n)),
                          first_free=0, vacant=(0, 0))
    return ir.TransitionSystem("slots", vars_, (state,), tuple(actions), props,
                               symmetry=(group,))


def _orbits(system: ir.TransitionSystem) -> int:
    """The orbits of the reachable states (every reachable state canonicalised)."""
    canon, _ = prepare(system)
    assert canon is not None
    seen, todo = set(system.init), list(system.init)
    while todo:
        for _, t in ir.successors(system, todo.pop()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return len({canon.canon(s) for s in seen})


@settings(max_examples=40, deadline=None)
@given(n=st.integers(2, 4), cap=st.integers(1, 4), steps=st.integers(1, 3),
       init=st.integers(0, 4))
def test_the_reduced_search_reaches_exactly_the_reachable_orbits(
    n: int, cap: int, steps: int, init: int
) -> None:
    system = _slots(n, cap, steps, init=min(init, n))
    reduced, full = bfs.check(system), bfs.check(system, OFF)
    assert reduced.symmetry is not None and reduced.symmetry.used == (("slots", n),)
    assert reduced.stats.states == _orbits(system)
    assert [r.verdict for r in reduced.results] == [r.verdict for r in full.results]
    lengths = [[r.trace.length if r.trace else None for r in x.results] for x in (reduced, full)]
    assert lengths[0] == lengths[1]
    fast, _ = vector.explore_vector(system)
    assert fast.stats.states == reduced.stats.states
    for r in reduced.results:  # counterexamples are real runs of the unreduced system
        if r.trace is not None:
            steps_ = r.trace.steps
            assert steps_[0].state in system.init
            for a, b in zip(steps_, steps_[1:], strict=False):
                assert b.action is not None
                act = system.actions[b.action]
                assert ir.evaluate(act.guard, a.state)
                assert ir.apply(system, act, a.state) == b.state


def test_a_free_slot_that_keeps_its_phase_breaks_the_group() -> None:
    system = _slots(3, 2, 2, reset=False)
    assert not vacancy.invariant(system, system.symmetry[0])
    canon, use = prepare(system)
    assert canon is None and use.broken[0].cause is Cause.VACANCY


def test_a_property_naming_one_slot_breaks_the_group() -> None:
    system = _slots(3, 2, 2, prop=ir.op("<", ir.Var(1), 2))
    canon, use = prepare(system)
    assert canon is None and (use.broken[0].cause, use.broken[0].name) == (
        Cause.PROPERTY, "few-done")


def test_lowest_free_groups_are_refused_for_liveness() -> None:
    system = _slots(3, 2, 2)
    _, use = prepare(system, liveness=True)
    assert use.broken[0].cause is Cause.LOWEST_FREE


def test_relaxing_drops_only_the_lowest_free_conjuncts() -> None:
    system = _slots(3, 3, 1)
    relaxed = vacancy.relaxed(system, system.symmetry[0])
    create2 = relaxed[6]  # the create of slot 2: `not used2 and room`
    assert create2.name == "create" and ir.Var(0) not in vacancy.conjuncts(create2.guard)
    assert ir.not_(ir.Var(4)) in vacancy.conjuncts(create2.guard)
    assert relaxed[0] == system.actions[0]  # slot 0: nothing earlier, unchanged


def test_partial_evaluation_is_three_valued() -> None:
    e = ir.or_(ir.and_(ir.Var(0), ir.Var(1)), ir.op("==", ir.Var(2), 3))
    assert vacancy.fold(e, {0: 0}) is None
    assert vacancy.fold(e, {0: 0, 2: 1}) == 0
    assert vacancy.fold(e, {2: 3}) == 1
    assert vacancy.fold(ir.op("//", ir.Var(0), ir.Var(1)), {0: 4, 1: 0}) is None


@pytest.mark.parametrize("path", ["specs/seed/13b-node-failure.pod",
                                  "specs/seed/13-direct-delete.pod",
                                  "specs/placement/packed-node-failure.pod"])
def test_dsl_pod_groups_hold_and_traces_replay(path: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile(path, CheckOptions())
    system = compiled.value
    assert system is not None
    safety = tuple(p for p in system.properties if p.expectation is Expectation.ALWAYS)
    system = replace(system, properties=safety)
    reduced, full = bfs.check(system), bfs.check(system, OFF)
    assert reduced.symmetry is not None
    assert any(name.startswith("pods of") for name, _ in reduced.symmetry.used)
    assert reduced.stats.states == _orbits(system) < full.stats.states
    assert [r.verdict for r in reduced.results] == [r.verdict for r in full.results]


def test_a_deadlock_freedom_property_keeps_the_group() -> None:
    base = _slots(3, 2, 1)
    live = ir.or_(*(a.guard for a in base.actions))
    system = _slots(3, 2, 1, prop=live)
    reduced, full = bfs.check(system), bfs.check(system, OFF)
    assert reduced.symmetry is not None and reduced.symmetry.used == (("slots", 3),)
    assert reduced.stats.states == _orbits(system) < full.stats.states
    assert [r.verdict for r in reduced.results] == [r.verdict for r in full.results]


def test_one_slots_create_guard_in_a_property_breaks_the_group() -> None:
    base = _slots(3, 2, 1)
    system = _slots(3, 2, 1, prop=ir.or_(base.actions[3].guard, ir.Var(1)))
    _, use = prepare(system)
    assert use.broken and use.broken[0].cause is Cause.PROPERTY

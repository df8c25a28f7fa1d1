"""Partial-order reduction (engine/por.py, NOTE(por-reduction) in docs/performance.md):
the same verdicts, shortest traces and deadlocks with and without it, on the small
specs of specs/ and on random systems of processes; pinned reduced state counts; the
value-aware dependency of engine/effects.py."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine import bfs, por
from podcheck.engine.independence import analyse
from podcheck.engine.result import CheckResult
from podcheck.ir import Action, Expectation, Property, StateVar, SymmetryGroup

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "specs").glob("*/*.pod"))
SMALL = 600  # specs whose unreduced safety pass needs more states are compared in bench/


def _outcome(r: CheckResult) -> tuple[object, ...]:
    return (tuple(p.verdict for p in r.results),
            tuple(None if p.trace is None else p.trace.steps for p in r.results),
            None if r.deadlock is None else r.deadlock.steps)


def _compiled(path: str, monkeypatch: pytest.MonkeyPatch) -> ir.TransitionSystem | None:
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile(path, CheckOptions())
    return compiled.value


@pytest.mark.parametrize("path", SPECS)
def test_por_never_changes_a_verdict_or_a_trace_of_a_small_spec(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = _compiled(path, monkeypatch)
    if system is None:
        return
    full = bfs.check(system, bfs.BfsOptions(max_states=SMALL))
    if not full.stats.complete:
        return
    reduced = bfs.check(system, bfs.BfsOptions(por=True))
    assert reduced.stats.complete and reduced.stats.states <= full.stats.states
    assert _outcome(reduced) == _outcome(full)  # the traces are the unreduced shortest


@pytest.mark.parametrize(("path", "full", "reduced"), [
    ("specs/examples/controllers.pod", 405, 310),
    ("specs/workloads/cronjob-allow-slow-job.pod", 65, 53),
    ("specs/workloads/cronjob-forbid-deadline.pod", 30, 25),
])
def test_pinned_reduced_state_counts(path: str, full: int, reduced: int,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    system = _compiled(path, monkeypatch)
    assert system is not None
    assert bfs.check(system).stats.states == full
    result, reducer = por.reduced(system, bfs.BfsOptions(por=True))
    assert result.stats.states == reduced and reducer.reduced > 0


def test_a_violation_found_with_por_is_the_unreduced_shortest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    system = _compiled("specs/workloads/cronjob-allow-slow-job.pod", monkeypatch)
    assert system is not None
    found, _ = por.reduced(system, bfs.BfsOptions(por=True))
    full = bfs.check(system)
    shown = bfs.check(system, bfs.BfsOptions(por=True))
    assert any(r.trace is not None for r in full.results)
    assert _outcome(shown) == _outcome(full)
    for mine, theirs in zip(found.results, full.results, strict=True):
        assert mine.verdict is theirs.verdict
        if mine.trace is not None and theirs.trace is not None:
            assert len(mine.trace.steps) >= len(theirs.trace.steps)


def _toggles(n: int) -> ir.TransitionSystem:
    """n independent switches 0 -> 1, and `sometimes` all of them on."""
    vars_ = tuple(StateVar(f"x{i}", 0, 1) for i in range(n))
    actions = tuple(Action("on", (("x", str(i)),), ir.eq(ir.Var(i), 0),
                           ((i, ir.Const(1)),), f"x{i} on", "proc") for i in range(n))
    every = ir.and_(*(ir.eq(ir.Var(i), 1) for i in range(n)))
    prop = Property("all-on", Expectation.SOMETIMES, every)
    return ir.TransitionSystem("toggles", vars_, ((0,) * n,), actions, (prop,),
                               terminal=every)


def test_independent_switches_need_one_state_per_depth() -> None:
    system = _toggles(8)
    assert bfs.check(system, bfs.BfsOptions(symmetry=False)).stats.states == 2**8
    result = bfs.check(system, bfs.BfsOptions(por=True, symmetry=False))
    assert result.results[0].verdict.value == "holds"
    assert result.results[0].trace is not None and result.results[0].trace.length == 8
    reduced, _ = por.reduced(system, bfs.BfsOptions(por=True, symmetry=False))
    assert reduced.stats.states == 9


def test_cordoning_is_independent_of_a_step_that_only_needs_the_node_up() -> None:
    # node: 0 Ready, 1 Cordoned, 2 Down; a kubelet step needs `node != Down`, a bind
    # needs `node == Ready`: cordoning changes the second test and not the first
    vars_ = (StateVar("node", 0, 2), StateVar("started", 0, 1), StateVar("bound", 0, 1))
    cordon = Action("cordon", (), ir.eq(ir.Var(0), 0), ((0, ir.Const(1)),), "cordon", "admin")
    start = Action("start", (), ir.and_(ir.op("!=", ir.Var(0), 2), ir.eq(ir.Var(1), 0)),
                   ((1, ir.Const(1)),), "start", "kubelet")
    bind = Action("bind", (), ir.and_(ir.eq(ir.Var(0), 0), ir.eq(ir.Var(2), 0)),
                  ((2, ir.Const(1)),), "bind", "scheduler")
    system = ir.TransitionSystem("node", vars_, ((0, 0, 0),), (cordon, start, bind), ())
    deps = analyse(system)
    assert deps.dependent[0] == 0b101  # cordon: itself and bind, not start
    assert deps.dependent[1] == 0b010
    gate = deps.guards[2]  # bind, once cordoned: only `cordon` writes the node
    assert deps.enabling(gate, (1, 0, 0), {}) == 0b001


@st.composite
def processes(draw: st.DrawFn) -> ir.TransitionSystem:
    """n processes with local states 0..L-1 and a shared flag; each transition kind moves
    one process, maybe guarded by a count or the flag, maybe setting the flag; an
    invariant and a goal over counts (so symmetric), maybe one naming process 0."""
    n, local = draw(st.integers(2, 3)), draw(st.integers(2, 4))
    loc = [ir.Var(i) for i in range(n)]
    flag = ir.Var(n)
    vars_ = (*(StateVar(f"p{i}", 0, local - 1) for i in range(n)), StateVar("flag", 0, 1))
    actions = []
    for kind in range(draw(st.integers(2, 4))):
        src, dst = draw(st.integers(0, local - 1)), draw(st.integers(0, local - 1))
        extra = draw(st.sampled_from(["none", "count", "flag"]))
        sets = draw(st.sampled_from([None, 0, 1]))
        at = draw(st.integers(0, local - 1))
        for i in range(n):
            guard = [ir.eq(loc[i], src)]
            if extra == "count":
                guard.append(ir.op(">=", ir.count(*(ir.eq(v, at) for v in loc)), 1))
            elif extra == "flag":
                guard.append(ir.eq(flag, 1))
            ups = [(i, ir.Const(dst))] + ([] if sets is None else [(n, ir.Const(sets))])
            actions.append(Action(f"t{kind}", (("p", str(i)),), ir.and_(*guard), tuple(ups),
                                  f"t{kind} p{i}", "proc"))
    x, y = draw(st.integers(0, local - 1)), draw(st.integers(0, local - 1))
    some = ir.op(">=", ir.count(*(ir.eq(v, x) for v in loc)), draw(st.integers(1, n)))
    every = ir.and_(*(ir.eq(v, y) for v in loc), ir.eq(flag, draw(st.integers(0, 1))))
    props = (Property("inv", Expectation.ALWAYS, ir.not_(some)),
             Property("goal", Expectation.SOMETIMES, every))
    if draw(st.booleans()):
        props += (Property("one", Expectation.ALWAYS, ir.op("!=", loc[0], x)),)
    init = tuple(draw(st.lists(st.integers(0, local - 1), min_size=n, max_size=n))) + (
        draw(st.integers(0, 1)),)
    group = SymmetryGroup("procs", tuple((i,) for i in range(n)))
    return ir.TransitionSystem("procs", vars_, (init,), tuple(actions), props,
                               terminal=ir.eq(flag, 1), symmetry=(group,))


@settings(max_examples=150, deadline=None)
@given(processes(), st.booleans())
def test_por_never_changes_a_verdict_on_random_processes(
    system: ir.TransitionSystem, symmetry: bool
) -> None:
    options = bfs.BfsOptions(symmetry=symmetry)
    full = bfs.check(system, options)
    reduced = bfs.check(system, replace(options, por=True))
    assert _outcome(reduced) == _outcome(full)
    alone, _ = por.reduced(system, replace(options, por=True))
    assert alone.stats.states <= full.stats.states
    for r in (*alone.results, alone):
        trace = r.deadlock if isinstance(r, CheckResult) else r.trace
        if trace is None:
            continue
        for before, after in zip(trace.steps, trace.steps[1:], strict=False):  # real
            assert after.action is not None
            action = system.actions[after.action]
            assert ir.evaluate(action.guard, before.state)
            assert ir.apply(system, action, before.state) == after.state

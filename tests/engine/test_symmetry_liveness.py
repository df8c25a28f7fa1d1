"""Liveness under symmetry (engine/symliveness.py, NOTE(symmetry-liveness)): on many
small random symmetric systems with per-process fairness, and on B1 with random
fairness, the reduced checker gives the unreduced verdict, a lasso prefix of the same
length, and a lasso that is a real fair run of the unreduced system."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.engine import bfs
from podcheck.engine.liveness import check_liveness
from podcheck.engine.result import PropertyResult, Verdict
from podcheck.engine.symliveness import Quotient, check_reduced, permute
from podcheck.engine.symmetry import prepare
from podcheck.ir import Action, Expectation, Fairness, Property, StateVar, SymmetryGroup
from tests.engine.b1_ir import b1_system
from tests.engine.test_liveness import assert_valid_lasso

FAIR = st.sampled_from([Fairness.WEAK, Fairness.STRONG, Fairness.NONE])


@st.composite
def processes(draw: st.DrawFn) -> ir.TransitionSystem:
    """n interchangeable processes with local states 0..L-1 and a shared flag; each
    transition kind moves one process, maybe guarded by how many are in a state or by
    the flag, maybe setting the flag; one liveness property over counts."""
    n, local = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    loc = [ir.Var(i) for i in range(n)]
    flag = ir.Var(n)
    vars_ = (*(StateVar(f"p{i}", 0, local - 1) for i in range(n)), StateVar("flag", 0, 1))
    actions = []
    for kind in range(draw(st.integers(2, 4))):
        src, dst = draw(st.integers(0, local - 1)), draw(st.integers(0, local - 1))
        extra = draw(st.sampled_from(["none", "count", "flag"]))
        sets = draw(st.sampled_from([None, 0, 1]))
        fair = draw(FAIR)
        at = draw(st.integers(0, local - 1))
        for i in range(n):
            guard = [ir.eq(loc[i], src)]
            if extra == "count":
                guard.append(ir.op(">=", ir.count(*(ir.eq(v, at) for v in loc)), 1))
            elif extra == "flag":
                guard.append(ir.eq(flag, 1))
            ups = [(i, ir.Const(dst))] + ([] if sets is None else [(n, ir.Const(sets))])
            actions.append(Action(f"t{kind}", (("p", str(i)),), ir.and_(*guard), tuple(ups),
                                  f"t{kind} p{i}", "proc", fair))
    x, y = draw(st.integers(0, local - 1)), draw(st.integers(0, local - 1))
    some = lambda s: ir.op(">=", ir.count(*(ir.eq(v, s) for v in loc)), 1)  # noqa: E731
    every = lambda s: ir.and_(*(ir.eq(v, s) for v in loc))  # noqa: E731
    kind = draw(st.sampled_from(
        [Expectation.EVENTUALLY, Expectation.ALWAYS_EVENTUALLY, Expectation.LEADS_TO]))
    if kind is Expectation.LEADS_TO:
        prop = Property("live", kind, some(x), every(y))
    else:
        prop = Property("live", kind, draw(st.sampled_from([some(x), every(x)])))
    init = tuple(draw(st.lists(st.integers(0, local - 1), min_size=n, max_size=n))) + (
        draw(st.integers(0, 1)),)
    group = SymmetryGroup("procs", tuple((i,) for i in range(n)))
    return ir.TransitionSystem("procs", vars_, (init,), tuple(actions), (prop,),
                               symmetry=(group,))


@st.composite
def b1_fair(draw: st.DrawFn) -> ir.TransitionSystem:
    """B1 (pods and nodes groups) with a random fairness per action class."""
    n, m = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    system = b1_system(n, m, draw(st.integers(0, n)), draw(st.integers(0, 1)),
                       symmetric=True)
    fair = {name: draw(FAIR) for name in sorted({a.name for a in system.actions})}
    live = tuple(p for p in system.properties if p.expectation is not Expectation.ALWAYS)
    return replace(system, properties=live, actions=tuple(
        replace(a, fairness=fair[a.name]) for a in system.actions))


def _compare(system: ir.TransitionSystem) -> None:
    canon, _ = prepare(system, liveness=True)
    assert canon is not None
    full = bfs.explore(system, bfs.BfsOptions(keep_graph=True, symmetry=False))[1]
    assert full is not None
    quotient = Quotient(system, canon)
    assert quotient.explore(None, lambda: False)
    assert len(quotient.graph.states) <= len(full.states)
    for prop in system.properties:
        if prop.expectation not in (Expectation.EVENTUALLY, Expectation.ALWAYS_EVENTUALLY,
                                    Expectation.LEADS_TO):
            continue
        want = check_liveness(full, prop)
        got = check_reduced(quotient, prop)
        assert isinstance(got, PropertyResult)
        assert got.verdict is want.verdict, prop.name
        if got.verdict is Verdict.VIOLATED:
            assert got.trace is not None and want.trace is not None
            assert_valid_lasso(got.trace, prop)
            if prop.expectation is not Expectation.ALWAYS_EVENTUALLY:
                assert got.trace.loop_start == want.trace.loop_start


@settings(max_examples=150, deadline=None)
@given(processes())
def test_reduced_liveness_agrees_on_random_process_systems(system: ir.TransitionSystem) -> None:
    _compare(system)


@settings(max_examples=40, deadline=None)
@given(b1_fair())
def test_reduced_liveness_agrees_on_b1_with_random_fairness(system: ir.TransitionSystem) -> None:
    _compare(system)


def test_permute_moves_blocks_and_renames_references() -> None:
    group = SymmetryGroup("nodes", ((2,), (3,)), references=(0, 1))
    assert permute((1, 2, 7, 8), group, [1, 0]) == (2, 1, 8, 7)
    assert permute((0, 2, 7, 8), group, [1, 0]) == (0, 1, 8, 7)  # 0 names no node

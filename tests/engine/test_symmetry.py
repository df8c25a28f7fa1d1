"""Symmetry reduction (engine/symmetry.py, canonical.py, vsymmetry.py) on B1 in the IR.

The reduced search must give the verdicts of the unreduced one, counterexamples of the
same length that are real runs of the unreduced system, and one state per orbit.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from b1_ir import READY, b1_system
from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.engine import bfs, vector
from podcheck.engine.packing import WordLayout
from podcheck.engine.result import CheckResult, Trace
from podcheck.engine.symmetry import Cause, Off, Symmetry, prepare, verify
from podcheck.engine.vsymmetry import VectorCanon

OFF = bfs.BfsOptions(symmetry=False)


def _sym(n: int, m: int, k: int, f: int = 1, c: int = 0) -> ir.TransitionSystem:
    return b1_system(n, m, k, f, c, liveness=False, symmetric=True)


def _verdicts(r: CheckResult) -> list[str]:
    return [p.verdict.value for p in r.results]


def _assert_real_run(system: ir.TransitionSystem, trace: Trace) -> None:
    """Every step of `trace` is a transition of the unreduced system from its init."""
    assert trace.steps[0].state in system.init
    for before, after in zip(trace.steps, trace.steps[1:], strict=False):
        assert after.action is not None
        action = system.actions[after.action]
        assert ir.evaluate(action.guard, before.state)
        assert ir.apply(system, action, before.state) == after.state


# Pinned counts: (n, m) -> (reduced, unreduced) states of B1 with k = n-1, f = 1.  The
# unreduced counts are SPIN's (/work/shared/bench/RESULTS.md for n=12: 129 600).
PINNED = {(3, 2): (42, 130), (4, 2): (48, 256), (6, 2): (85, 1160), (9, 2): (188, 12496)}


@pytest.mark.parametrize(("n", "m"), sorted(PINNED))
def test_pinned_reduced_and_unreduced_counts(n: int, m: int) -> None:
    system = _sym(n, m, n - 1)
    reduced, full = bfs.check(system), bfs.check(system, OFF)
    fast, _ = vector.explore_vector(system)
    assert (reduced.stats.states, full.stats.states) == PINNED[n, m]
    assert fast.stats.states == reduced.stats.states
    assert reduced.symmetry is not None and reduced.symmetry.used == (("pods", n), ("nodes", m))
    assert full.symmetry is not None and full.symmetry.off is Off.DISABLED


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 4), m=st.integers(1, 3), k=st.integers(0, 4), f=st.integers(0, 2),
       c=st.integers(0, 3))
def test_symmetry_never_changes_a_verdict_and_traces_are_real(
    n: int, m: int, k: int, f: int, c: int
) -> None:
    system = _sym(n, m, min(k, n), f, c)
    full = bfs.check(system, OFF)
    for reduced in (bfs.check(system), vector.explore_vector(system)[0]):
        assert _verdicts(reduced) == _verdicts(full)
        assert reduced.stats.states <= full.stats.states
        assert (reduced.deadlock is None) == (full.deadlock is None)
        for r, u in zip(reduced.results, full.results, strict=True):
            assert (r.trace is None) == (u.trace is None)
            if r.trace is not None and u.trace is not None:
                assert r.trace.length == u.trace.length  # orbits keep BFS distances
                _assert_real_run(system, r.trace)
        if reduced.deadlock is not None and full.deadlock is not None:
            assert reduced.deadlock.length == full.deadlock.length
            _assert_real_run(system, reduced.deadlock)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(2, 6), m=st.integers(2, 3))
def test_canonical_forms_are_functions_of_the_orbit(seed: int, n: int, m: int) -> None:
    system = _sym(n, m, n - 1)
    canon, _ = prepare(system)
    assert canon is not None
    rng = random.Random(seed)
    state = tuple(rng.randint(v.lo, v.hi) for v in system.vars)
    pods, nodes = list(range(n)), list(range(m))
    rng.shuffle(pods)
    rng.shuffle(nodes)
    moved = list(state)
    for p, q in enumerate(pods):  # pod p's values move to pod q, node j's to nodes[j]
        moved[q] = state[p]
        moved[n + q] = nodes[state[n + p] - 1] + 1 if state[n + p] else 0
    for j, q in enumerate(nodes):
        moved[2 * n + q] = state[2 * n + j]
    image = tuple(moved)
    assert canon.canon(image) == canon.canon(state)
    batch = VectorCanon(canon, WordLayout.of(system))
    assert batch.canon_state(image) == batch.canon_state(state)


def test_a_property_naming_one_pod_breaks_the_pod_group() -> None:
    system = _sym(3, 2, 2)
    pod1 = ir.Property("pod-1-ready", ir.Expectation.ALWAYS, ir.eq(ir.Var(0), READY))
    named = replace(system, properties=(*system.properties, pod1))
    canon, use = prepare(named)
    assert [(b.group, b.cause, b.name) for b in use.broken] == [
        ("pods", Cause.PROPERTY, "pod-1-ready")]
    assert use.used == (("nodes", 2),) and canon is not None
    reduced, full = bfs.check(named), bfs.check(named, OFF)
    assert _verdicts(reduced) == _verdicts(full)
    assert reduced.stats.states < full.stats.states  # the node group still reduces


def test_an_action_ordering_nodes_breaks_the_node_group() -> None:
    system = _sym(2, 2, 1)
    ordered = ir.Action("odd", (), ir.op("<", ir.Var(2), ir.Var(3)), (), "orders nodes", "x")
    broken = verify(replace(system, actions=(*system.actions, ordered)), system.symmetry[1])
    assert broken is not None and broken.cause is Cause.REFERENCE


def test_an_action_on_one_pod_only_breaks_the_pod_group() -> None:
    system = _sym(3, 2, 2)
    only = ir.Action("poke", (), ir.eq(ir.Var(0), READY), ((0, ir.Const(1)),), "pokes", "x")
    broken = verify(replace(system, actions=(*system.actions, only)), system.symmetry[0])
    assert broken is not None and (broken.cause, broken.name) == (Cause.ACTION, "pokes")


def test_liveness_runs_keep_symmetry_off_and_say_so() -> None:
    system = b1_system(3, 2, 2, symmetric=True)
    result, graph = bfs.explore(system, bfs.BfsOptions(keep_graph=True))
    assert result.symmetry is not None and result.symmetry.off is Off.LIVENESS
    assert graph is not None and result.stats.states == PINNED[3, 2][1]


def test_symmetry_of_a_system_without_groups_is_none() -> None:
    system = b1_system(3, 2, 2, liveness=False)
    assert bfs.check(system).symmetry is None
    assert Symmetry(()).canon((1, 2)) == (1, 2)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 5), m=st.integers(2, 4), k=st.integers(0, 5), f=st.integers(0, 2))
def test_member_signatures_store_one_state_per_orbit(n: int, m: int, k: int, f: int) -> None:
    """NOTE(member-signature): the vector engine orders nodes by signature; it must
    store exactly the orbits bfs stores (least states), with equal verdicts and lengths."""
    system = _sym(n, m, k, f)
    canon, _ = prepare(system)
    assert canon is not None
    assert VectorCanon(canon, WordLayout.of(system)).signature is not None
    fast, reduced = vector.explore_vector(system)[0], bfs.check(system)
    assert fast.stats.states == reduced.stats.states
    assert _verdicts(fast) == _verdicts(reduced)
    assert ([r.trace.length if r.trace else None for r in fast.results]
            == [r.trace.length if r.trace else None for r in reduced.results])
    for r in fast.results:
        if r.trace is not None:
            _assert_real_run(system, r.trace)



@pytest.mark.parametrize(("members", "references", "too_many"), [
    (7, True, False), (8, True, True), (10_000, True, True), (10_000, False, False)])
def test_too_many_tied_members(members: int, references: bool, too_many: bool) -> None:
    # 7! = MAX_TIES; the factorial stops once above it (10 000! is 35 660 digits).
    from podcheck.engine.symmetry import MAX_TIES, _ties
    from podcheck.ir import SymmetryGroup
    group = SymmetryGroup("g", tuple((i,) for i in range(members)),
                          references=(members,) if references else ())
    assert MAX_TIES == 5040
    assert _ties(None, group) is too_many  # type: ignore[arg-type]  # the system is unread

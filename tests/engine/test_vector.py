"""The vector engine agrees with engine/bfs.py: counts, verdicts, deadlocks, traces, graphs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from b1_ir import b1_system
from test_bfs import SPIN_COUNTS, assert_valid, reference

from podcheck import ir
from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.engine import bfs, vector
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.result import CheckResult, Verdict
from podcheck.engine.symmetry import Off
from podcheck.ir import Action, Const, Expectation, Property, StateVar, Var
from podcheck.report import words
from podcheck.suite import parse_only

ROOT = Path(__file__).resolve().parents[2]
# every spec the suite explores (parse-only specs are only loaded), except the replica
# ranges that `check` runs one count at a time (podcheck.replica_ranges): their merged
# system of every count has no symmetry and is far beyond an unbounded exploration
# (specs/replicas/hpa-range-pdb.pod); tests/integration/test_replica_ranges.py covers them
SPECS = sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / "specs").rglob("*.pod") if not parse_only(str(p))
    and " run per count" not in p.with_suffix(".expected").read_text()
)


def assert_agree(fast: CheckResult, slow: CheckResult) -> None:
    """Same counts, verdicts, details and (identical, replayable) traces."""
    assert fast.fallback is None
    for field in ("states", "transitions", "depth", "complete"):
        assert getattr(fast.stats, field) == getattr(slow.stats, field), field
    assert fast.limit == slow.limit
    for a, b in zip(fast.results, slow.results, strict=True):
        assert (a.name, a.verdict, a.detail) == (b.name, b.verdict, b.detail)
        assert (a.trace is None) == (b.trace is None)
        if a.trace is not None and b.trace is not None:
            assert a.trace.steps == b.trace.steps
            assert_valid(a.trace)
    assert (fast.deadlock is None) == (slow.deadlock is None)
    if fast.deadlock is not None and slow.deadlock is not None:
        assert fast.deadlock.steps == slow.deadlock.steps
        assert_valid(fast.deadlock)


@pytest.mark.parametrize("path", SPECS)
def test_every_spec_agrees_with_bfs(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    compiled, _, _ = load_and_compile(path, CheckOptions())
    system = compiled.value
    if system is None:
        pytest.skip("a rejection spec: nothing to explore")
    fast, _ = vector.explore_vector(system, chunk=64)  # several chunks per level
    if fast.symmetry is not None and fast.symmetry.off is Off.ENCODING:
        # the groups' codes do not fit the vector canonicaliser (vsymmetry.fits): it
        # explores unreduced and says so; bfs must agree with it unreduced
        assert_agree(fast, bfs.check(system, BfsOptions(symmetry=False)))
        return
    assert_agree(fast, bfs.check(system))


@pytest.mark.parametrize("path", [p for p in SPECS if "liveness" in p])
def test_liveness_verdicts_agree_through_the_vector_graph(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = [check_file(path, CheckOptions(engine=e), keep_graph=True) for e in ("bfs", "vector")]
    slow, fast = (r.result for r in runs)
    assert slow is not None and fast is not None and fast.engine == "vector"
    for a, b in zip(fast.results, slow.results, strict=True):
        assert (a.name, a.verdict, a.detail) == (b.name, b.verdict, b.detail)
        assert (a.trace is None) == (b.trace is None)
        if a.trace is not None and b.trace is not None:
            assert a.trace.steps == b.trace.steps and a.trace.loop_start == b.trace.loop_start
    gslow, gfast = (r.graph for r in runs)
    assert gslow is not None and gfast is not None
    assert (gfast.states, gfast.edges, gfast.parent, gfast.init) == (
        gslow.states, gslow.edges, gslow.parent, gslow.init)


@pytest.mark.parametrize(("m", "n"), sorted(SPIN_COUNTS))
@pytest.mark.parametrize("fingerprint", [False, True])
def test_b1_counts_equal_spin_and_bfs(m, n, fingerprint):
    system = b1_system(n, m, n - 1, liveness=False)
    fast, _ = vector.explore_vector(system, fingerprint=fingerprint)
    assert fast.stats.states == SPIN_COUNTS[m, n]
    assert_agree(fast, bfs.check(system)) if not fingerprint else None
    assert fast.stats.bytes_per_state is not None and fast.stats.bytes_per_state > 0
    assert (fast.stats.collision_probability is not None) == fingerprint


@pytest.mark.parametrize(("m", "n", "k", "c"), [(2, 2, 1, 0), (2, 3, 2, 2), (3, 2, 2, 0)])
def test_vector_agrees_with_the_reference_semantics(m, n, k, c):
    system = dataclasses.replace(b1_system(n, m, k, c=c), terminal=ir.FALSE)
    dist = reference(system)
    fast, graph = vector.explore_vector(system, BfsOptions(keep_graph=True), chunk=5)
    assert fast.stats.states == len(dist) and fast.stats.depth == max(dist.values())
    dead = [d for s, d in dist.items() if not list(ir.successors(system, s))]
    assert fast.deadlock is not None and fast.deadlock.length == min(dead)
    assert graph is not None and set(graph.states) == set(dist)
    for sid, s in enumerate(graph.states):
        assert graph.trace_to(sid).length == dist[s]
        assert [(a, graph.states[t]) for a, t in graph.edges[sid]] == list(
            ir.successors(system, s))


@pytest.mark.parametrize("options", [
    BfsOptions(max_states=1), BfsOptions(max_states=100), BfsOptions(max_states=600),
    BfsOptions(max_depth=0), BfsOptions(max_depth=5), BfsOptions(timeout_seconds=0.0),
    BfsOptions(check_deadlock=False),
])  # fmt: skip
def test_limits_end_inconclusive_exactly_as_bfs(options):
    system = dataclasses.replace(b1_system(5, 2, 4, liveness=False), terminal=ir.FALSE)
    fast, _ = vector.explore_vector(system, options, chunk=64)
    slow = bfs.check(system, options)
    if options.timeout_seconds is not None:  # stops at the first look at the clock
        assert fast.limit == "timeout" and not fast.stats.complete
        assert all(r.verdict is not Verdict.HOLDS for r in fast.results)
        return
    assert_agree(fast, slow)


def _tiny(updates: tuple[tuple[int, ir.Expr], ...], lo: int = 0, hi: int = 3,
          guard: ir.Expr = ir.TRUE) -> ir.TransitionSystem:
    x = StateVar("x", lo, hi)
    act = Action("step", (), guard, updates, "x steps", "environment")
    prop = Property("small", Expectation.ALWAYS, ir.op("<", Var(0), 3))
    return ir.TransitionSystem("tiny", (x,), ((lo,),), (act,), (prop,))


def test_updates_out_of_range_raise_model_error():
    system = _tiny(((0, ir.op("+", Var(0), 1)),), guard=ir.TRUE)
    with pytest.raises(ir.ModelError, match=r"x = 4 is outside 0..3"):
        vector.explore_vector(system)
    with pytest.raises(ir.ModelError):
        bfs.check(system)


@pytest.mark.parametrize(("system", "why"), [
    (dataclasses.replace(_tiny(((0, ir.op("//", 12, Var(0))),), lo=0, hi=12), init=((1,),)),
     "divisor"),  # x is never 0 at run time, but its bounds contain 0
    (_tiny(((0, Var(0)),), lo=0, hi=1 << 70), "bits"),
])  # fmt: skip
def test_what_it_cannot_encode_falls_back_to_bfs_and_says_why(system, why):
    fast, _ = vector.explore_vector(system)
    assert fast.fallback is not None and why in fast.fallback.detail and fast.engine == "bfs"
    slow = bfs.check(system)
    assert [r.verdict for r in fast.results] == [r.verdict for r in slow.results]


def test_negative_divisors_and_floor_semantics():
    # x in -6..6 steps to a value computed with // and % by negative and positive divisors
    rhs = ir.op("max", -6, ir.op("min", 6, ir.op("+", ir.op("//", Var(0), -4),
                                              ir.op("%", Var(0), 3), ir.op("%", Var(0), -5))))
    system = _tiny(((0, rhs),), lo=-6, hi=6)
    system = dataclasses.replace(system, init=tuple((v,) for v in range(-6, 7)))
    fast, graph = vector.explore_vector(system, BfsOptions(keep_graph=True))
    assert graph is not None
    for sid, (x,) in enumerate(graph.states):
        assert [graph.states[t] for _, t in graph.edges[sid]] == [
            ir.apply(system, system.actions[0], (x,))]
    assert fast.fallback is None


def test_identity_canonicalisation_changes_nothing():
    system = b1_system(4, 2, 3, liveness=False)
    fast, _ = vector.explore_vector(system, canonicalise=lambda keys: keys)
    assert_agree(fast, bfs.check(system))


def test_fingerprint_mode_reports_collision_risk_in_holds_details():
    fast, _ = vector.explore_vector(b1_system(6, 2, 5, liveness=False), fingerprint=True)
    holds = next(r for r in fast.results if r.name == "SafeEvictions")
    assert holds.verdict is Verdict.HOLDS and "collision probability" in words.detail(holds)
    assert fast.engine == "vector-fingerprint"
    p = fast.stats.collision_probability
    assert p is not None and 0 < p < 1e-9
    assert p == fast.stats.states * (fast.stats.transitions - fast.stats.states) / 2.0**64


def test_fingerprint_is_refused_when_the_graph_is_needed():
    fast, graph = vector.explore_vector(b1_system(3, 2, 2), BfsOptions(keep_graph=True),
                                        fingerprint=True)
    assert graph is not None and fast.engine == "vector" and fast.fallback is not None


def test_a_constant_true_guard_and_constant_updates():
    system = _tiny(((0, Const(2)),))
    fast, _ = vector.explore_vector(system)
    assert_agree(fast, bfs.check(system))

"""The BFS engine: exact counts against SPIN, shortest traces, limits, determinism."""

from __future__ import annotations

import dataclasses
import io
from collections import deque

import pytest
from b1_ir import PENDING, READY, b1_system
from rich.console import Console

from podcheck import ir
from podcheck.engine import bfs
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.result import (
    Goal,
    LivenessPending,
    Pending,
    SafetySearch,
    Stats,
    Trace,
    Verdict,
)
from podcheck.ir import Action, Const, Expectation, Op, Property, StateVar, Var
from podcheck.report.progress import RichReporter

# Distinct states of B1 (K = N-1, F = 1), from SPIN and TLC (shared/bench/RESULTS.md).
SPIN_COUNTS = {
    (2, 2): 52,
    (2, 3): 130,
    (2, 4): 256,
    (2, 5): 600,
    (2, 6): 1_160,
    (2, 7): 2_696,
    (2, 8): 5_312,
    (3, 2): 242,
    (3, 3): 596,
    (3, 4): 2_022,
    (3, 5): 5_840,
}


def reference(system):
    """Naive BFS over `ir.successors`: {state: shortest distance}."""
    dist = {s: 0 for s in system.init}
    queue = deque(system.init)
    while queue:
        s = queue.popleft()
        for _, t in ir.successors(system, s):
            if t not in dist:
                dist[t] = dist[s] + 1
                queue.append(t)
    return dist


def result_of(check, name):
    (found,) = [r for r in check.results if r.name == name]
    return found


def assert_valid(trace: Trace):
    system = trace.system
    assert trace.steps[0].state in system.init
    for before, after in zip(trace.steps, trace.steps[1:], strict=False):
        action = system.actions[after.action]
        assert ir.evaluate(action.guard, before.state)
        assert ir.apply(system, action, before.state) == after.state


@pytest.mark.parametrize(("m", "n"), sorted(SPIN_COUNTS))
def test_b1_state_counts_match_spin(m, n):
    check = bfs.check(b1_system(n, m, n - 1))
    assert check.stats.states == SPIN_COUNTS[m, n]
    assert check.stats.complete and check.limit is None
    assert result_of(check, "SafeEvictions").verdict is Verdict.HOLDS


@pytest.mark.parametrize(("m", "n"), [(2, 2), (2, 3), (2, 5), (3, 2), (3, 3), (3, 4)])
def test_b1_shortest_always_available_counterexample(m, n):
    result = result_of(bfs.check(b1_system(n, m, n - 1)), "AlwaysAvailable")
    assert result.verdict is Verdict.VIOLATED and result.as_expected
    two_on_node_1 = n > m  # pods 1 and m+1 start on node 1
    assert result.trace.length == (1 if two_on_node_1 else 3)
    assert_valid(result.trace)
    names = [result.trace.system.actions[s.action].name for s in result.trace.steps[1:]]
    assert names == (["fail"] if two_on_node_1 else ["cordon", "evict", "fail"])


@pytest.mark.parametrize("keep_graph", [False, True])
@pytest.mark.parametrize(("m", "n", "k", "c"), [(2, 2, 1, 0), (2, 3, 2, 2), (3, 2, 2, 0)])
def test_bfs_agrees_with_reference(m, n, k, c, keep_graph):
    system = dataclasses.replace(b1_system(n, m, k, c=c), terminal=ir.FALSE)
    dist = reference(system)
    check, graph = bfs.explore(system, BfsOptions(keep_graph=keep_graph))
    assert check.stats.states == len(dist)
    assert check.stats.depth == max(dist.values())
    assert check.stats.transitions == sum(len(list(ir.successors(system, s))) for s in dist)
    avail = next(p for p in system.properties if p.name == "AlwaysAvailable")
    violating = [d for s, d in dist.items() if not ir.evaluate(avail.condition, s)]
    trace = result_of(check, "AlwaysAvailable").trace
    assert trace.length == min(violating)
    assert_valid(trace)
    dead = [d for s, d in dist.items() if not list(ir.successors(system, s))]
    assert check.deadlock.length == min(dead)
    assert_valid(check.deadlock)
    assert not list(ir.successors(system, check.deadlock.steps[-1].state))
    if keep_graph:
        assert set(graph.states) == set(dist)
        for sid, s in enumerate(graph.states):
            assert len(graph.trace_to(sid).steps) - 1 == dist[s]
            edges = [(a, graph.states[t]) for a, t in graph.edges[sid]]
            assert edges == list(ir.successors(system, s))


def test_graph_and_fast_paths_agree():
    system = b1_system(3, 2, 2)
    fast = bfs.check(system)
    slow, _ = bfs.explore(system, BfsOptions(keep_graph=True))
    assert fast.stats.states == slow.stats.states
    assert fast.stats.transitions == slow.stats.transitions
    assert fast.stats.depth == slow.stats.depth
    for a, b in zip(fast.results, slow.results, strict=True):
        assert (a.name, a.verdict, a.trace) == (b.name, b.verdict, b.trace)


def test_deterministic():
    system = dataclasses.replace(b1_system(4, 2, 3), terminal=ir.FALSE)
    one, two = bfs.check(system), bfs.check(system)
    assert one.results == two.results and one.deadlock == two.deadlock
    assert dataclasses.replace(one.stats, seconds=0, peak_bytes=0) == dataclasses.replace(
        two.stats, seconds=0, peak_bytes=0
    )


def test_liveness_properties_are_left_alone():
    system = b1_system(2, 2, 1)
    live = [p.name for p in system.properties if p.expectation is Expectation.LEADS_TO]
    assert live
    fast = bfs.check(system)
    graph_run, graph = bfs.explore(system, BfsOptions(keep_graph=True))
    for name in live:
        assert result_of(fast, name).verdict is Verdict.UNKNOWN
        assert result_of(fast, name).reason == LivenessPending(Pending.SAFETY_PASS)
        assert result_of(graph_run, name).reason == LivenessPending(Pending.LEFT_TO_LIVENESS)
    assert graph is not None and len(graph.states) == 52


def with_props(system, *props):
    return dataclasses.replace(system, properties=props)


def test_sometimes_witness_is_shortest_and_never_is_violated():
    system = b1_system(2, 2, 1, liveness=False)
    pending = Property("SomePending", Expectation.SOMETIMES, ir.eq(Var(0), PENDING))
    never = Property("Never", Expectation.SOMETIMES, ir.op(">", Var(4), 5))
    check = bfs.check(with_props(system, pending, never))
    witness = result_of(check, "SomePending")
    assert witness.verdict is Verdict.HOLDS
    assert witness.trace.length == min(d for s, d in reference(system).items() if s[0] == PENDING)
    assert result_of(check, "Never").verdict is Verdict.VIOLATED


@pytest.mark.parametrize("keep_graph", [False, True])
def test_max_depth_is_inconclusive_never_holds(keep_graph):
    system = b1_system(3, 2, 2)
    dist = reference(system)
    check = bfs.check(system, BfsOptions(max_depth=4, keep_graph=keep_graph))
    assert check.limit == "max-depth" and not check.stats.complete
    assert check.stats.states == sum(1 for d in dist.values() if d <= 4)
    safe = result_of(check, "SafeEvictions")
    assert safe.verdict is Verdict.UNKNOWN
    assert safe.reason == SafetySearch(Goal.COUNTEREXAMPLE, check.stats.states, False, 4)
    assert result_of(check, "AlwaysAvailable").verdict is Verdict.VIOLATED


def test_max_depth_beyond_the_diameter_is_complete():
    system = b1_system(2, 2, 1)
    check = bfs.check(system, BfsOptions(max_depth=max(reference(system).values())))
    assert check.limit is None and check.stats.states == 52
    assert result_of(check, "SafeEvictions").verdict is Verdict.HOLDS


@pytest.mark.parametrize("keep_graph", [False, True])
def test_max_states(keep_graph):
    system = b1_system(3, 2, 2)
    check = bfs.check(system, BfsOptions(max_states=40, keep_graph=keep_graph))
    assert check.limit == "max-states" and check.stats.states == 40
    assert result_of(check, "SafeEvictions").verdict is Verdict.UNKNOWN
    assert bfs.check(system, BfsOptions(max_states=130)).limit is None


def test_timeout_stops_at_the_first_clock_check():
    check = bfs.check(b1_system(8, 2, 7), BfsOptions(timeout_seconds=0))
    assert check.limit == "timeout"
    assert check.stats.states == 1  # the clock is read at the end of every level too
    assert result_of(check, "SafeEvictions").verdict is Verdict.UNKNOWN


def counter_system(hi=3, terminal=ir.FALSE):
    x = StateVar("x", 0, hi, owner="counter", field="value")
    inc = Action(
        "inc",
        (),
        ir.op("<", Var(0), 9),
        ((0, Op("+", (Var(0), Const(1)))),),
        "the counter goes up",
        "env",
    )
    return ir.TransitionSystem("counter", (x,), ((0,), (0,)), (inc,), (), terminal)


def test_model_error_names_the_action():
    with pytest.raises(ir.ModelError, match="the counter goes up: x = 4"):
        bfs.check(counter_system())


def test_terminal_states_are_not_deadlocks():
    system = counter_system(hi=9)
    assert bfs.check(system).deadlock.length == 9
    done = dataclasses.replace(system, terminal=ir.eq(Var(0), 9))
    assert bfs.check(done).deadlock is None
    assert bfs.check(system, BfsOptions(check_deadlock=False)).deadlock is None


class Recorder:
    def __init__(self):
        self.progress, self.done = [], []

    def on_progress(self, progress):
        self.progress.append(progress.states)

    def on_done(self, stats):
        self.done.append(stats)


def test_reporter_gets_the_final_stats():
    recorder = Recorder()
    check = bfs.check(b1_system(2, 2, 1), reporter=recorder)
    assert recorder.done == [check.stats]


def test_rich_reporter_is_quiet_for_short_runs():
    out = io.StringIO()
    reporter = RichReporter(Console(file=out, width=200), after_seconds=2.0, live=False)
    reporter.on_done(Stats(states=10, seconds=1.0))
    assert out.getvalue() == ""
    reporter.on_done(Stats(states=1204, transitions=3000, depth=14, seconds=3.0))
    reporter.close()
    assert "1 204 states" in out.getvalue() and "search done" in out.getvalue()


def test_ready_constant_matches_the_scenario():
    system = b1_system(2, 2, 1)
    assert system.init == ((READY, READY, 1, 2, 0, 0, 0, 0),)


@pytest.mark.parametrize("keep_graph", [False, True])
def test_max_states_at_a_level_boundary_reports_the_levels_checked(keep_graph):
    system = b1_system(3, 2, 2)
    dist = reference(system)
    upto3 = sum(1 for d in dist.values() if d <= 3)
    check, graph = bfs.explore(system, BfsOptions(max_states=upto3, keep_graph=keep_graph))
    assert check.limit == "max-states" and check.stats.states == upto3
    assert check.stats.depth == 3
    safe = result_of(check, "SafeEvictions")
    assert safe.reason == SafetySearch(Goal.COUNTEREXAMPLE, upto3, False, 3)
    if keep_graph:
        found = sum(1 for d in dist.values() if d <= 4)  # depth 4 is found, not expanded
        assert len(graph.states) == len(graph.edges) == len(graph.parent) == found
        assert all(graph.edges[i] == [] for i in range(upto3, found))


def test_the_kept_graph_has_parents_index_and_initial_states():
    system = dataclasses.replace(b1_system(2, 2, 1), init=b1_system(2, 2, 1).init * 2)
    _, graph = bfs.explore(system, BfsOptions(keep_graph=True))
    assert graph.init == [0] and graph.parent[0] is None
    assert graph.index == {s: i for i, s in enumerate(graph.states)}
    for sid in range(1, len(graph.states)):
        parent, action = graph.parent[sid]
        assert parent < sid and (action, sid) in graph.edges[parent]

"""The compiled BFS engine against a naive reference enumerator, on the seed specs.

The reference walks `ir.successors` / `ir.evaluate` (the IR's reference semantics)
breadth-first and records every state's distance and outgoing edges.  On every seed
spec with at most `SMALL` states, the engine's graph mode (`keep_graph=True`, compiled
successor functions) must find the same states at the same distances with the same
edges, the fast mode (packed keys, generated expander) the same counts level by level,
and every invariant / `sometimes` verdict and the deadlock check must agree with a
direct evaluation over the reference set, with shortest traces.

The helpers at the top are shared by the other tests of this directory.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from podcheck import ir
from podcheck.check import CheckOptions, load_and_compile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.result import Trace, Verdict
from podcheck.ir import Expectation, State, TransitionSystem
from podcheck.spec import CheckedSpec

ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = ROOT / "specs" / "seed"
DATA_DIR = Path(__file__).resolve().parent / "data"
SEEDS = sorted(SEED_DIR.glob("*.pod"))
SMALL = 5_000


# ------------------------------------------------------------------ shared helpers


def compile_path(path: Path) -> tuple[TransitionSystem, CheckedSpec]:
    """Load and compile one spec file; fails the test on any error."""
    compiled, _, sp = load_and_compile(str(path), CheckOptions())
    assert compiled.ok and compiled.value is not None and sp is not None, [
        d.message for d in compiled.diagnostics
    ]
    return compiled.value, sp


@dataclass(slots=True)
class RefGraph:
    """The reachable states in BFS order, their distances and `(action, successor)`s."""

    order: list[State] = field(default_factory=list)
    dist: dict[State, int] = field(default_factory=dict)
    edges: dict[State, list[tuple[int, State]]] = field(default_factory=dict)

    @property
    def transitions(self) -> int:
        return sum(len(e) for e in self.edges.values())


def reference_graph(system: TransitionSystem, limit: int = 50_000) -> RefGraph:
    """Naive BFS over `ir.successors`: every reachable state, distance and edge."""
    ref = RefGraph()
    queue: deque[State] = deque()
    for s in system.init:
        if s not in ref.dist:
            ref.dist[s] = 0
            ref.order.append(s)
            queue.append(s)
    while queue:
        s = queue.popleft()
        ref.edges[s] = list(ir.successors(system, s))
        for _, t in ref.edges[s]:
            if t not in ref.dist:
                ref.dist[t] = ref.dist[s] + 1
                ref.order.append(t)
                queue.append(t)
                assert len(ref.dist) <= limit, "state space larger than expected"
    return ref


def assert_valid_path(system: TransitionSystem, trace: Trace) -> None:
    """`trace` starts in an initial state and each step is its action's successor."""
    assert trace.steps[0].state in system.init
    for before, after in zip(trace.steps, trace.steps[1:], strict=False):
        assert after.action is not None
        action = system.actions[after.action]
        assert ir.evaluate(action.guard, before.state), action.label
        assert ir.apply(system, action, before.state) == after.state, action.label


def _small_seeds() -> list[Path]:
    out = []
    for path in SEEDS:
        system, _ = compile_path(path)
        stats = explore(system, BfsOptions(max_states=SMALL + 1, symmetry=False))[0].stats
        if stats.complete and stats.states <= SMALL:
            out.append(path)
    return out


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# ------------------------------------------------------------------ the tests

SMALL_SEEDS = _small_seeds()


def test_most_seed_specs_are_small_enough_for_the_reference():
    assert len(SMALL_SEEDS) >= 10, _ids(SMALL_SEEDS)


@pytest.mark.parametrize("path", SMALL_SEEDS, ids=_ids(SMALL_SEEDS))
def test_graph_bfs_finds_the_reference_states_distances_and_edges(path: Path):
    system, _ = compile_path(path)
    ref = reference_graph(system)
    result, graph = explore(system, BfsOptions(keep_graph=True))
    assert graph is not None and result.stats.complete
    assert graph.states == ref.order  # same discovery order, not only the same set
    assert [graph.states[i] for i in graph.init] == list(dict.fromkeys(system.init))
    for sid, state in enumerate(graph.states):
        assert len(graph.path_ids(sid)) - 1 == ref.dist[state], state
        mine = [(a, graph.states[t]) for a, t in graph.edges[sid]]
        assert mine == ref.edges[state], state
    assert result.stats.states == len(ref.dist)
    assert result.stats.transitions == ref.transitions
    assert result.stats.depth == max(ref.dist.values())


@pytest.mark.parametrize("path", SMALL_SEEDS, ids=_ids(SMALL_SEEDS))
def test_fast_bfs_counts_every_level_like_the_reference(path: Path):
    system, _ = compile_path(path)
    ref = reference_graph(system)
    full = explore(system, BfsOptions(symmetry=False))[0]
    assert (full.stats.states, full.stats.transitions, full.stats.depth) == (
        len(ref.dist), ref.transitions, max(ref.dist.values()))
    deepest = max(ref.dist.values())
    depths = sorted({0, 1, 2, deepest // 3, deepest // 2, deepest - 1} - {-1})
    for depth in depths:
        limited = explore(system, BfsOptions(max_depth=depth, symmetry=False))[0]
        within = sum(1 for d in ref.dist.values() if d <= depth)
        assert limited.stats.states == within, depth
        assert limited.stats.complete == (depth >= deepest)


def _shortest(ref: RefGraph, states: list[State]) -> int | None:
    return min((ref.dist[s] for s in states), default=None)


@pytest.mark.parametrize("path", SMALL_SEEDS, ids=_ids(SMALL_SEEDS))
@pytest.mark.parametrize("keep_graph", [False, True], ids=["fast", "graph"])
def test_safety_verdicts_match_direct_evaluation(path: Path, keep_graph: bool):
    system, _ = compile_path(path)
    ref = reference_graph(system)
    result = explore(system, BfsOptions(keep_graph=keep_graph))[0]
    decided = 0
    for prop, res in zip(system.properties, result.results, strict=True):
        if prop.expectation not in (Expectation.ALWAYS, Expectation.SOMETIMES):
            assert res.verdict is Verdict.UNKNOWN  # left to the liveness checker
            continue
        decided += 1
        flag = prop.condition if prop.expectation is Expectation.SOMETIMES else ir.not_(
            prop.condition)
        hits = [s for s in ref.order if ir.evaluate(flag, s)]
        found = Verdict.VIOLATED if prop.expectation is Expectation.ALWAYS else Verdict.HOLDS
        missed = Verdict.HOLDS if found is Verdict.VIOLATED else Verdict.VIOLATED
        assert res.verdict is (found if hits else missed), prop.name
        if hits:
            assert res.trace is not None and res.trace.length == _shortest(ref, hits)
            assert_valid_path(system, res.trace)
            assert ir.evaluate(flag, res.trace.steps[-1].state)
        else:
            assert res.trace is None
    stuck = [s for s in ref.order if not ref.edges[s] and not ir.evaluate(system.terminal, s)]
    if stuck:
        assert result.deadlock is not None
        assert result.deadlock.length == _shortest(ref, stuck)
        assert_valid_path(system, result.deadlock)
        assert result.deadlock.steps[-1].state in stuck
    else:
        assert result.deadlock is None
    assert decided or any(p.expectation not in (Expectation.ALWAYS, Expectation.SOMETIMES)
                          for p in system.properties)

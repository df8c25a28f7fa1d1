"""Liveness under fairness over an explored state graph, with lasso counterexamples.

Stage: engine.  Consumes a complete `StateGraph` (from `engine/bfs.py`, or any BFS
that keeps one edge per enabled action instance, see NOTE(edges-are-enabledness) in
`engine/fairness.py`) and one temporal `Property`; produces a `PropertyResult` whose
counterexample is a lasso `Trace` and whose reason is a `FairSearch` (graph size,
fairness assumed, and for a stuttering lasso why it may stutter).

Properties (P = `condition`, Q = `target`):
  EVENTUALLY P         every fair run from an initial state reaches a P-state;
  ALWAYS_EVENTUALLY P  every fair run visits P-states infinitely often;
  LEADS_TO P ~> Q      from every reachable P-state, every fair run reaches a Q-state
                       (a P-state that is also a Q-state needs nothing more).

Runs and fairness.  A run is an infinite path, or a finite path followed by
stuttering forever in its last state.  Fairness is per action instance (class key
`(action.name, action.params)`), the action's own `Fairness` unless
`fairness_overrides` maps its name (first) or its actor to another one:
  WEAK    if continuously enabled, eventually taken (the IR default);
  STRONG  if enabled infinitely often, eventually taken;
  NONE    never forced (the environment).
So a run may stutter forever exactly in a state where no weakly or strongly fair
class is enabled: a deadlock, a `terminal` state, or a state where only the
environment could act (as in TLA+, and as SPIN's B1 encoding with its environment
`stutter` option).

Algorithm.  Let R be the states avoiding the goal (not P; for LEADS_TO not Q).
  1. The region that matters: R for ALWAYS_EVENTUALLY; the states reachable inside R
     from initial states in R (EVENTUALLY) or from P-and-R states (LEADS_TO).
  2. Bad targets there: states where the run may stutter, and states of fair SCCs of
     the induced subgraph (after trimming the states that reach no cycle inside it,
     Tarjan SCCs of the rest; weak classes must be taken inside or be
     disabled somewhere; strong classes enabled inside must be taken inside, else
     their enabling states are removed and the SCCs recomputed: Emerson–Lei).
  3. None: the property holds.  Else the lasso: a shortest prefix to a bad target
     (a 0-1 BFS over (state, triggered?) pairs: before the trigger any edge, after it
     only edges inside R; for ALWAYS_EVENTUALLY simply the BFS parent links), then
     either stuttering, or a short fair loop inside the SCC (`fairness.fair_loop`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from podcheck.engine.fairness import FairView, classify, fair_loop, fair_sccs
from podcheck.engine.graph import StateGraph
from podcheck.engine.result import (
    LIVENESS,
    FairSearch,
    PropertyResult,
    Step,
    Stutter,
    Trace,
    Verdict,
)
from podcheck.ir import Expectation, Expr, Fairness, Property, State, evaluate

Predicate = Callable[[State], Any]
PredicateCompiler = Callable[[Expr], Predicate]


def reference_predicate(expr: Expr) -> Predicate:
    """`expr` as a state predicate, by the IR's reference `evaluate`."""
    return lambda state: evaluate(expr, state)


@dataclass(frozen=True, slots=True)
class Question:
    """One liveness property, reduced to sets of state ids (`question`)."""

    avoid: frozenset[int]  # R: states that do not satisfy the goal
    triggers: frozenset[int]  # where the obligation starts (subset of R)
    prefix_free: bool  # before the trigger, the prefix may go anywhere


def check_liveness(
    graph: StateGraph,
    prop: Property,
    *,
    compile_predicate: PredicateCompiler = reference_predicate,
    fairness_overrides: Mapping[str, Fairness] | None = None,
) -> PropertyResult:
    """Decide a liveness property on a complete state graph, under fairness.

    `compile_predicate` turns the property's expressions into state predicates (the
    default evaluates the IR directly; pass the Python compiler's for speed).
    `fairness_overrides` maps action names or actors to a `Fairness` that replaces the
    actions' own.  Raises `ValueError` for a safety property.  The graph must be
    complete: on a graph cut short by a BFS limit, unexplored states look like
    deadlocks, so callers report `Verdict.UNKNOWN` instead of calling this.
    """
    if prop.expectation not in LIVENESS:
        raise ValueError(f"`{prop.name}` is a {prop.expectation.value} property")
    classes = classify(graph.system, fairness_overrides)
    view = FairView(graph, classes)
    asked = question(graph, prop, compile_predicate)
    region = region_of(graph, asked)
    targets, sccs = _bad_targets(view, region)
    reason = FairSearch(len(graph.states), classes.summary())
    if not targets:
        return PropertyResult(prop.name, Verdict.HOLDS, expected=prop.expected, reason=reason)
    if prop.expectation is Expectation.ALWAYS_EVENTUALLY:
        prefix = graph.path_ids(min(targets))
    else:
        prefix = shortest_prefix(graph, asked, targets)
    terminal = compile_predicate(graph.system.terminal)
    trace, stutter = _lasso(view, prefix, sccs, terminal)
    reason = replace(reason, stutter=stutter)  # the trace carries the prefix and the loop
    return PropertyResult(prop.name, Verdict.VIOLATED, trace, expected=prop.expected,
                          reason=reason)  # fmt: skip


def question(graph: StateGraph, prop: Property, compile_: PredicateCompiler) -> Question:
    """`prop` as sets of state ids of `graph`: the states avoiding its goal, and the
    triggers where the obligation starts."""
    ids = range(len(graph.states))
    states = graph.states
    if prop.expectation is Expectation.LEADS_TO:
        assert prop.target is not None
        goal, cond = compile_(prop.target), compile_(prop.condition)
        avoid = frozenset(i for i in ids if not goal(states[i]))
        triggers = frozenset(i for i in avoid if cond(states[i]))
        return Question(avoid, triggers, prefix_free=True)
    goal = compile_(prop.condition)
    avoid = frozenset(i for i in ids if not goal(states[i]))
    if prop.expectation is Expectation.EVENTUALLY:
        return Question(avoid, frozenset(graph.init) & avoid, prefix_free=False)
    return Question(avoid, avoid, prefix_free=True)


def region_of(graph: StateGraph, q: Question) -> set[int]:
    """The states reachable inside `q.avoid` from a trigger."""
    seen = set(q.triggers)
    queue = deque(sorted(seen))
    while queue:
        s = queue.popleft()
        for _, d in graph.edges[s]:
            if d in q.avoid and d not in seen:
                seen.add(d)
                queue.append(d)
    return seen


def _bad_targets(
    view: FairView, region: set[int]
) -> tuple[frozenset[int], dict[int, frozenset[int]]]:
    """States where a fair run can stay forever: stutter states and fair-SCC states.

    Returns the targets and, for each target that lies in a fair SCC and cannot
    stutter, that SCC.
    """
    stutter = {s for s in region if view.may_stutter(s)}
    scc_of: dict[int, frozenset[int]] = {}
    for scc in fair_sccs(view, region):
        for s in scc - stutter:
            scc_of[s] = scc
    return frozenset(stutter | scc_of.keys()), scc_of


def shortest_prefix(
    graph: StateGraph, q: Question, targets: frozenset[int]
) -> list[tuple[int, int | None]]:
    """A shortest `[(state, action in)]` from an initial state to a target that is
    inside `q.avoid` from the first trigger on (0-1 BFS over (state, triggered))."""
    Node = tuple[int, bool]
    dist: dict[Node, int] = {}
    parent: dict[Node, tuple[Node, int | None] | None] = {}
    queue: deque[tuple[int, Node]] = deque()
    for i in graph.init:
        node = (i, not q.prefix_free)
        if node not in dist and (q.prefix_free or i in q.avoid):
            dist[node], parent[node] = 0, None
            queue.append((0, node))
    done: set[Node] = set()
    while queue:
        d, node = queue.popleft()
        if node in done:
            continue
        done.add(node)
        s, triggered = node
        if triggered and s in targets:
            return _unwind(parent, node)
        moves: list[tuple[Node, int | None]] = []
        if not triggered and s in q.triggers:
            moves.append(((s, True), None))
        moves += [((t, triggered), a) for a, t in graph.edges[s]]
        for nxt, a in moves:
            cost = d if a is None else d + 1
            if (triggered and nxt[0] not in q.avoid) or dist.get(nxt, cost + 1) <= cost:
                continue
            dist[nxt], parent[nxt] = cost, (node, a)
            if a is None:
                queue.appendleft((cost, nxt))
            else:
                queue.append((cost, nxt))
    raise AssertionError("a bad target is in the region but not reachable")


def _unwind(
    parent: dict[tuple[int, bool], tuple[tuple[int, bool], int | None] | None],
    node: tuple[int, bool],
) -> list[tuple[int, int | None]]:
    path: list[tuple[int, int | None]] = []
    link = parent[node]
    while link is not None:
        prev, action = link
        if action is not None:
            path.append((node[0], action))
        node = prev
        link = parent[node]
    path.append((node[0], None))
    path.reverse()
    return path


def _lasso(
    view: FairView,
    prefix: list[tuple[int, int | None]],
    scc_of: dict[int, frozenset[int]],
    terminal: Predicate,
) -> tuple[Trace, Stutter | None]:
    """The lasso: the prefix, then stuttering in its last state (and why) or a fair loop."""
    graph = view.graph
    steps = [Step(graph.states[s], a) for s, a in prefix]
    entry = prefix[-1][0]
    start = len(steps) - 1
    if entry not in scc_of:
        trace = Trace(graph.system, tuple(steps), loop_start=start, loop_action=None)
        if graph.edges[entry]:
            return trace, Stutter.NO_FAIR_ACTION
        return trace, Stutter.TERMINAL if terminal(graph.states[entry]) else Stutter.DEADLOCK
    loop = fair_loop(view, scc_of[entry], entry)
    steps += [Step(graph.states[d], a) for a, d in loop[:-1]]
    trace = Trace(graph.system, tuple(steps), loop_start=start, loop_action=loop[-1][0])
    return trace, None

"""Test helper: the reference state graph, built by BFS over `ir.successors`.

Slow and obviously right; tests compare the engines against it.
"""

from __future__ import annotations

from collections import deque

from podcheck import ir
from podcheck.engine.graph import StateGraph
from podcheck.ir import TransitionSystem


def reference_graph(system: TransitionSystem) -> StateGraph:
    """Reference BFS over `ir.successors`: every enabled action is an edge."""
    graph = StateGraph(system)
    queue: deque[int] = deque()
    for state in system.init:
        sid, new = graph.add(state, None)
        if new:
            queue.append(sid)
    while queue:
        sid = queue.popleft()
        for a, nxt in ir.successors(system, graph.states[sid]):
            tid, new = graph.add(nxt, (sid, a))
            graph.edges[sid].append((a, tid))
            if new:
                queue.append(tid)
    return graph


Parents = dict[ir.State, tuple[ir.State, int] | None]


def reachable_parents(system: TransitionSystem) -> Parents:
    """Every reachable state of the first initial state, with its BFS parent and action."""
    seen: Parents = {system.init[0]: None}
    queue = deque(system.init)
    while queue:
        state = queue.popleft()
        for i, nxt in ir.successors(system, state):
            if nxt not in seen:
                seen[nxt] = (state, i)
                queue.append(nxt)
    return seen

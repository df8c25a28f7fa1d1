"""Test helper: the reference state graph, built by BFS over `ir.successors`.

Slow and obviously right; tests compare the engines against it.
"""

from __future__ import annotations

from collections import deque

from podcheck.engine.graph import StateGraph
from podcheck.model import ir
from podcheck.model.ir import TransitionSystem


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

"""The explored state graph: what the BFS engine builds and the liveness checker reads.

Stage: produced by `podcheck.engine.bfs` (when asked to keep the graph), consumed by
`podcheck.engine.liveness` and `podcheck.report.graph`.  State ids are BFS discovery
order, so `parent` links give shortest paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck.engine.result import Step, Trace
from podcheck.ir import State, TransitionSystem


@dataclass(slots=True)
class StateGraph:
    """Reachable states by id, their outgoing edges, and BFS parent links.

    `edges[i]` lists `(action index, successor id)` for state `i`, in action order;
    `parent[i]` is `(parent id, action index)`, or None for an initial state.
    """

    system: TransitionSystem
    states: list[State] = field(default_factory=list)
    index: dict[State, int] = field(default_factory=dict)
    edges: list[list[tuple[int, int]]] = field(default_factory=list)
    parent: list[tuple[int, int] | None] = field(default_factory=list)
    init: list[int] = field(default_factory=list)

    def add(self, state: State, parent: tuple[int, int] | None) -> tuple[int, bool]:
        """The id of `state`, adding it (with its parent link) if new; and whether new."""
        known = self.index.get(state)
        if known is not None:
            return known, False
        sid = len(self.states)
        self.index[state] = sid
        self.states.append(state)
        self.edges.append([])
        self.parent.append(parent)
        if parent is None:
            self.init.append(sid)
        return sid, True

    def path_ids(self, target: int) -> list[tuple[int, int | None]]:
        """`(state id, action that entered it)` from an initial state to `target`."""
        path: list[tuple[int, int | None]] = []
        node: int | None = target
        action: int | None = None
        while node is not None:
            link = self.parent[node]
            action = None if link is None else link[1]
            path.append((node, action))
            node = None if link is None else link[0]
        path.reverse()
        return path

    def trace_to(self, target: int) -> Trace:
        """The shortest trace (along BFS parent links) from an initial state to `target`."""
        steps = tuple(Step(self.states[s], a) for s, a in self.path_ids(target))
        return Trace(self.system, steps)

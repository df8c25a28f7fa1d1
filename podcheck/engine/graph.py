"""The explored state graph: what the BFS engine builds and the liveness checker reads.

Stage: produced by `podcheck.engine.bfs` (when asked to keep the graph), consumed by
`podcheck.engine.liveness` and `podcheck.report.graph`.  State ids are BFS discovery
order, so `parent` links give shortest paths.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from podcheck.engine.result import Step, Trace
from podcheck.ir import State, TransitionSystem


class CsrEdges:
    """Every state's outgoing edges in flat arrays (compressed sparse rows): state `i`'s
    edges are `(action[j], target[j])` for `start[i] <= j < start[i + 1]`.  About 16
    bytes per edge and 8 per state, where a list of tuples per state takes ~100 per
    edge; `edges[i]` builds the list of pairs on demand.  Rows are appended in state
    order and never changed."""

    __slots__ = ("start", "action", "target")

    def __init__(self) -> None:
        self.start = array("q", [0])
        self.action = array("l")
        self.target = array("q")

    def append(self, out: Iterable[tuple[int, int]]) -> None:
        """Add the next state's row."""
        for a, d in out:
            self.action.append(a)
            self.target.append(d)
        self.start.append(len(self.action))

    def extend(self, rows: Iterable[Iterable[tuple[int, int]]]) -> None:
        """Add several rows."""
        for row in rows:
            self.append(row)

    def __len__(self) -> int:
        return len(self.start) - 1

    def __getitem__(self, i: int) -> list[tuple[int, int]]:
        if not 0 <= i < len(self.start) - 1:
            raise IndexError(i)
        lo, hi = self.start[i], self.start[i + 1]
        return list(zip(self.action[lo:hi], self.target[lo:hi], strict=True))

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CsrEdges):
            return (self.start, self.action, self.target) == (
                other.start, other.action, other.target)
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def edge_count(self) -> int:
        """How many edges are stored."""
        return len(self.action)

    @staticmethod
    def of(rows: Iterable[Iterable[tuple[int, int]]]) -> CsrEdges:
        """The rows of a list-of-lists graph, compacted."""
        out = CsrEdges()
        out.extend(rows)
        return out


Edges = list[list[tuple[int, int]]] | CsrEdges


@dataclass(slots=True)
class StateGraph:
    """Reachable states by id, their outgoing edges, and BFS parent links.

    `edges[i]` lists `(action index, successor id)` for state `i`, in action order
    (a list per state, or `CsrEdges` when the engine stores them compactly: readers
    only index and iterate); `parent[i]` is `(parent id, action index)`, or None for an
    initial state.
    """

    system: TransitionSystem
    states: list[State] = field(default_factory=list)
    index: dict[State, int] = field(default_factory=dict)
    edges: Edges = field(default_factory=list)
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

"""The BFS hooks of symmetry reduction: a visited set of canonical states.

Stage: `podcheck.engine` (used by `engine/bfs.py`).  `CanonicalEdges` is an
`EdgeRecorder` that stores and expands one canonical representative per orbit
(`symmetry.Symmetry.canon`); `choose` decides whether a run uses symmetry and says so
in a `SymmetryUse`; `concrete_trace` maps a path of the reduced search back to a run
of the real system with named pods and nodes.
"""

from __future__ import annotations

from array import array
from typing import Protocol

from podcheck import ir
from podcheck.engine import pycompile
from podcheck.engine.graph import StateGraph
from podcheck.engine.result import Step, Trace
from podcheck.engine.symmetry import Off, Symmetry, SymmetryUse, concretise, prepare
from podcheck.ir import Expr, State, TransitionSystem


class Frontier(Protocol):
    """What of `bfs.Frontier` the recorder pushes onto."""

    @property
    def states(self) -> list[State]: ...

    @property
    def keys(self) -> list[int]: ...

    @property
    def links(self) -> array[int]: ...


def choose(
    system: TransitionSystem, wanted: bool, keep_graph: bool
) -> tuple[Symmetry | None, SymmetryUse | None]:
    """The symmetry a BFS run uses: none when the system declares none (use None), when
    switched off, or when the concrete graph is kept (`podcheck graph`, or liveness that
    falls back to the unreduced graph: NOTE(symmetry-liveness) in
    docs/performance.md); else the verified groups."""
    if not system.symmetry:
        return None, None
    if not wanted:
        return None, SymmetryUse(off=Off.DISABLED)
    if keep_graph:
        return None, SymmetryUse(off=Off.LIVENESS)
    return prepare(system)


class _CanonicalSeen:
    """The visited set as the generated expander sees it: membership canonicalises the
    successor key first and remembers the canonical state and key for the pushes."""

    __slots__ = ("keys", "canon", "packing", "state", "key")

    def __init__(self, canon: Symmetry, packing: pycompile.Packing) -> None:
        self.keys: set[int] = set()
        self.canon, self.packing = canon, packing
        self.state: State = ()
        self.key = 0

    def __contains__(self, y: object) -> bool:
        assert isinstance(y, int)
        self.state = self.canon.canon(self.packing.unpack(y))
        self.key = self.packing.pack(self.state)
        return self.key in self.keys

    def add(self, _y: int) -> None:
        """Mark the canonical key of the last successor looked up as seen."""
        self.keys.add(self.key)


class CanonicalEdges:
    """An `EdgeRecorder` keeping one canonical state per orbit (no edges); with `skip`
    (`twins.Twins.pairs` of the same groups) twin successors are not canonicalised."""

    def __init__(self, canon: Symmetry, packing: pycompile.Packing,
                 skip: pycompile.Skips | None = None) -> None:  # fmt: skip
        self.seen = _CanonicalSeen(canon, packing)
        self.skip = skip

    def visit_initial(self, key: int) -> None:
        """Mark the (canonical) key of an initial state as seen."""
        self.seen.keys.add(key)

    def expander(
        self, system: TransitionSystem, packing: pycompile.Packing,
        flagged: tuple[Expr, ...], frontier: Frontier,
    ) -> pycompile.Expander:  # fmt: skip
        """`pycompile.compile_expander` whose pushes store canonical states and keys."""
        seen = self.seen
        states, keys = frontier.states, frontier.keys
        return pycompile.compile_expander(
            system, packing, flagged, seen,  # type: ignore[arg-type]
            lambda _s: states.append(seen.state), lambda _y: keys.append(seen.key),
            frontier.links.append, self.skip,
        )  # fmt: skip

    def level(self, states: list[State]) -> None:
        """Nothing to keep."""

    def finish(self, frontier: Frontier, width: int) -> StateGraph | None:
        """No graph."""
        return None


def recorder(system: TransitionSystem, canon: Symmetry, twins: bool) -> CanonicalEdges:
    """The recorder of a reduced BFS run; with `twins`, one that skips the twin
    successors of `canon`'s groups (NOTE(twin-successors): no state, id, count or trace
    changes; `engine/twins.py` finds them, as for the vector engine)."""
    packing = pycompile.Packing.of(system)
    if not twins:
        return CanonicalEdges(canon, packing)
    from podcheck.engine.twins import twins as twin_pairs  # numpy: only when reducing

    return CanonicalEdges(canon, packing, twin_pairs(system, canon).pairs)


def starts(canon: Symmetry | None, init: list[State]) -> list[State]:
    """The initial states the search starts from: their canonical forms, without
    duplicates (the i-th start stands for the first initial state of its orbit)."""
    if canon is None:
        return init
    return list(dict.fromkeys(canon.canon(s) for s in init))


def concrete_trace(
    system: TransitionSystem, canon: Symmetry, init: list[State], start: int,
    actions: list[int],
) -> Trace:  # fmt: skip
    """The run of the real system along the reduced path from start `start`: begins in
    the first initial state whose orbit that start is, each step re-found among the
    concrete successors (`symmetry.concretise`)."""
    target = starts(canon, init)[start]
    first = next(s for s in init if canon.canon(s) == target)
    steps = concretise(system, canon.canon, first, actions,
                       lambda s: ir.successors(system, s))
    return Trace(system, (Step(first), *(Step(s, a) for a, s in steps)))

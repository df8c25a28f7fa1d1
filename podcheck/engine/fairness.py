"""Fairness classes, fair strongly connected components and fair loops.

Stage: engine helper of `podcheck.engine.liveness`.  Consumes a `StateGraph` (its
`edges` say which action instances are enabled in each state) and the system's
actions with their `Fairness`; produces the fair SCCs of a region of the graph
(Emerson–Lei refinement) and, for one of them, a short cycle whose repetition is a
fair run.

A fairness class is one action instance, keyed by `(action.name, action.params)`;
several IR actions with the same key (one action split into guarded variants) form
one class, whose fairness is the strongest of theirs.  A class is *enabled* in a
state when the state has an outgoing edge of one of its actions, and *taken* on an
edge of one of its actions.

NOTE(edges-are-enabledness): the graph must list one edge per enabled action
instance, self-loops included; a state's edge list is the only record of what is
enabled there.  Both the reference BFS in the tests and `engine/bfs.py` build it so.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from podcheck.engine.graph import StateGraph
from podcheck.engine.result import FairnessSummary
from podcheck.ir import Action, Fairness, TransitionSystem

ClassKey = tuple[str, tuple[tuple[str, str], ...]]

_STRENGTH = {Fairness.NONE: 0, Fairness.WEAK: 1, Fairness.STRONG: 2}


def effective_fairness(action: Action, overrides: Mapping[str, Fairness]) -> Fairness:
    """The action's fairness after `overrides` (keyed by action name, else by actor)."""
    if action.name in overrides:
        return overrides[action.name]
    return overrides.get(action.actor, action.fairness)


@dataclass(frozen=True, slots=True)
class FairnessClasses:
    """The fairness classes of a system: `of_action[a]` is action `a`'s class id."""

    keys: tuple[ClassKey, ...]
    fairness: tuple[Fairness, ...]
    of_action: tuple[int, ...]

    def summary(self) -> FairnessSummary:
        """Which action names have a weakly and which a strongly fair class (sorted)."""

        def names(kind: Fairness) -> tuple[str, ...]:
            pairs = zip(self.keys, self.fairness, strict=True)
            return tuple(sorted({key[0] for key, fair in pairs if fair is kind}))

        return FairnessSummary(names(Fairness.WEAK), names(Fairness.STRONG))


def classify(
    system: TransitionSystem, overrides: Mapping[str, Fairness] | None = None
) -> FairnessClasses:
    """Group the system's actions into fairness classes, applying `overrides`."""
    overrides = overrides or {}
    ids: dict[ClassKey, int] = {}
    fairness: list[Fairness] = []
    of_action: list[int] = []
    for action in system.actions:
        key = (action.name, action.params)
        fair = effective_fairness(action, overrides)
        if key not in ids:
            ids[key] = len(fairness)
            fairness.append(fair)
        cid = ids[key]
        if _STRENGTH[fair] > _STRENGTH[fairness[cid]]:
            fairness[cid] = fair
        of_action.append(cid)
    return FairnessClasses(tuple(ids), tuple(fairness), tuple(of_action))


class FairView:
    """The graph seen through fairness classes: enabled fair classes per state."""

    def __init__(self, graph: StateGraph, classes: FairnessClasses) -> None:
        self.graph = graph
        self.classes = classes
        self._enabled: dict[int, frozenset[int]] = {}
        fair = classes.fairness
        self._fair_action = tuple(fair[c] is not Fairness.NONE for c in classes.of_action)

    def enabled(self, state: int) -> frozenset[int]:
        """The weakly or strongly fair classes enabled in `state` (cached)."""
        known = self._enabled.get(state)
        if known is None:
            of, fair = self.classes.of_action, self.classes.fairness
            found = {of[a] for a, _ in self.graph.edges[state]}
            known = frozenset(c for c in found if fair[c] is not Fairness.NONE)
            self._enabled[state] = known
        return known

    def may_stutter(self, state: int) -> bool:
        """A run may stay in `state` forever: no fair class is enabled there."""
        fair = self._fair_action
        return not any(fair[a] for a, _ in self.graph.edges[state])

    def is_strong(self, cls: int) -> bool:
        """Whether class `cls` is strongly fair."""
        return self.classes.fairness[cls] is Fairness.STRONG

    def taken_inside(self, part: Iterable[int], inside: set[int] | frozenset[int]) -> set[int]:
        """Classes of the edges whose both ends lie in `inside`, from states of `part`."""
        of = self.classes.of_action
        return {of[a] for s in part for a, d in self.graph.edges[s] if d in inside}


def strongly_connected(graph: StateGraph, nodes: Iterable[int],
                       inside: set[int] | frozenset[int]) -> list[frozenset[int]]:  # fmt: skip
    """The strongly connected components of the subgraph of `graph` induced by `inside`
    that contain a state of `nodes` (Tarjan's algorithm, iterative: no recursion limit,
    no graph copy; edges are read from `graph.edges`, those leaving `inside` ignored)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[frozenset[int]] = []
    edges = graph.edges
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(edges[root]))]
        while work:
            s, it = work[-1]
            for _, d in it:
                if d not in inside:
                    continue
                if d not in index:
                    index[d] = low[d] = len(index)
                    stack.append(d)
                    on_stack.add(d)
                    work.append((d, iter(edges[d])))
                    break
                if d in on_stack and index[d] < low[s]:
                    low[s] = index[d]
            else:
                work.pop()
                if work and low[s] < low[work[-1][0]]:
                    low[work[-1][0]] = low[s]
                if low[s] == index[s]:
                    found.append(_pop_component(stack, on_stack, s))
    return found


def _pop_component(stack: list[int], on_stack: set[int], root: int) -> frozenset[int]:
    comp = []
    while True:
        t = stack.pop()
        on_stack.discard(t)
        comp.append(t)
        if t == root:
            return frozenset(comp)


def cyclic_core(graph: StateGraph, region: set[int]) -> set[int]:
    """The states of `region` that reach a cycle inside it.

    Repeatedly drops the states with no successor left in the region, so every SCC
    with a cycle survives; on mostly acyclic regions this leaves the SCC step little to do.
    Predecessors are kept in flat arrays (no list per state: large regions allocate
    no containers the garbage collector would have to walk).
    """
    order = sorted(region)
    local = [-1] * len(graph.states)
    for i, s in enumerate(order):
        local[s] = i
    out = [0] * len(order)
    start = [0] * (len(order) + 1)
    src, dst = array("l"), array("l")
    edges = graph.edges
    for i, s in enumerate(order):
        for _, d in edges[s]:
            j = local[d]
            if j >= 0:
                src.append(i)
                dst.append(j)
                start[j + 1] += 1
    for j in range(len(order)):
        start[j + 1] += start[j]
    preds = array("l", bytes(src.itemsize * len(src)))
    fill = start[:-1]
    for i, j in zip(src, dst, strict=True):
        out[i] += 1
        preds[fill[j]] = i
        fill[j] += 1
    del src, dst
    sinks = [i for i, n in enumerate(out) if n == 0]
    alive = [True] * len(order)
    while sinks:
        j = sinks.pop()
        alive[j] = False
        for k in range(start[j], start[j + 1]):
            p = preds[k]
            out[p] -= 1
            if out[p] == 0:
                sinks.append(p)
    return {s for s, keep in zip(order, alive, strict=True) if keep}


def fair_sccs(view: FairView, region: set[int]) -> list[frozenset[int]]:
    """The fair SCCs of the subgraph induced by `region` (Emerson–Lei refinement).

    An SCC with a cycle is kept when every weakly fair class is taken inside it or
    disabled in one of its states, and every strongly fair class enabled in it is
    taken inside it.  An SCC where a weak class is enabled everywhere and never taken
    is dropped (no sub-cycle can do better); one where a strong class is enabled but
    never taken loses the states enabling it, and the rest is split again.
    """
    core = cyclic_core(view.graph, region)
    found: list[frozenset[int]] = []
    work: list[set[int] | frozenset[int]] = [core]
    while work:
        sub = work.pop()
        for comp in strongly_connected(view.graph, sorted(sub), sub):
            part = frozenset(comp)
            if not _has_cycle(view.graph, part):
                continue
            rest = _refine(view, part)
            if rest is None:
                found.append(part)
            elif rest:
                work.append(rest)
    return sorted(found, key=min)


def _has_cycle(graph: StateGraph, part: frozenset[int]) -> bool:
    if len(part) > 1:
        return True
    (only,) = part
    return any(d == only for _, d in graph.edges[only])


def _refine(view: FairView, part: frozenset[int]) -> frozenset[int] | None:
    """None if `part` is fair; else the states to re-split (empty: drop it)."""
    taken = view.taken_inside(part, part)
    enabled_sets = [view.enabled(s) for s in part]
    everywhere = frozenset.intersection(*enabled_sets)
    if any(c not in taken and not view.is_strong(c) for c in everywhere):
        return frozenset()
    somewhere = frozenset().union(*enabled_sets)
    bad = {c for c in somewhere if view.is_strong(c) and c not in taken}
    if not bad:
        return None
    return frozenset(s for s in part if not (view.enabled(s) & bad))


Goal = Callable[[int, int, int], bool]


def bfs_edges(
    graph: StateGraph, inside: frozenset[int], src: int, goal: Goal
) -> list[tuple[int, int]]:
    """The shortest path `[(action, state), ...]` from `src` inside `inside` whose
    last edge `(s, a, d)` satisfies `goal`; edges are tried in id and action order."""
    parent: dict[int, tuple[int, int] | None] = {src: None}
    queue = deque([src])
    while queue:
        s = queue.popleft()
        for a, d in graph.edges[s]:
            if d not in inside:
                continue
            if goal(s, a, d):
                return _unwind(parent, s) + [(a, d)]
            if d not in parent:
                parent[d] = (s, a)
                queue.append(d)
    raise AssertionError("no witness inside a strongly connected component")


def _unwind(parent: dict[int, tuple[int, int] | None], node: int) -> list[tuple[int, int]]:
    path: list[tuple[int, int]] = []
    link = parent[node]
    while link is not None:
        path.append((link[1], node))
        node = link[0]
        link = parent[node]
    path.reverse()
    return path


class _Obligations:
    """What a loop still has to show to be fair (see `fair_loop`)."""

    def __init__(self, view: FairView, entry: int) -> None:
        self.view = view
        self.weak = {c for c in view.enabled(entry) if not view.is_strong(c)}
        self.strong: set[int] = set()
        self.taken: set[int] = set()
        self.visit(entry)

    def visit(self, state: int) -> None:
        enabled = self.view.enabled(state)
        self.weak &= enabled
        self.strong |= {c for c in enabled if self.view.is_strong(c)} - self.taken

    def take(self, action: int) -> None:
        cls = self.view.classes.of_action[action]
        self.taken.add(cls)
        self.weak.discard(cls)
        self.strong.discard(cls)

    def open(self) -> bool:
        return bool(self.weak or self.strong)

    def witness(self, s: int, action: int, dst: int) -> bool:
        cls = self.view.classes.of_action[action]
        return cls in self.weak or cls in self.strong or bool(self.weak - self.view.enabled(dst))


def fair_loop(view: FairView, scc: frozenset[int], entry: int) -> list[tuple[int, int]]:
    """A cycle `[(action, state), ...]` from `entry` back to `entry` inside the fair
    SCC `scc` that is fair when repeated forever.

    Greedy: from the current state, walk (BFS inside the SCC) to the nearest edge that
    discharges an open obligation — an edge of a class still owed, or an edge into a
    state where a weakly fair class that was enabled all along is disabled — then
    return to `entry`; repeat while the way back opened new obligations.  A weak class
    is owed while it has been enabled in every state of the loop so far; a strong
    class is owed once enabled in any state of the loop.
    """
    owed = _Obligations(view, entry)
    loop: list[tuple[int, int]] = []
    cur = entry
    # <= 2k witness walks (each discharges a class for good), <= 2k + 1 ways back
    for _ in range(4 * len(view.classes.keys) + 3):
        if owed.open():
            loop += _walk(view, scc, cur, owed, owed.witness)
            cur = loop[-1][1]
        elif cur == entry and loop:
            return loop
        else:
            loop += _walk(view, scc, cur, owed, lambda s, a, d: d == entry)
            cur = entry
    raise AssertionError("fair loop construction did not converge")


def _walk(
    view: FairView, scc: frozenset[int], src: int, owed: _Obligations, goal: Goal
) -> list[tuple[int, int]]:
    path = bfs_edges(view.graph, scc, src, goal)
    for action, state in path:
        owed.take(action)
        owed.visit(state)
    return path

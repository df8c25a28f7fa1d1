"""Liveness under symmetry with per-pod fairness: the quotient for reachability, the
concrete system for fair cycles.

Stage: `podcheck.engine` (called by `podcheck.check`).  Consumes a `TransitionSystem`,
its groups verified for liveness (`symmetry.prepare(system, liveness=True)`: the
actions, `terminal`, and every property, liveness ones included, mapped onto the
system) and the liveness properties; produces one `PropertyResult` per property, with
a concrete lasso (named pods and nodes) when violated.

NOTE(symmetry-liveness): TLC refuses SYMMETRY with liveness because a cycle of the
quotient need not be the image of a fair concrete cycle: a quotient edge stands for
different pods' actions in different states, so per-pod fairness cannot be read off
the quotient.  Here the quotient is used only for what is exact under symmetry, and
fairness is decided on concrete states:
  1. the quotient graph Q (one canonical state per orbit, an edge per enabled action
     of the canonical state, its successor canonicalised) gives, exactly, the orbits
     of the region (goal-avoiding states reachable from a trigger: reachability
     inside a symmetric set commutes with the group) and of its stutter states (no
     fair action enabled: enabledness and fairness are symmetric);
  2. every concrete cycle inside the region projects onto a cycle of Q inside Q's
     region, so every concrete fair SCC lies in the orbits of Q's cyclic core C
     (states reaching a cycle of the region).  Those orbits P are expanded concretely
     (each state of C permuted by the groups' generators to closure) with all their
     concrete edges, and Emerson–Lei (`fairness.fair_sccs`) runs on P exactly as on an
     unreduced graph: fairness is per concrete action instance, nothing is lifted;
  3. the bad targets are Q's stutter states and the orbits of P's fair-SCC states, so
     the verdict is the unreduced checker's; a shortest prefix to one is found on Q
     (distances are orbit-invariant), mapped to a concrete run (`concretise`), which
     ends in a concrete state of a fair SCC (the fair SCCs of P are closed under the
     group) or in a stutter state, and the loop is built on P's concrete edges.
When P would exceed `MAX_PREIMAGE` states the run returns None and the caller checks
liveness unreduced.  Groups filled lowest-free-first are not used here (NOTE(lowest-
free) in engine/vacancy.py: that argument is about reachable orbits only).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from podcheck.engine import pycompile
from podcheck.engine.fairness import FairView, classify, cyclic_core, fair_loop, fair_sccs
from podcheck.engine.graph import StateGraph
from podcheck.engine.liveness import question, region_of, shortest_prefix
from podcheck.engine.result import FairSearch, PropertyResult, Step, Stutter, Trace, Verdict
from podcheck.engine.symmetry import Symmetry, concretise
from podcheck.ir import Expectation, Expr, Property, State, SymmetryGroup, TransitionSystem

MAX_PREIMAGE = 500_000  # concrete states expanded for the fair-SCC analysis at most
Predicate = Callable[[State], bool]


class Quotient:
    """The quotient graph of one system and what its liveness checks share."""

    def __init__(self, system: TransitionSystem, canon: Symmetry) -> None:
        self.system, self.canon = system, canon
        self.compiled = pycompile.compile_system(system)
        self.graph = StateGraph(system)
        self.preds: dict[Expr, Predicate] = {}

    def explore(self, max_states: int | None, stop: Callable[[], bool]) -> bool:
        """Build the quotient graph; False if `max_states` or `stop` cut it short."""
        g, canon, succ = self.graph, self.canon.canon, self.compiled.successors
        queue: deque[int] = deque()
        for s in dict.fromkeys(canon(s) for s in self.system.init):
            sid, new = g.add(s, None)
            if new:
                queue.append(sid)
        while queue:
            if (max_states is not None and len(g.states) > max_states) or (
                    not len(g.states) & 1023 and stop()):
                return False
            sid = queue.popleft()
            edges = g.edges[sid]
            for a, t in succ(g.states[sid]):
                tid, new = g.add(canon(t), (sid, a))
                edges.append((a, tid))
                if new:
                    queue.append(tid)
        return True

    def predicate(self, expr: Expr) -> Predicate:
        """`expr` compiled once per run."""
        got = self.preds.get(expr)
        if got is None:
            got = self.preds[expr] = pycompile.compile_predicate(self.system, expr)
        return got


def check_reduced(quotient: Quotient, prop: Property) -> PropertyResult | None:
    """Decide `prop` on the quotient (NOTE(symmetry-liveness)); None when the orbits of
    the cyclic core exceed `MAX_PREIMAGE` concrete states."""
    q, system = quotient.graph, quotient.system
    classes = classify(system)
    view = FairView(q, classes)
    asked = question(q, prop, quotient.predicate)
    region = region_of(q, asked)
    stutter = {s for s in region if view.may_stutter(s)}
    expanded = _preimage(quotient, cyclic_core(q, region))
    if expanded is None:
        return None
    concrete, inside = expanded
    cview = FairView(concrete, classes)
    sccs = fair_sccs(cview, set(range(inside)))
    fair_orbits = {q.index[quotient.canon.canon(concrete.states[x])] for c in sccs for x in c}
    targets = frozenset(stutter | fair_orbits)
    reason = FairSearch(len(q.states), classes.summary())
    if not targets:
        return PropertyResult(prop.name, Verdict.HOLDS, expected=prop.expected, reason=reason)
    if prop.expectation is Expectation.ALWAYS_EVENTUALLY:
        prefix = q.path_ids(min(targets))
    else:
        prefix = shortest_prefix(q, asked, targets)
    steps = _concrete_prefix(quotient, prefix)
    entry = q.index[quotient.canon.canon(steps[-1].state)]
    start = len(steps) - 1
    if entry in stutter:
        why = _why_stutter(quotient, steps[-1].state)
        trace = Trace(system, tuple(steps), loop_start=start, loop_action=None)
        return PropertyResult(prop.name, Verdict.VIOLATED, trace, expected=prop.expected,
                              reason=FairSearch(len(q.states), classes.summary(), why))
    xid = concrete.index[steps[-1].state]
    scc = next(c for c in sccs if xid in c)
    loop = fair_loop(cview, scc, xid)
    steps += [Step(concrete.states[d], a) for a, d in loop[:-1]]
    trace = Trace(system, tuple(steps), loop_start=start, loop_action=loop[-1][0])
    return PropertyResult(prop.name, Verdict.VIOLATED, trace, expected=prop.expected,
                          reason=reason)


def _why_stutter(quotient: Quotient, state: State) -> Stutter:
    if quotient.compiled.successors(state):
        return Stutter.NO_FAIR_ACTION
    return Stutter.TERMINAL if quotient.compiled.terminal(state) else Stutter.DEADLOCK


def _concrete_prefix(quotient: Quotient, prefix: list[tuple[int, int | None]]) -> list[Step]:
    """The run of the real system along a quotient path (`symmetry.concretise`)."""
    q, canon = quotient.graph, quotient.canon.canon
    target = q.states[prefix[0][0]]
    first = next(s for s in quotient.system.init if canon(s) == target)
    actions = [a for _, a in prefix[1:] if a is not None]
    steps = concretise(quotient.system, canon, first, actions, quotient.compiled.successors)
    return [Step(first), *(Step(s, a) for a, s in steps)]


def _preimage(quotient: Quotient, core: set[int]) -> tuple[StateGraph, int] | None:
    """The concrete states of the orbits of `core` (ids 0..n-1) with every concrete
    edge, and n; successors outside them are added as states without edges (their
    presence records enabledness: NOTE(edges-are-enabledness))."""
    g = StateGraph(quotient.system)
    for c in sorted(core):
        for s in _orbit(quotient.graph.states[c], quotient.canon.groups):
            g.add(s, None)
            if len(g.states) > MAX_PREIMAGE:
                return None
    inside = len(g.states)
    succ = quotient.compiled.successors
    for sid in range(inside):
        edges = g.edges[sid]
        for a, t in succ(g.states[sid]):
            edges.append((a, g.add(t, None)[0]))
    return g, inside


def _orbit(state: State, groups: Sequence[SymmetryGroup]) -> set[State]:
    """Every image of `state` under the groups (closure under their generators)."""
    seen, todo = {state}, [state]
    perms = [(g, p) for g in groups for p in _generators(len(g.blocks))]
    while todo:
        s = todo.pop()
        for g, p in perms:
            t = permute(s, g, p)
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


def _generators(k: int) -> list[list[int]]:
    return [[1, 0, *range(2, k)], [*range(1, k), 0]] if k > 2 else [[1, 0]]


def permute(state: State, group: SymmetryGroup, perm: Sequence[int]) -> State:
    """`state` with member i's block moved to member `perm[i]` and references renamed."""
    out = list(state)
    for i, block in enumerate(group.blocks):
        for src, dst in zip(block, group.blocks[perm[i]], strict=True):
            out[dst] = state[src]
    for r in group.references:
        m = state[r] - group.base
        if 0 <= m < len(group.blocks):
            out[r] = group.base + perm[m]
    return tuple(out)

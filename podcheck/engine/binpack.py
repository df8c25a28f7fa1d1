"""Schedulability as constraints: do the pods fit the nodes that are left after a drain
or node failures?  Bin packing asked of Z3, with the placement as the witness.

Stage: `podcheck.engine`.  Consumes a `Problem` (pods with their effective requests as
integers and the nodes each may go to; nodes with capacities) and the scenarios (sets of
nodes taken away); produces per scenario a `Fit`: a placement of every pod, or none.
Talks to Z3 through `podcheck.engine.smt` only: the placement is a "state" of one
variable per pod (the node's number) and the constraints are an IR condition on it.

NOTE(binpack-rules): a pod may go to node q when q is left in the scenario and the
scheduler's static filters pass (the driver computes them with kube: nodeSelector and
required node affinity, TaintToleration for NoSchedule / NoExecute taints); on every
left node and for every resource the node lists, the requests of the pods placed there
sum to at most its capacity (NodeResourcesFit, with the effective requests of
`PodRequests`: init containers' maximum, sidecars added; a resource a node does not
list is unlimited, as in the model).  A pinned pod (a DaemonSet's) goes to its own node
or disappears with it.

NOTE(binpack-placement): the placement rules are final-state conditions that some
binding order meets exactly when the placement satisfies them.  Required inter-pod
anti-affinity (`satisfyPodAntiAffinity` and `satisfyExistingPodsAntiAffinity`, each
binding checked both ways, so the order does not matter): for every `Apart(i, j, key)`
(a term of pod i or of pod j matches the other), pods i and j are not both on nodes
with `key` that share its value (on a node without the key the term does not apply).
Hard topology spread (PodTopologySpread with nodeTaintsPolicy Ignore: every eligible
node counts, a removed one with 0 pods): for a `Spread` group whose pods all carry the
same constraint and match its selector, each is on a node with the key (else the
filter's "missing required label") and every domain holding one of them exceeds every
eligible domain by at most maxSkew (or holds at most maxSkew when fewer domains than
minDomains exist).  The last pod bound into the fullest domain makes this necessary;
binding level by level (always into a domain with the fewest) makes it sufficient.
Required pod affinity is not encoded: a problem with it is answered `fits` None, with
the reason.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.result import Verdict
from podcheck.ir import Expr, StateVar, TransitionSystem


@dataclass(frozen=True, slots=True)
class PackPod:
    """One pod: its requests per resource and the nodes (0-based) it may go to."""

    name: str
    requests: tuple[tuple[str, int], ...]
    allowed: tuple[int, ...]
    pinned: bool = False  # a DaemonSet pod: `allowed` is its one node


@dataclass(frozen=True, slots=True)
class PackNode:
    """One node: its capacity per resource (a resource not listed is unlimited)."""

    name: str
    capacity: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Apart:
    """Pods `i` and `j` are never in the same domain of `key` (anti-affinity);
    `domains[q]` is node q's value of `key` ("" when it lacks the key)."""

    i: int
    j: int
    domains: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Spread:
    """A topology spread group: `pods` carry the same hard constraint and match its
    selector; `domains` maps each eligible domain to its nodes (removed ones included);
    `floor_zero`: fewer domains than minDomains, so the global minimum is 0."""

    pods: tuple[int, ...]
    max_skew: int
    domains: tuple[tuple[str, tuple[int, ...]], ...]
    floor_zero: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """The pods and the nodes, in the spec's order, and the placement rules between pods
    (NOTE(binpack-placement)); `unencoded` says why a rule could not be encoded."""

    pods: tuple[PackPod, ...]
    nodes: tuple[PackNode, ...]
    apart: tuple[Apart, ...] = ()
    spread: tuple[Spread, ...] = ()
    unencoded: str = ""


@dataclass(frozen=True, slots=True)
class Fit:
    """One scenario's answer: `placement[i]` is pod i's node (None: its pinned node is
    gone) when every pod fits; `fits` None when Z3 did not answer (`reason`)."""

    removed: frozenset[int]
    fits: bool | None
    placement: tuple[int | None, ...] | None = None
    reason: str = ""


def placed(problem: Problem, removed: frozenset[int]) -> list[int]:
    """The pods that need a node in the scenario (a pinned pod of a removed node none)."""
    return [i for i, p in enumerate(problem.pods)
            if not (p.pinned and set(p.allowed) <= removed)]  # fmt: skip


def constraint(problem: Problem, removed: frozenset[int], pods: Sequence[int]) -> Expr:
    """NOTE(binpack-rules) over variable k = the node number (1-based) of `pods[k]`."""
    parts: list[Expr] = []
    for k, i in enumerate(pods):
        left = [q for q in problem.pods[i].allowed if q not in removed]
        parts.append(ir.or_(*(ir.eq(ir.Var(k), q + 1) for q in left)))
    for q, node in enumerate(problem.nodes):
        if q in removed:
            continue
        for resource, cap in node.capacity:
            used = [ir.ite(ir.eq(ir.Var(k), q + 1), need, 0) for k, i in enumerate(pods)
                    for r, need in problem.pods[i].requests if r == resource and need]
            if used:
                parts.append(ir.op("<=", ir.sum_(*used), cap))
    at = {i: k for k, i in enumerate(pods)}
    parts += [_apart(a, at) for a in problem.apart if a.i in at and a.j in at]
    parts += [c for g in problem.spread for c in _spread(g, at)]
    return ir.and_(*parts)


def _domain_of(var: Expr, domains: Sequence[str]) -> Expr:
    """The domain number of the node in `var` (1-based nodes): equal values share a
    number, a node without the key is -1."""
    ids = {d: k for k, d in enumerate(dict.fromkeys(d for d in domains if d))}
    out: Expr = ir.Const(-1)
    for q in reversed(range(len(domains))):
        out = ir.ite(ir.eq(var, q + 1), ids[domains[q]] if domains[q] else -1, out)
    return out


def _apart(a: Apart, at: dict[int, int]) -> Expr:
    """Not both on nodes with the key, in the same domain (a term is skipped on a node
    without its key: `satisfyPodAntiAffinity`)."""
    mine = _domain_of(ir.Var(at[a.i]), a.domains)
    return ir.or_(ir.eq(mine, -1), ir.op("!=", mine, _domain_of(ir.Var(at[a.j]), a.domains)))


def _spread(g: Spread, at: dict[int, int]) -> list[Expr]:
    """NOTE(binpack-placement) for one group: counts per domain of the placed pods."""
    pods = [at[i] for i in g.pods if i in at]
    counts = [ir.count(*(ir.or_(*(ir.eq(ir.Var(k), q + 1) for q in nodes)) for k in pods))
              for _, nodes in g.domains]  # fmt: skip
    keyed = [q for _, nodes in g.domains for q in nodes]  # a node without the key: no fit
    on = [ir.or_(*(ir.eq(ir.Var(k), q + 1) for q in keyed)) for k in pods]
    if g.floor_zero:
        return [*on, *(ir.op("<=", c, g.max_skew) for c in counts)]
    return [*on, *(ir.or_(ir.eq(a, 0), ir.op("<=", ir.op("-", a, b), g.max_skew))
                   for x, a in enumerate(counts) for y, b in enumerate(counts) if x != y)]


def pack(problem: Problem, removed: frozenset[int], deadline: smt.Deadline | None = None) -> Fit:
    """Place every pod of the scenario `removed` (NOTE(binpack-rules)), or say none fits."""
    if problem.unencoded:
        return Fit(removed, None, reason=problem.unencoded)
    pods = placed(problem, removed)
    m = len(problem.nodes)
    layout = tuple(StateVar(problem.pods[i].name, 1, max(m, 1)) for i in pods)
    system = TransitionSystem("placement", layout, (), (), ())
    encoder = smt.Encoder(system)
    state = encoder.state("placed")
    session = smt.Session(encoder, deadline)
    session.add(state.domain, encoder.formula(constraint(problem, removed, pods), state))
    outcome = session.check()
    if outcome.verdict is Verdict.HOLDS:  # unsat: no placement exists
        return Fit(removed, False)
    if outcome.model is None:
        return Fit(removed, None, reason=outcome.reason)
    chosen = dict(zip(pods, smt.state_of(outcome.model, state), strict=True))
    return Fit(removed, True, tuple(chosen[i] - 1 if i in chosen else None
                                    for i in range(len(problem.pods))))  # fmt: skip


def scenarios(drains: Sequence[int], failures: int, nodes: int,
              concurrent: bool = False) -> list[frozenset[int]]:  # fmt: skip
    """Every set of nodes taken away, smallest first: nothing; each drain (or any set of
    drains when `concurrent`); any `failures` or fewer nodes; a drain with failures."""
    drained: list[frozenset[int]] = [frozenset()]
    sizes = range(1, len(drains) + 1) if concurrent else range(1, min(1, len(drains)) + 1)
    drained += [frozenset(c) for k in sizes for c in itertools.combinations(drains, k)]
    failed = [frozenset(c) for k in range(0, failures + 1)
              for c in itertools.combinations(range(nodes), k)]  # fmt: skip
    every = {d | f for d in drained for f in failed}
    return sorted(every, key=lambda s: (len(s), sorted(s)))


def check_all(problem: Problem, sets: Sequence[frozenset[int]],
              deadline: smt.Deadline | None = None) -> tuple[Fit, ...]:  # fmt: skip
    """`pack` for every scenario, in order."""
    return tuple(pack(problem, s, deadline) for s in sets)

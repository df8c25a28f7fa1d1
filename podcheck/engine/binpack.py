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
or disappears with it.  Inter-pod (anti-)affinity and topology spread are not part of
the packing.
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
class Problem:
    """The pods and the nodes, in the spec's order."""

    pods: tuple[PackPod, ...]
    nodes: tuple[PackNode, ...]


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
    return ir.and_(*parts)


def pack(problem: Problem, removed: frozenset[int], deadline: smt.Deadline | None = None) -> Fit:
    """Place every pod of the scenario `removed` (NOTE(binpack-rules)), or say none fits."""
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

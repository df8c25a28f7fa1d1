"""Benchmark scenario B1 (drain vs PDB) written directly in the IR.

Used by the engine and report tests to check the BFS engine against SPIN's figures
(/work/shared/bench/RESULTS.md) without going through the DSL.  Variables are exactly
the scenario's (and the Promela model's state vector): per pod a status and a node,
per node a state, the failure count and the history variable `violated`.  Derived
quantities (healthy, pods on a node) are expressions, as in b1.pml.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.diagnostics import Span
from podcheck.ir import Action, Expectation, Fairness, Property, StateVar

ABSENT, PENDING, STARTING, READY = 0, 1, 2, 3
UP, CORDONED, DOWN = 0, 1, 2
SPEC = "specs/bench/b1.pod"


def _span(line: int) -> Span:
    return Span(SPEC, line, 3, line, 40)


def b1_system(
    n: int, m: int, k: int, f: int = 1, c: int = 0, *, liveness: bool = True,
    symmetric: bool = False,
) -> ir.TransitionSystem:
    """B1 with `n` pods, `m` nodes, minAvailable `k`, `f` failures, capacity `c`;
    `symmetric` declares the pods (status, node) and the nodes (state, named by each
    pod's `node`) as symmetry groups."""
    pods, nodes = range(1, n + 1), range(1, m + 1)
    st = {p: ir.Var(p - 1) for p in pods}
    nd = {p: ir.Var(n + p - 1) for p in pods}
    ns = {q: ir.Var(2 * n + q - 1) for q in nodes}
    failures, violated = ir.Var(2 * n + m), ir.Var(2 * n + m + 1)
    vars_ = (
        *(
            StateVar(
                f"pod{p}.status",
                0,
                3,
                ("Absent", "Pending", "Starting", "Ready"),
                f"pod-{p}",
                "status",
            )
            for p in pods
        ),
        *(
            StateVar(
                f"pod{p}.node", 0, m, ("none", *(f"node-{q}" for q in nodes)), f"pod-{p}", "node"
            )
            for p in pods
        ),
        *(
            StateVar(f"node{q}.state", 0, 2, ("Up", "Cordoned", "Down"), f"node-{q}", "state")
            for q in nodes
        ),
        StateVar("failures", 0, f, (), "", "failures"),
        StateVar("violated", 0, 1, ("false", "true"), "", "violated"),
    )
    init = (*(READY for _ in pods), *((p - 1) % m + 1 for p in pods), *(UP for _ in nodes), 0, 0)

    def healthy(*, without: int = 0) -> ir.Expr:
        return ir.count(*(ir.eq(st[p], READY) for p in pods if p != without))

    def on_node(q: int) -> ir.Expr:
        return ir.count(*(ir.eq(nd[p], q) for p in pods))

    def node_is(p: int, state: int) -> ir.Expr:
        return ir.or_(*(ir.and_(ir.eq(nd[p], q), ir.eq(ns[q], state)) for q in nodes))

    actions: list[Action] = []
    for q in nodes:
        actions.append(
            Action(
                "cordon",
                (("node", f"node-{q}"),),
                ir.eq(ns[q], UP),
                ((ns[q].index, ir.Const(CORDONED)),),
                f"kubectl drain cordons node-{q}",
                "cluster-admin",
                Fairness.NONE,
                _span(10),
            )
        )
    for p in pods:
        ready_ok = ir.and_(
            ir.eq(st[p], READY), node_is(p, CORDONED), ir.op(">=", ir.op("-", healthy(), k), 1)
        )
        starting_ok = ir.and_(
            ir.eq(st[p], STARTING), node_is(p, CORDONED), ir.op(">=", healthy(), k)
        )
        actions.append(
            Action(
                "evict",
                (("pod", f"pod-{p}"),),
                ir.or_(ready_ok, starting_ok),
                (
                    (st[p].index, ir.Const(ABSENT)),
                    (nd[p].index, ir.Const(0)),
                    (violated.index, ir.or_(violated, ir.op("<", healthy(without=p), k))),
                ),
                f"the eviction API evicts pod-{p} within the PDB",
                "eviction-api",
                Fairness.WEAK,
                _span(11),
            )
        )
    for p in pods:
        actions.append(
            Action(
                "recreate",
                (("pod", f"pod-{p}"),),
                ir.eq(st[p], ABSENT),
                ((st[p].index, ir.Const(PENDING)),),
                f"the ReplicaSet controller creates a replacement for pod-{p}",
                "replicaset-controller",
                Fairness.WEAK,
                _span(12),
            )
        )
    for p in pods:
        for q in nodes:
            room = [ir.op("<", on_node(q), c)] if c > 0 else []
            actions.append(
                Action(
                    "schedule",
                    (("pod", f"pod-{p}"), ("node", f"node-{q}")),
                    ir.and_(ir.eq(st[p], PENDING), ir.eq(ns[q], UP), *room),
                    ((st[p].index, ir.Const(STARTING)), (nd[p].index, ir.Const(q))),
                    f"the scheduler binds pod-{p} to node-{q}",
                    "scheduler",
                    Fairness.WEAK,
                    _span(13),
                )
            )
    for p in pods:
        actions.append(
            Action(
                "ready",
                (("pod", f"pod-{p}"),),
                ir.eq(st[p], STARTING),
                ((st[p].index, ir.Const(READY)),),
                f"the readiness probe of pod-{p} passes",
                "kubelet",
                Fairness.WEAK,
                _span(14),
            )
        )
    for q in nodes:
        evacuate = tuple(
            upd
            for p in pods
            for upd in (
                (st[p].index, ir.ite(ir.eq(nd[p], q), ABSENT, st[p])),
                (nd[p].index, ir.ite(ir.eq(nd[p], q), 0, nd[p])),
            )
        )
        actions.append(
            Action(
                "fail",
                (("node", f"node-{q}"),),
                ir.and_(ir.op("<", failures, f), ir.op("!=", ns[q], DOWN)),
                (
                    (ns[q].index, ir.Const(DOWN)),
                    (failures.index, ir.op("+", failures, 1)),
                    *evacuate,
                ),
                f"node-{q} fails and its pods are lost",
                "environment",
                Fairness.NONE,
                _span(15),
            )
        )

    props = [
        Property(
            "SafeEvictions",
            Expectation.ALWAYS,
            ir.not_(violated),
            description="no eviction leaves fewer than minAvailable pods Ready",
            expected="holds",
            span=_span(20),
        ),
        Property(
            "AlwaysAvailable",
            Expectation.ALWAYS,
            ir.op(">=", healthy(), k),
            description=f"at least {k} pods are Ready in every state",
            expected="violated" if f >= 1 else None,
            span=_span(21),
        ),
    ]
    if liveness:
        props += [
            Property(
                f"DrainCompletes(node-{q})",
                Expectation.LEADS_TO,
                ir.eq(ns[q], CORDONED),
                ir.eq(on_node(q), 0),
                span=_span(22),
            )
            for q in nodes
        ]
    groups = (
        ir.SymmetryGroup("pods", tuple((st[p].index, nd[p].index) for p in pods)),
        ir.SymmetryGroup("nodes", tuple((ns[q].index,) for q in nodes),
                         tuple(nd[p].index for p in pods)),
    )
    return ir.TransitionSystem(
        f"b1-n{n}-m{m}-k{k}-f{f}-c{c}", vars_, (init,), tuple(actions), tuple(props), ir.TRUE,
        SPEC, symmetry=groups if symmetric else (),
    )

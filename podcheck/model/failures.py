"""Involuntary disruptions: node failures, zone failures, direct pod deletes.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` whose environment counters `slots.py` laid out; declares `node_fails` per node,
`zone_fails` per zone and `delete_pod` per slot, each bounded by its environment budget
and enabled from the first state (or once the workloads have come up, with
`disruptionsStart: once-settled`: NOTE(settle-first)).

A failed node stops reporting (the node lifecycle controller marks it NotReady and
taints it unreachable: `taint_eviction.py` takes it from there); a zone failure is all
its nodes at once; a direct delete (`kubectl delete pod`) consults no disruption budget.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.model.cluster import NODE_DOWN, Cluster
from podcheck.vocab import ActionKind, Actor


def declare_failures(cluster: Cluster) -> None:
    """Declare the involuntary disruptions the environment allows."""
    b, env, counters = cluster.builder, cluster.spec.environment, cluster.counters
    may = cluster.may_disrupt()
    if (used := counters.node_failures) is not None:
        for n in cluster.nodes:
            b.action(ActionKind.NODE_FAILS, (("node", n.name),),
                     ir.and_(may, ir.op("<", used, env.nodeFailures),
                             ir.op("!=", n.state, NODE_DOWN)),
                     [(n.state, NODE_DOWN), (used, ir.op("+", used, 1))],
                     f"node {n.name} fails (NotReady: the kubelet stops reporting)",
                     Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    zones = sorted({n.zone for n in cluster.nodes if n.zone})
    if (used := counters.zone_failures) is not None:
        for zone in zones:
            members = [n for n in cluster.nodes if n.zone == zone]
            b.action(ActionKind.ZONE_FAILS, (("zone", zone),),
                     ir.and_(may, ir.op("<", used, env.zoneFailures),
                             ir.or_(*(ir.op("!=", n.state, NODE_DOWN) for n in members))),
                     [*((n.state, NODE_DOWN) for n in members), (used, ir.op("+", used, 1))],
                     f"zone {zone} fails: nodes {', '.join(n.name for n in members)} go down",
                     Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    if (used := counters.pod_deletes) is not None:
        for s in cluster.slots:
            b.action(ActionKind.DELETE_POD, (("pod", s.name),),
                     ir.and_(may, ir.op("<", used, env.podDeletes), s.exists),
                     [*cluster.delete_updates(s), (used, ir.op("+", used, 1))],
                     f"a user deletes pod {s.name} directly (kubectl delete pod: "
                     "no disruption budget is consulted)",
                     Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)

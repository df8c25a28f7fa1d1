"""Involuntary disruptions: node failures and recoveries, zone failures, direct deletes.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` whose environment counters `slots.py` laid out and the nodes' unreachable
timers (`taint_eviction.unreachable_timers`); declares `node_fails` per node,
`node_recovers` per node when the environment allows recoveries, `zone_fails` per zone
and `delete_pod` per slot, each bounded by its environment budget and enabled from the
first state (or once the workloads have come up, with `disruptionsStart: once-settled`:
NOTE(settle-first)).

A failed node stops reporting (the node lifecycle controller marks it NotReady and
taints it unreachable): its unreachable timer is armed and `taint_eviction.py` deletes
its pods when their toleration expires.  A recovered node is Ready again: its kubelet
re-registers (pkg/kubelet/kubelet_node_status.go `registerWithAPIServer`), the node
lifecycle controller removes the unreachable taint once NodeReady is True
(pkg/controller/nodelifecycle `doNoExecuteTaintingPass` / `markNodeAsReachable`), and
the pods it still runs resume (the model's pods are inactive while their node is Down,
their timers paused); the timer is cleared.  Only nodes that are not drain targets
recover (a cordon survives re-registration; the model has no state for a cordoned Down
node).  A zone failure is all its nodes at once; a direct delete (`kubectl delete pod`)
consults no disruption budget.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.model.cluster import NODE_DOWN, NODE_READY, Cluster, NodeSlot
from podcheck.model.taint_eviction import Unreachable
from podcheck.model.termination import Delete, declare_delete
from podcheck.model.updates import Updates
from podcheck.vocab import ActionKind, Actor


def _arm(timers: Unreachable, nodes: list[NodeSlot]) -> Updates:
    """The failing nodes' unreachable timers start at their largest toleration (when
    they hold a pod that tolerates the unreachable taint for a while)."""
    return [(timers[n.index].var, timers[n.index].arm()) for n in nodes if n.index in timers]


def declare_failures(cluster: Cluster, timers: Unreachable) -> None:
    """Declare the involuntary disruptions the environment allows."""
    b, env, counters = cluster.builder, cluster.spec.environment, cluster.counters
    may = cluster.may_disrupt()
    if (used := counters.node_failures) is not None:
        for n in cluster.nodes:
            gone = [] if cluster.removed(n) == ir.FALSE else [ir.not_(cluster.removed(n))]
            b.action(ActionKind.NODE_FAILS, (("node", n.name),),
                     ir.and_(may, ir.op("<", used, env.nodeFailures),
                             ir.op("!=", n.state, NODE_DOWN), *gone),
                     [(n.state, NODE_DOWN), *_arm(timers, [n]), (used, ir.op("+", used, 1))],
                     f"node {n.name} fails (NotReady: the kubelet stops reporting)",
                     Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    zones = sorted({n.zone for n in cluster.nodes if n.zone})
    if (used := counters.zone_failures) is not None:
        for zone in zones:
            members = [n for n in cluster.nodes if n.zone == zone]
            b.action(ActionKind.ZONE_FAILS, (("zone", zone),),
                     ir.and_(may, ir.op("<", used, env.zoneFailures),
                             ir.or_(*(ir.op("!=", n.state, NODE_DOWN) for n in members))),
                     [*((n.state, NODE_DOWN) for n in members), *_arm(timers, members),
                      (used, ir.op("+", used, 1))],
                     f"zone {zone} fails: nodes {', '.join(n.name for n in members)} go down",
                     Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    if env.nodeRecoveries and (counters.node_failures is not None
                               or counters.zone_failures is not None):
        _recoveries(cluster, timers)
    if (used := counters.pod_deletes) is not None:
        for s in cluster.slots:
            if s.static:  # the kubelet re-creates the mirror pod; the static pod runs on
                continue
            declare_delete(cluster, s, Delete(
                ActionKind.DELETE_POD, f"a user deletes pod {s.name} directly (kubectl delete "
                "pod: no disruption budget is consulted)", Actor.ENVIRONMENT, ir.Fairness.NONE,
                env.span), ir.and_(may, ir.op("<", used, env.podDeletes), cluster.live(s)),
                [(used, ir.op("+", used, 1))])


def _recoveries(cluster: Cluster, timers: Unreachable) -> None:
    """`node_recovers`: a Down node's kubelet re-registers (at most nodeRecoveries times)."""
    b, env = cluster.builder, cluster.spec.environment
    used = b.var("env.nodeRecoveries", 0, env.nodeRecoveries, 0, owner="environment",
                 field_name="nodeRecoveries")
    for node in cluster.nodes:
        if node.name in env.drain:
            continue
        cleared = [(timers[node.index].var, 0)] if node.index in timers else []
        b.action(ActionKind.NODE_RECOVERS, (("node", node.name),),
                 ir.and_(ir.eq(node.state, NODE_DOWN), ir.op("<", used, env.nodeRecoveries)),
                 [(node.state, NODE_READY), *cleared, (used, ir.op("+", used, 1))],
                 f"node {node.name} recovers (its kubelet re-registers; Ready again)",
                 Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)

"""Involuntary disruptions: node failures and recoveries, zone failures, direct deletes.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` whose environment counters `slots.py` laid out and the `Clock`; declares
`node_fails` per node, `node_recovers` per node when the environment allows recoveries,
`zone_fails` per zone and `delete_pod` per slot, each bounded by its environment budget
and enabled from the first state (or once the workloads have come up, with
`disruptionsStart: once-settled`: NOTE(settle-first)).

A failed node stops reporting (the node lifecycle controller marks it NotReady and
taints it unreachable); each failed node gets an `unreachableTimer` set to the
unreachable toleration the DefaultTolerationSeconds admission plugin gives every pod
(300 s, `kube.taints.default_toleration_seconds` / `taint_eviction`), counting down while
the node is Down: `taint_eviction.py` deletes its pods when it reaches 0.  A recovered
node is Ready again (its kubelet re-registers and the taint is removed; the pods it still
runs resume: the model's pods are inactive while their node is Down, and the timer is
cleared).  A zone failure is all its nodes at once; a direct delete (`kubectl delete
pod`) consults no disruption budget.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.kube.taints import (
    TAINT_NODE_UNREACHABLE,
    EvictionKind,
    TaintEffect,
    default_toleration_seconds,
    taint_eviction,
)
from podcheck.model.clock import Clock
from podcheck.model.cluster import NODE_DOWN, NODE_READY, Cluster, NodeSlot
from podcheck.vocab import ActionKind, Actor

Unreachable = dict[int, ir.Var]  # node index -> its unreachable timer


def unreachable_toleration_seconds() -> int:
    """Seconds a pod without tolerations stays on an unreachable node: the taint eviction
    decision for a default-admitted pod on a node tainted unreachable:NoExecute."""
    pod = default_toleration_seconds({"spec": {}})
    node = {"spec": {"taints": [{"key": TAINT_NODE_UNREACHABLE,
                                 "effect": TaintEffect.NO_EXECUTE.value}]}}
    decision = taint_eviction(pod, node)
    assert decision.kind is EvictionKind.LATER and decision.seconds is not None, decision
    return int(decision.seconds)


def declare_failures(cluster: Cluster, clock: Clock) -> Unreachable:
    """Declare the involuntary disruptions the environment allows; return the nodes'
    unreachable timers (none when no node can fail)."""
    b, env, counters = cluster.builder, cluster.spec.environment, cluster.counters
    may = cluster.may_disrupt()
    timers: Unreachable = {}
    if counters.node_failures is not None or counters.zone_failures is not None:
        seconds = unreachable_toleration_seconds()
        for n in _evictable_nodes(cluster):
            timer = clock.timer(f"{n.name}.unreachableTimer", seconds,
                                owner=f"node {n.name}", field_name="unreachableTimer")
            clock.register(timer, ir.eq(n.state, NODE_DOWN))
            timers[n.index] = timer
    fail = {i: [(t, unreachable_toleration_seconds())] for i, t in timers.items()}
    if (used := counters.node_failures) is not None:
        for n in cluster.nodes:
            b.action(ActionKind.NODE_FAILS, (("node", n.name),),
                     ir.and_(may, ir.op("<", used, env.nodeFailures),
                             ir.op("!=", n.state, NODE_DOWN)),
                     [(n.state, NODE_DOWN), *fail.get(n.index, []),
                      (used, ir.op("+", used, 1))],
                     f"node {n.name} fails (NotReady: the kubelet stops reporting)",
                     Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    if env.nodeRecoveries and (counters.node_failures is not None
                               or counters.zone_failures is not None):
        _recoveries(cluster, timers)
    zones = sorted({n.zone for n in cluster.nodes if n.zone})
    if (used := counters.zone_failures) is not None:
        for zone in zones:
            members = [n for n in cluster.nodes if n.zone == zone]
            b.action(ActionKind.ZONE_FAILS, (("zone", zone),),
                     ir.and_(may, ir.op("<", used, env.zoneFailures),
                             ir.or_(*(ir.op("!=", n.state, NODE_DOWN) for n in members))),
                     [*((n.state, NODE_DOWN) for n in members),
                      *(u for n in members for u in fail.get(n.index, [])),
                      (used, ir.op("+", used, 1))],
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
    return timers


def _evictable_nodes(cluster: Cluster) -> list[NodeSlot]:
    """The nodes some non-DaemonSet pod can be bound to (DaemonSet pods tolerate the
    unreachable taint forever: a node only they use needs no toleration timer)."""
    used = {n.index for s in cluster.slots if s.kind is not spec.WorkloadKind.DAEMONSET
            for n in cluster.nodes_for(s)}
    return [n for n in cluster.nodes if n.index in used]


def _recoveries(cluster: Cluster, timers: Unreachable) -> None:
    """`node_recovers`: a Down node's kubelet re-registers (at most nodeRecoveries times)."""
    b, env = cluster.builder, cluster.spec.environment
    used = b.var("env.nodeRecoveries", 0, env.nodeRecoveries, 0, owner="environment",
                 field_name="nodeRecoveries")
    for node in cluster.nodes:
        cleared = [(timers[node.index], 0)] if node.index in timers else []
        b.action(ActionKind.NODE_RECOVERS, (("node", node.name),),
                 ir.and_(ir.eq(node.state, NODE_DOWN), ir.op("<", used, env.nodeRecoveries)),
                 [(node.state, NODE_READY), *cleared, (used, ir.op("+", used, 1))],
                 f"node {node.name} recovers (its kubelet re-registers; Ready again)",
                 Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)

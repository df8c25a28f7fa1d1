"""`kubectl drain`: cordon the node, evict its pods, and (one at a time) uncordon it.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster`; declares `cordon` for every node the environment drains and, in one-at-a-time
mode, `uncordon` once the node is empty.  The evictions themselves go through the
eviction API (`eviction_api.py`), retried until granted.

`kubectl drain --ignore-daemonsets --force --delete-emptydir-data`
(staging/src/k8s.io/kubectl/pkg/drain): cordon (spec.unschedulable), then evict every
non-DaemonSet pod on the node.  One-at-a-time mode is real maintenance: the admin
uncordons a drained node before the next drain starts and never drains it again
(node state Drained); concurrent mode drains any subset at once.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import NODE_CORDONED, NODE_DRAINED, NODE_READY, Cluster
from podcheck.vocab import ActionKind, Actor


def declare_drain(cluster: Cluster) -> None:
    """Declare cordon (and, one at a time, uncordon) for every node the spec drains."""
    env, b = cluster.spec.environment, cluster.builder
    one_at_a_time = env.drainMode is spec.DrainMode.ONE_AT_A_TIME
    drained = [n for n in cluster.nodes if n.name in env.drain]
    busy = ir.or_(*(ir.eq(n.state, NODE_CORDONED) for n in drained))
    evictable = [s for s in cluster.slots if s.kind is not spec.WorkloadKind.DAEMONSET]
    for n in drained:
        guard = ir.and_(cluster.may_disrupt(), ir.eq(n.state, NODE_READY))
        if one_at_a_time:
            guard = ir.and_(guard, ir.not_(busy))
        b.action(ActionKind.CORDON, (("node", n.name),), guard, [(n.state, NODE_CORDONED)],
                 f"kubectl drain {n.name}: the node is cordoned (unschedulable)",
                 Actor.KUBECTL_DRAIN, ir.Fairness.NONE, env.span)
        if one_at_a_time:
            empty = ir.not_(ir.or_(*(ir.eq(s.node, n.index) for s in evictable)))
            b.action(ActionKind.UNCORDON, (("node", n.name),),
                     ir.and_(ir.eq(n.state, NODE_CORDONED), empty),
                     [(n.state, NODE_DRAINED)],
                     f"kubectl drain {n.name} completes; the admin uncordons {n.name}",
                     Actor.CLUSTER_ADMIN, span=env.span)

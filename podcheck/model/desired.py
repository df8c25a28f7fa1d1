"""What "every desired replica" means for the built-in checks that count Ready pods.

Stage: internal to `podcheck.model` (used by `props.py`).  Consumes the `Cluster` and the
workload names a built-in check names; produces IR over the state.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import NODE_DOWN, Cluster, NodeSlot


def all_ready(c: Cluster, args: tuple[str, ...]) -> ir.Expr:
    """Every desired pod of the workloads is Ready: `replicas` for a Deployment,
    ReplicaSet or StatefulSet, one per node it runs on that is not Down for a
    DaemonSet, the bare pod itself."""
    kinds = (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET,
             spec.WorkloadKind.STATEFULSET, spec.WorkloadKind.DAEMONSET,
             spec.WorkloadKind.POD)
    parts = []
    for w in workloads_named(c, args, kinds):
        ready = ir.count(*(c.healthy(s) for s in c.slots_of(w.name)))  # active pods
        if w.kind is spec.WorkloadKind.DAEMONSET:
            mine = {s.pinned for s in c.slots_of(w.name)}
            want: ir.Expr = ir.count(*(_runs_daemons(c, n) for n in c.nodes
                                       if n.index in mine))
        elif w.kind is spec.WorkloadKind.POD:
            want = ir.Const(1)
        else:
            want = ir.Const(w.replicas)
        parts.append(ir.op(">=", ready, want))
    return ir.and_(*parts)


def _runs_daemons(c: Cluster, n: NodeSlot) -> ir.Expr:
    """The node is there and reporting (not Down, not deleted by the autoscaler)."""
    up = ir.op("!=", n.state, NODE_DOWN)
    gone = c.removed(n)
    return up if gone == ir.FALSE else ir.and_(up, ir.not_(gone))


def workloads_named(c: Cluster, args: tuple[str, ...], kinds: tuple[spec.WorkloadKind, ...]
                    ) -> list[spec.Workload]:
    """The workloads a built-in applies to: the named ones, else every one of `kinds`."""
    if args:
        return [w for w in c.spec.workloads if w.name in args]
    return [w for w in c.spec.workloads if w.kind in kinds]

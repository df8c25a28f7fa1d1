"""The scheduler: binds a pending pod to a node where it fits.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster`; declares one `bind` action per (pod slot, node) pair.

Filter (pkg/scheduler/framework/plugins): the node is Ready, not Down, and not cordoned
unless the pod tolerates the `node.kubernetes.io/unschedulable:NoSchedule` taint
(NodeUnschedulable, `kube_adapter.schedulable_when_cordoned`: a DaemonSet pod does, by
the toleration its controller adds; it may only go to its own node), and, per resource
the pod requests and the node limits, the requests of the non-terminal pods already
bound there plus the pod's own fit the capacity (NodeResourcesFit; the `pods` capacity
counts one per pod), and the placement filters of `placement.py`: NodeAffinity
(nodeSelector and required node affinity), InterPodAffinity (required pod affinity and
anti-affinity) and PodTopologySpread (DoNotSchedule).  A (slot, node) pair that node
affinity or a missing topology label rules out gets no `bind` at all.  Scoring is
abstracted: any feasible node may be chosen.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.model.cluster import NODE_CORDONED, NODE_DRAINED, NODE_READY, Cluster, NodeSlot, Slot
from podcheck.model.kube_adapter import schedulable_when_cordoned
from podcheck.model.placement import node_fits, placement_guard, placements
from podcheck.vocab import ActionKind, Actor, WorkloadKind


def declare_scheduler(cluster: Cluster) -> None:
    """Declare `bind` for every slot and every node it may run on."""
    b = cluster.builder
    pl = placements(cluster)
    for s in cluster.slots:
        cordoned_ok = schedulable_when_cordoned(s.workload.template,
                                               s.kind is WorkloadKind.DAEMONSET)
        allowed = (NODE_READY, NODE_DRAINED, NODE_CORDONED) if cordoned_ok else (
            NODE_READY, NODE_DRAINED)
        for n in cluster.nodes_for(s):
            if not node_fits(pl, s, n):
                continue
            guard = ir.and_(
                s.exists, ir.eq(s.node, 0),
                ir.or_(*(ir.eq(n.state, v) for v in allowed)),
                *fits(cluster, s, n),
                *placement_guard(cluster, pl, s, n),
            )
            b.action(ActionKind.BIND, (("pod", s.name), ("node", n.name)), guard,
                     [(s.node, n.index), *cluster.on_bind.get((s.name, n.name), [])],
                     f"the scheduler binds pod {s.name} to node {n.name}",
                     Actor.SCHEDULER, span=s.workload.span)


def fits(cluster: Cluster, s: Slot, n: NodeSlot) -> list[ir.Expr]:
    """NodeResourcesFit for pod `s` on node `n`, one comparison per constrained resource."""
    out: list[ir.Expr] = []
    for resource, cap in sorted(n.capacity.items()):
        need = s.requests.get(resource, 0)
        if need == 0:
            continue
        used = [ir.ite(cluster.on_node(o, n), o.requests.get(resource, 0), 0)
                for o in cluster.slots if o is not s and o.requests.get(resource, 0)]
        out.append(ir.op("<=", ir.sum_(*used, ir.Const(need)), cap))
    return out

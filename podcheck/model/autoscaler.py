"""cluster-autoscaler scale-down: a node is removed only when its pods can go elsewhere.

Stage: internal to `podcheck.model` (called by `compile.build_model` after `drain.py`,
before the eviction API).  Consumes a `Cluster`, the `Budget`s and the `Clock`; for every
node the environment lists in `scaleDown` declares `scale_down_node` (the autoscaler
picks the node), `scale_down_abort` (its eviction retry window ran out) and
`node_removed`, and registers the evictions it asks for in `Cluster.evictors`.

kubernetes/autoscaler cluster-autoscaler: the removal simulation
(simulator/`RemovalSimulator`, simulator/drainability/rules through kube
`drainable`): no pod on the node blocks it (a bare pod, `safe-to-evict: "false"`, an
emptyDir, a PDB with no disruption allowed; DaemonSet and mirror pods never do) and
every pod to move passes the scheduler's filters on another Ready node (capacity,
NodeAffinity, InterPodAffinity, PodTopologySpread: the `bind` guards of `scheduler.py`
for that pod moved there).  The actuator (core/scaledown/actuation) taints the node
`ToBeDeletedByClusterAutoscaler:NoSchedule` (nothing new is scheduled there; state
ScalingDown), evicts the pods through the eviction API (PDBs respected), retrying for
`MaxPodEvictionTime` (120 s, the node's `scaleDownTimer`); if a pod is still there then,
the drain fails and the node is untainted (Ready again); once every moved pod is gone
the node is deleted (state Removed) and its DaemonSet pods with it (pod GC).

Simplifications (docs/semantics.md NOTE(scale-down)): one node is drained at a time
(--max-drain-parallelism 1, the default) and empty nodes too; each pod's new home is
checked on its own, not packed with the others; the utilization threshold and the
10 min unneeded time are not modelled (the autoscaler may pick a removable node at any
moment); it does not act while a pod is Pending (the snapshot's pending pods are placed
first, core/static_autoscaler `FilterOutSchedulable`); DaemonSet pods are not evicted
first; finished pods stay bound to the deleted node.
"""

from __future__ import annotations

from podcheck import ir
from podcheck.kube.autoscaler import (
    MAX_POD_EVICTION_TIME,
    CAPod,
    Outcome,
    drainable,
    needs_new_home,
)
from podcheck.model.budgets import Budget
from podcheck.model.clock import Clock
from podcheck.model.cluster import (
    NODE_DRAINED,
    NODE_READY,
    NODE_REMOVED,
    NODE_SCALING_DOWN,
    Cluster,
    NodeSlot,
    Slot,
)
from podcheck.model.placement import Placements, node_fits, placement_guard, placements
from podcheck.model.scheduler import fits
from podcheck.vocab import ActionKind, Actor, WorkloadKind


def ca_pod(s: Slot) -> CAPod:
    """What the drainability rules read of the slot's pod while it runs (the PDB rule's
    allowance is read from the state: `_pdb_blocks`)."""
    w = s.workload
    return CAPod(s.name, controller=w.kind, safe_to_evict=w.template.safeToEvict,
                 local_storage=bool(w.template.volumes))


def declare_scale_down(cluster: Cluster, budgets: list[Budget], clock: Clock) -> None:
    """Declare the autoscaler's actions for every node in `environment.scaleDown`."""
    env = cluster.spec.environment
    candidates = [n for n in cluster.nodes if n.name in env.scaleDown]
    if not candidates:
        return
    pl = placements(cluster)
    busy = ir.or_(*(ir.eq(n.state, NODE_SCALING_DOWN) for n in candidates))
    for n in candidates:
        _declare_node(cluster, budgets, clock, pl, n, busy)


def _here(cluster: Cluster, s: Slot, n: NodeSlot) -> ir.Expr:
    """The slot's pod is on `n` and not finished."""
    return ir.and_(s.exists, ir.eq(s.node, n.index), ir.not_(s.model.terminal))


def _movers(cluster: Cluster, n: NodeSlot) -> list[Slot]:
    """The slots whose pod would be moved off `n` (not DaemonSet, not blocked for good)."""
    return [s for s in cluster.slots if n in cluster.nodes_for(s)
            and s.kind is not WorkloadKind.DAEMONSET
            and needs_new_home(ca_pod(s), drainable(ca_pod(s)))]


def _blocked(cluster: Cluster, budgets: list[Budget], n: NodeSlot) -> list[ir.Expr]:
    """Per pod that may be on `n`: it is there and a drainability rule blocks the node
    (statically, or the PDB rule: a selecting budget allows no disruption)."""
    out = []
    for s in cluster.slots:
        if n not in cluster.nodes_for(s) or s.kind is WorkloadKind.DAEMONSET:
            continue
        status = drainable(ca_pod(s))
        if status.blocks:
            out.append(_here(cluster, s, n))
        elif status.outcome is Outcome.UNDEFINED:  # it reaches the PDB rule
            low = [ir.op("<", b.allowed, 1) for b in budgets if s in b.selected]
            if low:
                out.append(ir.and_(_here(cluster, s, n), ir.or_(*low)))
    return out


def _elsewhere(cluster: Cluster, pl: Placements, s: Slot, n: NodeSlot) -> ir.Expr:
    """The scheduler's filters let pod `s` run on some other Ready node."""
    homes = []
    for m in cluster.nodes_for(s):
        if m is n or not node_fits(pl, s, m):
            continue
        ready = ir.or_(ir.eq(m.state, NODE_READY), ir.eq(m.state, NODE_DRAINED))
        homes.append(ir.and_(ready, *fits(cluster, s, m), *placement_guard(cluster, pl, s, m)))
    return ir.or_(*homes)


def _declare_node(cluster: Cluster, budgets: list[Budget], clock: Clock, pl: Placements,
                  n: NodeSlot, busy: ir.Expr) -> None:
    b, env = cluster.builder, cluster.spec.environment
    movers = _movers(cluster, n)
    left = ir.or_(*(_here(cluster, s, n) for s in movers))
    timer = clock.timer(f"{n.name}.scaleDownTimer", MAX_POD_EVICTION_TIME,
                        owner=f"node {n.name}", field_name="scaleDownTimer")
    scaling = ir.eq(n.state, NODE_SCALING_DOWN)
    clock.register(timer, ir.and_(scaling, left, ir.op(">", timer, 0)))
    homes = [ir.or_(ir.not_(_here(cluster, s, n)), _elsewhere(cluster, pl, s, n))
             for s in movers]
    ready = ir.or_(ir.eq(n.state, NODE_READY), ir.eq(n.state, NODE_DRAINED))
    # pending pods go first: FilterOutSchedulable places them in the snapshot before the
    # removal simulation, so a node they would use is not empty (NOTE(scale-down))
    pending = ir.or_(*(ir.and_(s.exists, ir.eq(s.node, 0)) for s in cluster.slots))
    pick = ir.and_(cluster.may_disrupt(), ready, ir.not_(busy), ir.not_(pending),
                   ir.not_(ir.or_(*_blocked(cluster, budgets, n))), *homes)
    b.action(ActionKind.SCALE_DOWN_NODE, (("node", n.name),), pick,
             [(n.state, NODE_SCALING_DOWN), (timer, MAX_POD_EVICTION_TIME)],
             f"the cluster autoscaler scales down node {n.name}: its pods fit elsewhere "
             "(taint ToBeDeletedByClusterAutoscaler:NoSchedule, then evictions)",
             Actor.CLUSTER_AUTOSCALER, ir.Fairness.NONE, env.span)
    expired = ir.and_(scaling, left, ir.eq(timer, 0))
    clock.urgent(expired)
    b.action(ActionKind.SCALE_DOWN_ABORT, (("node", n.name),), expired,
             [(n.state, NODE_READY)],
             f"the cluster autoscaler gives up on node {n.name}: a pod is still there after "
             "2m0s of evictions (MaxPodEvictionTime); the node is untainted",
             Actor.CLUSTER_AUTOSCALER, span=env.span)
    daemons = [s for s in cluster.slots
               if s.kind is WorkloadKind.DAEMONSET and s.pinned == n.index]
    b.action(ActionKind.NODE_REMOVED, (("node", n.name),), ir.and_(scaling, ir.not_(left)),
             [(n.state, NODE_REMOVED), (timer, 0),
              *(u for s in daemons for u in cluster.delete_updates(s))],
             f"the cluster autoscaler deletes node {n.name} (its DaemonSet pods go with it)",
             Actor.CLUSTER_AUTOSCALER, ir.Fairness.WEAK, env.span)
    for s in movers:
        cluster.evictors.setdefault(s.name, []).append(
            (s.exists, ir.not_(s.model.terminal), ir.eq(s.node, n.index), scaling))


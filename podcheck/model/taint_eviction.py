"""The taint eviction controller: deletes pods from nodes with NoExecute taints they do
not tolerate (for ever).

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and the `Clock`; `unreachable_timers` declares one `unreachableTimer` per node
on which some pod's unreachable toleration is bounded (before the failures, which arm
it); `declare_taint_eviction` declares one `taint_evict` per slot that is not a
DaemonSet's (pods on a node that stopped reporting) and one per (slot, node) whose
static NoExecute taints the pod tolerates only for a while.

pkg/controller/tainteviction/taint_eviction.go `getPodEvictionDecision` (kube
`no_execute_decision`, through `kube_adapter.eviction_on`): a Down node carries the
`node.kubernetes.io/unreachable` NoExecute taint; a pod without a toleration of it gets
the default 300 s one (plugin/pkg/admission/defaulttolerationseconds), a pod tolerating
it without `tolerationSeconds` stays for ever.  The seconds are timed: the node's
`unreachableTimer` is set to the largest bound H of its pods when it fails holding one
(no pod can be bound to a Down node later) and counts down while it is Down and holds
one; a pod whose bound is s is deleted when the timer reaches H - s
(`processPodOnNode` schedules the delete at the taint's time plus s), urgently (time does
not pass while an expired pod is still there); a bound of 0 (or an untolerated taint)
deletes at once.  A node that recovers first keeps its pods (`failures.py`).  DaemonSet
pods tolerate the unreachable taint for ever and stay (not Ready, reason NodeLost).  Not
modelled: the node-monitor grace period before the node lifecycle controller taints the
node (the seconds count from the failure).  Static NoExecute taints with a bounded
toleration stay untimed (the delete may happen at any time).
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.kube.taints import EvictionKind, NoExecuteDecision
from podcheck.model.clock import Clock
from podcheck.model.cluster import NODE_DOWN, Cluster, NodeSlot, Slot
from podcheck.model.kube_adapter import eviction_on, untolerated
from podcheck.model.termination import Delete, declare_delete
from podcheck.vocab import ActionKind, Actor


@dataclass(frozen=True)
class UnreachableTimer:
    """A node's unreachable timer: set to `hi` (the largest bounded toleration of the
    pods that may run there) at the failure when such a pod is bound there (`held`),
    counting down while the node is Down and it holds one."""

    var: ir.Var
    hi: int
    held: ir.Expr

    def expired(self, seconds: int) -> ir.Expr:
        """`seconds` have passed since the failure (the node is Down)."""
        return ir.op("<=", self.var, self.hi - seconds)

    def arm(self) -> ir.Expr:
        """The timer's value when the node fails."""
        return ir.ite(self.held, self.hi, 0)


Unreachable = dict[int, UnreachableTimer]  # node index -> its timer


class _Decisions:
    """kube's taint answers for the slots of one cluster, asked once per (workload, node):
    a workload's slots share its template, so the compile stays linear in the replicas
    (NOTE(linear-lowest-absent) in replicaset.py)."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.nodes = {n.name: n for n in cluster.spec.nodes}
        self.memo: dict[tuple[str, str, bool], NoExecuteDecision | None] = {}

    def on(self, w: spec.Workload, n: NodeSlot, down: bool) -> NoExecuteDecision | None:
        """The decision for a pod of `w` on `n` (`down`: once the node is Down); None
        when the node's NoSchedule / NoExecute taints keep the pod off it."""
        key = (w.name, n.name, down)
        if key not in self.memo:
            node = self.nodes[n.name]
            self.memo[key] = (None if untolerated(node, w.template)
                              else eviction_on(node, w.template, down))
        return self.memo[key]

    def bindable(self, s: Slot) -> list[NodeSlot]:
        """The nodes the pod can be bound to: a node whose NoSchedule / NoExecute taints
        the pod does not tolerate never has it."""
        return [n for n in self.cluster.nodes_for(s) if self.on(s.workload, n, True)
                is not None]

    def unreachable(self, s: Slot) -> dict[int, NoExecuteDecision]:
        """Per bindable node index, kube's decision for the pod once that node is Down."""
        out: dict[int, NoExecuteDecision] = {}
        for n in self.cluster.nodes_for(s):
            d = self.on(s.workload, n, True)
            if d is not None:
                out[n.index] = d
        return out


def unreachable_timers(cluster: Cluster, clock: Clock) -> Unreachable:
    """Declare and register the unreachable timers: one per node that can fail and on
    which some non-DaemonSet pod's unreachable toleration is bounded (none otherwise)."""
    counters = cluster.counters
    if counters.node_failures is None and counters.zone_failures is None:
        return {}
    bounds: dict[int, set[int]] = {}
    held: dict[int, list[ir.Expr]] = {}
    decisions = _Decisions(cluster)
    for s in cluster.slots:
        if s.kind is spec.WorkloadKind.DAEMONSET:
            continue
        for index, d in decisions.unreachable(s).items():
            if d.kind is EvictionKind.LATER and d.seconds is not None:
                bounds.setdefault(index, set()).add(d.seconds)
                held.setdefault(index, []).append(ir.and_(s.exists, ir.eq(s.node, index)))
    timers: Unreachable = {}
    for n in cluster.nodes:
        if n.index not in bounds:
            continue
        hi = max(bounds[n.index])
        var = clock.timer(f"{n.name}.unreachableTimer", hi, owner=f"node {n.name}",
                          field_name="unreachableTimer")
        stops = sorted(hi - b for b in bounds[n.index] if b < hi)  # thresholds above 0
        distance: ir.Expr = var
        for stop in stops:
            distance = ir.ite(ir.op(">", var, stop), ir.op("-", var, stop), distance)
        timer = UnreachableTimer(var, hi, ir.or_(*held[n.index]))
        clock.register(var, ir.and_(ir.eq(n.state, NODE_DOWN), ir.op(">", var, 0), timer.held),
                       distance)
        timers[n.index] = timer
    return timers


def declare_taint_eviction(cluster: Cluster, clock: Clock, timers: Unreachable) -> None:
    """Declare `taint_evict` for every pod slot that is not a DaemonSet's."""
    decisions = _Decisions(cluster)
    for s in cluster.slots:
        if s.kind is spec.WorkloadKind.DAEMONSET:
            continue
        _unreachable(cluster, clock, s, decisions.unreachable(s), timers)
        for n in decisions.bindable(s):
            decision = decisions.on(s.workload, n, False)
            assert decision is not None  # bindable: tolerated
            if decision.kind is not EvictionKind.NONE:
                _tainted(cluster, s, n, decision.seconds)


def _unreachable(cluster: Cluster, clock: Clock, s: Slot,
                 decisions: dict[int, NoExecuteDecision], timers: Unreachable) -> None:
    """`taint_evict` from a Down node, once the pod's toleration there has expired."""
    due: list[ir.Expr] = []
    seconds: set[int] = set()
    for n in cluster.nodes:
        d = decisions.get(n.index)
        if d is None or d.kind is EvictionKind.NONE:
            continue
        here = ir.and_(ir.eq(s.node, n.index), ir.eq(n.state, NODE_DOWN))
        if d.kind is EvictionKind.LATER and d.seconds is not None:
            if n.index not in timers:
                continue  # no node can fail: there is no timer and nothing to evict
            here = ir.and_(here, timers[n.index].expired(d.seconds))
        due.append(here)
        seconds.add(d.seconds or 0)
    if not due:
        return
    bound = seconds.pop() if len(seconds) == 1 else None
    why = ("its node.kubernetes.io/unreachable toleration expired" if bound is None else
           f"the {bound}s node.kubernetes.io/unreachable toleration expired" if bound else
           "it does not tolerate the node's NoExecute taints")
    guard = ir.and_(cluster.live(s), ir.or_(*due))
    clock.urgent(guard)
    declare_delete(cluster, s, Delete(
        ActionKind.TAINT_EVICT,
        f"the taint eviction controller deletes pod {s.name} from its unreachable node ({why})",
        Actor.TAINT_EVICTION_CONTROLLER, span=cluster.spec.environment.span), guard)


def _tainted(cluster: Cluster, s: Slot, n: NodeSlot, seconds: int) -> None:
    guard = ir.and_(cluster.live(s), ir.eq(s.node, n.index), ir.op("!=", n.state, NODE_DOWN))
    declare_delete(cluster, s, Delete(
        ActionKind.TAINT_EVICT,
        f"the taint eviction controller deletes pod {s.name} from node {n.name} "
        f"(its {seconds}s toleration of the node's NoExecute taint expired)",
        Actor.TAINT_EVICTION_CONTROLLER, span=s.workload.span), guard, node=n.name)

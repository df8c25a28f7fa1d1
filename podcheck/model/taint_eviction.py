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
`node.kubernetes.io/unreachable` NoExecute taint once the node lifecycle controller has
marked it Unknown, `nodeMonitorGracePeriod` (40 s, kube `NODE_MONITOR_GRACE_PERIOD`)
after its last heartbeat (pkg/controller/nodelifecycle `monitorNodeHealth`,
`doNoExecuteTaintingPass`); a pod without a toleration of it gets the default 300 s one
(plugin/pkg/admission/defaulttolerationseconds), a pod tolerating it without
`tolerationSeconds` stays for ever.  The seconds are timed: the node's `unreachableTimer`
is set to grace + H (H the largest bound of its pods, 0 if none is bounded) when it fails
holding a pod the taint evicts (no pod can be bound to a Down node later) and counts down
while it is Down and holds one; a pod whose bound is s is deleted when the timer reaches
H - s (`processPodOnNode` schedules the delete at the taint's time plus s), urgently
(time does not pass while an expired pod is still there); a bound of 0 (or an
untolerated taint) deletes at the taint, 40 s after the failure.  A node that recovers
first keeps its pods (`failures.py`).  DaemonSet pods tolerate the unreachable taint for
ever and stay (not Ready, reason NodeLost).  Static NoExecute taints with a bounded
toleration are timed per pod (`tolerationTimer`, `static_taint_timers`): armed to the
bound when the scheduler binds the pod to the tainted node, counting while it is bound
there (the controller's queue runs whatever the node does), the pod deleted at 0.  Not
modelled: the 5 s node-monitor period (the taint lands 40 to 45 s after the last
heartbeat; the model takes 40 s, NOTE(node-grace) in docs/semantics.md), and the
rescheduling of a static taint's delete when the node also becomes unreachable (both
timers run; the first to expire deletes the pod).
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.kube.taints import NODE_MONITOR_GRACE_PERIOD, EvictionKind, NoExecuteDecision
from podcheck.model.clock import Clock
from podcheck.model.cluster import NODE_DOWN, Cluster, NodeSlot, Slot
from podcheck.model.kube_adapter import eviction_on, untolerated
from podcheck.model.termination import Delete, declare_delete
from podcheck.vocab import ActionKind, Actor


@dataclass(frozen=True)
class UnreachableTimer:
    """A node's unreachable timer: set to `grace + hi` (`hi` the largest bounded
    toleration of the pods that may run there, 0 if none) at the failure when a pod the
    taint evicts is bound there (`held`), counting down while the node is Down and it
    holds one; the taint is there from `hi` down."""

    var: ir.Var
    hi: int
    held: ir.Expr
    grace: int = NODE_MONITOR_GRACE_PERIOD

    def expired(self, seconds: int) -> ir.Expr:
        """The taint has been there for `seconds` (the node is Down)."""
        return ir.op("<=", self.var, self.hi - seconds)

    def arm(self) -> ir.Expr:
        """The timer's value when the node fails."""
        return ir.ite(self.held, self.grace + self.hi, 0)


Unreachable = dict[int, UnreachableTimer]  # node index -> its timer
StaticTimers = dict[str, ir.Var]  # slot name -> its static-taint toleration timer


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
    which some non-DaemonSet pod would be evicted by the unreachable taint (none
    otherwise)."""
    counters = cluster.counters
    if counters.node_failures is None and counters.zone_failures is None:
        return {}
    bounds: dict[int, set[int]] = {}
    held: dict[int, list[ir.Expr]] = {}
    decisions = _Decisions(cluster)
    for s in cluster.slots:
        if s.stays_on_node:
            continue
        for index, d in decisions.unreachable(s).items():
            if d.kind is not EvictionKind.NONE:
                bounds.setdefault(index, set()).add(d.seconds or 0)
                held.setdefault(index, []).append(ir.and_(s.exists, ir.eq(s.node, index)))
    timers: Unreachable = {}
    for n in cluster.nodes:
        if n.index not in bounds:
            continue
        hi = max(bounds[n.index])
        timer = UnreachableTimer(
            clock.timer(f"{n.name}.unreachableTimer", hi + NODE_MONITOR_GRACE_PERIOD,
                        owner=f"node {n.name}", field_name="unreachableTimer"),
            hi, ir.or_(*held[n.index]))
        var = timer.var
        stops = sorted(hi - b for b in bounds[n.index] if b < hi)  # thresholds above 0
        distance: ir.Expr = var
        for stop in stops:
            distance = ir.ite(ir.op(">", var, stop), ir.op("-", var, stop), distance)
        clock.register(var, ir.and_(ir.eq(n.state, NODE_DOWN), ir.op(">", var, 0), timer.held),
                       distance)
        timers[n.index] = timer
    return timers


def static_taint_timers(cluster: Cluster, clock: Clock) -> StaticTimers:
    """Declare the per-pod timers of static NoExecute taints tolerated for a while: armed
    at the bind (`Cluster.on_bind`), cleared at the delete (`Cluster.slot_resets`)."""
    decisions = _Decisions(cluster)
    timers: StaticTimers = {}
    for s in cluster.slots:
        if s.stays_on_node:
            continue
        bounds = {}
        for n in decisions.bindable(s):
            d = decisions.on(s.workload, n, False)
            if d is not None and d.kind is EvictionKind.LATER:
                bounds[n.index] = d.seconds
        if not bounds:
            continue
        var = clock.timer(f"{s.name}.tolerationTimer", max(bounds.values()),
                          owner=f"pod {s.name}", field_name="tolerationTimer")
        there = ir.or_(*(ir.eq(s.node, i) for i in sorted(bounds)))
        clock.register(var, ir.and_(s.exists, there, ir.op(">", var, 0)))
        for n in cluster.nodes:
            if n.index in bounds:
                cluster.on_bind.setdefault((s.name, n.name), []).append((var, bounds[n.index]))
        cluster.slot_resets.setdefault(s.name, []).append((var, 0))
        timers[s.name] = var
    return timers


def declare_taint_eviction(cluster: Cluster, clock: Clock, timers: Unreachable,
                           static: StaticTimers) -> None:
    """Declare `taint_evict` for every pod slot that is not a DaemonSet's."""
    decisions = _Decisions(cluster)
    for s in cluster.slots:
        if s.stays_on_node:
            continue
        _unreachable(cluster, clock, s, decisions.unreachable(s), timers)
        for n in decisions.bindable(s):
            decision = decisions.on(s.workload, n, False)
            assert decision is not None  # bindable: tolerated
            if decision.kind is not EvictionKind.NONE:
                _tainted(cluster, clock, s, n, decision.seconds, static.get(s.name))


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
        if n.index not in timers:
            continue  # no node can fail: there is no timer and nothing to evict
        here = ir.and_(here, timers[n.index].expired(d.seconds or 0))
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
        Actor.TAINT_EVICTION_CONTROLLER, span=cluster.spec.environment.span, disrupted=True),
        guard)


def _tainted(cluster: Cluster, clock: Clock, s: Slot, n: NodeSlot, seconds: int,
             timer: ir.Var | None) -> None:
    """`taint_evict` from a node whose static NoExecute taint the pod tolerates for
    `seconds` (0: at once), when its toleration timer runs out."""
    guard = ir.and_(cluster.live(s), ir.eq(s.node, n.index))
    if timer is not None and seconds > 0:
        guard = ir.and_(guard, ir.eq(timer, 0))
    clock.urgent(guard)
    declare_delete(cluster, s, Delete(
        ActionKind.TAINT_EVICT,
        f"the taint eviction controller deletes pod {s.name} from node {n.name} "
        f"(its {seconds}s toleration of the node's NoExecute taint expired)",
        Actor.TAINT_EVICTION_CONTROLLER, span=s.workload.span, disrupted=True),
        guard, node=n.name)

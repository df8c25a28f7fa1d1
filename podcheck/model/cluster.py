"""The cluster half of the model: nodes, pod slots, and the expressions over them.

Stage: internal to `podcheck.model`.  `slots.build_cluster` lays a `Cluster` out (the
state variables of every node and pod slot, the counters); the actor modules
(`scheduler.py`, `replicaset.py`, `deployment.py`, `job.py`, `daemonset.py`,
`taint_eviction.py`, `endpoints.py`, `drain.py`, `eviction_api.py`, `failures.py`) and
`budgets.py` / `props.py` read the derived IR expressions it offers and the update lists
for creating and deleting pods.  It declares no action.

A pod *slot* is one place a pod of a workload can live (see NOTE(pod-slots));
`exists`/`node` say whether the pod object exists and where it is bound, the kubelet
side of the pod is a pod model (`PodLike`) whose actions run only while the pod is
active (exists, bound, its node not Down, not Terminating).  A deletion either removes
the pod object at once (its pod model is reset, so an absent slot has exactly one state)
or, for a pod with a grace period, marks it Terminating (NOTE(graceful-deletion) in
`termination.py`), and the kubelet removes it when its containers are dead.

NOTE(pod-slots): a Deployment/ReplicaSet has `replicas` slots (plus `maxSurge` slots
when rollouts are enabled), a Job `parallelism` slots, a DaemonSet one slot per node,
a bare pod one slot.  A controller always re-creates into the lowest-numbered absent
slot: pods of one controller are interchangeable, and this keeps symmetric copies of a
state out of the state space.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from podcheck import ir, spec
from podcheck.model.layout import Builder
from podcheck.spec import Workload
from podcheck.vocab import NodeState, PodPhase, words

# Node states (NOTE(node-states)): Drained is a node whose one-at-a-time drain has
# finished and which the admin uncordoned: schedulable again, never drained again.
NODE_READY, NODE_CORDONED, NODE_DOWN, NODE_DRAINED = 0, 1, 2, 3
NODE_LABELS = (*words(NodeState), "Drained")
# With `scaleDown` only (autoscaler.py): tainted ToBeDeletedByClusterAutoscaler and
# drained by the autoscaler, then deleted.  Properties read them as Cordoned and Down.
NODE_SCALING_DOWN, NODE_REMOVED = 4, 5
SCALE_DOWN_LABELS = (*NODE_LABELS, "ScalingDown", "Removed")
# Pod phases as the property language numbers them (vocab.PodPhase order).
PENDING, RUNNING, SUCCEEDED, FAILED, UNKNOWN = range(5)  # UNKNOWN: see NOTE(no-unknown-phase)
PHASES = words(PodPhase)

Update = tuple[ir.Var, ir.Expr | int]


class PodLike(Protocol):
    """What the cluster needs from a pod model (`podcheck.model.pod.PodModel`)."""

    @property
    def phase(self) -> ir.Expr: ...
    @property
    def ready(self) -> ir.Expr: ...
    @property
    def initialized(self) -> ir.Expr: ...
    @property
    def terminal(self) -> ir.Expr: ...
    @property
    def quiescent(self) -> ir.Expr: ...
    @property
    def init_order_ok(self) -> ir.Expr: ...

    def reset_updates(self) -> Sequence[Update]: ...
    def pod_field(self, name: str) -> ir.Expr: ...
    def container_field(self, container: str, name: str) -> ir.Expr: ...


# (builder, slot name, template, active expression) -> the slot's pod model
PodFactory = Callable[[Builder, str, spec.PodTemplate, ir.Expr], PodLike]


@dataclass(frozen=True, slots=True)
class Tracking:
    """Optional per-slot history variables, declared only when a property reads them
    (they are unobservable otherwise, and each one multiplies the state space)."""

    uid: bool = False
    evicted: bool = False
    endpoint: bool = False
    age: tuple[int, ...] = ()  # the clock stops of `p.age` (NOTE(pod-age)); () untracked


@dataclass(slots=True)
class NodeSlot:
    """One node: its 1-based index (0 means "no node"), state variable and capacity."""

    index: int
    name: str
    zone: str
    state: ir.Var
    capacity: dict[str, int]


@dataclass(slots=True)
class Slot:
    """One pod slot (NOTE(pod-slots)) with its variables and pod model."""

    name: str
    workload: spec.Workload
    ordinal: int
    exists: ir.Var
    node: ir.Var
    pinned: int = 0  # a DaemonSet slot's node index
    surge: bool = False
    uid: ir.Var | None = None
    evicted: ir.Var | None = None
    endpoint: ir.Var | None = None
    revision: ir.Var | None = None
    counted: ir.Var | None = None  # a Job's pod: counted in the Job status, still listed
    requests: dict[str, int] = field(default_factory=dict)
    pod: PodLike | None = None
    # NOTE(graceful-deletion): set when a deletion of this slot's pod can leave it
    # Terminating: the deletionTimestamp and the seconds left until SIGKILL (a clock timer)
    terminating: ir.Var | None = None
    grace_left: ir.Var | None = None
    spare: bool = False  # a slot for a replacement while earlier pods terminate
    # NOTE(frozen-timers): the kubelet's timers of the slot, zeroed when it terminates
    frozen: list[ir.Var] = field(default_factory=list)
    age: ir.Var | None = None  # NOTE(pod-age) in age.py: seconds to saturation

    @property
    def model(self) -> PodLike:
        """The pod model (always set once the cluster is built)."""
        assert self.pod is not None, self.name
        return self.pod

    @property
    def extra(self) -> bool:
        """A surge or spare slot: not one of the workload's desired pods."""
        return self.surge or self.spare

    @property
    def kind(self) -> spec.WorkloadKind:
        """The kind of the owning workload."""
        return self.workload.kind

    @property
    def static(self) -> bool:
        """A static pod (`staticOn`): its node's kubelet runs it, pinned there, and its
        API object is a mirror pod (NOTE(static-pods) in docs/semantics.md)."""
        return self.workload.template.staticOn is not None

    @property
    def stays_on_node(self) -> bool:
        """The pod stays on its node through an outage: a DaemonSet's (it tolerates the
        unreachable taint for ever) or a static pod (the kubelet re-creates its mirror)."""
        return self.kind is spec.WorkloadKind.DAEMONSET or self.static


@dataclass(slots=True)
class Counters:
    """The counters of the cluster side: the environment's spent disruption budgets
    (NOTE(settle-first) reads them), Deployment revisions and Job status counts."""

    node_failures: ir.Var | None = None
    zone_failures: ir.Var | None = None
    pod_deletes: ir.Var | None = None
    revisions: dict[str, ir.Var] = field(default_factory=dict)  # Deployment, StatefulSet
    # Deployment -> its Progressing condition (model/progress.py, when a check reads it)
    progressing: dict[str, ir.Var] = field(default_factory=dict)
    job_succeeded: dict[str, ir.Var] = field(default_factory=dict)
    job_failed: dict[str, ir.Var] = field(default_factory=dict)
    # OnFailure Job -> its restarts reached backoffLimit (model/job.py)
    job_backoff_exceeded: dict[str, ir.Var] = field(default_factory=dict)
    # Job with a FailJob podFailurePolicy rule -> a rule failed it (model/job.py)
    job_policy_failed: dict[str, ir.Var] = field(default_factory=dict)

    def disruptions(self) -> list[ir.Var]:
        """The counters that only a disruption from the environment block increments
        (a rollout bumps its Deployment's or StatefulSet's revision)."""
        rollouts = [v for _, v in sorted(self.revisions.items())]
        spent = [self.node_failures, self.pod_deletes, *rollouts, self.zone_failures]
        return [v for v in spent if v is not None]


@dataclass(slots=True)
class CronState:
    """A CronJob's controller state: the schedule times that arrived so far, and whether
    the most recent one is still unmet (no Job started for it, not skipped)."""

    schedules: ir.Var
    unmet: ir.Var


@dataclass(slots=True)
class Cluster:
    """Nodes, slots and the derived expressions every other model part reads."""

    spec: spec.CheckedSpec
    builder: Builder
    nodes: list[NodeSlot]
    slots: list[Slot]
    counters: Counters = field(default_factory=Counters)
    on_delete: dict[str, list[Update]] = field(default_factory=dict)
    # what an owner sees instead when the pod is deleted as a disruption (DisruptionTarget)
    on_disruption: dict[str, list[Update]] = field(default_factory=dict)
    # a CronJob's name -> the Jobs it may create, one per schedule time (model/cronjob.py)
    runs: dict[str, list[Workload]] = field(default_factory=dict)
    # a CronJob's Job -> 0 not created yet, 1 created, 2 deleted (Replace)
    run_state: dict[str, ir.Var] = field(default_factory=dict)
    crons: dict[str, CronState] = field(default_factory=dict)
    # slot name -> the conditions (each a conjunction) under which a drain or the
    # autoscaler evicts this pod (drain.py, autoscaler.py); the eviction API and
    # `budget-respected` read them (`evicting`)
    evictors: dict[str, list[tuple[ir.Expr, ...]]] = field(default_factory=dict)
    # (slot, node) -> updates of the bind of the slot's pod to the node (a static
    # taint's toleration timer, taint_eviction.py); slot -> updates of every delete
    on_bind: dict[tuple[str, str], list[Update]] = field(default_factory=dict)
    slot_resets: dict[str, list[Update]] = field(default_factory=dict)
    # drained node index -> "a pod its drain waits for is still bound there" (drain.py)
    drain_pending: dict[int, ir.Expr] = field(default_factory=dict)

    # ---- lookups
    def slots_of(self, workload: str) -> list[Slot]:
        """The slots of one workload, in ordinal order (of a CronJob: of all its Jobs)."""
        names = {r.name for r in self.runs.get(workload, ())} or {workload}
        return [s for s in self.slots if s.workload.name in names]

    def controllers(self) -> list[Workload]:
        """The spec's workloads, each CronJob replaced by the Jobs it may create."""
        return [r for w in self.spec.workloads for r in self.runs.get(w.name, [w])]

    # ---- derived pod expressions
    def bound(self, s: Slot) -> ir.Expr:
        """The pod is bound to a node (it exists: deletion resets the node)."""
        return ir.op("!=", s.node, 0)

    def on_node_in(self, s: Slot, states: tuple[int, ...]) -> ir.Expr:
        """The pod is bound to a node whose state is one of `states`."""
        return ir.or_(
            *(
                ir.and_(ir.eq(s.node, n.index), ir.or_(*(ir.eq(n.state, v) for v in states)))
                for n in self.nodes_for(s)
            )
        )

    def node_down(self, s: Slot) -> ir.Expr:
        """The pod is bound to a node that is Down."""
        return self.on_node_in(s, (NODE_DOWN,))

    def reported(self, s: Slot) -> ir.Expr:
        """The pod exists, is bound and its node is not Down: its kubelet reports it."""
        return ir.and_(s.exists, self.bound(s), ir.not_(self.node_down(s)))

    def terminating(self, s: Slot) -> ir.Expr:
        """The pod has a deletion timestamp (NOTE(graceful-deletion))."""
        return ir.eq(s.terminating, 1) if s.terminating is not None else ir.FALSE

    def live(self, s: Slot) -> ir.Expr:
        """The pod exists and is not Terminating (what a delete or an eviction acts on)."""
        return ir.and_(s.exists, ir.not_(self.terminating(s)))

    def active(self, s: Slot) -> ir.Expr:
        """The kubelet runs the pod: it is reported and not Terminating (the termination
        model owns a terminating pod's containers: `termination.py`)."""
        return ir.and_(self.reported(s), ir.not_(self.terminating(s)))

    def phase(self, s: Slot) -> ir.Expr:
        """The pod's phase as the API shows it: the last one its kubelet reported.

        NOTE(no-unknown-phase): a Down node's kubelet reports nothing, so the phase stays
        as it was; getPhase never returns Unknown (PodUnknown is deprecated, unset since
        2015).  The node lifecycle controller only marks the pod not Ready with reason
        NodeLost (`node_lost`); `kubectl get pods` prints that as STATUS Unknown.
        """
        return s.model.phase

    def node_lost(self, s: Slot) -> ir.Expr:
        """The pod's node stopped reporting (Ready=False, reason NodeLost)."""
        return ir.and_(s.exists, self.node_down(s))

    def ready(self, s: Slot) -> ir.Expr:
        """The Ready condition: the kubelet says so and the node is not Down (a
        Terminating pod keeps the condition it had: NOTE(terminating-ready))."""
        return ir.and_(self.reported(s), s.model.ready)

    def healthy(self, s: Slot) -> ir.Expr:
        """Ready and not Terminating: what the disruption controller counts
        (`countHealthyPods`), a ReplicaSet's ready replicas (`FilterActivePods`) and a
        ready endpoint (`podToEndpoint`)."""
        return ir.and_(self.ready(s), ir.not_(self.terminating(s)))

    def terminal(self, s: Slot) -> ir.Expr:
        """The pod exists and is Succeeded or Failed."""
        return ir.and_(s.exists, s.model.terminal)

    def on_node(self, s: Slot, node: NodeSlot) -> ir.Expr:
        """The pod is bound to `node` and not terminal (what the node is running)."""
        return ir.and_(ir.eq(s.node, node.index), ir.not_(s.model.terminal))

    def node_state(self, node: NodeSlot) -> ir.Expr:
        """The node state in the property vocabulary: Ready, Cordoned, Down (a drained,
        uncordoned node is Ready again; a node the autoscaler is draining reads as
        Cordoned, a removed one as Down)."""
        view = ir.ite(ir.eq(node.state, NODE_DRAINED), NODE_READY, node.state)
        if not self.spec.environment.scaleDown:
            return view
        return ir.ite(ir.eq(node.state, NODE_SCALING_DOWN), NODE_CORDONED,
                      ir.ite(ir.eq(node.state, NODE_REMOVED), NODE_DOWN, view))

    def removed(self, node: NodeSlot) -> ir.Expr:
        """The autoscaler deleted the node (never with no `scaleDown`)."""
        if not self.spec.environment.scaleDown:
            return ir.FALSE
        return ir.eq(node.state, NODE_REMOVED)

    def started(self) -> ir.Expr:
        """Some disruption from the environment block has happened (NOTE(settle-first))."""
        moved = [ir.op("!=", n.state, NODE_READY) for n in self.nodes]
        spent = [ir.op(">", v, 0) for v in self.counters.disruptions()]
        return ir.or_(*moved, *spent)

    def all_up(self) -> ir.Expr:
        """Every long-running pod (not a Job's) exists, is bound and is Ready or done."""
        return ir.and_(
            *(
                ir.and_(self.bound(s), ir.or_(self.ready(s), s.model.terminal))
                for s in self.slots
                if s.kind is not spec.WorkloadKind.JOB and not s.extra
            )
        )

    def may_disrupt(self) -> ir.Expr:
        """NOTE(settle-first): disruptions may happen from the first state; with
        `disruptionsStart: once-settled` only once every workload has come up (or some
        disruption already happened)."""
        if self.spec.environment.disruptionsStart is spec.DisruptionStart.FROM_START:
            return ir.TRUE
        return ir.or_(self.started(), self.all_up())

    def evicting(self, s: Slot, *more: ir.Expr) -> ir.Expr | None:
        """Some drain or the autoscaler evicts pod `s` (and `more` holds; a Terminating
        pod is not evicted again); None when nothing ever evicts it."""
        ways = self.evictors.get(s.name, [])
        if not ways:
            return None
        return ir.or_(*(ir.and_(*way, *more, ir.not_(self.terminating(s))) for way in ways))

    # ---- updates
    def delete_updates(
        self, s: Slot, *, evicted: bool = False, counted: bool = True, disrupted: bool = False
    ) -> list[Update]:
        """A delete that removes the pod object at once (`termination.declare_delete`
        declares the Terminating alternative where the pod has a grace period);
        `evicted`: through the eviction API; `counted`: owners that count deletions (a
        Job's failures) see this one (`owner_counts`; `disrupted`: DisruptionTarget)."""
        return self.removal_updates(s, evicted=evicted, counted=counted, disrupted=disrupted)

    def owner_counts(self, s: Slot, evicted: bool, disrupted: bool) -> list[Update]:
        """What the pod's owner counts at its delete (`delete_updates`): `on_disruption`
        when the deleter marks it DisruptionTarget and the owner has an entry, else
        `on_delete`."""
        if (evicted or disrupted) and s.name in self.on_disruption:
            return list(self.on_disruption[s.name])
        return list(self.on_delete.get(s.name, []))

    def removal_updates(self, s: Slot, *, evicted: bool | None = False,
                        counted: bool = True, disrupted: bool = False) -> list[Update]:
        """The pod object is removed and its model reset (`evicted` None: the DisruptionTarget
        history is left as it is, for a pod whose termination ends)."""
        ups: list[Update] = [(s.exists, 0), (s.node, 0), *s.model.reset_updates(),
                             *self.slot_resets.get(s.name, [])]
        if s.evicted is not None and evicted is not None:
            ups.append((s.evicted, int(evicted)))
        if s.endpoint is not None:
            ups.append((s.endpoint, 0))
        if counted:
            ups += self.owner_counts(s, bool(evicted), disrupted)
        if s.counted is not None:
            ups.append((s.counted, 0))
        if s.terminating is not None and s.grace_left is not None:
            ups += [(s.terminating, 0), (s.grace_left, 0)]
        if s.age is not None:
            ups.append((s.age, self.builder.vars[s.age.index].hi))
        return ups

    def create_updates(self, s: Slot, revision: ir.Expr | None = None) -> list[Update]:
        """A controller creates a new pod object in the slot: a new uid."""
        ups: list[Update] = [(s.exists, 1)]
        if s.uid is not None:
            wrap = self.builder.vars[s.uid.index].hi + 1
            ups.append((s.uid, ir.op("%", ir.op("+", s.uid, 1), wrap)))
        if s.evicted is not None:
            ups.append((s.evicted, 0))
        if s.revision is not None and revision is not None:
            ups.append((s.revision, revision))
        if s.age is not None:
            ups.append((s.age, self.builder.vars[s.age.index].hi))
        return ups

    def nodes_for(self, s: Slot) -> list[NodeSlot]:
        """The nodes the pod may run on (its own node for a DaemonSet pod)."""
        return [n for n in self.nodes if not s.pinned or n.index == s.pinned]




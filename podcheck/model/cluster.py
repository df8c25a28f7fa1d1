"""The cluster half of the model: nodes, pod slots, the scheduler and node failures.

Stage: internal to `podcheck.model` (called by `compile.compile_spec`).  Consumes a
`spec.CheckedSpec` and a `Builder`; produces a `Cluster` (the state variables of every
node and pod slot, the derived IR expressions the controllers, the disruption model
and the property compiler read) and declares the actions of the scheduler, the taint
eviction controller, the endpoints controller and the involuntary disruptions
(node failures, zone failures, direct pod deletes).

A pod *slot* is one place a pod of a workload can live (see NOTE(pod-slots));
`exists`/`node` say whether the pod object exists and where it is bound, the kubelet
side of the pod is a pod model (`PodLike`) whose actions run only while the pod is
active (exists, bound, its node not Down).  Deletion is atomic (no grace period): the
pod object disappears and its pod model is reset, so an absent slot has exactly one
state.  Every Kubernetes rule comes from `podcheck.kube` (effective requests).

NOTE(pod-slots): a Deployment/ReplicaSet has `replicas` slots (plus `maxSurge` slots
when rollouts are enabled), a Job `parallelism` slots, a DaemonSet one slot per node,
a bare pod one slot.  A controller always re-creates into the lowest-numbered absent
slot: pods of one controller are interchangeable, and this keeps symmetric copies of a
state out of the state space.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Protocol

from podcheck import ir, spec
from podcheck.diagnostics import Diagnostic, Severity, Span, codes
from podcheck.kube.disruption import IntOrPercent, scaled_value
from podcheck.kube.resources import parse_quantity, pod_requests
from podcheck.model.layout import Builder

# Node states (NOTE(node-states)): Drained is a node whose one-at-a-time drain has
# finished and which the admin uncordoned: schedulable again, never drained again.
NODE_READY, NODE_CORDONED, NODE_DOWN, NODE_DRAINED = 0, 1, 2, 3
NODE_LABELS = ("Ready", "Cordoned", "Down", "Drained")
# Pod phases as the property language numbers them (spec.POD_FIELDS order).
PENDING, RUNNING, SUCCEEDED, FAILED, UNKNOWN = range(5)  # UNKNOWN: see NOTE(no-unknown-phase)
PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")

Update = tuple[ir.Var, ir.Expr | int]

# The PC3xx codes of model construction (documented in podcheck/diagnostics/codes.py).
PDB_SELECTS_NOTHING = codes.PDB_SELECTS_NOTHING
UNSUPPORTED = codes.UNSUPPORTED_PROPERTY_SHAPE
STATE_SPACE_BOUND = codes.LARGE_STATE_SPACE
PDB_FAIL_SAFE = codes.PDB_FAIL_SAFE
MULTIPLE_PDBS = codes.MULTIPLE_PDBS
BAD_KUBE_INPUT = codes.KUBERNETES_REJECTS_VALUE


def diagnostic(code: str, message: str, span: Span | None,
               severity: Severity = Severity.ERROR, help_: str | None = None) -> Diagnostic:
    """A model-construction diagnostic."""
    return Diagnostic(code, severity, message, span, help=help_)


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
    requests: dict[str, int] = field(default_factory=dict)
    pod: PodLike | None = None

    @property
    def model(self) -> PodLike:
        """The pod model (always set once the cluster is built)."""
        assert self.pod is not None, self.name
        return self.pod

    @property
    def kind(self) -> spec.WorkloadKind:
        """The kind of the owning workload."""
        return self.workload.kind


@dataclass(slots=True)
class Cluster:
    """Nodes, slots and the derived expressions every other model part reads."""

    spec: spec.CheckedSpec
    builder: Builder
    nodes: list[NodeSlot]
    slots: list[Slot]
    counters: dict[str, ir.Var] = field(default_factory=dict)
    on_delete: dict[str, list[Update]] = field(default_factory=dict)

    # ---- lookups
    def node_named(self, name: str) -> NodeSlot:
        """The node called `name`."""
        return next(n for n in self.nodes if n.name == name)

    def slots_of(self, workload: str) -> list[Slot]:
        """The slots of one workload, in ordinal order."""
        return [s for s in self.slots if s.workload.name == workload]

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

    def active(self, s: Slot) -> ir.Expr:
        """The kubelet runs the pod: it exists, is bound, and its node is not Down."""
        return ir.and_(s.exists, self.bound(s), ir.not_(self.node_down(s)))

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
        """The Ready condition: the kubelet says so and the node is not Down."""
        return ir.and_(self.active(s), s.model.ready)

    def terminal(self, s: Slot) -> ir.Expr:
        """The pod exists and is Succeeded or Failed."""
        return ir.and_(s.exists, s.model.terminal)

    def on_node(self, s: Slot, node: NodeSlot) -> ir.Expr:
        """The pod is bound to `node` and not terminal (what the node is running)."""
        return ir.and_(ir.eq(s.node, node.index), ir.not_(s.model.terminal))

    def node_state(self, node: NodeSlot) -> ir.Expr:
        """The node state in the property vocabulary: Ready, Cordoned, Down (a drained,
        uncordoned node is Ready again)."""
        return ir.ite(ir.eq(node.state, NODE_DRAINED), NODE_READY, node.state)

    def started(self) -> ir.Expr:
        """Some disruption from the environment block has happened (NOTE(settle-first))."""
        moved = [ir.op("!=", n.state, NODE_READY) for n in self.nodes]
        spent = [ir.op(">", v, 0) for k, v in sorted(self.counters.items()) if k.startswith("env.")]
        return ir.or_(*moved, *spent)

    def all_up(self) -> ir.Expr:
        """Every long-running pod (not a Job's) exists, is bound and is Ready or done."""
        return ir.and_(
            *(
                ir.and_(self.bound(s), ir.or_(self.ready(s), s.model.terminal))
                for s in self.slots
                if s.kind is not spec.WorkloadKind.JOB and not s.surge
            )
        )

    def may_disrupt(self) -> ir.Expr:
        """NOTE(settle-first): disruptions begin once every workload has come up."""
        return ir.or_(self.started(), self.all_up())

    # ---- updates
    def delete_updates(
        self, s: Slot, *, evicted: bool = False, counted: bool = True
    ) -> list[Update]:
        """The pod object is removed at once (no grace period) and its model reset;
        `counted`: owners that count deletions (a Job's failures) see this one."""
        ups: list[Update] = [(s.exists, 0), (s.node, 0), *s.model.reset_updates()]
        if s.evicted is not None:
            ups.append((s.evicted, int(evicted)))
        if s.endpoint is not None:
            ups.append((s.endpoint, 0))
        if counted:
            ups += self.on_delete.get(s.name, [])
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
        return ups

    def nodes_for(self, s: Slot) -> list[NodeSlot]:
        """The nodes the pod may run on (its own node for a DaemonSet pod)."""
        return [n for n in self.nodes if not s.pinned or n.index == s.pinned]


# ------------------------------------------------------------------------ layout


def slot_plan(workload: spec.Workload, nodes: Sequence[spec.Node], surge: int) -> list[
    tuple[str, int, bool]
]:
    """(slot name, pinned node index, is surge) for every slot of `workload`."""
    kind, name = workload.kind, workload.name
    if kind is spec.WorkloadKind.POD:
        return [(name, 0, False)]
    if kind is spec.WorkloadKind.DAEMONSET:
        return [(f"{name}-{n.name}", i, False) for i, n in enumerate(nodes, 1)]
    count = workload.parallelism if kind is spec.WorkloadKind.JOB else workload.replicas
    plan = [(f"{name}-{i}", 0, False) for i in range(1, count + 1)]
    return plan + [(f"{name}-{i}", 0, True) for i in range(count + 1, count + surge + 1)]


def initially_exists(workload: spec.Workload, ordinal: int, surge: bool) -> bool:
    """Slots whose pod the controller has already created when the model starts."""
    if surge:
        return False
    if workload.kind is spec.WorkloadKind.JOB:
        return ordinal < min(workload.parallelism, workload.completions)
    return True


def scaled_resources(
    nodes: Sequence[spec.Node], templates: Sequence[spec.PodTemplate]
) -> tuple[list[dict[str, int]], list[dict[str, int]]]:
    """Node capacities and effective pod requests (kube `pod_requests`) as small ints.

    Per resource, every quantity is divided by the greatest common divisor of all of
    them (as exact rationals), so `2` cpu and `500m` become 4 and 1.  A resource no
    node lists is unlimited and dropped; `pods` counts one per pod.
    """
    caps = [{r: Fraction(parse_quantity(q, f"{n.name}.{r}")) for r, q in n.capacity}
            for n in nodes]
    reqs = [{r: Fraction(q) for r, q in pod_requests(t.to_k8s()).items()} for t in templates]
    for r in reqs:
        r["pods"] = Fraction(1)
    names = sorted({r for c in caps for r in c})
    units = {name: _unit([*(c[name] for c in caps if name in c),
                          *(q[name] for q in reqs if name in q)]) for name in names}
    return (
        [{r: int(v / units[r]) for r, v in c.items()} for c in caps],
        [{r: -(-v // units[r]) for r, v in q.items() if r in units} for q in reqs],
    )


def _unit(values: list[Fraction]) -> Fraction:
    nonzero = [v for v in values if v]
    if not nonzero:
        return Fraction(1)
    denominator = math.lcm(*(v.denominator for v in nonzero))
    return Fraction(math.gcd(*(int(v * denominator) for v in nonzero)), denominator)


def recreation_bound(workload: spec.Workload, env: spec.Environment, nodes: int) -> int:
    """How often one slot's pod can be re-created: each deletion is caused by a
    bounded disruption (one eviction per drained node, one deletion per failed node,
    direct deletes, rollouts) or, for a Job, a counted completion or failure."""
    if workload.kind is spec.WorkloadKind.POD:
        return 0
    fails = nodes if env.nodeFailures or env.zoneFailures else 0
    bound = len(env.drain) + fails + env.podDeletes + env.rollouts
    if workload.kind is spec.WorkloadKind.JOB:
        bound += workload.completions + workload.backoffLimit + 1
    return bound


def build_cluster(
    sp: spec.CheckedSpec,
    builder: Builder,
    factory: PodFactory,
    tracking: Tracking,
    uid_bound: int,
) -> Cluster:
    """Declare the variables of every node and slot and instantiate the pod models.

    A tracked uid counts re-creations modulo `min(uid_bound, 1 + recreation_bound) + 1`
    (`ModelOptions.uid_bound`); raises `KubeInputError` for a quantity kube rejects.
    """
    names = ("none", *(n.name for n in sp.nodes))
    nodes = [
        NodeSlot(i, n.name, n.zone,
                 builder.enum_var(f"{n.name}.state", NODE_LABELS, "Ready",
                                  owner=f"node {n.name}", field_name="state"), {})
        for i, n in enumerate(sp.nodes, 1)
    ]
    caps, reqs = scaled_resources(sp.nodes, [w.template for w in sp.workloads])
    for n, cap in zip(nodes, caps, strict=True):
        n.capacity = cap
    cluster = Cluster(sp, builder, nodes, [])
    for w, req in zip(sp.workloads, reqs, strict=True):
        surge = surge_slots(w, sp.environment)
        bound = recreation_bound(w, sp.environment, len(nodes))
        for ordinal, (name, pinned, is_surge) in enumerate(slot_plan(w, sp.nodes, surge)):
            owner = f"pod {name}"
            exists = initially_exists(w, ordinal, is_surge)
            s = Slot(
                name, w, ordinal,
                builder.bool_var(f"{name}.exists", exists, owner=owner, field_name="exists"),
                builder.var(f"{name}.node", 0, len(nodes), 0, labels=names, owner=owner,
                            field_name="node"),
                pinned=pinned, surge=is_surge, requests=req,
            )
            if tracking.uid:
                s.uid = builder.var(f"{name}.uid", 0, min(uid_bound, 1 + bound), int(exists),
                                    owner=owner, field_name="uid")
            if tracking.evicted:
                s.evicted = builder.bool_var(f"{name}.evicted", owner=owner,
                                             field_name="evicted")
            if tracking.endpoint:
                s.endpoint = builder.bool_var(f"{name}.endpoint", owner=owner,
                                              field_name="endpoint")
            cluster.slots.append(s)
    for s in cluster.slots:
        s.pod = factory(builder, s.name, s.workload.template, cluster.active(s))
    return cluster


def surge_slots(workload: spec.Workload, env: spec.Environment) -> int:
    """Extra slots a rolling update may use (only when rollouts are enabled)."""
    if workload.kind is not spec.WorkloadKind.DEPLOYMENT or env.rollouts == 0:
        return 0
    return fenceposts(workload)[0]


def fenceposts(workload: spec.Workload) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) as pods: `ResolveFenceposts` of the deployment util
    (surge rounds up, unavailable down, both 0 means unavailable 1), the percentages
    scaled by the kube rule `scaled_value`."""
    surge = scaled_value(_kube_ip(workload.maxSurge), workload.replicas, round_up=True)
    unavailable = scaled_value(_kube_ip(workload.maxUnavailable), workload.replicas,
                               round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _kube_ip(value: spec.IntOrPercent) -> IntOrPercent:
    return IntOrPercent(value.value, value.percent)

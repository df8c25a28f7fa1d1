"""Graceful deletion: Terminating pods, their grace-period timer, and their removal.

Stage: internal to `podcheck.model`.  `slots.py` calls `declare_termination_vars` for
every slot whose pod a delete can leave Terminating and `spare_slots` for the layout;
`compile.py` calls `declare_termination` once the pod models exist, which registers the
timers and declares `pod_terminated` and `pod_killed` per slot.  The rules come from
`podcheck.kube.termination` through `kube_adapter.kill_window`.

NOTE(graceful-deletion): a delete (a user's, a controller's scale-down or clean-up, the
taint manager's, a granted eviction) of a pod that is bound, not Succeeded or Failed, and
whose template has `terminationGracePeriodSeconds` > 0 sets its deletion timestamp
(`terminating`) and arms `graceLeft` at the pod's latest SIGKILL instant L
(`CheckGracefulDelete`, `killContainer`: preStop inside the grace period, then at least
2 s after SIGTERM).  From then on the kubelet no longer runs the pod's containers (no
restart, no probe: the pod model is inactive) and the pod is gone either when its
containers have exited, at any instant from E (the end of the shortest preStop hooks)
on, or at L at the latest (`pod_killed`).  Every other delete removes the object at once:
`terminationGracePeriodSeconds: 0`, an unbound or finished pod (`CheckGracefulDelete`
gives 0), and a pod whose node is Down.  The last is the model's stance on a failed node
(its kubelet never confirms the kill, so Kubernetes keeps the pod Terminating until the
node object is deleted or the pod is force-deleted, pod GC `gcOrphaned` /
`gcTerminating`): a Down node is a node that is gone, as the taint eviction of its pods
already treats it; a pod that is Terminating when its node goes down is removed then too.
While Terminating, the pod keeps its node (the scheduler still counts its requests) and
is listed (`pods(...)` ranges over it), and no controller counts it: `IsPodActive` for
the ReplicaSet and Job controllers (a replacement is created at once), the disruption
controller's `countHealthyPods`, the StatefulSet controller's same-name rule (the ordinal
is re-created only once the object is gone), and the EndpointSlice controller's ready
condition.

NOTE(terminating-ready): the Ready condition of a Terminating pod keeps the value it had:
the kubelet does not drop it at the delete (prober `worker.doProbe` stops only liveness
and startup probes of a pod with a deletion timestamp and keeps probing readiness;
`GeneratePodReadyCondition` reads no deletion timestamp), and the model assumes the
container keeps answering until it exits; the exit may come at E, with no preStop hook
right after the delete, so a run in which the pod stops serving at once is covered.  Its
endpoint is not ready from the delete on (`podToEndpoint`: ready = serving and not
terminating), which `Cluster.healthy` gives the endpoints controller.

NOTE(terminating-spares): a ReplicaSet, Deployment or Job with Terminating pods needs
slots for their replacements: `spare_slots` adds `ModelOptions.terminating_spares` (1 by
default; None: as many as it has pods), never more than its pods can be deleted over the
run.  With fewer spares than Terminating pods, a replacement waits for a slot (the
controller lags until a Terminating pod is gone, at most its grace period): the model
then misses the runs in which two replacements of one workload are created while their
predecessors terminate (a property counting pod objects or placements of two surges at
once may hold here and not in Kubernetes; `terminating_spares=None` explores them).
Before graceful deletion was modelled no replacement ever overlapped its predecessor.
A DaemonSet has no spare: the DaemonSet controller skips a terminating pod
(`podsShouldBeOnNode`) and would create the node's new pod at once, the model creates it
once the old one is gone (at most its grace period later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.diagnostics import Span
from podcheck.model.clock import Clock, window_distance
from podcheck.model.cluster import Cluster, Slot, Update
from podcheck.model.kube_adapter import kill_window
from podcheck.model.options import ModelOptions
from podcheck.model.unobserved import observed
from podcheck.vocab import ActionKind, Actor, TaintEffect

_SPARING = (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET, spec.WorkloadKind.JOB)


def deleted_gracefully(w: spec.Workload, sp: spec.CheckedSpec) -> bool:
    """Whether a delete of a pod of `w` has a grace period: its template has one and
    something deletes its bound, running pods (`_disrupted`, or a Job's clean-up)."""
    if kill_window(w.template) is None:
        return False
    return w.kind is spec.WorkloadKind.JOB or _disrupted(w, sp)


def terminates(w: spec.Workload, sp: spec.CheckedSpec, options: ModelOptions) -> bool:
    """Whether the model leaves a deleted pod of `w` Terminating: it is deleted with a
    grace period (`deleted_gracefully`) and something can observe the difference
    (`unobserved.observed`; a preStop hook that holds the pod a while always can:
    NOTE(termination-unobserved))."""
    window = kill_window(w.template)
    if window is None or not deleted_gracefully(w, sp):
        return False
    return window.earliest > 0 or observed(w, sp, options.reduce_termination)


def reduced_workloads(sp: spec.CheckedSpec, options: ModelOptions) -> list[spec.Workload]:
    """The workloads deleted with a grace period whose pods the model removes at the
    delete all the same (NOTE(termination-unobserved))."""
    return [w for w in sp.workloads
            if deleted_gracefully(w, sp) and not terminates(w, sp, options)]


def _disrupted(w: spec.Workload, sp: spec.CheckedSpec) -> bool:
    """A delete can hit a running pod of `w` while its controller still wants it: a
    drain, direct deletes, a rollout's scale-down or update deletes, the taint manager
    on a NoExecute taint (a finished Job's clean-up wants no replacement)."""
    env = sp.environment
    if env.podDeletes:
        return True
    if (env.drain or env.scaleDown) and w.kind is not spec.WorkloadKind.DAEMONSET:
        return True  # evicted by kubectl drain or by the autoscaler's scale-down
    if env.rollouts and w.kind in (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.STATEFULSET):
        return True  # a Deployment's scale-down, a StatefulSet's update deletes
    return any(t.effect is TaintEffect.NO_EXECUTE for n in sp.nodes for t in n.taints)


def spare_slots(w: spec.Workload, sp: spec.CheckedSpec, deletions: int,
                options: ModelOptions) -> int:
    """NOTE(terminating-spares): the extra slots of `w` for replacements of Terminating
    pods, at most `deletions` (how often its pods can be deleted over the run)."""
    if w.kind not in _SPARING or not terminates(w, sp, options) or not _disrupted(w, sp):
        return 0
    count = w.parallelism if w.kind is spec.WorkloadKind.JOB else w.replicas
    if options.terminating_spares is not None:
        count = min(count, options.terminating_spares)
    return min(count, deletions)


def declare_termination_vars(clock: Clock, s: Slot) -> None:
    """The slot's deletion timestamp and its grace-period timer (0..L seconds)."""
    window = kill_window(s.workload.template)
    assert window is not None, s.name
    owner = f"pod {s.name}"
    s.terminating = clock.builder.var(f"{s.name}.terminating", 0, 1, 0,
                                      labels=("false", "true"), owner=owner,
                                      field_name="terminating")
    s.grace_left = clock.timer(f"{s.name}.graceLeft", window.latest, owner=owner,
                               field_name="graceLeft")


@dataclass(frozen=True, slots=True)
class Delete:
    """One kind of delete of a pod: who sends it and how it reads in a trace."""

    name: ActionKind
    label: str
    actor: Actor
    fairness: ir.Fairness = ir.Fairness.WEAK
    span: Span | None = None
    evicted: bool = False  # through the eviction API (DisruptionTarget)
    counted: bool = True  # owners that count deletions (a Job's failures) see it
    disrupted: bool = False  # the deleter marks the pod DisruptionTarget first


def removed_at_once(cluster: Cluster, s: Slot) -> ir.Expr:
    """NOTE(graceful-deletion): a delete removes the object at once, without a grace
    period: the pod is unbound or finished (`CheckGracefulDelete`), or its node is Down."""
    return ir.or_(ir.not_(cluster.bound(s)), s.model.terminal, cluster.node_down(s))


def kill_at(cluster: Cluster, s: Slot) -> int:
    """The seconds from a graceful delete to the SIGKILL of the pod's last container."""
    assert s.grace_left is not None, s.name
    return cluster.builder.vars[s.grace_left.index].hi


def termination_updates(cluster: Cluster, s: Slot, d: Delete) -> list[Update]:
    """A graceful delete `d`: the deletion timestamp is set and the grace timer armed; the
    DisruptionTarget history when evicted; a Job counts the pod as failed at once
    (`isPodFailed`: a terminating pod that has not succeeded); the kubelet timers are
    zeroed (NOTE(frozen-timers))."""
    assert s.terminating is not None and s.grace_left is not None, s.name
    start: list[Update] = [(s.terminating, 1), (s.grace_left, kill_at(cluster, s)),
                           *cluster.slot_resets.get(s.name, [])]
    if s.evicted is not None:
        start.append((s.evicted, int(d.evicted)))
    if d.counted:
        start += cluster.owner_counts(s, d.evicted, d.disrupted)
    if s.counted is not None:
        start.append((s.counted, 1))
    start += [(v, 0) for v in s.frozen]
    return start


def declare_delete(cluster: Cluster, s: Slot, d: Delete, guard: ir.Expr,
                   extra: Sequence[Update] = (), node: str = "") -> None:
    """Declare the delete `d` of slot `s`'s pod under `guard` (with `extra` updates; `node`
    names the node in the action's parameters):
    one action removing the object at once, and, where the pod has a grace period, a
    second one leaving it Terminating (NOTE(graceful-deletion)); split by
    `removed_at_once`, so each action's updates are constants where a slot is
    emptied (NOTE(lowest-free) in engine/vacancy.py reads them)."""
    b, pod = cluster.builder, (("pod", s.name), *((("node", node),) if node else ()))
    gone = [*cluster.removal_updates(s, evicted=d.evicted, counted=d.counted,
                                     disrupted=d.disrupted), *extra]
    if s.terminating is None:
        b.action(d.name, pod, guard, gone, d.label, d.actor, d.fairness, d.span)
        return
    at_once = removed_at_once(cluster, s)
    b.action(d.name, pod, ir.and_(guard, at_once), gone, d.label, d.actor, d.fairness, d.span)
    grace = s.workload.template.terminationGracePeriodSeconds
    start = [*termination_updates(cluster, s, d), *extra]
    b.action(d.name, pod, ir.and_(guard, ir.not_(at_once)), start,
             f"{d.label}; it is Terminating (grace {grace} s)", d.actor, d.fairness, d.span)


def chosen_delete_updates(cluster: Cluster, s: Slot, d: Delete, pick: ir.Expr) -> list[Update]:
    """The updates of one action that deletes slot `s`'s pod where `pick` holds, among
    several pods (a StatefulSet's update deletes): removed at once or left Terminating as
    `declare_delete` splits it, each variable an `ite` on the pre-state (`pick`, then
    `removed_at_once`), unchanged where `pick` is false."""
    gone = dict(cluster.delete_updates(s, evicted=d.evicted, counted=d.counted,
                                       disrupted=d.disrupted))
    if s.terminating is None:
        return [(var, ir.ite(pick, _expr(value), var)) for var, value in gone.items()]
    start = dict(termination_updates(cluster, s, d))
    at_once = removed_at_once(cluster, s)
    return [(var, ir.ite(pick, ir.ite(at_once, _expr(gone.get(var, var)),
                                      _expr(start.get(var, var))), var))
            for var in dict.fromkeys([*gone, *start])]


def _expr(value: ir.Expr | int) -> ir.Expr:
    return ir.Const(value) if isinstance(value, int) else value


def freeze_timers(cluster: Cluster, clock: Clock) -> None:
    """NOTE(frozen-timers): list, per slot that can terminate, the clock timers of its
    kubelet model (probe, back-off, process and deadline timers), which a graceful delete
    zeroes.  From the deletion on the kubelet never runs the pod again (its timers are
    inactive until the removal resets them) and no observable reads a timer, so their
    values are dead; zeroing them merges states that differ only there.  Call after the
    pod models exist and before any delete is declared."""
    owned: dict[str, list[ir.Var]] = {}
    for t in clock.timers:
        owned.setdefault(cluster.builder.vars[t.var.index].owner, []).append(t.var)
    for s in cluster.slots:
        if s.terminating is None:
            continue
        keep = {v.index for v in (s.grace_left, s.age) if v is not None}
        s.frozen = [v for v in owned.get(f"pod {s.name}", []) if v.index not in keep]


def declare_termination(cluster: Cluster, clock: Clock) -> None:
    """Register every grace-period timer and declare `pod_terminated` / `pod_killed`."""
    for s in cluster.slots:
        if s.terminating is not None:
            _declare_slot(cluster, clock, s)


def _declare_slot(cluster: Cluster, clock: Clock, s: Slot) -> None:
    window = kill_window(s.workload.template)
    assert window is not None and s.grace_left is not None
    left, b = s.grace_left, cluster.builder
    grace = s.workload.template.terminationGracePeriodSeconds
    going = cluster.terminating(s)
    opened = ir.op("<=", left, window.latest - window.earliest)
    down = cluster.node_down(s)
    clock.register(left, ir.and_(going, cluster.reported(s)),
                   window_distance(left, window.latest - window.earliest))
    clock.may_wait(left, ir.and_(going, ir.op(">", left, 0)))
    clock.window(ir.and_(going, opened, ir.op(">", left, 0)))
    pod = (("pod", s.name),)
    gone = cluster.removal_updates(s, evicted=None, counted=False)
    b.action(ActionKind.POD_TERMINATED, pod,
             ir.and_(going, ir.or_(ir.and_(opened, ir.op(">", left, 0)), down)), gone,
             f"pod {s.name} finishes terminating: its containers exited after preStop and "
             f"SIGTERM, within its {grace} s grace period (or its node is gone); the pod "
             "object is removed", Actor.KUBELET, ir.Fairness.WEAK, s.workload.span)
    b.action(ActionKind.POD_KILLED, pod,
             ir.and_(going, ir.eq(left, 0), ir.not_(down)), gone,
             f"the {grace} s grace period of pod {s.name} is over: the kubelet kills its "
             "containers (SIGKILL) and the pod object is removed", Actor.KUBELET,
             ir.Fairness.WEAK, s.workload.span)

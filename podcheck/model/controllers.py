"""Workload controllers: ReplicaSet/Deployment, Job and DaemonSet, as IR actions.

Stage: internal to `podcheck.model` (called by `compile.compile_spec` after
`cluster.build_cluster`).  Consumes a `Cluster`; declares each controller's actions on
its builder (and the Job counters), and returns nothing.  Also the scheduler
(`declare_scheduler`), the taint eviction controller and the EndpointSlice controller.

- ReplicaSet controller (`manageReplicas`): a missing pod is re-created, one create
  per action, into the lowest absent slot (NOTE(pod-slots)).
- Deployment controller, rolling update (`rolloutRolling`): a rollout bumps the
  template revision; the controller creates new-revision pods while the total stays
  within `replicas + maxSurge` and deletes old-revision pods while the Ready pods that
  remain are at least `replicas - maxUnavailable` (fenceposts from `ResolveFenceposts`).
  Abstracted: one ReplicaSet per revision is not materialised (a slot's `revision`
  says which one owns it), minReadySeconds is 0 (available = Ready), and the new
  template runs the same pod model as the old one.
- Job controller (`syncJob`, finalizer tracking): keeps `min(parallelism,
  completions - succeeded)` pods, counts a Succeeded pod towards completions and a
  Failed or deleted one towards `backoffLimit`; past it the Job is Failed
  (BackoffLimitExceeded) and its remaining pods are deleted.  A counted pod's slot is
  freed (the finished pod object is not modelled further); the exponential re-create
  back-off is abstracted (no delay).
- DaemonSet controller: one pod per node, pinned to it, re-created when deleted.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import (
    FAILED,
    NODE_CORDONED,
    NODE_DRAINED,
    NODE_READY,
    SUCCEEDED,
    Cluster,
    NodeSlot,
    Slot,
    fenceposts,
)


def declare_controllers(cluster: Cluster) -> None:
    """Declare every workload controller's actions."""
    for w in cluster.spec.workloads:
        slots = cluster.slots_of(w.name)
        if w.kind in (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET):
            _replicaset(cluster, w, slots)
        elif w.kind is spec.WorkloadKind.JOB:
            _job(cluster, w, slots)
        elif w.kind is spec.WorkloadKind.DAEMONSET:
            _daemonset(cluster, slots)


def declare_job_counters(cluster: Cluster) -> None:
    """Job status counters; a deleted Job pod counts as failed (before any action
    that deletes pods is declared)."""
    b = cluster.builder
    for w in cluster.spec.workloads:
        if w.kind is not spec.WorkloadKind.JOB:
            continue
        owner = f"job {w.name}"
        done = b.var(f"{w.name}.succeeded", 0, w.completions, 0, owner=owner,
                     field_name="succeeded")
        failed = b.var(f"{w.name}.failed", 0, w.backoffLimit + 1, 0, owner=owner,
                       field_name="failed")
        cluster.counters[f"job.{w.name}.succeeded"] = done
        cluster.counters[f"job.{w.name}.failed"] = failed
        for s in cluster.slots_of(w.name):
            cluster.on_delete[s.name] = [(failed, _bump(failed, w.backoffLimit + 1))]


def job_complete(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job has its completions (condition Complete)."""
    return ir.op(">=", cluster.counters[f"job.{w.name}.succeeded"], w.completions)


def job_failed(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job exceeded its backoffLimit (condition Failed, BackoffLimitExceeded)."""
    return ir.op(">", cluster.counters[f"job.{w.name}.failed"], w.backoffLimit)


def declare_revisions(cluster: Cluster) -> None:
    """A revision counter per Deployment and per slot, when rollouts are enabled."""
    env = cluster.spec.environment
    if not env.rollouts:
        return
    b = cluster.builder
    for w in cluster.spec.workloads:
        if w.kind is not spec.WorkloadKind.DEPLOYMENT:
            continue
        cluster.counters[f"env.rollouts.{w.name}"] = b.var(
            f"{w.name}.revision", 0, env.rollouts, 0, owner=f"deployment {w.name}",
            field_name="revision")
        for s in cluster.slots_of(w.name):
            s.revision = b.var(f"{s.name}.revision", 0, env.rollouts, 0,
                               owner=f"pod {s.name}", field_name="revision")


def _bump(var: ir.Var, hi: int) -> ir.Expr:
    return ir.op("min", ir.op("+", var, 1), hi)


def _lowest_absent(slots: list[Slot], s: Slot) -> ir.Expr:
    """`s` is absent and every earlier slot exists (NOTE(pod-slots))."""
    return ir.and_(ir.not_(s.exists), *(o.exists for o in slots if o.ordinal < s.ordinal))


def _replicaset(cluster: Cluster, w: spec.Workload, slots: list[Slot]) -> None:
    b = cluster.builder
    revision = cluster.counters.get(f"env.rollouts.{w.name}")
    existing = ir.count(*(s.exists for s in slots))
    if revision is None:
        room = ir.op("<", existing, w.replicas)
    else:
        _rollout(cluster, w, slots, revision)
        surge, _ = fenceposts(w)
        new = ir.count(*(ir.and_(s.exists, ir.eq(_rev(s), revision)) for s in slots))
        room = ir.and_(ir.op("<", existing, w.replicas + surge),
                       ir.op("<", new, w.replicas))
    who = "deployment-controller" if revision is not None else "replicaset-controller"
    for s in slots:
        b.action("create_pod", (("pod", s.name),), ir.and_(_lowest_absent(slots, s), room),
                 cluster.create_updates(s, revision),
                 f"the ReplicaSet controller of {w.kind.value} {w.name} creates pod "
                 f"{s.name} (a new uid)", who, span=w.span)


def _rev(s: Slot) -> ir.Expr:
    assert s.revision is not None
    return s.revision


def _rollout(cluster: Cluster, w: spec.Workload, slots: list[Slot], revision: ir.Var) -> None:
    b, env = cluster.builder, cluster.spec.environment
    old = [ir.and_(s.exists, ir.op("!=", _rev(s), revision)) for s in slots]
    b.action("rollout", (("deployment", w.name),),
             ir.and_(cluster.may_disrupt(), ir.op("<", revision, env.rollouts),
                     ir.not_(ir.or_(*old))),
             [(revision, ir.op("+", revision, 1))],
             f"a user changes the pod template of Deployment {w.name} (a rollout starts)",
             "environment", ir.Fairness.NONE, env.span)
    _, unavailable = fenceposts(w)
    ready = [cluster.ready(s) for s in slots]
    for s, is_old, is_ready in zip(slots, old, ready, strict=True):
        remaining = ir.op("-", ir.count(*ready), ir.ite(is_ready, 1, 0))
        b.action("scale_down_old", (("pod", s.name),),
                 ir.and_(is_old, ir.op(">=", remaining, w.replicas - unavailable)),
                 cluster.delete_updates(s),
                 f"the Deployment controller scales down the old ReplicaSet of {w.name}: "
                 f"deletes pod {s.name}", "deployment-controller", span=w.span)


def _job(cluster: Cluster, w: spec.Workload, slots: list[Slot]) -> None:
    b = cluster.builder
    done = cluster.counters[f"job.{w.name}.succeeded"]
    failed = cluster.counters[f"job.{w.name}.failed"]
    finished = ir.or_(job_complete(cluster, w), job_failed(cluster, w))
    existing = ir.count(*(s.exists for s in slots))
    want = ir.op("<", ir.op("+", existing, done), w.completions)
    for s in slots:
        b.action("create_pod", (("pod", s.name),),
                 ir.and_(_lowest_absent(slots, s), ir.not_(finished), want),
                 cluster.create_updates(s),
                 f"the Job controller of {w.name} creates pod {s.name} (a new uid)",
                 "job-controller", span=w.span)
        phase = s.model.phase
        freed = cluster.delete_updates(s, counted=False)
        b.action("job_count", (("pod", s.name),),
                 ir.and_(s.exists, ir.eq(phase, SUCCEEDED)),
                 [*freed, (done, _bump(done, w.completions))],
                 f"the Job controller counts pod {s.name} as succeeded", "job-controller",
                 span=w.span)
        b.action("job_count", (("pod", s.name),),
                 ir.and_(s.exists, ir.eq(phase, FAILED)),
                 [*freed, (failed, _bump(failed, w.backoffLimit + 1))],
                 f"the Job controller counts pod {s.name} as failed", "job-controller",
                 span=w.span)
        b.action("job_cleanup", (("pod", s.name),),
                 ir.and_(s.exists, finished, ir.not_(s.model.terminal)),
                 freed,
                 f"the Job {w.name} is finished: the Job controller deletes its pod {s.name}",
                 "job-controller", span=w.span)


def _daemonset(cluster: Cluster, slots: list[Slot]) -> None:
    b = cluster.builder
    for s in slots:
        b.action("create_pod", (("pod", s.name),), ir.not_(s.exists), cluster.create_updates(s),
                 f"the DaemonSet controller creates pod {s.name} for its node (a new uid)",
                 "daemonset-controller", span=s.workload.span)


# ------------------------------------------------------------------------ scheduler & co


def declare_scheduler(cluster: Cluster) -> None:
    """The scheduler binds a pending pod to a schedulable node where it fits.

    Filter: node Ready (not cordoned, not Down; a DaemonSet pod tolerates the
    unschedulable taint and may only go to its own node) and, per resource the pod
    requests and the node limits, requests of the non-terminal pods already bound
    there plus the pod's own fit the capacity (NodeResourcesFit).  Scoring is
    abstracted: any feasible node may be chosen.
    """
    b = cluster.builder
    for s in cluster.slots:
        for n in cluster.nodes_for(s):
            allowed = (NODE_READY, NODE_DRAINED, NODE_CORDONED) if s.pinned else (
                NODE_READY, NODE_DRAINED)
            guard = ir.and_(
                s.exists, ir.eq(s.node, 0),
                ir.or_(*(ir.eq(n.state, v) for v in allowed)),
                *fits(cluster, s, n),
            )
            b.action("bind", (("pod", s.name), ("node", n.name)), guard, [(s.node, n.index)],
                     f"the scheduler binds pod {s.name} to node {n.name}", "scheduler",
                     span=s.workload.span)


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


def declare_taint_eviction(cluster: Cluster) -> None:
    """The taint eviction controller deletes pods from a Down node once their
    not-ready/unreachable toleration (300 s by default) expires; DaemonSet pods
    tolerate those taints forever and stay (not Ready, reason NodeLost)."""
    b = cluster.builder
    for s in cluster.slots:
        if s.kind is spec.WorkloadKind.DAEMONSET:
            continue
        b.action(
            "taint_evict", (("pod", s.name),), ir.and_(s.exists, cluster.node_down(s)),
            cluster.delete_updates(s),
            f"the taint eviction controller deletes pod {s.name} from its unreachable node "
            "(the 300s node.kubernetes.io/unreachable toleration expired)",
            "taint-eviction-controller", span=cluster.spec.environment.span)


def declare_endpoints(cluster: Cluster) -> None:
    """The EndpointSlice controller catches up with a pod's Ready condition (a lag)."""
    b = cluster.builder
    for s in cluster.slots:
        if s.endpoint is None:
            continue
        ready = cluster.ready(s)
        b.action("sync_endpoint", (("pod", s.name),),
                 ir.and_(s.exists, ir.op("!=", s.endpoint, ready)), [(s.endpoint, ready)],
                 f"the EndpointSlice controller updates the endpoint of pod {s.name} "
                 "to its Ready condition", "endpointslice-controller")

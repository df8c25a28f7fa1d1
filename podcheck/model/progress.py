"""The Deployment controller's Progressing condition and `progressDeadlineSeconds`.

Stage: internal to `podcheck.model` (called by `compile.build_model` when a property
reads the condition: the built-in check `rollout-progresses`).  Consumes a `Cluster` and
the `Clock`; declares per Deployment the condition variable `progressing` (one of
`vocab.ProgressingReason`: status True for all but ProgressDeadlineExceeded), the timer
`progressLeft` and the action `progress_deadline_exceeded`, and then (`synchronise`)
extends every action with the status sync of the condition.

NOTE(progress-deadline): the rules are `kube.rollout`'s (Kubernetes v1.35,
pkg/controller/deployment/progress.go `syncRolloutStatus`, util `DeploymentComplete`,
`DeploymentProgressing`, `DeploymentTimedOut`; sync.go `getNewReplicaSet` for
NewReplicaSetCreated).  The Deployment starts with its ReplicaSet just created
(NewReplicaSetCreated: the first rollout is a rollout too), and a rollout sets it
again.  The controller syncs its status after every change it sees, so every action
is extended with the sync: once complete (every replica updated, no other replica,
all available) the reason becomes NewReplicaSetAvailable and stays while no other
replica exists; else a step with progress (more updated, fewer old, more ready or more
available replicas than before it) sets ReplicaSetUpdated and restarts the deadline,
and when `progressDeadlineSeconds` pass without progress (`lastUpdateTime + deadline`
strictly before now: deadline + 1 whole seconds) the controller sets False,
ProgressDeadlineExceeded (its resync is requeued for that instant,
`requeueStuckDeployment`: the action is due then).  Abstracted: available = Ready
(minReadySeconds 0), the observed generation is always current, and the status the
controller compares with is the state before the step.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from podcheck import ir, spec
from podcheck.kube.rollout import has_progress_deadline
from podcheck.model.clock import Clock
from podcheck.model.cluster import Cluster
from podcheck.model.layout import Builder
from podcheck.model.replicaset import revision_of
from podcheck.model.timed import substitute
from podcheck.vocab import ActionKind, Actor, ProgressingReason, words

CHECK = "rollout-progresses"
REASONS = words(ProgressingReason)
CREATED, UPDATED, AVAILABLE, TIMED_OUT = (REASONS.index(r) for r in ProgressingReason)


@dataclass(frozen=True, slots=True)
class Progress:
    """One Deployment's condition and deadline timer, and the status counts the sync
    reads (replicas, updated, ready, available) as expressions over a state."""

    workload: spec.Workload
    cond: ir.Var
    left: ir.Var
    deadline: int
    status: tuple[ir.Expr, ir.Expr, ir.Expr, ir.Expr]


def wanted(sp: spec.CheckedSpec) -> bool:
    """True when a property reads the Progressing condition."""
    return any(d.builtin == CHECK for d in sp.properties)


def declare_progress(cluster: Cluster, clock: Clock) -> list[Progress]:
    """The condition, timer and timeout action of every Deployment with a progress
    deadline (call before `clock.build`; NOTE(progress-deadline))."""
    out = []
    b = cluster.builder
    for w in cluster.spec.workloads:
        if w.kind is not spec.WorkloadKind.DEPLOYMENT:
            continue
        if not has_progress_deadline(w.progressDeadlineSeconds):
            continue
        owner, top = f"deployment {w.name}", w.progressDeadlineSeconds + 1
        cond = b.enum_var(f"{w.name}.progressing", REASONS, ProgressingReason.NEW_RS_CREATED,
                          owner=owner, field_name="progressing")
        left = clock.timer(f"{w.name}.progressLeft", top, init=top, owner=owner,
                           field_name="progressLeft")
        running = ir.or_(ir.eq(cond, CREATED), ir.eq(cond, UPDATED))
        clock.register(left, running)
        b.action(ActionKind.PROGRESS_DEADLINE_EXCEEDED, (("deployment", w.name),),
                 ir.and_(running, ir.eq(left, 0)), [(cond, TIMED_OUT)],
                 f"the Deployment controller sets Progressing of {w.name} to False: "
                 f"{ProgressingReason.TIMED_OUT} (no progress for "
                 f"{w.progressDeadlineSeconds}s)", Actor.DEPLOYMENT_CONTROLLER, span=w.span)
        cluster.counters.progressing[w.name] = cond
        out.append(Progress(w, cond, left, w.progressDeadlineSeconds, _status(cluster, w)))
    return out


def _status(cluster: Cluster, w: spec.Workload) -> tuple[ir.Expr, ir.Expr, ir.Expr, ir.Expr]:
    """`status.replicas`, `updatedReplicas`, `readyReplicas`, `availableReplicas`."""
    slots = cluster.slots_of(w.name)
    revision = cluster.counters.revisions.get(w.name)
    updated = [s.exists if revision is None else ir.and_(s.exists, ir.eq(revision_of(s), revision))
               for s in slots]  # fmt: skip
    ready = ir.count(*(cluster.ready(s) for s in slots))
    return ir.count(*(s.exists for s in slots)), ir.count(*updated), ready, ready


def synchronise(builder: Builder, progress: list[Progress]) -> None:
    """Extend every declared action with the status sync of NOTE(progress-deadline)
    (call once, after every action is declared)."""
    if progress:
        builder.actions[:] = [_extend(a, progress) for a in builder.actions]


def _extend(a: ir.Action, progress: list[Progress]) -> ir.Action:
    ups = dict(a.updates)
    for p in progress:
        if _rollout_of(a, p.workload):
            ups[p.cond.index], ups[p.left.index] = ir.Const(CREATED), ir.Const(p.deadline + 1)
            continue
        before = p.status
        after = tuple(substitute(e, a.updates) for e in before)
        if all(x is y for x, y in zip(before, after, strict=True)):
            continue  # the step changes no count the controller reads
        ups[p.cond.index], ups[p.left.index] = _sync(p, before, after, ups)
    return replace(a, updates=tuple(ups.items()))


def _rollout_of(a: ir.Action, w: spec.Workload) -> bool:
    return a.name == ActionKind.ROLLOUT and dict(a.params).get("deployment") == w.name


def _sync(p: Progress, old: tuple[ir.Expr, ...], new: tuple[ir.Expr, ...],
          ups: dict[int, ir.Expr]) -> tuple[ir.Expr, ir.Expr]:  # fmt: skip
    """The condition and timer after a step from status `old` to `new` (kube
    `sync_progressing`)."""
    cond, left = ups.get(p.cond.index, p.cond), ups.get(p.left.index, p.left)
    replicas, updated, ready, available = new
    want = p.workload.replicas
    done = ir.and_(ir.eq(replicas, updated), ir.eq(cond, AVAILABLE))
    complete = ir.and_(ir.eq(updated, want), ir.eq(replicas, want), ir.eq(available, want))
    progressed = ir.or_(ir.op(">", updated, old[1]),
                        ir.op("<", ir.op("-", replicas, updated), ir.op("-", old[0], old[1])),
                        ir.op(">", ready, old[2]), ir.op(">", available, old[3]))
    fresh = ir.and_(ir.not_(done), ir.not_(complete), progressed)
    next_cond = ir.ite(done, cond, ir.ite(complete, AVAILABLE, ir.ite(progressed, UPDATED, cond)))
    return next_cond, ir.ite(fresh, p.deadline + 1, left)


def never_timed_out(cluster: Cluster, names: tuple[str, ...]) -> ir.Expr:
    """The built-in `rollout-progresses`: no (named) Deployment's condition is False,
    ProgressDeadlineExceeded."""
    return ir.and_(*(ir.op("!=", v, TIMED_OUT) for n, v in cluster.counters.progressing.items()
                     if not names or n in names))

"""The Job controller, as IR actions.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and one Job (its counters are laid out by `slots.py`); declares `create_pod`,
`job_count` and `job_cleanup` per slot.  `job_complete` / `job_failed` are the Job's
conditions, which `props.py` reads.

`syncJob` with finalizer tracking (pkg/controller/job/job_controller.go): keeps
`min(parallelism, completions - succeeded)` pods, counts a Succeeded pod towards
completions and a Failed or deleted one towards `backoffLimit`; past it the Job is
Failed (BackoffLimitExceeded) and its remaining pods are deleted.  A counted pod's slot
is freed (the finished pod object is not modelled further); the exponential re-create
back-off is abstracted (no delay).
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import FAILED, SUCCEEDED, Cluster
from podcheck.model.replicaset import lowest_absent
from podcheck.vocab import ActionKind, Actor


def job_complete(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job has its completions (condition Complete)."""
    return ir.op(">=", cluster.counters.job_succeeded[w.name], w.completions)


def job_failed(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job exceeded its backoffLimit (condition Failed, BackoffLimitExceeded)."""
    return ir.op(">", cluster.counters.job_failed[w.name], w.backoffLimit)


def _bump(var: ir.Var, hi: int) -> ir.Expr:
    return ir.op("min", ir.op("+", var, 1), hi)


def declare_job(cluster: Cluster, w: spec.Workload) -> None:
    """Declare the Job controller's actions for every slot of Job `w`."""
    b, slots = cluster.builder, cluster.slots_of(w.name)
    done, failed = cluster.counters.job_succeeded[w.name], cluster.counters.job_failed[w.name]
    finished = ir.or_(job_complete(cluster, w), job_failed(cluster, w))
    existing = ir.count(*(s.exists for s in slots))
    want = ir.op("<", ir.op("+", existing, done), w.completions)
    who, where, lowest = Actor.JOB_CONTROLLER, w.span, lowest_absent(slots)
    for s in slots:
        pod = (("pod", s.name),)
        b.action(ActionKind.CREATE_POD, pod,
                 ir.and_(lowest(s), ir.not_(finished), want),
                 cluster.create_updates(s),
                 f"the Job controller of {w.name} creates pod {s.name} (a new uid)",
                 who, span=where)
        phase = s.model.phase
        freed = cluster.delete_updates(s, counted=False)
        b.action(ActionKind.JOB_COUNT, pod, ir.and_(s.exists, ir.eq(phase, SUCCEEDED)),
                 [*freed, (done, _bump(done, w.completions))],
                 f"the Job controller counts pod {s.name} as succeeded", who, span=where)
        b.action(ActionKind.JOB_COUNT, pod, ir.and_(s.exists, ir.eq(phase, FAILED)),
                 [*freed, (failed, _bump(failed, w.backoffLimit + 1))],
                 f"the Job controller counts pod {s.name} as failed", who, span=where)
        b.action(ActionKind.JOB_CLEANUP, pod,
                 ir.and_(s.exists, finished, ir.not_(s.model.terminal)), freed,
                 f"the Job {w.name} is finished: the Job controller deletes its pod {s.name}",
                 who, span=where)

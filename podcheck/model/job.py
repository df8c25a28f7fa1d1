"""The Job controller, as IR actions.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and one Job (its counters, back-off flag and per-slot `counted` are laid out by
`slots.py`); declares `create_pod`, `job_count`, `job_backoff_limit` and `job_cleanup`
per slot.  `job_complete` / `job_failed` are the Job's conditions, which `props.py`
reads.

`syncJob` with finalizer tracking (pkg/controller/job/job_controller.go): keeps
`min(parallelism, completions - succeeded)` pods, counts a Succeeded pod towards
completions and a Failed or deleted one towards `backoffLimit`; past it the Job is
Failed (BackoffLimitExceeded) and its remaining pods are deleted.  Under the template's
`restartPolicy: OnFailure` the Job also fails when the restart counts of its Pending and
Running pods sum to `backoffLimit` (`pastBackoffLimitOnFailure`, kube
`past_backoff_limit_core`).  NOTE(job-pods-listed): a counted pod stays listed, Succeeded
or Failed with its reason, as `kubectl get pods` shows it (the controller only removes
its tracking finalizer); the model keeps the latest pod object per slot, so a counted pod
is dropped from the model when the controller creates a replacement in its slot.  The
exponential re-create back-off is abstracted (no delay).
"""

from __future__ import annotations

from collections.abc import Callable

from podcheck import ir, spec
from podcheck.model.cluster import FAILED, PENDING, RUNNING, SUCCEEDED, Cluster, Slot
from podcheck.model.termination import Delete, declare_delete
from podcheck.model.updates import Updates
from podcheck.vocab import ActionKind, Actor, Reason, RestartPolicy, words


def job_complete(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job has its completions (condition Complete)."""
    return ir.op(">=", cluster.counters.job_succeeded[w.name], w.completions)


def job_failed(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job failed with BackoffLimitExceeded (condition Failed): more failed pods than
    backoffLimit, or, under OnFailure, its pods' restarts reached backoffLimit."""
    failed = ir.op(">", cluster.counters.job_failed[w.name], w.backoffLimit)
    exceeded = cluster.counters.job_backoff_exceeded.get(w.name)
    return failed if exceeded is None else ir.or_(failed, ir.eq(exceeded, 1))


def job_field(cluster: Cluster, w: spec.Workload, name: str
              ) -> tuple[ir.Expr, tuple[str, ...] | None]:
    """A Job field (spec.JOB_FIELDS) of Job `w` and its vocabulary; `reason` indexes
    `words(Reason)` (none: its length)."""
    counters, reasons = cluster.counters, words(Reason)
    fields: dict[str, ir.Expr] = {
        "complete": job_complete(cluster, w),
        "failed": job_failed(cluster, w),
        "succeeded": counters.job_succeeded[w.name],
        "failures": counters.job_failed[w.name],
        "active": ir.count(*(ir.and_(s.exists, ir.eq(_counted(s), 0))
                             for s in cluster.slots_of(w.name))),
        "reason": ir.ite(job_failed(cluster, w), reasons.index(Reason.BACKOFF_LIMIT_EXCEEDED),
                         len(reasons)),
    }
    return fields[name], reasons if name == "reason" else None


def restarts_past_limit(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """`pastBackoffLimitOnFailure` in IR (kube `past_backoff_limit_core`): the restart
    counts of every container of the Job's Pending and Running pods, summed, reach
    backoffLimit (are positive when it is 0); false unless the template's restartPolicy
    is OnFailure.  Exact while each count saturates at or above backoffLimit (see
    `restart_reads`)."""
    if w.template.restartPolicy is not RestartPolicy.ON_FAILURE:
        return ir.FALSE
    live = [ir.ite(ir.and_(cluster.live(s), ir.or_(ir.eq(s.model.phase, PENDING),
                                            ir.eq(s.model.phase, RUNNING))),
                   s.model.pod_field("restarts"), 0)
            for s in cluster.slots_of(w.name)]
    total = ir.sum_(*live)
    return ir.op(">", total, 0) if w.backoffLimit == 0 else ir.op(">=", total, w.backoffLimit)


def restart_reads(w: spec.Workload) -> int:
    """The restart count the Job controller compares with (its backoffLimit under
    OnFailure, at least 1), 0 when it reads none: a container's count that saturates at
    this value keeps `restarts_past_limit` exact (a saturated count alone reaches it)."""
    if w.kind is not spec.WorkloadKind.JOB or w.template.restartPolicy is not \
            RestartPolicy.ON_FAILURE:
        return 0
    return max(1, w.backoffLimit)


def _bump(var: ir.Var, hi: int) -> ir.Expr:
    return ir.op("min", ir.op("+", var, 1), hi)


def _counted(s: Slot) -> ir.Var:
    assert s.counted is not None, s.name
    return s.counted


def _free(s: Slot) -> ir.Expr:
    """The slot holds no pod the controller still owns: absent, or counted and not
    Terminating (a terminating pod keeps its slot until it is gone)."""
    going = ir.eq(s.terminating, 1) if s.terminating is not None else ir.FALSE
    return ir.or_(ir.not_(s.exists), ir.and_(ir.eq(_counted(s), 1), ir.not_(going)))


def _lowest_free(slots: list[Slot]) -> Callable[[Slot], ir.Expr]:
    """For a slot `s`, "`s` is the lowest free slot" (free: `_free`), as one shared
    minimum over the slots' ordinals (NOTE(linear-lowest-absent) in model/replicaset.py)."""
    top = max((o.ordinal for o in slots), default=0) + 1
    lowest = ir.op("min", top, *(ir.ite(_free(o), o.ordinal, top) for o in slots))

    def guard(s: Slot) -> ir.Expr:
        return ir.eq(lowest, s.ordinal)
    return guard


def _replace(cluster: Cluster, s: Slot) -> Updates:
    """A new pod in the slot: a counted pod there is dropped from the model first."""
    ups = dict(cluster.delete_updates(s, counted=False))
    ups.update(cluster.create_updates(s))
    return list(ups.items())


def declare_job(cluster: Cluster, w: spec.Workload) -> None:
    """Declare the Job controller's actions for every slot of Job `w`."""
    b, slots = cluster.builder, cluster.slots_of(w.name)
    done, failed = cluster.counters.job_succeeded[w.name], cluster.counters.job_failed[w.name]
    finished = ir.or_(job_complete(cluster, w), job_failed(cluster, w))
    active = ir.count(*(ir.and_(s.exists, ir.eq(_counted(s), 0)) for s in slots))
    want = ir.op("<", ir.op("+", active, done), w.completions)
    who, where, lowest = Actor.JOB_CONTROLLER, w.span, _lowest_free(slots)
    for s in slots:
        pod, counted = (("pod", s.name),), s.counted
        assert counted is not None
        may = ir.and_(lowest(s), ir.not_(finished), want)
        b.action(ActionKind.CREATE_POD, pod, ir.and_(ir.not_(s.exists), may),
                 cluster.create_updates(s),
                 f"the Job controller of {w.name} creates pod {s.name} (a new uid)",
                 who, span=where)
        b.action(ActionKind.CREATE_POD, pod, ir.and_(cluster.live(s), ir.eq(counted, 1), may),
                 _replace(cluster, s),
                 f"the Job controller of {w.name} creates pod {s.name} (a new uid; the "
                 "model stops showing the counted pod it replaces)", who, span=where)
        phase, fresh = s.model.phase, ir.and_(s.exists, ir.eq(counted, 0))
        b.action(ActionKind.JOB_COUNT, pod, ir.and_(fresh, ir.eq(phase, SUCCEEDED)),
                 [(counted, 1), (done, _bump(done, w.completions))],
                 f"the Job controller counts pod {s.name} as succeeded (it stays listed)",
                 who, span=where)
        b.action(ActionKind.JOB_COUNT, pod, ir.and_(fresh, ir.eq(phase, FAILED)),
                 [(counted, 1), (failed, _bump(failed, w.backoffLimit + 1))],
                 f"the Job controller counts pod {s.name} as failed (it stays listed)",
                 who, span=where)
        declare_delete(cluster, s, Delete(
            ActionKind.JOB_CLEANUP,
            f"the Job {w.name} is finished: the Job controller deletes its pod {s.name}",
            who, span=where, counted=False),
            ir.and_(cluster.live(s), finished, ir.not_(s.model.terminal)))
    _declare_backoff_limit(cluster, w, finished)


def _declare_backoff_limit(cluster: Cluster, w: spec.Workload, finished: ir.Expr) -> None:
    exceeded = cluster.counters.job_backoff_exceeded.get(w.name)
    if exceeded is None:
        return
    cluster.builder.action(
        ActionKind.JOB_BACKOFF_LIMIT, (("job", w.name),),
        ir.and_(ir.not_(finished), restarts_past_limit(cluster, w)), [(exceeded, 1)],
        f"the restarts of the pods of Job {w.name} reach its backoffLimit "
        f"({w.backoffLimit}): the Job fails (BackoffLimitExceeded)",
        Actor.JOB_CONTROLLER, span=w.span)

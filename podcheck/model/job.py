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

With a `podFailurePolicy` (`job_policy.py`, `matchPodFailurePolicy`) a failed or deleted
pod counts towards backoffLimit unless an Ignore rule matches first, and a FailJob rule
fails the Job (reason PodFailurePolicy, `counters.job_policy_failed`); a deletion by
the eviction API or the taint eviction controller carries DisruptionTarget
(`cluster.on_disruption`, NOTE(policy-at-deletion)).  A CronJob's Jobs (`cluster.runs`,
model/cronjob.py) act only while created; `job_complete`, `job_failed` and `job_field`
of the CronJob itself read all of them.
"""

from __future__ import annotations

from collections.abc import Callable

from podcheck import ir, spec
from podcheck.model.cluster import FAILED, PENDING, RUNNING, SUCCEEDED, Cluster, Slot
from podcheck.model.job_policy import choose, containers_of, match_ir
from podcheck.model.termination import Delete, declare_delete
from podcheck.model.updates import Updates
from podcheck.vocab import ActionKind, Actor, PodFailurePolicyAction, Reason, RestartPolicy, words


def job_complete(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job has its completions (condition Complete).  For a CronJob: every schedule
    time has arrived and was handled, and every Job it created and did not delete is
    complete."""
    runs = cluster.runs.get(w.name)
    if runs is not None:
        cron = cluster.crons[w.name]
        assert w.cron is not None
        done = [ir.or_(ir.op("!=", cluster.run_state[r.name], 1), job_complete(cluster, r))
                for r in runs]
        return ir.and_(ir.eq(cron.schedules, w.cron.schedules), ir.eq(cron.unmet, 0), *done)
    return ir.op(">=", cluster.counters.job_succeeded[w.name], w.completions)


def job_failed(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job failed (condition Failed): a FailJob rule of its podFailurePolicy matched,
    or BackoffLimitExceeded (`backoff_failed`).  For a CronJob: one of the Jobs it
    created and did not delete failed."""
    runs = cluster.runs.get(w.name)
    if runs is not None:
        return ir.or_(*(ir.and_(_created(cluster, r), job_failed(cluster, r)) for r in runs))
    return ir.or_(policy_failed(cluster, w), backoff_failed(cluster, w))


def job_active(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job is neither complete nor failed (a CronJob's `status.active` lists it)."""
    return ir.not_(ir.or_(job_complete(cluster, w), job_failed(cluster, w)))


def _created(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """A CronJob's Job exists (created, not deleted); always true for a plain Job."""
    state = cluster.run_state.get(w.name)
    return ir.TRUE if state is None else ir.eq(state, 1)


def job_reset_updates(cluster: Cluster, w: spec.Workload) -> Updates:
    """The Job's status back to its initial values (its object was deleted)."""
    c = cluster.counters
    flags = [c.job_backoff_exceeded.get(w.name), c.job_policy_failed.get(w.name)]
    return [(c.job_succeeded[w.name], 0), (c.job_failed[w.name], 0),
            *((f, 0) for f in flags if f is not None)]


def policy_failed(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """A FailJob rule of the Job's podFailurePolicy failed it (false for other kinds)."""
    flag = cluster.counters.job_policy_failed.get(w.name)
    return ir.FALSE if flag is None else ir.eq(flag, 1)


def backoff_failed(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The Job failed with BackoffLimitExceeded: more failed pods than backoffLimit, or,
    under OnFailure, its pods' restarts reached backoffLimit."""
    failed = ir.op(">", cluster.counters.job_failed[w.name], w.backoffLimit)
    exceeded = cluster.counters.job_backoff_exceeded.get(w.name)
    return failed if exceeded is None else ir.or_(failed, ir.eq(exceeded, 1))


def job_reason(cluster: Cluster, w: spec.Workload) -> ir.Expr:
    """The reason of the Job's Failed condition as an index into `words(Reason)` (none:
    its length): PodFailurePolicy when a FailJob rule failed it, else
    BackoffLimitExceeded."""
    reasons = words(Reason)
    backoff = ir.ite(backoff_failed(cluster, w), reasons.index(Reason.BACKOFF_LIMIT_EXCEEDED),
                     len(reasons))
    return choose(policy_failed(cluster, w), reasons.index(Reason.POD_FAILURE_POLICY), backoff)


def job_field(cluster: Cluster, w: spec.Workload, name: str
              ) -> tuple[ir.Expr, tuple[str, ...] | None]:
    """A Job field (spec.JOB_FIELDS) of Job `w` and its vocabulary; `reason` indexes
    `words(Reason)` (none: its length)."""
    counters, reasons = cluster.counters, words(Reason)
    if w.name in cluster.runs:
        return _cron_field(cluster, w, name)
    fields: dict[str, ir.Expr] = {
        "complete": job_complete(cluster, w),
        "failed": job_failed(cluster, w),
        "succeeded": counters.job_succeeded[w.name],
        "failures": counters.job_failed[w.name],
        "active": ir.count(*(ir.and_(s.exists, ir.eq(_counted(s), 0))
                             for s in cluster.slots_of(w.name))),
        "reason": job_reason(cluster, w),
    }
    return fields[name], reasons if name == "reason" else None


def _cron_field(cluster: Cluster, w: spec.Workload, name: str
                ) -> tuple[ir.Expr, tuple[str, ...] | None]:
    """A Job field of a CronJob: `complete` and `failed` as `job_complete` / `job_failed`
    say, `active` its active Jobs (`status.active`), `succeeded` and `failures` summed
    over the Jobs it created and did not delete, `reason` the first failed one's."""
    runs, reasons = cluster.runs[w.name], words(Reason)
    alive = [(r, _created(cluster, r)) for r in runs]
    if name == "active":
        return ir.count(*(ir.and_(c, job_active(cluster, r)) for r, c in alive)), None
    if name in ("succeeded", "failures"):
        return ir.sum_(*(ir.ite(c, job_field(cluster, r, name)[0], 0) for r, c in alive)), None
    if name == "reason":
        expr: ir.Expr = ir.Const(len(reasons))
        for r, c in reversed(alive):
            expr = ir.ite(ir.and_(c, job_failed(cluster, r)), job_reason(cluster, r), expr)
        return expr, reasons
    return (job_complete if name == "complete" else job_failed)(cluster, w), None


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
    done = cluster.counters.job_succeeded[w.name]
    _declare_policy_flag(cluster, w)
    finished = ir.or_(job_complete(cluster, w), job_failed(cluster, w))
    active = ir.count(*(ir.and_(s.exists, ir.eq(_counted(s), 0)) for s in slots))
    if w.podFailurePolicy:
        # NOTE(replace-failed-only): with a podFailurePolicy the Job controller replaces a
        # pod only once it has failed (`onlyReplaceFailedPods`): manageJob creates
        # `wantActive - terminating - active` pods, so a Terminating pod holds its place.
        active = ir.op("+", active, ir.count(*(cluster.terminating(s) for s in slots)))
    want = ir.op("<", ir.op("+", active, done), w.completions)
    who, where, lowest = Actor.JOB_CONTROLLER, w.span, _lowest_free(slots)
    exists = _created(cluster, w)  # a CronJob's Job acts only while it exists
    for s in slots:
        pod, counted = (("pod", s.name),), s.counted
        assert counted is not None
        may = ir.and_(exists, lowest(s), ir.not_(finished), want)
        b.action(ActionKind.CREATE_POD, pod, ir.and_(ir.not_(s.exists), may),
                 cluster.create_updates(s),
                 f"the Job controller of {w.name} creates pod {s.name} (a new uid)",
                 who, span=where)
        b.action(ActionKind.CREATE_POD, pod, ir.and_(cluster.live(s), ir.eq(counted, 1), may),
                 _replace(cluster, s),
                 f"the Job controller of {w.name} creates pod {s.name} (a new uid; the "
                 "model stops showing the counted pod it replaces)", who, span=where)
        phase, fresh = s.model.phase, ir.and_(exists, s.exists, ir.eq(counted, 0))
        b.action(ActionKind.JOB_COUNT, pod, ir.and_(fresh, ir.eq(phase, SUCCEEDED)),
                 [(counted, 1), (done, _bump(done, w.completions))],
                 f"the Job controller counts pod {s.name} as succeeded (it stays listed)",
                 who, span=where)
        b.action(ActionKind.JOB_COUNT, pod, ir.and_(fresh, ir.eq(phase, FAILED)),
                 [(counted, 1), *_count_failure(cluster, w, s, finished, deletion=None)],
                 f"the Job controller counts pod {s.name} as failed (it stays listed)",
                 who, span=where)
        declare_delete(cluster, s, Delete(
            ActionKind.JOB_CLEANUP,
            f"the Job {w.name} is finished: the Job controller deletes its pod {s.name}",
            who, span=where, counted=False),
            ir.and_(exists, cluster.live(s), finished, ir.not_(s.model.terminal)))
    _declare_backoff_limit(cluster, w, finished)


def _declare_policy_flag(cluster: Cluster, w: spec.Workload) -> None:
    """With a podFailurePolicy: the Job's "a FailJob rule matched" flag (when a rule
    says FailJob), and what a deletion of each of its pods counts (NOTE(policy-at-deletion)
    in job_policy.py), replacing the plain count of `slots._declare_job_counters`."""
    if not w.podFailurePolicy:
        return
    if any(r.action is PodFailurePolicyAction.FAIL_JOB for r in w.podFailurePolicy):
        cluster.counters.job_policy_failed[w.name] = cluster.builder.bool_var(
            f"{w.name}.podFailurePolicyFailed", owner=f"job {w.name}",
            field_name="podFailurePolicyFailed")
    finished = ir.or_(job_complete(cluster, w), job_failed(cluster, w))
    for s in cluster.slots_of(w.name):
        cluster.on_delete[s.name] = _count_failure(cluster, w, s, finished, deletion=False)
        cluster.on_disruption[s.name] = _count_failure(cluster, w, s, finished, deletion=True)


def _count_failure(cluster: Cluster, w: spec.Workload, s: Slot, finished: ir.Expr,
                   deletion: bool | None) -> Updates:
    """The counter updates of one failed pod of `w` (`pastBackoffLimit` and
    `matchPodFailurePolicy` in `trackJobStatusAndRemoveFinalizers`): its failure counts
    unless an Ignore rule matched, and a FailJob rule fails the Job.  `deletion`: None
    for a pod the kubelet failed, else the pod is deleted (True: as a disruption), and a
    pod already counted counts no more."""
    failed = cluster.counters.job_failed[w.name]
    bumped = _bump(failed, w.backoffLimit + 1)
    if not w.podFailurePolicy:
        return [(failed, bumped)]
    verdict = match_ir(w.podFailurePolicy, containers_of(s), bool(deletion),
                       deletion is not None)
    fresh = ir.TRUE if deletion is None or s.counted is None else ir.eq(s.counted, 0)
    ups: Updates = [(failed, choose(ir.and_(fresh, verdict.counts), bumped, failed))]
    flag = cluster.counters.job_policy_failed.get(w.name)
    if flag is not None:
        hit = ir.and_(fresh, verdict.fail_job, ir.not_(finished))
        ups.append((flag, choose(hit, 1, flag)))
    return ups


def _declare_backoff_limit(cluster: Cluster, w: spec.Workload, finished: ir.Expr) -> None:
    exceeded = cluster.counters.job_backoff_exceeded.get(w.name)
    if exceeded is None:
        return
    cluster.builder.action(
        ActionKind.JOB_BACKOFF_LIMIT, (("job", w.name),),
        ir.and_(_created(cluster, w), ir.not_(finished), restarts_past_limit(cluster, w)),
        [(exceeded, 1)],
        f"the restarts of the pods of Job {w.name} reach its backoffLimit "
        f"({w.backoffLimit}): the Job fails (BackoffLimitExceeded)",
        Actor.JOB_CONTROLLER, span=w.span)

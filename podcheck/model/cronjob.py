"""The CronJob controller: schedule times, and the Jobs it starts, replaces or skips.

Stage: internal to `podcheck.model` (state laid out by `slots.build_cluster` through
`declare_cron_state`, actions declared by `compile.build_model`).  Consumes a `Cluster`
and one CronJob (a `spec.Workload` of kind Job with `cron` set; its Jobs, one per
schedule time, are `cluster.runs`, each run by `job.py` while it exists); declares
`schedule_time`, `create_job` per Job and, when a deadline can pass, `missed_deadline`.

`syncCronJob` (pkg/controller/cronjob/cronjob_controllerv2.go; kube.cronjob `sync_core`):
NOTE(cron-schedule-times): a schedule time is an untimed event of the clock, at most
`schedules` of them (the cron expression and the time between runs are not modelled:
any interleaving with the Jobs' progress is possible, so a Job may be slow or fast
against the schedule), except that the controller handles a time before the next one
arrives unless Forbid holds it back (its sync takes moments, schedules are minutes
apart).  Only the most recent unmet time counts (`unmet` is one flag: several times
missed while Forbid waits start one Job).  The controller starts the Job for it at once,
unless `Forbid` sees an active Job: the time stays unmet and the Job starts late, once
none is active, unless `startingDeadlineSeconds` is set, in which case the deadline may
pass first (`missed_deadline`, untimed: no fairness) and the time is skipped.  `Replace`
deletes the active Jobs and their pods (at once: background propagation is not
modelled) in the step that creates the new one; `Allow` runs them side by side.
Job history limits are not modelled (finished Jobs stay).  tests/model/test_cronjob_controller.py
checks the guards against kube's `sync_core`.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.kube.cronjob import CronDecision, may_miss_deadline, sync_core
from podcheck.model.cluster import Cluster, CronState
from podcheck.model.job import job_active, job_reset_updates
from podcheck.model.layout import Builder
from podcheck.vocab import ActionKind, Actor, ConcurrencyPolicy

NOT_CREATED, CREATED, DELETED = 0, 1, 2
RUN_STATES = ("not created", "created", "deleted")


def declare_cron_state(cluster: Cluster, b: Builder, w: spec.Workload) -> None:
    """The CronJob's schedule count and unmet flag, and each of its Jobs' state."""
    assert w.cron is not None, w.name
    owner = f"cronjob {w.name}"
    cluster.crons[w.name] = CronState(
        b.var(f"{w.name}.schedules", 0, w.cron.schedules, 0, owner=owner,
              field_name="schedules"),
        b.bool_var(f"{w.name}.unmet", owner=owner, field_name="unmet"))
    for run in cluster.runs[w.name]:
        cluster.run_state[run.name] = b.var(f"{run.name}.state", 0, 2, NOT_CREATED,
                                            labels=RUN_STATES, owner=f"job {run.name}",
                                            field_name="state")


def starts(policy: ConcurrencyPolicy, active_any: ir.Expr) -> ir.Expr:
    """Whether a sync with an unmet time (its deadline not passed) creates a Job, given
    "some Job is active": kube `sync_core` on both values of that flag."""
    def creates(active: int) -> bool:
        return sync_core(policy, True, False, active).decision is CronDecision.CREATE
    yes, no = creates(1), creates(0)
    if yes == no:
        return ir.TRUE if yes else ir.FALSE
    return active_any if yes else ir.not_(active_any)


def declare_cronjob(cluster: Cluster, w: spec.Workload) -> None:
    """Declare `schedule_time`, `create_job` per Job and `missed_deadline`."""
    assert w.cron is not None, w.name
    b, cron, state = cluster.builder, w.cron, cluster.crons[w.name]
    runs = cluster.runs[w.name]
    active = [ir.and_(ir.eq(cluster.run_state[r.name], CREATED), job_active(cluster, r))
              for r in runs]
    policy = cron.concurrencyPolicy
    held = ir.not_(starts(policy, ir.or_(*active)))  # Forbid while a Job is active
    b.action(ActionKind.SCHEDULE_TIME, (("cronjob", w.name),),
             ir.and_(ir.op("<", state.schedules, cron.schedules),
                     ir.or_(ir.eq(state.unmet, 0), held)),
             [(state.schedules, ir.op("+", state.schedules, 1)), (state.unmet, 1)],
             f"a schedule time of CronJob {w.name} arrives", Actor.CLOCK, span=cron.span)
    for k, run in enumerate(runs):
        mine = cluster.run_state[run.name]
        first = ir.TRUE if k == 0 else ir.op("!=", cluster.run_state[runs[k - 1].name],
                                              NOT_CREATED)
        ups: list[tuple[ir.Var, ir.Expr | int]] = [(state.unmet, 0), (mine, CREATED)]
        deleting = ""
        if sync_core(policy, True, False, 1).deletes:
            for old, is_active in zip(runs[:k], active[:k], strict=True):
                ups += _delete_run(cluster, old, is_active)
            deleting = ", deleting the active ones and their pods"
        b.action(ActionKind.CREATE_JOB, (("job", run.name),),
                 ir.and_(ir.eq(state.unmet, 1), ir.eq(mine, NOT_CREATED), first,
                         starts(policy, ir.or_(*active[:k]))), ups,
                 f"the CronJob controller of {w.name} creates Job {run.name} "
                 f"({policy}{deleting})", Actor.CRONJOB_CONTROLLER, span=w.span)
    if may_miss_deadline(policy, cron.startingDeadlineSeconds):
        b.action(ActionKind.MISSED_DEADLINE, (("cronjob", w.name),),
                 ir.and_(ir.eq(state.unmet, 1), ir.or_(*active)), [(state.unmet, 0)],
                 f"the starting deadline ({cron.startingDeadlineSeconds}s) of CronJob "
                 f"{w.name}'s schedule time passes while a Job is active: the run is "
                 "skipped", Actor.CRONJOB_CONTROLLER, ir.Fairness.NONE, cron.span)


def _delete_run(cluster: Cluster, run: spec.Workload, active: ir.Expr
                ) -> list[tuple[ir.Var, ir.Expr | int]]:
    """Replace: the Job `run`, when active, is deleted with its pods and its status."""
    ups: list[tuple[ir.Var, ir.Expr | int]] = [(cluster.run_state[run.name], DELETED)]
    for s in cluster.slots_of(run.name):
        ups += cluster.delete_updates(s, counted=False)
    ups += job_reset_updates(cluster, run)
    return [(var, ir.ite(active, value, var)) for var, value in ups]

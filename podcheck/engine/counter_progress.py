"""The Deployment's Progressing condition over counts of pods, and RolloutNeverStuck, the
safety property of the counter system that decides `rollout-progresses`.

Stage: `podcheck.engine`.  Consumes the rollout counter system's actions
(`engine.counter_rollout`), the status counts they change and the condition variable;
produces the actions extended with the controller's status sync and the property.

NOTE(counter-progress): the full model's `rollout-progresses` (NOTE(progress-deadline)
in model/progress.py) is a safety property over time: the condition never turns False
with ProgressDeadlineExceeded, which happens when progressDeadlineSeconds + 1 seconds
pass with the condition NewReplicaSetCreated or ReplicaSetUpdated and no step of
progress.  The counter system keeps the condition's reason (`progressing`: Created,
Updated, Available) and extends every action that changes a status count (pods, new
pods, Ready pods; available = Ready, minReadySeconds 0) with the sync of
`kube.rollout.sync_progressing` (progress.go `syncRolloutStatus`, deployment_util.go
`DeploymentComplete`, `DeploymentProgressing`): unchanged once Available while no old
pod exists; Available when complete (replicas new pods, no other, all Ready);
Updated on progress (more new, fewer old or more Ready pods than before the step); the
user's template change sets Created (sync.go `getNewReplicaSet`).  It has no time and no
deadline timer; instead it reads when the timer can run out.  Under the full model's
prompt controllers (NOTE(prompt-controllers)) time does not pass while an eviction the
budget grants, a create, an old pod's delete, a binding or a readiness step is enabled;
such steps take no time, and a readiness step waits at most the readiness probe's
initialDelaySeconds + periodSeconds x successThreshold, which the shape check
(NOTE(counter-shape)) requires below progressDeadlineSeconds.  Every run makes finitely
many of these steps after its last cordon, failure and template change
(NOTE(counter-rollout)), and reaching completion is itself a step of progress.  So the
deadline can pass exactly when a state is reachable whose condition is Created or
Updated and where none of those steps is enabled: the environment may then do nothing
while time passes.  RolloutNeverStuck says no such state is reachable.  The initial
creation counts as a rollout, as in the full model: with the condition declared, the
setup creates the pods Pending (the full model's `start: pending`) and the condition
starts Created.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from podcheck import ir
from podcheck.engine.counter_rules import RUNNING
from podcheck.ir import Action, Expectation, Expr, Property

CREATED, UPDATED, AVAILABLE = 0, 1, 2  # vocab.ProgressingReason's first three, in order
REASONS = ("NewReplicaSetCreated", "ReplicaSetUpdated", "NewReplicaSetAvailable")
PROMPT = frozenset({"evict", "create", "scale_down_old", "schedule", "ready"})
Status = tuple[Expr, Expr, Expr]  # status.replicas, updatedReplicas, readyReplicas


def substitute(e: Expr, updates: dict[int, Expr]) -> Expr:
    """`e` after the simultaneous `updates` (each updated variable by its new value)."""
    if isinstance(e, ir.Var):
        return updates.get(e.index, e)
    if isinstance(e, ir.Op):
        return ir.Op(e.op, tuple(substitute(x, updates) for x in e.args))
    return e


def _sync(cond: ir.Var, want: Expr, old: Status, new: Status) -> Expr:
    """The reason after a step from status `old` to `new` (kube `sync_progressing`)."""
    replicas, updated, ready = new
    done = ir.and_(ir.eq(replicas, updated), ir.eq(cond, AVAILABLE))
    complete = ir.and_(ir.eq(updated, want), ir.eq(replicas, want), ir.eq(ready, want))
    progressed = ir.or_(ir.op(">", updated, old[1]),
                        ir.op("<", ir.op("-", replicas, updated), ir.op("-", old[0], old[1])),
                        ir.op(">", ready, old[2]))  # fmt: skip
    return ir.ite(done, cond, ir.ite(complete, AVAILABLE, ir.ite(progressed, UPDATED, cond)))


def with_progress(actions: Sequence[Action], cond: ir.Var, want: Expr,
                  status: Status) -> list[Action]:  # fmt: skip
    """`actions` with the status sync of NOTE(counter-progress): the template change
    sets Created, every running step that changes a status count re-derives the reason."""
    seen = ir.reads(*status)
    out = []
    for a in actions:
        ups = dict(a.updates)
        if a.name == "rollout":
            ups[cond.index] = ir.Const(CREATED)
        elif a.actor != "setup" and seen & set(ups):
            after = tuple(substitute(e, ups) for e in status)
            ups[cond.index] = _sync(cond, want, status, (after[0], after[1], after[2]))
        out.append(replace(a, updates=tuple(ups.items())))
    return out


def never_stuck(actions: Sequence[Action], cond: ir.Var, phase: ir.Var) -> Property:
    """RolloutNeverStuck (NOTE(counter-progress)): once running, never a state whose
    reason is Created or Updated where no prompt step is enabled."""
    moves = [a.guard for a in actions if a.name in PROMPT]
    stuck = ir.and_(ir.eq(phase, RUNNING), ir.op("!=", cond, AVAILABLE),
                    *(ir.not_(g) for g in moves))
    return Property("RolloutNeverStuck", Expectation.ALWAYS, ir.not_(stuck),
                    description="while the rollout is not complete, an eviction, a create, "
                    "an old pod's delete, a binding or a readiness step can always happen")

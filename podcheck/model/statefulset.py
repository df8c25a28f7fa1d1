"""The StatefulSet controller: pods with ordinal identities, created in order or in parallel.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and one StatefulSet; declares `create_pod` per ordinal (the pod is re-created
under the same name, `NAME-<ordinal>`) and `delete_finished` per ordinal for a finished
(Succeeded or Failed) pod, which the next sync re-creates.

`updateStatefulSet` / `processReplica` (pkg/controller/statefulset/
stateful_set_control.go; podcheck.kube.statefulset `sync`): with `podManagementPolicy:
OrderedReady` the sync visits ordinals in ascending order and stops at the first pod it
creates or deletes, and at the first pod that is not Running and Ready, so ordinal N is
created (or its finished pod deleted) only while every ordinal below N is Running and
Ready; with `Parallel` every ordinal is handled at once.  `ordered_guard` is that rule
over per-ordinal expressions; tests/model/test_statefulset_ordering.py checks it against kube's
`sync` on every combination of pod states.

Updates (with `environment.rollouts`): `rollout` is the user's template change (the
set's revision counter goes up; the next one only once every pod the strategy replaces
is updated).  A pod created at an ordinal gets the update revision, or under
RollingUpdate below `partition` keeps its own (kube `created_revision_is_update`).
`delete_for_update` is one sync's `updateStatefulSetAfterInvariantEstablished` (kube
`update_after_invariant`, the MaxUnavailableStatefulSet gate on, as in v1.35): reached
under OrderedReady only when every replica is Running and Ready, it deletes at once the
out-of-date pods from the highest ordinal down to `partition`, as many as
`maxUnavailable` minus the unavailable replicas allows (an absent or not Running and
Ready pod is unavailable).  The next syncs re-create them under the same names at the
update revision.  OnDelete never deletes a pod for an update.  `update_choice` is that
rule over per-ordinal expressions; tests/model/test_statefulset_update.py checks it
against kube's `sync` on every combination of pod states.  Not modelled: scale-down of
condemned ordinals, minReadySeconds, storage.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck import ir, spec
from podcheck.kube.statefulset import SetStrategy, created_revision_is_update, max_unavailable
from podcheck.model.cluster import RUNNING, Cluster, Slot
from podcheck.model.kube_adapter import int_or_string
from podcheck.model.termination import Delete, chosen_delete_updates
from podcheck.vocab import ActionKind, Actor, PodManagementPolicy, StatefulSetUpdateStrategy


def ordered_guard(policy: PodManagementPolicy, below: Sequence[ir.Expr]) -> ir.Expr:
    """Whether one sync reaches an ordinal, given "Running and Ready" of each ordinal
    below it (`isRunningAndReady`; an absent pod is not): OrderedReady needs all of them,
    Parallel none."""
    if policy is PodManagementPolicy.PARALLEL:
        return ir.TRUE
    return ir.and_(*below)


def running_and_ready(cluster: Cluster, s: Slot) -> ir.Expr:
    """`isRunningAndReady` and not terminating: the pod exists, its phase is Running, it
    is Ready and has no deletion timestamp (`processReplica` waits for a terminating pod
    under OrderedReady)."""
    return ir.and_(s.exists, ir.eq(cluster.phase(s), RUNNING), cluster.healthy(s))


def strategy_of(w: spec.Workload) -> SetStrategy:
    """The kube `SetStrategy` of StatefulSet `w`."""
    raw = None if w.setMaxUnavailable is None else int_or_string(w.setMaxUnavailable)
    return SetStrategy(w.replicas, w.podManagementPolicy, w.updateStrategy, w.partition, raw)


def update_choice(strategy: SetStrategy, unavailable: Sequence[ir.Expr],
                  outdated: Sequence[ir.Expr]) -> list[ir.Expr]:
    """Per ordinal, whether one sync's `update_after_invariant` deletes it for the update,
    given each replica's "unavailable" and "exists at an old revision": nothing while
    more than maxUnavailable replicas are unavailable, else the out-of-date pods from the
    highest ordinal down to the partition, at most maxUnavailable minus the unavailable
    ones (none under OnDelete)."""
    n = len(outdated)
    if strategy.strategy is StatefulSetUpdateStrategy.ON_DELETE:
        return [ir.FALSE] * n
    allowed = max_unavailable(strategy.max_unavailable, strategy.replicas)
    down = ir.count(*unavailable)
    out = []
    for i in range(n):
        above = ir.count(*(outdated[j] for j in range(i + 1, n)))
        chosen = ir.op("<", ir.op("+", down, above), allowed)
        out.append(ir.and_(outdated[i], chosen) if i >= strategy.partition else ir.FALSE)
    return out


def declare_statefulset(cluster: Cluster, w: spec.Workload) -> None:
    """Declare `create_pod` and `delete_finished` for every ordinal of `w`, and with
    rollouts `rollout` and `delete_for_update`."""
    b = cluster.builder
    slots = cluster.slots_of(w.name)
    revision = cluster.counters.revisions.get(w.name)
    strategy = strategy_of(w)
    for s in slots:
        reached = ordered_guard(w.podManagementPolicy, [running_and_ready(cluster, o)
                                                        for o in slots[:s.ordinal]])
        created = None
        if revision is not None:
            created = revision if created_revision_is_update(strategy, s.ordinal) else s.revision
        b.action(ActionKind.CREATE_POD, (("pod", s.name),), ir.and_(ir.not_(s.exists), reached),
                 cluster.create_updates(s, created),
                 f"the StatefulSet controller creates pod {s.name} (the same name, a new uid)",
                 Actor.STATEFULSET_CONTROLLER, span=w.span)
        b.action(ActionKind.DELETE_FINISHED, (("pod", s.name),),
                 ir.and_(cluster.terminal(s), reached), cluster.delete_updates(s),
                 f"the StatefulSet controller deletes the finished pod {s.name} "
                 "(to re-create it)", Actor.STATEFULSET_CONTROLLER, span=w.span)
    if revision is not None:
        _declare_update(cluster, w, revision, strategy)


def _declare_update(cluster: Cluster, w: spec.Workload, revision: ir.Var,
                    strategy: SetStrategy) -> None:
    b, slots, env = cluster.builder, cluster.slots_of(w.name), cluster.spec.environment
    outdated = [ir.and_(cluster.live(s), ir.op("!=", _revision(s), revision)) for s in slots]
    healthy = [running_and_ready(cluster, s) for s in slots]
    waiting = [] if strategy.strategy is StatefulSetUpdateStrategy.ON_DELETE else \
        outdated[strategy.partition:]
    b.action(ActionKind.ROLLOUT, (("statefulset", w.name),),
             ir.and_(cluster.may_disrupt(), ir.op("<", revision, env.rollouts),
                     ir.not_(ir.or_(*waiting))),
             [(revision, ir.op("+", revision, 1))],
             f"a user changes the pod template of StatefulSet {w.name} (a new update "
             "revision)", Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    chosen = update_choice(strategy, [ir.not_(h) for h in healthy], outdated)
    if all(c == ir.FALSE for c in chosen):
        return
    reached = ordered_guard(w.podManagementPolicy, healthy)
    label = (f"the StatefulSet controller deletes the out-of-date pods of {w.name} "
             "(highest ordinal first, within maxUnavailable) to re-create them at the "
             "update revision")
    d = Delete(ActionKind.DELETE_FOR_UPDATE, label, Actor.STATEFULSET_CONTROLLER, span=w.span)
    ups: list[tuple[ir.Var, ir.Expr | int]] = []
    for s, pick in zip(slots, chosen, strict=True):
        if pick != ir.FALSE:  # NOTE(graceful-deletion): a chosen pod may stay Terminating
            ups += chosen_delete_updates(cluster, s, d, pick)
    b.action(ActionKind.DELETE_FOR_UPDATE, (("statefulset", w.name),),
             ir.and_(reached, ir.or_(*chosen)), ups, label, Actor.STATEFULSET_CONTROLLER,
             span=w.span)


def _revision(s: Slot) -> ir.Var:
    assert s.revision is not None, s.name
    return s.revision

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
`sync` on every combination of pod states.  Not modelled yet: updates (RollingUpdate
partition / maxUnavailable, OnDelete), scale-down of condemned ordinals, minReadySeconds,
storage.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck import ir, spec
from podcheck.model.cluster import RUNNING, Cluster, Slot
from podcheck.vocab import ActionKind, Actor, PodManagementPolicy


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


def declare_statefulset(cluster: Cluster, w: spec.Workload) -> None:
    """Declare `create_pod` and `delete_finished` for every ordinal of `w`."""
    b = cluster.builder
    slots = cluster.slots_of(w.name)
    for s in slots:
        reached = ordered_guard(w.podManagementPolicy, [running_and_ready(cluster, o)
                                                        for o in slots[:s.ordinal]])
        b.action(ActionKind.CREATE_POD, (("pod", s.name),), ir.and_(ir.not_(s.exists), reached),
                 cluster.create_updates(s),
                 f"the StatefulSet controller creates pod {s.name} (the same name, a new uid)",
                 Actor.STATEFULSET_CONTROLLER, span=w.span)
        b.action(ActionKind.DELETE_FINISHED, (("pod", s.name),),
                 ir.and_(cluster.terminal(s), reached), cluster.delete_updates(s),
                 f"the StatefulSet controller deletes the finished pod {s.name} "
                 "(to re-create it)", Actor.STATEFULSET_CONTROLLER, span=w.span)

"""The ReplicaSet controller: re-creates the missing pods of a ReplicaSet or Deployment.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and one ReplicaSet or Deployment; declares one `create_pod` action per slot.

`manageReplicas` (pkg/controller/replicaset/replica_set.go): a missing pod is
re-created, one create per action, into the lowest absent slot (NOTE(pod-slots)).  With
rollouts enabled a Deployment's ReplicaSets are not materialised (a slot's `revision`
says which one owns it): the controller creates new-revision pods while the total stays
within `replicas + maxSurge` and the new revision has fewer than `replicas`
(`deployment.py` scales the old one down); under Recreate no new pod is created while an
old one exists (`oldPodsRunning`).
"""

from __future__ import annotations

from collections.abc import Callable

from podcheck import ir, spec
from podcheck.model.cluster import Cluster, Slot
from podcheck.model.kube_adapter import fenceposts
from podcheck.vocab import ActionKind, Actor, DeploymentStrategyType


def declare_replicaset(cluster: Cluster, w: spec.Workload) -> None:
    """Declare `create_pod` for every slot of the ReplicaSet or Deployment `w`."""
    slots = cluster.slots_of(w.name)
    revision = cluster.counters.revisions.get(w.name)
    existing = ir.count(*(cluster.live(s) for s in slots))  # FilterActivePods
    if revision is None:
        room = ir.op("<", existing, w.replicas)
        actor = Actor.REPLICASET_CONTROLLER
    else:
        surge, _ = fenceposts(w)  # 0 under Recreate
        new = ir.count(*(ir.and_(cluster.live(s), ir.eq(revision_of(s), revision))
                         for s in slots))
        room = ir.and_(ir.op("<", existing, w.replicas + surge), ir.op("<", new, w.replicas))
        if w.strategy is DeploymentStrategyType.RECREATE:  # oldPodsRunning (recreate.go)
            room = ir.and_(ir.eq(existing, new), ir.op("<", new, w.replicas))
        actor = Actor.DEPLOYMENT_CONTROLLER
    lowest = lowest_absent(slots)
    for s in slots:
        cluster.builder.action(
            ActionKind.CREATE_POD, (("pod", s.name),), ir.and_(lowest(s), room),
            cluster.create_updates(s, revision),
            f"the ReplicaSet controller of {w.kind.value} {w.name} creates pod "
            f"{s.name} (a new uid)", actor, span=w.span)


def lowest_absent(slots: list[Slot]) -> Callable[[Slot], ir.Expr]:
    """For a slot `s` of `slots`, the condition "`s` is absent and every earlier slot
    exists" (NOTE(pod-slots)).

    NOTE(linear-lowest-absent): spelled out per slot, as `not s.exists and o.exists for
    every earlier o`, the guards of n slots held n^2/2 conjuncts (`replicas: 10000`: 50
    million).  Every guard reads one shared expression instead, the lowest absent
    ordinal `min(top, ite(o.exists, top, o.ordinal) for o in slots)` (`top` when
    every slot exists), and is `lowest == s.ordinal`: the same condition in linear size, and the
    generated expander computes the shared minimum once per state.
    """
    top = max((o.ordinal for o in slots), default=0) + 1
    lowest = ir.op("min", top, *(ir.ite(o.exists, top, o.ordinal) for o in slots))

    def guard(s: Slot) -> ir.Expr:
        return ir.eq(lowest, s.ordinal)
    return guard


def revision_of(s: Slot) -> ir.Var:
    """The slot's template revision (only with rollouts enabled)."""
    assert s.revision is not None, s.name
    return s.revision

"""The ReplicaSet controller: re-creates the missing pods of a ReplicaSet or Deployment.

Stage: internal to `podcheck.model` (called by `compile.build_model`).  Consumes a
`Cluster` and one ReplicaSet or Deployment; declares one `create_pod` action per slot.

`manageReplicas` (pkg/controller/replicaset/replica_set.go): a missing pod is
re-created, one create per action, into the lowest absent slot (NOTE(pod-slots)).  With
rollouts enabled a Deployment's ReplicaSets are not materialised (a slot's `revision`
says which one owns it): the controller creates new-revision pods while the total stays
within `replicas + maxSurge` and the new revision has fewer than `replicas`
(`deployment.py` scales the old one down).
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import Cluster, Slot
from podcheck.model.kube_adapter import fenceposts
from podcheck.vocab import ActionKind, Actor


def declare_replicaset(cluster: Cluster, w: spec.Workload) -> None:
    """Declare `create_pod` for every slot of the ReplicaSet or Deployment `w`."""
    slots = cluster.slots_of(w.name)
    revision = cluster.counters.revisions.get(w.name)
    existing = ir.count(*(s.exists for s in slots))
    if revision is None:
        room = ir.op("<", existing, w.replicas)
        actor = Actor.REPLICASET_CONTROLLER
    else:
        surge, _ = fenceposts(w)
        new = ir.count(*(ir.and_(s.exists, ir.eq(revision_of(s), revision)) for s in slots))
        room = ir.and_(ir.op("<", existing, w.replicas + surge), ir.op("<", new, w.replicas))
        actor = Actor.DEPLOYMENT_CONTROLLER
    for s in slots:
        cluster.builder.action(
            ActionKind.CREATE_POD, (("pod", s.name),), ir.and_(lowest_absent(slots, s), room),
            cluster.create_updates(s, revision),
            f"the ReplicaSet controller of {w.kind.value} {w.name} creates pod "
            f"{s.name} (a new uid)", actor, span=w.span)


def lowest_absent(slots: list[Slot], s: Slot) -> ir.Expr:
    """`s` is absent and every earlier slot exists (NOTE(pod-slots))."""
    return ir.and_(ir.not_(s.exists), *(o.exists for o in slots if o.ordinal < s.ordinal))


def revision_of(s: Slot) -> ir.Var:
    """The slot's template revision (only with rollouts enabled)."""
    assert s.revision is not None, s.name
    return s.revision

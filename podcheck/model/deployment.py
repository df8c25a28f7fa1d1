"""The Deployment controller's rolling update, and the user's template change.

Stage: internal to `podcheck.model` (called by `compile.build_model` when rollouts are
enabled).  Consumes a `Cluster` and one Deployment; declares `rollout` (the environment
changes the pod template: the revision counter goes up) and one `scale_down_old` per
slot.

`rolloutRolling` (pkg/controller/deployment/rolling.go): the ReplicaSet controller
creates new-revision pods while the total stays within `replicas + maxSurge`
(`replicaset.py`); the Deployment controller deletes old-revision pods while the Ready
pods that remain are at least `replicas - maxUnavailable` (fenceposts from `MaxSurge` /
`MaxUnavailable`, kube_adapter.fenceposts).  `rolloutRecreate` (recreate.go): every old
pod is deleted (`scaleDownOldReplicaSetsForRecreate`) and new pods are created only once
no old pod exists (`oldPodsRunning`; the model deletes atomically, so an old pod that
exists is running).  Abstracted: one ReplicaSet per revision is not materialised (a
slot's `revision` says which one owns it, and a replacement created during a rollout
belongs to the new revision while it has room), minReadySeconds is 0 (available =
Ready), and the new template runs the same pod model as the old one.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import Cluster
from podcheck.model.kube_adapter import fenceposts
from podcheck.model.replicaset import revision_of
from podcheck.model.termination import Delete, declare_delete
from podcheck.vocab import ActionKind, Actor, DeploymentStrategyType


def declare_deployment(cluster: Cluster, w: spec.Workload) -> None:
    """Declare the rollout and the scale-down of old pods of Deployment `w` (nothing
    when rollouts are off)."""
    revision = cluster.counters.revisions.get(w.name)
    if revision is None:
        return
    b, env = cluster.builder, cluster.spec.environment
    slots = cluster.slots_of(w.name)
    old = [ir.and_(cluster.live(s), ir.op("!=", revision_of(s), revision)) for s in slots]
    b.action(ActionKind.ROLLOUT, (("deployment", w.name),),
             ir.and_(cluster.may_disrupt(), ir.op("<", revision, env.rollouts),
                     ir.not_(ir.or_(*old))),
             [(revision, ir.op("+", revision, 1))],
             f"a user changes the pod template of Deployment {w.name} (a rollout starts)",
             Actor.ENVIRONMENT, ir.Fairness.NONE, env.span)
    _, unavailable = fenceposts(w)
    ready = [cluster.healthy(s) for s in slots]  # available: active pods only
    recreate = w.strategy is DeploymentStrategyType.RECREATE
    for s, is_old, is_ready in zip(slots, old, ready, strict=True):
        remaining = ir.op("-", ir.count(*ready), ir.ite(is_ready, 1, 0))
        declare_delete(cluster, s, Delete(
            ActionKind.SCALE_DOWN_OLD,
            f"the Deployment controller scales down the old ReplicaSet of {w.name}: "
            f"deletes pod {s.name}", Actor.DEPLOYMENT_CONTROLLER, span=w.span),
            is_old if recreate else ir.and_(
                is_old, ir.op(">=", remaining, w.replicas - unavailable)))

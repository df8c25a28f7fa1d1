"""The deployment controller's rollout arithmetic (`podcheck.kube.rollout`), with the
unit-test tables of Kubernetes transcribed: `deployment_util_test.go`
(`TestResolveFenceposts`, `TestNewRSNewReplicas`, `TestMaxUnavailable`,
`TestDeploymentComplete`, `TestDeploymentProgressing`, `TestDeploymentTimedOut`) and
`rolling_test.go` (`TestDeploymentController_reconcileNewReplicaSet`,
`_reconcileOldReplicaSets`, `_cleanupUnhealthyReplicas`,
`_scaleDownOldReplicaSetsForRollingUpdate`)."""

from __future__ import annotations

import pytest

from podcheck.kube.rollout import (
    NO_PROGRESS_DEADLINE,
    Progressing,
    ReplicaSetCounts,
    RolloutStatus,
    Strategy,
    cleanup_unhealthy_replicas,
    deployment_complete,
    deployment_progressing,
    deployment_timed_out,
    max_surge,
    max_unavailable,
    new_rs_new_replicas,
    reconcile_new_replica_set,
    reconcile_old_replica_sets,
    resolve_fenceposts,
    scale_down_old_for_recreate,
    scale_down_old_for_rolling_update,
    sync_progressing,
)
from podcheck.vocab import DeploymentStrategyType as T
from podcheck.vocab import ProgressingReason as R


# deployment_util_test.go :: TestResolveFenceposts (every row without an error)
@pytest.mark.parametrize(("surge", "unavailable", "desired", "want"), [
    ("0%", "0%", 0, (0, 1)),
    ("39%", "39%", 10, (4, 3)),
    (None, "39%", 10, (0, 3)),
    ("39%", None, 10, (4, 0)),
    (None, None, 10, (0, 1)),
])
def test_resolve_fenceposts_table(surge, unavailable, desired, want):
    assert resolve_fenceposts(surge, unavailable, desired) == want


# deployment_util_test.go :: TestNewRSNewReplicas: allRSs = [rs5] (spec.replicas 5),
# maxUnavailable 1, an integer maxSurge
@pytest.mark.parametrize(("kind", "replicas", "new", "surge", "want"), [
    (T.ROLLING_UPDATE, 1, 5, 1, 5),  # can not scale up - to newRSReplicas
    (T.ROLLING_UPDATE, 6, 2, 10, 6),  # scale up - to depReplicas
    (T.RECREATE, 3, 1, 1, 3),  # recreate - to depReplicas
])
def test_new_rs_new_replicas(kind, replicas, new, surge, want):
    strategy = Strategy(kind, surge, 1)
    got = new_rs_new_replicas(strategy, replicas, [ReplicaSetCounts(5)], ReplicaSetCounts(new))
    assert got == want


# deployment_util_test.go :: TestMaxUnavailable (maxSurge 1)
@pytest.mark.parametrize(("replicas", "unavailable", "want"), [
    (10, 5, 5), (10, 10, 10), (5, 10, 5), (0, 10, 0),
    (10, "50%", 5), (10, "100%", 10), (5, "100%", 5),
])
def test_max_unavailable(replicas, unavailable, want):
    assert max_unavailable(Strategy(T.ROLLING_UPDATE, 1, unavailable), replicas) == want


def test_max_unavailable_and_surge_of_recreate_are_zero():
    # TestMaxUnavailable: "maxUnavailable with Recreate deployment strategy"
    assert max_unavailable(Strategy(T.RECREATE), 10) == 0
    assert max_surge(Strategy(T.RECREATE), 10) == 0
    assert max_surge(Strategy(T.ROLLING_UPDATE, "25%", "25%"), 5) == 2  # 1.25 rounds up


# rolling_test.go :: TestDeploymentController_reconcileNewReplicaSet (maxUnavailable 0;
# allRSs = [newRS, oldRS])
@pytest.mark.parametrize(("replicas", "surge", "old", "new", "want"), [
    (10, 0, 10, 0, None),  # should not scale up
    (10, 2, 10, 0, 2),
    (10, 2, 5, 0, 7),
    (10, 2, 10, 2, None),
    (10, 2, 2, 11, 10),  # should scale down
])
def test_reconcile_new_replica_set(replicas, surge, old, new, want):
    new_rs = ReplicaSetCounts(new)
    strategy = Strategy(T.ROLLING_UPDATE, surge, 0)
    assert reconcile_new_replica_set(strategy, replicas, [new_rs, ReplicaSetCounts(old)],
                                     new_rs) == want


# rolling_test.go :: TestDeploymentController_reconcileOldReplicaSets (maxSurge 0)
@pytest.mark.parametrize(("replicas", "unavailable", "old", "new", "ready_old", "ready_new",
                          "want_old"), [
    (10, 0, 10, 0, 10, 0, 9),
    (10, 2, 10, 0, 10, 0, 8),
    (10, 2, 10, 0, 8, 0, 8),  # unhealthy replicas of the old ReplicaSet cleaned up
    (10, 2, 10, 0, 9, 0, 8),  # one unhealthy cleaned up, one ready scaled down
    (10, 2, 8, 2, 8, 0, None),  # the new ReplicaSet's unavailable pods block a scale-down
])
def test_reconcile_old_replica_sets(replicas, unavailable, old, new, ready_old, ready_new,
                                    want_old):
    strategy = Strategy(T.ROLLING_UPDATE, 0, unavailable)
    after, scaled = reconcile_old_replica_sets(
        strategy, replicas, [ReplicaSetCounts(old, ready_old)], ReplicaSetCounts(new, ready_new))
    assert (scaled > 0) == (want_old is not None)
    assert after[0].replicas == (old if want_old is None else want_old)


# rolling_test.go :: TestDeploymentController_cleanupUnhealthyReplicas
@pytest.mark.parametrize(("old", "ready", "most", "want"), [
    (10, 8, 1, 1), (10, 8, 3, 2), (10, 8, 0, 0), (10, 10, 3, 0),
])
def test_cleanup_unhealthy_replicas(old, ready, most, want):
    after, count = cleanup_unhealthy_replicas([ReplicaSetCounts(old, ready)], most)
    assert count == want and after[0].replicas == old - want


# rolling_test.go :: TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate
# (maxSurge 0; allRSs = oldRSs = [oldRS])
@pytest.mark.parametrize(("replicas", "unavailable", "ready", "old", "want_old"), [
    (10, 0, 10, 10, 9),
    (10, 2, 10, 10, 8),
    (10, 2, 8, 10, None),
    (10, 2, 10, 0, None),
    (10, 2, 1, 10, None),
])
def test_scale_down_old_for_rolling_update(replicas, unavailable, ready, old, want_old):
    rs = ReplicaSetCounts(old, ready)
    after, count = scale_down_old_for_rolling_update(
        Strategy(T.ROLLING_UPDATE, 0, unavailable), replicas, [rs], [rs])
    assert (count > 0) == (want_old is not None)
    assert after[0].replicas == (old if want_old is None else want_old)


def test_recreate_scales_every_old_replica_set_to_zero():
    after, count = scale_down_old_for_recreate([ReplicaSetCounts(2, 1), ReplicaSetCounts(3)])
    assert count == 5 and {rs.replicas for rs in after} == {0}


# deployment_util_test.go :: TestDeploymentComplete: (desired, current, updated,
# available, maxUnavailable, maxSurge)
@pytest.mark.parametrize(("desired", "current", "updated", "available", "want"), [
    (5, 5, 5, 4, False),  # min but not all pods become available
    (5, 5, 5, 3, False),  # min availability is not honored
    (5, 5, 5, 5, True),
    (5, 5, 4, 5, False),  # all pods are available but not updated
    (1, 2, 1, 1, False),  # still running old pods
    (1, 1, 1, 0, False),  # one replica deployment never comes up
])
def test_deployment_complete(desired, current, updated, available, want):
    assert deployment_complete(desired, RolloutStatus(current, updated, 0, available)) is want


# deployment_util_test.go :: TestDeploymentProgressing: (current, updated, ready, available)
@pytest.mark.parametrize(("old", "new", "want"), [
    ((10, 4, 4, 4), (10, 6, 4, 4), True),  # updated pods
    ((10, 4, 4, 4), (10, 4, 4, 4), False),
    ((10, 4, 6, 6), (8, 4, 6, 6), True),  # old pods removed
    ((10, 7, 3, 3), (10, 6, 3, 3), False),  # less new pods
    ((10, 4, 7, 7), (8, 8, 5, 5), True),  # less overall but more new pods
    ((10, 10, 9, 8), (10, 10, 10, 8), True),  # more ready pods
    ((10, 10, 10, 9), (10, 10, 10, 10), True),  # more available pods
])
def test_deployment_progressing(old, new, want):
    assert deployment_progressing(RolloutStatus(*old), RolloutStatus(*new)) is want


# deployment_util_test.go :: TestDeploymentTimedOut: times in seconds (00:01:09 is 69);
# the table's reason "" is read by neither branch, ReplicaSetUpdated stands for it
@pytest.mark.parametrize(("deadline", "reason", "since", "now", "want"), [
    (None, R.RS_UPDATED, 69, 80, False),  # nil progressDeadlineSeconds
    (NO_PROGRESS_DEADLINE, R.RS_UPDATED, 69, 80, False),  # infinite
    (10, R.RS_UPDATED, 69, 80, True),  # 11 s
    (10, R.RS_UPDATED, 71, 80, False),  # 9 s
    (None, R.NEW_RS_AVAILABLE, 0, 0, False),  # previous status was a complete deployment
])
def test_deployment_timed_out(deadline, reason, since, now, want):
    assert deployment_timed_out(deadline, Progressing(True, reason, since), now) is want


def test_sync_progressing_times_out_once_and_then_stays():
    start = Progressing(True, R.NEW_RS_CREATED, 0)
    same = RolloutStatus(2, 1, 1, 1)
    assert sync_progressing(10, 2, start, same, same, 10) == start  # not yet past
    out = sync_progressing(10, 2, start, same, same, 11)
    assert out == Progressing(False, R.TIMED_OUT, 11)
    assert sync_progressing(10, 2, out, same, same, 50) == out
    # progress after the timeout sets ReplicaSetUpdated again
    better = RolloutStatus(2, 2, 1, 1)
    assert sync_progressing(10, 2, out, same, better, 60) == Progressing(True, R.RS_UPDATED, 60)
    done = RolloutStatus(2, 2, 2, 2)
    assert sync_progressing(10, 2, out, better, done, 70).reason is R.NEW_RS_AVAILABLE
    assert sync_progressing(None, 2, out, better, done, 70) is None

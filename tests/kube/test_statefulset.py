"""StatefulSet controller rules (`podcheck.kube.statefulset`).

Transcribed from Kubernetes' tests (`pkg/controller/statefulset`):
* `TestGetStatefulSetMaxUnavailable` (`stateful_set_utils_test.go`): every row, verbatim;
* `TestGetParentNameAndOrdinal` (`stateful_set_utils_test.go`): both of its checks;
* `TestStatefulSetControlRollingUpdateWithMaxUnavailableInOrderedModeVerifyInvariant`
  (`stateful_set_control_test.go`): every row (6 Running and Ready pods, partition 3,
  maxUnavailable 2, the listed ordinals terminating; it calls
  `updateStatefulSetAfterInvariantEstablished` directly and expects
  `max(0, 2 - len(terminating))` deletions);
* `TestStatefulSetControlRollingUpdateWithMaxUnavailable` (`stateful_set_control_test.go`):
  its sync-by-sync steps for OrderedReady and Parallel, pod states as the fake object
  manager sets them (`setPodRunning`, `setPodReady`).
The remaining tests are derived from the Go functions `processReplica`,
`processCondemned`, `updateStatefulSet` and `newVersionedStatefulSetPod`
(`stateful_set_control.go`, `stateful_set_utils.go`), not from a Go test, and say so.
"""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.statefulset import (
    PodManagementPolicy,
    SetAction,
    SetActionKind,
    SetPod,
    SetStrategy,
    UpdateStrategyType,
    created_revision_is_update,
    max_unavailable,
    parent_and_ordinal,
    pod_name,
    sync,
    update_after_invariant,
)
from podcheck.vocab import PodPhase

RUNNING, PENDING, FAILED = PodPhase.RUNNING, PodPhase.PENDING, PodPhase.FAILED
ORDERED, PARALLEL = PodManagementPolicy.ORDERED_READY, PodManagementPolicy.PARALLEL
CREATE, FINISHED = SetActionKind.CREATE, SetActionKind.DELETE_FINISHED
CONDEMNED, UPDATE = SetActionKind.DELETE_CONDEMNED, SetActionKind.DELETE_FOR_UPDATE


def ready(ordinal, updated=True, terminating=False):
    return SetPod(ordinal, RUNNING, ready=True, updated=updated, terminating=terminating)


# stateful_set_utils_test.go :: TestGetStatefulSetMaxUnavailable -- every row.
@pytest.mark.parametrize(
    ("raw", "replicas", "want"),
    [(None, 10, 1), (3, 10, 3), (3, 0, 3), (0, 0, 1), ("10%", 25, 2), ("100%", 5, 5),
     ("50%", 5, 2), ("10%", 5, 1), ("1%", 0, 1), ("0%", 0, 1)],
)
def test_get_stateful_set_max_unavailable(raw, replicas, want):
    assert max_unavailable(raw, replicas) == want


# stateful_set_utils_test.go :: TestGetParentNameAndOrdinal (newStatefulSetPod(set, 1)
# is named `<set>-1`; "1-bar" is not a member).
def test_get_parent_name_and_ordinal():
    assert parent_and_ordinal(pod_name("foo", 1)) == ("foo", 1)
    assert parent_and_ordinal("1-bar") == ("", -1)


# stateful_set_control_test.go ::
# TestStatefulSetControlRollingUpdateWithMaxUnavailableInOrderedModeVerifyInvariant
@pytest.mark.parametrize(
    "terminating",
    [(), (5,), (3,), (4,), (5, 4), (5, 3), (4, 3), (5, 4, 3), (2,), (1,)],
)
def test_max_unavailable_in_ordered_mode_verify_invariant(terminating):
    spec = SetStrategy(6, ORDERED, partition=3, max_unavailable=2)
    pods = [ready(o, updated=False, terminating=o in terminating) for o in range(6)]
    deleted = update_after_invariant(spec, pods)  # the Go test calls it directly
    assert all(a.kind is UPDATE for a in deleted)
    assert len(deleted) == max(0, 2 - len(terminating))
    assert all(a.ordinal >= 3 and a.ordinal not in terminating for a in deleted)


# stateful_set_control_test.go :: TestStatefulSetControlRollingUpdateWithMaxUnavailable,
# step by step (6 pods, partition 3, maxUnavailable 2, then an image change).
def test_rolling_update_with_max_unavailable_ordered_ready():
    spec = SetStrategy(6, ORDERED, partition=3, max_unavailable=2)
    old = [ready(o, updated=False) for o in range(6)]
    # "since maxUnavailable is 2, update pods 4 and 5": pods 0..3 remain
    assert sync(spec, old) == [SetAction(UPDATE, 5), SetAction(UPDATE, 4)]
    # "only one pod gets created at a time due to OrderedReady"
    assert sync(spec, old[:4]) == [SetAction(CREATE, 4)]
    pod4 = ready(4)
    assert sync(spec, old[:4] + [pod4]) == [SetAction(CREATE, 5)]
    # "if pod 4 ready, start to update pod 3" once 5 is Running and Ready: 3 is deleted
    assert sync(spec, old[:4] + [pod4, ready(5)]) == [SetAction(UPDATE, 3)]
    assert sync(spec, old[:3] + [pod4, ready(5)]) == [SetAction(CREATE, 3)]
    # "pods 3/4/5 ready, should not update other pods" (below the partition)
    assert sync(spec, old[:3] + [ready(3), pod4, ready(5)]) == []


def test_rolling_update_with_max_unavailable_parallel():
    spec = SetStrategy(6, PARALLEL, partition=3, max_unavailable=2)
    old = [ready(o, updated=False) for o in range(6)]
    assert sync(spec, old) == [SetAction(UPDATE, 5), SetAction(UPDATE, 4)]
    # "in burst mode, 2 pods got deleted, so 2 new pods will be created at the same time"
    assert sync(spec, old[:4]) == [SetAction(CREATE, 4), SetAction(CREATE, 5)]
    # "if pod 4 ready, start to update pod 3, even though 5 is not ready"
    pods = old[:4] + [ready(4), SetPod(5, RUNNING)]
    assert sync(spec, pods) == [SetAction(UPDATE, 3)]
    assert sync(spec, old[:3] + pods[4:]) == [SetAction(CREATE, 3)]
    assert sync(spec, old[:3] + [ready(3), ready(4), ready(5)]) == []


# Derived from processReplica (OrderedReady): the sync stops at the first pod that is
# not Running and Ready, so pod-1 is never created while pod-0 is not Ready.
def test_ordered_ready_waits_for_each_predecessor():
    spec = SetStrategy(3, ORDERED)
    assert sync(spec, []) == [SetAction(CREATE, 0)]
    assert sync(spec, [SetPod(0, PENDING)]) == []
    assert sync(spec, [SetPod(0, RUNNING, ready=False)]) == []
    assert sync(spec, [ready(0)]) == [SetAction(CREATE, 1)]
    assert sync(spec, [SetPod(0, RUNNING, ready=True, available=False)]) == []


# Derived from processReplica (Parallel): every missing ordinal is created in one sync.
def test_parallel_creates_every_ordinal_at_once():
    spec = SetStrategy(3, PARALLEL)
    assert sync(spec, [SetPod(0, PENDING)]) == [SetAction(CREATE, 1), SetAction(CREATE, 2)]


# Derived from processReplica: a Failed pod is deleted and its ordinal re-created next
# sync (same name); a terminating one is waited for.
@pytest.mark.parametrize("policy", [ORDERED, PARALLEL])
def test_failed_pod_is_recreated_with_its_ordinal(policy):
    spec = SetStrategy(2, policy)
    assert sync(spec, [SetPod(0, FAILED), ready(1)]) == [SetAction(FINISHED, 0)]
    assert sync(spec, [SetPod(0, FAILED, terminating=True), ready(1)]) == []
    assert sync(spec, [ready(1)]) == [SetAction(CREATE, 0)]
    assert parent_and_ordinal(pod_name("web", 0)) == ("web", 0)


# Derived from processCondemned: scale-down deletes the highest ordinal first, one per
# sync under OrderedReady, and only when every replica is healthy; Parallel deletes all.
def test_scale_down_order():
    pods = [ready(o) for o in range(5)]
    assert sync(SetStrategy(3, ORDERED), pods) == [SetAction(CONDEMNED, 4)]
    assert sync(SetStrategy(3, PARALLEL), pods) == [SetAction(CONDEMNED, 4),
                                                    SetAction(CONDEMNED, 3)]
    unready = pods[:2] + [SetPod(2, RUNNING)] + pods[3:]
    assert sync(SetStrategy(3, ORDERED), unready) == []
    # the first unhealthy pod itself may be deleted
    sick_top = pods[:4] + [SetPod(4, RUNNING)]
    assert sync(SetStrategy(3, ORDERED), sick_top) == [SetAction(CONDEMNED, 4)]
    sick_low = pods[:3] + [SetPod(3, RUNNING), ready(4)]
    assert sync(SetStrategy(3, ORDERED), sick_low) == [SetAction(CONDEMNED, 4)]
    assert sync(SetStrategy(3, ORDERED), [*pods[:3], ready(3), ready(4, terminating=True)]) == []


# Derived from updateStatefulSet: OnDelete never deletes for an update; without the
# MaxUnavailableStatefulSet gate one pod at a time, waiting for it to be available.
def test_on_delete_and_gate_off():
    old = [ready(o, updated=False) for o in range(3)]
    assert sync(SetStrategy(3, strategy=UpdateStrategyType.ON_DELETE), old) == []
    gate_off = SetStrategy(3, PARALLEL, max_unavailable=2, max_unavailable_gate=False)
    assert sync(gate_off, old) == [SetAction(UPDATE, 2)]
    assert sync(gate_off, old[:2] + [SetPod(2, RUNNING)]) == []
    assert sync(gate_off, old[:2] + [ready(2)]) == [SetAction(UPDATE, 1)]


# Derived from newVersionedStatefulSetPod.
def test_created_revision():
    rolling = SetStrategy(4, partition=2)
    assert [created_revision_is_update(rolling, o) for o in range(4)] == [False, False,
                                                                          True, True]
    on_delete = SetStrategy(4, strategy=UpdateStrategyType.ON_DELETE)
    assert created_revision_is_update(on_delete, 0)
    assert sync(SetStrategy(4, PARALLEL, partition=2), []) == [
        SetAction(CREATE, 0, False), SetAction(CREATE, 1, False),
        SetAction(CREATE, 2, True), SetAction(CREATE, 3, True)]


def test_bad_input_raises():
    with pytest.raises(KubeInputError, match="^spec.replicas"):
        sync(SetStrategy(-1), [])
    with pytest.raises(KubeInputError, match="repeated"):
        sync(SetStrategy(2), [ready(0), ready(0)])

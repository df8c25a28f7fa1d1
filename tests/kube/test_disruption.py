"""Facts from pkg/controller/disruption/disruption_test.go, checked through `pdb_status`.

Helpers mirror the test file's fixtures: every pod is `newPod` (labels foo=bar, Ready),
every workload is named "foobar" in namespace default, PDBs select foo=bar.
"""

from datetime import UTC, datetime, timedelta

import pytest

from podcheck.kube.disruption import (
    IntOrPercent,
    desired_healthy,
    disruptions_allowed,
    expected_count,
    pdb_status,
    scaled_value,
    sync_pdb,
)
from podcheck.kube.errors import KubeInputError

KINDS = {
    "ReplicationController": "v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "Deployment": "apps/v1",
}


def pdb(min_available=None, max_unavailable=None, selector=None, **status):
    spec = {"selector": {"matchLabels": {"foo": "bar"}} if selector is None else selector}
    if min_available is not None:
        spec["minAvailable"] = min_available
    if max_unavailable is not None:
        spec["maxUnavailable"] = max_unavailable
    return {"metadata": {"name": "foobar", "namespace": "default"}, "spec": spec,
            "status": status}


def pod(name, ready=True, owner=None, labels=None, terminating=False):
    meta = {"name": name, "namespace": "default",
            "labels": {"foo": "bar"} if labels is None else labels}
    if owner is not None:
        meta["ownerReferences"] = [dict(owner, controller=True)]
    if terminating:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    conditions = [{"type": "Ready", "status": "True"}] if ready else []
    return {"metadata": meta, "status": {"phase": "Running", "conditions": conditions}}


def workload(kind, replicas, uid, name="foobar", owner=None):
    meta = {"name": name, "namespace": "default", "uid": uid}
    if owner is not None:
        meta["ownerReferences"] = [dict(owner, controller=True)]
    return {"apiVersion": KINDS.get(kind, "custom.k8s.io/v1"), "kind": kind, "metadata": meta,
            "spec": {"replicas": replicas}}


def ref(kind, uid, name="foobar", api_version=None):
    return {"apiVersion": api_version or KINDS[kind], "kind": kind, "name": name, "uid": uid}


def status(allowed, healthy, desired, expected):
    """Argument order of disruption_test.go's VerifyPdbStatus."""
    return {"expectedPods": expected, "currentHealthy": healthy, "desiredHealthy": desired,
            "disruptionsAllowed": allowed}


RS = ref("ReplicaSet", "rs-uid")
RC = ref("ReplicationController", "rc-uid")
SS = ref("StatefulSet", "ss-uid")


# disruption_test.go :: TestNoSelector (an empty selector selects every pod of the namespace)
@pytest.mark.parametrize(("pods", "want"), [([], status(0, 0, 3, 0)),
                                            ([pod("yo-yo-yo")], status(0, 1, 3, 1))])
def test_no_selector(pods, want):
    assert pdb_status(pdb(3, selector={}), pods) == want


# disruption_test.go :: TestUnavailable
@pytest.mark.parametrize(("count", "want"), [(0, status(0, 0, 3, 0)), (1, status(0, 1, 3, 1)),
                                             (2, status(0, 2, 3, 2)), (3, status(0, 3, 3, 3)),
                                             (4, status(1, 4, 3, 4))])
def test_unavailable_counts_up(count, want):
    assert pdb_status(pdb(3), [pod(f"yo-yo-yo {i}") for i in range(count)]) == want


def test_unavailable_pod_goes_down():
    pods = [pod("yo-yo-yo 0", ready=False)] + [pod(f"yo-yo-yo {i}") for i in range(1, 4)]
    assert pdb_status(pdb(3), pods) == status(0, 3, 3, 4)


# disruption_test.go :: TestIntegerMaxUnavailable, TestNakedPod, TestStatusForUnmanagedPod,
# TestTotalUnmanagedPods: a pod without controller is skipped (event UnmanagedPods), no error.
@pytest.mark.parametrize("spec", [{"max_unavailable": 1}, {"min_available": "28%"}])
def test_naked_pod_allows_nothing(spec):
    assert pdb_status(pdb(**spec), [])["disruptionsAllowed"] == 0
    result = sync_pdb(pdb(**spec), [pod("naked")])
    assert result.disruptions_allowed == 0
    assert result.sync_error == "" and result.unmanaged_pods == ("naked",)


# disruption_test.go :: TestIntegerMaxUnavailableWithScaling,
# TestPercentageMaxUnavailableWithScaling, TestReplicaSet
@pytest.mark.parametrize(
    ("budget", "replicas", "want"),
    [
        ({"max_unavailable": 2}, 7, status(0, 1, 5, 7)),
        ({"max_unavailable": 2}, 5, status(0, 1, 3, 5)),
        ({"max_unavailable": "30%"}, 7, status(0, 1, 4, 7)),
        ({"max_unavailable": "30%"}, 3, status(0, 1, 2, 3)),
        ({"min_available": "20%"}, 10, status(0, 1, 2, 10)),
    ],
)
def test_scale_of_replicaset(budget, replicas, want):
    controllers = [workload("ReplicaSet", replicas, "rs-uid")]
    assert pdb_status(pdb(**budget), [pod("pod", owner=RS)], controllers) == want


# disruption_test.go :: TestUnsupportedControllerPod (CalculateExpectedPodCountFailed)
def test_unsupported_controller_pod():
    owner = {"apiVersion": "apps.test.io/v1", "kind": "TestWorkload", "name": "fake-controller",
             "uid": "b7329742-8daa-493a-8881-6ca07139172b"}
    result = sync_pdb(pdb("28%"), [pod("naked", owner=owner)])
    assert result.disruptions_allowed == 0 and result.sync_error


# disruption_test.go :: TestScaleResource (a custom resource with a scale subresource)
def test_scale_resource():
    owner = {"apiVersion": "custom.k8s.io/v1", "kind": "customresource", "name": "cr",
             "uid": "cr-uid"}
    pods = [pod(f"pod-{i}", owner=owner) for i in range(4)]
    controllers = [workload("customresource", 10, "cr-uid", name="cr")]
    assert pdb_status(pdb(max_unavailable=5), pods, controllers) == status(0, 4, 5, 10)


# disruption_test.go :: TestMultipleControllers
def test_multiple_controllers():
    naked = [pod("pod 0"), pod("pod 1")]
    assert pdb_status(pdb("1%"), naked)["disruptionsAllowed"] == 0
    owner = ref("ReplicationController", "rc1", name="rc 1")
    owned = [pod("pod 0", owner=owner), pod("pod 1", owner=owner)]
    rc = workload("ReplicationController", 1, "rc1", name="rc 1")
    assert pdb_status(pdb("1%"), owned, [rc])["disruptionsAllowed"] == 1


# disruption_test.go :: TestReplicationController and TestStatefulSetController (34% of 3 -> 2)
@pytest.mark.parametrize(("kind", "owner"), [("ReplicationController", RC), ("StatefulSet", SS)])
@pytest.mark.parametrize(("count", "want"), [(0, status(0, 0, 0, 0)), (1, status(0, 1, 2, 3)),
                                             (2, status(0, 2, 2, 3)), (3, status(1, 3, 2, 3))])
def test_workload_controller(kind, owner, count, want):
    labels = {"foo": "bar", "baz": "quux"}
    pods = [pod(f"foobar {i}", owner=owner, labels=labels) for i in range(count)]
    controllers = [workload(kind, 3, owner["uid"])]
    assert pdb_status(pdb("34%"), pods, controllers) == want


def test_replication_controller_rogue_pod():
    labels = {"foo": "bar", "baz": "quux"}
    pods = [pod(f"foobar {i}", owner=RC, labels=labels) for i in range(3)] + [pod("rogue")]
    controllers = [workload("ReplicationController", 3, "rc-uid")]
    assert pdb_status(pdb("34%"), pods, controllers)["disruptionsAllowed"] == 2


def _two_controllers(rs_ready, rc_unready_extra=()):
    """TestTwoControllers: 11 RC pods (6 unready) and 11 RS pods (first 11-rs_ready unready)."""
    rc_pods = [pod(f"quux {i}", ready=i > 6 and i not in rc_unready_extra, owner=RC)
               for i in range(1, 12)]
    rs_pods = [pod(f"quuux {i}", ready=i > 11 - rs_ready, owner=RS) for i in range(1, 12)]
    controllers = [workload("ReplicationController", 11, "rc-uid"),
                   workload("ReplicaSet", 11, "rs-uid"), workload("Deployment", 11, "d-uid")]
    return pdb_status(pdb("28%"), rc_pods + rs_pods, controllers)


# disruption_test.go :: TestTwoControllers (28% of 11 -> 4, 28% of 22 -> 7)
@pytest.mark.parametrize(
    ("rs_ready", "unready", "want"),
    [
        (4, (), status(2, 9, 7, 22)),
        (4, (11,), status(1, 8, 7, 22)),
        (4, (11, 10), status(0, 7, 7, 22)),
        (0, (), status(0, 5, 7, 22)),
    ],
)
def test_two_controllers(rs_ready, unready, want):
    assert _two_controllers(rs_ready, unready) == want


def test_two_controllers_rc_only():
    rc_pods = [pod(f"quux {i}", ready=i > 6, owner=RC) for i in range(1, 12)]
    controllers = [workload("ReplicationController", 11, "rc-uid")]
    assert pdb_status(pdb("28%"), rc_pods, controllers) == status(1, 5, 4, 11)


# disruption_test.go :: TestUpdateDisruptedPods
def test_update_disrupted_pods():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    disrupted = {"p1": now.isoformat(), "p2": (now - timedelta(minutes=3)).isoformat(),
                 "p3": (now - timedelta(minutes=1)).isoformat(), "notthere": now.isoformat()}
    pods = [pod("p1", terminating=True), pod("p2"), pod("p3")]
    result = sync_pdb(pdb(1, disruptedPods=disrupted), pods, now=now)
    assert result.status() == status(0, 1, 1, 3)
    assert result.disrupted_pods == ("p3",)


# disruption_test.go :: TestUpdateDisruptedPods, with the Go test's own times: p2 disrupted
# 5 minutes ago (expired), p3 and notthere disrupted now.
def test_update_disrupted_pods_go_times():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    disrupted = {"p1": now.isoformat(), "p2": (now - timedelta(minutes=5)).isoformat(),
                 "p3": now.isoformat(), "notthere": now.isoformat()}
    pods = [pod("p1", terminating=True), pod("p2"), pod("p3")]
    result = sync_pdb(pdb(1, disruptedPods=disrupted), pods, now=now)
    assert result.status() == status(0, 1, 1, 3)
    assert result.disrupted_pods == ("p3",)


def test_disrupted_entry_at_exactly_the_timeout_is_kept_but_counts_healthy():
    # buildDisruptedPodMap drops an entry only when expectedDeletion.Before(now);
    # countHealthyPods skips a pod only while disruptionTime+DeletionTimeout is After(now).
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    disrupted = {"p1": (now - timedelta(minutes=2)).isoformat()}
    result = sync_pdb(pdb(1, disruptedPods=disrupted), [pod("p1"), pod("p2")], now=now)
    assert result.disrupted_pods == ("p1",)
    assert result.status() == status(1, 2, 1, 2)


def test_disrupted_pods_without_clock_stay_pending():
    pods = [pod("p1"), pod("p2")]
    result = pdb_status(pdb(1, disruptedPods={"p2": "2000-01-01T00:00:00Z"}), pods)
    assert result == status(0, 1, 1, 2)


# disruption_test.go :: TestInvalidSelectors (sync fails; failSafe writes allowed 0)
@pytest.mark.parametrize(
    "selector",
    [{"matchLabels": {"k8s.io/too/many/slashes": "value"}},
     {"matchExpressions": [{"key": "foo", "operator": "illegal", "values": ["bar"]}]}],
)
def test_invalid_selectors(selector):
    result = sync_pdb(pdb(3, selector=selector), [pod("p")])
    assert result.status() == status(0, 0, 0, 0)
    assert result.sync_error


def test_fail_safe_keeps_previous_status():
    # disruption.go :: failSafe copies the old status and only zeroes disruptionsAllowed.
    old = pdb("50%", disruptionsAllowed=2, currentHealthy=4, desiredHealthy=2, expectedPods=4,
              observedGeneration=3)
    orphan = pod("p", owner=ref("ReplicaSet", "gone"))
    result = sync_pdb(old, [orphan])
    assert result.status() == status(0, 4, 2, 4)
    assert result.observed_generation == 3
    assert "found no controllers" in result.sync_error


# disruption_test.go :: TestBasicFinderFunctions (finder results), through a 100% budget.
@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        (ref("ReplicaSet", "rs-uid", api_version="apps/v1"), 10),
        (ref("ReplicationController", "rc-uid", api_version="/v1"), 12),
        (ref("StatefulSet", "ss-uid", api_version="apps/v1"), 14),
        (ref("ReplicaSet", "rs-uid", api_version="invalid/v1"), None),
        (ref("ReplicationController", "rc-uid", api_version="apps/v1"), None),
        (ref("ReplicaSet", "ss-uid", api_version="apps/v1"), None),
    ],
)
def test_basic_finder_functions(owner, expected):
    controllers = [workload("ReplicaSet", 10, "rs-uid"),
                   workload("ReplicationController", 12, "rc-uid"),
                   workload("StatefulSet", 14, "ss-uid")]
    result = sync_pdb(pdb("100%"), [pod("p", owner=owner)], controllers)
    if expected is None:
        assert result.sync_error and result.disruptions_allowed == 0
    else:
        assert result.sync_error == "" and result.expected_pods == expected


# disruption_test.go :: TestDeploymentFinderFunction: only the happy path finds the
# Deployment's scale (10). Otherwise the RS's own scale (5) is found by getPodReplicaSet
# or getScaleController, or the owner reference resolves to nothing (sync error).
@pytest.mark.parametrize(
    ("rs_api", "rs_kind", "dep_api", "dep_kind", "expected"),
    [
        ("apps/v1", "ReplicaSet", "extensions/v1", "Deployment", 10),
        ("invalid/v1", "ReplicaSet", "apps/v1", "Deployment", None),
        ("apps/v1", "InvalidKind", "apps/v1", "Deployment", None),
        # extensions is no longer served, so getScaleController finds no mapping either
        ("extensions/v1", "ReplicaSet", "deployment/v1", "Deployment", None),
        ("apps/v1", "ReplicaSet", "deployment/v1", "Deployment", 5),
        ("apps/v1", "ReplicaSet", "extensions/v1", "InvalidKind", 5),
    ],
)
def test_deployment_finder_function(rs_api, rs_kind, dep_api, dep_kind, expected):
    dep_ref = {"apiVersion": dep_api, "kind": dep_kind, "name": "foobar", "uid": "d-uid"}
    controllers = [workload("Deployment", 10, "d-uid"),
                   workload("ReplicaSet", 5, "rs-uid", owner=dep_ref)]
    owner = {"apiVersion": rs_api, "kind": rs_kind, "name": "foobar", "uid": "rs-uid"}
    result = sync_pdb(pdb(max_unavailable=0), [pod("p", owner=owner)], controllers)
    if expected is None:
        assert result.sync_error
    else:
        assert result.expected_pods == expected


# disruption.go :: getScaleController (derived from source, not a unit-test fact):
# a DaemonSet has no scale subresource, so a percentage budget over its pods fails.
def test_daemonset_pods_fail_percentage_budgets():
    owner = {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ds", "uid": "ds-uid"}
    result = sync_pdb(pdb("50%"), [pod("p", owner=owner)])
    assert "does not implement the scale subresource" in result.sync_error
    # an integer minAvailable never looks at controllers
    assert pdb_status(pdb(1), [pod("p", owner=owner)]) == status(0, 1, 1, 1)


def test_other_namespaces_and_labels_are_not_selected():
    other_ns = pod("x")
    other_ns["metadata"]["namespace"] = "kube-system"
    assert pdb_status(pdb(1), [other_ns, pod("y", labels={"foo": "baz"})]) == status(0, 0, 1, 0)


# ------------------------------------------------------------------ core functions


@pytest.mark.parametrize(
    ("value", "total", "up", "want"),
    [(IntOrPercent(34, True), 3, True, 2), (IntOrPercent(30, True), 7, True, 3),
     (IntOrPercent(30, True), 7, False, 2), (IntOrPercent(28, True), 11, True, 4),
     (IntOrPercent(1, True), 0, True, 0), (IntOrPercent(5), 3, True, 5),
     (IntOrPercent(100, True), 7, True, 7)],
)
def test_scaled_value(value, total, up, want):
    assert scaled_value(value, total, round_up=up) == want


def test_core_functions():
    pct = IntOrPercent(30, True)
    assert expected_count(None, pct, matched_pods=1, controller_scale=7) == 7
    assert expected_count(IntOrPercent(3), None, matched_pods=4, controller_scale=9) == 4
    assert expected_count(None, None, matched_pods=4, controller_scale=9) == 0
    assert desired_healthy(None, pct, 7) == 4
    assert desired_healthy(None, IntOrPercent(9), 7) == 0
    assert desired_healthy(IntOrPercent(3), None, 0) == 3
    assert disruptions_allowed(4, 3, 4) == 1
    assert disruptions_allowed(4, 3, 0) == 0
    assert disruptions_allowed(2, 3, 4) == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("not a pdb", r"^pdb: must be a mapping"),
        (pdb("abc"), r"^pdb\.spec\.minAvailable: 'abc' must be an integer or percentage"),
        (pdb("5"), r"^pdb\.spec\.minAvailable:"),
        (pdb("150%"), r"^pdb\.spec\.minAvailable: '150%' must not be greater than 100%"),
        (pdb(-1), r"^pdb\.spec\.minAvailable:"),
        (pdb(True), r"^pdb\.spec\.minAvailable:"),
        (pdb(1, 1), r"^pdb\.spec: minAvailable and maxUnavailable cannot be both set"),
        (pdb(max_unavailable=1.5), r"^pdb\.spec\.maxUnavailable:"),
        (pdb(1, selector="foo=bar"), r"^pdb\.spec\.selector:"),
        (pdb(1, disruptedPods={"p": "yesterday"}), r"^pdb\.status\.disruptedPods\.p:"),
        (pdb(1, currentHealthy="2"), r"^pdb\.status\.currentHealthy:"),
        ({"metadata": {"name": 3}}, r"^pdb\.metadata\.name:"),
        ({"spec": {"unhealthyPodEvictionPolicy": "Sometimes"}},
         r"^pdb\.spec\.unhealthyPodEvictionPolicy:"),
    ],
)
def test_malformed_pdb_raises_kube_input_error(bad, message):
    with pytest.raises(KubeInputError, match=message):
        pdb_status(bad, [])


@pytest.mark.parametrize(
    ("pods", "controllers", "message"),
    [
        ("pods", (), r"^pods:"),
        ([None], (), r"^pods\[0\]: must be a mapping"),
        ([{"metadata": {"labels": ["a"]}}], (), r"^pods\[0\]\.metadata\.labels:"),
        ([{"metadata": {"ownerReferences": [{"controller": "yes"}]}}], (),
         r"^pods\[0\]\.metadata\.ownerReferences\[0\]\.controller:"),
        ([{"metadata": {"ownerReferences": [{"controller": True, "kind": "X"}]}}], (),
         r"^pods\[0\]\.metadata\.ownerReferences\[0\]\.apiVersion:"),
        ([{"status": {"conditions": "Ready"}}], (), r"^pods\[0\]\.status\.conditions:"),
        ([], [{"kind": "ReplicaSet", "metadata": {"name": "a"}}],
         r"^controllers\[0\]\.metadata\.uid:"),
        ([], [{"kind": "ReplicaSet", "metadata": {"name": "a", "uid": "u"},
               "spec": {"replicas": "3"}}], r"^controllers\[0\]\.spec\.replicas:"),
        ([], [{"kind": "Foo", "metadata": {"name": "a", "uid": "u"}}],
         r"^controllers\[0\]\.apiVersion:"),
        ([], "rs", r"^controllers:"),
    ],
)
def test_malformed_pods_and_controllers_raise_kube_input_error(pods, controllers, message):
    with pytest.raises(KubeInputError, match=message):
        pdb_status(pdb(1), pods, controllers)


def test_now_must_be_a_datetime():
    with pytest.raises(KubeInputError, match="^now:"):
        pdb_status(pdb(1), [], now="2024-01-01")

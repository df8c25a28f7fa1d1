"""podcheck.kube.termination against the Kubernetes rules it mirrors (Go tests cited)."""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.termination import (
    KillWindow,
    container_grace_period,
    container_kill_window,
    deletion_grace_period,
    endpoint_conditions,
    is_pod_active,
    pod_kill_window,
    pod_termination,
    prestop_seconds,
)

# pkg/registry/core/pod/strategy_test.go TestCheckGracefulDelete: DeleteOptions ask for 30 s
GRACEFUL_DELETE = [
    ("in pending phase with has node name", True, "Pending", 30),
    ("in failed phase with has node name", True, "Failed", 0),
    ("in failed phase (unscheduled, Pending)", False, "Pending", 0),
    ("in succeeded phase", False, "Succeeded", 0),
    ("no phase", False, "", 0),
]


@pytest.mark.parametrize(("name", "scheduled", "phase", "want"), GRACEFUL_DELETE)
def test_check_graceful_delete(name: str, scheduled: bool, phase: str, want: int) -> None:
    assert deletion_grace_period(None, scheduled, phase, requested=30) == want, name


def test_check_graceful_delete_uses_the_pod_period_and_clamps_negative() -> None:
    # CheckGracefulDelete: no options -> spec.terminationGracePeriodSeconds; < 0 -> 1
    assert deletion_grace_period(45, True, "Running") == 45
    assert deletion_grace_period(None, True, "Running") == 0
    assert deletion_grace_period(None, True, "Running", requested=-5) == 1


# pkg/kubelet/kuberuntime/kuberuntime_container_test.go TestKillContainerGracePeriod
# (setTerminationGracePeriod): short 10, medium 30, long 60; pod period, probe period, kill
# reason (True: a liveness/startup probe kill of that probe)
KILL_GRACE = [
    ("default termination grace period", None, None, False, 2),
    ("use pod termination grace period", 60, None, False, 60),
    ("liveness probe overrides pod termination grace period", 60, 10, True, 10),
    ("startup probe overrides pod termination grace period", 60, 10, True, 10),
    ("startup probe overrides, probe period > pod period", 10, 60, True, 60),
    ("liveness probe overrides, probe period > pod period", 10, 60, True, 60),
    ("non-liveness probe failure, use pod termination grace period", 60, 10, False, 60),
    ("non-startup probe failure, use pod termination grace period", 60, 10, False, 60),
    ("all three grace periods set, use pod termination grace period", 60, 30, False, 60),
    ("all three grace periods set, use startup termination grace period", 60, 10, True, 10),
    ("all three grace periods set, use liveness termination grace period", 60, 30, True, 30),
]


@pytest.mark.parametrize(("name", "pod", "probe", "probe_kill", "want"), KILL_GRACE)
def test_set_termination_grace_period(name: str, pod: int | None, probe: int | None,
                                      probe_kill: bool, want: int) -> None:
    assert container_grace_period(None, pod, probe, probe_kill) == want, name


def test_deletion_grace_period_seconds_wins() -> None:
    # setTerminationGracePeriod: pod.DeletionGracePeriodSeconds first
    assert container_grace_period(5, 60, 10, True) == 5


# killContainer: preStop inside the period (executePreStopHook waits at most gracePeriod),
# then StopContainer with the rest, at least minimumGracePeriodInSeconds = 2.
KILL_WINDOWS = [
    (30, None, KillWindow(0, 30)),  # SIGTERM at once, SIGKILL after 30 s
    (1, None, KillWindow(0, 2)),  # the 2 s floor
    (30, (5, 5), KillWindow(5, 30)),  # a 5 s sleep hook, then 25 s
    (30, (29, 29), KillWindow(29, 31)),  # 1 s left -> 2 s
    (30, (90, 90), KillWindow(30, 32)),  # the hook is abandoned at 30 s, then 2 s
    (30, (0, 60), KillWindow(0, 32)),  # an exec hook of unknown length
    (0, (5, 5), KillWindow(0, 2)),  # gracePeriod 0: no hook, the 2 s floor
]


@pytest.mark.parametrize(("grace", "hook", "want"), KILL_WINDOWS)
def test_container_kill_window(grace: int, hook: tuple[int, int] | None,
                               want: KillWindow) -> None:
    assert container_kill_window(grace, hook) == want


def test_containers_are_killed_in_parallel() -> None:
    # killContainersWithSyncResult: one goroutine per running container
    assert pod_kill_window(30, [None, (10, 10), (40, 40)]) == KillWindow(30, 32)
    assert pod_kill_window(30, [None, (10, 12)]) == KillWindow(10, 30)
    with pytest.raises(KubeInputError):
        container_kill_window(-1, None)


def test_pod_termination_of_a_dict() -> None:
    pod = {"spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 20, "containers": [
        {"name": "app", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}},
        {"name": "side"}]}, "status": {"phase": "Running"}}
    assert pod_termination(pod) == KillWindow(5, 20)
    assert pod_termination({**pod, "status": {"phase": "Succeeded"}}) is None
    assert pod_termination({"spec": {"containers": [{"name": "a"}]}}) is None  # unscheduled
    assert prestop_seconds({"lifecycle": {"preStop": {"exec": {"command": ["q"]}}}}) == (
        0, 2 ** 31 - 1)
    assert prestop_seconds({"name": "a"}) is None


def test_is_pod_active() -> None:
    # pkg/controller/controller_utils.go IsPodActive
    assert is_pod_active("Running", False)
    assert is_pod_active("Pending", False)
    assert not is_pod_active("Running", True)
    assert not is_pod_active("Succeeded", False)
    assert not is_pod_active("Failed", False)


def test_endpoint_conditions() -> None:
    # staging/src/k8s.io/endpointslice/utils.go podToEndpoint (utils_test.go
    # TestPodToEndpoint: "Ready and Terminating pod" / "Not ready and Terminating pod")
    assert endpoint_conditions(True, False) == (True, True, False)
    assert endpoint_conditions(True, True) == (False, True, True)
    assert endpoint_conditions(False, True) == (False, False, True)
    assert endpoint_conditions(False, True, publish_not_ready=True) == (True, False, True)

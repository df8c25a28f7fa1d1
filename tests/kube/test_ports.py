"""Port contention inside a pod (`podcheck.kube.ports`).

Derived from the kubelet's start order (`computeInitContainerActions`,
`computePodActions`, pkg/kubelet/kuberuntime/kuberuntime_manager.go), not from a Go test:
Kubernetes has no unit test for two processes binding one port (the kernel decides it).
The API server's side, the duplicate-port warnings, is transcribed from `TestWarnings`
in tests/kube/test_validation.py.
"""

from __future__ import annotations

import pytest

from podcheck.kube.ports import PortRole, may_run_together, port_contention

INIT, SIDECAR, APP = PortRole.INIT, PortRole.SIDECAR, PortRole.APP


@pytest.mark.parametrize(
    ("first", "second", "want"),
    [
        ((0, APP), (1, APP), True),  # app containers run together
        ((0, SIDECAR), (1, APP), True),  # a sidecar keeps running with the apps
        ((0, SIDECAR), (1, SIDECAR), True),
        ((0, SIDECAR), (1, INIT), True),  # a later init container runs beside the sidecar
        ((0, INIT), (1, SIDECAR), False),  # the sidecar starts after the init completed
        ((0, INIT), (1, INIT), False),  # init containers run one at a time
        ((0, INIT), (2, APP), False),  # apps start after every init container
        ((1, APP), (0, SIDECAR), True),  # argument order does not matter
    ],
)
def test_may_run_together(first, second, want):
    assert may_run_together(first, second) is want


def test_only_concurrent_containers_contend():
    rows = [("migrate", INIT, (8080,)), ("proxy", SIDECAR, (9090, 15000)),
            ("setup", INIT, (15000,)), ("web", APP, (8080, 9090)), ("log", APP, (7000,))]
    assert port_contention(rows) == {9090: ("proxy", "web"), 15000: ("proxy", "setup")}


def test_a_port_listed_twice_by_one_container_is_one_socket():
    assert port_contention([("web", APP, (8080, 8080))]) == {}
    assert port_contention([("web", APP, (8080, 8080)), ("side", APP, (8080,))]) == {
        8080: ("web", "side")}


def test_three_apps_on_one_port_all_contend():
    rows = [(n, APP, (80,)) for n in ("a", "b", "c")]
    assert port_contention(rows) == {80: ("a", "b", "c")}

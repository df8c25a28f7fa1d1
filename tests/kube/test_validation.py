"""API-server checks on templates.

* Port warnings: the duplicate-port rows of `TestWarnings` (`pkg/api/pod/warnings_test.go`,
  Kubernetes v1.35), transcribed verbatim.
* Template and init-container errors: derived from the Go functions, not from a Go test
  (the Go tests assert error types and fields, not texts).  Each text is the one the
  function builds: `ValidatePodTemplateSpecForReplicaSet` and `ValidateDaemonSetSpec`
  (`pkg/apis/apps/validation/validation.go`) use `field.NotSupported` for restartPolicy and
  `field.Forbidden` for activeDeadlineSeconds; `validateInitContainers`
  (`pkg/apis/core/validation/validation.go`) uses `field.Forbidden` on lifecycle, liveness,
  readiness and startup probes, in that order.
* The prober timeout rule: derived from `runProbe` (`pkg/kubelet/prober/prober.go`)."""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.probe_timeout import probe_outcome
from podcheck.kube.probes import ProbeResult
from podcheck.kube.validation import (
    init_container_errors,
    port_warnings,
    workload_template_errors,
)


@pytest.mark.parametrize("kind", ["ReplicaSet", "Deployment"])
def test_active_deadline_rejected_in_replicaset_templates(kind):
    template = {"spec": {"activeDeadlineSeconds": 30, "containers": [{"name": "c"}]}}
    assert workload_template_errors(kind, template) == [
        "spec.template.spec.activeDeadlineSeconds: Forbidden: "
        "activeDeadlineSeconds in ReplicaSet is not Supported"]


def test_active_deadline_rejected_in_daemonset_template():
    template = {"spec": {"activeDeadlineSeconds": 5, "restartPolicy": "OnFailure"}}
    assert workload_template_errors("DaemonSet", template) == [
        'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": '
        'supported values: "Always"',
        "spec.template.spec.activeDeadlineSeconds: Forbidden: "
        "activeDeadlineSeconds in DaemonSet is not Supported"]


def test_valid_template_has_no_errors():
    assert workload_template_errors("Deployment", {"spec": {"containers": [{"name": "c"}]}}) == []
    with pytest.raises(KubeInputError, match="^kind:"):
        workload_template_errors("Job", {})


def test_probes_and_lifecycle_forbidden_on_plain_init_containers():
    spec = {"initContainers": [
        {"name": "migrate", "livenessProbe": {"exec": {"command": ["true"]}},
         "lifecycle": {"preStop": {"exec": {"command": ["true"]}}}},
        {"name": "proxy", "restartPolicy": "Always", "readinessProbe": {"tcpSocket": {"port": 1}}},
    ], "containers": [{"name": "app"}]}
    assert init_container_errors(spec) == [
        "spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers "
        "without restartPolicy=Always",
        "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers "
        "without restartPolicy=Always"]


def ports(*entries):
    return [dict(e) for e in entries]


# warnings_test.go :: TestWarnings (the duplicate-port rows)
@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ({"containers": [{"name": "foo", "ports": ports(
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP", "hostIP": "10.0.0.1"},
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP"},
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP", "hostIP": "10.0.0.2"})}]},
         ["spec.containers[0].ports[1]: dangerously ambiguous port definition with "
          "spec.containers[0].ports[0]",
          "spec.containers[0].ports[2]: dangerously ambiguous port definition with "
          "spec.containers[0].ports[1]"]),
        ({"containers": [{"name": "foo", "ports": ports(
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP", "hostIP": "10.0.0.1"},
            {"containerPort": 80, "hostPort": 80, "protocol": "UDP"})}]},
         ["spec.containers[0].ports[1]: dangerously ambiguous port definition with "
          "spec.containers[0].ports[0]"]),
        ({"containers": [{"name": "foo", "ports": ports({"containerPort": 80},
                                                        {"containerPort": 80})}]},
         ["spec.containers[0].ports[1]: duplicate port definition with "
          "spec.containers[0].ports[0]"]),
        ({"containers": [{"name": "foo", "ports": ports({"containerPort": 80},
                                                        {"containerPort": 80,
                                                         "protocol": "UDP"})}]}, []),
        ({"initContainers": [{"name": "init", "ports": ports({"containerPort": 8080})}],
          "containers": [{"name": "app", "ports": ports({"containerPort": 8080})}]},
         ["spec.containers[0].ports[0]: duplicate port definition with "
          "spec.initContainers[0].ports[0]"]),
        ({"containers": [{"name": "a", "ports": ports({"containerPort": 80, "hostPort": 8080})},
                         {"name": "b", "ports": ports({"containerPort": 80})}]},
         ["spec.containers[1].ports[0]: overlapping port definition with "
          "spec.containers[0].ports[0]"]),
    ],
)
def test_port_warnings(spec, want):
    assert port_warnings(spec) == want


# prober.go runProbe: the handler is given `timeoutSeconds`; answering later is a Failure.
@pytest.mark.parametrize(
    ("took", "timeout", "answer", "want"),
    [(0.5, 1, ProbeResult.SUCCESS, ProbeResult.SUCCESS),
     (1.0, 1, ProbeResult.SUCCESS, ProbeResult.SUCCESS),
     (1.5, 1, ProbeResult.SUCCESS, ProbeResult.FAILURE),
     (3, 5, ProbeResult.FAILURE, ProbeResult.FAILURE)],
)
def test_probe_timeout(took, timeout, answer, want):
    assert probe_outcome(took, timeout, answer) is want


def test_probe_timeout_rejects_zero():
    with pytest.raises(KubeInputError, match="^timeoutSeconds:"):
        probe_outcome(0, 0, ProbeResult.SUCCESS)

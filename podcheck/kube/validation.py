"""Checks the API server makes on pod templates: errors that reject the object and the
duplicate-port warnings that do not.

Stage: `kube/` rule library.  Consumes a pod template (or pod spec) dict; produces the
error and warning strings, worded as the API server words them (`field: Unsupported
value: "v": supported values: ...`, `field: Forbidden: detail`).  Mirrors, in Kubernetes
v1.35:

* `ValidatePodTemplateSpecForReplicaSet` (`pkg/apis/apps/validation/validation.go`), used
  for ReplicaSets and (through `ValidateDeploymentSpec`) Deployments, and
  `ValidateDaemonSetSpec` (same file): `restartPolicy` must be Always
  (`field.NotSupported`) and the template's `activeDeadlineSeconds` is rejected
  (`field.Forbidden`, "activeDeadlineSeconds in ReplicaSet|DaemonSet is not Supported");
* `validateInitContainers` (`pkg/apis/core/validation/validation.go`): an init container
  that is not a sidecar (`restartPolicy: Always`) may not set `lifecycle`,
  `livenessProbe`, `readinessProbe` or `startupProbe`;
* the port loop of `warningsForPodSpecAndMeta` (`pkg/api/pod/warnings.go`): containers are
  visited init, then app; a port repeating a (containerPort, protocol) pair warns
  "duplicate", "overlapping" or "dangerously ambiguous" against each earlier one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from podcheck.kube._views import optional_list, optional_mapping, require_mapping
from podcheck.kube.errors import KubeInputError

_TEMPLATE_KINDS = {"ReplicaSet": "spec.template", "Deployment": "spec.template",
                   "DaemonSet": "spec.template"}
_INIT_FORBIDDEN = ("lifecycle", "livenessProbe", "readinessProbe", "startupProbe")
_INIT_DETAIL = "may not be set for init containers without restartPolicy=Always"


def workload_template_errors(kind: str, template: Mapping[str, Any]) -> list[str]:
    """The errors `ValidatePodTemplateSpecForReplicaSet` (ReplicaSet, Deployment) or
    `ValidateDaemonSetSpec` (DaemonSet) give for a workload's `spec.template` dict."""
    if kind not in _TEMPLATE_KINDS:
        raise KubeInputError(f"kind: expected one of {', '.join(sorted(_TEMPLATE_KINDS))}")
    path = _TEMPLATE_KINDS[kind]
    spec = optional_mapping(require_mapping(template, path), "spec", path)
    errors = []
    policy = spec.get("restartPolicy", "Always")
    if policy != "Always":
        errors.append(f'{path}.spec.restartPolicy: Unsupported value: "{policy}": '
                      'supported values: "Always"')
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None:
        owner = "DaemonSet" if kind == "DaemonSet" else "ReplicaSet"
        errors.append(f"{path}.spec.activeDeadlineSeconds: Forbidden: "
                      f"activeDeadlineSeconds in {owner} is not Supported")
    return errors


def init_container_errors(spec: Mapping[str, Any], path: str = "spec") -> list[str]:
    """`validateInitContainers`: probes and lifecycle on non-sidecar init containers."""
    errors = []
    for i, raw in enumerate(optional_list(require_mapping(spec, path), "initContainers", path)):
        field = f"{path}.initContainers[{i}]"
        container = require_mapping(raw, field)
        if container.get("restartPolicy") == "Always":
            continue
        errors += [f"{field}.{key}: Forbidden: {_INIT_DETAIL}"
                   for key in _INIT_FORBIDDEN if container.get(key) is not None]
    return errors


def port_warnings(spec: Mapping[str, Any], path: str = "spec") -> list[str]:
    """The duplicate-port warnings of `warningsForPodSpecAndMeta` for a pod spec dict."""
    obj = require_mapping(spec, path)
    seen: dict[tuple[int, str], list[tuple[str, int, str]]] = {}
    warnings: list[str] = []
    for key in ("initContainers", "containers"):
        for i, raw in enumerate(optional_list(obj, key, path)):
            container = require_mapping(raw, f"{path}.{key}[{i}]")
            for j, port in enumerate(optional_list(container, "ports", f"{path}.{key}[{i}]")):
                field = f"{path}.{key}[{i}].ports[{j}]"
                warnings += _port_warnings(require_mapping(port, field), field, seen)
    return warnings


def _port_warnings(
    port: Mapping[str, Any], field: str, seen: dict[tuple[int, str], list[tuple[str, int, str]]]
) -> list[str]:
    number = port.get("containerPort")
    if isinstance(number, bool) or not isinstance(number, int):
        raise KubeInputError(f"{field}.containerPort: expected an integer")
    host_port = port.get("hostPort") or 0
    host_ip = port.get("hostIP") or ""
    key = (number, port.get("protocol") or "TCP")
    out = []
    for other_field, other_port, other_ip in seen.get(key, []):
        if host_ip == other_ip and host_port == other_port:
            out.append(f"{field}: duplicate port definition with {other_field}")
        elif host_port == 0 or other_port == 0:
            out.append(f"{field}: overlapping port definition with {other_field}")
        elif host_port == other_port and (host_ip == "") != (other_ip == ""):
            out.append(f"{field}: dangerously ambiguous port definition with {other_field}")
    seen.setdefault(key, []).append((field, host_port, host_ip))
    return out

"""Shared small values and dict-parsing helpers for the kubelet rules of `podcheck.kube`.

Consumes Kubernetes-shaped dicts (as decoded from YAML/JSON) and produces the small
typed values (enums, frozen dataclasses) that `phase`, `kuberuntime` and `probes`
compute on. Also holds the restart-policy helpers every kubelet rule shares, mirroring
`pkg/api/v1/pod/util.go` of Kubernetes v1.35 (`IsRestartableInitContainer`,
`IsContainerRestartable`, `ContainerShouldRestart`, `findMatchingContainerRestartRule`).
Every parse error is a `KubeInputError` whose message starts with the bad field's path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from podcheck.kube.errors import KubeInputError
from podcheck.vocab import RestartPolicy as RestartPolicy  # pod-level, the one vocabulary


class ContainerRestartPolicy(StrEnum):
    """Container-level `restartPolicy`; `Always` on an init container makes a sidecar."""

    ALWAYS = "Always"
    ON_FAILURE = "OnFailure"
    NEVER = "Never"


class ExitCodeOperator(StrEnum):
    """Operator of a `restartPolicyRules[].exitCodes` matcher."""

    IN = "In"
    NOT_IN = "NotIn"


@dataclass(frozen=True)
class RestartRule:
    """One `restartPolicyRules` entry with action `Restart` (the only GA-path action)."""

    operator: ExitCodeOperator
    values: tuple[int, ...]

    def matches(self, exit_code: int) -> bool:
        """Whether this rule fires for `exit_code` (findMatchingContainerRestartRule)."""
        hit = exit_code in self.values
        return hit if self.operator is ExitCodeOperator.IN else not hit


@dataclass(frozen=True)
class ContainerPolicy:
    """The restart-relevant part of one container's spec."""

    restart_policy: ContainerRestartPolicy | None = None
    rules: tuple[RestartRule, ...] = ()


NO_POLICY = ContainerPolicy()
SIDECAR_POLICY = ContainerPolicy(ContainerRestartPolicy.ALWAYS)


def is_restartable_init_container(policy: ContainerPolicy) -> bool:
    """True for a sidecar: an init container whose restartPolicy is `Always`."""
    return policy.restart_policy is ContainerRestartPolicy.ALWAYS


def is_container_restartable(policy: ContainerPolicy, pod_policy: RestartPolicy) -> bool:
    """Whether the container can ever be restarted (util.go IsContainerRestartable)."""
    if policy.restart_policy is not None:
        if policy.rules:
            return True
        return policy.restart_policy is not ContainerRestartPolicy.NEVER
    return pod_policy is not RestartPolicy.NEVER


def container_should_restart(
    policy: ContainerPolicy, pod_policy: RestartPolicy, exit_code: int
) -> bool:
    """Whether an exited container is restarted (util.go ContainerShouldRestart).

    Rules are consulted only when a container-level restartPolicy is set; then the
    container policy decides; otherwise the pod policy does.
    """
    if policy.restart_policy is not None:
        if any(rule.matches(exit_code) for rule in policy.rules):
            return True
        return _decide(policy.restart_policy.value, exit_code)
    return _decide(pod_policy.value, exit_code)


def _decide(policy: str, exit_code: int) -> bool:
    if policy == "OnFailure":
        return exit_code != 0
    return policy == "Always"


# --- dict parsing -----------------------------------------------------------------


def require_mapping(value: Any, field: str) -> Mapping[str, Any]:
    """Return `value` if it is a mapping, else raise naming `field`."""
    if not isinstance(value, Mapping):
        raise KubeInputError(f"{field}: expected a mapping, got {_kind(value)}")
    return value


def optional_mapping(obj: Mapping[str, Any], key: str, field: str) -> Mapping[str, Any]:
    """`obj[key]` as a mapping, or an empty mapping when absent or null."""
    value = obj.get(key)
    if value is None:
        return {}
    return require_mapping(value, f"{field}.{key}" if field else key)


def optional_list(obj: Mapping[str, Any], key: str, field: str) -> Sequence[Any]:
    """`obj[key]` as a list, or an empty tuple when absent or null."""
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        path = f"{field}.{key}" if field else key
        raise KubeInputError(f"{path}: expected a list, got {_kind(value)}")
    return value


def require_int(value: Any, field: str) -> int:
    """Return `value` if it is an int (bools rejected), else raise naming `field`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise KubeInputError(f"{field}: expected an integer, got {_kind(value)}")
    return value


def require_bool(value: Any, field: str) -> bool:
    """Return `value` if it is a bool, else raise naming `field`."""
    if not isinstance(value, bool):
        raise KubeInputError(f"{field}: expected a boolean, got {_kind(value)}")
    return value


def require_name(container: Mapping[str, Any], field: str) -> str:
    """The non-empty string `name` of a container or status entry."""
    name = container.get("name")
    if not isinstance(name, str) or not name:
        raise KubeInputError(f"{field}.name: expected a non-empty string")
    return name


def require_pod_spec(pod: Any) -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    """The pod mapping and its `spec` mapping; raises if either is missing or wrong."""
    obj = require_mapping(pod, "pod")
    if "spec" not in obj:
        raise KubeInputError("spec: missing")
    return obj, require_mapping(obj["spec"], "spec")


def parse_restart_policy(spec: Mapping[str, Any]) -> RestartPolicy:
    """`spec.restartPolicy`, defaulting to Always as SetDefaults_PodSpec does."""
    raw = spec.get("restartPolicy")
    if raw is None:
        return RestartPolicy.ALWAYS
    try:
        return RestartPolicy(raw)
    except ValueError:
        allowed = ", ".join(p.value for p in RestartPolicy)
        raise KubeInputError(
            f"spec.restartPolicy: unknown restart policy {raw!r} (expected {allowed})"
        ) from None


def parse_container_policy(container: Mapping[str, Any], field: str) -> ContainerPolicy:
    """The container-level restartPolicy and restartPolicyRules of one container."""
    raw = container.get("restartPolicy")
    policy: ContainerRestartPolicy | None = None
    if raw is not None:
        try:
            policy = ContainerRestartPolicy(raw)
        except ValueError:
            raise KubeInputError(
                f"{field}.restartPolicy: unknown container restart policy {raw!r}"
            ) from None
    rules = tuple(
        _parse_rule(rule, f"{field}.restartPolicyRules[{i}]")
        for i, rule in enumerate(optional_list(container, "restartPolicyRules", field))
    )
    return ContainerPolicy(policy, rules)


def _parse_rule(rule: Any, field: str) -> RestartRule:
    rule = require_mapping(rule, field)
    action = rule.get("action")
    if action != "Restart":
        raise KubeInputError(
            f"{field}.action: unsupported action {action!r} (v1.35 default feature "
            "gates accept only `Restart`)"
        )
    codes = require_mapping(rule.get("exitCodes"), f"{field}.exitCodes")
    try:
        operator = ExitCodeOperator(str(codes.get("operator")))
    except ValueError:
        raise KubeInputError(f"{field}.exitCodes.operator: expected `In` or `NotIn`") from None
    values = tuple(
        require_int(v, f"{field}.exitCodes.values[{i}]")
        for i, v in enumerate(optional_list(codes, "values", f"{field}.exitCodes"))
    )
    return RestartRule(operator, values)


def parse_containers(
    spec: Mapping[str, Any], key: str, *, required: bool
) -> tuple[tuple[str, ContainerPolicy, Mapping[str, Any]], ...]:
    """(name, policy, raw dict) for each entry of `spec.<key>`; names must be unique."""
    if required and key not in spec:
        raise KubeInputError(f"spec.{key}: missing")
    entries = optional_list(spec, key, "spec")
    if required and not entries:
        raise KubeInputError(f"spec.{key}: must have at least one container")
    out = []
    for i, raw in enumerate(entries):
        field = f"spec.{key}[{i}]"
        container = require_mapping(raw, field)
        out.append(
            (require_name(container, field), parse_container_policy(container, field), container)
        )
    return tuple(out)


def check_unique_names(names: Sequence[str], field: str) -> None:
    """Raise if a container name repeats across init and app containers."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise KubeInputError(f"{field}: duplicate container name {name!r}")
        seen.add(name)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__

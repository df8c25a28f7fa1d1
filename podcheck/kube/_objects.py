"""Kubernetes objects as the disruption and eviction rules read them.

Stage: `kube/` rule library, internal.  Consumes pod, PDB and workload-controller dicts;
produces small frozen views (`PodView`, `PdbView`, `Controller`, `OwnerRef`) and the
`IntOrPercent` value of budgets (the checked spec's one `IntOrPercent` type), validating
every field and raising `KubeInputError` with the field's path.  `disruption.py` and
`eviction.py` compute on these views.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from podcheck.kube.errors import KubeInputError
from podcheck.kube.intstr import IntOrPercent
from podcheck.kube.labels import InvalidSelector, Selector, label_map, selector_from_api

_PERCENT_RE = re.compile(r"^[0-9]+%$")
_INT32_MAX = 2**31 - 1
BUILTIN_KINDS = {"ReplicationController", "ReplicaSet", "Deployment", "StatefulSet"}


def parse_int_or_percent(raw: object, field: str) -> IntOrPercent:
    """An `intstr.IntOrString` as a PDB accepts it: a non-negative int or "N%" (N <= 100),
    validated like `ValidatePositiveIntOrPercent` + `IsNotMoreThan100Percent`."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise KubeInputError(f"{field}: must be an integer or percentage (e.g. '5%')")
    if isinstance(raw, int):
        if not 0 <= raw <= _INT32_MAX:
            raise KubeInputError(f"{field}: must be a non-negative int32, got {raw}")
        return IntOrPercent(raw)
    if not _PERCENT_RE.match(raw):
        raise KubeInputError(f"{field}: {raw!r} must be an integer or percentage (e.g. '5%')")
    value = int(raw[:-1])
    if value > 100:
        raise KubeInputError(f"{field}: {raw!r} must not be greater than 100%")
    return IntOrPercent(value, percent=True)


@dataclass(frozen=True)
class OwnerRef:
    """The controller `ownerReference` of an object (`metav1.GetControllerOf`)."""

    api_version: str
    kind: str
    name: str
    uid: str


@dataclass(frozen=True)
class PodView:
    """The fields of a pod the disruption rules read."""

    name: str
    namespace: str
    labels: Mapping[str, str]
    phase: str
    terminating: bool
    ready: bool
    controller: OwnerRef | None


@dataclass(frozen=True)
class PdbView:
    """The fields of a PodDisruptionBudget the disruption rules read."""

    name: str
    namespace: str
    generation: int
    selector: Selector | InvalidSelector
    min_available: IntOrPercent | None
    max_unavailable: IntOrPercent | None
    unhealthy_pod_eviction_policy: str | None
    observed_generation: int
    disruptions_allowed: int
    current_healthy: int
    desired_healthy: int
    expected_pods: int
    disrupted_pods: Mapping[str, datetime]


@dataclass(frozen=True)
class Controller:
    group: str
    kind: str
    namespace: str
    name: str
    uid: str
    replicas: int
    controller: OwnerRef | None


def parse_pod(pod: object, field: str = "pod") -> PodView:
    """Validate the pod fields the disruption and eviction rules read."""
    obj = _mapping(pod, field)
    meta = _mapping(obj.get("metadata") or {}, f"{field}.metadata")
    status = _mapping(obj.get("status") or {}, f"{field}.status")
    conditions = as_sequence(status.get("conditions") or (), f"{field}.status.conditions")
    ready_conditions = [
        _mapping(cond, f"{field}.status.conditions[{i}]") for i, cond in enumerate(conditions)
    ]
    # `IsPodReady` reads the first condition of type Ready.
    ready = next(
        (c.get("status") == "True" for c in ready_conditions if c.get("type") == "Ready"), False
    )
    return PodView(
        name=_string(meta.get("name", ""), f"{field}.metadata.name"),
        namespace=_string(meta.get("namespace") or "default", f"{field}.metadata.namespace"),
        labels=label_map(meta.get("labels"), f"{field}.metadata.labels"),
        phase=_string(status.get("phase") or "", f"{field}.status.phase"),
        terminating=meta.get("deletionTimestamp") is not None,
        ready=ready,
        controller=_controller_ref(meta, f"{field}.metadata"),
    )


def parse_pdb(pdb: object, field: str = "pdb") -> PdbView:
    """Validate a PodDisruptionBudget the way API validation would admit it."""
    obj = _mapping(pdb, field)
    meta = _mapping(obj.get("metadata") or {}, f"{field}.metadata")
    spec = _mapping(obj.get("spec") or {}, f"{field}.spec")
    status = _mapping(obj.get("status") or {}, f"{field}.status")
    min_raw, max_raw = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_raw is not None and max_raw is not None:
        raise KubeInputError(f"{field}.spec: minAvailable and maxUnavailable cannot be both set")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        raise KubeInputError(
            f"{field}.spec.unhealthyPodEvictionPolicy: unsupported value {policy!r} "
            "(supported: 'AlwaysAllow', 'IfHealthyBudget')"
        )

    def counter(key: str, where: Mapping[str, object], path: str) -> int:
        return _int(where.get(key, 0), f"{path}.{key}")

    return PdbView(
        name=_string(meta.get("name", ""), f"{field}.metadata.name"),
        namespace=_string(meta.get("namespace") or "default", f"{field}.metadata.namespace"),
        generation=counter("generation", meta, f"{field}.metadata"),
        selector=selector_from_api(spec.get("selector"), f"{field}.spec.selector"),
        min_available=None if min_raw is None
        else parse_int_or_percent(min_raw, f"{field}.spec.minAvailable"),
        max_unavailable=None if max_raw is None
        else parse_int_or_percent(max_raw, f"{field}.spec.maxUnavailable"),
        unhealthy_pod_eviction_policy=policy,
        observed_generation=counter("observedGeneration", status, f"{field}.status"),
        disruptions_allowed=counter("disruptionsAllowed", status, f"{field}.status"),
        current_healthy=counter("currentHealthy", status, f"{field}.status"),
        desired_healthy=counter("desiredHealthy", status, f"{field}.status"),
        expected_pods=counter("expectedPods", status, f"{field}.status"),
        disrupted_pods=_timestamps(status.get("disruptedPods"), f"{field}.status.disruptedPods"),
    )


def index_controllers(controllers: Sequence[object]) -> dict[tuple[str, str, str], Controller]:
    index: dict[tuple[str, str, str], Controller] = {}
    for i, raw in enumerate(as_sequence(controllers, "controllers")):
        field = f"controllers[{i}]"
        obj = _mapping(raw, field)
        meta = _mapping(obj.get("metadata") or {}, f"{field}.metadata")
        spec = _mapping(obj.get("spec") or {}, f"{field}.spec")
        kind = _string(obj.get("kind"), f"{field}.kind")
        default_version = "v1" if kind == "ReplicationController" else "apps/v1"
        api_version = obj.get("apiVersion", default_version if kind in BUILTIN_KINDS else None)
        group = api_group(_string(api_version, f"{field}.apiVersion"))
        if group is None:
            raise KubeInputError(f"{field}.apiVersion: unexpected GroupVersion {api_version!r}")
        # API defaulting sets spec.replicas to 1 on the four workload kinds.
        default_replicas = 1 if kind in BUILTIN_KINDS else None
        replicas = _int(spec.get("replicas", default_replicas), f"{field}.spec.replicas")
        ctl = Controller(
            group=group,
            kind=kind,
            namespace=_string(meta.get("namespace") or "default", f"{field}.metadata.namespace"),
            name=_string(meta.get("name"), f"{field}.metadata.name"),
            uid=_string(meta.get("uid"), f"{field}.metadata.uid"),
            replicas=replicas,
            controller=_controller_ref(meta, f"{field}.metadata"),
        )
        index.setdefault((ctl.kind, ctl.namespace, ctl.name), ctl)
    return index


def _controller_ref(meta: Mapping[str, object], field: str) -> OwnerRef | None:
    refs = as_sequence(meta.get("ownerReferences") or (), f"{field}.ownerReferences")
    for i, raw in enumerate(refs):
        path = f"{field}.ownerReferences[{i}]"
        ref = _mapping(raw, path)
        is_controller = ref.get("controller", False)
        if not isinstance(is_controller, bool):
            raise KubeInputError(f"{path}.controller: must be a boolean")
        if is_controller:
            return OwnerRef(
                api_version=_string(ref.get("apiVersion"), f"{path}.apiVersion"),
                kind=_string(ref.get("kind"), f"{path}.kind"),
                name=_string(ref.get("name", ""), f"{path}.name"),
                uid=_string(ref.get("uid"), f"{path}.uid"),
            )
    return None


def api_group(api_version: str) -> str | None:
    """The group of `schema.ParseGroupVersion`; None where it errors (two or more '/')."""
    if api_version in ("", "/"):
        return ""
    if api_version.count("/") > 1:
        return None
    return api_version.split("/")[0] if "/" in api_version else ""


def _timestamps(raw: object, field: str) -> dict[str, datetime]:
    if raw is None:
        return {}
    out: dict[str, datetime] = {}
    for name, value in _mapping(raw, field).items():
        path = f"{field}.{name}"
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise KubeInputError(f"{path}: invalid RFC 3339 time {value!r}") from None
        out[_string(name, path)] = aware(value, path)
    return out


def aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime):
        raise KubeInputError(f"{field}: must be a datetime or RFC 3339 string")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _mapping(value: object, field: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise KubeInputError(f"{field}: must be a mapping, got {type(value).__name__}")
    return value


def as_sequence(value: object, field: str) -> Sequence[object]:
    if not isinstance(value, (list, tuple)):
        raise KubeInputError(f"{field}: must be a list, got {type(value).__name__}")
    return value


def _string(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise KubeInputError(f"{field}: must be a string, got {type(value).__name__}")
    return value


def _int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise KubeInputError(f"{field}: must be an integer, got {type(value).__name__}")
    return value

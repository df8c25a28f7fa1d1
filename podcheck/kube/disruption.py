"""PodDisruptionBudget status, as the disruption controller computes it.

Stage: `kube/` rule library. Consumes a PDB dict, pod dicts and workload-controller
dicts; produces the PDB status numbers (`pdb_status`) or the full sync outcome
(`sync_pdb`). The CORE integer functions (`scaled_value`, `expected_count`,
`desired_healthy`, `disruptions_allowed`) carry the arithmetic so the model compiler
can emit the same rules as integer guards.

Mirrors `pkg/controller/disruption/disruption.go` (`trySync`, `getExpectedPodCount`,
`getExpectedScale`, the controller finders, `countHealthyPods`,
`buildDisruptedPodMap`, `updatePdbStatus`, `failSafe`) and
`GetScaledValueFromIntOrPercent` of apimachinery `util/intstr`.

NOTE(fail-safe): when `trySync` errors (an invalid selector, or a pod whose controller
reference resolves to nothing), the controller does not compute a status; `failSafe`
writes the *previous* status with only `disruptionsAllowed` forced to 0 (and the
`DisruptionAllowed` condition set to False/SyncFailed). `sync_pdb` returns exactly that,
with the reason in `sync_error`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from podcheck.kube._objects import (
    BUILTIN_KINDS,
    Controller,
    OwnerRef,
    PdbView,
    PodView,
    api_group,
    as_sequence,
    aware,
    index_controllers,
    parse_pdb,
    parse_pod,
)
from podcheck.kube.intstr import (
    IntOrPercent as IntOrPercent,  # part of this module's core API (docs/api.md)
)
from podcheck.kube.labels import InvalidSelector

DELETION_TIMEOUT = timedelta(minutes=2)
# Kinds the apiserver's REST mapper knows but whose objects have no scale subresource.
_NO_SCALE = {
    ("apps", "DaemonSet"): "daemonsets.apps",
    ("batch", "Job"): "jobs.batch",
    ("", "Node"): "nodes",
}
# Kinds served with a scale subresource: the last finder (`getScaleController`) reads them.
_SCALABLE = {
    ("", "ReplicationController"),
    ("apps", "ReplicaSet"),
    ("apps", "Deployment"),
    ("apps", "StatefulSet"),
}


# ---------------------------------------------------------------------------- core


def scaled_value(value: IntOrPercent, total: int, round_up: bool) -> int:
    """`GetScaledValueFromIntOrPercent`: an int as is, a percentage of `total` rounded.

    Exact integer arithmetic; equal to Go's float64 ceil/floor for every PDB input.
    """
    if not value.percent:
        return value.value
    product = value.value * total
    return -(-product // 100) if round_up else product // 100


def expected_count(
    min_available: IntOrPercent | None,
    max_unavailable: IntOrPercent | None,
    matched_pods: int,
    controller_scale: int,
) -> int:
    """`expectedPods`: the matched-pod count for an integer minAvailable, else the sum of
    the pods' controllers' replicas (`getExpectedScale`); 0 when neither is set."""
    if max_unavailable is not None:
        return controller_scale
    if min_available is None:
        return 0
    return controller_scale if min_available.percent else matched_pods


def desired_healthy(
    min_available: IntOrPercent | None, max_unavailable: IntOrPercent | None, expected: int
) -> int:
    """`desiredHealthy` of `getExpectedPodCount`; maxUnavailable wins if both are given.

    Both percentages round up: maxUnavailable 30% of 7 is 3 (desired 4), minAvailable
    34% of 3 is 2.
    """
    if max_unavailable is not None:
        return max(0, expected - scaled_value(max_unavailable, expected, round_up=True))
    if min_available is None:
        return 0
    return scaled_value(min_available, expected, round_up=True)


def needs_expected_scale(
    min_available: IntOrPercent | None, max_unavailable: IntOrPercent | None
) -> bool:
    """Whether `trySync` calls `getExpectedScale`: for maxUnavailable or a percentage
    minAvailable (an integer minAvailable counts the matched pods instead)."""
    return max_unavailable is not None or (min_available is not None and min_available.percent)


def scale_of(group: str, kind: str, replicas: int) -> tuple[int, str]:
    """(scale, error) of a pod's controller that the finders of `getExpectedScale` reach
    (uids matching): a ReplicationController, ReplicaSet, Deployment (through the
    ReplicaSet it owns), StatefulSet or other kind served with /scale gives its
    `spec.replicas`; `getScaleController` errors for a kind without /scale (a Job, a
    DaemonSet) and for a kind the REST mapper does not know."""
    if (group, kind) in _NO_SCALE:
        return 0, f"{_NO_SCALE[(group, kind)]} does not implement the scale subresource"
    if (group, kind) not in _SCALABLE:
        return 0, f"no matches for kind {kind!r} in group {group!r}"
    return replicas, ""


def disruptions_allowed(current_healthy: int, desired_healthy: int, expected: int) -> int:
    """`updatePdbStatus`: healthy minus desired, but 0 if that is negative or if no pods
    are expected."""
    allowed = current_healthy - desired_healthy
    return 0 if expected <= 0 or allowed <= 0 else allowed


# ---------------------------------------------------------------------------- objects


@dataclass(frozen=True)
class PdbSync:
    """One `sync` of a PDB: the status it writes, and the error if it fell back to failSafe."""

    expected_pods: int
    current_healthy: int
    desired_healthy: int
    disruptions_allowed: int
    observed_generation: int
    disrupted_pods: tuple[str, ...] = ()
    unmanaged_pods: tuple[str, ...] = ()
    sync_error: str = ""

    def status(self) -> dict[str, int]:
        """The four status counters, keyed by their API names."""
        return {
            "expectedPods": self.expected_pods,
            "currentHealthy": self.current_healthy,
            "desiredHealthy": self.desired_healthy,
            "disruptionsAllowed": self.disruptions_allowed,
        }


# ---------------------------------------------------------------------------- sync


def pdb_status(
    pdb: object,
    pods: Sequence[object],
    controllers: Sequence[object] = (),
    *,
    now: datetime | None = None,
) -> dict[str, int]:
    """expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed after one sync.

    `pods` may include pods of other namespaces or labels; the PDB's selector picks its
    own. `controllers` are the ReplicationControllers, ReplicaSets, Deployments,
    StatefulSets (and scalable custom resources) the pods' controller references
    point at. `now` decides whether `status.disruptedPods` entries older than two
    minutes have expired; without it every entry is still pending.
    """
    return sync_pdb(pdb, pods, controllers, now=now).status()


def sync_pdb(
    pdb: object,
    pods: Sequence[object],
    controllers: Sequence[object] = (),
    *,
    now: datetime | None = None,
) -> PdbSync:
    """The full outcome of `DisruptionController.sync` for one PDB; see NOTE(fail-safe)."""
    view = parse_pdb(pdb, "pdb")
    pod_views = [parse_pod(p, f"pods[{i}]") for i, p in enumerate(as_sequence(pods, "pods"))]
    index = index_controllers(controllers)
    when = aware(now, "now") if now is not None else None
    if isinstance(view.selector, InvalidSelector):
        return _fail_safe(view, view.selector.message)
    selected = [
        p for p in pod_views if p.namespace == view.namespace and view.selector.matches(p.labels)
    ]
    scale, unmanaged, error = _expected_scale(view, selected, index)
    if error:
        return _fail_safe(view, error)
    expected = expected_count(view.min_available, view.max_unavailable, len(selected), scale)
    desired = desired_healthy(view.min_available, view.max_unavailable, expected)
    disrupted = _disrupted_pods(view, selected, when)
    healthy = sum(1 for p in selected if _counts_healthy(p, disrupted, when))
    return PdbSync(
        expected_pods=expected,
        current_healthy=healthy,
        desired_healthy=desired,
        disruptions_allowed=disruptions_allowed(healthy, desired, expected),
        observed_generation=view.generation,
        disrupted_pods=tuple(sorted(disrupted)),
        unmanaged_pods=tuple(unmanaged),
    )


def _fail_safe(view: PdbView, error: str) -> PdbSync:
    return PdbSync(
        expected_pods=view.expected_pods,
        current_healthy=view.current_healthy,
        desired_healthy=view.desired_healthy,
        disruptions_allowed=0,
        observed_generation=view.observed_generation,
        disrupted_pods=tuple(sorted(view.disrupted_pods)),
        sync_error=error,
    )


def _expected_scale(
    view: PdbView, pods: Sequence[PodView], index: Mapping[tuple[str, str, str], Controller]
) -> tuple[int, list[str], str]:
    """`getExpectedScale` (only when a percentage or maxUnavailable needs it)."""
    if not needs_expected_scale(view.min_available, view.max_unavailable):
        return 0, [], ""
    scales: dict[str, int] = {}
    unmanaged: list[str] = []
    for pod in pods:
        if pod.controller is None:
            unmanaged.append(pod.name)
            continue
        found, error = _find_controller(pod.controller, pod.namespace, index)
        if error:
            return 0, unmanaged, error
        if found is None:
            return 0, unmanaged, f"found no controllers for pod {pod.name!r}"
        scales[found[0]] = found[1]
    return sum(scales.values()), unmanaged, ""


def _find_controller(
    ref: OwnerRef, namespace: str, index: Mapping[tuple[str, str, str], Controller]
) -> tuple[tuple[str, int] | None, str]:
    """The finders in order: RC, Deployment, ReplicaSet, StatefulSet, scale subresource."""
    group = api_group(ref.api_version)
    if group is None:
        return None, f"unexpected GroupVersion string: {ref.api_version}"
    if ref.kind == "ReplicationController" and group == "":
        return _same_uid(index.get(("ReplicationController", namespace, ref.name)), ref), ""
    if ref.kind == "ReplicaSet" and group in ("apps", "extensions"):
        rs = index.get(("ReplicaSet", namespace, ref.name))
        if rs is not None and rs.uid == ref.uid:
            owner = rs.controller
            if owner is None or owner.kind != "Deployment":
                return (rs.uid, rs.replicas), ""
            owner_group = api_group(owner.api_version)
            if owner_group is None:
                return None, f"unexpected GroupVersion string: {owner.api_version}"
            if owner_group in ("apps", "extensions"):
                found = _same_uid(index.get(("Deployment", rs.namespace, owner.name)), owner)
                if found is not None:
                    return found, ""
    if ref.kind == "StatefulSet" and group == "apps":
        found = _same_uid(index.get(("StatefulSet", namespace, ref.name)), ref)
        if found is not None:
            return found, ""
    return _scale_subresource(ref, group, namespace, index)


def _scale_subresource(
    ref: OwnerRef, group: str, namespace: str, index: Mapping[tuple[str, str, str], Controller]
) -> tuple[tuple[str, int] | None, str]:
    """`getScaleController`: unknown kinds and kinds without /scale are errors."""
    target = index.get((ref.kind, namespace, ref.name))
    custom = target is not None and target.kind not in BUILTIN_KINDS and target.group == group
    _, error = scale_of(group, ref.kind, 0)
    if error and not (custom and (group, ref.kind) not in _NO_SCALE):
        return None, error
    return _same_uid(target, ref), ""


def _same_uid(found: Controller | None, ref: OwnerRef) -> tuple[str, int] | None:
    if found is None or found.uid != ref.uid:
        return None
    return found.uid, found.replicas


def _disrupted_pods(
    view: PdbView, pods: Sequence[PodView], now: datetime | None
) -> dict[str, datetime]:
    """`buildDisruptedPodMap`: keep entries of live, non-terminating pods not yet expired."""
    kept: dict[str, datetime] = {}
    for pod in pods:
        when = view.disrupted_pods.get(pod.name)
        if pod.terminating or when is None:
            continue
        if now is not None and when + DELETION_TIMEOUT < now:
            continue
        kept[pod.name] = when
    return kept


def _counts_healthy(pod: PodView, disrupted: Mapping[str, datetime], now: datetime | None) -> bool:
    """`countHealthyPods`: Ready, not being deleted, not about to be deleted by an eviction."""
    if pod.terminating:
        return False
    when = disrupted.get(pod.name)
    if when is not None and (now is None or when + DELETION_TIMEOUT > now):
        return False
    return pod.ready


# ---------------------------------------------------------------------------- parsing

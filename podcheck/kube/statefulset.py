"""StatefulSet controller rules: ordinal identity, OrderedReady vs Parallel, and updates.

Stage: `kube/` rule library.  Consumes the StatefulSet's strategy values and one small
`SetPod` per pod the controller sees; produces the actions one sync of the controller
takes.  Mirrors `updateStatefulSet`, `processReplica`, `processCondemned`, `runForAll` and
`updateStatefulSetAfterInvariantEstablished` (`pkg/controller/statefulset/
stateful_set_control.go`) and `getParentNameAndOrdinal`, `getStartOrdinal`,
`newVersionedStatefulSetPod`, `allowsBurst`, `getStatefulSetMaxUnavailable`
(`stateful_set_utils.go`) of Kubernetes v1.35:

* a pod's identity is its name `<set>-<ordinal>`; the controller re-creates a missing
  ordinal under the same name, and deletes a Failed or Succeeded pod so that the next
  sync re-creates it (with the same name);
* `OrderedReady` is monotonic: ordinals are visited in ascending order and the sync
  stops at the first pod it creates, the first terminating pod, or the first pod that is
  not Running, Ready and Available; condemned pods (ordinals past `replicas`) are deleted
  one per sync, highest ordinal first, and only once every replica is healthy (the first
  unhealthy pod itself may be deleted).  `Parallel` creates and deletes every pod at once;
* `OnDelete` never deletes a pod for an update; `RollingUpdate` deletes out-of-date pods
  from the highest ordinal down to `partition`.  With the `MaxUnavailableStatefulSet`
  gate (beta, on by default since v1.35) up to `maxUnavailable` (int or percent of
  `replicas`, rounded down, at least 1, default 1) pods may be unavailable, counting
  unavailable replicas at any ordinal; without it one pod at a time, waiting for each to
  become available;
* a created pod gets the update revision unless the strategy is RollingUpdate and its
  ordinal is below the partition (then the current revision).

A pod is "unavailable" when it is not Running, Ready and Available (`minReadySeconds`)
or is terminating: the caller decides `available` with the pod helpers.  Storage, PVC
retention and revision history are not modelled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from podcheck.kube.errors import KubeInputError
from podcheck.kube.rollout import scaled_value
from podcheck.vocab import PodManagementPolicy as PodManagementPolicy  # the vocabulary's
from podcheck.vocab import PodPhase
from podcheck.vocab import StatefulSetUpdateStrategy as UpdateStrategyType  # spec.updateStrategy

_POD_NAME = re.compile(r"^(.*)-([0-9]+)$")
_INT32_MAX = 2**31 - 1


class SetActionKind(StrEnum):
    """What one sync does to one ordinal."""

    CREATE = "create"
    DELETE_FINISHED = "delete-finished"  # Failed or Succeeded: re-created next sync
    DELETE_CONDEMNED = "delete-condemned"  # scale down
    DELETE_FOR_UPDATE = "delete-for-update"  # re-created next sync at the update revision


@dataclass(frozen=True)
class SetPod:
    """One pod of the set as the controller reads it.  `phase` None: not created yet."""

    ordinal: int
    phase: PodPhase | None
    ready: bool = False
    available: bool | None = None  # None: Running and Ready (minReadySeconds 0)
    terminating: bool = False
    updated: bool = True  # its revision label is the update revision

    @property
    def running_and_ready(self) -> bool:
        """`isRunningAndReady`: phase Running and the Ready condition."""
        return self.phase is PodPhase.RUNNING and self.ready

    @property
    def running_and_available(self) -> bool:
        """`isRunningAndAvailable`: Ready for `minReadySeconds`."""
        return self.running_and_ready if self.available is None else self.available

    @property
    def unavailable(self) -> bool:
        """Not Running, Ready and Available, or terminating."""
        return not self.running_and_available or self.terminating


@dataclass(frozen=True)
class SetStrategy:
    """The spec fields one sync reads."""

    replicas: int
    policy: PodManagementPolicy = PodManagementPolicy.ORDERED_READY
    strategy: UpdateStrategyType = UpdateStrategyType.ROLLING_UPDATE
    partition: int = 0
    max_unavailable: int | str | None = None
    start: int = 0  # spec.ordinals.start
    max_unavailable_gate: bool = True  # MaxUnavailableStatefulSet (beta, default on in v1.35)


@dataclass(frozen=True)
class SetAction:
    """One action of a sync; `updated` is the revision a created pod gets."""

    kind: SetActionKind
    ordinal: int
    updated: bool = True


def parent_and_ordinal(pod_name: str) -> tuple[str, int]:
    """`getParentNameAndOrdinal`: (set name, ordinal), or ("", -1) for a name that is not
    `<parent>-<digits>` or whose ordinal does not fit an int32."""
    match = _POD_NAME.match(pod_name)
    if match is None:
        return "", -1
    ordinal = int(match.group(2))
    return match.group(1), (ordinal if ordinal <= _INT32_MAX else -1)


def pod_name(set_name: str, ordinal: int) -> str:
    """`getPodName`: the stable name of the pod with this ordinal."""
    return f"{set_name}-{ordinal}"


def max_unavailable(raw: int | str | None, replicas: int) -> int:
    """`getStatefulSetMaxUnavailable`: default 1, percent of `replicas` rounded down, at
    least 1."""
    return max(1, scaled_value(1 if raw is None else raw, replicas, False, "maxUnavailable"))


def created_revision_is_update(spec: SetStrategy, ordinal: int) -> bool:
    """`newVersionedStatefulSetPod`: whether a pod created now at `ordinal` gets the
    update revision (False: the current revision).  Under RollingUpdate an ordinal below
    `start + partition` keeps the current revision; under OnDelete (whose `rollingUpdate`
    validation forbids) every new pod gets the update revision.  The Go branch for a
    RollingUpdate without a `rollingUpdate` block (which reads `status.currentReplicas`)
    never runs after API defaulting, which sets partition 0."""
    if spec.strategy is UpdateStrategyType.ROLLING_UPDATE:
        return ordinal >= spec.start + spec.partition
    return True


def sync(spec: SetStrategy, pods: Sequence[SetPod]) -> list[SetAction]:
    """One `updateStatefulSet` pass: the creations and deletions it makes, in order."""
    _check(spec, pods)
    by_ordinal = {p.ordinal: p for p in pods}
    end = spec.start + spec.replicas - 1
    replicas = [by_ordinal.get(o, SetPod(o, None)) for o in range(spec.start, end + 1)]
    condemned = sorted((p for p in pods if p.ordinal > end or p.ordinal < spec.start),
                       key=lambda p: -p.ordinal)
    monotonic = spec.policy is PodManagementPolicy.ORDERED_READY
    actions: list[SetAction] = []
    if _process_replicas(spec, replicas, monotonic, actions):
        return actions
    first_unhealthy = next((p for p in replicas if p.unavailable), None)
    if first_unhealthy is None:
        first_unhealthy = next((p for p in reversed(condemned) if p.unavailable), None)
    for pod in condemned:
        if _process_condemned(pod, first_unhealthy, monotonic, actions) and monotonic:
            return actions
    if spec.strategy is UpdateStrategyType.ON_DELETE:
        return actions
    if spec.max_unavailable_gate:
        return actions + update_after_invariant(spec, replicas)
    return actions + _update_one_at_a_time(spec, replicas)


def _process_replicas(
    spec: SetStrategy, replicas: list[SetPod], monotonic: bool, actions: list[SetAction]
) -> bool:
    """`runForAll(replicas, processReplica)`: True when a monotonic sync must stop."""
    for pod in replicas:
        if pod.phase in (PodPhase.FAILED, PodPhase.SUCCEEDED):
            if not pod.terminating:
                actions.append(SetAction(SetActionKind.DELETE_FINISHED, pod.ordinal))
            if monotonic:
                return True
            continue
        if pod.phase is None:
            updated = created_revision_is_update(spec, pod.ordinal)
            actions.append(SetAction(SetActionKind.CREATE, pod.ordinal, updated))
            if monotonic:
                return True
            continue
        if monotonic and (pod.terminating or not pod.running_and_ready
                          or not pod.running_and_available):
            return True
    return False


def _process_condemned(
    pod: SetPod, first_unhealthy: SetPod | None, monotonic: bool, actions: list[SetAction]
) -> bool:
    """`processCondemned`: True when it acted or blocked (a monotonic sync then stops)."""
    if pod.terminating:
        return monotonic
    if monotonic and pod is not first_unhealthy and not (
            pod.running_and_ready and pod.running_and_available):
        return True
    actions.append(SetAction(SetActionKind.DELETE_CONDEMNED, pod.ordinal))
    return True


def update_after_invariant(spec: SetStrategy, replicas: Sequence[SetPod]) -> list[SetAction]:
    """`updateStatefulSetAfterInvariantEstablished`: the update deletions once scaling is
    settled, `replicas` being the pods at ordinals `start .. start + replicas - 1`."""
    allowed = max_unavailable(spec.max_unavailable, spec.replicas)
    unavailable = sum(1 for p in replicas if p.unavailable)
    if unavailable > allowed:
        return []
    budget = allowed - unavailable
    out: list[SetAction] = []
    for pod in reversed(replicas[spec.partition:]):
        if len(out) >= budget:
            break
        if not pod.updated and not pod.terminating:
            out.append(SetAction(SetActionKind.DELETE_FOR_UPDATE, pod.ordinal))
    return out


def _update_one_at_a_time(spec: SetStrategy, replicas: Sequence[SetPod]) -> list[SetAction]:
    """The rolling-update loop of `updateStatefulSet` without the gate."""
    for pod in reversed(replicas[spec.partition:]):
        if not pod.updated and not pod.terminating:
            return [SetAction(SetActionKind.DELETE_FOR_UPDATE, pod.ordinal)]
        if pod.unavailable:
            return []
    return []


def _check(spec: SetStrategy, pods: Sequence[SetPod]) -> None:
    if spec.replicas < 0:
        raise KubeInputError("spec.replicas: must be greater than or equal to 0")
    if spec.partition < 0:
        raise KubeInputError("spec.updateStrategy.rollingUpdate.partition: must be greater "
                             "than or equal to 0")
    if spec.start < 0:
        raise KubeInputError("spec.ordinals.start: must be greater than or equal to 0")
    seen: set[int] = set()
    for pod in pods:
        if pod.ordinal < 0 or pod.ordinal in seen:
            raise KubeInputError(f"pods: ordinal {pod.ordinal} is negative or repeated")
        seen.add(pod.ordinal)

"""Deployment rollouts as the deployment controller computes them.

Stage: `kube/` rule library.  Consumes the strategy's int-or-percent values, the
desired replica count and the ReplicaSets' `spec.replicas` / `status.availableReplicas`
as small values; produces integers (fenceposts, new replica counts) and the Progressing
condition.  Mirrors Kubernetes v1.35:

* `ResolveFenceposts`, `MaxSurge`, `MaxUnavailable`, `NewRSNewReplicas`,
  `DeploymentComplete`, `DeploymentProgressing`, `DeploymentTimedOut`
  (`pkg/controller/deployment/util/deployment_util.go`) over
  `GetScaledValueFromIntOrPercent` (apimachinery `util/intstr`): surge rounds up,
  unavailable rounds down, an absent value is 0, and when both resolve to 0 the
  controller takes maxUnavailable 1 ("surge might not work due to quota").  Absent from
  a Deployment, both default to 25% (`SetDefaults_Deployment`).
* `reconcileNewReplicaSet`, `reconcileOldReplicaSets`, `cleanupUnhealthyReplicas`,
  `scaleDownOldReplicaSetsForRollingUpdate` (`pkg/controller/deployment/rolling.go`),
  `scaleDownOldReplicaSetsForRecreate` / `oldPodsRunning` (`recreate.go`) and the
  Progressing half of `syncRolloutStatus` (`progress.go`).  The old ReplicaSets are given
  oldest first (`ReplicaSetsByCreationTimestamp`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from podcheck.kube._views import optional_mapping, require_mapping
from podcheck.kube.errors import KubeInputError
from podcheck.vocab import DeploymentStrategyType, ProgressingReason

DEFAULT_MAX_SURGE = "25%"
DEFAULT_MAX_UNAVAILABLE = "25%"
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600  # SetDefaults_Deployment
NO_PROGRESS_DEADLINE = 2**31 - 1  # math.MaxInt32: `HasProgressDeadline` is false
_PERCENT = re.compile(r"^([0-9]+)%$")


def scaled_value(raw: int | str | None, total: int, round_up: bool, field: str) -> int:
    """`GetScaledValueFromIntOrPercent(ValueOrDefault(raw, 0), total, round_up)`."""
    if raw is None:
        return 0
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise KubeInputError(f"{field}: must be an integer or percentage (e.g. '5%')")
    if isinstance(raw, int):
        return raw
    match = _PERCENT.match(raw)
    if match is None:
        raise KubeInputError(f"{field}: invalid value for IntOrString: invalid type: string is "
                             f"not a percentage: {raw!r}")
    scaled = int(match.group(1)) * total / 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def resolve_fenceposts(
    max_surge: int | str | None, max_unavailable: int | str | None, desired: int
) -> tuple[int, int]:
    """`ResolveFenceposts`: (surge, unavailable) for `desired` replicas."""
    surge = scaled_value(max_surge, desired, True, "maxSurge")
    unavailable = scaled_value(max_unavailable, desired, False, "maxUnavailable")
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def deployment_fenceposts(deployment: Mapping[str, Any]) -> tuple[int, int]:
    """The fenceposts of a Deployment dict: `spec.replicas` (default 1) and
    `spec.strategy.rollingUpdate` (defaults 25% / 25%).  A `Recreate` strategy has none
    and raises."""
    spec = optional_mapping(require_mapping(deployment, "deployment"), "spec", "")
    strategy = optional_mapping(spec, "strategy", "spec")
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise KubeInputError("spec.strategy.type: fenceposts exist only for RollingUpdate")
    rolling = optional_mapping(strategy, "rollingUpdate", "spec.strategy")
    replicas = spec.get("replicas", 1)
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise KubeInputError("spec.replicas: must be a non-negative integer")
    return resolve_fenceposts(rolling.get("maxSurge", DEFAULT_MAX_SURGE),
                              rolling.get("maxUnavailable", DEFAULT_MAX_UNAVAILABLE), replicas)


# ------------------------------------------------------------------ the controller


@dataclass(frozen=True, slots=True)
class Strategy:
    """`spec.strategy`: its type and (for RollingUpdate) the raw int-or-percent values."""

    type: DeploymentStrategyType = DeploymentStrategyType.ROLLING_UPDATE
    max_surge: int | str | None = DEFAULT_MAX_SURGE
    max_unavailable: int | str | None = DEFAULT_MAX_UNAVAILABLE


@dataclass(frozen=True, slots=True)
class ReplicaSetCounts:
    """A ReplicaSet as the deployment controller reads it: `spec.replicas` and
    `status.availableReplicas`."""

    replicas: int
    available: int = 0

    def __post_init__(self) -> None:
        assert self.replicas >= 0 and self.available >= 0


def max_surge(strategy: Strategy, replicas: int) -> int:
    """`MaxSurge`: 0 unless RollingUpdate, else the resolved surge."""
    if strategy.type is not DeploymentStrategyType.ROLLING_UPDATE:
        return 0
    return resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, replicas)[0]


def max_unavailable(strategy: Strategy, replicas: int) -> int:
    """`MaxUnavailable`: 0 unless RollingUpdate or at 0 replicas, else the resolved
    value capped at `replicas`."""
    if strategy.type is not DeploymentStrategyType.ROLLING_UPDATE or replicas == 0:
        return 0
    _, unavailable = resolve_fenceposts(strategy.max_surge, strategy.max_unavailable, replicas)
    return min(unavailable, replicas)


def new_rs_new_replicas(strategy: Strategy, replicas: int, all_rs: Sequence[ReplicaSetCounts],
                        new_rs: ReplicaSetCounts) -> int:  # fmt: skip
    """`NewRSNewReplicas`: RollingUpdate scales the new ReplicaSet up to what
    `replicas + maxSurge` leaves above every ReplicaSet's `spec.replicas`, never past
    `replicas`; Recreate goes straight to `replicas`."""
    if strategy.type is DeploymentStrategyType.RECREATE:
        return replicas
    surge = scaled_value(strategy.max_surge, replicas, True, "maxSurge")
    current = sum(rs.replicas for rs in all_rs)
    most = replicas + surge
    if current >= most:
        return new_rs.replicas
    return new_rs.replicas + min(most - current, replicas - new_rs.replicas)


def reconcile_new_replica_set(strategy: Strategy, replicas: int,
                              all_rs: Sequence[ReplicaSetCounts],
                              new_rs: ReplicaSetCounts) -> int | None:  # fmt: skip
    """`reconcileNewReplicaSet`: the new ReplicaSet's next `spec.replicas`, or None when
    it is not scaled (a scale to its current size is no scale)."""
    if new_rs.replicas == replicas:
        return None
    target = replicas if new_rs.replicas > replicas else new_rs_new_replicas(
        strategy, replicas, all_rs, new_rs)
    return None if target == new_rs.replicas else target


Scaled = tuple[tuple[ReplicaSetCounts, ...], int]  # the old ReplicaSets after, how many went


def cleanup_unhealthy_replicas(old: Sequence[ReplicaSetCounts], max_cleanup: int) -> Scaled:
    """`cleanupUnhealthyReplicas`: scale each old ReplicaSet down by its unavailable
    replicas, oldest first, at most `max_cleanup` in all."""
    out, total = list(old), 0
    for i, rs in enumerate(out):
        if total >= max_cleanup:
            break
        if rs.replicas == 0 or rs.replicas == rs.available:
            continue
        down = min(max_cleanup - total, rs.replicas - rs.available)
        out[i] = replace(rs, replicas=rs.replicas - down)
        total += down
    return tuple(out), total


def scale_down_old_for_rolling_update(strategy: Strategy, replicas: int,
                                      all_rs: Sequence[ReplicaSetCounts],
                                      old: Sequence[ReplicaSetCounts]) -> Scaled:  # fmt: skip
    """`scaleDownOldReplicaSetsForRollingUpdate`: while more than `replicas -
    maxUnavailable` replicas are available, scale the old ReplicaSets down by the
    excess, oldest first."""
    least = replicas - max_unavailable(strategy, replicas)
    available = sum(rs.available for rs in all_rs)
    if available <= least:
        return tuple(old), 0
    out, total, wanted = list(old), 0, available - least
    for i, rs in enumerate(out):
        if total >= wanted:
            break
        if rs.replicas == 0:
            continue
        down = min(rs.replicas, wanted - total)
        out[i] = replace(rs, replicas=rs.replicas - down)
        total += down
    return tuple(out), total


def reconcile_old_replica_sets(strategy: Strategy, replicas: int,
                               old: Sequence[ReplicaSetCounts],
                               new_rs: ReplicaSetCounts) -> Scaled:  # fmt: skip
    """`reconcileOldReplicaSets`: at most `maxScaledDown = all - minAvailable -
    newUnavailable` replicas go, the unhealthy ones first (`cleanupUnhealthyReplicas`),
    then available ones while availability stays above `replicas - maxUnavailable`."""
    if sum(rs.replicas for rs in old) == 0:
        return tuple(old), 0
    every = sum(rs.replicas for rs in old) + new_rs.replicas
    least = replicas - max_unavailable(strategy, replicas)
    most = every - least - (new_rs.replicas - new_rs.available)
    if most <= 0:
        return tuple(old), 0
    cleaned, first = cleanup_unhealthy_replicas(old, most)
    after, second = scale_down_old_for_rolling_update(strategy, replicas,
                                                      (*cleaned, new_rs), cleaned)
    return after, first + second


def scale_down_old_for_recreate(old: Sequence[ReplicaSetCounts]) -> Scaled:
    """`scaleDownOldReplicaSetsForRecreate`: every old ReplicaSet to 0 at once."""
    return tuple(replace(rs, replicas=0) for rs in old), sum(rs.replicas for rs in old)


# ------------------------------------------------------------------ progress


@dataclass(frozen=True, slots=True)
class RolloutStatus:
    """The counts of `DeploymentStatus` that progress reads."""

    replicas: int = 0
    updated: int = 0
    ready: int = 0
    available: int = 0


@dataclass(frozen=True, slots=True)
class Progressing:
    """The Progressing condition: its status, reason and `lastUpdateTime` (seconds)."""

    status: bool
    reason: ProgressingReason
    last_update: int


def has_progress_deadline(seconds: int | None) -> bool:
    """`HasProgressDeadline`: set and not MaxInt32."""
    return seconds is not None and seconds != NO_PROGRESS_DEADLINE


def deployment_complete(replicas: int, status: RolloutStatus) -> bool:
    """`DeploymentComplete` (the observed generation is always current here): every
    replica updated, no other replica, all available."""
    return status.updated == replicas == status.replicas == status.available


def deployment_progressing(old: RolloutStatus, new: RolloutStatus) -> bool:
    """`DeploymentProgressing`: more updated, fewer old, more ready or more available
    replicas than the last status."""
    return (new.updated > old.updated or new.replicas - new.updated < old.replicas - old.updated
            or new.ready > old.ready or new.available > old.available)


def deployment_timed_out(deadline: int | None, cond: Progressing | None, now: int) -> bool:
    """`DeploymentTimedOut`: a progress deadline, a Progressing condition not yet
    NewReplicaSetAvailable, and `lastUpdateTime + deadline` strictly before `now`."""
    if not has_progress_deadline(deadline) or cond is None:
        return False
    if cond.reason is ProgressingReason.NEW_RS_AVAILABLE:
        return False
    if cond.reason is ProgressingReason.TIMED_OUT:
        return True
    assert deadline is not None
    return cond.last_update + deadline < now


def sync_progressing(deadline: int | None, replicas: int, cond: Progressing | None,
                     old: RolloutStatus, new: RolloutStatus, now: int) -> Progressing | None:
    """The Progressing condition `syncRolloutStatus` writes: none without a deadline;
    unchanged once a rollout completed; else NewReplicaSetAvailable when complete,
    ReplicaSetUpdated (now) on progress, ProgressDeadlineExceeded (False) on a timeout."""
    if not has_progress_deadline(deadline):
        return None
    done = (new.replicas == new.updated and cond is not None
            and cond.reason is ProgressingReason.NEW_RS_AVAILABLE)
    if done:
        return cond
    if deployment_complete(replicas, new):
        return _set(cond, Progressing(True, ProgressingReason.NEW_RS_AVAILABLE, now))
    if deployment_progressing(old, new):
        return Progressing(True, ProgressingReason.RS_UPDATED, now)
    if deployment_timed_out(deadline, cond, now):
        return _set(cond, Progressing(False, ProgressingReason.TIMED_OUT, now))
    return cond


def _set(current: Progressing | None, cond: Progressing) -> Progressing:
    """`SetDeploymentCondition`: no update when status and reason are unchanged."""
    if current is not None and (current.status, current.reason) == (cond.status, cond.reason):
        return current
    return cond

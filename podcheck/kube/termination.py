"""Graceful pod termination: how long a deleted pod stays, Terminating, before it is gone.

Stage: `kube/` rule library.  Consumes a pod dict (or small typed values for the model
compiler); produces the grace period the API server records and the window in which the
kubelet finishes killing the pod's containers.

Mirrors, in Kubernetes v1.35:
- `podStrategy.CheckGracefulDelete` (pkg/registry/core/pod/strategy.go): a delete without
  an explicit grace period uses `spec.terminationGracePeriodSeconds`; a pod that is not
  scheduled (`spec.nodeName` empty) or already Succeeded or Failed is deleted at once
  (period 0), and a period of 0 removes the object immediately.
- `killContainer` and `setTerminationGracePeriod` (pkg/kubelet/kuberuntime/
  kuberuntime_container.go): the container's grace period is the pod's
  `deletionGracePeriodSeconds` (else its `terminationGracePeriodSeconds`, else the 2 s
  minimum); a declared `lifecycle.preStop` runs first, inside that period, and is
  abandoned when the period runs out (`executePreStopHook` waits at most `gracePeriod`);
  the runtime then sends SIGTERM with what is left of the period, at least
  `minimumGracePeriodInSeconds` = 2 ("always give containers a minimal shutdown window"),
  and SIGKILL when that runs out.  The process may exit on SIGTERM at any moment before.
- `killContainersWithSyncResult` (same package, kuberuntime_manager.go): the containers of
  a pod are killed in parallel; the pod is terminated when the last one is.
- `IsPodActive` / `FilterActivePods` (pkg/controller/controller_utils.go): a pod that is
  Succeeded, Failed or has a deletion timestamp is not active; the ReplicaSet and Job
  controllers count active pods only, so a terminating pod is replaced at once.
- `podToEndpoint` (staging/src/k8s.io/endpointslice/utils.go): a terminating pod's
  endpoint is `serving` as its Ready condition says, `terminating`, and not `ready`.

The probe-level `terminationGracePeriodSeconds` applies only to kills for a failed liveness
or startup probe (`setTerminationGracePeriod`'s `reason`), never to a deletion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from podcheck.kube.errors import KubeInputError

MINIMUM_GRACE_PERIOD_SECONDS = 2  # kuberuntime `minimumGracePeriodInSeconds`
DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30  # SetDefaults_PodSpec
TERMINAL_PHASES = ("Succeeded", "Failed")


@dataclass(frozen=True, slots=True)
class KillWindow:
    """When, in seconds after the deletion, the last container of the pod is dead:
    not before `earliest` (every preStop hook has returned or was abandoned) and at the
    latest at `latest` (the SIGKILL of the slowest container)."""

    earliest: int
    latest: int

    def __post_init__(self) -> None:
        assert 0 <= self.earliest <= self.latest, (self.earliest, self.latest)


def deletion_grace_period(spec_grace: int | None, scheduled: bool, phase: str,
                          requested: int | None = None) -> int:
    """`CheckGracefulDelete`: the grace period a delete records, 0 meaning "removed at
    once".  `requested` is the DeleteOptions' period (None: the pod's own applies)."""
    period = requested if requested is not None else (spec_grace or 0)
    if not scheduled or phase in TERMINAL_PHASES:
        period = 0
    return 1 if period < 0 else period


def container_grace_period(deletion_grace: int | None, spec_grace: int | None,
                           probe_grace: int | None = None, probe_kill: bool = False) -> int:
    """`setTerminationGracePeriod`: the container's grace period before the 2 s floor;
    `probe_grace` (the failed probe's own period) counts only for a probe kill."""
    if deletion_grace is not None:
        return deletion_grace
    if spec_grace is None:
        return MINIMUM_GRACE_PERIOD_SECONDS
    if probe_kill and probe_grace is not None:
        return probe_grace
    return spec_grace


def container_kill_window(grace: int, prestop: tuple[int, int] | None) -> KillWindow:
    """`killContainer` for one container with grace period `grace` and, if declared, a
    preStop hook lasting between `prestop[0]` and `prestop[1]` seconds: the container
    exits once the hook is done (earliest: the shortest hook, cut at `grace`) and is
    killed at the latest when the rest of the period (at least 2 s) ends after the
    longest hook."""
    if grace < 0:
        raise KubeInputError("gracePeriod: must not be negative")
    ran = 0, 0
    if prestop is not None and grace > 0:
        lo, hi = prestop
        if not 0 <= lo <= hi:
            raise KubeInputError("preStop duration: expected 0 <= lo <= hi")
        ran = min(lo, grace), min(hi, grace)
    latest = ran[1] + max(grace - ran[1], MINIMUM_GRACE_PERIOD_SECONDS)
    return KillWindow(ran[0], latest)


def pod_kill_window(grace: int, prestops: Sequence[tuple[int, int] | None]) -> KillWindow:
    """`killContainersWithSyncResult`: every container is killed in parallel, so the pod's
    window runs from the latest earliest exit to the latest SIGKILL."""
    windows = [container_kill_window(grace, p) for p in prestops] or [
        container_kill_window(grace, None)]
    return KillWindow(max(w.earliest for w in windows), max(w.latest for w in windows))


def is_pod_active(phase: str, terminating: bool) -> bool:
    """`IsPodActive`: neither Succeeded nor Failed, and no deletion timestamp."""
    return phase not in TERMINAL_PHASES and not terminating


def endpoint_conditions(pod_ready: bool, terminating: bool,
                        publish_not_ready: bool = False) -> tuple[bool, bool, bool]:
    """`podToEndpoint`'s (ready, serving, terminating) conditions of a pod's endpoint."""
    serving = pod_ready
    return publish_not_ready or (serving and not terminating), serving, terminating


def _int(obj: Mapping[str, Any], key: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise KubeInputError(f"{key}: expected an integer")
    return value


def prestop_seconds(container: Mapping[str, Any]) -> tuple[int, int] | None:
    """The duration of a container's preStop hook when the pod says it (a `sleep`
    handler's seconds); an exec or httpGet hook may take any time (0 to unbounded, cut at
    the grace period); None without a hook."""
    hook = (container.get("lifecycle") or {}).get("preStop")
    if hook is None:
        return None
    if not isinstance(hook, Mapping):
        raise KubeInputError("lifecycle.preStop: expected an object")
    if "sleep" in hook:
        seconds = _int(hook["sleep"] or {}, "seconds")
        if seconds is None or seconds < 0:
            raise KubeInputError("lifecycle.preStop.sleep.seconds: expected an integer >= 0")
        return seconds, seconds
    return 0, 2 ** 31 - 1


def pod_termination(pod: Mapping[str, Any]) -> KillWindow | None:
    """The kill window of a pod dict deleted now without options, or None when the API
    server removes it at once (`CheckGracefulDelete` gives 0)."""
    spec = pod.get("spec") or {}
    phase = (pod.get("status") or {}).get("phase", "Pending")
    grace = _int(spec, "terminationGracePeriodSeconds")
    period = deletion_grace_period(grace, bool(spec.get("nodeName")), phase)
    if period == 0:
        return None
    # the containers still running: app containers and sidecars (restartable init
    # containers); a regular init container has exited before the app containers start
    sidecars = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    containers = [*sidecars, *(spec.get("containers") or ())]
    return pod_kill_window(period, [prestop_seconds(c) for c in containers])

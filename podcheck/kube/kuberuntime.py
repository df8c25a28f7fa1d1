"""The kubelet's per-sync container decisions as pure functions (Kubernetes v1.35).

Consumes typed views of a pod's spec (`PodView`) and of what the container runtime
reports (`RuntimeView`: sandbox state plus the latest status of each container and
its probe results); produces a frozen `PodActions` — kill the pod, create a sandbox,
which init/app containers to start, which containers to kill and why.

Sources: `pkg/kubelet/kuberuntime/kuberuntime_manager.go` `computePodActions`
(copy at 000f2605) and `kuberuntime_container.go` `computeInitContainerActions`
(copy at fbba6b47), `pkg/kubelet/container/helpers.go` `ShouldContainerBeRestarted`.
Those copies predate the `ContainerRestartRules` gate (beta, on by default in v1.35);
for the v1.35 behaviour every "restart this exited container?" question is answered
by `ContainerShouldRestart` / `IsContainerRestartable` (util.go, v1.35), which agree
with the older `restartPolicy != Never` checks whenever a container sets no
container-level restartPolicy. The legacy `findNextInitContainerToRun` path is not
modelled: with `LegacySidecarContainers` off every pod takes computeInitContainerActions.
Out of scope: ephemeral containers, in-place resize, image volumes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from podcheck.kube._views import (
    NO_POLICY,
    ContainerPolicy,
    RestartPolicy,
    check_unique_names,
    container_should_restart,
    is_container_restartable,
    is_restartable_init_container,
    optional_mapping,
    parse_containers,
    parse_restart_policy,
    require_pod_spec,
)
from podcheck.kube.errors import KubeInputError
from podcheck.kube.probes import ProbeKind, ProbeResult, parse_probe


class RuntimeState(StrEnum):
    """A container's state as the runtime reports it (kubecontainer.State)."""

    CREATED = "created"
    RUNNING = "running"
    EXITED = "exited"
    UNKNOWN = "unknown"


class SandboxState(StrEnum):
    """The pod sandbox: none yet (attempt 0), ready, or dead / without an IP."""

    NONE = "none"
    READY = "ready"
    NOT_READY = "not-ready"


class KillReason(StrEnum):
    """Why computePodActions kills a single container."""

    LIVENESS_PROBE = "LivenessProbe"
    STARTUP_PROBE = "StartupProbe"
    UNKNOWN_STATE = "UnknownState"
    SPEC_CHANGED = "SpecChanged"


@dataclass(frozen=True)
class ContainerSpecView:
    """The parts of a container spec the kubelet's sync decisions read."""

    policy: ContainerPolicy = field(default=NO_POLICY)
    has_startup_probe: bool = False
    has_liveness_probe: bool = False


@dataclass(frozen=True)
class RuntimeStatus:
    """The latest runtime status of one container, plus its published probe results.

    `liveness` / `startup` are None when the probe has not published a result.
    `spec_changed` stands for the container hash differing from the spec.
    """

    state: RuntimeState
    exit_code: int = 0
    liveness: ProbeResult | None = None
    startup: ProbeResult | None = None
    spec_changed: bool = False


@dataclass(frozen=True)
class PodView:
    """A pod spec reduced to what the kubelet's sync decisions read."""

    restart_policy: RestartPolicy
    init_containers: tuple[ContainerSpecView, ...] = ()
    containers: tuple[ContainerSpecView, ...] = ()
    deleted: bool = False


@dataclass(frozen=True)
class RuntimeView:
    """What the runtime reports: the sandbox and one status (or None) per container."""

    sandbox: SandboxState
    init_statuses: tuple[RuntimeStatus | None, ...] = ()
    statuses: tuple[RuntimeStatus | None, ...] = ()


@dataclass(frozen=True, order=True)
class ContainerKill:
    """Kill one container; `restart` says whether it is started again afterwards."""

    init: bool
    index: int
    reason: KillReason
    restart: bool = True


@dataclass(frozen=True)
class PodActions:
    """The result of computePodActions (podActions), with canonical orderings."""

    kill_pod: bool = False
    create_sandbox: bool = False
    init_containers_to_start: tuple[int, ...] = ()
    containers_to_start: tuple[int, ...] = ()
    containers_to_kill: tuple[ContainerKill, ...] = ()


@dataclass(frozen=True)
class InitActions:
    """The result of computeInitContainerActions."""

    initialized: bool
    kill_pod: bool = False
    init_containers_to_start: tuple[int, ...] = ()
    containers_to_kill: tuple[ContainerKill, ...] = ()


def should_container_be_restarted(
    spec: ContainerSpecView,
    pod_policy: RestartPolicy,
    status: RuntimeStatus | None,
    *,
    deleted: bool = False,
) -> bool:
    """ShouldContainerBeRestarted for an app container that is not running."""
    if deleted:
        return False
    if status is None:
        return True  # never started (or all its instances were garbage-collected)
    if status.state is RuntimeState.RUNNING:
        return False
    if status.state in (RuntimeState.UNKNOWN, RuntimeState.CREATED):
        return True
    return container_should_restart(spec.policy, pod_policy, status.exit_code)


def compute_pod_actions(pod: PodView, runtime: RuntimeView) -> PodActions:
    """computePodActions: what one kubelet sync does to the pod's containers."""
    _check_shapes(pod, runtime)
    if runtime.sandbox is not SandboxState.READY:
        return _sandbox_actions(pod, runtime)
    init = compute_init_container_actions(pod, runtime)
    if init.kill_pod or not init.initialized:
        return PodActions(
            kill_pod=init.kill_pod,
            init_containers_to_start=init.init_containers_to_start,
            containers_to_kill=init.containers_to_kill,
        )
    kills = list(init.containers_to_kill)
    starts: list[int] = []
    keep = 0
    for idx, (spec, status) in enumerate(zip(pod.containers, runtime.statuses, strict=True)):
        if status is None or status.state is not RuntimeState.RUNNING:
            if should_container_be_restarted(spec, pod.restart_policy, status, deleted=pod.deleted):
                starts.append(idx)
                if status is not None and status.state is RuntimeState.UNKNOWN:
                    kills.append(ContainerKill(False, idx, KillReason.UNKNOWN_STATE))
            continue
        reason = _running_kill_reason(status)
        if reason is None:
            keep += 1
            continue
        restart = reason is KillReason.SPEC_CHANGED or is_container_restartable(
            spec.policy, pod.restart_policy
        )
        if restart:
            starts.append(idx)
        kills.append(ContainerKill(False, idx, reason, restart))
    if keep == 0 and not starts:
        return PodActions(kill_pod=True, containers_to_kill=tuple(sorted(kills)))
    return PodActions(
        init_containers_to_start=init.init_containers_to_start,
        containers_to_start=tuple(starts),
        containers_to_kill=tuple(sorted(kills)),
    )


def _running_kill_reason(status: RuntimeStatus) -> KillReason | None:
    if status.spec_changed:
        return KillReason.SPEC_CHANGED
    if status.liveness is ProbeResult.FAILURE:
        return KillReason.LIVENESS_PROBE
    if status.startup is ProbeResult.FAILURE:
        return KillReason.STARTUP_PROBE
    return None


def _sandbox_actions(pod: PodView, runtime: RuntimeView) -> PodActions:
    seen_any = any(s is not None for s in runtime.init_statuses + runtime.statuses)
    if (
        pod.restart_policy is RestartPolicy.NEVER
        and runtime.sandbox is SandboxState.NOT_READY
        and seen_any
    ):
        return PodActions(kill_pod=True)  # a Never pod that already ran: no new sandbox
    to_start = tuple(
        idx
        for idx, status in enumerate(runtime.statuses)
        if not (pod.restart_policy is RestartPolicy.ON_FAILURE and _succeeded(status))
    )
    if not to_start and any(
        s is not None and s.state is not RuntimeState.UNKNOWN for s in runtime.statuses
    ):
        return PodActions(kill_pod=True)  # initialized and nothing left to run
    if pod.init_containers:
        return PodActions(kill_pod=True, create_sandbox=True, init_containers_to_start=(0,))
    return PodActions(kill_pod=True, create_sandbox=True, containers_to_start=to_start)


def _succeeded(status: RuntimeStatus | None) -> bool:
    return status is not None and status.state is RuntimeState.EXITED and status.exit_code == 0


def compute_init_container_actions(pod: PodView, runtime: RuntimeView) -> InitActions:
    """computeInitContainerActions: start init containers in order, keep sidecars up.

    Walks the init containers last to first; the first one found with a status marks
    everything before it as initialized. Returns whether the pod has initialized.
    """
    _check_shapes(pod, runtime)
    if not pod.init_containers:
        return InitActions(initialized=True)
    initialized = any(
        s is not None and s.state in (RuntimeState.CREATED, RuntimeState.RUNNING)
        for s in runtime.statuses
    )
    previously = initialized
    starts: list[int] = []
    kills: list[ContainerKill] = []
    last = len(pod.init_containers) - 1
    for i in range(last, -1, -1):
        spec, status = pod.init_containers[i], runtime.init_statuses[i]
        sidecar = is_restartable_init_container(spec.policy)
        if status is None:
            if previously and sidecar:
                starts.append(i)  # a sidecar whose status vanished: start it again
            continue
        if previously and not sidecar:
            continue  # after initialization only sidecars are kept running
        if status.state is RuntimeState.CREATED:
            starts.append(i)
        elif status.state is RuntimeState.RUNNING:
            if sidecar and _sidecar_running(spec, status, i, last, previously, starts, kills):
                initialized = True
        elif status.state is RuntimeState.EXITED:
            done = _after_exit(spec, status, i, last, pod.restart_policy, starts)
            if done is None:
                return InitActions(False, True, (), tuple(sorted(kills)))
            initialized = initialized or done
        else:  # unknown state: kill it before restarting, or give up under Never
            if not sidecar and not is_container_restartable(spec.policy, pod.restart_policy):
                return InitActions(False, True, (), tuple(sorted(kills)))
            kills.append(ContainerKill(True, i, KillReason.UNKNOWN_STATE))
            starts.append(i)
        previously = True
    if not previously:
        starts.append(0)
    return InitActions(initialized, False, tuple(reversed(starts)), tuple(sorted(kills)))


def _after_exit(
    spec: ContainerSpecView, status: RuntimeStatus, i: int, last: int,
    pod_policy: RestartPolicy, starts: list[int],
) -> bool | None:  # fmt: skip
    """An exited init container (the EXITED case of computeInitContainerActions): None
    when the pod fails (its policy allows no restart), else whether the pod is now
    initialized; appends the container to start next to `starts`."""
    if is_restartable_init_container(spec.policy):
        starts.append(i)
        return False
    if status.exit_code != 0:
        if not container_should_restart(spec.policy, pod_policy, status.exit_code):
            return None
        starts.append(i)
        return False
    if i == last:
        return True
    starts.append(i + 1)
    return False


def _sidecar_running(
    spec: ContainerSpecView,
    status: RuntimeStatus,
    i: int,
    last: int,
    previously: bool,
    starts: list[int],
    kills: list[ContainerKill],
) -> bool:
    """The running-sidecar branch; appends to starts/kills, returns 'pod initialized'."""
    if spec.has_startup_probe and status.startup is not ProbeResult.SUCCESS:
        if status.startup is ProbeResult.FAILURE:
            kills.append(ContainerKill(True, i, KillReason.STARTUP_PROBE))
            starts.append(i)
        return False  # not started yet: the next init container waits
    if i != last and not previously:
        starts.append(i + 1)  # started for the first time: start the next one
    if status.spec_changed:
        kills.append(ContainerKill(True, i, KillReason.SPEC_CHANGED))
        starts.append(i)
    elif spec.has_liveness_probe and status.liveness is ProbeResult.FAILURE:
        kills.append(ContainerKill(True, i, KillReason.LIVENESS_PROBE))
        starts.append(i)
    return i == last


def _check_shapes(pod: PodView, runtime: RuntimeView) -> None:
    if len(runtime.init_statuses) != len(pod.init_containers):
        raise KubeInputError(
            "runtime.init_statuses: expected one entry per spec.initContainers entry"
        )
    if len(runtime.statuses) != len(pod.containers):
        raise KubeInputError("runtime.statuses: expected one entry per spec.containers entry")


def pod_view(pod: dict[str, Any]) -> PodView:
    """Build a PodView from a pod dict (restart policies, probes, deletion mark)."""
    obj, spec = require_pod_spec(pod)
    inits = parse_containers(spec, "initContainers", required=False)
    apps = parse_containers(spec, "containers", required=True)
    check_unique_names([n for n, _, _ in inits + apps], "spec")
    meta = optional_mapping(obj, "metadata", "")
    return PodView(
        restart_policy=parse_restart_policy(spec),
        init_containers=tuple(
            _spec_view(p, raw, f"spec.initContainers[{i}]") for i, (_, p, raw) in enumerate(inits)
        ),
        containers=tuple(
            _spec_view(p, raw, f"spec.containers[{i}]") for i, (_, p, raw) in enumerate(apps)
        ),
        deleted=meta.get("deletionTimestamp") is not None,
    )


def _spec_view(
    policy: ContainerPolicy, container: Mapping[str, Any], field: str
) -> ContainerSpecView:
    present = {}
    for key, kind in (("startupProbe", ProbeKind.STARTUP), ("livenessProbe", ProbeKind.LIVENESS)):
        raw = container.get(key)
        if raw is not None:
            parse_probe(kind, raw, f"{field}.{key}")
        present[key] = raw is not None
    if container.get("readinessProbe") is not None:
        parse_probe(ProbeKind.READINESS, container["readinessProbe"], f"{field}.readinessProbe")
    return ContainerSpecView(policy, present["startupProbe"], present["livenessProbe"])

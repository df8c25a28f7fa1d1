"""Pod phase as the kubelet computes it (`getPhase`, Kubernetes v1.35).

Two layers. `phase_core` is the rule itself over small typed values — a restart
policy and one `ContainerView` per init/app container — so the model compiler can
tabulate it over abstract states. `pod_phase` validates a Kubernetes-shaped pod dict,
builds those views and calls `phase_core`.

Source: `pkg/kubelet/kubelet_pods.go` `getPhase` at commit 001a80e (v1.35 line) with
the v1.35 default feature gates: `ContainerRestartRules` on (beta), so restart
decisions go through `ContainerShouldRestart`; `RestartAllContainersOnContainerExits`
off (alpha), so the `RestartingAllContainers` reason is not consulted. getPhase never
returns `Unknown`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from podcheck.kube._views import (
    NO_POLICY,
    ContainerPolicy,
    RestartPolicy,
    check_unique_names,
    container_should_restart,
    is_restartable_init_container,
    optional_list,
    optional_mapping,
    parse_containers,
    parse_restart_policy,
    require_bool,
    require_int,
    require_mapping,
    require_name,
    require_pod_spec,
)
from podcheck.kube.errors import KubeInputError

STATIC_POD_SOURCE_ANNOTATION = "kubernetes.io/config.source"


class Phase(StrEnum):
    """The four phases getPhase can return."""

    PENDING = "Pending"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class StateKind(Enum):
    """Which branch of getPhase's container switch a status falls into."""

    MISSING = "missing"  # no status with the container's name
    EMPTY = "empty"  # a status whose state has none of waiting/running/terminated
    WAITING = "waiting"
    RUNNING = "running"
    TERMINATED = "terminated"


@dataclass(frozen=True)
class ContainerView:
    """One container as getPhase sees it: its state plus its restart policy.

    `exit_code` is meaningful for TERMINATED; `last_exit_code` is the exit code of
    `lastState.terminated` (None when there is none) and matters for WAITING;
    `started` is `status.started` and matters for running sidecars.
    """

    state: StateKind
    exit_code: int = 0
    last_exit_code: int | None = None
    started: bool = False
    policy: ContainerPolicy = field(default=NO_POLICY)


@dataclass
class _Counts:
    pending_regular_init: int = 0
    pending_sidecar: int = 0
    failed_init_not_restartable: int = 0
    unknown: int = 0
    running: int = 0
    waiting: int = 0
    stopped: int = 0
    stopped_not_restartable: int = 0
    succeeded: int = 0


def phase_core(
    restart_policy: RestartPolicy,
    init_containers: tuple[ContainerView, ...],
    containers: tuple[ContainerView, ...],
    *,
    pod_is_terminal: bool = False,
    pod_has_initialized: bool = False,
    static_pod: bool = False,
) -> Phase:
    """getPhase over typed views; sidecars are init views with policy `Always`."""
    c = _Counts()
    for view in init_containers:
        if is_restartable_init_container(view.policy):
            _count_sidecar(c, view)
        else:
            _count_regular_init(c, view, restart_policy)
    for view in containers:
        _count_app(c, view, restart_policy)
    if c.failed_init_not_restartable > 0:
        return Phase.FAILED
    if c.pending_regular_init > 0 or (c.pending_sidecar > 0 and not pod_has_initialized):
        return Phase.PENDING
    if c.waiting > 0:
        return Phase.PENDING
    if c.running > 0 and c.unknown == 0:
        return Phase.RUNNING
    if c.running == 0 and c.stopped > 0 and c.unknown == 0:
        return _all_stopped(c, pod_is_terminal=pod_is_terminal, static_pod=static_pod)
    return Phase.PENDING


def _count_regular_init(c: _Counts, v: ContainerView, policy: RestartPolicy) -> None:
    if v.state is StateKind.TERMINATED:
        failed_code: int | None = v.exit_code if v.exit_code != 0 else None
    elif v.state is StateKind.WAITING and v.last_exit_code is not None:
        failed_code = v.last_exit_code if v.last_exit_code != 0 else None
    else:
        c.pending_regular_init += 1  # missing, empty, running, or waiting afresh
        return
    if failed_code is not None and not container_should_restart(v.policy, policy, failed_code):
        c.failed_init_not_restartable += 1


def _count_sidecar(c: _Counts, v: ContainerView) -> None:
    if v.state is StateKind.MISSING:
        c.unknown += 1
    elif v.state is StateKind.RUNNING:
        if not v.started:
            c.pending_sidecar += 1
        c.running += 1
    elif v.state is StateKind.WAITING and v.last_exit_code is None:
        c.pending_sidecar += 1
        c.waiting += 1
    elif v.state is StateKind.EMPTY:
        c.pending_sidecar += 1
        c.unknown += 1
    # terminated, or waiting after a previous run: not counted at all


def _count_app(c: _Counts, v: ContainerView, policy: RestartPolicy) -> None:
    if v.state is StateKind.RUNNING:
        c.running += 1
    elif v.state is StateKind.TERMINATED:
        c.stopped += 1
        if not container_should_restart(v.policy, policy, v.exit_code):
            c.stopped_not_restartable += 1
        if v.exit_code == 0:
            c.succeeded += 1
    elif v.state is StateKind.WAITING and v.last_exit_code is not None:
        c.stopped += 1
        if not container_should_restart(v.policy, policy, v.last_exit_code):
            c.stopped_not_restartable += 1
    elif v.state is StateKind.WAITING:
        c.waiting += 1
    else:
        c.unknown += 1


def _all_stopped(c: _Counts, *, pod_is_terminal: bool, static_pod: bool) -> Phase:
    if pod_is_terminal and not static_pod:
        return Phase.SUCCEEDED if c.stopped == c.succeeded else Phase.FAILED
    if c.stopped != c.stopped_not_restartable:
        return Phase.RUNNING  # at least one container is being restarted
    return Phase.SUCCEEDED if c.stopped == c.succeeded else Phase.FAILED


# --- dict layer -------------------------------------------------------------------


def pod_phase(
    pod: dict[str, Any],
    *,
    pod_is_terminal: bool = False,
    pod_has_initialized: bool | None = None,
) -> str:
    """The phase ("Pending" | "Running" | "Succeeded" | "Failed") getPhase computes.

    `pod_has_initialized=None` reads the `Initialized` condition from
    `status.conditions`. Raises `KubeInputError` on malformed input.
    """
    obj, spec = require_pod_spec(pod)
    policy = parse_restart_policy(spec)
    inits = parse_containers(spec, "initContainers", required=False)
    apps = parse_containers(spec, "containers", required=True)
    check_unique_names([n for n, _, _ in inits + apps], "spec")
    status = optional_mapping(obj, "status", "")
    by_name = _statuses_by_name(status)
    if pod_has_initialized is None:
        pod_has_initialized = _initialized_condition(status)
    elif not isinstance(pod_has_initialized, bool):
        raise KubeInputError("pod_has_initialized: expected a boolean or None")
    if not isinstance(pod_is_terminal, bool):
        raise KubeInputError("pod_is_terminal: expected a boolean")
    return phase_core(
        policy,
        tuple(_view(by_name.get(n), p) for n, p, _ in inits),
        tuple(_view(by_name.get(n), p) for n, p, _ in apps),
        pod_is_terminal=pod_is_terminal,
        pod_has_initialized=pod_has_initialized,
        static_pod=_is_static(obj),
    ).value


def container_view(status: Mapping[str, Any] | None, field: str) -> ContainerView:
    """Parse one container status dict (None = missing) into a policy-less view."""
    if status is None:
        return ContainerView(StateKind.MISSING)
    status = require_mapping(status, field)
    kind, exit_code = _state(status.get("state"), f"{field}.state")
    last = _last_exit_code(status, field)
    started = status.get("started")
    started = False if started is None else require_bool(started, f"{field}.started")
    return ContainerView(kind, exit_code, last, started)


def _view(parsed: ContainerView | None, policy: ContainerPolicy) -> ContainerView:
    base = parsed if parsed is not None else ContainerView(StateKind.MISSING)
    return ContainerView(base.state, base.exit_code, base.last_exit_code, base.started, policy)


def _statuses_by_name(status: Mapping[str, Any]) -> dict[str, ContainerView]:
    out: dict[str, ContainerView] = {}
    for key in ("initContainerStatuses", "containerStatuses"):
        for i, raw in enumerate(optional_list(status, key, "status")):
            field = f"status.{key}[{i}]"
            name = require_name(require_mapping(raw, field), field)
            if name in out:
                raise KubeInputError(f"{field}.name: duplicate status for {name!r}")
            out[name] = container_view(raw, field)
    return out


def _state(raw: Any, field: str) -> tuple[StateKind, int]:
    state = {} if raw is None else require_mapping(raw, field)
    present = [k for k in ("waiting", "running", "terminated") if state.get(k) is not None]
    unknown = sorted(set(state) - {"waiting", "running", "terminated"})
    if unknown:
        raise KubeInputError(f"{field}: unknown container state {unknown[0]!r}")
    if len(present) > 1:
        raise KubeInputError(f"{field}: more than one of {', '.join(present)} is set")
    if not present:
        return StateKind.EMPTY, 0
    body = require_mapping(state[present[0]], f"{field}.{present[0]}")
    if present[0] != "terminated":
        return StateKind(present[0]), 0
    return StateKind.TERMINATED, _exit_code(body, f"{field}.terminated")


def _exit_code(terminated: Mapping[str, Any], field: str) -> int:
    raw = terminated.get("exitCode", 0)  # the Go zero value when omitted
    return require_int(raw, f"{field}.exitCode")


def _last_exit_code(status: Mapping[str, Any], field: str) -> int | None:
    if "lastState" in status and "lastTerminationState" in status:
        raise KubeInputError(f"{field}: both lastState and lastTerminationState set")
    key = "lastState" if "lastState" in status else "lastTerminationState"
    last = optional_mapping(status, key, field)
    terminated = last.get("terminated")
    if terminated is None:
        return None
    body = require_mapping(terminated, f"{field}.{key}.terminated")
    return _exit_code(body, f"{field}.{key}.terminated")


def _initialized_condition(status: Mapping[str, Any]) -> bool:
    for i, raw in enumerate(optional_list(status, "conditions", "status")):
        cond = require_mapping(raw, f"status.conditions[{i}]")
        if cond.get("type") == "Initialized":
            return cond.get("status") == "True"
    return False


def _is_static(pod: Mapping[str, Any]) -> bool:
    meta = optional_mapping(pod, "metadata", "")
    annotations = optional_mapping(meta, "annotations", "metadata")
    source = annotations.get(STATIC_POD_SOURCE_ANNOTATION)
    return source is not None and source != "api"

"""The kubelet's probe worker as pure functions over a frozen state (Kubernetes v1.35).

Consumes a probe configuration (`ProbeSpec`, parsed and validated from a container's
`startupProbe` / `livenessProbe` / `readinessProbe` dict) and one observation of the
container per probe tick; produces the next `WorkerState` — the result the kubelet
publishes for the container, the consecutive-result counter and the on-hold flag.

Sources: `pkg/kubelet/prober/worker.go` (`newWorker`, `doProbe`, v1.35 copy with the
`ContainerRestartRules` gate), `pkg/kubelet/prober/prober_manager.go`
(`UpdatePodStatus`: how `started` and `ready` derive from results) and
`pkg/apis/core/v1/defaults.go` (`SetDefaults_Probe`). Validation bounds are those of
the v1 API reference for `Probe`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from podcheck.kube._views import require_int, require_mapping
from podcheck.kube.errors import KubeInputError
from podcheck.vocab import ProbeKind as ProbeKind  # the one ProbeKind, re-exported


class ProbeResult(StrEnum):
    """A probe outcome, and the value the results manager stores."""

    SUCCESS = "Success"
    FAILURE = "Failure"
    UNKNOWN = "Unknown"


@dataclass(frozen=True)
class ProbeSpec:
    """A probe's timing and thresholds; field defaults are SetDefaults_Probe's."""

    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    success_threshold: int = 1
    failure_threshold: int = 3


def as_kind(kind: ProbeKind | str) -> ProbeKind:
    """`kind` as a ProbeKind; raises KubeInputError naming `kind` otherwise."""
    try:
        return ProbeKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in ProbeKind)
        raise KubeInputError(f"kind: unknown probe kind {kind!r} (expected {allowed})") from None


def probe_defaults() -> ProbeSpec:
    """The defaulted probe: period 10 s, timeout 1 s, success 1, failure 3, delay 0."""
    return ProbeSpec()


_FIELDS = (
    ("initialDelaySeconds", "initial_delay_seconds", 0),
    ("periodSeconds", "period_seconds", 1),
    ("timeoutSeconds", "timeout_seconds", 1),
    ("successThreshold", "success_threshold", 1),
    ("failureThreshold", "failure_threshold", 1),
)


def parse_probe(kind: ProbeKind | str, probe: Mapping[str, Any], field: str) -> ProbeSpec:
    """Default and validate one probe dict; `field` is its path for error messages.

    A zero or absent field takes its default (as SetDefaults_Probe does); negative
    values and, for liveness and startup probes, successThreshold != 1 are rejected.
    """
    kind = as_kind(kind)
    probe = require_mapping(probe, field)
    values: dict[str, int] = {}
    for key, attr, minimum in _FIELDS:
        raw = probe.get(key)
        value = 0 if raw is None else require_int(raw, f"{field}.{key}")
        if value < 0:
            raise KubeInputError(f"{field}.{key}: must be >= {minimum}, got {value}")
        if value != 0 or attr == "initial_delay_seconds":
            values[attr] = value
    spec = ProbeSpec(**values)
    if kind is not ProbeKind.READINESS and spec.success_threshold != 1:
        raise KubeInputError(
            f"{field}.successThreshold: must be 1 for {kind.value} probes, "
            f"got {spec.success_threshold}"
        )
    return spec


def initial_result(kind: ProbeKind | str) -> ProbeResult:
    """The result published for a new container before any probe (newWorker)."""
    return {
        ProbeKind.READINESS: ProbeResult.FAILURE,
        ProbeKind.LIVENESS: ProbeResult.SUCCESS,
        ProbeKind.STARTUP: ProbeResult.UNKNOWN,
    }[as_kind(kind)]


@dataclass(frozen=True)
class WorkerState:
    """What one probe worker remembers between ticks.

    `container` identifies the container instance last seen (a restart is a new
    value); `result` is what the results manager holds (None before any container);
    `last_result`/`result_run` count consecutive identical probe outcomes.
    """

    container: int | None = None
    result: ProbeResult | None = None
    last_result: ProbeResult | None = None
    result_run: int = 0
    on_hold: bool = False


@dataclass(frozen=True)
class ContainerObservation:
    """The container as doProbe reads it from the pod status on one tick.

    `terminated_exit_code` is set when the container is terminated; `restart_on_exit`
    is ContainerShouldRestart for that exit code (the caller computes it with
    `podcheck.kube._views.container_should_restart`).
    """

    container: int
    running: bool
    started: bool = False
    seconds_since_start: int = 0
    terminated_exit_code: int | None = None
    restart_on_exit: bool = True


@dataclass(frozen=True)
class ProbeStep:
    """The outcome of one doProbe call."""

    state: WorkerState
    keep_going: bool
    probed: bool


def probe_step(
    state: WorkerState,
    kind: ProbeKind | str,
    spec: ProbeSpec,
    observed: ContainerObservation,
    outcome: ProbeResult,
    *,
    pod_terminal: bool = False,
    pod_deleting: bool = False,
) -> ProbeStep:
    """One doProbe tick; `outcome` is what the probe would return if it runs."""
    probe_kind = as_kind(kind)
    if pod_terminal:
        return ProbeStep(state, keep_going=False, probed=False)
    if observed.container != state.container:
        state = replace(
            state, container=observed.container, result=initial_result(probe_kind), on_hold=False
        )
    if state.on_hold:
        return ProbeStep(state, keep_going=True, probed=False)
    if not observed.running:
        state = replace(state, result=ProbeResult.FAILURE)
        keep = observed.terminated_exit_code is None or observed.restart_on_exit
        return ProbeStep(state, keep_going=keep, probed=False)
    if pod_deleting and probe_kind is not ProbeKind.READINESS:
        return ProbeStep(replace(state, result=ProbeResult.SUCCESS), False, False)
    if observed.seconds_since_start < spec.initial_delay_seconds:
        return ProbeStep(state, keep_going=True, probed=False)
    if observed.started == (probe_kind is ProbeKind.STARTUP):
        # startup probes stop once started; the others wait until started
        return ProbeStep(state, keep_going=True, probed=False)
    return ProbeStep(_record(state, probe_kind, spec, outcome), keep_going=True, probed=True)


def _record(
    state: WorkerState, kind: ProbeKind, spec: ProbeSpec, outcome: ProbeResult
) -> WorkerState:
    run = state.result_run + 1 if state.last_result == outcome else 1
    state = replace(state, last_result=outcome, result_run=run)
    below = (outcome is ProbeResult.FAILURE and run < spec.failure_threshold) or (
        outcome is ProbeResult.SUCCESS and run < spec.success_threshold
    )
    if below:
        return state
    state = replace(state, result=outcome)
    if kind is ProbeKind.STARTUP or (kind is ProbeKind.LIVENESS and outcome is ProbeResult.FAILURE):
        state = replace(state, on_hold=True, result_run=0)
    return state


def container_started(
    running: bool, has_startup_probe: bool, startup_result: ProbeResult | None
) -> bool:
    """`status.started` (prober_manager): running, and the startup probe succeeded.

    Without a startup probe a running container counts as started at once.
    """
    if not running:
        return False
    if startup_result is not None:
        return startup_result is ProbeResult.SUCCESS
    return not has_startup_probe


def container_ready(
    running: bool,
    started: bool,
    has_readiness_probe: bool,
    readiness_result: ProbeResult | None,
) -> bool:
    """`status.ready` (prober_manager): started, running and readiness succeeded.

    Without a readiness probe a started, running container is ready.
    """
    if not started or not running:
        return False
    if readiness_result is ProbeResult.SUCCESS:
        return True
    return not has_readiness_probe


def kills_container(kind: ProbeKind | str, result: ProbeResult | None) -> bool:
    """Whether this published result makes the kubelet kill the container.

    A liveness or startup `Failure` does (computePodActions); readiness never does.
    """
    return as_kind(kind) is not ProbeKind.READINESS and result is ProbeResult.FAILURE

"""Tables transcribed from Kubernetes `pkg/kubelet/prober/worker_test.go` (v1.35 line),
`prober_manager.go` UpdatePodStatus and `pkg/apis/core/v1/defaults.go` SetDefaults_Probe.

A Go test drives one worker through several doProbe calls; here each step is
(probe outcome, result published afterwards[, resultRun][, onHold]).
"""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.probes import (
    ContainerObservation,
    ProbeKind,
    ProbeResult,
    ProbeSpec,
    WorkerState,
    container_ready,
    container_started,
    initial_result,
    kills_container,
    parse_probe,
    probe_defaults,
    probe_step,
)

S, F, U = ProbeResult.SUCCESS, ProbeResult.FAILURE, ProbeResult.UNKNOWN
LIVENESS, READINESS, STARTUP = ProbeKind.LIVENESS, ProbeKind.READINESS, ProbeKind.STARTUP


def obs(started=True, container=1, since=1000, **kw):
    return ContainerObservation(
        container, running=True, started=started, seconds_since_start=since, **kw
    )


def drive(kind, spec, steps, *, started=True, state=None):
    """Run (outcome, want_result[, want_run[, want_hold]]) steps on one container."""
    state = state or WorkerState()
    for i, (outcome, want, *rest) in enumerate(steps):
        step = probe_step(state, kind, spec, obs(started), outcome)
        state = step.state
        assert step.keep_going, i
        assert state.result is want, (i, state)
        if rest:
            assert state.result_run == rest[0], (i, state)
        if len(rest) > 1:
            assert state.on_hold is rest[1], (i, state)
    return state


# newWorker: the value published before the first probe of a new container
@pytest.mark.parametrize(("kind", "want"), [(READINESS, F), (LIVENESS, S), (STARTUP, U)])
def test_initial_result(kind, want):
    assert initial_result(kind) is want


# TestInitialDelay: during initialDelaySeconds the initial value stays published;
# 100 s later the probe runs and succeeds.
@pytest.mark.parametrize(("kind", "during"), [(LIVENESS, S), (READINESS, F), (STARTUP, U)])
def test_initial_delay(kind, during):
    spec = ProbeSpec(initial_delay_seconds=10)
    started = kind is not STARTUP
    step = probe_step(WorkerState(), kind, spec, obs(started, since=0), S)
    assert step.keep_going and not step.probed and step.state.result is during
    step = probe_step(step.state, kind, spec, obs(started, since=100), S)
    assert step.probed and step.state.result is S


# TestFailureThreshold (readiness, successThreshold 1, failureThreshold 3), two rounds
FAILURE_THRESHOLD = ([(S, S)] * 3 + [(F, S)] * 2 + [(F, F)] * 3) * 2


def test_failure_threshold():
    drive(READINESS, ProbeSpec(success_threshold=1, failure_threshold=3), FAILURE_THRESHOLD)


# TestSuccessThreshold (readiness, successThreshold 3, failureThreshold 1), starting
# from a published Failure, two rounds
SUCCESS_THRESHOLD = ([(S, F)] * 2 + [(S, S)] * 3 + [(F, F)]) * 2


def test_success_threshold():
    start = WorkerState(container=1, result=F)
    drive(
        READINESS,
        ProbeSpec(success_threshold=3, failure_threshold=1),
        SUCCESS_THRESHOLD,
        state=start,
    )


# TestStartupProbeSuccessThreshold: the first success publishes Success and puts the
# worker on hold with resultRun 0.
def test_startup_probe_success_threshold():
    state = drive(
        STARTUP,
        ProbeSpec(success_threshold=1, failure_threshold=3),
        [(S, S, 0, True)],
        started=False,
    )
    step = probe_step(state, STARTUP, ProbeSpec(failure_threshold=3), obs(False), F)
    assert not step.probed and step.state.result is S


# TestStartupProbeFailureThreshold and TestResultRunOnStartupCheckFailure
STARTUP_FAILURES = [(F, U, 1, False), (F, U, 2, False), (F, F, 0, True)]


def test_startup_probe_failure_threshold():
    state = drive(STARTUP, ProbeSpec(failure_threshold=3), STARTUP_FAILURES, started=False)
    assert probe_step(state, STARTUP, ProbeSpec(), obs(False), S).state.result is F


# TestResultRunOnLivenessCheckFailure (successThreshold 1, failureThreshold 3)
LIVENESS_RUN = [(S, S, 1, False), (F, S, 1, False), (F, S, 2, False), (F, F, 0, True)]


def test_result_run_on_liveness_check_failure():
    drive(LIVENESS, ProbeSpec(success_threshold=1, failure_threshold=3), LIVENESS_RUN)


# TestOnHoldOnLivenessOrStartupCheckFailure (failureThreshold 1): a failure holds the
# worker; a success is ignored while on hold; a new container lifts the hold.
@pytest.mark.parametrize("kind", [LIVENESS, STARTUP])
def test_on_hold_until_new_container(kind):
    spec = ProbeSpec(failure_threshold=1)
    started = kind is not STARTUP
    step = probe_step(WorkerState(), kind, spec, obs(started), F)
    assert step.state.result is F and step.state.on_hold
    step = probe_step(step.state, kind, spec, obs(started), S)
    assert step.keep_going and not step.probed
    assert step.state.result is F and step.state.on_hold
    step = probe_step(step.state, kind, spec, obs(started, container=2), S)
    assert step.state.result is S
    # liveness is off hold again; startup holds again after reaching its threshold
    assert step.state.on_hold is (kind is STARTUP)


# TestLivenessProbeDisabledByStarted (failureThreshold 1)
def test_liveness_disabled_until_started():
    spec = ProbeSpec(failure_threshold=1)
    step = probe_step(WorkerState(), LIVENESS, spec, obs(started=False), F)
    assert not step.probed and step.state.result is S
    step = probe_step(step.state, LIVENESS, spec, obs(started=True), F)
    assert step.probed and step.state.result is F


# TestStartupProbeDisabledByStarted (failureThreshold 2)
def test_startup_disabled_once_started():
    spec = ProbeSpec(failure_threshold=2)
    step = probe_step(WorkerState(), STARTUP, spec, obs(started=False), F)
    assert step.state.result is U
    step = probe_step(step.state, STARTUP, spec, obs(started=False), S)
    assert step.state.result is S
    step = probe_step(step.state, STARTUP, spec, obs(started=True), F)
    assert not step.probed and step.state.result is S


# TestDoProbe, the cases whose v1.35 outcome is the same in every copy read:
# (kind, observation, pod failed?, deleting?, keep going, published result)
NOT_RUNNING = ContainerObservation(1, running=False)
TERMINATED_NO_RESTART = ContainerObservation(
    1, running=False, terminated_exit_code=0, restart_on_exit=False
)
DO_PROBE = [
    (LIVENESS, obs(), True, False, False, None),  # pod failed: exit the worker
    (READINESS, obs(), True, False, False, None),
    (STARTUP, obs(False), True, False, False, None),
    (LIVENESS, NOT_RUNNING, False, False, True, F),  # container waiting
    (READINESS, NOT_RUNNING, False, False, True, F),
    (LIVENESS, TERMINATED_NO_RESTART, False, False, False, F),  # terminated, no restart
    (STARTUP, TERMINATED_NO_RESTART, False, False, False, F),
    (LIVENESS, obs(), False, True, False, S),  # pod deleted: liveness stops quietly
    (STARTUP, obs(False), False, True, False, S),  # pod deleted: startup stops
    (READINESS, obs(), False, True, True, S),  # readiness keeps probing
    (LIVENESS, obs(), False, False, True, S),  # probe successful
    (READINESS, obs(), False, False, True, S),
]


@pytest.mark.parametrize(("kind", "seen", "failed", "deleting", "keep", "want"), DO_PROBE)
def test_do_probe(kind, seen, failed, deleting, keep, want):
    step = probe_step(
        WorkerState(), kind, ProbeSpec(), seen, S, pod_terminal=failed, pod_deleting=deleting
    )
    assert step.keep_going is keep
    assert step.state.result is want


# prober_manager.go UpdatePodStatus: started and ready
STARTED = [
    (False, False, None, False),  # not running
    (True, False, None, True),  # no startup probe: started once running
    (True, True, None, False),  # startup probe not run yet
    (True, True, U, False),
    (True, True, S, True),
]


@pytest.mark.parametrize(("running", "has_probe", "result", "want"), STARTED)
def test_container_started(running, has_probe, result, want):
    assert container_started(running, has_probe, result) is want


READY = [
    (True, False, True, S, False),  # not started: never ready
    (True, True, False, None, True),  # no readiness probe: always ready
    (True, True, True, None, False),  # readiness probe not run yet
    (True, True, True, F, False),
    (True, True, True, S, True),
    (False, True, True, S, False),  # not running
]


@pytest.mark.parametrize(("running", "started", "has_probe", "result", "want"), READY)
def test_container_ready(running, started, has_probe, result, want):
    assert container_ready(running, started, has_probe, result) is want


# computePodActions: liveness/startup Failure kills; readiness never does
@pytest.mark.parametrize(
    ("kind", "result", "want"),
    [
        (LIVENESS, F, True),
        (STARTUP, F, True),
        (READINESS, F, False),
        (LIVENESS, S, False),
        (STARTUP, U, False),
        (LIVENESS, None, False),
    ],
)
def test_kills_container(kind, result, want):
    assert kills_container(kind, result) is want


# SetDefaults_Probe (pkg/apis/core/v1/defaults.go)
def test_probe_defaults():
    assert probe_defaults() == ProbeSpec(0, 10, 1, 1, 3)
    assert parse_probe(LIVENESS, {}, "p") == probe_defaults()
    zeros = {"periodSeconds": 0, "timeoutSeconds": 0, "failureThreshold": 0}
    assert parse_probe(READINESS, zeros, "p") == probe_defaults()
    assert parse_probe(READINESS, {"successThreshold": 3}, "p").success_threshold == 3


BAD_PROBES = [
    (LIVENESS, {"successThreshold": 2}, "p.successThreshold"),
    (STARTUP, {"successThreshold": 3}, "p.successThreshold"),
    (READINESS, {"periodSeconds": -1}, "p.periodSeconds"),
    (READINESS, {"initialDelaySeconds": -5}, "p.initialDelaySeconds"),
    (READINESS, {"failureThreshold": "3"}, "p.failureThreshold"),
    (READINESS, {"timeoutSeconds": True}, "p.timeoutSeconds"),
    (READINESS, [], "p"),
    ("sideways", {}, "kind"),
]


@pytest.mark.parametrize(("kind", "probe", "field"), BAD_PROBES)
def test_parse_probe_rejects_bad_input(kind, probe, field):
    with pytest.raises(KubeInputError) as err:
        parse_probe(kind, probe, "p")
    assert str(err.value).startswith(field + ":")


def test_unknown_kind_in_step_raises_kube_input_error():
    with pytest.raises(KubeInputError, match="^kind:"):
        probe_step(WorkerState(), "sideways", ProbeSpec(), obs(), S)

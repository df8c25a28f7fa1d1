"""Tables transcribed from Kubernetes v1.35 `pkg/kubelet/kubelet_pods_test.go` (getPhase).

Each helper below mirrors the Go test helper of the same name in that file; every
table cites the Go test function it transcribes. Pods are the dicts `pod_phase` takes.
"""

from __future__ import annotations

import pytest

from podcheck.kube._views import SIDECAR_POLICY, RestartPolicy
from podcheck.kube.errors import KubeInputError
from podcheck.kube.phase import (
    ContainerView,
    Phase,
    StateKind,
    phase_core,
    pod_phase,
)

# --- helpers mirroring kubelet_pods_test.go ----------------------------------------


def waiting(name):
    return {"name": name, "state": {"waiting": {"reason": ""}}}


def waiting_last(name):  # waitingStateWithLastTermination: last exit 0
    return {
        "name": name,
        "state": {"waiting": {}},
        "lastState": {"terminated": {"exitCode": 0}},
    }


def waiting_nonzero(name):  # waitingStateWithNonZeroTermination: last exit -1
    return {
        "name": name,
        "state": {"waiting": {}},
        "lastState": {"terminated": {"exitCode": -1}},
    }


def running(name):
    return {"name": name, "state": {"running": {}}}


def started(name):  # startedState
    return {"name": name, "state": {"running": {}}, "started": True}


def stopped(name):  # stoppedState: Terminated{} (exit code 0)
    return {"name": name, "state": {"terminated": {}}}


def succeeded(name):
    return {"name": name, "state": {"terminated": {"exitCode": 0}}}


def failed(name, code=-1):  # failedState / failedStateWithExitCode
    return {"name": name, "state": {"terminated": {"exitCode": code}}}


def pod(policy, inits=(), apps=("containerA", "containerB"), init_status=(), status=()):
    def container(c):
        return {"name": c} if isinstance(c, str) else c

    return {
        "spec": {
            "restartPolicy": policy,
            "initContainers": [container(c) for c in inits],
            "containers": [container(c) for c in apps],
        },
        "status": {
            "initContainerStatuses": list(init_status),
            "containerStatuses": list(status),
        },
    }


X = "containerX"
SIDECAR_X = {"name": "containerX", "restartPolicy": "Always"}
A, B = "containerA", "containerB"

# TestPodPhaseWithRestartAlways (kubelet_pods_test.go): (statuses, podIsTerminal, phase)
RESTART_ALWAYS = [
    ((), False, "Pending"),  # waiting
    ((running(A), running(B)), False, "Running"),  # all running
    ((stopped(A), stopped(B)), False, "Running"),  # all stopped with restart always
    ((succeeded(A), succeeded(B)), True, "Succeeded"),  # ... but the pod is terminal
    ((succeeded(A), failed(B)), True, "Failed"),  # all stopped, pod terminal
    ((running(A), stopped(B)), False, "Running"),  # mixed state #1
    ((running(A),), False, "Pending"),  # mixed state #2
    ((running(A), waiting(B)), False, "Pending"),  # mixed state #3
    ((running(A), waiting_last(B)), False, "Running"),  # backoff crashloop container
]


@pytest.mark.parametrize(("statuses", "terminal", "want"), RESTART_ALWAYS)
def test_restart_always(statuses, terminal, want):
    p = pod("Always", status=statuses)
    assert pod_phase(p, pod_is_terminal=terminal, pod_has_initialized=False) == want


# TestPodPhaseWithRestartAlwaysInitContainers: (init statuses, app statuses, phase)
RESTART_ALWAYS_INIT = [
    ((), (), "Pending"),  # empty, waiting
    ((running(X),), (), "Pending"),  # init container running
    ((failed(X),), (), "Pending"),  # init container terminated non-zero
    ((waiting_last(X),), (), "Pending"),  # init container waiting, terminated zero
    ((waiting_nonzero(X),), (), "Pending"),  # waiting, terminated non-zero
    ((waiting(X),), (), "Pending"),  # init container waiting, not terminated
    ((succeeded(X),), (running(A), running(B)), "Running"),  # init container succeeded
]


@pytest.mark.parametrize(("inits", "apps", "want"), RESTART_ALWAYS_INIT)
def test_restart_always_init_containers(inits, apps, want):
    p = pod("Always", inits=[X], init_status=inits, status=apps)
    assert pod_phase(p, pod_has_initialized=False) == want


# TestPodPhaseWithRestartAlwaysRestartableInitContainers:
# (init statuses, app statuses, podIsTerminal, podHasInitialized, phase)
RESTART_ALWAYS_SIDECAR = [
    ((), (), False, False, "Pending"),  # empty, waiting
    ((running(X),), (), False, False, "Pending"),  # restartable init container running
    ((stopped(X),), (), False, False, "Pending"),  # restartable init container stopped
    ((waiting_last(X),), (), False, False, "Pending"),  # waiting, terminated zero
    ((waiting_nonzero(X),), (), False, False, "Pending"),  # waiting, terminated non-zero
    ((waiting(X),), (), False, False, "Pending"),  # waiting, not terminated
    ((started(X),), (running(A),), False, True, "Pending"),  # started, 1/2 running
    ((started(X),), (running(A), running(B)), False, True, "Running"),  # all running
    ((running(X),), (running(A), running(B)), False, True, "Running"),  # sidecar running
    ((stopped(X),), (running(A), running(B)), False, True, "Running"),  # sidecar stopped
    ((waiting_last(X),), (running(A), running(B)), False, True, "Running"),  # backoff
    # all regular containers succeeded, sidecar failed / succeeded, pod is terminal
    ((failed(X),), (succeeded(A), succeeded(B)), True, True, "Succeeded"),
    ((succeeded(X),), (succeeded(A), succeeded(B)), True, True, "Succeeded"),
    # re-initializing the pod after the sandbox is recreated
    ((running(X),), (running(A), running(B)), False, False, "Pending"),
]


@pytest.mark.parametrize(
    ("inits", "apps", "terminal", "initialized", "want"), RESTART_ALWAYS_SIDECAR
)
def test_restart_always_sidecar(inits, apps, terminal, initialized, want):
    p = pod("Always", inits=[SIDECAR_X], init_status=inits, status=apps)
    got = pod_phase(p, pod_is_terminal=terminal, pod_has_initialized=initialized)
    assert got == want


# TestPodPhaseWithRestartAlwaysAndPodHasRun: init X (regular), Y (sidecar), app A.
HAS_RUN = [
    ((running(X), running("containerY")), (running(A),), False, "Pending"),
    ((running(X), running("containerY")), (stopped(A),), False, "Pending"),
    # re-created sandbox: X succeeded, Y running, old A stopped
    ((succeeded(X), running("containerY")), (stopped(A),), False, "Pending"),
    ((succeeded(X), running("containerY")), (stopped(A),), True, "Running"),
    ((succeeded(X), running("containerY")), (running(A),), True, "Running"),
]


@pytest.mark.parametrize(("inits", "apps", "initialized", "want"), HAS_RUN)
def test_restart_always_pod_has_run(inits, apps, initialized, want):
    sidecar_y = {"name": "containerY", "restartPolicy": "Always"}
    p = pod("Always", inits=[X, sidecar_y], apps=[A], init_status=inits, status=apps)
    assert pod_phase(p, pod_has_initialized=initialized) == want


# TestPodPhaseWithRestartNever
RESTART_NEVER = [
    ((), "Pending"),  # waiting
    ((running(A), running(B)), "Running"),  # all running with restart never
    ((succeeded(A), succeeded(B)), "Succeeded"),  # all succeeded with restart never
    ((failed(A), failed(B)), "Failed"),  # all failed with restart never
    ((running(A), succeeded(B)), "Running"),  # mixed state #1
    ((running(A),), "Pending"),  # mixed state #2
    ((running(A), waiting(B)), "Pending"),  # mixed state #3
]


@pytest.mark.parametrize(("statuses", "want"), RESTART_NEVER)
def test_restart_never(statuses, want):
    assert pod_phase(pod("Never", status=statuses), pod_has_initialized=False) == want


# TestPodPhaseWithRestartNeverInitContainers
RESTART_NEVER_INIT = [
    ((), (), "Pending"),  # empty, waiting
    ((running(X),), (), "Pending"),  # init container running
    ((failed(X),), (), "Failed"),  # init container terminated non-zero
    ((waiting_last(X),), (), "Pending"),  # init container waiting, terminated zero
    ((waiting_nonzero(X),), (), "Failed"),  # init container waiting, terminated non-zero
    ((waiting(X),), (), "Pending"),  # init container waiting, not terminated
    ((succeeded(X),), (running(A), running(B)), "Running"),  # init container succeeded
]


@pytest.mark.parametrize(("inits", "apps", "want"), RESTART_NEVER_INIT)
def test_restart_never_init_containers(inits, apps, want):
    p = pod("Never", inits=[X], init_status=inits, status=apps)
    assert pod_phase(p, pod_has_initialized=False) == want


# TestPodPhaseWithRestartNeverRestartableInitContainers: sidecars keep a Never pod
# Running after its app containers finished.
RESTART_NEVER_SIDECAR = [
    ((), (), False, "Pending"),  # empty, waiting
    ((running(X),), (), False, "Pending"),  # restartable init container running
    ((stopped(X),), (), False, "Pending"),  # restartable init container stopped
    ((waiting_last(X),), (), False, "Pending"),  # waiting, terminated zero
    ((waiting_nonzero(X),), (), False, "Pending"),  # waiting, terminated non-zero
    ((waiting(X),), (), False, "Pending"),  # waiting, not terminated
    ((started(X),), (running(A),), True, "Pending"),  # started, one main running
    ((started(X),), (succeeded(A), succeeded(B)), True, "Running"),  # mains succeeded
    ((running(X),), (succeeded(A), succeeded(B)), True, "Running"),  # sidecar re-running
    ((succeeded(X),), (succeeded(A), succeeded(B)), True, "Succeeded"),  # all succeeded
    ((failed(X),), (succeeded(A), succeeded(B)), True, "Succeeded"),  # sidecar non-zero
    ((waiting_last(X),), (succeeded(A), succeeded(B)), True, "Succeeded"),  # backoff
    ((waiting_nonzero(X),), (succeeded(A), succeeded(B)), True, "Succeeded"),
]


@pytest.mark.parametrize(("inits", "apps", "initialized", "want"), RESTART_NEVER_SIDECAR)
def test_restart_never_sidecar(inits, apps, initialized, want):
    p = pod("Never", inits=[SIDECAR_X], init_status=inits, status=apps)
    assert pod_phase(p, pod_has_initialized=initialized) == want


# TestPodPhaseWithRestartOnFailure
RESTART_ON_FAILURE = [
    ((), "Pending"),  # waiting
    ((running(A), running(B)), "Running"),  # all running with restart onfailure
    ((succeeded(A), succeeded(B)), "Succeeded"),  # all succeeded with restart onfailure
    ((failed(A), failed(B)), "Running"),  # all failed (being restarted)
    ((running(A), succeeded(B)), "Running"),  # mixed state #1
    ((running(A),), "Pending"),  # mixed state #2
    ((running(A), waiting(B)), "Pending"),  # mixed state #3
    ((running(A), waiting_last(B)), "Running"),  # backoff crashloop container
]


@pytest.mark.parametrize(("statuses", "want"), RESTART_ON_FAILURE)
def test_restart_on_failure(statuses, want):
    p = pod("OnFailure", status=statuses)
    assert pod_phase(p, pod_has_initialized=False) == want


def c(name, policy):
    return {"name": name, "restartPolicy": policy}


# TestPodPhaseWithContainerRestartPolicy (ContainerRestartRules on, as in v1.35)
CONTAINER_POLICY = [
    ("Always", [c("f", "Never")], [failed("f")], "Failed"),
    ("Always", [c("f", "OnFailure")], [failed("f")], "Running"),
    ("Always", [c("f", "Always")], [failed("f")], "Running"),
    ("Never", [c(A, "Always"), B], [succeeded(A), failed(B)], "Running"),
    ("Always", [c(A, "Never"), c(B, "OnFailure")], [failed(A), succeeded(B)], "Failed"),
    ("Always", [c(A, "Never"), c(B, "OnFailure")], [succeeded(A), succeeded(B)], "Succeeded"),
]


@pytest.mark.parametrize(("policy", "apps", "statuses", "want"), CONTAINER_POLICY)
def test_container_restart_policy(policy, apps, statuses, want):
    p = pod(policy, apps=apps, status=statuses)
    assert pod_phase(p, pod_has_initialized=True) == want


# TestPodPhaseWithContainerRestartPolicyInitContainers
CONTAINER_POLICY_INIT = [
    ("Always", "Never", "Failed"),  # init container with restart policy Never failed
    ("Never", "OnFailure", "Pending"),  # init container with OnFailure failed
    ("Never", "Always", "Pending"),  # a sidecar failed: it is restarted
]


@pytest.mark.parametrize(("pod_policy", "init_policy", "want"), CONTAINER_POLICY_INIT)
def test_container_restart_policy_init(pod_policy, init_policy, want):
    p = pod(
        pod_policy,
        inits=[c("failed-container", init_policy)],
        apps=["container"],
        init_status=[failed("failed-container")],
    )
    assert pod_phase(p, pod_has_initialized=True) == want


# --- the dict layer's own behaviour --------------------------------------------------


def test_initialized_condition_is_read_when_not_given():
    # TestPodPhaseWithRestartAlwaysRestartableInitContainers "started, all regular
    # containers running" (Running) vs "re-initializing ..." (Pending), with the
    # podHasInitialized input taken from status.conditions instead.
    p = pod("Always", inits=[SIDECAR_X], init_status=[running(X)], status=[running(A), running(B)])
    assert pod_phase(p) == "Pending"
    p["status"]["conditions"] = [{"type": "Initialized", "status": "True"}]
    assert pod_phase(p) == "Running"


def test_static_pod_is_not_given_a_terminal_phase():
    # getPhase: `if podIsTerminal { if !kubetypes.IsStaticPod(pod) ...` (TODO #116484)
    p = pod("Always", status=[succeeded(A), succeeded(B)])
    p["metadata"] = {"annotations": {"kubernetes.io/config.source": "file"}}
    assert pod_phase(p, pod_is_terminal=True) == "Running"
    p["metadata"]["annotations"]["kubernetes.io/config.source"] = "api"
    assert pod_phase(p, pod_is_terminal=True) == "Succeeded"


def test_restart_policy_defaults_to_always():
    p = pod("Always", status=[stopped(A), stopped(B)])
    del p["spec"]["restartPolicy"]
    assert pod_phase(p) == "Running"


def test_core_on_views_matches_dict_layer():
    # TestPodPhaseWithRestartNeverRestartableInitContainers "mains succeeded" on views
    views = (ContainerView(StateKind.TERMINATED, 0),) * 2
    sidecar = (ContainerView(StateKind.RUNNING, started=True, policy=SIDECAR_POLICY),)
    got = phase_core(RestartPolicy.NEVER, sidecar, views, pod_has_initialized=True)
    assert got is Phase.RUNNING


# --- malformed input ----------------------------------------------------------------

BAD_PODS = [
    ([], "pod"),
    ({}, "spec"),
    ({"spec": []}, "spec"),
    ({"spec": {}}, "spec.containers"),
    ({"spec": {"containers": []}}, "spec.containers"),
    ({"spec": {"containers": "a"}}, "spec.containers"),
    ({"spec": {"containers": [{}]}}, "spec.containers[0].name"),
    ({"spec": {"containers": [{"name": 3}]}}, "spec.containers[0].name"),
    ({"spec": {"containers": [{"name": "a"}, {"name": "a"}]}}, "spec"),
    ({"spec": {"restartPolicy": "Sometimes", "containers": [{"name": "a"}]}}, "spec.restartPolicy"),
    (
        {"spec": {"containers": [{"name": "a", "restartPolicy": "Maybe"}]}},
        "spec.containers[0].restartPolicy",
    ),
    (
        {
            "spec": {
                "containers": [
                    {
                        "name": "a",
                        "restartPolicy": "Never",
                        "restartPolicyRules": [{"action": "Explode"}],
                    }
                ]
            }
        },
        "spec.containers[0].restartPolicyRules[0].action",
    ),
    ({"spec": {"containers": [{"name": "a"}]}, "status": []}, "status"),
    (
        {"spec": {"containers": [{"name": "a"}]}, "status": {"containerStatuses": {}}},
        "status.containerStatuses",
    ),
    (
        {
            "spec": {"containers": [{"name": "a"}]},
            "status": {"containerStatuses": [{"name": "a", "state": {"Runing": {}}}]},
        },
        "status.containerStatuses[0].state",
    ),
    (
        {
            "spec": {"containers": [{"name": "a"}]},
            "status": {
                "containerStatuses": [{"name": "a", "state": {"running": {}, "waiting": {}}}]
            },
        },
        "status.containerStatuses[0].state",
    ),
    (
        {
            "spec": {"containers": [{"name": "a"}]},
            "status": {
                "containerStatuses": [{"name": "a", "state": {"terminated": {"exitCode": "1"}}}]
            },
        },
        "status.containerStatuses[0].state.terminated.exitCode",
    ),
    (
        {
            "spec": {"containers": [{"name": "a"}]},
            "status": {
                "containerStatuses": [{"name": "a", "state": {"running": {}}, "started": "yes"}]
            },
        },
        "status.containerStatuses[0].started",
    ),
    (
        {
            "spec": {"containers": [{"name": "a"}]},
            "status": {
                "containerStatuses": [
                    {"name": "a", "state": {"waiting": {}}, "lastState": {"terminated": []}}
                ]
            },
        },
        "status.containerStatuses[0].lastState.terminated",
    ),
    (
        {
            "spec": {"containers": [{"name": "a"}]},
            "status": {"containerStatuses": [running("a"), running("a")]},
        },
        "status.containerStatuses[1].name",
    ),
]


@pytest.mark.parametrize(("bad", "field"), BAD_PODS)
def test_malformed_pod_raises_kube_input_error(bad, field):
    with pytest.raises(KubeInputError) as err:
        pod_phase(bad)
    assert str(err.value).startswith(field + ":")


def test_bad_keyword_types_raise_kube_input_error():
    p = pod("Always", status=[running(A), running(B)])
    with pytest.raises(KubeInputError, match="^pod_has_initialized:"):
        pod_phase(p, pod_has_initialized="yes")
    with pytest.raises(KubeInputError, match="^pod_is_terminal:"):
        pod_phase(p, pod_is_terminal=1)

"""Tables transcribed from Kubernetes `pkg/kubelet/kuberuntime/kuberuntime_manager_test.go`
(TestComputePodActions*, copy read for v1.35) and `pkg/api/v1/pod/util_test.go`
(TestContainerHasRestartablePolicy, TestIsContainerRestartable).

The Go tests start from a base pod + runtime status (makeBasePodAndStatus*) and apply
a mutation; here each case builds the resulting PodView/RuntimeView directly.
"""

from __future__ import annotations

import pytest

from podcheck.kube._views import (
    NO_POLICY,
    SIDECAR_POLICY,
    ContainerPolicy,
    ContainerRestartPolicy,
    ExitCodeOperator,
    RestartPolicy,
    RestartRule,
    container_should_restart,
    is_container_restartable,
)
from podcheck.kube.errors import KubeInputError
from podcheck.kube.kuberuntime import (
    ContainerKill,
    ContainerSpecView,
    KillReason,
    PodActions,
    PodView,
    RuntimeState,
    RuntimeStatus,
    RuntimeView,
    SandboxState,
    compute_pod_actions,
    pod_view,
    should_container_be_restarted,
)
from podcheck.kube.probes import ProbeResult

ALWAYS, ON_FAILURE, NEVER = RestartPolicy.ALWAYS, RestartPolicy.ON_FAILURE, RestartPolicy.NEVER
READY, NOT_READY, NONE = SandboxState.READY, SandboxState.NOT_READY, SandboxState.NONE
S = ProbeResult.SUCCESS
F = ProbeResult.FAILURE
U = ProbeResult.UNKNOWN


def run(**kw):
    return RuntimeStatus(RuntimeState.RUNNING, **kw)


def exited(code=0):
    return RuntimeStatus(RuntimeState.EXITED, code)


CREATED = RuntimeStatus(RuntimeState.CREATED)
UNKNOWN = RuntimeStatus(RuntimeState.UNKNOWN)
PLAIN = ContainerSpecView()
APPS = (PLAIN, PLAIN, PLAIN)


def kill(i, reason, restart=True):
    return ContainerKill(False, i, reason, restart)


def ikill(i, reason):
    return ContainerKill(True, i, reason)


LIVE, START = KillReason.LIVENESS_PROBE, KillReason.STARTUP_PROBE
UNK, CHANGED = KillReason.UNKNOWN_STATE, KillReason.SPEC_CHANGED
NO_ACTION = PodActions()
RUNNING3 = (run(), run(), run())

# TestComputePodActions (makeBasePodAndStatus: three app containers, all running)
COMPUTE = [
    ("everything is good; do nothing", ALWAYS, READY, RUNNING3, NO_ACTION),
    (
        "start pod sandbox and all containers for a new pod",
        ALWAYS,
        NONE,
        (None, None, None),
        PodActions(True, True, containers_to_start=(0, 1, 2)),
    ),
    (
        "restart exited containers if RestartPolicy == Always",
        ALWAYS,
        READY,
        (exited(0), exited(111), run()),
        PodActions(containers_to_start=(0, 1)),
    ),
    (
        "restart failed containers if RestartPolicy == OnFailure",
        ON_FAILURE,
        READY,
        (exited(0), exited(111), run()),
        PodActions(containers_to_start=(1,)),
    ),
    (
        "restart created but not started containers if RestartPolicy == OnFailure",
        ON_FAILURE,
        READY,
        (exited(0), CREATED, run()),
        PodActions(containers_to_start=(1,)),
    ),
    (
        "don't restart containers if RestartPolicy == Never",
        NEVER,
        READY,
        (exited(0), exited(111), run()),
        NO_ACTION,
    ),
    (
        "Kill pod and recreate everything if the pod sandbox is dead, and Always",
        ALWAYS,
        NOT_READY,
        RUNNING3,
        PodActions(True, True, containers_to_start=(0, 1, 2)),
    ),
    (
        "Kill pod and recreate all containers (except for the succeeded one) ... OnFailure",
        ON_FAILURE,
        NOT_READY,
        (run(), exited(0), run()),
        PodActions(True, True, containers_to_start=(0, 2)),
    ),
    (
        "Kill and recreate the container if the container's spec changed",
        ALWAYS,
        READY,
        (run(), run(spec_changed=True), run()),
        PodActions(containers_to_start=(1,), containers_to_kill=(kill(1, CHANGED),)),
    ),
    (
        "Kill and recreate the container if the liveness check has failed",
        ALWAYS,
        READY,
        (run(), run(liveness=F), run()),
        PodActions(containers_to_start=(1,), containers_to_kill=(kill(1, LIVE),)),
    ),
    (
        "Kill and recreate the container if the startup check has failed",
        ALWAYS,
        READY,
        (run(), run(startup=F), run()),
        PodActions(containers_to_start=(1,), containers_to_kill=(kill(1, START),)),
    ),
    (
        "do not create a pod sandbox ... Never and all containers exited",
        NEVER,
        NOT_READY,
        (exited(0),) * 3,
        PodActions(kill_pod=True),
    ),
    (
        "do not create a pod sandbox ... OnFailure and all containers succeeded",
        ON_FAILURE,
        NOT_READY,
        (exited(0),) * 3,
        PodActions(kill_pod=True),
    ),
    (
        "create a pod sandbox ... Never and no containers have ever been created",
        NEVER,
        NOT_READY,
        (None, None, None),
        PodActions(True, True, containers_to_start=(0, 1, 2)),
    ),
    (
        "Kill and recreate the container if the container is in unknown state",
        NEVER,
        READY,
        (run(), UNKNOWN, run()),
        PodActions(containers_to_start=(1,), containers_to_kill=(kill(1, UNK),)),
    ),
    (
        "Restart the container if the container is in created state",
        NEVER,
        READY,
        (run(), CREATED, run()),
        PodActions(containers_to_start=(1,)),
    ),
]


@pytest.mark.parametrize(("desc", "policy", "sandbox", "statuses", "want"), COMPUTE)
def test_compute_pod_actions(desc, policy, sandbox, statuses, want):
    pod = PodView(policy, (), APPS)
    assert compute_pod_actions(pod, RuntimeView(sandbox, (), statuses)) == want, desc


INITS = (PLAIN, PLAIN, PLAIN)
DONE3 = (exited(0),) * 3  # makeBasePodAndStatusWithInitContainers: all exited 0
NO_APPS = (None, None, None)

# TestComputePodActionsWithInitContainers (three regular init containers)
COMPUTE_INIT = [
    (
        "initialization completed; start all containers",
        ALWAYS,
        READY,
        DONE3,
        PodActions(containers_to_start=(0, 1, 2)),
    ),
    (
        "no init containers have been started; start the first one",
        ALWAYS,
        READY,
        (None, None, None),
        PodActions(init_containers_to_start=(0,)),
    ),
    (
        "initialization in progress; do nothing",
        ALWAYS,
        READY,
        (exited(0), exited(0), run()),
        NO_ACTION,
    ),
    (
        "Kill pod and restart the first init container if the pod sandbox is dead",
        ALWAYS,
        NOT_READY,
        DONE3,
        PodActions(True, True, init_containers_to_start=(0,)),
    ),
    (
        "initialization failed; restart the last init container if Always",
        ALWAYS,
        READY,
        (exited(0), exited(0), exited(137)),
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "initialization failed; restart the last init container if OnFailure",
        ON_FAILURE,
        READY,
        (exited(0), exited(0), exited(137)),
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "initialization failed; kill pod if RestartPolicy == Never",
        NEVER,
        READY,
        (exited(0), exited(0), exited(137)),
        PodActions(kill_pod=True),
    ),
    (
        "init container state unknown; kill and recreate the last init container, Always",
        ALWAYS,
        READY,
        (exited(0), exited(0), UNKNOWN),
        PodActions(init_containers_to_start=(2,), containers_to_kill=(ikill(2, UNK),)),
    ),
    (
        "init container state unknown; kill and recreate the last ..., OnFailure",
        ON_FAILURE,
        READY,
        (exited(0), exited(0), UNKNOWN),
        PodActions(init_containers_to_start=(2,), containers_to_kill=(ikill(2, UNK),)),
    ),
    (
        "init container state unknown; kill pod if RestartPolicy == Never",
        NEVER,
        READY,
        (exited(0), exited(0), UNKNOWN),
        PodActions(kill_pod=True),
    ),
    (
        "Pod sandbox not ready, init container failed, but Never; kill pod only",
        NEVER,
        NOT_READY,
        DONE3,
        PodActions(kill_pod=True),
    ),
    (
        "Pod sandbox not ready, Never, but no visible init containers; new sandbox",
        NEVER,
        NOT_READY,
        (None, None, None),
        PodActions(True, True, init_containers_to_start=(0,)),
    ),
    (
        "Pod sandbox not ready, init container failed, and OnFailure; new sandbox",
        ON_FAILURE,
        NOT_READY,
        (exited(0), exited(0), exited(137)),
        PodActions(True, True, init_containers_to_start=(0,)),
    ),
    (
        "some init statuses are missing but the last init container is running",
        ALWAYS,
        READY,
        (None, None, run()),
        NO_ACTION,
    ),
    (
        "an init container is in the created state ...; restart it",
        ALWAYS,
        READY,
        (exited(0), exited(0), CREATED),
        PodActions(init_containers_to_start=(2,)),
    ),
]


@pytest.mark.parametrize(("desc", "policy", "sandbox", "inits", "want"), COMPUTE_INIT)
def test_compute_pod_actions_with_init_containers(desc, policy, sandbox, inits, want):
    pod = PodView(policy, INITS, APPS)
    assert compute_pod_actions(pod, RuntimeView(sandbox, inits, NO_APPS)) == want, desc


# makeBasePodAndStatusWithRestartableInitContainers: three sidecars, all running; the
# 2nd and 3rd have liveness + startup probes whose results are Success.
PROBED = ContainerSpecView(SIDECAR_POLICY, has_startup_probe=True, has_liveness_probe=True)
SIDECARS = (ContainerSpecView(SIDECAR_POLICY), PROBED, PROBED)
OK = run(liveness=S, startup=S)
BASE = (run(), OK, OK)

# TestComputePodActionsWithRestartableInitContainers
COMPUTE_SIDECAR = [
    (
        "initialization completed; start all containers",
        ALWAYS,
        READY,
        BASE,
        NO_APPS,
        PodActions(containers_to_start=(0, 1, 2)),
    ),
    (
        "no init containers have been started; start the first one",
        ALWAYS,
        READY,
        (None, None, None),
        NO_APPS,
        PodActions(init_containers_to_start=(0,)),
    ),
    (
        "an init container is stuck in the created state; restart it",
        ALWAYS,
        READY,
        (run(), OK, CREATED),
        NO_APPS,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "restartable init container has started; start the next",
        ALWAYS,
        READY,
        (run(), None, None),
        NO_APPS,
        PodActions(init_containers_to_start=(1,)),
    ),
    (
        "livenessProbe has not been run; start the nothing",
        ALWAYS,
        READY,
        (run(), run(startup=S), None),
        NO_APPS,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "livenessProbe in progress; start the next",
        ALWAYS,
        READY,
        (run(), run(liveness=U, startup=S), None),
        NO_APPS,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "livenessProbe has completed; start the next",
        ALWAYS,
        READY,
        (run(), OK, None),
        NO_APPS,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "kill and recreate the restartable init container if the liveness check failed",
        ALWAYS,
        READY,
        (run(), OK, run(liveness=F, startup=S)),
        NO_APPS,
        PodActions(
            init_containers_to_start=(2,),
            containers_to_start=(0, 1, 2),
            containers_to_kill=(ikill(2, LIVE),),
        ),
    ),
    (
        "startupProbe has not been run; do nothing",
        ALWAYS,
        READY,
        (run(), run(liveness=S), None),
        NO_APPS,
        NO_ACTION,
    ),
    (
        "startupProbe in progress; do nothing",
        ALWAYS,
        READY,
        (run(), run(liveness=S, startup=U), None),
        NO_APPS,
        NO_ACTION,
    ),
    (
        "startupProbe has completed; start the next",
        ALWAYS,
        READY,
        (run(), OK, None),
        NO_APPS,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "kill and recreate the restartable init container if the startup check failed",
        ALWAYS,
        READY,
        (run(), OK, run(liveness=S, startup=F)),
        NO_APPS,
        PodActions(init_containers_to_start=(2,), containers_to_kill=(ikill(2, START),)),
    ),
    (
        "kill and recreate the restartable init container if the definition changes",
        ALWAYS,
        READY,
        (run(), OK, run(liveness=S, startup=S, spec_changed=True)),
        NO_APPS,
        PodActions(
            init_containers_to_start=(2,),
            containers_to_start=(0, 1, 2),
            containers_to_kill=(ikill(2, CHANGED),),
        ),
    ),
    (
        "restart terminated restartable init container and next init container",
        ALWAYS,
        READY,
        (exited(0), OK, exited(0)),
        NO_APPS,
        PodActions(init_containers_to_start=(0, 2)),
    ),
    (
        "restart terminated restartable init container and regular containers",
        ALWAYS,
        READY,
        (exited(0), OK, OK),
        NO_APPS,
        PodActions(init_containers_to_start=(0,), containers_to_start=(0, 1, 2)),
    ),
    (
        "Pod sandbox not ready, restartable init container failed, but Never; kill pod",
        NEVER,
        NOT_READY,
        (run(), OK, exited(137)),
        NO_APPS,
        PodActions(kill_pod=True),
    ),
    (
        "Pod sandbox not ready, Never, no visible restartable init containers; sandbox",
        NEVER,
        NOT_READY,
        (None, None, None),
        NO_APPS,
        PodActions(True, True, init_containers_to_start=(0,)),
    ),
    (
        "Pod sandbox not ready, restartable init container failed, OnFailure; sandbox",
        ON_FAILURE,
        NOT_READY,
        (run(), OK, exited(137)),
        NO_APPS,
        PodActions(True, True, init_containers_to_start=(0,)),
    ),
    (
        "Pod sandbox not ready, restartable init container failed, Always; sandbox",
        ALWAYS,
        NOT_READY,
        (run(), OK, exited(137)),
        NO_APPS,
        PodActions(True, True, init_containers_to_start=(0,)),
    ),
    (
        "initialization failed; restart the last restartable init container even if Never",
        NEVER,
        READY,
        (run(), OK, exited(137)),
        NO_APPS,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "restartable init container state unknown; kill and recreate it even if Never",
        NEVER,
        READY,
        (run(), OK, UNKNOWN),
        NO_APPS,
        PodActions(init_containers_to_start=(2,), containers_to_kill=(ikill(2, UNK),)),
    ),
    (
        "restart restartable init container if regular containers are running, Never",
        NEVER,
        READY,
        (run(), OK, exited(137)),
        RUNNING3,
        PodActions(init_containers_to_start=(2,)),
    ),
    (
        "kill the pod if all main containers succeeded if pod's RestartPolicy == Never",
        NEVER,
        READY,
        BASE,
        (exited(0),) * 3,
        PodActions(kill_pod=True),
    ),
    (
        "some init statuses are missing but the last init container is running, restart",
        ALWAYS,
        READY,
        (None, None, OK),
        NO_APPS,
        PodActions(init_containers_to_start=(0, 1), containers_to_start=(0, 1, 2)),
    ),
]


@pytest.mark.parametrize(("desc", "policy", "sandbox", "inits", "apps", "want"), COMPUTE_SIDECAR)
def test_compute_pod_actions_with_sidecars(desc, policy, sandbox, inits, apps, want):
    pod = PodView(policy, SIDECARS, APPS)
    assert compute_pod_actions(pod, RuntimeView(sandbox, inits, apps)) == want, desc


# Derived from computePodActions (kuberuntime_manager.go), not a Go test table: a
# liveness failure under Never kills without restarting, and with nothing left to
# keep the whole pod is killed; under Always the container is restarted.
def test_liveness_failure_under_never_kills_without_restart():
    pod = PodView(NEVER, (), (PLAIN,))
    got = compute_pod_actions(pod, RuntimeView(READY, (), (run(liveness=F),)))
    assert got == PodActions(kill_pod=True, containers_to_kill=(kill(0, LIVE, False),))
    pod = PodView(ALWAYS, (), (PLAIN,))
    got = compute_pod_actions(pod, RuntimeView(READY, (), (run(liveness=F),)))
    assert got == PodActions(containers_to_start=(0,), containers_to_kill=(kill(0, LIVE),))


def test_deleted_pod_does_not_restart_containers():
    # ShouldContainerBeRestarted: "Once a pod has been marked deleted, it should not be
    # restarted" (pkg/kubelet/container/helpers.go)
    assert not should_container_be_restarted(PLAIN, ALWAYS, exited(1), deleted=True)
    assert should_container_be_restarted(PLAIN, ALWAYS, exited(1))


NEVER_POLICY = ContainerPolicy(ContainerRestartPolicy.NEVER)


def rule(op, *values):
    return (RestartRule(ExitCodeOperator(op), values),)


# TestContainerHasRestartablePolicy (pkg/api/v1/pod/util_test.go) for
# ContainerShouldRestart: (container policy, pod policy, exit code, restart?)
SHOULD_RESTART = [
    (ContainerPolicy(ContainerRestartPolicy.NEVER, rule("In", 42, 50, 60)), ALWAYS, 42, True),
    (ContainerPolicy(ContainerRestartPolicy.NEVER, rule("NotIn", 0, 1, 2)), ALWAYS, 99, True),
    (ContainerPolicy(ContainerRestartPolicy.NEVER, rule("In", 10, 20)), ALWAYS, 30, False),
    (ContainerPolicy(ContainerRestartPolicy.NEVER, rule("NotIn", 10, 20)), ALWAYS, 10, False),
    (ContainerPolicy(ContainerRestartPolicy.ALWAYS), NEVER, 0, True),
    (ContainerPolicy(ContainerRestartPolicy.ON_FAILURE), NEVER, 0, False),
    (ContainerPolicy(ContainerRestartPolicy.ON_FAILURE), NEVER, 1, True),
    (NEVER_POLICY, ALWAYS, 1, False),
    (NO_POLICY, ALWAYS, 0, True),
    (NO_POLICY, ON_FAILURE, 1, True),
    (NO_POLICY, NEVER, 1, False),
]


@pytest.mark.parametrize(("policy", "pod_policy", "code", "want"), SHOULD_RESTART)
def test_container_should_restart(policy, pod_policy, code, want):
    assert container_should_restart(policy, pod_policy, code) is want


# TestIsContainerRestartable (pkg/api/v1/pod/util_test.go), the cases read
RESTARTABLE = [
    (NEVER_POLICY, ALWAYS, False),  # container Never is not restartable
    (NO_POLICY, ALWAYS, True),  # Pod Fallback: Policy 'Always' is restartable
    (NO_POLICY, ON_FAILURE, True),  # Pod Fallback: Policy 'OnFailure' is restartable
    (NO_POLICY, NEVER, False),  # Pod Fallback: Policy 'Never' is not restartable
]


@pytest.mark.parametrize(("policy", "pod_policy", "want"), RESTARTABLE)
def test_is_container_restartable(policy, pod_policy, want):
    assert is_container_restartable(policy, pod_policy) is want


# --- malformed input ----------------------------------------------------------------


def test_status_count_must_match_spec():
    with pytest.raises(KubeInputError, match="^runtime.statuses:"):
        compute_pod_actions(PodView(ALWAYS, (), APPS), RuntimeView(READY, (), (run(),)))
    with pytest.raises(KubeInputError, match="^runtime.init_statuses:"):
        compute_pod_actions(PodView(ALWAYS, INITS, APPS), RuntimeView(READY, (), RUNNING3))


BAD_SPECS = [
    ({"metadata": {}}, "spec"),
    ({"spec": {"containers": [{"name": "a"}], "restartPolicy": "Sometimes"}}, "spec.restartPolicy"),
    (
        {"spec": {"containers": [{"name": "a", "livenessProbe": {"successThreshold": 2}}]}},
        "spec.containers[0].livenessProbe.successThreshold",
    ),
    (
        {
            "spec": {
                "initContainers": [{"name": "i", "startupProbe": []}],
                "containers": [{"name": "a"}],
            }
        },
        "spec.initContainers[0].startupProbe",
    ),
    ({"spec": {"containers": [{"name": "a"}]}, "metadata": "x"}, "metadata"),
]


@pytest.mark.parametrize(("bad", "field"), BAD_SPECS)
def test_pod_view_rejects_malformed_pods(bad, field):
    with pytest.raises(KubeInputError) as err:
        pod_view(bad)
    assert str(err.value).startswith(field + ":")


def test_pod_view_reads_policies_and_probes():
    view = pod_view(
        {
            "metadata": {"deletionTimestamp": "2025-01-01T00:00:00Z"},
            "spec": {
                "restartPolicy": "Never",
                "initContainers": [
                    {"name": "s", "restartPolicy": "Always", "startupProbe": {"exec": {}}}
                ],
                "containers": [{"name": "a", "livenessProbe": {"periodSeconds": 5}}],
            },
        }
    )
    assert view == PodView(
        NEVER,
        (ContainerSpecView(SIDECAR_POLICY, has_startup_probe=True),),
        (ContainerSpecView(NO_POLICY, has_liveness_probe=True),),
        deleted=True,
    )

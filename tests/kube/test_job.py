"""Job failure rules.  `pastBackoffLimitOnFailure`: the rows of `TestJobBackoffForOnFailure`
(`pkg/controller/job/job_controller_test.go`, Kubernetes v1.35) reduced to the verdict the
function gives; `matchPodFailurePolicy`: cases in the shape of `TestMatchPodFailurePolicy`
(`pkg/controller/job/pod_failure_policy_test.go`)."""

from __future__ import annotations

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.job import (
    FailurePolicyAction,
    PolicyMatch,
    match_pod_failure_policy,
    past_backoff_limit_on_failure,
)


def job(backoff_limit, restart_policy="OnFailure", policy=None):
    spec = {"backoffLimit": backoff_limit,
            "template": {"spec": {"restartPolicy": restart_policy, "containers": [{"name": "c"}]}}}
    if policy is not None:
        spec["podFailurePolicy"] = {"rules": policy}
    return {"metadata": {"name": "j"}, "spec": spec}


def pod(phase, *restarts, init_restarts=()):
    return {"status": {"phase": phase,
                       "containerStatuses": [{"name": f"c{i}", "restartCount": r}
                                             for i, r in enumerate(restarts)],
                       "initContainerStatuses": [{"name": f"i{i}", "restartCount": r}
                                                 for i, r in enumerate(init_restarts)]}}


# job_controller_test.go :: TestJobBackoffForOnFailure (backoffLimit, restart counts, phase)
@pytest.mark.parametrize(
    ("limit", "restarts", "phase", "want"),
    [
        (0, (0,), "Running", False),          # backoffLimit 0 should have 1 pod active
        (1, (0,), "Running", False),          # backoffLimit 1 with restartCount 0
        (1, (1,), "Running", True),           # restartCount 1 and podRunning
        (1, (1,), "Pending", True),           # restartCount 1 and podPending
        (2, (2,), "Running", True),           # too many job failures - single pod
        (2, (2,), "Pending", True),
        (2, (1, 1), "Running", True),         # too many job failures - multiple pods
        (2, (1, 1), "Pending", True),
        (3, (1, 1), "Running", False),        # not enough failures
        (3, (1, 1), "Succeeded", False),      # finished job
    ],
)
def test_job_backoff_for_on_failure(limit, restarts, phase, want):
    pods = [pod(phase, r) for r in restarts]
    assert past_backoff_limit_on_failure(job(limit), pods) is want


def test_backoff_limit_zero_fails_at_first_restart():
    assert past_backoff_limit_on_failure(job(0), [pod("Running", 1)]) is True


def test_init_container_restarts_count_and_never_does_not():
    assert past_backoff_limit_on_failure(job(2), [pod("Pending", 0, init_restarts=(2,))])
    assert not past_backoff_limit_on_failure(job(1, "Never"), [pod("Running", 5)])


def test_backoff_limit_defaults_to_six():
    spec = job(0)
    del spec["spec"]["backoffLimit"]
    assert not past_backoff_limit_on_failure(spec, [pod("Running", 5)])
    assert past_backoff_limit_on_failure(spec, [pod("Running", 6)])


def failed(*statuses, conditions=()):
    return {"metadata": {"name": "mypod", "namespace": "default"},
            "status": {"phase": "Failed", "containerStatuses": list(statuses),
                       "conditions": list(conditions)}}


def exited(name, code):
    return {"name": name, "state": {"terminated": {"exitCode": code}}}


def codes(action, operator, *values, container=None):
    req = {"operator": operator, "values": list(values)}
    if container:
        req["containerName"] = container
    return {"action": action, "onExitCodes": req}


def on_condition(action, type_, status="True"):
    return {"action": action, "onPodConditions": [{"type": type_, "status": status}]}


IGNORE, COUNT, FAIL_JOB = (FailurePolicyAction.IGNORE, FailurePolicyAction.COUNT,
                           FailurePolicyAction.FAIL_JOB)


# pod_failure_policy.go :: matchPodFailurePolicy
@pytest.mark.parametrize(
    ("rules", "pod", "want"),
    [
        (None, failed(exited("main-container", 2)), PolicyMatch(None, True)),
        ([codes("Ignore", "In", 1, 2, 3)], failed(exited("main-container", 2)),
         PolicyMatch(IGNORE, False)),
        ([codes("Ignore", "In", 1, 2, 3)], failed(exited("main-container", 0)),
         PolicyMatch(None, True)),
        ([codes("Ignore", "In", 1), codes("FailJob", "In", 2)],
         failed(exited("main-container", 2)),
         PolicyMatch(FAIL_JOB, True, "Container main-container for pod default/mypod failed "
                     "with exit code 2 matching FailJob rule at index 1")),
        ([codes("FailJob", "NotIn", 1, 2)], failed(exited("main-container", 2)),
         PolicyMatch(None, True)),
        ([codes("FailJob", "NotIn", 1, 2)], failed(exited("main-container", 42)),
         PolicyMatch(FAIL_JOB, True, "Container main-container for pod default/mypod failed "
                     "with exit code 42 matching FailJob rule at index 0")),
        ([codes("Count", "In", 2)], failed(exited("main-container", 2)), PolicyMatch(COUNT, True)),
        ([codes("FailJob", "In", 2, container="other")], failed(exited("main-container", 2)),
         PolicyMatch(None, True)),
        ([on_condition("Ignore", "DisruptionTarget")],
         failed(exited("main-container", 137),
                conditions=[{"type": "DisruptionTarget", "status": "True"}]),
         PolicyMatch(IGNORE, False)),
        ([on_condition("Ignore", "DisruptionTarget")],
         failed(exited("main-container", 137),
                conditions=[{"type": "DisruptionTarget", "status": "False"}]),
         PolicyMatch(None, True)),
        ([on_condition("FailJob", "DisruptionTarget")],
         failed(conditions=[{"type": "DisruptionTarget", "status": "True"}]),
         PolicyMatch(FAIL_JOB, True, "Pod default/mypod has condition DisruptionTarget "
                     "matching FailJob rule at index 0")),
        ([{"action": "FailIndex", "onExitCodes": {"operator": "In", "values": [3]}}],
         failed(exited("main-container", 3)), PolicyMatch(FailurePolicyAction.FAIL_INDEX, True)),
    ],
)
def test_match_pod_failure_policy(rules, pod, want):
    assert match_pod_failure_policy(job(6, "Never", rules), pod) == want


def test_init_containers_are_matched_after_app_containers():
    pod = failed(exited("main", 0))
    pod["status"]["initContainerStatuses"] = [exited("init", 5)]
    got = match_pod_failure_policy(job(6, "Never", [codes("FailJob", "In", 5)]), pod)
    assert got.action is FAIL_JOB and "Container init" in got.message


def test_unknown_action_raises():
    with pytest.raises(KubeInputError, match=r"rules\[0\]\.action: Unsupported value"):
        match_pod_failure_policy(job(6, "Never", [codes("Retry", "In", 1)]),
                                 failed(exited("c", 1)))

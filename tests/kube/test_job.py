"""Job failure rules, transcribed from Kubernetes' own tests.

* `TestJobBackoffForOnFailure` (`pkg/controller/job/job_controller_test.go`, read at
  commit 003e86297d18): every row, verbatim by name, with its backoffLimit, suspend,
  restartCounts and podPhase.  The Go test runs `syncJob`; the column kept here is the
  verdict of `pastBackoffLimitOnFailure` inside it, which is True exactly when the row's
  expected conditions carry reason `BackoffLimitExceeded` (Failed or FailureTarget).
  Parallelism and completions do not enter the function and are left out.
* `TestMatchPodFailurePolicy` (`pkg/controller/job/pod_failure_policy_test.go`, read at
  commit 14db660660c8): every row, verbatim by name, with its wanted message, count
  flag, action and rule name.
* The remaining tests are derived from the Go function `pastBackoffLimitOnFailure`
  (`job_controller.go`), not from a Go test, and say so.
"""

from __future__ import annotations

import pytest

from podcheck.kube.job import (
    FailurePolicyAction,
    PolicyMatch,
    match_pod_failure_policy,
    past_backoff_limit_on_failure,
)


def job(backoff_limit, restart_policy="OnFailure", policy=None, suspend=False):
    spec = {"backoffLimit": backoff_limit, "suspend": suspend,
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


# job_controller_test.go :: TestJobBackoffForOnFailure -- every row.  The Go test gives
# each pod one container status with the row's restart count.
@pytest.mark.parametrize(
    ("name", "limit", "suspend", "restarts", "phase", "want"),
    [
        ("backoffLimit 0 should have 1 pod active", 0, False, (0,), "Running", False),
        ("backoffLimit 1 with restartCount 0 should have 1 pod active",
         1, False, (0,), "Running", False),
        ("backoffLimit 1 with restartCount 1 and podRunning should have 0 pod active",
         1, False, (1,), "Running", True),
        ("backoffLimit 1 with restartCount 1 and podPending should have 0 pod active",
         1, False, (1,), "Pending", True),
        ("too many job failures with podRunning - single pod", 2, False, (2,), "Running", True),
        ("too many job failures with podPending - single pod", 2, False, (2,), "Pending", True),
        ("too many job failures with podRunning - multiple pods",
         2, False, (1, 1), "Running", True),
        ("too many job failures with podPending - multiple pods",
         2, False, (1, 1), "Pending", True),
        ("not enough failures", 3, False, (1, 1), "Running", False),
        ("suspending a job", 6, True, (1, 1), "Running", False),
        ("finished job", 6, True, (1, 1, 2, 0), "Succeeded", False),
        ("finished job; JobPodReplacementPolicy enabled", 6, True, (1, 1, 2, 0), "Succeeded",
         False),
        ("finished job; JobManagedBy enabled", 6, True, (1, 1, 2, 0), "Succeeded", False),
        ("too many job failures with podRunning - multiple pods; JobPodReplacementPolicy "
         "enabled", 2, False, (1, 1), "Running", True),
        ("too many job failures with podRunning - multiple pods; JobManagedBy enabled",
         2, False, (1, 1), "Running", True),
    ],
)
def test_job_backoff_for_on_failure(name, limit, suspend, restarts, phase, want):
    pods = [pod(phase, r) for r in restarts]
    assert past_backoff_limit_on_failure(job(limit, suspend=suspend), pods) is want, name


# Derived from the Go function pastBackoffLimitOnFailure (not a Go test).
def test_backoff_limit_zero_fails_at_first_restart():
    assert past_backoff_limit_on_failure(job(0), [pod("Running", 1)]) is True


# Derived from the Go function: init restarts are summed; any policy but OnFailure is False.
def test_init_container_restarts_count_and_never_does_not():
    assert past_backoff_limit_on_failure(job(2), [pod("Pending", 0, init_restarts=(2,))])
    assert not past_backoff_limit_on_failure(job(1, "Never"), [pod("Running", 5)])


# Derived from the API default of backoffLimit (6, pkg/apis/batch/v1/defaults.go).
def test_backoff_limit_defaults_to_six():
    spec = job(0)
    del spec["spec"]["backoffLimit"]
    assert not past_backoff_limit_on_failure(spec, [pod("Running", 5)])
    assert past_backoff_limit_on_failure(spec, [pod("Running", 6)])


def failed(*statuses, conditions=(), init=()):
    status = {"phase": "Failed"}
    if init:
        status["initContainerStatuses"] = list(init)
    if statuses:
        status["containerStatuses"] = list(statuses)
    if conditions:
        status["conditions"] = [{"type": t, "status": s} for t, s in conditions]
    return {"metadata": {"name": "mypod", "namespace": "default"}, "status": status}


def exited(code, name=None):
    entry = {"state": {"terminated": {"exitCode": code}}}
    if name is not None:
        entry["name"] = name
    return entry


def codes(action, operator, *values, name=None):
    rule = {"action": action, "onExitCodes": {"operator": operator, "values": list(values)}}
    if name is not None:
        rule["name"] = name
    return rule


def on_condition(action, type_, status, name=None):
    rule = {"action": action, "onPodConditions": [{"type": type_, "status": status}]}
    if name is not None:
        rule["name"] = name
    return rule


IGNORE, COUNT = FailurePolicyAction.IGNORE, FailurePolicyAction.COUNT
FAIL_JOB, FAIL_INDEX = FailurePolicyAction.FAIL_JOB, FailurePolicyAction.FAIL_INDEX
DT = "DisruptionTarget"
MAIN = "main-container"


def fail_job_message(code, index):
    return (f"Container main-container for pod default/mypod failed with exit code {code} "
            f"matching FailJob rule at index {index}")


# pod_failure_policy_test.go :: TestMatchPodFailurePolicy -- every row.
MATCH_ROWS = [
    ("unknown action for rule matching by exit codes - skip rule with unknown action",
     [codes("UnknownAction", "In", 1, 2), codes("FailJob", "In", 2, 3)],
     failed(exited(2, MAIN)), PolicyMatch(FAIL_JOB, True, fail_job_message(2, 1))),
    ("unknown action for rule matching by pod conditions - skip rule with unknown action",
     [on_condition("UnkonwnAction", DT, "True"), on_condition("Ignore", DT, "True")],
     failed(conditions=[(DT, "True")]), PolicyMatch(IGNORE, False)),
    ("unknown operator - rule with unknown action is skipped for onExitCodes",
     [codes("Ignore", "UnknownOperator", 1, 2), codes("FailJob", "In", 2, 3)],
     failed(exited(2, MAIN)), PolicyMatch(FAIL_JOB, True, fail_job_message(2, 1))),
    ("no policy rules", None, failed(exited(2)), PolicyMatch(None, True)),
    ("ignore rule matched for exit codes", [codes("Ignore", "In", 1, 2, 3)],
     failed(exited(2)), PolicyMatch(IGNORE, False)),
    ("ignore rule matched on negative exit codes - needed for Windows support",
     [codes("Ignore", "In", -1073741676, -1073741510)], failed(exited(-1073741510)),
     PolicyMatch(IGNORE, False)),
    ("FailJob rule matched for exit codes", [codes("FailJob", "In", 1, 2, 3)],
     failed(exited(2, MAIN)), PolicyMatch(FAIL_JOB, True, fail_job_message(2, 0))),
    ("successful containers are skipped by the rules", [codes("FailJob", "NotIn", 111)],
     failed(exited(111, MAIN), exited(0, "suppport-container"),
            init=[exited(0, "init-container")]),
     PolicyMatch(None, True)),
    ("FailIndex rule matched for exit codes", [codes("FailIndex", "In", 1, 2, 3)],
     failed(exited(2)), PolicyMatch(FAIL_INDEX, True)),
    ("pod failure policy with NotIn operator and value 0", [codes("FailJob", "NotIn", 0)],
     failed(exited(1, MAIN), exited(0, "suppport-container")),
     PolicyMatch(FAIL_JOB, True, fail_job_message(1, 0))),
    ("second jobfail rule matched for exit codes",
     [codes("Count", "In", 1, 2, 3), codes("FailJob", "In", 4, 5, 6)],
     failed(exited(6, MAIN)), PolicyMatch(FAIL_JOB, True, fail_job_message(6, 1))),
    ("count rule matched for exit codes", [codes("Count", "In", 1, 2, 3)],
     failed({"name": "foo"}, exited(2, "bar")), PolicyMatch(COUNT, True)),
    ("FailIndex rule matched for pod conditions", [on_condition("FailIndex", DT, "True")],
     failed(conditions=[(DT, "True")]), PolicyMatch(FAIL_INDEX, True)),
    ("ignore rule matched for pod conditions", [on_condition("Ignore", DT, "True")],
     failed(conditions=[(DT, "True")]), PolicyMatch(IGNORE, False)),
    ("ignore rule matches by the status=False", [on_condition("Ignore", DT, "False")],
     failed(conditions=[(DT, "False")]), PolicyMatch(IGNORE, False)),
    ("ignore rule matches by the status=Unknown", [on_condition("Ignore", DT, "Unknown")],
     failed(conditions=[(DT, "Unknown")]), PolicyMatch(IGNORE, False)),
    ("ignore rule does not match when status for pattern is False, but actual True",
     [on_condition("Ignore", DT, "False")], failed(conditions=[(DT, "True")]),
     PolicyMatch(None, True)),
    ("ignore rule does not match when status for pattern is True, but actual False",
     [on_condition("Ignore", DT, "True")], failed(conditions=[(DT, "False")]),
     PolicyMatch(None, True)),
    ("default - do not match condition with status=False",
     [on_condition("Ignore", DT, "True")], failed(conditions=[(DT, "False")]),
     PolicyMatch(None, True)),
    ("job fail rule matched for pod conditions", [on_condition("FailJob", DT, "True")],
     failed(conditions=[(DT, "True")]),
     PolicyMatch(FAIL_JOB, True, "Pod default/mypod has condition DisruptionTarget matching "
                 "FailJob rule at index 0")),
    ("count rule matched for pod conditions", [on_condition("Count", DT, "True")],
     failed(conditions=[(DT, "True")]), PolicyMatch(COUNT, True)),
    ("no rule matched",
     [codes("Count", "NotIn", 8), codes("Ignore", "In", 1, 2, 3),
      codes("FailJob", "NotIn", 5, 6, 7), on_condition("Count", "ResourceLimitExceeded", "True"),
      on_condition("Ignore", DT, "True")],
     failed(exited(32)), PolicyMatch(COUNT, True)),
    ("expected matching rule returned",
     [on_condition("FailJob", "MaxFailedIndexesExceeded", "True", name="0"),
      on_condition("Ignore", DT, "True", name="HostMaintenanceRule")],
     failed(conditions=[(DT, "True")]),
     PolicyMatch(IGNORE, False, rule_name="HostMaintenanceRule")),
]


@pytest.mark.parametrize(("name", "rules", "pod", "want"), MATCH_ROWS,
                         ids=[row[0] for row in MATCH_ROWS])
def test_match_pod_failure_policy(name, rules, pod, want):
    assert match_pod_failure_policy(job(6, "Never", rules), pod) == want


# Derived from the Go function matchOnExitCodes (app containers first, then init).
def test_init_containers_are_matched_after_app_containers():
    pod = failed(exited(0, "main"), init=[exited(5, "init")])
    got = match_pod_failure_policy(job(6, "Never", [codes("FailJob", "In", 5)]), pod)
    assert got.action is FAIL_JOB and "Container init" in got.message


# Derived from the Go function getMatchingContainerFromList (`containerName` restricts).
def test_container_name_restricts_the_exit_code_match():
    rule = codes("FailJob", "In", 2)
    rule["onExitCodes"]["containerName"] = "other"
    assert match_pod_failure_policy(job(6, "Never", [rule]), failed(exited(2, MAIN))) == \
        PolicyMatch(None, True)


# ---- policy_errors: validatePodFailurePolicy (pkg/apis/batch/validation/validation.go);
# messages as the "invalid job" rows of validation_test.go TestValidateJob word them.
def test_policy_errors_match_validate_pod_failure_policy() -> None:
    from podcheck.kube.job import PolicyRule, policy_errors
    from podcheck.vocab import ExitCodeOperator, RestartPolicy
    rule = PolicyRule(FAIL_JOB, ExitCodeOperator.IN, (11, 11, 3))
    errs = policy_errors([rule], ["main"], RestartPolicy.NEVER)
    assert errs == [
        "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 11",
        "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [11, 11, 3]: "
        "must be ordered"]
    assert policy_errors([], ["main"], RestartPolicy.ON_FAILURE) == [
        'spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is '
        "supported when podFailurePolicy is specified"]
    assert len(policy_errors([PolicyRule(COUNT, conditions=DT_TRUE)] * 21, ["main"],
                             RestartPolicy.NEVER)) == 1
    assert policy_errors([PolicyRule(FAIL_INDEX, ExitCodeOperator.IN, (1,))], ["main"],
                         RestartPolicy.NEVER, per_index=True) == []


DT_TRUE = (("DisruptionTarget", "True"),)


def test_match_policy_core_first_rule_wins_and_ignore_does_not_count() -> None:
    from podcheck.kube.job import FailedPod, PolicyRule, match_policy_core
    from podcheck.vocab import ExitCodeOperator
    rules = [PolicyRule(IGNORE, conditions=DT_TRUE),
             PolicyRule(FAIL_JOB, ExitCodeOperator.IN, (137,))]
    disrupted = FailedPod((("main", 137),), DT_TRUE)
    assert match_policy_core(rules, disrupted) == PolicyMatch(IGNORE, False)
    killed = FailedPod((("main", 137),))
    got = match_policy_core(rules, killed)
    assert got.action is FAIL_JOB and got.counts
    assert got.message == ("Container main for pod {pod} failed with exit code 137 matching "
                           "FailJob rule at index 1")
    assert match_policy_core(rules, FailedPod((("main", None),))) == PolicyMatch(None, True)

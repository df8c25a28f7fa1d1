"""Facts from pkg/registry/core/pod/storage/eviction_test.go, checked through `evict`.

Fixtures mirror the test file: the pod is labelled a=true in namespace default, the PDB
is "foo" selecting a=true. Cases that only exercise optimistic-concurrency retries
(resource-version conflicts, errors injected into the store) are not modelled.
"""

import pytest

from podcheck.kube.errors import KubeInputError
from podcheck.kube.eviction import (
    BUDGET_MESSAGE,
    MULTIPLE_PDBS_MESSAGE,
    Decision,
    UnhealthyPodEvictionPolicy,
    can_ignore_pdb,
    evict,
    eviction_core,
    matching_pdbs,
)

ALL_POLICIES = (None, "IfHealthyBudget", "AlwaysAllow")
GUARDED = (None, "IfHealthyBudget")


def pod(name="t1", phase="Running", ready=None, terminating=False, labels=None):
    meta = {"name": name, "namespace": "default", "labels": labels or {"a": "true"}}
    if terminating:
        meta["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    conditions = []
    if ready is not None:
        conditions.append({"type": "Ready", "status": "True" if ready else "False"})
    return {"metadata": meta, "status": {"phase": phase, "conditions": conditions}}


def pdb(allowed=0, healthy=0, desired=0, policy=None, selector=None, name="foo", **extra):
    spec = {"selector": {"matchLabels": {"a": "true"}} if selector is None else selector}
    if policy is not None:
        spec["unhealthyPodEvictionPolicy"] = policy
    status = {"disruptionsAllowed": allowed, "currentHealthy": healthy, "desiredHealthy": desired}
    status.update(extra.pop("status", {}))
    meta = {"name": name, "namespace": "default", **extra}
    return {"metadata": meta, "spec": spec, "status": status}


def needs(desired, healthy):
    return f"The disruption budget foo needs {desired} healthy pods and has {healthy} currently"


def assert_rejected_by_budget(result, cause):
    assert (result.allowed, result.status, result.reason) == (False, 429, "TooManyRequests")
    assert result.message == BUDGET_MESSAGE
    assert result.cause == cause
    assert result.pdb_update is None


def assert_deleted(result):
    assert (result.allowed, result.status, result.reason, result.message) == (True, 201, "", "")


# eviction_test.go :: TestEviction "matching pdbs with no disruptions allowed, pod running"
# and "..., pod running, empty selector" (policies nil and IfHealthyBudget).
@pytest.mark.parametrize("policy", GUARDED)
@pytest.mark.parametrize("selector", [None, {}])
def test_running_pod_without_budget_is_rejected(policy, selector):
    result = evict(pod(), [pdb(policy=policy, selector=selector)])
    assert_rejected_by_budget(result, needs(0, 0))
    assert result.decision is Decision.REJECT_BUDGET_EXHAUSTED


# Same cases, AlwaysAllow: "AlwaysAllow would terminate the pod since Running pods are not
# guarded by this policy" (the pod has no Ready condition, so it is unhealthy).
@pytest.mark.parametrize("selector", [None, {}])
def test_running_unready_pod_always_allow(selector):
    result = evict(pod(), [pdb(policy="AlwaysAllow", selector=selector)])
    assert_deleted(result)
    assert result.decision is Decision.DELETE_UNHEALTHY and result.pdb_update is None


# eviction_test.go :: TestEviction "pod pending", "pod succeeded", "pod failed" (deleted
# although no disruption is allowed), under every policy.
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize("phase", ["Pending", "Succeeded", "Failed"])
def test_non_running_pods_ignore_budgets(policy, phase):
    result = evict(pod(phase=phase), [pdb(policy=policy)])
    assert_deleted(result)
    assert result.decision is Decision.DELETE_IGNORING_PDB


# eviction_test.go :: TestEviction "matching pdbs with disruptions allowed" and
# "non-matching pdbs" (deleted under every policy).
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize(("allowed", "labels"), [(1, None), (0, {"b": "true"})])
def test_allowed_or_unmatched(policy, allowed, labels):
    assert evict(pod(labels=labels), [pdb(allowed, policy=policy)]).allowed


# eviction_test.go :: TestEvictionIgnorePDB "matching pdbs with no disruptions allowed,
# pod terminating" (every policy).
@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_terminating_pod_ignores_budget(policy):
    result = evict(pod("t6", terminating=True, ready=True), [pdb(policy=policy)])
    assert_deleted(result)
    assert result.decision is Decision.DELETE_IGNORING_PDB


# TestEvictionIgnorePDB "..., pod running, pod healthy, unhealthy pod not ours" and
# "..., pod running, pod healthy, empty selector, pod not deleted by honoring the PDB".
@pytest.mark.parametrize("policy", ALL_POLICIES)
@pytest.mark.parametrize(("selector", "count"), [(None, 2), ({}, 3)])
def test_healthy_pod_is_guarded(policy, selector, count):
    budget = pdb(0, healthy=count, desired=count, policy=policy, selector=selector)
    assert_rejected_by_budget(evict(pod("t7", ready=True), [budget]), needs(count, count))


# TestEvictionIgnorePDB "matching pdbs with disruptions allowed, pod running, pod healthy,
# healthy pod ours, deletes pod by honoring the PDB".
@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_healthy_pod_uses_budget(policy):
    result = evict(pod("t8", ready=True), [pdb(1, healthy=3, desired=3, policy=policy)])
    assert_deleted(result)
    assert result.decision is Decision.DELETE_DECREMENT
    assert result.pdb_update is not None and result.pdb_update.disrupted_pod == "t8"


# TestEvictionIgnorePDB "matching pdbs with no disruptions allowed, pod running, pod
# unhealthy, unhealthy pod ours" (every policy): the application is not disrupted.
@pytest.mark.parametrize("policy", ALL_POLICIES)
def test_unhealthy_pod_of_undisrupted_application(policy):
    result = evict(pod("t8", ready=False), [pdb(0, healthy=2, desired=2, policy=policy)])
    assert_deleted(result)
    assert result.decision is Decision.DELETE_UNHEALTHY and result.pdb_update is None


# TestEvictionIgnorePDB "..., pod unhealthy, unhealthy pod ours, skips the PDB check and
# deletes" (AlwaysAllow only; nil and IfHealthyBudget "would not skip the PDB check").
@pytest.mark.parametrize(("policy", "deleted"), [("AlwaysAllow", True), (None, False),
                                                 ("IfHealthyBudget", False)])
def test_unhealthy_pod_of_disrupted_application(policy, deleted):
    assert evict(pod("t8", ready=False), [pdb(0, policy=policy)]).allowed is deleted


# TestEvictionIgnorePDB "pdbs No disruptions allowed, pod pending, first delete conflict,
# pod becomes running, continueToPDBs" and "pdbs disruptions allowed, ..., continueToPDBs":
# once the pod is Running the budget decides (policies nil and IfHealthyBudget).
@pytest.mark.parametrize("policy", GUARDED)
@pytest.mark.parametrize(("allowed", "deleted"), [(0, False), (1, True)])
def test_pod_became_running(policy, allowed, deleted):
    result = evict(pod("t2", phase="Running"), [pdb(allowed, policy=policy)])
    assert result.allowed is deleted
    if not deleted:
        assert_rejected_by_budget(result, needs(0, 0))


# eviction_test.go :: TestEvictionPDBStatus: the status write decrements disruptionsAllowed
# and flips the DisruptionAllowed condition to InsufficientPods only when it reaches 0.
@pytest.mark.parametrize(("before", "after", "reason"), [(1, 0, "InsufficientPods"), (3, 2, "")])
def test_eviction_pdb_status(before, after, reason):
    result = evict(pod("foo-1"), [pdb(before)])
    assert result.pdb_update is not None
    assert result.pdb_update.pdb_name == "foo"
    assert result.pdb_update.disruptions_allowed == after
    assert result.pdb_update.disrupted_pod == "foo-1"
    assert result.pdb_update.condition_reason == reason


# eviction_test.go :: TestEvictionDryRun "with pdbs": a dry run succeeds and writes nothing.
def test_dry_run_with_pdbs():
    result = evict(pod("foo"), [pdb(1)], dry_run=True)
    assert result.allowed and result.pdb_update is None


# eviction.go :: checkAndDecrement (source; message text as asserted by TestEvictionIgnorePDB
# "... resource version conflict"): status not observed for the current generation.
def test_stale_observed_generation():
    budget = pdb(5, generation=2, status={"observedGeneration": 1})
    result = evict(pod(ready=True), [budget])
    assert_rejected_by_budget(
        result, "The disruption budget foo is still being processed by the server.")
    assert result.retry_after_seconds == 10


# eviction.go :: Create (source): more than one matching PDB is answered with a 500 Status
# that carries no reason.
def test_more_than_one_pdb():
    result = evict(pod(ready=True), [pdb(1), pdb(1, name="bar")])
    assert (result.allowed, result.status, result.reason) == (False, 500, "")
    assert result.message == MULTIPLE_PDBS_MESSAGE


# eviction.go :: checkAndDecrement (source): the two Forbidden answers.
@pytest.mark.parametrize(
    ("budget", "message"),
    [
        (pdb(-1), 'poddisruptionbudget.policy "foo" is forbidden: '
                  "pdb disruptions allowed is negative"),
        (pdb(1, status={"disruptedPods": {f"p{i}": "2024-01-01T00:00:00Z" for i in range(2001)}}),
         'poddisruptionbudget.policy "foo" is forbidden: DisruptedPods map too big - '
         "too many evictions not confirmed by PDB controller"),
    ],
)
def test_forbidden(budget, message):
    result = evict(pod(ready=True), [budget])
    assert (result.allowed, result.status, result.reason, result.message) == (
        False, 403, "Forbidden", message)


def test_matching_pdbs_filters_namespace_selector_and_invalid_selectors():
    other_ns = pdb(1, name="other")
    other_ns["metadata"]["namespace"] = "kube-system"
    invalid = pdb(1, name="bad", selector={"matchExpressions": [{"key": "a", "operator": "Gt",
                                                                 "values": ["1"]}]})
    nil_selector = pdb(1, name="nil")
    nil_selector["spec"]["selector"] = None
    names = [p.name for p in matching_pdbs(pod(), [other_ns, invalid, nil_selector, pdb(1)])]
    assert names == ["foo"]


# ------------------------------------------------------------------ core decision


@pytest.mark.parametrize(
    ("kwargs", "decision"),
    [
        ({"phase": "Pending", "pdb_count": 2}, Decision.DELETE_IGNORING_PDB),
        ({"phase": "Running", "terminating": True, "pdb_count": 2}, Decision.DELETE_IGNORING_PDB),
        ({"phase": "Unknown", "pdb_count": 2}, Decision.REJECT_MULTIPLE_PDBS),
        ({"phase": "", "pdb_count": 0}, Decision.DELETE_NO_PDB),
        ({"pdb_count": 1, "ready": False, "current_healthy": 3, "desired_healthy": 3},
         Decision.DELETE_UNHEALTHY),
        ({"pdb_count": 1, "ready": False, "current_healthy": 2, "desired_healthy": 3},
         Decision.REJECT_BUDGET_EXHAUSTED),
        ({"pdb_count": 1, "ready": False, "policy": UnhealthyPodEvictionPolicy.ALWAYS_ALLOW,
          "generation_fresh": False}, Decision.DELETE_UNHEALTHY),
        ({"pdb_count": 1, "ready": True, "disruptions_allowed": 2, "generation_fresh": False},
         Decision.REJECT_STALE_STATUS),
        ({"pdb_count": 1, "ready": True, "disruptions_allowed": -1},
         Decision.REJECT_NEGATIVE_BUDGET),
        ({"pdb_count": 1, "ready": True, "disruptions_allowed": 1, "disrupted_pod_count": 2001},
         Decision.REJECT_DISRUPTED_MAP_FULL),
        ({"pdb_count": 1, "ready": True, "disruptions_allowed": 1, "disrupted_pod_count": 2000},
         Decision.DELETE_DECREMENT),
    ],
)
def test_eviction_core(kwargs, decision):
    args = {"phase": "Running", "terminating": False, "ready": True} | kwargs
    assert eviction_core(**args) is decision


@pytest.mark.parametrize(("phase", "terminating", "ignore"), [
    ("Pending", False, True), ("Succeeded", False, True), ("Failed", False, True),
    ("Running", False, False), ("Unknown", False, False), ("Running", True, True)])
def test_can_ignore_pdb(phase, terminating, ignore):
    assert can_ignore_pdb(phase, terminating) is ignore


def test_decision_properties():
    assert {d.status for d in Decision} == {201, 403, 429, 500}
    assert [d for d in Decision if d.decrements] == [Decision.DELETE_DECREMENT]


@pytest.mark.parametrize(
    ("the_pod", "pdbs", "message"),
    [
        ("t1", [], r"^pod: must be a mapping"),
        (pod(), "foo", r"^pdbs: must be a list"),
        (pod(), [None], r"^pdbs\[0\]: must be a mapping"),
        (pod(), [pdb(policy="Never")], r"^pdbs\[0\]\.spec\.unhealthyPodEvictionPolicy:"),
        (pod(), [pdb(status={"disruptionsAllowed": "1"})],
         r"^pdbs\[0\]\.status\.disruptionsAllowed:"),
        ({"metadata": {"labels": {"a": 1}}}, [], r"^pod\.metadata\.labels\.a:"),
        ({"status": {"phase": 3}}, [], r"^pod\.status\.phase:"),
        ({"status": {"phase": "Runing"}}, [], r"^pod\.status\.phase: unknown pod phase 'Runing'"),
    ],
)
def test_malformed_input_raises_kube_input_error(the_pod, pdbs, message):
    with pytest.raises(KubeInputError, match=message):
        evict(the_pod, pdbs)

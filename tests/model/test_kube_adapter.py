"""The typed adapter from the spec to podcheck.kube, and what the compiler makes of it.

Each typed call is checked against kube's dict-level function on the same object (built
with `model.manifests`), so adapter and dict layer cannot drift apart; fairness overrides
are resolved into the actions at compile time; every action names its class and actor
in the one vocabulary.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from podcheck import ir, spec
from podcheck.kube.disruption import sync_pdb
from podcheck.kube.resources import pod_requests
from podcheck.model import kube_adapter as ka
from podcheck.model.compile import build_model, fairness_overrides, kubelet_factory
from podcheck.model.manifests import controller_objects, pdb_manifest, pod_manifest, pod_object
from podcheck.model.options import ModelOptions
from podcheck.vocab import ActionKind, Actor, PodPhase
from tests.model.test_cluster import W, build, deployment, nodes, pdb, template

C = spec.Container

TEMPLATES = [
    spec.PodTemplate("plain", containers=(C("a", requests=(("cpu", "250m"),)),)),
    spec.PodTemplate("two", containers=(C("a", requests=(("cpu", "1"), ("memory", "1Gi"))),
                                        C("b", requests=(("cpu", "500m"),)))),
    spec.PodTemplate("init", initContainers=(C("big", requests=(("cpu", "3"),)),),
                     containers=(C("a", requests=(("cpu", "1"),)),)),
    spec.PodTemplate("sidecar", initContainers=(
        C("log", requests=(("cpu", "200m"),), restartPolicy="Always"),
        C("setup", requests=(("cpu", "2"),))), containers=(C("a", requests=(("cpu", "1"),)),)),
]


@pytest.mark.parametrize("t", TEMPLATES, ids=lambda t: t.name)
def test_effective_requests_equal_kube_pod_requests_of_the_manifest(t: spec.PodTemplate):
    assert ka.effective_requests(t) == pod_requests(pod_manifest(t))


def test_effective_requests_of_a_sidecar_stay_during_later_init_containers():
    # PodRequests: max(apps + sidecars = 1.2, max over inits of init + earlier sidecars = 2.2)
    assert ka.effective_requests(TEMPLATES[3]) == {"cpu": Decimal("2.2")}


def test_sidecar_predicate_is_kubes():
    assert ka.is_sidecar(C("log", restartPolicy="Always"))
    assert not ka.is_sidecar(C("init"))


def _workloads(kind: spec.WorkloadKind, **kw: int) -> spec.Workload:
    restart = "Never" if kind == W.JOB else "Always"  # a Job's pods never restart Always
    return spec.Workload(kind, "w", template("w", (("app", "web"),), restart=restart), **kw)


@pytest.mark.parametrize("kind", [W.DEPLOYMENT, W.REPLICASET, W.JOB, W.DAEMONSET, W.POD])
@pytest.mark.parametrize("budget", [pdb(1), pdb("50%"), pdb(max_unavailable=1)],
                         ids=["int", "percent", "maxUnavailable"])
def test_budget_rule_agrees_with_sync_pdb(kind: spec.WorkloadKind,
                                          budget: spec.PodDisruptionBudget):
    w = _workloads(kind, replicas=3)
    sp = spec.CheckedSpec("t.pod", (w,), nodes("n1"))
    pods = [pod_object(f"w-{i}", w, PodPhase.RUNNING, True) for i in range(2)]
    synced = sync_pdb(pdb_manifest(budget), pods, controller_objects(sp))
    rule = ka.budget_rule(budget, [w, w])
    assert rule.fail_safe == synced.sync_error
    if not rule.fail_safe and rule.needs_scale:
        assert sum(rule.scales.values()) == synced.expected_pods


def test_an_invalid_selector_cannot_reach_the_budget_rule():
    # `In` with no values is refused by the front ends (PC214); the contract asserts it, so
    # the model's fail-safe path is only reached through selectors kube itself rejects.
    with pytest.raises(AssertionError):
        spec.LabelRequirement("app", "In", ())


# TestResolveFenceposts, pkg/controller/deployment/util/deployment_util_test.go (the cases
# without a parse error; a nil value is 0): (maxSurge, maxUnavailable, desired) -> (surge,
# unavailable).
FENCEPOSTS = [
    ("0%", "0%", 0, 0, 1),
    ("39%", "39%", 10, 4, 3),
    (None, "39%", 10, 0, 3),
    ("39%", None, 10, 4, 0),
    (None, None, 10, 0, 1),
]


def _ip(text: str | None) -> spec.IntOrPercent:
    return spec.IntOrPercent(0) if text is None else spec.IntOrPercent(int(text[:-1]), True)


@pytest.mark.parametrize(("surge", "unavailable", "desired", "want_surge", "want_unavailable"),
                         FENCEPOSTS)
def test_fenceposts_follow_resolve_fenceposts(surge: str | None, unavailable: str | None,
                                              desired: int, want_surge: int,
                                              want_unavailable: int):
    w = replace(deployment(replicas=desired), maxSurge=_ip(surge),
                maxUnavailable=_ip(unavailable))
    # the adapter gives MaxSurge / MaxUnavailable, which cap unavailable at the replicas
    # (0 at 0 replicas: deployment_util.go MaxUnavailable, TestMaxUnavailable)
    assert ka.fenceposts(w) == (want_surge, min(want_unavailable, desired))


def test_fairness_overrides_are_resolved_into_the_actions():
    env = spec.Environment(drain=("n1",), fairness=(("cordon", "strong"),
                                                    ("eviction-api", "weak")))
    sp = spec.CheckedSpec("t.pod", (deployment(),), nodes("n1", "n2"), (pdb(1),), env)
    assert fairness_overrides(sp) == {"eviction-api": ir.Fairness.WEAK,
                                      "cordon": ir.Fairness.STRONG}
    system = build(sp).system
    by_name = {a.name: a.fairness for a in system.actions}
    assert by_name["evict"] is ir.Fairness.WEAK  # STRONG without the override
    assert by_name["cordon"] is ir.Fairness.STRONG  # NONE without the override
    assert by_name["bind"] is ir.Fairness.WEAK


def test_every_action_names_its_class_and_actor_in_the_vocabulary():
    env = spec.Environment(drain=("n1",), nodeFailures=1, podDeletes=1, rollouts=1)
    job = spec.Workload(W.JOB, "j", template("j", (("app", "j"),), outcome=spec.Outcome.SUCCEEDS,
                                             restart="Never"))
    ds = spec.Workload(W.DAEMONSET, "d", template("d", (("app", "d"),)))
    sp = spec.CheckedSpec("t.pod", (deployment(), job, ds), nodes("n1", "n2"), (pdb(1),), env)
    result = build_model(sp, ModelOptions(), kubelet_factory)  # the real pod model
    assert result.value is not None
    actions = result.value.system.actions
    assert {a.name for a in actions} <= {str(k) for k in ActionKind}
    assert {a.actor for a in actions} <= {str(a) for a in Actor}
    assert {a.actor for a in actions} >= {"scheduler", "deployment-controller",
                                          "job-controller", "daemonset-controller",
                                          "eviction-api", "kubectl-drain", "environment",
                                          "taint-eviction-controller", "kubelet", "clock"}


def test_pdb_status_views_are_the_budget_expressions():
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1"), (pdb(1),))
    m = build(sp)
    (b,) = m.budgets
    views = {d.field: d.expr for d in m.system.derived if d.owner == "pdb web-pdb"}
    assert views == {"currentHealthy": b.healthy, "desiredHealthy": b.desired,
                     "disruptionsAllowed": b.allowed}

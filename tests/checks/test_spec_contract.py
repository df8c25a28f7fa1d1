"""The checked spec asserts its invariants in `__post_init__` (NOTE(spec-invariants)):
a front end that forgets a check fails loudly instead of handing the model a spec
Kubernetes would reject."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from podcheck import spec
from podcheck.vocab import ActionKind, Actor, Fairness, ProbeKind, RestartPolicy, SelectorOperator
from podcheck.vocab import WorkloadKind as W

APP = spec.Container("app")
POD = spec.PodTemplate("p", containers=(APP,))
TRUE = spec.BoolLit(True)

BROKEN: dict[str, Callable[[], object]] = {
    "negative int-or-percent": lambda: spec.IntOrPercent(-1),
    "period 0": lambda: spec.Probe(ProbeKind.LIVENESS, periodSeconds=0),
    "failureThreshold 0": lambda: spec.Probe(ProbeKind.READINESS, failureThreshold=0),
    "liveness successThreshold 2": lambda: spec.Probe(ProbeKind.LIVENESS, successThreshold=2),
    "container policy Never": lambda: spec.Container("c", restartPolicy=RestartPolicy.NEVER),
    "port 0": lambda: spec.Container("c", ports=(0,)),
    "probe in the wrong slot": lambda: spec.Container(
        "c", livenessProbe=spec.Probe(ProbeKind.READINESS)),
    "no app container": lambda: spec.PodTemplate("p"),
    "sidecar as an app container": lambda: spec.PodTemplate(
        "p", containers=(spec.Container("c", restartPolicy=RestartPolicy.ALWAYS),)),
    "duplicate container names": lambda: spec.PodTemplate(
        "p", initContainers=(APP,), containers=(APP,)),
    "unknown volume mount": lambda: spec.PodTemplate(
        "p", containers=(spec.Container("a", volumeMounts=("data",)),)),
    "negative replicas": lambda: spec.Workload(W.DEPLOYMENT, "d", POD, replicas=-1),
    "zero completions": lambda: spec.Workload(W.JOB, "j", spec.PodTemplate(
        "p", restartPolicy=RestartPolicy.NEVER, containers=(APP,)), completions=0),
    "job with restartPolicy Always": lambda: spec.Workload(W.JOB, "j", POD),
    "deployment with restartPolicy Never": lambda: spec.Workload(
        W.DEPLOYMENT, "d", spec.PodTemplate(
            "p", restartPolicy=RestartPolicy.NEVER, containers=(APP,))),
    "In without values": lambda: spec.LabelRequirement("k", SelectorOperator.IN),
    "Exists with values": lambda: spec.LabelRequirement("k", SelectorOperator.EXISTS, ("v",)),
    "pdb with both budgets": lambda: spec.PodDisruptionBudget(
        "b", minAvailable=spec.IntOrPercent(1), maxUnavailable=spec.IntOrPercent(1)),
    "pdb with neither budget": lambda: spec.PodDisruptionBudget("b"),
    "negative node failures": lambda: spec.Environment(nodeFailures=-1),
    "unsorted fairness": lambda: spec.Environment(fairness=(
        (Actor.KUBELET, Fairness.WEAK), (Actor.EVICTION_API, Fairness.WEAK))),
    "unknown fairness target": lambda: spec.Environment(fairness=(("kublet", Fairness.WEAK),)),
    "unknown unary": lambda: spec.Unary("~", TRUE),
    "unknown binary": lambda: spec.Binary("xor", TRUE, TRUE),
    "unknown quantifier": lambda: spec.Quant("each", "x", spec.Domain("pods"), TRUE),
    "unknown domain": lambda: spec.Domain("services"),
    "containers of nothing": lambda: spec.Domain("containers"),
    "nodes of a pod": lambda: spec.Domain("nodes", "p"),
    "leadsto with one argument": lambda: spec.Temporal("leadsto", (TRUE,)),
    "unknown temporal": lambda: spec.Temporal("next", (TRUE,)),
    "unknown state": lambda: spec.EnumLit("Runing"),
    "unknown builtin": lambda: spec.PropertyDecl("x", None, builtin="no-bugs"),
    "expect maybe": lambda: spec.Expect("x", "maybe"),
    "duplicate workloads": lambda: spec.CheckedSpec("s.pod", (
        spec.Workload(W.POD, "a", POD), spec.Workload(W.POD, "a", POD))),
    "drain of an unknown node": lambda: spec.CheckedSpec(
        "s.pod", environment=spec.Environment(drain=("n9",))),
    "expect of an unknown property": lambda: spec.CheckedSpec(
        "s.pod", expects=(spec.Expect("ghost", "holds"),)),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_objects_are_refused(case: str) -> None:
    with pytest.raises(AssertionError):
        BROKEN[case]()


def test_valid_objects_are_accepted() -> None:
    spec.Probe(ProbeKind.READINESS, successThreshold=2)
    spec.Workload(W.JOB, "j", spec.PodTemplate("p", restartPolicy=RestartPolicy.NEVER,
                                               containers=(APP,)))
    spec.LabelRequirement("k", SelectorOperator.DOES_NOT_EXIST)
    spec.Environment(fairness=((ActionKind.EVICT, Fairness.WEAK),
                               (Actor.EVICTION_API, Fairness.STRONG)))
    spec.Temporal("leadsto", (TRUE, TRUE))
    spec.CheckedSpec("s.pod", (spec.Workload(W.POD, "a", POD),), (spec.Node("n1"),),
                     environment=spec.Environment(drain=("n1",)))

"""A Job's podFailurePolicy in IR (model/job_policy.py `match_ir`) against kube's
`match_policy_core` (pkg/controller/job/pod_failure_policy.go `matchPodFailurePolicy`).

For rule lists covering every action, In and NotIn, a containerName restriction and the
DisruptionTarget condition, and every combination of two containers' states (waiting,
running, terminated) and exit codes (0, 1, 42, 137), with and without DisruptionTarget,
read as a failed pod and at a deletion (NOTE(policy-at-deletion): a running container
is read as killed, 137), the model's "counts" and "FailJob" are kube's.
"""

from __future__ import annotations

import itertools

import pytest

from podcheck import ir
from podcheck.kube.job import FailedPod, PolicyRule, match_policy_core
from podcheck.model.job_policy import (
    STATE_RUNNING,
    STATE_TERMINATED,
    STATE_WAITING,
    ContainerRead,
    match_ir,
)
from podcheck.model.layout import Builder
from podcheck.vocab import ExitCodeOperator, PodFailurePolicyAction

IN, NOT_IN = ExitCodeOperator.IN, ExitCodeOperator.NOT_IN
A = PodFailurePolicyAction
DT = (("DisruptionTarget", "True"),)
RULES = {
    "ignore-disruption-then-fail-42": (PolicyRule(A.IGNORE, conditions=DT),
                                       PolicyRule(A.FAIL_JOB, IN, (42,))),
    "fail-42-then-ignore-disruption": (PolicyRule(A.FAIL_JOB, IN, (42,)),
                                       PolicyRule(A.IGNORE, conditions=DT)),
    "count-not-in-main-only": (PolicyRule(A.COUNT, NOT_IN, (1, 42), "main"),
                               PolicyRule(A.IGNORE, IN, (1,))),
    "fail-on-disruption": (PolicyRule(A.FAIL_JOB, conditions=DT),),
    "ignore-137": (PolicyRule(A.IGNORE, IN, (137,)), PolicyRule(A.FAIL_JOB, NOT_IN, (0,))),
}
STATES = (STATE_WAITING, STATE_RUNNING, STATE_TERMINATED)
CODES = (0, 1, 42, 137)


@pytest.mark.parametrize("name", sorted(RULES))
@pytest.mark.parametrize("at_deletion", [False, True])
def test_match_ir_agrees_with_kube(name: str, at_deletion: bool) -> None:
    rules = RULES[name]
    b = Builder(name="t")
    names = ("main", "sidecar")
    state_vars = [b.var(f"{n}.state", 0, 2, 0) for n in names]
    code_vars = [b.var(f"{n}.code", 0, 255, 0) for n in names]
    reads = [ContainerRead(n, s, c) for n, s, c in zip(names, state_vars, code_vars,
                                                          strict=True)]
    verdicts = {d: match_ir(rules, reads, d, at_deletion) for d in (False, True)}
    cases = 0
    for states in itertools.product(STATES, repeat=2):
        for codes in itertools.product(CODES, repeat=2):
            for disrupted in (False, True):
                kube_pod = FailedPod(tuple(
                    (n, _terminated_code(st, code, at_deletion))
                    for n, st, code in zip(names, states, codes, strict=True)),
                    DT if disrupted else ())
                want = match_policy_core(rules, kube_pod)
                v = verdicts[disrupted]
                env = [*states, *codes]
                assert bool(ir.evaluate(v.counts, env)) == want.counts, (states, codes)
                assert bool(ir.evaluate(v.fail_job, env)) == (
                    want.action is A.FAIL_JOB), (states, codes, disrupted)
                cases += 1
    assert cases == 9 * 16 * 2


def _terminated_code(state: int, code: int, at_deletion: bool) -> int | None:
    """The exit code kube reads in the container's terminated state (None: none)."""
    if state == STATE_TERMINATED:
        return code
    if at_deletion and state == STATE_RUNNING:
        return 137
    return None

"""The StatefulSet controller's ordering rule (model/statefulset.py) against kube's `sync`.

`ordered_guard` decides whether one sync reaches an ordinal from "Running and Ready" of
the ordinals below it.  For every combination of pod states of a 3-replica set
(absent, Pending, Running not Ready, Running and Ready, Failed) and both policies, an
ordinal is created (absent) or its finished pod deleted (Failed) by kube's `sync`
(podcheck.kube.statefulset, processReplica of stateful_set_control.go) exactly when the
guard holds, evaluated by `ir.evaluate` (specs/placement/statefulset-*.pod pin the
model's verdicts).
"""

from __future__ import annotations

import itertools

import pytest

from podcheck import ir
from podcheck.kube.statefulset import SetActionKind, SetPod, SetStrategy, sync
from podcheck.model.layout import Builder
from podcheck.model.statefulset import ordered_guard
from podcheck.vocab import PodManagementPolicy, PodPhase

STATES = (None, (PodPhase.PENDING, False), (PodPhase.RUNNING, False),
          (PodPhase.RUNNING, True), (PodPhase.FAILED, False))
REPLICAS = 3


@pytest.mark.parametrize("policy", list(PodManagementPolicy))
def test_ordered_guard_agrees_with_kube_sync(policy: PodManagementPolicy) -> None:
    b = Builder(name="t")
    rr = [b.bool_var(f"rr{i}") for i in range(REPLICAS)]
    guards = [ordered_guard(policy, rr[:i]) for i in range(REPLICAS)]
    cases = 0
    for combo in itertools.product(STATES, repeat=REPLICAS):
        pods = [SetPod(i, st[0], st[1]) for i, st in enumerate(combo) if st is not None]
        acted = {a.ordinal for a in sync(SetStrategy(REPLICAS, policy), pods)
                 if a.kind in (SetActionKind.CREATE, SetActionKind.DELETE_FINISHED)}
        state = [int(st is not None and st == (PodPhase.RUNNING, True)) for st in combo]
        for i, st in enumerate(combo):
            if st is None or st[0] is PodPhase.FAILED:
                assert bool(ir.evaluate(guards[i], state)) == (i in acted), (policy, combo, i)
                cases += 1
    assert cases > 100

"""The StatefulSet rolling update (model/statefulset.py `update_choice`) against kube's
`sync`.

For every combination of pod states of a 4-replica set (absent; Pending, Running not
Ready, Running and Ready, each at the old or the update revision), both pod management
policies, partitions 0 and 2, maxUnavailable 1, 2 and 50%, and both strategies, the
ordinals the model's `delete_for_update` deletes in one sync are exactly kube's
DELETE_FOR_UPDATE actions (podcheck.kube.statefulset `sync`, the MaxUnavailableStatefulSet
gate on: pkg/controller/statefulset/stateful_set_control.go
`updateStatefulSetAfterInvariantEstablished`), evaluated by `ir.evaluate`.
"""

from __future__ import annotations

import itertools

import pytest

from podcheck import ir
from podcheck.kube.statefulset import SetActionKind, SetPod, SetStrategy, sync
from podcheck.model.layout import Builder
from podcheck.model.statefulset import ordered_guard, update_choice
from podcheck.vocab import PodManagementPolicy, PodPhase, StatefulSetUpdateStrategy

REPLICAS = 4
STATES = (None, *((phase, ready, updated) for phase, ready in (
    (PodPhase.PENDING, False), (PodPhase.RUNNING, False), (PodPhase.RUNNING, True))
    for updated in (False, True)))


def _model(strategy: SetStrategy) -> tuple[list[ir.Var], list[ir.Var], list[ir.Expr]]:
    b = Builder(name="t")
    healthy = [b.bool_var(f"h{i}") for i in range(REPLICAS)]
    outdated = [b.bool_var(f"o{i}") for i in range(REPLICAS)]
    chosen = update_choice(strategy, [ir.not_(h) for h in healthy], outdated)
    reached = ordered_guard(strategy.policy, healthy)
    return healthy, outdated, [ir.and_(reached, c) for c in chosen]


@pytest.mark.parametrize("policy", list(PodManagementPolicy))
@pytest.mark.parametrize("partition", [0, 2])
@pytest.mark.parametrize("limit", [1, 2, "50%"])
@pytest.mark.parametrize("kind", list(StatefulSetUpdateStrategy))
def test_update_choice_agrees_with_kube_sync(policy: PodManagementPolicy, partition: int,
                                             limit: int | str,
                                             kind: StatefulSetUpdateStrategy) -> None:
    strategy = SetStrategy(REPLICAS, policy, kind, partition, limit)
    _, _, chosen = _model(strategy)
    deleted_any = False
    for combo in itertools.product(STATES, repeat=REPLICAS):
        pods = [SetPod(i, st[0], st[1], updated=st[2])
                for i, st in enumerate(combo) if st is not None]
        kube = {a.ordinal for a in sync(strategy, pods)
                if a.kind is SetActionKind.DELETE_FOR_UPDATE}
        healthy = [int(st is not None and st[:2] == (PodPhase.RUNNING, True)) for st in combo]
        outdated = [int(st is not None and not st[2]) for st in combo]
        state = healthy + outdated
        model = {i for i, c in enumerate(chosen) if ir.evaluate(c, state)}
        assert model == kube, (combo, model, kube)
        deleted_any = deleted_any or bool(kube)
    assert deleted_any == (kind is StatefulSetUpdateStrategy.ROLLING_UPDATE)

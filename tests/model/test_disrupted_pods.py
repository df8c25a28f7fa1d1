"""`status.disruptedPods` and its 2-minute DeletionTimeout do not change the model's PDB
status (NOTE(disrupted-pods) in podcheck/model/budgets.py).

The eviction REST handler records the evicted pod in `status.disruptedPods` (with the
time) in the same request that deletes it; `buildDisruptedPodMap` keeps an entry only for
a listed pod without a deletion timestamp, and drops it once it is older than
DeletionTimeout (`TestUpdateDisruptedPods`, tests/kube/test_disruption.py).  The model's
eviction removes the pod in the step that grants it, so after every granted eviction of
every reachable state, kube's `sync_pdb` with that entry at any age (fresh, 1 minute,
exactly 2 minutes, 3 minutes old) computes the model's status and prunes the entry.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from podcheck import ir, spec
from podcheck.kube.disruption import sync_pdb
from podcheck.model.manifests import pdb_manifest
from tests.model.test_cluster import build, controllers, deployment, nodes, pdb, pods_in, value

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
AGES = (timedelta(0), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=3))


@pytest.mark.parametrize("budget", [pdb(1), pdb(max_unavailable=1), pdb("50%")],
                         ids=lambda b: str(pdb_manifest(b)["spec"]))
def test_a_disrupted_pod_entry_never_changes_the_status(budget: spec.PodDisruptionBudget
                                                        ) -> None:
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=3),), nodes("n1", "n2"), (budget,),
                          spec.Environment(drain=("n1",)))
    m = build(sp)
    (b,) = m.budgets
    ctl = controllers(sp)
    seen = dict.fromkeys(m.system.init)
    queue = list(m.system.init)
    evictions = 0
    while queue:
        state = queue.pop()
        for i, nxt in ir.successors(m.system, state):
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
            action = m.system.actions[i]
            if action.name != "evict":
                continue
            evictions += 1
            victim = dict(action.params)["pod"]
            want = {"currentHealthy": value(m, b.healthy, nxt),
                    "desiredHealthy": value(m, b.desired, nxt),
                    "expectedPods": value(m, b.expected, nxt),
                    "disruptionsAllowed": value(m, b.allowed, nxt)}
            for age in AGES:
                entry = {victim: (NOW - age).isoformat()}
                got = sync_pdb(pdb_manifest(budget) | {"status": {"disruptedPods": entry}},
                               pods_in(m, nxt), ctl, now=NOW)
                assert got.status() == want, (victim, age, nxt)
                assert got.disrupted_pods == ()  # the pod is gone: the entry is pruned
    assert evictions > 0

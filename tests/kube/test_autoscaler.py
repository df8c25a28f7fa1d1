"""cluster-autoscaler's drainability rules against the rows of their tests
(kubernetes/autoscaler cluster-autoscaler/simulator/drainability/rules/*/rule_test.go), by
description, through the whole `Default` rule list as `Rules.Drainable` runs it.
"""

from __future__ import annotations

import pytest

from podcheck.kube.autoscaler import (
    BlockingReason,
    CAPod,
    NodeDeleteOptions,
    Outcome,
    drainable,
    needs_new_home,
    removable,
)
from podcheck.vocab import PodPhase, WorkloadKind

RS, DS, JOB, NONE = (WorkloadKind.REPLICASET, WorkloadKind.DAEMONSET, WorkloadKind.JOB,
                     WorkloadKind.POD)
NOT_SAFE = BlockingReason.NOT_SAFE_TO_EVICT_ANNOTATION

# notsafetoevict/rule_test.go (every row)
NOT_SAFE_ROWS = [
    ("pod with PodSafeToEvict annotation", CAPod("bar", NONE, safe_to_evict=True), None),
    ("RC-managed pod with no annotation", CAPod("bar", RS), None),
    ("RC-managed pod with PodSafeToEvict=false annotation",
     CAPod("bar", RS, safe_to_evict=False), NOT_SAFE),
    ("job-managed pod with no annotation", CAPod("bar", JOB), None),
    ("job-managed pod with PodSafeToEvict=false annotation",
     CAPod("bar", JOB, safe_to_evict=False), NOT_SAFE),
]


@pytest.mark.parametrize(("description", "pod", "reason"), NOT_SAFE_ROWS,
                         ids=[r[0] for r in NOT_SAFE_ROWS])
def test_not_safe_to_evict(description: str, pod: CAPod, reason: BlockingReason | None) -> None:
    status = drainable(pod)
    assert status.blocks is (reason is not None)
    if reason is not None:
        assert status.reason is reason
        assert status.message == "pod annotated as not safe to evict present: bar"


# pdb/rule_test.go: "no pdbs", "no matching pdbs" (the PDBs of other namespaces or
# labels are not the pod's: no allowance to read), "pdb prevents scale-down" (a matching
# PDB whose status has disruptionsAllowed 0)
@pytest.mark.parametrize(("description", "allowed", "blocked"), [
    ("no pdbs", (), False),
    ("no matching pdbs", (), False),
    ("pdb prevents scale-down", (0,), True),
])
def test_pdb_rule(description: str, allowed: tuple[int, ...], blocked: bool) -> None:
    status = drainable(CAPod("sad", RS, pdb_disruptions_allowed=allowed))
    assert status.blocks is blocked
    if blocked:
        assert status.reason is BlockingReason.NOT_ENOUGH_PDB


def test_rule_order() -> None:
    """`Default`: the interrupting checks (daemonset, safetoevict, terminal) come before
    the blocking ones, mirror pods are skipped first."""
    assert drainable(CAPod("m", NONE, mirror=True)).outcome is Outcome.SKIP_DRAIN
    assert drainable(CAPod("ds", DS, pdb_disruptions_allowed=(0,))).outcome is Outcome.DRAINABLE
    # safe-to-evict "true" skips the PDB rule (and NotReplicated)
    assert drainable(CAPod("b", NONE, safe_to_evict=True,
                           pdb_disruptions_allowed=(0,))).outcome is Outcome.DRAINABLE
    done = CAPod("j", NONE, PodPhase.SUCCEEDED, safe_to_evict=False)
    assert drainable(done).outcome is Outcome.DRAINABLE
    # replicated comes before notsafetoevict
    assert drainable(CAPod("b", NONE, safe_to_evict=False)).reason is (
        BlockingReason.NOT_REPLICATED)


def test_local_storage_follows_the_flag() -> None:
    """localstorage/rule.go, skipped unless --skip-nodes-with-local-storage (default on)."""
    pod = CAPod("cache", RS, local_storage=True)
    assert drainable(pod).reason is BlockingReason.LOCAL_STORAGE_REQUESTED
    assert not drainable(pod, NodeDeleteOptions(skip_nodes_with_local_storage=False)).blocks


def test_removable_needs_a_home_for_every_moved_pod() -> None:
    web, agent = CAPod("web", RS), CAPod("agent", DS)
    assert removable([web, agent], [True, False])  # the DaemonSet pod is not moved
    assert not removable([web, agent], [False, True])
    assert not needs_new_home(agent, drainable(agent))
    assert not removable([CAPod("db", RS, safe_to_evict=False)], [True])

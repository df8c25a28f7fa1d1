"""cluster-autoscaler's drainability rules against the rows of their tests
(kubernetes/autoscaler cluster-autoscaler/simulator/drainability/rules/*/rule_test.go), by
description, through the whole `Default` rule list as `Rules.Drainable` runs it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from podcheck.kube.autoscaler import (
    BlockingReason,
    CAPod,
    NodeDeleteOptions,
    Outcome,
    drainable,
    needs_new_home,
    removable,
    some_placement,
    try_schedule_pods,
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


def test_removable_needs_no_blocking_pod_and_a_placement() -> None:
    web, agent = CAPod("web", RS), CAPod("agent", DS)
    assert removable([web, agent], placed=True)
    assert not removable([web, agent], placed=False)
    assert not needs_new_home(agent, drainable(agent))  # the DaemonSet pod is not moved
    assert not removable([CAPod("db", RS, safe_to_evict=False)], placed=True)


# simulator/scheduling/hinting_simulator_test.go `TestTrySchedulePods`: nodes of 1000 m
# cpu and 2000000 memory, a scheduled pod p1 (300 m, 500000) on n1, the new pods placed
# one after another by NodeResourcesFit in the snapshot that keeps the earlier ones.
Pod = tuple[str, int, int]
Fits = Callable[[Pod, str, tuple[tuple[Pod, str], ...]], bool]
CAPACITY = {"n1": (1000, 2000000), "n2": (1000, 2000000)}
P1_ON_N1: dict[str, list[Pod]] = {"n1": [("p1", 300, 500000)], "n2": []}


def _resource_fit(acceptable: tuple[str, ...]) -> Fits:
    def fits(pod: Pod, node: str, placed: tuple[tuple[Pod, str], ...]) -> bool:
        if node not in acceptable:
            return False
        on = P1_ON_N1[node] + [p for p, m in placed if m == node]
        cpu, mem = CAPACITY[node]
        return (sum(p[1] for p in on) + pod[1] <= cpu
                and sum(p[2] for p in on) + pod[2] <= mem)
    return fits


TRY_SCHEDULE_ROWS = [
    ("two new pods, two nodes", [("p2", 800, 500000), ("p3", 500, 500000)],
     ("n1", "n2"), [("p2", "n2"), ("p3", "n1")]),
    ("three new pods, two nodes, no fit",
     [("p2", 800, 500000), ("p3", 500, 500000), ("p4", 700, 500000)],
     ("n1", "n2"), [("p2", "n2"), ("p3", "n1")]),
    ("no new pods, two nodes", [], ("n1", "n2"), []),
    ("two nodes, but only one acceptable", [("p2", 500, 500000), ("p3", 500, 500000)],
     ("n2",), [("p2", "n2"), ("p3", "n2")]),
    ("two nodes, but only one acceptable, no fit",
     [("p2", 500, 500000), ("p3", 500, 500000)], ("n1",), [("p2", "n1")]),
]


@pytest.mark.parametrize(("description", "pods", "acceptable", "want"), TRY_SCHEDULE_ROWS,
                         ids=[r[0] for r in TRY_SCHEDULE_ROWS])
def test_try_schedule_pods(description: str, pods: list[Pod], acceptable: tuple[str, ...],
                           want: list[tuple[str, str]]) -> None:
    fits = _resource_fit(acceptable)
    placed, _ = try_schedule_pods(pods, ["n1", "n2"], fits)
    assert [(p[0], n) for p, n in placed] == want
    # findPlaceFor succeeds iff every pod got a node; some run of it then exists too
    assert some_placement(pods, ["n1", "n2"], fits) is (len(want) == len(pods))


def test_joint_packing_differs_from_one_pod_at_a_time() -> None:
    """Two 400 m pods to move and 500 m free on each of two nodes: each fits alone on
    either node, together they need both; with 500 m free on one node only, each still
    fits alone but not both (the answer the per-pod check got wrong)."""
    def fits_on(free: dict[str, int]) -> Fits:
        def fits(pod: Pod, node: str, placed: tuple[tuple[Pod, str], ...]) -> bool:
            return sum(p[1] for p, m in placed if m == node) + pod[1] <= free[node]
        return fits
    pods = [("a", 400, 0), ("b", 400, 0)]
    assert some_placement(pods, ["n1", "n2"], fits_on({"n1": 500, "n2": 500}))
    one = fits_on({"n1": 500, "n2": 0})
    assert all(one(p, "n1", ()) for p in pods)
    assert not some_placement(pods, ["n1", "n2"], one)
    assert len(try_schedule_pods(pods, ["n1", "n2"], one)[0]) == 1


def test_round_robin_start() -> None:
    """`RunFiltersUntilPassingNode` starts at the node after the last one found."""
    pods = [("a", 1, 0), ("b", 1, 0), ("c", 1, 0)]
    placed, last = try_schedule_pods(pods, ["n1", "n2"], lambda p, n, placed: True, 1)
    assert [n for _, n in placed] == ["n2", "n1", "n2"]
    assert last == 0

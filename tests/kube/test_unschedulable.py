"""The unschedulable taint: every row of `TestNodeUnschedulable`
(pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable_test.go) and the
tolerations `AddOrUpdateDaemonPodTolerations` adds (pkg/controller/daemon/util).
"""

from __future__ import annotations

from podcheck.kube.taints import (
    TAINT_NODE_UNREACHABLE,
    TAINT_NODE_UNSCHEDULABLE,
    TaintEffect,
    Toleration,
    TolerationOperator,
    daemon_pod_tolerations,
    tolerates_unschedulable,
)


def _filter(tolerations: tuple[Toleration, ...], unschedulable: bool) -> bool:
    """The plugin's Filter: True when the pod may go to the node."""
    return not unschedulable or tolerates_unschedulable(tolerations)


def test_does_not_schedule_pod_to_unschedulable_node() -> None:
    assert not _filter((), unschedulable=True)


def test_schedule_pod_to_normal_node() -> None:
    assert _filter((), unschedulable=False)


def test_schedule_pod_with_toleration_to_unschedulable_node() -> None:
    tol = Toleration(TAINT_NODE_UNSCHEDULABLE, effect=TaintEffect.NO_SCHEDULE)
    assert _filter((tol,), unschedulable=True)


def test_daemon_pods_tolerate_cordon_and_unreachable_for_ever() -> None:
    added = daemon_pod_tolerations(())
    assert tolerates_unschedulable(added)
    unreachable = [t for t in added if t.key == TAINT_NODE_UNREACHABLE]
    assert unreachable == [Toleration(TAINT_NODE_UNREACHABLE, TolerationOperator.EXISTS,
                                      effect=TaintEffect.NO_EXECUTE)]
    assert unreachable[0].seconds is None


def test_daemon_toleration_replaces_a_matching_own_one() -> None:
    own = Toleration(TAINT_NODE_UNREACHABLE, TolerationOperator.EXISTS,
                     effect=TaintEffect.NO_EXECUTE, seconds=60)
    other = Toleration("example.com/gpu", TolerationOperator.EXISTS)
    got = daemon_pod_tolerations((own, other))
    assert other in got and own not in got

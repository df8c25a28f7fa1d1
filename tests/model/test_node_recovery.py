"""Nodes that come back, and the timed unreachable toleration (model/failures.py,
model/taint_eviction.py).

pkg/controller/tainteviction/taint_eviction.go with the DefaultTolerationSeconds
admission plugin: a pod on an unreachable node is deleted once its 300 s
node.kubernetes.io/unreachable toleration has expired; a node whose kubelet re-registers
before that keeps its pods.
"""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import NODE_DOWN, NODE_READY
from podcheck.model.failures import unreachable_toleration_seconds
from podcheck.vocab import ActionKind
from tests.model.test_cluster import build, deployment, nodes, reachable


def _model(recoveries: int):  # type: ignore[no-untyped-def]
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=1),), nodes("n1"),
                          environment=spec.Environment(nodeFailures=1,
                                                       nodeRecoveries=recoveries))
    return build(sp)


def test_the_unreachable_toleration_is_the_admission_default() -> None:
    assert unreachable_toleration_seconds() == 300


def test_taint_eviction_waits_for_the_toleration_to_expire() -> None:
    m = _model(0)
    timer = next(i for i, v in enumerate(m.system.vars) if v.name == "n1.unreachableTimer")
    for state in reachable(m.system):
        for index, _ in ir.successors(m.system, state):
            if m.system.actions[index].name == ActionKind.TAINT_EVICT:
                assert state[timer] == 0, "evicted before the 300 s toleration expired"


def test_without_recoveries_a_failed_node_stays_down() -> None:
    m = _model(0)
    names = {a.name for a in m.system.actions}
    assert ActionKind.NODE_RECOVERS not in names


def test_a_node_that_recovers_before_the_toleration_keeps_its_pod() -> None:
    m = _model(1)
    n1 = m.cluster.nodes[0]
    s = m.cluster.slots[0]
    kept = False
    for state in reachable(m.system):
        if state[n1.state.index] != NODE_DOWN or not state[s.exists.index]:
            continue
        for index, nxt in ir.successors(m.system, state):
            if m.system.actions[index].name == ActionKind.NODE_RECOVERS:
                assert nxt[n1.state.index] == NODE_READY
                kept = kept or (nxt[s.exists.index] == 1 and nxt[s.node.index] == n1.index)
    assert kept, "no run recovers the node with its pod still bound to it"

"""Nodes that come back, and the timed unreachable toleration (model/failures.py,
model/taint_eviction.py).

pkg/controller/tainteviction/taint_eviction.go (`processPodOnNode`,
`getMinTolerationTime`) with the DefaultTolerationSeconds admission plugin: a pod on an
unreachable node is deleted once its node.kubernetes.io/unreachable toleration (300 s by
default, or the pod's own tolerationSeconds) has expired, counted from the taint, which
the node lifecycle controller adds 40 s after the failure (nodeMonitorGracePeriod,
pkg/controller/nodelifecycle config defaults); a node whose kubelet re-registers before
that keeps its pods.
"""

from __future__ import annotations

from dataclasses import replace

from podcheck import ir, spec
from podcheck.model.cluster import NODE_DOWN, NODE_READY
from podcheck.spec.placement import Toleration
from podcheck.vocab import ActionKind, TaintEffect, TolerationOperator
from tests.model.test_cluster import build, deployment, nodes, reachable

UNREACHABLE = "node.kubernetes.io/unreachable"


def _model(recoveries: int, *workloads: spec.Workload):  # type: ignore[no-untyped-def]
    sp = spec.CheckedSpec("t.pod", workloads or (deployment(replicas=1),), nodes("n1"),
                          environment=spec.Environment(nodeFailures=1,
                                                       nodeRecoveries=recoveries))
    return build(sp)


def _timer(m) -> int:  # type: ignore[no-untyped-def]
    return next(i for i, v in enumerate(m.system.vars) if v.name == "n1.unreachableTimer")


def _tolerating(name: str, seconds: int | None) -> spec.Workload:
    w = deployment(name, replicas=1)
    toleration = Toleration(UNREACHABLE, TolerationOperator.EXISTS,
                            effect=TaintEffect.NO_EXECUTE, tolerationSeconds=seconds)
    return replace(w, template=replace(w.template, labels=(("app", name),),
                                       tolerations=(toleration,)))


def _evicted_after(m) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]
    """Per pod slot, the seconds since the failure at which taint eviction deletes it."""
    timer = _timer(m)
    hi = m.system.vars[timer].hi
    out: dict[str, set[int]] = {}
    for state in reachable(m.system):
        for index, _ in ir.successors(m.system, state):
            action = m.system.actions[index]
            if action.name == ActionKind.TAINT_EVICT:
                pod = dict(action.params)["pod"]
                out.setdefault(pod, set()).add(hi - state[timer])
    return out


def test_the_default_toleration_is_300_seconds_after_the_grace_period() -> None:
    # plugin/pkg/admission/defaulttolerationseconds: 300 s unless the pod tolerates it,
    # from the taint the node lifecycle controller adds after the 40 s grace period
    m = _model(0)
    assert m.system.vars[_timer(m)].hi == 340
    assert _evicted_after(m) == {"web-1": {340}}


def test_a_pod_tolerationseconds_bound_is_counted_from_the_taint() -> None:
    # TestUpdatePod / getMinTolerationTime: the pod's own bound (60 s) wins over none
    m = _model(0, _tolerating("fast", 60), deployment(replicas=1))
    assert _evicted_after(m) == {"fast-1": {100}, "web-1": {340}}


def test_a_zero_bound_evicts_at_the_taint() -> None:
    # getMinTolerationTime: a bound <= 0 evicts at once, i.e. when the taint appears
    m = _model(0, _tolerating("now", 0))
    assert _evicted_after(m) == {"now-1": {40}}


def test_a_toleration_without_seconds_keeps_the_pod_for_ever() -> None:
    # getMinTolerationTime returns -1: the pod is never evicted
    m = _model(0, _tolerating("forever", None))
    assert not any(v.name == "n1.unreachableTimer" for v in m.system.vars)
    assert ActionKind.TAINT_EVICT not in {a.name for a in m.system.actions}


def test_without_recoveries_a_failed_node_stays_down() -> None:
    m = _model(0)
    names = {a.name for a in m.system.actions}
    assert ActionKind.NODE_RECOVERS not in names


def test_a_node_that_recovers_before_the_toleration_keeps_its_pod() -> None:
    m = _model(1)
    n1 = m.cluster.nodes[0]
    s = m.cluster.slots[0]
    timer = _timer(m)
    kept = False
    for state in reachable(m.system):
        if state[n1.state.index] != NODE_DOWN or not state[s.exists.index]:
            continue
        for index, nxt in ir.successors(m.system, state):
            if m.system.actions[index].name == ActionKind.NODE_RECOVERS:
                assert nxt[n1.state.index] == NODE_READY and nxt[timer] == 0
                kept = kept or (nxt[s.exists.index] == 1 and nxt[s.node.index] == n1.index)
    assert kept, "no run recovers the node with its pod still bound to it"


def test_a_node_failing_without_pods_starts_no_timer() -> None:
    # no pod can be bound to a Down node later, so nothing is ever counted down
    m = _model(0)
    n1, s, timer = m.cluster.nodes[0], m.cluster.slots[0], _timer(m)
    for state in reachable(m.system):
        if state[n1.state.index] == NODE_DOWN and state[s.node.index] != n1.index:
            assert state[timer] in (0, 300) or state[s.exists.index] == 0

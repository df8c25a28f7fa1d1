"""kubectl drain's flags, concurrent drains and cluster-autoscaler scale-down in the
model, on every reachable state of small clusters (the stand-in pod model and reference
BFS of test_cluster.py)."""

from __future__ import annotations

from podcheck import ir, spec
from podcheck.model.cluster import NODE_CORDONED, NODE_REMOVED, NODE_SCALING_DOWN
from tests.model.test_cluster import (
    W,
    build,
    deployment,
    nodes,
    pdb,
    reachable,
    template,
)


def _fired(m, name: str) -> set[str]:
    """Labels of every `name` action enabled in some reachable state."""
    out = set()
    for st in reachable(m.system):
        for i, _ in ir.successors(m.system, st):
            if m.system.actions[i].name == name:
                out.add(m.system.actions[i].label)
    return out


def _bare(name: str = "lone") -> spec.Workload:
    return spec.Workload(W.POD, name, template(name, (("app", name),)))


def test_bare_pod_without_force_stops_the_drain_with_kubectls_words() -> None:
    sp = spec.CheckedSpec("t.pod", (_bare(), deployment(replicas=1)), nodes("n1"), (),
                          spec.Environment(drain=("n1",), force=False))
    m = build(sp)
    assert _fired(m, "drain_refused") == {
        "kubectl drain n1 fails: cannot delete Pods that declare no controller (use --force "
        "to override): default/lone (the admin retries)"}
    # nothing on n1 is evicted while the bare pod is there (a drain that started before
    # the pod was bound goes ahead: kubectl lists the node's pods when it runs)
    lone = m.cluster.slots_of("lone")[0]
    for st in reachable(m.system):
        evicts = [i for i, _ in ir.successors(m.system, st)
                  if m.system.actions[i].name == "evict"]
        assert not evicts or ir.evaluate(ir.eq(lone.node, 0), st)


def test_default_flags_evict_bare_pods() -> None:
    sp = spec.CheckedSpec("t.pod", (_bare(),), nodes("n1"), (), spec.Environment(drain=("n1",)))
    assert _fired(build(sp), "evict") == {
        "the eviction API grants the eviction of lone: the pod is deleted"}


def test_daemonset_pods_refuse_the_drain_without_ignore_daemonsets() -> None:
    ds = spec.Workload(W.DAEMONSET, "agent", template("agent", (("app", "agent"),)))
    sp = spec.CheckedSpec("t.pod", (ds,), nodes("n1"), (),
                          spec.Environment(drain=("n1",), ignoreDaemonsets=False))
    labels = _fired(build(sp), "drain_refused")
    assert labels == {"kubectl drain n1 fails: cannot delete DaemonSet-managed Pods (use "
                      "--ignore-daemonsets to ignore): default/agent-n1 (the admin retries)"}


def test_max_concurrent_drains_bounds_the_cordoned_nodes() -> None:
    for k in (1, 2):
        sp = spec.CheckedSpec("t.pod", (deployment(replicas=1),), nodes("n1", "n2", "n3"), (),
                              spec.Environment(drain=("n1", "n2", "n3"), maxConcurrentDrains=k))
        m = build(sp)
        most = max(sum(ir.evaluate(ir.eq(n.state, NODE_CORDONED), st) for n in m.cluster.nodes)
                   for st in reachable(m.system))
        assert most == k


def test_scale_down_respects_a_pdb_without_disruptions() -> None:
    """NotEnoughPdb: with minAvailable 2 of 2 no web pod is moved; an empty node goes."""
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2", "n3"),
                          (pdb(2),), spec.Environment(scaleDown=("n3",)))
    m = build(sp)
    states = reachable(m.system)
    n3 = m.cluster.nodes[2]
    assert any(ir.evaluate(ir.eq(n3.state, NODE_REMOVED), st) for st in states)
    assert _fired(m, "evict") == set()


def test_scale_down_evicts_and_can_give_up() -> None:
    """minAvailable 1 of 2: the autoscaler moves a pod off n2 through the eviction API;
    the abort exists for a refused eviction that outlasts MaxPodEvictionTime."""
    sp = spec.CheckedSpec("t.pod", (deployment(replicas=2),), nodes("n1", "n2"),
                          (pdb(1),), spec.Environment(scaleDown=("n2",)))
    m = build(sp)
    states = reachable(m.system)
    n2 = m.cluster.nodes[1]
    assert any(ir.evaluate(ir.eq(n2.state, NODE_SCALING_DOWN), st) for st in states)
    assert _fired(m, "evict")
    assert any(a.name == "scale_down_abort" for a in m.system.actions)


def test_safe_to_evict_false_blocks_its_node() -> None:
    pinned = spec.Workload(W.DEPLOYMENT, "db", spec.PodTemplate(
        "db", (("app", "db"),), containers=(spec.Container("postgres"),), safeToEvict=False))
    sp = spec.CheckedSpec("t.pod", (pinned,), nodes("n1", "n2"), (),
                          spec.Environment(scaleDown=("n1", "n2")))
    m = build(sp)
    assert _fired(m, "evict") == set()

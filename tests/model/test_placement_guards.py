"""The placement guards of the scheduler (model/placement.py) against kube's filters.

For every spec below and the specs in specs/placement/, every placement of the pod
slots on the nodes (or none) is enumerated; for each pending slot and each node, the
model's `bind` feasibility (`node_fits` and `placement_guard`, evaluated by
`ir.evaluate`) must equal kube's dict-level TaintToleration, NodeAffinity,
InterPodAffinity and PodTopologySpread filters (`taint_toleration_filter`,
`node_affinity_filter`, `interpod_affinity_filter`, `topology_spread_filter`) all passing.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from podcheck import ir, spec
from podcheck.kube.interpod import interpod_affinity_filter
from podcheck.kube.nodeaffinity import node_affinity_filter
from podcheck.kube.taints import taint_toleration_filter
from podcheck.kube.topologyspread import topology_spread_filter
from podcheck.lang.check import load
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.kube_adapter import node_dict, pod_dict
from podcheck.model.options import ModelOptions
from podcheck.model.placement import node_fits, placement_guard, placements

ROOT = Path(__file__).resolve().parents[2]
PLACEMENT_SPECS = sorted((ROOT / "specs" / "placement").glob("*.pod"))

SELECTORS = """
cluster {
  node n1 { zone: a  labels: { disk: ssd } }
  node n2 { zone: a  labels: { disk: hdd } }
  node n3 { zone: b  labels: { disk: ssd, gpu: yes } }
}
deployment db {
  replicas: 2
  template {
    labels: { app: db }
    nodeSelector: { disk: ssd }
    podAntiAffinity { selector: { app: db }  topologyKey: zone }
    container c {}
  }
}
deployment cache {
  replicas: 1
  template {
    labels: { app: cache }
    nodeAffinity: [ { key: gpu, operator: DoesNotExist } ]
    podAffinity { selector: { app: db }  topologyKey: zone }
    container c {}
  }
}
"""

SELF_AFFINE = """
cluster {
  node n1 { zone: a }
  node n2 { zone: b }
  node n3 {}
}
deployment web {
  replicas: 3
  template {
    labels: { app: web }
    podAffinity { selector: { app: web }  topologyKey: zone }
    container c {}
  }
}
"""

TAINTS = """
cluster {
  node n1 { taint { key: dedicated  value: gpu  effect: NoSchedule } }
  node n2 { taint { key: dedicated  value: db  effect: NoExecute } }
  node n3 { taint { key: spot  effect: PreferNoSchedule } }
}
deployment gpu {
  replicas: 2
  template {
    labels: { app: gpu }
    toleration { key: dedicated  value: gpu  effect: NoSchedule }
    container c {}
  }
}
pod anything {
  toleration { operator: Exists }
  container c {}
}
pod db {
  toleration { key: dedicated  operator: Exists  effect: NoExecute  tolerationSeconds: 60 }
  container c {}
}
environment { nodeFailures: 1 }
"""

SPREAD_AND_ANTI = """
cluster {
  node n1 { zone: a  labels: { pool: x } }
  node n2 { zone: a  labels: { pool: x } }
  node n3 { zone: b  labels: { pool: x } }
  node n4 { zone: c }
}
deployment web {
  replicas: 3
  template {
    labels: { app: web }
    nodeSelector: { pool: x }
    topologySpread { maxSkew: 1  topologyKey: zone  selector: { app: web } }
    container c {}
  }
}
pod batch {
  labels: { app: batch }
  podAntiAffinity { selector: { app: web }  topologyKey: hostname }
  container c {}
}
"""


def _model(path: Path) -> Model:
    checked = load(str(path))
    assert checked.value is not None, checked.diagnostics
    built = build_model(checked.value, ModelOptions(), kubelet_factory)
    assert built.value is not None, built.diagnostics
    return built.value


def _kube_fits(pod: dict[str, object], node: dict[str, object],
               nodes: list[dict[str, object]], pods: list[dict[str, object]]) -> bool:
    return (taint_toleration_filter(pod, node) is None
            and node_affinity_filter(pod, node) is None
            and interpod_affinity_filter(pod, node, nodes, pods) is None
            and topology_spread_filter(pod, node, nodes, pods) is None)


def _agree(model: Model) -> int:
    """Compare on every placement; return how many (placement, pod, node) cases."""
    cluster = model.cluster
    pl = placements(cluster)
    nodes = [node_dict(n) for n in cluster.spec.nodes]
    names = {n.index: n.name for n in cluster.nodes}
    width = len(model.system.vars)
    cases = 0
    for where in itertools.product(range(len(cluster.nodes) + 1), repeat=len(cluster.slots)):
        state = [0] * width
        for s, at in zip(cluster.slots, where, strict=True):
            state[s.node.index] = at
        bound = [pod_dict(s.workload.template, s.name, names[at])
                 for s, at in zip(cluster.slots, where, strict=True) if at]
        for s, at in zip(cluster.slots, where, strict=True):
            if at:
                continue
            incoming = pod_dict(s.workload.template, s.name)
            for n, raw in zip(cluster.nodes, nodes, strict=True):
                ours = node_fits(pl, s, n) and all(
                    ir.evaluate(g, state) for g in placement_guard(cluster, pl, s, n))
                assert ours == _kube_fits(incoming, raw, nodes, bound), (s.name, n.name, where)
                cases += 1
    return cases


@pytest.mark.parametrize("text", [SELECTORS, SELF_AFFINE, SPREAD_AND_ANTI, TAINTS],
                         ids=["selectors", "self-affine", "spread-and-anti", "taints"])
def test_guards_agree_with_kube(text: str, tmp_path: Path) -> None:
    path = tmp_path / "placement.pod"
    path.write_text(text, encoding="utf-8")
    assert _agree(_model(path)) > 100


@pytest.mark.parametrize("path", PLACEMENT_SPECS, ids=[p.name for p in PLACEMENT_SPECS])
def test_placement_specs_agree_with_kube(path: Path) -> None:
    assert _agree(_model(path)) > 0


def test_node_labels_include_hostname_and_zone() -> None:
    node = spec.Node("n1", zone="a", labels=(("disk", "ssd"),))
    assert node_dict(node) == {"metadata": {"name": "n1", "labels": {
        "disk": "ssd", spec.HOSTNAME_KEY: "n1", spec.ZONE_KEY: "a"}}, "spec": {"taints": []}}


def _evictions(model: Model) -> dict[tuple[tuple[str, str], ...], str]:
    return {a.params: a.label for a in model.system.actions if a.name == "taint_evict"}


def test_taint_eviction_follows_kube_decisions(tmp_path: Path) -> None:
    """getPodEvictionDecision (kube `no_execute_decision`): `db` tolerates n2's NoExecute
    taint for 60 s (evicted from n2 while it is up) and the unreachable taint for the
    default 300 s (`gpu` too); `anything` tolerates every taint for ever (never evicted)."""
    path = tmp_path / "taints.pod"
    path.write_text(TAINTS, encoding="utf-8")
    found = _evictions(_model(path))
    assert (("pod", "db"), ("node", "n2")) in found
    assert "60s toleration" in found[(("pod", "db"), ("node", "n2"))]
    # down, n2 also carries its own taint: the smallest bound (60 s) wins there, 300 s
    # elsewhere, so the sentence names no one number
    assert "unreachable toleration expired" in found[(("pod", "db"),)]
    assert "300s" in found[(("pod", "gpu-1"),)]
    assert (("pod", "anything"),) not in found
    assert not [p for p in found if p[0] == ("pod", "anything")]
    assert (("pod", "gpu-1"),) in found and (("pod", "gpu-1"), ("node", "n2")) not in found


def test_daemonset_runs_only_where_it_should(tmp_path: Path) -> None:
    """NodeShouldRunDaemonPod: no DaemonSet pod for a node whose NoSchedule taint it does
    not tolerate or whose labels its nodeSelector does not match."""
    path = tmp_path / "ds.pod"
    path.write_text("""
cluster {
  node n1 { labels: { agent: yes } }
  node n2 { labels: { agent: yes }  taint { key: dedicated  effect: NoSchedule } }
  node n3 {}
}
daemonset agent {
  template { nodeSelector: { agent: yes }  container c {} }
}
check eventually-ready(agent)
""", encoding="utf-8")
    model = _model(path)
    assert [s.name for s in model.cluster.slots] == ["agent-n1"]

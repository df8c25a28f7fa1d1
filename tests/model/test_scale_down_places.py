"""The autoscaler's joint placement guard (model/autoscaler_places.py) against kube.

For each spec below, every placement of the pod slots on the nodes (or none) is
enumerated; the model's `all_placed` guard for removing n3 (evaluated by `ir.evaluate`)
must equal kube's `some_placement` of the pods on n3 in some order (the model keeps
slot order where the order cannot change the answer, NOTE(scale-down)), where a pod fits a
node when kube's dict-level TaintToleration, NodeAffinity, InterPodAffinity and
PodTopologySpread filters pass and its requests fit, in the snapshot of
simulator/cluster.go `findPlaceFor`: n3's pods unscheduled, n3 kept as a pod-less domain,
the pods placed before it kept.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from podcheck import ir
from podcheck.kube.autoscaler import some_placement
from podcheck.kube.interpod import interpod_affinity_filter
from podcheck.kube.nodeaffinity import node_affinity_filter
from podcheck.kube.taints import taint_toleration_filter
from podcheck.kube.topologyspread import topology_spread_filter
from podcheck.lang.check import load
from podcheck.model.autoscaler_places import all_placed
from podcheck.model.cluster import NodeSlot, Slot
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.kube_adapter import node_dict, pod_dict
from podcheck.model.options import ModelOptions
from podcheck.model.placement import placements

ROOT = Path(__file__).resolve().parents[2]

SPREAD = """
cluster {
  node n1 { zone: a }
  node n2 { zone: a }
  node n3 { zone: b }
  node n4 { zone: c }
}
deployment web {
  replicas: 3
  template {
    labels: { app: web }
    topologySpread { maxSkew: 1  topologyKey: zone  selector: { app: web } }
    container c {}
  }
}
environment { scaleDown: [n3] }
"""

ANTI_AND_AFFINITY = """
cluster {
  node n1 { zone: a }
  node n2 { zone: a }
  node n3 { zone: b }
  node n4 { zone: b }
}
deployment db {
  replicas: 2
  template {
    labels: { app: db }
    podAntiAffinity { selector: { app: db }  topologyKey: hostname }
    container c {}
  }
}
pod cache {
  labels: { app: cache }
  podAffinity { selector: { app: db }  topologyKey: zone }
  container c {}
}
environment { scaleDown: [n3] }
"""

RESOURCES = """
cluster {
  node n1 { capacity: { cpu: 500m } }
  node n2 { capacity: { cpu: 700m } }
  node n3 { capacity: { cpu: 2 } }
}
deployment web {
  replicas: 3
  template {
    labels: { app: web }
    container c { resources { requests: { cpu: 400m } } }
  }
}
environment { scaleDown: [n3] }
"""


def _model(path: Path) -> Model:
    checked = load(str(path))
    assert checked.value is not None, checked.diagnostics
    built = build_model(checked.value, ModelOptions(), kubelet_factory)
    assert built.value is not None, built.diagnostics
    return built.value


def _kube_fits(m: Model, n: NodeSlot, where: dict[str, int]):  # noqa: ANN202
    """kube's filters for `pod` on `node` in the snapshot without n's pods, plus the
    pods placed so far."""
    cluster = m.cluster
    names = {x.index: x.name for x in cluster.nodes}
    by_name = {x.name: x for x in cluster.nodes}
    raw = {x.name: node_dict(x) for x in cluster.spec.nodes}
    nodes = list(raw.values())

    def fits(s: Slot, node: str, placed: tuple[tuple[Slot, str], ...]) -> bool:
        at = {o.name: names[i] for o in cluster.slots
              if (i := where.get(o.name, 0)) and i != n.index}
        at.update({o.name: m_ for o, m_ in placed})
        bound = [pod_dict(o.workload.template, o.name, at[o.name])
                 for o in cluster.slots if o.name in at and o is not s]
        pod, target = pod_dict(s.workload.template, s.name), raw[node]
        used = {r: sum(o.requests.get(r, 0) for o in cluster.slots
                       if at.get(o.name) == node and o is not s) for r in by_name[node].capacity}
        return (taint_toleration_filter(pod, target) is None
                and node_affinity_filter(pod, target) is None
                and interpod_affinity_filter(pod, target, nodes, bound) is None
                and topology_spread_filter(pod, target, nodes, bound) is None
                and all(used[r] + s.requests.get(r, 0) <= cap
                        for r, cap in by_name[node].capacity.items()))
    return fits


def _agree(m: Model) -> tuple[int, int]:
    """Compare on every placement; return (placements, those where n3 is removable)."""
    cluster = m.cluster
    pl = placements(cluster)
    n = next(x for x in cluster.nodes if x.name == "n3")
    # the pods of the initial state (a spare slot for a Terminating pod's replacement
    # holds no pod until a delete: placing it would compare a pod that does not exist)
    movers = [s for s in cluster.slots if m.system.init[0][s.exists.index]]
    here = {s.name: ir.and_(s.exists, ir.eq(s.node, n.index), ir.not_(s.model.terminal))
            for s in movers}
    guard = all_placed(cluster, pl, n, movers, here)
    others = [x.name for x in cluster.nodes if x is not n]
    cases = removable = 0
    for spots in itertools.product(range(len(cluster.nodes) + 1), repeat=len(movers)):
        state = list(m.system.init[0])
        for s, at in zip(movers, spots, strict=True):
            state[s.node.index] = at
        where = {s.name: at for s, at in zip(movers, spots, strict=True)}
        to_move = [s for s in movers if where[s.name] == n.index]
        fits = _kube_fits(m, n, where)
        kube = any(some_placement(list(order), others, fits)
                   for order in itertools.permutations(to_move))
        assert bool(ir.evaluate(guard, tuple(state))) is kube, where
        cases += 1
        removable += kube
    return cases, removable


MIXED_ORDER = """
cluster {
  node n1 { zone: a }
  node n2 { zone: a }
  node n3 { zone: b }
}
deployment api {
  replicas: 1
  template {
    labels: { tier: front }
    podAffinity { selector: { app: web }  topologyKey: zone }
    container c {}
  }
}
deployment web {
  replicas: 2
  template {
    labels: { app: web }
    topologySpread { maxSkew: 1  topologyKey: zone  selector: { app: web } }
    container c {}
  }
}
environment { scaleDown: [n3] }
"""


@pytest.mark.parametrize("text", [SPREAD, ANTI_AND_AFFINITY, RESOURCES, MIXED_ORDER],
                         ids=["spread", "anti-and-affinity", "resources", "mixed-order"])
def test_joint_guard_agrees_with_kube(text: str, tmp_path: Path) -> None:
    path = tmp_path / "scale-down.pod"
    path.write_text(text, encoding="utf-8")
    cases, removable = _agree(_model(path))
    assert 0 < removable < cases


def test_order_matters_under_affinity(tmp_path: Path) -> None:
    """api (declared first) needs a web pod in its zone: with both on n3, placing api
    first finds none (the ghost n3 holds no pod), placing web first gives it one.  CA's
    pod order is the node's pod list, so the model admits either."""
    path = tmp_path / "order.pod"
    path.write_text(MIXED_ORDER, encoding="utf-8")
    m = _model(path)
    n3 = next(x for x in m.cluster.nodes if x.name == "n3")
    api, web1, web2 = m.cluster.slots
    here = {s.name: ir.and_(s.exists, ir.eq(s.node, n3.index), ir.not_(s.model.terminal))
            for s in m.cluster.slots}
    guard = all_placed(m.cluster, placements(m.cluster), n3, list(m.cluster.slots), here)
    state = list(m.system.init[0])
    state[api.node.index], state[web1.node.index], state[web2.node.index] = 3, 3, 0
    assert ir.evaluate(guard, tuple(state))


def test_packs_pods_spec_agrees_with_kube() -> None:
    _agree(_model(ROOT / "specs" / "nodes" / "scale-down-packs-pods.pod"))

"""Static pods (`staticOn`): the kubelet runs them, drains and the autoscaler skip their
mirror pods, and no controller, scheduler or deleter moves them
(NOTE(static-pods) in docs/semantics.md)."""

from __future__ import annotations

from pathlib import Path

from podcheck import ir
from podcheck.diagnostics import codes
from podcheck.kube.autoscaler import Outcome, drainable
from podcheck.kube.drain import SKIP
from podcheck.lang.check import load
from podcheck.model.autoscaler import ca_pod
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.drain import running_status
from podcheck.model.options import ModelOptions

SPEC = """
cluster { nodes: 2 }
pod agent {
  staticOn: n2
  container c {}
}
pod lone {
  container c {}
}
environment { nodeFailures: 1  podDeletes: 1  drain: [n2]  scaleDown: [n2] }
"""


def _model(tmp_path: Path, text: str = SPEC) -> Model:
    path = tmp_path / "static.pod"
    path.write_text(text, encoding="utf-8")
    checked = load(str(path))
    assert checked.value is not None, checked.diagnostics
    built = build_model(checked.value, ModelOptions(), kubelet_factory)
    assert built.value is not None, built.diagnostics
    return built.value


def _acting_on(m: Model, pod: str) -> set[str]:
    return {a.name for a in m.system.actions if ("pod", pod) in a.params}


def test_static_pod_starts_on_its_node_and_is_never_scheduled(tmp_path: Path) -> None:
    m = _model(tmp_path)
    agent = next(s for s in m.cluster.slots if s.name == "agent")
    assert agent.static and agent.pinned == 2
    assert m.system.init[0][agent.node.index] == 2
    assert m.system.init[0][agent.exists.index] == 1
    acts = _acting_on(m, "agent")
    assert "bind" not in acts and "delete_pod" not in acts and "taint_evict" not in acts
    assert {"bind", "delete_pod", "taint_evict"} <= _acting_on(m, "lone")


def test_drain_and_autoscaler_skip_the_mirror_pod(tmp_path: Path) -> None:
    m = _model(tmp_path)
    env = m.cluster.spec.environment
    agent, lone = (next(s for s in m.cluster.slots if s.name == n) for n in ("agent", "lone"))
    assert running_status(agent, env) == SKIP
    assert drainable(ca_pod(agent)).outcome is Outcome.SKIP_DRAIN
    assert drainable(ca_pod(lone)).blocks  # a bare pod is NotReplicated
    removed = next(a for a in m.system.actions if a.name == "node_removed")
    assert (agent.exists.index, ir.Const(0)) in removed.updates


def test_static_on_names_a_node(tmp_path: Path) -> None:
    path = tmp_path / "bad.pod"
    path.write_text("cluster { nodes: 2 }\npod a {\n  staticOn: n9\n  container c {}\n}\n",
                    encoding="utf-8")
    found = load(str(path))
    assert found.value is None
    assert [d.code for d in found.diagnostics] == [codes.UNKNOWN_REFERENCE]
    assert "unknown node `n9`" in found.diagnostics[0].message

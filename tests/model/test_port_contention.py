"""Port contention in the model (NOTE(port-contention), podcheck/model/ports.py).

On every reachable state of small pods: no two contending containers are both running
with the port held by either past the failing step, the holder (when running) is one of
the contenders, and the loser is the one that came up second.  Which container loses is
a race when both come up at the same instant: both outcomes are reachable.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

from podcheck import ir
from podcheck.lang.check import LoadOptions, load
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.containers import RUNNING
from podcheck.model.options import ModelOptions
from podcheck.model.pod import PodModel


def _model(tmp_path: Path, pod: str) -> Model:
    path = tmp_path / "p.pod"
    path.write_text("cluster { node n1 { } }\n" + pod, encoding="utf-8")
    loaded = load(str(path), LoadOptions())
    assert loaded.value is not None, loaded.diagnostics
    result = build_model(loaded.value, ModelOptions(), kubelet_factory)
    assert result.value is not None, result.diagnostics
    return result.value


def _reachable(system: ir.TransitionSystem) -> list[ir.State]:
    seen = dict.fromkeys(system.init)
    queue = deque(system.init)
    while queue:
        for _, nxt in ir.successors(system, queue.popleft()):
            if nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
    return list(seen)


def _pod(m: Model) -> PodModel:
    model = m.cluster.slots[0].model
    assert isinstance(model, PodModel)
    return model


def _fired(m: Model, name: str) -> set[str]:
    return {m.system.actions[i].label for st in _reachable(m.system)
            for i, _ in ir.successors(m.system, st) if m.system.actions[i].name == name}


def test_two_apps_race_and_either_may_lose(tmp_path: Path) -> None:
    m = _model(tmp_path, "pod clash {\n  container web { ports: [8080] }\n"
                         "  container metrics { ports: [8080] }\n}\n")
    losers = _fired(m, "port_in_use")
    assert losers == {
        "pod clash: `web` cannot bind port 8080, another container of the pod holds it: "
        "it exits 1",
        "pod clash: `metrics` cannot bind port 8080, another container of the pod holds it: "
        "it exits 1"}
    pod = _pod(m)
    holder = next(v for v in m.system.vars if v.name == "clash.port8080")
    assert holder.labels == ("free", "web", "metrics")
    index = m.system.vars.index(holder)
    for st in _reachable(m.system):
        who = st[index]
        if who:
            holding = pod.containers[holder.labels[who]]
            other = pod.containers["metrics" if holder.labels[who] == "web" else "web"]
            # while the holder runs, a running rival is about to fail: never both bound
            if st[holding.state.index] == RUNNING and st[other.state.index] == RUNNING:
                assert any(m.system.actions[i].name == "port_in_use"
                           for i, _ in ir.successors(m.system, st))


def test_a_slow_app_loses_to_a_sidecar_that_binds_at_once(tmp_path: Path) -> None:
    m = _model(tmp_path, "pod p {\n  initContainer proxy { restartPolicy: Always  "
                         "ports: [8080] }\n  container app {\n    ports: [8080]\n"
                         "    behavior { startup: 5s }\n  }\n}\n")
    assert {label.split("`")[1] for label in _fired(m, "port_in_use")} == {"app"}


def test_ports_that_never_overlap_have_no_holder(tmp_path: Path) -> None:
    m = _model(tmp_path, "pod p {\n  initContainer migrate {\n    ports: [8080]\n"
                         "    behavior { outcome: succeeds  run: 1s }\n  }\n"
                         "  container web { ports: [8080, 8080] }\n}\n")
    assert not [v for v in m.system.vars if ".port" in v.name]
    assert not _fired(m, "port_in_use")

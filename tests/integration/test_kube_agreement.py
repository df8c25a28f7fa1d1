"""The compiled model against `podcheck.kube`, on every reachable state of whole specs.

For the seed specs and the specs under data/ (percentage PDBs under a drain; init
containers, a sidecar and the three restart policies), on every reachable state:

- each existing pod's IR phase equals `kube.phase.pod_phase` of the pod dict the
  state describes (`manifests.pod_with_status`), with getPhase's `podHasInitialized` read
  off that dict (HasAnyActiveRegularContainerStarted: an app container is running)
  and a DeadlineExceeded pod Failed (the kubelet's active-deadline sync handler
  overrides getPhase);
- its IR Ready and Initialized conditions equal GeneratePodReadyCondition /
  GeneratePodInitializedCondition (pkg/kubelet/status/generate.go) over that dict;
- each PDB's IR status equals `kube.disruption.pdb_status`, and the IR eviction
  decision of each existing pod equals `kube.eviction.evict` against every PDB.

tests/model/test_pod.py checks one pod slot in isolation and tests/model/test_cluster.py
the budgets over a stand-in pod; here the real pod model runs inside the cluster
(deletes, node failures, drains).  Kubernetes answers are computed once per distinct
projection of the state onto the variables they read, so every reachable state is
covered at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

import pytest

from podcheck import ir
from podcheck.engine import pycompile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.kube.disruption import pdb_status
from podcheck.kube.eviction import evict
from podcheck.kube.phase import pod_phase
from podcheck.model.cluster import NODE_DOWN, PHASES, Slot
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.eviction_api import eviction_decision
from podcheck.model.manifests import pdb_manifest, pod_with_status
from podcheck.model.options import ModelOptions
from podcheck.model.pod import PodModel
from tests.integration.test_reference_agreement import DATA_DIR, SEEDS, compile_path
from tests.model.test_cluster import controllers, pods_in

SPECS = [*SEEDS, *sorted(DATA_DIR.glob("*.pod"))]


def _model(path: Path) -> tuple[Model, list[ir.State], Any]:
    _, sp = compile_path(path)
    built = build_model(sp, ModelOptions(), kubelet_factory)
    assert built.value is not None
    result, graph = explore(built.value.system, BfsOptions(keep_graph=True))
    assert graph is not None and result.stats.complete
    return built.value, graph.states, sp


def _once(states: Iterable[ir.State], reads: tuple[int, ...],
          check: Callable[[ir.State], None]) -> int:
    """Run `check` on one state per distinct projection onto `reads`; how many ran."""
    seen: set[Hashable] = set()
    for st in states:
        key = tuple(st[i] for i in reads)
        if key not in seen:
            seen.add(key)
            check(st)
    return len(seen)


def _once_by_value(system: ir.TransitionSystem, states: Iterable[ir.State],
                   exprs: list[ir.Expr], check: Callable[[ir.State], None]) -> int:
    """Like `_once`, keyed by the values of `exprs` (compiled: the engine's own
    compiler, checked against `ir.evaluate` by tests/integration/test_reference_*)."""
    values = [pycompile.compile_value(system, e) for e in exprs]
    seen: set[Hashable] = set()
    for st in states:
        key = tuple(v(st) for v in values)
        if key not in seen:
            seen.add(key)
            check(st)
    return len(seen)


def _slot_reads(m: Model, s: Slot) -> tuple[int, ...]:
    owned = [i for i, v in enumerate(m.system.vars) if v.owner == f"pod {s.name}"]
    pm = s.model
    return tuple(sorted({*owned, *ir.reads(pm.phase, pm.ready, pm.initialized,
                                           pm.deadline_exceeded)}))


# ------------------------------------------------------------------ Kubernetes' side


def _running(status: dict[str, Any]) -> bool:
    return "running" in status["state"]


def _sidecar_names(pod: dict[str, Any]) -> set[str]:
    return {c["name"] for c in pod["spec"].get("initContainers", [])
            if c.get("restartPolicy") == "Always"}


def kube_phase(pod: dict[str, Any], deadline_exceeded: bool) -> str:
    """getPhase, unless the active deadline has passed (the pod is Failed)."""
    if deadline_exceeded:
        return "Failed"
    started = any(_running(c) for c in pod["status"]["containerStatuses"])
    return pod_phase(pod, pod_has_initialized=started)


def kube_ready(pod: dict[str, Any], phase: str) -> bool:
    """GeneratePodReadyCondition: not Succeeded, every app container and sidecar ready."""
    status = pod["status"]
    sidecars = _sidecar_names(pod)
    watched = [*status["containerStatuses"],
               *(c for c in status.get("initContainerStatuses", []) if c["name"] in sidecars)]
    return phase != "Succeeded" and all(c["ready"] for c in watched)


def kube_initialized(pod: dict[str, Any], phase: str) -> bool:
    """GeneratePodInitializedCondition: every regular init container exited 0 and every
    sidecar started; or the pod Succeeded; or an app container ever ran
    (HasAnyRegularContainerStarted: running or terminated)."""
    status = pod["status"]
    sidecars = _sidecar_names(pod)
    inits = status.get("initContainerStatuses", [])
    if not inits:
        return True
    done = all(
        c.get("started", False) if c["name"] in sidecars
        else c["state"].get("terminated", {"exitCode": 1}).get("exitCode") == 0
        for c in inits
    )
    ran = any(_running(c) or "terminated" in c["state"] for c in status["containerStatuses"])
    return done or phase == "Succeeded" or ran


# ------------------------------------------------------------------ the tests


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_pod_phase_and_conditions_agree_with_kube(path: Path):
    m, states, _ = _model(path)
    seen_phases: set[str] = set()
    c = m.cluster
    for s in c.slots:
        pm = s.model
        assert isinstance(pm, PodModel)
        node_states = [n.state.index for n in c.nodes]

        def check(st: ir.State, s: Slot = s, pm: PodModel = pm) -> None:
            if not st[s.exists.index]:
                return
            pod = pod_with_status(pm, st)
            phase = kube_phase(pod, bool(ir.evaluate(pm.deadline_exceeded, st)))
            where = (s.name, pod["status"])
            assert PHASES[ir.evaluate(c.phase(s), st)] == phase, where
            ready = kube_ready(pod, phase)
            assert bool(ir.evaluate(pm.ready, st)) == ready, where
            assert bool(ir.evaluate(pm.initialized, st)) == kube_initialized(pod, phase), where
            node = st[s.node.index]
            up = node != 0 and st[c.nodes[node - 1].state.index] != NODE_DOWN
            assert bool(ir.evaluate(c.ready(s), st)) == (ready and up), where
            seen_phases.add(phase)

        reads = (*_slot_reads(m, s), s.exists.index, s.node.index, *node_states)
        assert _once(states, reads, check) >= 1
    assert "Pending" in seen_phases
    if path.stem == "init-sidecar":  # the data spec reaches every phase
        assert seen_phases == {"Pending", "Running", "Succeeded", "Failed"}


BUDGET_SPECS = [p for p in SPECS if "pdb " in p.read_text() or "pdb\t" in p.read_text()]


@pytest.mark.parametrize("path", BUDGET_SPECS, ids=[p.stem for p in BUDGET_SPECS])
def test_pdb_status_and_evictions_agree_with_kube(path: Path):
    m, states, sp = _model(path)
    c, ctl = m.cluster, controllers(sp)
    assert m.budgets
    grants = [(s, eviction_decision(c, s, list(m.budgets))[0]) for s in c.slots]
    # Every input of Kubernetes' side (`pods_in`) and every IR value compared is in the
    # key, so one state per key covers them all.
    keyed = [*(e for s in c.slots for e in (s.exists, c.phase(s), c.ready(s))),
             *(e for b in m.budgets for e in (b.healthy, b.expected, b.desired, b.allowed)),
             *(g for _, g in grants)]
    decisions: set[bool] = set()

    def check(st: ir.State) -> None:
        pods = pods_in(m, st)
        objects = []
        for b in m.budgets:
            status = pdb_status(pdb_manifest(b.pdb), pods, ctl)
            mine = {"currentHealthy": ir.evaluate(b.healthy, st),
                    "desiredHealthy": ir.evaluate(b.desired, st),
                    "expectedPods": ir.evaluate(b.expected, st),
                    "disruptionsAllowed": ir.evaluate(b.allowed, st)}
            assert mine == status, (b.pdb.name, st)
            objects.append(pdb_manifest(b.pdb, status))
        existing = [(s, g) for s, g in grants if st[s.exists.index]]
        for pod, (s, granted) in zip(pods, existing, strict=True):
            answer = evict(pod, objects).allowed
            assert bool(ir.evaluate(granted, st)) == answer, (s.name, st)
            decisions.add(answer)

    assert _once_by_value(m.system, states, keyed, check) > 1
    assert decisions == {True, False}

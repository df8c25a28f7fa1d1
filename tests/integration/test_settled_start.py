"""The settled start (NOTE(settled-start) in podcheck/settled.py, docs/semantics.md).

The settled states must be states the default model reaches: every test here compiles
a small spec, explores the default model (start-up included, no symmetry) and compares
its reachable settled states (every long-running pod bound, Ready and quiescent, no
controller or scheduler step enabled, no disruption yet) with what the start-up search
returns, exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck import ir, spec
from podcheck.check import CheckOptions, check_file
from podcheck.diagnostics import Severity, codes
from podcheck.engine.pycompile import compile_predicate, compile_system
from podcheck.lang.check import load
from podcheck.model.compile import Model, build_model, kubelet_factory
from podcheck.model.options import ModelOptions
from podcheck.settled import CONTROLLERS, DISRUPTORS, LONG_RUNNING, settle, settling_symmetry

ROOT = Path(__file__).resolve().parents[2]

B1 = """
import env.concurrent-drain
cluster { nodes: 2 }
deployment web {
  replicas: 3
  template {
    labels: { app: web }
    container app { PROBE }
  }
}
pdb web-pdb { selector: { app: web }  minAvailable: 2 }
environment { include: [concurrent-drain]  nodeFailures: 1 START }
check budget-respected
check always-available
"""

STATEFUL = """
cluster { nodes: 2 }
statefulset db {
  replicas: 2
  template {
    labels: { app: db }
    container postgres { readinessProbe { periodSeconds: 5 } }
  }
}
environment { nodeFailures: 1 }
check always-available
"""

CAPACITY = """
cluster {
  node n1 { capacity: { cpu: 2 } }
  node n2 { capacity: { cpu: 4 } }
}
deployment web {
  replicas: 3
  template {
    labels: { app: web }
    container app { resources { requests: { cpu: 2 } } }
  }
}
daemonset agent { template { labels: { app: agent }  container agent {} } }
environment { drain: all }
check always-available
"""

SPECS = {
    "b1-probe": B1.replace("PROBE", "readinessProbe { periodSeconds: 5 }").replace("START", ""),
    "b1-no-probe": B1.replace("PROBE", "").replace("START", ""),
    "statefulset": STATEFUL,
    "capacity-daemonset": CAPACITY,
    "spread": (ROOT / "specs/placement/spread-zone-failure.pod").read_text(),
    "anti-affinity": (ROOT / "specs/placement/anti-affinity-node-failure.pod").read_text(),
    "packed": (ROOT / "specs/placement/packed-node-failure.pod").read_text(),
    "init-crash-once": (ROOT / "specs/seed/01-init-order.pod").read_text(),
}


def _model(tmp_path: Path, text: str) -> Model:
    path = tmp_path / "spec.pod"
    path.write_text(text)
    loaded = load(str(path))
    assert loaded.value is not None, [d.message for d in loaded.diagnostics]
    built = build_model(loaded.value, ModelOptions(), kubelet_factory)
    assert built.value is not None
    return built.value


def _reachable(system: ir.TransitionSystem) -> set[ir.State]:
    successors = compile_system(system).successors
    seen, todo = set(system.init), list(system.init)
    while todo:
        for _, nxt in successors(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _settled_predicate(model: Model) -> ir.Expr:
    """The reachable settled states, written from the cluster's own expressions: every
    long-running pod exists, is Ready and quiescent, no controller or scheduler step is
    enabled, and no disruption happened (`Cluster.started`)."""
    c = model.cluster
    up = [ir.and_(s.exists, c.ready(s), s.model.quiescent)
          for s in c.slots if s.kind in LONG_RUNNING and not s.surge and not s.spare]
    # a spare slot (a Terminating pod's replacement) is empty before any disruption
    up += [ir.not_(s.exists) for s in c.slots if s.spare]
    pending = [a.guard for a in model.system.actions if a.actor in CONTROLLERS]
    return ir.and_(*up, ir.not_(ir.or_(*pending)), ir.not_(c.started()))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_the_settled_states_are_exactly_the_reachable_settled_states(tmp_path, name):
    model = _model(tmp_path, SPECS[name])
    found = settle(model, symmetry=False)
    reached = _reachable(model.system)
    settled = compile_predicate(model.system, _settled_predicate(model))
    expected = {s for s in reached if settled(s)}
    assert expected, "the spec settles"
    assert set(found.states) == expected
    assert len(found.states) == len(expected)  # each found once


@pytest.mark.parametrize("name", ["b1-probe", "packed", "capacity-daemonset"])
def test_with_symmetry_one_settled_state_per_orbit(tmp_path, name):
    model = _model(tmp_path, SPECS[name])
    sym = settling_symmetry(model.system)
    assert sym is not None
    every = settle(model, symmetry=False).states
    reduced = settle(model, symmetry=True)
    orbits = {sym.canon(s) for s in every}
    assert {sym.canon(s) for s in reduced.states} == orbits
    assert len(reduced.states) == len(orbits)
    assert reduced.groups == tuple(g.name for g in sym.groups)


def test_every_placement_is_a_settled_state(tmp_path):
    """B1 with 3 pods on 2 nodes: 2^3 placements, 4 up to renaming the pods, 2 up to
    renaming the nodes too (all on one node, or two and one)."""
    model = _model(tmp_path, SPECS["b1-probe"])
    nodes = [s.node.index for s in model.cluster.slots]
    every = settle(model, symmetry=False).states
    assert sorted(tuple(s[i] for i in nodes) for s in every) == sorted(
        (a, b, c) for a in (1, 2) for b in (1, 2) for c in (1, 2))
    assert len(settle(model, symmetry=True).states) == 2


def test_the_settled_run_explores_only_states_the_default_model_reaches(tmp_path):
    """From the settled start the search stays inside the default model's reachable
    states (the same transitions, from states it reaches)."""
    model = _model(tmp_path, SPECS["b1-probe"])
    settled = ir.TransitionSystem(**{**_fields(model.system),
                                     "init": settle(model, symmetry=False).states})
    assert _reachable(settled) < _reachable(model.system)


def _fields(system: ir.TransitionSystem) -> dict[str, object]:
    return {f: getattr(system, f) for f in system.__dataclass_fields__}


@pytest.mark.parametrize("probe", [True, False])
def test_check_says_it_started_settled_and_keeps_the_verdicts(tmp_path, probe):
    text = B1.replace("PROBE", "readinessProbe { periodSeconds: 5 }" if probe else "")
    verdicts = {}
    for start in ("", "start: settled"):
        path = tmp_path / f"b1{bool(start)}.pod"
        path.write_text(text.replace("START", start))
        run = check_file(str(path), CheckOptions())
        assert run.result is not None
        notes = [d for d in run.diagnostics if d.code == codes.SETTLED_START]
        assert [d.severity for d in notes] == ([Severity.NOTE] if start else [])
        verdicts[start] = {r.name: r.verdict.value for r in run.result.results}
    assert verdicts[""] == verdicts["start: settled"] == {
        "budget-respected": "holds", "always-available": "violated"}


def test_the_readiness_probe_changes_no_verdict_of_b1(tmp_path):
    """bench/b1.py --no-probe (docs/performance.md): B1's Starting -> Ready step is the
    container start, without the probe's timer; the verdicts of both B1 properties are
    the same with and without the probe for N = 2, 3 and K = 0..N, settled start."""
    for n in (2, 3):
        for k in range(n + 1):
            found = []
            for probe in ("readinessProbe { periodSeconds: 5 }", ""):
                text = (B1.replace("PROBE", probe).replace("START", "start: settled")
                        .replace("replicas: 3", f"replicas: {n}")
                        .replace("minAvailable: 2", f"minAvailable: {k}"))
                path = tmp_path / "b1.pod"
                path.write_text(text)
                run = check_file(str(path), CheckOptions())
                assert run.result is not None
                found.append({r.name: r.verdict for r in run.result.results})
            assert found[0] == found[1], (n, k)


def test_a_job_never_settles(tmp_path):
    path = tmp_path / "job.pod"
    path.write_text("job once { template { restartPolicy: Never\n"
                    "  container c { behavior { outcome: succeeds } } } }\n"
                    "environment { start: settled }\n")
    run = check_file(str(path), CheckOptions())
    assert run.result is None
    assert [d.code for d in run.diagnostics if d.severity is Severity.ERROR] == [
        codes.NO_SETTLED_STATE]


def test_a_property_that_reads_the_time_since_the_start_is_refused(tmp_path):
    path = tmp_path / "timed.pod"
    path.write_text("pod a { container c { readinessProbe {} } }\n"
                    "environment { start: settled }\n"
                    "property quick: always (a.ready or elapsed < 30s)\n")
    run = check_file(str(path), CheckOptions())
    errors = [d for d in run.diagnostics if d.severity is Severity.ERROR]
    assert [d.code for d in errors] == [codes.NO_SETTLED_STATE]
    assert "`quick` reads the time since the start" in errors[0].message


def test_a_pod_that_fits_no_node_never_settles(tmp_path):
    path = tmp_path / "big.pod"
    path.write_text("cluster { node n1 { capacity: { cpu: 1 } } }\n"
                    "pod big { container app { resources { requests: { cpu: 2 } } } }\n"
                    "environment { start: settled }\n")
    run = check_file(str(path), CheckOptions())
    assert run.result is None
    errors = [d for d in run.diagnostics if d.severity is Severity.ERROR]
    assert [d.code for d in errors] == [codes.NO_SETTLED_STATE]
    assert "no start-up brings every pod up" in errors[0].message


def test_start_is_read_from_the_environment_and_its_includes(tmp_path):
    path = tmp_path / "s.pod"
    path.write_text("environment calm { start: settled }\n"
                    "environment { include: [calm] }\n"
                    "pod a { container c {} }\n")
    loaded = load(str(path))
    assert loaded.value is not None
    assert loaded.value.environment.start is spec.Start.SETTLED
    path.write_text("environment { start: later }\npod a { container c {} }\n")
    assert codes.UNKNOWN_ENUM_VALUE in [d.code for d in load(str(path)).diagnostics]


def test_disruptions_are_left_out_of_the_start_up():
    assert DISRUPTORS.isdisjoint(CONTROLLERS)

"""Removing an unobserved pod at its delete never changes a verdict.

NOTE(termination-unobserved) (model/unobserved.py, docs/semantics.md "Graceful
termination"): every small spec below is checked with every graceful delete leaving the
pod Terminating (`reduce_termination=False`) and with the reduction, and every built-in
check must get the same verdict.  The specs cover what could tell the two apart: a drain
that waits for the evicted pod to be gone (one node at a time, so the next drain waits
too), a replacement racing its Terminating predecessor under a PDB, direct deletes of a
bare pod and of a Deployment's pod, a rollout's scale-down, a Job whose pod is deleted,
a crash loop beside the delete, and a failing drain (a verdict `violated` must survive).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck import spec
from podcheck.check import CheckOptions, check_file, load_and_compile
from podcheck.diagnostics import codes
from podcheck.engine.result import Verdict
from podcheck.model.options import ModelOptions
from podcheck.model.termination import reduced_workloads, terminates
from podcheck.model.unobserved import observers

DRAIN = """cluster { node n1 {}  node n2 {} }
deployment web {
  replicas: 2
  template {
    labels: { app: web }
    container app { readinessProbe { periodSeconds: 5 } }
  }
}
pdb web { selector: { app: web }  minAvailable: 1 }
environment { drain: [n1, n2]  drainMode: one-at-a-time }
check budget-respected
check always-available
check drain-completes
check eventually-ready
check no-deadlock
"""

STUCK = """cluster { node n1 {}  node n2 {} }
deployment web {
  replicas: 1
  template {
    labels: { app: web }
    container app { behavior { crashes: 1 } }
  }
}
pdb web { selector: { app: web }  minAvailable: 1 }
environment { drain: [n1] }
check budget-respected
check drain-completes
check no-crash-loop
check no-deadlock
"""

DELETES = """cluster { nodes: 2 }
pod lone { container app {} }
deployment web {
  replicas: 1
  template { container app { behavior { crashes: 1 } } }
}
environment { podDeletes: 2 }
check eventually-ready
check no-crash-loop
check no-deadlock
"""

ROLLOUT = """cluster { nodes: 2 }
deployment web {
  replicas: 2
  template {
    labels: { app: web }
    container app { readinessProbe { periodSeconds: 5 } }
  }
}
pdb web { selector: { app: web }  maxUnavailable: 1 }
environment { rollouts: 1  nodeFailures: 1 }
check always-available
check eventually-ready
check no-deadlock
"""

JOB = """cluster { nodes: 2 }
job batch {
  completions: 2
  parallelism: 1
  backoffLimit: 1
  template { restartPolicy: Never  container work { behavior { run: 10s } } }
}
environment { podDeletes: 1  drain: [n1] }
check job-completes
check drain-completes
check no-deadlock
"""

SPECS = {"drain": DRAIN, "stuck": STUCK, "deletes": DELETES, "rollout": ROLLOUT, "job": JOB}


def _verdicts(path: Path, *, reduce: bool) -> tuple[dict[str, Verdict], int]:
    run = check_file(str(path), CheckOptions(model=ModelOptions(reduce_termination=reduce)))
    assert run.result is not None, run.diagnostics
    noted = any(d.code == codes.TERMINATION_UNOBSERVED for d in run.diagnostics)
    assert noted is reduce, run.diagnostics
    return {r.name: r.verdict for r in run.result.results}, run.result.stats.states


def _checked(path: Path) -> spec.CheckedSpec:
    _, _, checked = load_and_compile(str(path), CheckOptions())
    assert checked is not None
    return checked


@pytest.mark.parametrize("name", sorted(SPECS))
def test_verdicts_agree_with_every_pod_terminating(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.pod"
    path.write_text(SPECS[name])
    checked = _checked(path)
    full = ModelOptions(reduce_termination=False)
    # the unreduced model does leave pods Terminating, and the reduction applies here
    assert any(terminates(w, checked, full) for w in checked.workloads)
    assert reduced_workloads(checked, ModelOptions()) and not observers(checked)
    exact, states = _verdicts(path, reduce=False)
    reduced, fewer = _verdicts(path, reduce=True)
    assert reduced == exact
    assert fewer < states


def test_a_failing_verdict_survives_the_reduction(tmp_path: Path) -> None:
    path = tmp_path / "stuck.pod"
    path.write_text(STUCK)
    verdicts, _ = _verdicts(path, reduce=True)
    assert verdicts["drain-completes"] is Verdict.VIOLATED  # a PDB of 1 of 1 blocks it


@pytest.mark.parametrize(("extra", "reader"), [
    ("property two: always count(p in pods(web)) <= 2\n", "a property of the spec's own"),
    ("check no-unready-traffic\n", "`no-unready-traffic`"),
])
def test_a_reader_keeps_pods_terminating(tmp_path: Path, extra: str, reader: str) -> None:
    path = tmp_path / "read.pod"
    path.write_text(DRAIN + extra)
    checked = _checked(path)
    assert reader in observers(checked)
    assert not reduced_workloads(checked, ModelOptions())


def test_a_node_capacity_or_a_drain_timeout_keeps_pods_terminating(tmp_path: Path) -> None:
    bounded = DRAIN.replace("node n1 {}  node n2 {}", "node n1 { capacity: { cpu: 1 } }  "
                            "node n2 { capacity: { cpu: 1 } }").replace(
        "container app {", "container app { resources { requests: { cpu: 1 } }")
    timed = DRAIN.replace("drainMode: one-at-a-time", "drainMode: one-at-a-time  "
                          "drainTimeout: 300s")
    for text, reader in ((bounded, "a node capacity the pods request"),
                         (timed, "the drain's timeout")):
        path = tmp_path / "kept.pod"
        path.write_text(text)
        assert reader in observers(_checked(path))

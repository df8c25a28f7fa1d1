"""The untimed back-off reset of settled containers never changes a verdict.

NOTE(settled-reset) (docs/semantics.md, "The back-off reset of a settled container"):
every small spec below is checked with every reset timed and with the reset of settled
containers untimed, with the default and with exact windows, and every built-in check
must get the same verdict.  The specs cover what could tell the two apart: a readiness
probe beside the reset, a node that fails and takes the pod's timers with it, a DaemonSet
pod that stays on a down node forever, a pod that its activeDeadlineSeconds kills (the
API server rejects the field in a controller's template, so nothing re-creates it), and
a real crash loop beside a settled container.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, check_file, check_path
from podcheck.engine.result import Verdict
from podcheck.manifests import ManifestOptions
from podcheck.model.options import ModelOptions

CHECKS = "check drain-completes\ncheck eventually-ready\ncheck no-crash-loop\ncheck no-deadlock\n"

READY = """cluster { node n1 {}  node n2 {} }
deployment web {
  replicas: 1
  template {
    labels: { app: web }
    container app {
      readinessProbe { periodSeconds: 5 }
      behavior { crashes: 1 }
    }
  }
}
pdb web { selector: { app: web }  minAvailable: 1 }
environment { drain: [n1, n2]  drainMode: one-at-a-time  nodeFailures: 1 }
check budget-respected
"""

DAEMON = """cluster { node n1 {}  node n2 {} }
daemonset agent {
  template {
    labels: { app: agent }
    container agent { behavior { crashes: 1 } }
  }
}
environment { nodeFailures: 1 }
"""

DEADLINE = """cluster { nodes: 1 }
pod batchy {
  restartPolicy: Always
  activeDeadlineSeconds: 30
  container app { behavior { crashes: 1 } }
}
"""

LOOPING = """cluster { nodes: 1 }
pod two {
  restartPolicy: Always
  container steady { behavior { crashes: 1 } }
  container broken { behavior { outcome: fails  run: 5s } }
}
"""

SPECS = {"readiness": READY, "daemonset": DAEMON, "deadline": DEADLINE, "looping": LOOPING}


def _verdicts(path: Path, *, settled: bool, exact: bool) -> tuple[dict[str, Verdict], int]:
    model = ModelOptions(settled_reset=settled, exact_windows=exact)
    run = check_file(str(path), CheckOptions(model=model))
    assert run.result is not None, run.diagnostics
    return {r.name: r.verdict for r in run.result.results}, run.result.stats.states


@pytest.mark.parametrize("exact", [False, True], ids=["windows", "exact-windows"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_verdicts_agree_with_every_reset_timed(tmp_path: Path, name: str, exact: bool) -> None:
    path = tmp_path / f"{name}.pod"
    path.write_text(SPECS[name] + CHECKS, encoding="utf-8")
    timed, _ = _verdicts(path, settled=False, exact=exact)
    untimed, _ = _verdicts(path, settled=True, exact=exact)
    assert untimed == timed
    assert Verdict.UNKNOWN not in timed.values()


def test_two_replicas_explore_fewer_states(tmp_path: Path) -> None:
    """Two pods whose resets are timed interleave their 601 s timers with each other's
    probe windows: 3 017 states, against 2 381 with settled resets untimed (one pod alone
    explores a few more: 287 against 253, the untimed reset interleaving with it)."""
    path = tmp_path / "ready.pod"
    text = READY.replace("replicas: 1", "replicas: 2").replace("nodeFailures: 1", "")
    path.write_text(text.replace("check budget-respected", "check no-crash-loop"), "utf-8")
    timed, timed_states = _verdicts(path, settled=False, exact=False)
    untimed, untimed_states = _verdicts(path, settled=True, exact=False)
    assert timed == untimed == {"no-crash-loop": Verdict.HOLDS}
    assert (timed_states, untimed_states) == (3017, 2381)


def test_a_real_crash_loop_is_explored_again_exactly(tmp_path: Path) -> None:
    """Manifests: `no-crash-loop` violated with the untimed reset is re-run timed."""
    (tmp_path / "two.yaml").write_text("""apiVersion: v1
kind: Pod
metadata:
  name: two
  annotations: {podcheck.io/outcome.broken: fails}
spec:
  containers:
  - {name: steady, image: x}
  - {name: broken, image: x}
""", encoding="utf-8")
    options = CheckOptions(manifests=ManifestOptions(nodes=1, failures=0,
                                                     checks=("no-crash-loop",)))
    runs = check_path(str(tmp_path / "two.yaml"), options)
    messages = [d.message for r in runs for d in r.diagnostics]
    assert any("explored again with every reset" in m for m in messages)
    assert runs[-1].result is not None
    assert [r.verdict for r in runs[-1].result.results] == [Verdict.VIOLATED]

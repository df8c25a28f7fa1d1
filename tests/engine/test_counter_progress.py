"""`rollout-progresses` over counts of pods (NOTE(counter-progress)): RolloutNeverStuck
against explicit BFS of the full model (the progress deadline's timer and condition,
model/progress.py) at small counts, Spacer's smallest failing count against per-count
BFS of the counter system, the sync rule against kube's, and the specs the counts refuse."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from podcheck.counted_shape import counter_scenario, disagreement
from podcheck.counting import (
    CountOptions,
    counter_verdicts,
    counts_file,
    explicit_verdicts,
    load_counted,
)
from podcheck.diagnostics import codes
from podcheck.engine.counter_lemmas import is_inductive
from podcheck.engine.counter_rollout import rollout_lemma
from podcheck.engine.parametric import CounterScenario, counter_system, smallest_failing
from podcheck.engine.result import Verdict
from podcheck.kube.intstr import IntOrPercent

SLOW = os.environ.get("PODCHECK_SLOW") == "1"

SPEC = """cluster { nodes: NODES }
deployment web {
  replicas: REPLICAS
  maxSurge: SURGE
  maxUnavailable: UNAVAILABLE
  EXTRA
  template {
    labels: { app: web }
    container app {
      image: "nginx:1.27"
      PROBE
    }
  }
}
pdb web-pdb {
  selector: { app: web }
  BUDGET
}
environment {
  drain: DRAIN
  MODE
  nodeFailures: FAILURES
  rollouts: 1
}
check budget-respected
check drain-completes
check rollout-progresses
"""
# two nodes, n1 drained once, no failure: the rollout always completes
HOLDS = {"NODES": "2", "SURGE": "25%", "UNAVAILABLE": "25%", "BUDGET": "maxUnavailable: 10%",
         "DRAIN": "[n1]", "MODE": "", "FAILURES": "0"}  # fmt: skip
# three nodes, n1 and n2 cordoned at once, n3 fails: the pods wait for a node for ever
FAILS = {"NODES": "3", "SURGE": "0", "UNAVAILABLE": "25%", "BUDGET": "maxUnavailable: 1",
         "DRAIN": "[n1, n2]", "MODE": "maxConcurrentDrains: 2", "FAILURES": "1"}  # fmt: skip


def write(tmp_path: Path, fields: dict[str, str], replicas: str = "1..3", probe: str = "",
          extra: str = "") -> str:  # fmt: skip
    text = SPEC.replace("REPLICAS", replicas).replace("PROBE", probe).replace("EXTRA", extra)
    for key, value in fields.items():
        text = text.replace(key, value)
    path = tmp_path / "progress.pod"
    path.write_text(text)
    return str(path)


def agree(path: str, counts: tuple[int, ...]) -> dict[int, Verdict]:
    """Each property's verdict agrees between the full model and the counter system at
    each of `counts`; rollout-progresses' verdict per count."""
    spec = load_counted(path).loaded.result.value
    assert spec is not None
    shaped = counter_scenario(spec, "web", 1, max(counts)).value
    assert shaped is not None and shaped[0].progress
    out = {}
    for count in counts:
        explicit = explicit_verdicts(spec, "web", count).value
        assert explicit is not None and set(explicit.values()) <= {Verdict.HOLDS, Verdict.VIOLATED}
        assert disagreement(spec, explicit, counter_verdicts(shaped[0], count)) is None, count
        out[count] = explicit["rollout-progresses"]
    return out


def test_a_completing_rollout_agrees_with_the_full_model(tmp_path):
    assert agree(write(tmp_path, HOLDS), (1, 2)) == {1: Verdict.HOLDS, 2: Verdict.HOLDS}


def test_a_stuck_rollout_agrees_with_the_full_model(tmp_path):
    assert agree(write(tmp_path, FAILS), (1,)) == {1: Verdict.VIOLATED}


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="slow: PODCHECK_SLOW=1 compares up to 3 replicas")
@pytest.mark.parametrize(("fields", "counts"), [
    (HOLDS, (1, 2, 3)), ({**HOLDS, "BUDGET": "minAvailable: 50%"}, (1, 2, 3)),
    ({**HOLDS, "FAILURES": "1"}, (1, 2, 3)),
    (FAILS, (1, 2)),  # three nodes at 3 replicas: past 15 minutes of full-model BFS
])  # fmt: skip
def test_progress_agrees_with_the_full_model_at_small_counts(tmp_path, fields, counts):
    agree(write(tmp_path, fields, probe="readinessProbe {}"), counts)


def _scenario(progress: bool) -> CounterScenario:
    return CounterScenario(1, 50, None, IntOrPercent(1), failures=1, drains=2, nodes=3,
                           watch=2, max_cordoned=2, uncordon=True, rollouts=1,
                           max_surge=IntOrPercent(0), progress=progress)  # fmt: skip


def test_the_lemma_is_inductive_with_the_condition():
    s = _scenario(True)
    system = counter_system(s)
    assert is_inductive(system, rollout_lemma(system, s))
    assert [p.name for p in system.properties][-1] == "RolloutNeverStuck"


def test_without_the_check_the_rollout_system_is_unchanged():
    plain = counter_system(_scenario(False))
    assert "progressing" not in [v.name for v in plain.vars]
    assert [p.name for p in plain.properties] == ["SafeEvictions", "AlwaysAvailable",
                                                  "DrainNeverStuck"]  # fmt: skip


def test_the_smallest_failing_count_is_the_first_per_count_failure():
    s = replace(_scenario(True), lo=2, hi=100000)
    (got,) = smallest_failing(s, timeout_seconds=60, names=["RolloutNeverStuck"])
    assert got.verdict is Verdict.VIOLATED and got.smallest == 2 and got.minimal
    assert counter_verdicts(replace(s, lo=2, hi=2), 2)["RolloutNeverStuck"] is Verdict.VIOLATED


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="slow: PODCHECK_SLOW=1 decides every property")
def test_counts_names_the_smallest_failing_count(tmp_path):
    run = counts_file(write(tmp_path, FAILS, replicas="1..100000"),
                      CountOptions(timeout_seconds=60, cross_check=1))  # fmt: skip
    assert run.counted is not None and run.exit_code == 1
    got = dict(run.counted.verdicts)["rollout-progresses"]
    assert got.verdict is Verdict.VIOLATED and got.smallest == 1 and got.minimal


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="slow: PODCHECK_SLOW=1 proves every int32 count")
def test_a_completing_rollout_is_proved_for_every_count(tmp_path):
    run = counts_file(write(tmp_path, HOLDS, replicas="1..2147483647"))
    assert run.counted is not None and run.exit_code == 0, run.diagnostics
    assert dict(run.counted.verdicts)["rollout-progresses"].verdict is Verdict.HOLDS


@pytest.mark.parametrize(("probe", "extra"), [
    ("readinessProbe { periodSeconds: 600 }", ""),  # a readiness wait past the deadline
    ("", "progressDeadlineSeconds: 20"),  # the 30 s grace period outlasts it
    ("", "strategy: Recreate"),  # the counts model only the RollingUpdate strategy
])  # fmt: skip
def test_specs_whose_waits_may_outlast_the_deadline_are_refused(tmp_path, probe, extra):
    fields = {**HOLDS, "SURGE": "1", "UNAVAILABLE": "0"}
    path = write(tmp_path, fields, probe=probe, extra=extra)
    if "Recreate" in extra:  # a Recreate Deployment has no rolling-update fields
        text = Path(path).read_text().replace("  maxSurge: 1\n  maxUnavailable: 0\n", "")
        Path(path).write_text(text)
    run = counts_file(path)
    assert run.counted is None
    assert [d.code for d in run.diagnostics] == [codes.OUTSIDE_COUNTER_ABSTRACTION]

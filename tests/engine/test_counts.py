"""`podcheck counts` (issue 12, item 3): the counts of pods against explicit BFS of the
full model at every point of small ranges, Spacer's smallest failing count against
per-count BFS, the shape the abstraction accepts, and replica ranges of any size."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.counted_shape import counter_scenario, disagreement
from podcheck.counting import (
    CountOptions,
    counter_verdicts,
    counts_file,
    explicit_verdicts,
    load_counted,
)
from podcheck.diagnostics import codes
from podcheck.engine.result import Verdict
from podcheck.lang.check import load

ROOT = Path(__file__).resolve().parents[2]
SYMBOLIC = ROOT / "specs" / "symbolic"

SPEC = """cluster { nodes: NODES }
deployment web {
  replicas: REPLICAS
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
  drain: [DRAIN]
  MODE
  nodeFailures: FAILURES
}
check budget-respected
check drain-completes
"""


def write(tmp_path: Path, replicas: str = "1..3", budget: str = "minAvailable: 1",
          failures: int = 0, drain: str = "n1", probe: str = "readinessProbe {}",
          extra: str = "", nodes: int = 2, mode: str = "") -> str:  # fmt: skip
    text = (SPEC.replace("REPLICAS", replicas).replace("BUDGET", budget)
            .replace("FAILURES", str(failures)).replace("DRAIN", drain)
            .replace("PROBE", probe).replace("NODES", str(nodes))
            .replace("MODE", mode)) + extra  # fmt: skip
    path = tmp_path / "counts.pod"
    path.write_text(text)
    return str(path)


BUDGETS = ["minAvailable: 0", "minAvailable: 1", "minAvailable: 2", "minAvailable: 50%",
           "minAvailable: 100%", "maxUnavailable: 0", "maxUnavailable: 1",
           "maxUnavailable: 10%", "maxUnavailable: 50%"]  # fmt: skip


@pytest.mark.parametrize("failures", [0, 1])
@pytest.mark.parametrize("budget", BUDGETS)
def test_the_counts_agree_with_the_full_model_at_every_small_count(tmp_path, budget, failures):
    """At replicas 1, 2 and 3: explicit BFS of the compiled spec (liveness on its graph)
    and explicit BFS of the counter system give the same verdicts."""
    agree(write(tmp_path, budget=budget, failures=failures))


def agree(path: str) -> None:
    spec = load_counted(path).loaded.result.value
    assert spec is not None
    shaped = counter_scenario(spec, "web", 1, 3).value
    assert shaped is not None
    for count in (1, 2, 3):
        explicit = explicit_verdicts(spec, "web", count).value
        assert explicit is not None and set(explicit.values()) <= {Verdict.HOLDS, Verdict.VIOLATED}
        assert disagreement(spec, explicit, counter_verdicts(shaped[0], count)) is None, count


@pytest.mark.parametrize(("probe", "policy"), [("", "AlwaysAllow"), ("readinessProbe {}", ""),
                                               ("", "")])  # fmt: skip
def test_agreement_without_a_probe_and_under_always_allow(tmp_path, probe, policy):
    budget = "minAvailable: 2" + (f"\n  unhealthyPodEvictionPolicy: {policy}" if policy else "")
    agree(write(tmp_path, budget=budget, failures=1, probe=probe))


def test_the_smallest_failing_count_is_the_first_per_count_failure(tmp_path):
    """Spacer over 1..6 names the smallest count at which BFS over counts fails."""
    run = counts_file(write(tmp_path, "1..6", "maxUnavailable: 1", failures=1))
    assert run.counted is not None and run.exit_code == 1
    verdicts = dict(run.counted.verdicts)
    assert verdicts["budget-respected"].verdict is Verdict.HOLDS
    drain = verdicts["drain-completes"]
    per_count = [counter_verdicts(run.counted.scenario, n)["DrainNeverStuck"] for n in range(1, 7)]
    assert drain.smallest == 1 + per_count.index(Verdict.VIOLATED) == 2
    assert drain.minimal and run.counted.cross_checked == (1, 2, 3)


def test_a_range_of_any_size_loads_for_counts_and_not_for_check(tmp_path):
    path = write(tmp_path, "1..2147483647", "maxUnavailable: 10%")
    counted = load_counted(path)
    assert counted.loaded.result.ok and (counted.lo, counted.hi) == (1, 2**31 - 1)
    refused = load(path)  # refused at once, without listing two billion points
    assert [d.code for d in refused.diagnostics] == [codes.VALUE_OUT_OF_RANGE]
    assert "podcheck counts" in (refused.diagnostics[0].help or "")


OUTSIDE = [
    ({"mode": "drainTimeout: 30s"}, "environment"),
    ({"failures": "0\n  start: settled"}, "environment"),  # NOTE(settled-start)
    ({"probe": "livenessProbe {}"}, "startup or liveness probe"),
    ({"probe": "resources { requests: { cpu: 1 } }"}, "resource requests"),
    ({"probe": "behavior { crashes: 1 }"}, "behaviour"),
    ({"extra": "property p: always true\n"}, "property `p`"),
    ({"extra": "check always-available\n"}, "always-available"),
    ({"replicas": "1..3", "probe": "readinessProbe { periodSeconds: 1..2 }"}, "two ranges"),
]


@pytest.mark.parametrize(("edit", "words"), OUTSIDE, ids=[w for _, w in OUTSIDE])
def test_specs_outside_the_shape_are_refused(tmp_path, edit, words):
    run = counts_file(write(tmp_path, **edit))
    assert run.counted is None and run.exit_code == 2
    (problem,) = [d for d in run.diagnostics if d.code == codes.OUTSIDE_COUNTER_ABSTRACTION]
    assert words in problem.message


def test_counts_command_exit_codes(monkeypatch):
    monkeypatch.chdir(SYMBOLIC)
    assert CliRunner().invoke(app, ["counts", "counts-outside.pod"]).exit_code == 2


# NOTE(counter-drains): M nodes, several drained, one at a time (uncordoned once empty,
# at most maxConcurrentDrains cordoned) or concurrently; each against the full model
MANY = [
    {"nodes": 3, "drain": "n1, n2", "budget": "maxUnavailable: 1", "failures": 1},
    {"nodes": 3, "drain": "n1, n2", "budget": "maxUnavailable: 1", "failures": 1,
     "mode": "maxConcurrentDrains: 2"},
    {"nodes": 3, "drain": "n1, n2", "budget": "maxUnavailable: 1", "failures": 1,
     "mode": "drainMode: concurrent"},
    {"nodes": 3, "drain": "n2", "budget": "minAvailable: 2", "failures": 1},
    {"nodes": 1, "drain": "n1", "budget": "maxUnavailable: 1"},
]


@pytest.mark.parametrize("edit", MANY, ids=["3-one-at-a-time", "3-two-at-a-time",
                                            "3-concurrent", "3-drain-n2", "1-node"])
def test_m_nodes_agree_with_the_full_model_at_every_small_count(tmp_path, edit):
    agree(write(tmp_path, **edit))


def test_m_nodes_smallest_failing_count_and_proof(tmp_path):
    """Three nodes, n1 and n2 drained one at a time, one failure: the drain completes at
    every count (at most one node cordoned and one down: a pending pod always has a node);
    with two drains at a time it fails first at 3 replicas, as per-count BFS says."""
    quick = CountOptions(timeout_seconds=30, cross_check=1)  # 1..3: the test above
    one = counts_file(write(tmp_path, "1..1000", "maxUnavailable: 1", 1, "n1, n2", nodes=3),
                      quick)  # fmt: skip
    assert one.counted is not None and one.exit_code == 0
    assert one.counted.scenario.uncordon and one.counted.scenario.max_cordoned == 1
    two = counts_file(write(tmp_path, "1..5", "maxUnavailable: 1", 1, "n1, n2", nodes=3,
                            mode="maxConcurrentDrains: 2"), quick)  # fmt: skip
    assert two.counted is not None and two.exit_code == 1
    drain = dict(two.counted.verdicts)["drain-completes"]
    per_count = [counter_verdicts(two.counted.scenario, n)["DrainNeverStuck"]
                 for n in range(1, 6)]  # fmt: skip
    assert drain.smallest == 1 + per_count.index(Verdict.VIOLATED) == 3 and drain.minimal


def test_draining_the_other_node_is_the_same_question(tmp_path):
    agree(write(tmp_path, budget="minAvailable: 1", failures=1, drain="n2"))


def test_a_disagreement_is_pc505_and_no_verdict(tmp_path, monkeypatch):
    import podcheck.counting as counting

    def flipped(scenario, count, budget=None):
        return {k: Verdict.VIOLATED if v is Verdict.HOLDS else Verdict.HOLDS
                for k, v in counter_verdicts(scenario, count, budget).items()}  # fmt: skip

    monkeypatch.setattr(counting, "counter_verdicts", flipped)
    run = counts_file(write(tmp_path))
    assert run.counted is None and [d.code for d in run.diagnostics] == [
        codes.COUNTER_DISAGREEMENT]


def test_counts_and_check_agree_on_replicas_drain(monkeypatch):
    """specs/symbolic/replicas-drain.pod: `podcheck check` (one BFS run per count of
    1..3, podcheck.replica_ranges) finds the drain stuck at replicas 1 only and the budget
    kept at every count; `counts` says the same for the whole range, naming 1 as the
    smallest failing count."""
    from podcheck.check import CheckOptions, check_file

    monkeypatch.chdir(SYMBOLIC)
    checked = check_file("replicas-drain.pod", CheckOptions())
    by_check = {r.name: r for r in checked.result.results}
    counted = dict(counts_file("replicas-drain.pod").counted.verdicts)
    assert by_check["budget-respected"].verdict is counted["budget-respected"].verdict
    drain = by_check["drain-completes"]
    assert drain.verdict is counted["drain-completes"].verdict is Verdict.VIOLATED
    (per_count,) = drain.counts
    assert (per_count.param, per_count.failing, per_count.holding) == ("replicas", (1,), (2, 3))
    assert per_count.shown == 1
    assert counted["drain-completes"].smallest == 1

"""Symbolic parameters (issue 12, item 1) and `tune` (item 4), cross-checked against
explicit BFS at every point of the range.

The reference is each point compiled on its own (`compile_spec` of the point's checked
spec) and explored by BFS; the merged system (`engine.params`) restricted to the point
must give the same verdicts, the same shortest counterexample lengths and the same number
of reachable states, and the symbolic engines on the merged system must agree with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck import ir
from podcheck.cli import app
from podcheck.diagnostics import codes
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.params import at_points, compile_points, restrict
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, run_symbolic
from podcheck.engine.tune import Method, TuneOptions, intervals, tune
from podcheck.lang.check import load
from podcheck.model.compile import compile_spec
from podcheck.report.params import param_line

ROOT = Path(__file__).resolve().parents[2]
SYMBOLIC = ROOT / "specs" / "symbolic"
NO_SYMMETRY = BfsOptions(symmetry=False, check_deadlock=True)

STARTUP = """
cluster { nodes: 1 }
pod app {
  container app {
    startupProbe {
      periodSeconds: 10
      failureThreshold: RANGE
    }
    behavior { startup: 20s..60s }
  }
}
property never-restarted: always forall p in pods(app): p.restarts == 0
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.pod"
    path.write_text(text, encoding="utf-8")
    return str(path)


def merged_of(path: str):
    spec = load(path).value
    assert spec is not None and spec.params
    compiled = compile_points(spec, compile_spec)
    assert compiled.ok and compiled.value is not None
    return spec, compiled.value


def summary(result):
    return [(r.verdict, None if r.trace is None else r.trace.length) for r in result.results]


# ------------------------------------------------------------------ the front end


def test_an_int_range_is_a_parameter_named_by_its_blocks(tmp_path):
    spec = load(write(tmp_path, STARTUP.replace("RANGE", "2..4"))).value
    assert spec is not None
    (param,) = spec.params
    assert (param.name, param.lo, param.hi, param.field) == (
        "app.app.startupProbe.failureThreshold", 2, 4, "failureThreshold")
    assert param.span.line == 7
    assert [v for v, _ in spec.instances] == [(2,), (3,), (4,)]
    thresholds = [s.workloads[0].template.containers[0].startupProbe.failureThreshold
                  for _, s in spec.instances]
    assert thresholds == [2, 3, 4]
    assert spec.workloads == spec.instances[0][1].workloads  # the first point's fields


def test_a_duration_range_keeps_its_nondeterministic_meaning(tmp_path):
    spec = load(write(tmp_path, STARTUP.replace("RANGE", "3"))).value
    assert spec is not None and not spec.params and not spec.instances


def test_a_reversed_range_is_out_of_range(tmp_path):
    result = load(write(tmp_path, STARTUP.replace("RANGE", "5..2")))
    assert not result.ok
    assert [d.code for d in result.diagnostics] == [codes.VALUE_OUT_OF_RANGE]


def test_a_point_that_fails_its_field_checks_fails_the_spec_and_is_named(tmp_path):
    result = load(write(tmp_path, STARTUP.replace("RANGE", "0..2")))
    assert not result.ok
    (d,) = result.diagnostics
    assert d.code == codes.VALUE_OUT_OF_RANGE  # failureThreshold must be at least 1
    assert d.notes[-1].message == "at the point failureThreshold = 0"


def test_too_many_points_is_a_diagnostic_not_a_long_run(tmp_path):
    text = STARTUP.replace("RANGE", "1..300")
    result = load(write(tmp_path, text))
    assert not result.ok and result.diagnostics[0].code == codes.VALUE_OUT_OF_RANGE
    assert "300 points" in result.diagnostics[0].message


# ------------------------------------------------------- merged system vs each point


@pytest.mark.parametrize("name", ["startup-threshold", "replicas-drain"])
def test_the_merged_system_restricted_to_a_point_is_that_point(name):
    spec, merged = merged_of(str(SYMBOLIC / f"{name}.pod"))
    for k, (point, instance) in enumerate(spec.instances):
        own = compile_spec(instance).value
        assert own is not None
        alone, _ = explore(own, NO_SYMMETRY)
        restricted = restrict(merged, 0, [point[0]])
        together, _ = explore(restricted, NO_SYMMETRY)
        assert summary(together) == summary(alone), point
        assert together.stats.states == alone.stats.states, point
        assert (together.deadlock is None) == (alone.deadlock is None), point
        assert all(s.state[merged.param_vars[0]] == point[0]
                   for r in together.results if r.trace for s in r.trace.steps), k


def test_bfs_on_the_merged_system_finds_the_shortest_run_over_every_point():
    spec, merged = merged_of(str(SYMBOLIC / "startup-threshold.pod"))
    # per point (BFS on each point alone): violated in 2 ft + 2 steps up to 7, then holds
    expected = {ft: 2 * ft + 2 for ft in range(1, 8)}
    for point, instance in spec.instances:
        result, _ = explore(compile_spec(instance).value, NO_SYMMETRY)
        (r,) = result.results
        assert (r.trace.length if r.trace else None) == expected.get(point[0])
    result, _ = explore(merged.system, NO_SYMMETRY)
    (r,) = result.results
    assert r.verdict is Verdict.VIOLATED and r.trace.length == 4
    assert param_line(merged.system, r) == (
        "with failureThreshold = 1; the first startup probe of `app` 0 s after it started")


@pytest.mark.parametrize("ft", [1, 2, 3, 8])
def test_bmc_on_each_point_agrees_with_bfs(ft):
    _, merged = merged_of(str(SYMBOLIC / "startup-threshold.pod"))
    system = restrict(merged, 0, [ft])
    bfs = summary(explore(system, NO_SYMMETRY)[0])
    bmc = run_symbolic(system, SymbolicOptions(SymbolicEngine.BMC, 8, check_deadlock=False))
    (verdict, steps), (r,) = bfs[0], bmc.results
    if steps is not None:
        assert (r.verdict, r.trace.length) == (verdict, steps)
        assert r.trace.steps[0].state[merged.param_vars[0]] == ft
    else:
        assert r.verdict is Verdict.UNKNOWN and r.trace is None  # never a wrong run


def test_pdr_proves_the_safe_range_and_bfs_agrees_at_every_point():
    spec, merged = merged_of(str(SYMBOLIC / "startup-safe.pod"))
    for _, instance in spec.instances:
        (r,) = explore(compile_spec(instance).value, NO_SYMMETRY)[0].results
        assert r.verdict is Verdict.HOLDS
    (r,) = run_symbolic(merged.system, SymbolicOptions(SymbolicEngine.PDR)).results
    assert r.verdict is Verdict.HOLDS and r.invariant is not None
    assert param_line(merged.system, r) == "for every failureThreshold in 8..12"


def test_at_points_is_one_interval_per_run_of_values():
    assert at_points([0], [(1,), (2,), (3,)], 3) == ir.TRUE
    guard = at_points([0], [(1,), (2,), (5,)], 6)
    for v in range(0, 8):
        assert ir.evaluate(guard, (v,)) == (v in (1, 2, 5)), v
    assert intervals([5, 1, 2, 3, 7]) == ((1, 3), (5, 5), (7, 7))


# ------------------------------------------------------------------------- tune


def test_tune_by_z3_and_by_bfs_agree_at_every_value(tmp_path):
    _, merged = merged_of(write(tmp_path, STARTUP.replace("RANGE", "6..9")))
    by_z3 = tune(merged, 0, TuneOptions(use_z3=True))
    by_bfs = tune(merged, 0, TuneOptions(use_z3=False))
    assert [(v.value, v.holds) for v in by_z3.values] == [
        (v.value, v.holds) for v in by_bfs.values]
    assert by_z3.holding() == ((8, 9),)
    assert {v.method for v in by_z3.values} == {Method.Z3}
    assert {v.method for v in by_bfs.values} == {Method.BFS}


def test_tune_decides_liveness_per_point_by_bfs():
    _, merged = merged_of(str(SYMBOLIC / "replicas-drain.pod"))
    tuning = tune(merged, 0)
    assert tuning.holding() == ((2, 3),)
    assert [(v.value, v.failing, v.method) for v in tuning.values if not v.holds] == [
        (1, "drain-completes", Method.BFS)]


def test_tune_command_prints_the_patch_and_names_unknown_parameters(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, STARTUP.replace("RANGE", "1..9"))
    ok = CliRunner().invoke(app, ["tune", "spec.pod", "--param", "failureThreshold", "--bfs"])
    assert ok.exit_code == 0, ok.stdout
    assert "-      failureThreshold: 1..9\n+      failureThreshold: 8\n" in ok.stdout
    bad = CliRunner().invoke(app, ["tune", "spec.pod", "--param", "replicas"])
    assert bad.exit_code == 2
    assert "no parameter `replicas`" in bad.stderr


def test_a_range_bounded_by_an_earlier_parameter_keeps_only_its_points(tmp_path):
    text = (STARTUP.replace("RANGE", "1..3")
            .replace("periodSeconds: 10", "periodSeconds: 1..failureThreshold"))
    result = load(write(tmp_path, text))
    assert not result.ok  # periodSeconds comes first: `failureThreshold` is not earlier
    assert result.diagnostics[0].code == codes.VALUE_OUT_OF_RANGE
    text = STARTUP.replace("RANGE", "1..periodSeconds").replace(
        "periodSeconds: 10", "periodSeconds: 2..4")
    spec = load(write(tmp_path, text)).value
    period, threshold = spec.params
    assert (threshold.lo, threshold.hi, threshold.upto) == (1, 4, period.name)
    assert [v for v, _ in spec.instances] == [
        (p, t) for p in (2, 3, 4) for t in range(1, p + 1)]


def test_the_witness_names_where_each_first_probe_tick_fell():
    """NOTE(probe-offsets): at every failing initialDelaySeconds d of
    tune-initial-delay.pod the run's first liveness tick lies in [d, d + period)
    after the start (prober/worker.go: the ticker runs from the worker's start, doProbe
    skips until initialDelaySeconds), and the kill comes two periods later."""
    import re

    from podcheck.report.clock import step_times
    from podcheck.report.params import probe_offsets

    _, merged = merged_of(str(SYMBOLIC / "tune-initial-delay.pod"))
    tuning = tune(merged, 0, TuneOptions(use_z3=False))
    failing = [v for v in tuning.values if not v.holds]
    assert [v.value for v in failing] == list(range(15, 21))
    for v in failing:
        assert v.trace is not None
        (offset,) = probe_offsets(v.trace)
        first = int(re.search(r"(\d+) s after", offset).group(1))
        assert v.value <= first < v.value + 10, (v.value, offset)
        assert step_times(v.trace)[-1] == first + 20


PERCENT = """
cluster { nodes: 2 }
deployment web {
  replicas: 2
  template {
    labels: { app: web }
    container app { image: "nginx:1.27" }
  }
}
pdb web-pdb {
  selector: { app: web }
  minAvailable: 50%..51%
}
environment { drain: [n1] }
check drain-completes
"""


def test_a_percent_parameter_is_written_as_kubernetes_writes_it(tmp_path, monkeypatch):
    """`41%`, not `41 %`, in the witness, the verdict's range, `tune`'s intervals and its
    patch (51% of two replicas rounds up to 2: the drain never completes)."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, PERCENT)
    checked = CliRunner().invoke(app, ["check", "spec.pod"])
    assert checked.exit_code == 1, checked.stdout
    assert "  with minAvailable = 51%\n" in checked.stdout
    assert "parameters   minAvailable = 51%\n" in checked.stdout
    tuned = CliRunner().invoke(app, ["tune", "spec.pod", "--param", "minAvailable", "--largest"])
    assert tuned.exit_code == 0, tuned.stdout
    assert "parameter `web-pdb.minAvailable` in 50%..51%\n" in tuned.stdout
    assert "  `drain-completes` fails for minAvailable in 51%\n" in tuned.stdout
    assert "largest holding value: 50%\n" in tuned.stdout
    assert "-  minAvailable: 50%..51%\n+  minAvailable: 50%\n" in tuned.stdout
    assert " %" not in checked.stdout + tuned.stdout

"""Parameters from manifest annotations beyond the probe ranges (issue 12, item 1): a
PodDisruptionBudget's `podcheck.io/range.minAvailable` (bounded by its target's replicas,
the DSL's `minAvailable: 1..replicas`) and a fixed start time
(`podcheck.io/startup-seconds: "fixed 20-60"`, the DSL's `startup: fixed 20s..60s`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.diagnostics import codes as c
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import LIVENESS, check_liveness
from podcheck.engine.params import compile_points
from podcheck.engine.pycompile import compile_predicate
from podcheck.lang.check import load as load_pod
from podcheck.manifests import ManifestOptions, load_inputs
from podcheck.model.compile import compile_spec

ROOT = Path(__file__).resolve().parents[2]
PDB_RANGE = ROOT / "specs" / "manifests" / "pdb-min-available-range.yaml"
OPTIONS = ManifestOptions(nodes=2, failures=0, checks=("drain-completes", "budget-respected"))
TWIN = """
cluster { nodes: 2 }
deployment web {
  replicas: 1..3
  template {
    labels: { app: web }
    container app { image: "nginx:1.27" }
  }
}
pdb web-pdb {
  selector: { app: web }
  minAvailable: 1..replicas
}
environment {
  drain: [n1, n2]
  drainMode: one-at-a-time
}
check drain-completes
check budget-respected
"""


def verdicts(system):
    """The state count and each property's verdict (liveness decided on the graph)."""
    result, graph = explore(system, BfsOptions(symmetry=False, keep_graph=True))
    return result.stats.states, [
        check_liveness(graph, p, compile_predicate=lambda e: compile_predicate(system, e)).verdict
        if p.expectation in LIVENESS else r.verdict
        for p, r in zip(system.properties, result.results, strict=True)]


def at_point(merged, point):
    init = tuple(s for s in merged.system.init
                 if tuple(s[v] for v in merged.param_vars) == point)
    return replace(merged.system, init=init)


def test_the_budget_range_is_the_dsl_parameter_bounded_by_the_replicas():
    spec = load_inputs([str(PDB_RANGE)], OPTIONS).result.value
    assert spec is not None
    assert [(p.name, p.lo, p.hi, p.upto) for p in spec.params] == [
        ("web.replicas", 1, 3, ""), ("web-pdb.minAvailable", 1, 3, "web.replicas")]
    assert [p for p, _ in spec.instances] == [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3)]
    assert [(i.workloads[0].replicas, i.pdbs[0].minAvailable.value)
            for _, i in spec.instances] == [p for p, _ in spec.instances]


def test_the_manifest_and_its_dsl_twin_agree_at_every_point(tmp_path):
    """The twin (`replicas: 1..3`, `minAvailable: 1..replicas`, the manifest's default
    rolling maintenance of both nodes): at each of the six points the same state count
    and verdicts (drain-completes fails where minAvailable equals the count)."""
    yaml = load_inputs([str(PDB_RANGE)], OPTIONS).result.value
    path = tmp_path / "twin.pod"
    path.write_text(TWIN, encoding="utf-8")
    dsl = load_pod(str(path)).value
    assert dsl is not None and [p for p, _ in dsl.instances] == [p for p, _ in yaml.instances]
    from_yaml = compile_points(yaml, compile_spec).value
    from_dsl = compile_points(dsl, compile_spec).value
    for point, _ in yaml.instances:
        got = verdicts(at_point(from_yaml, point))
        assert got == verdicts(at_point(from_dsl, point)), point
        assert [v.value for v in got[1]] == [
            "violated" if point[0] == point[1] else "holds", "holds"], point


DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web-pdb
  annotations: {ANNOTATION}
spec:
  BUDGET
  selector: {matchLabels: {app: web}}
"""
BAD = [
    ('podcheck.io/range.minAvailable: "1-3"', "minAvailable: 1", "more than `web` has replicas"),
    ('podcheck.io/range.minAvailable: "2-1"', "minAvailable: 1", "not a range"),
    ('podcheck.io/range.minAvailable: "0-1"', "maxUnavailable: 1",
     "the budget sets maxUnavailable"),
    ('podcheck.io/range.maxUnavailable: "0-1"', "maxUnavailable: 50%", "not a percent range"),
    ('podcheck.io/range.maxUnavailable: "10%-50%"', "maxUnavailable: 1", "not a range"),
    ('podcheck.io/range.minAvailable: "50%-101%"', "minAvailable: 50%", "not a percent range"),
    ('podcheck.io/range.replicas: "0-1"', "minAvailable: 1", "not a budget field"),
]


@pytest.mark.parametrize(("annotation", "budget", "words"), BAD, ids=[w for *_, w in BAD])
def test_an_unreadable_budget_range_is_pc411(tmp_path, annotation, budget, words):
    path = tmp_path / "app.yaml"
    path.write_text(DEPLOYMENT.replace("ANNOTATION", annotation).replace("BUDGET", budget))
    result = load_inputs([str(path)], OPTIONS).result
    assert result.value is None
    (problem,) = [d for d in result.diagnostics if d.code == c.INVALID_BEHAVIOR_ANNOTATION]
    assert words in problem.message


def test_a_percent_budget_range_rounds_up_as_kubernetes_does_at_every_point(tmp_path):
    """`"40%-60%"` on minAvailable 50% of two replicas: a parameter of whole percents;
    at concrete points the instance has the same verdicts as the manifest with that
    literal percent (41%..50% round up to 1 of 2, 51% and more to 2: the drain of both
    nodes one at a time then never completes)."""
    path = tmp_path / "app.yaml"
    annotation = 'podcheck.io/range.minAvailable: "40%-60%"'
    path.write_text(DEPLOYMENT.replace("ANNOTATION", annotation)
                    .replace("BUDGET", "minAvailable: 50%"))  # fmt: skip
    spec = load_inputs([str(path)], OPTIONS).result.value
    assert spec is not None
    assert [(p.name, p.lo, p.hi, p.unit) for p in spec.params] == [
        ("web-pdb.minAvailable", 40, 60, "%")]
    assert spec.params[0].literal(45) == '"45%"'
    points = dict(spec.instances)
    for percent in (40, 50, 51, 60):
        budget = points[(percent,)].pdbs[0].minAvailable
        assert budget is not None and (budget.value, budget.percent) == (percent, True)
        literal = tmp_path / f"at{percent}.yaml"
        literal.write_text(DEPLOYMENT.replace("annotations: {ANNOTATION}", "annotations: {}")
                           .replace("BUDGET", f"minAvailable: {percent}%"))  # fmt: skip
        twin = load_inputs([str(literal)], OPTIONS).result.value
        assert twin is not None and not twin.params
        got = verdicts(compile_spec(points[(percent,)]).value)
        assert got == verdicts(compile_spec(twin).value), percent
        assert got[1][0].value == ("violated" if percent > 50 else "holds"), percent


POD = """apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    podcheck.io/startup-seconds: "START"
    podcheck.io/outcome.app: runs
spec:
  containers:
  - name: app
    image: example/app:1
    startupProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 10
      failureThreshold: 3
"""
POD_OPTIONS = ManifestOptions(nodes=1, failures=0, concurrent_drains=0,
                              checks=("no-crash-loop",))


def _pod(tmp_path: Path, start: str):
    path = tmp_path / f"app-{start.replace(' ', '-')}.yaml"
    path.write_text(POD.replace("START", start))
    return load_inputs([str(path)], POD_OPTIONS).result.value


def test_a_fixed_start_time_annotation_is_a_parameter_each_point_that_value(tmp_path):
    """`"fixed 15-25"`: every point is the manifest written with that single start time
    (state count and verdicts); the probes kill a start not up by 20 s."""
    spec = _pod(tmp_path, "fixed 15-25")
    assert spec is not None
    (param,) = spec.params
    assert (param.name, param.lo, param.hi, param.unit) == ("app.behavior.startup", 15, 25, "s")
    merged = compile_points(spec, compile_spec).value
    for (value,), _ in spec.instances:
        plain = compile_spec(_pod(tmp_path, str(value))).value
        got = verdicts(at_point(merged, (value,)))
        assert got == verdicts(plain), value
        assert [v.value for v in got[1]] == ["holds" if value < 20 else "violated"], value


TUNED = [  # (spec, tune's arguments, the options `check` reads the manifests with)
    (ROOT / "specs" / "symbolic" / "tune-startup.pod", ["--param", "failureThreshold", "--bfs"],
     []),
    (ROOT / "specs" / "symbolic" / "tune-fixed-startup.pod", ["--param", "startup", "--bfs"],
     []),
    (ROOT / "specs" / "manifests" / "startup-threshold-range.yaml",
     ["--param", "failureThreshold", "--bfs"],
     ["--nodes", "1", "--failures", "0", "--concurrent-drains", "0", "--check", "no-crash-loop"]),
    (ROOT / "specs" / "manifests" / "hpa-range.yaml", ["--param", "replicas", "--bfs"],
     ["--nodes", "2", "--failures", "0", "--check", "drain-completes",
      "--check", "budget-respected"]),
    (ROOT / "specs" / "manifests" / "tune-min-available.yaml",
     ["--param", "minAvailable", "--largest"],
     ["--nodes", "2", "--failures", "0", "--check", "drain-completes",
      "--check", "budget-respected"]),
]


def _apply(patch: list[str], text: str) -> str:
    """The text with every one-line hunk of `tune`'s patch applied (each `-` line must be
    the file's line, as `patch` would check)."""
    lines = text.splitlines(keepends=True)
    hunks = [i for i, line in enumerate(patch) if line.startswith("@@ -")]
    assert hunks
    for at in hunks:
        number = int(patch[at].split()[1][1:])
        old, new = patch[at + 1], patch[at + 2]
        assert old.startswith("-") and lines[number - 1].rstrip("\n") == old[1:]
        assert new.startswith("+")
        lines[number - 1] = new[1:] + "\n"
    return "".join(lines)


@pytest.mark.parametrize(("spec", "args", "options"), TUNED, ids=[t[0].name for t in TUNED])
def test_the_printed_patch_applied_makes_every_property_hold(tmp_path, spec, args, options):
    """`tune` prints a patch of the spec or manifest line; applied to a copy, `check` on
    the copy (with the options tune was given) finds every property holding."""
    runner = CliRunner()
    tuned = runner.invoke(app, ["tune", str(spec), *args, *options])
    assert tuned.exit_code == 0, tuned.output
    patch = tuned.stdout.splitlines()
    patched = tmp_path / spec.name
    patched.write_text(_apply(patch, spec.read_text(encoding="utf-8")), encoding="utf-8")
    for line in ("expect never-restarted violated\n",):
        patched.write_text(patched.read_text(encoding="utf-8").replace(line, ""))
    checked = runner.invoke(app, ["check", str(patched), *options])
    assert checked.exit_code == 0, checked.stdout
    assert "violated" not in checked.stdout


def _tuned(tmp_path: Path, name: str, text: str, args: list[str]) -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    tuned = CliRunner().invoke(app, ["tune", str(path), *args])
    assert tuned.exit_code == 0, tuned.output
    return tuned.stdout.splitlines()


def test_the_patch_sets_the_kubernetes_field_the_annotation_stands_for(tmp_path):
    """NOTE(tune-field-patch): the budget's own `minAvailable` (quoted as written) and a
    probe field the manifest writes are set to the value found next to the annotation,
    so the cluster gets what podcheck checked; a field left to its default is named."""
    budget = (ROOT / "specs" / "manifests" / "tune-min-available.yaml").read_text()
    budget = budget.replace('"0-2"', '"40%-51%"').replace("minAvailable: 2\n",
                                                         'minAvailable: "51%"\n')
    patch = _tuned(tmp_path, "budget.yaml", budget, [
        "--param", "minAvailable", "--largest", "--nodes", "2", "--failures", "0",
        "--check", "drain-completes"])
    hunks = [line for line in patch if line[:1] in "+-" and line[:3] not in ("---", "+++")]
    assert hunks == ['-    podcheck.io/range.minAvailable: "40%-51%"',
                     '+    podcheck.io/range.minAvailable: "50%"',
                     '-  minAvailable: "51%"', '+  minAvailable: "50%"']
    assert 'minAvailable: "50%"\n' in _apply(patch, budget)
    probe = (ROOT / "specs" / "manifests" / "startup-threshold-range.yaml").read_text()
    probe = probe.replace('"1-10"', '"7-8"')
    options = ["--param", "failureThreshold", "--bfs", "--nodes", "1", "--failures", "0",
               "--concurrent-drains", "0", "--check", "no-crash-loop"]
    unset = _tuned(tmp_path, "unset.yaml", probe, options)
    assert unset[-1] == ("note: the manifest leaves `startupProbe.failureThreshold` of "
                         "container `app` to its default; set it to 8 too, so that the "
                         "cluster runs the value checked")
    written = probe.replace("      periodSeconds: 10\n",
                            "      periodSeconds: 10\n      failureThreshold: 3\n")
    patch = _tuned(tmp_path, "written.yaml", written, options)
    assert patch[-2:] == ["-      failureThreshold: 3", "+      failureThreshold: 8"]
    assert "failureThreshold: 8\n" in _apply(patch, written)

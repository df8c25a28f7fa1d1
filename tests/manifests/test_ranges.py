"""Symbolic parameters from manifest annotations (issue 12, item 1): the range annotation
`podcheck.io/range.<container>.<probe>.<field>` declares the parameter the DSL's
`failureThreshold: 1..10` declares, and each point is the manifest with that value."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.diagnostics import codes as c
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.params import compile_points, restrict
from podcheck.engine.pycompile import compile_predicate
from podcheck.engine.result import Verdict
from podcheck.manifests import ManifestOptions, load_inputs
from podcheck.model.compile import compile_spec

POD = """apiVersion: v1
kind: Pod
metadata:
  name: app
  annotations:
    podcheck.io/startup-seconds: "20-60"
    podcheck.io/outcome.app: runs
    RANGE
spec:
  containers:
  - name: app
    image: example/app:1
    startupProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 10
      failureThreshold: FT
"""
ANNOTATION = 'podcheck.io/range.app.startupProbe.failureThreshold: "1-10"'
OPTIONS = ManifestOptions(nodes=1, failures=0, concurrent_drains=0, checks=("no-crash-loop",))


def load(tmp_path: Path, annotation: str = ANNOTATION, ft: str = "3"):
    path = tmp_path / "app.yaml"
    path.write_text(POD.replace("RANGE", annotation).replace("FT", ft))
    return load_inputs([str(path)], OPTIONS).result


def verdicts(system):
    """The state count and each property's verdict (liveness decided on the graph; a
    lasso's length depends on the search order, so it is not compared)."""
    result, graph = explore(system, BfsOptions(symmetry=False, keep_graph=True))
    return result.stats.states, [
        check_liveness(graph, p, compile_predicate=lambda e: compile_predicate(system, e)).verdict
        for p in system.properties]


def test_the_annotation_is_a_parameter_named_as_the_dsl_names_it(tmp_path):
    spec = load(tmp_path).value
    assert spec is not None
    (param,) = spec.params
    assert (param.name, param.lo, param.hi) == ("app.app.startupProbe.failureThreshold", 1, 10)
    assert param.span.line == 8  # the annotation's line
    got = [inst.workloads[0].template.containers[0].startupProbe.failureThreshold
           for _, inst in spec.instances]
    assert got == list(range(1, 11)) and [p for p, _ in spec.instances] == [(v,) for v in got]


@pytest.mark.parametrize(("value", "verdict"), [(1, Verdict.VIOLATED), (5, Verdict.VIOLATED),
                                                (7, Verdict.VIOLATED), (8, Verdict.HOLDS)])
def test_each_point_is_the_manifest_with_that_value(tmp_path, value, verdict):
    """The merged system restricted to a point has the state count and verdicts of the
    manifest written with that failureThreshold and no annotation: a 20..60 s starter
    behind a 10 s startup probe crash-loops up to failureThreshold 7 (the failures at
    0, 10, ... 60 s), not from 8 on, as specs/symbolic/startup-threshold.pod says."""
    spec = load(tmp_path).value
    merged = compile_points(spec, compile_spec).value
    at = restrict(merged, 0, [value])
    plain = compile_spec(load(tmp_path, "example.com/team: web", str(value)).value).value
    assert verdicts(at) == verdicts(plain)
    assert verdicts(plain)[1] == [verdict]


BAD = [
    ('podcheck.io/range.web.startupProbe.failureThreshold: "1-3"', "no app container `web`"),
    ('podcheck.io/range.app.livenessProbe.failureThreshold: "1-3"', "has no livenessProbe"),
    ('podcheck.io/range.app.startupProbe.successThreshold: "1-3"', "not a probe field"),
    ('podcheck.io/range.app.startupProbe.failureThreshold: "3-1"', "not a range"),
    ('podcheck.io/range.app.startupProbe.failureThreshold: "0-3"', "at least 1"),
    ('podcheck.io/range.app.startupProbe.failureThreshold: "1-300"', "more than 256 points"),
]


@pytest.mark.parametrize(("annotation", "words"), BAD, ids=[w for _, w in BAD])
def test_an_unreadable_range_is_pc411(tmp_path, annotation, words):
    result = load(tmp_path, annotation)
    assert result.value is None
    (problem,) = [d for d in result.diagnostics if d.code == c.INVALID_BEHAVIOR_ANNOTATION]
    assert words in problem.message

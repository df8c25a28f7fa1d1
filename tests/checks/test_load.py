"""`load`: reading files, imports, defaults, normalisation, and robustness."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.diagnostics import Severity
from podcheck.diagnostics.expectations import collect, mismatches
from podcheck.lang.check import LoadOptions, bundled_models_dir, load, load_with_sources
from podcheck.spec import (
    Binary,
    DrainMode,
    Duration,
    DurationRange,
    IntOrPercent,
    Outcome,
    Probe,
    ProbeKind,
    Temporal,
)

DATA = Path(__file__).parent / "data"
MODELS = LoadOptions(models_dir=DATA / "models")


def _load_text(tmp_path: Path, text: str, options: LoadOptions | None = None):
    path = tmp_path / "spec.pod"
    path.write_text(text, encoding="utf-8")
    return load(str(path), options or LoadOptions())


def _codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def test_diamond_and_dotted_imports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA / "imports")
    loaded = load_with_sources("root.pod", MODELS)
    assert loaded.result.ok, loaded.result.diagnostics
    spec = loaded.result.value
    assert spec is not None
    assert sorted(loaded.sources) == sorted(
        ["root.pod", "left.pod", "right.pod", "base.pod", str(DATA / "models/env/drain-one.pod")]
    )
    assert spec.environment.drain == ("n1",) and spec.environment.podDeletes == 1
    behavior = spec.workloads[0].template.containers[0].behavior
    assert behavior.name == "from-base" and behavior.startup.lo == Duration(5000)


def test_import_errors_carry_their_expectations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA / "imports")
    loaded = load_with_sources("bad-dotted.pod", MODELS)
    problems = mismatches(collect(loaded.sources), loaded.result.diagnostics)
    assert not problems, "\n".join(problems)


def test_import_cycle_has_a_note_per_hop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    result = load("cycle-a.pod")
    (cycle,) = [d for d in result.diagnostics if d.code == "PC111"]
    assert [n.span.file for n in cycle.notes if n.span] == ["cycle-a.pod", "_cycle-b.pod"]


def test_bundled_models_dir_is_the_repository_models_folder() -> None:
    assert (bundled_models_dir() / "env" / "rolling-drain.pod").is_file()


def test_bundled_dotted_import_resolves(tmp_path: Path) -> None:
    result = _load_text(tmp_path, "import env.rolling-drain\ncluster { nodes: 2 }\n"
                        "environment { include: [rolling-drain] }\n")
    assert result.ok and result.value is not None
    assert result.value.environment.drain == ("n1", "n2")


@pytest.mark.parametrize(
    "data", [b"\x89PNG\r\n\x1a\n\x00\x00", b"pod a {\n  container \xff {}\n}\n"]
)
def test_undecodable_files_are_diagnosed_with_a_frame(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.pod"
    path.write_bytes(data)
    loaded = load_with_sources(str(path))
    (diag,) = loaded.result.diagnostics
    assert diag.code == "PC015" and "not valid UTF-8" in diag.message
    assert str(path) in loaded.sources  # so the frame can be shown


def test_non_utf8_position_is_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.pod"
    path.write_bytes(b"pod a {\n  container \xff {}\n}\n")
    (diag,) = load(str(path)).diagnostics
    assert diag.span is not None and (diag.span.line, diag.span.column) == (2, 13)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert _codes(load(str(tmp_path / "nope.pod"))) == ["PC112"]
    assert _codes(load(str(tmp_path))) == ["PC117"]  # a directory is no regular file


ROBUSTNESS = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "nul": b"\x00" * 100,
    "deep-blocks": b"a { " * 5000 + b"}" * 5000,
    "deep-lists": b"pod a { labels: " + b"[" * 5000 + b"]" * 5000 + b" }",
    "deep-parens": b"property p: " + b"(" * 5000 + b"true" + b")" * 5000,
    "deep-not": b"property p: " + b"not " * 5000 + b"true",
    "huge": b"pod p { container c { ports: [" + b"1 " * 200_000 + b"] } }",
    "many-blocks": b"".join(b"pod p%d { container c { } }\n" % i for i in range(3000)),
    "huge-int": b"deployment d { replicas: " + b"9" * 5000 + b" template { container c {} } }",
    "unicode": "pod p { container c { image: \"\u00e9\u4e2d\U0001f600\" } }".encode(),
    "bom": b"\xef\xbb\xbfpod p { container c { } }",
    "crlf": b"pod p {\r\n  container c { }\r\n}\r\n",
}


@pytest.mark.parametrize("name", sorted(ROBUSTNESS))
def test_no_input_produces_a_traceback(tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.pod"
    path.write_bytes(ROBUSTNESS[name])
    loaded = load_with_sources(str(path))
    result = loaded.result
    assert (result.value is None) == (not result.ok)
    assert all(d.severity is Severity.ERROR or result.ok for d in result.diagnostics)
    from podcheck.diagnostics.render import render

    for fmt in ("text", "json", "github"):
        render(result.diagnostics, loaded.sources, fmt)


def test_defaults_are_kubernetes_defaults(tmp_path: Path) -> None:
    result = _load_text(
        tmp_path,
        "deployment d { template { initContainer i { } container c { livenessProbe { } } } }\n"
        "job j { template { restartPolicy: Never  container c { } } }\n"
        "pdb b { minAvailable: 1 }\n",
    )
    assert result.ok and result.value is not None
    deployment, job = result.value.workloads
    assert deployment.maxSurge == deployment.maxUnavailable == IntOrPercent(25, True)
    assert (job.completions, job.parallelism, job.backoffLimit) == (1, 1, 6)
    template = deployment.template
    assert template.restartPolicy == "Always" and template.terminationGracePeriodSeconds == 30
    assert template.initContainers[0].behavior.outcome is Outcome.SUCCEEDS
    assert template.containers[0].behavior.outcome is Outcome.RUNS
    assert template.containers[0].livenessProbe == Probe(ProbeKind.LIVENESS, 0, 10, 1, 3, 1)
    assert result.value.pdbs[0].unhealthyPodEvictionPolicy == "IfHealthyBudget"


def test_sidecar_and_profile_outcomes(tmp_path: Path) -> None:
    result = _load_text(
        tmp_path,
        "behavior slow { startup: 1s..2m }\n"
        "pod p { initContainer s { restartPolicy: Always  behavior: slow }\n"
        "        initContainer i { behavior: slow }  container c { behavior: slow } }\n",
    )
    assert result.value is not None
    template = result.value.workloads[0].template
    sidecar, init = template.initContainers
    assert sidecar.is_sidecar and sidecar.behavior.outcome is Outcome.RUNS
    assert init.behavior.outcome is Outcome.SUCCEEDS
    assert init.behavior.startup == DurationRange(Duration(1000), Duration(120_000))


def test_formula_normalisation(tmp_path: Path) -> None:
    result = _load_text(
        tmp_path,
        "pod a { container c { } }\n"
        "property bare: forall p in pods: p.ready\n"
        "property lt: always ((exists p in pods: p.ready) implies eventually true)\n"
        "property ae: always eventually true\n"
        "property ev: eventually true\n"
        "property to: true ~> false\n",
    )
    assert result.ok and result.value is not None
    ops = {p.name: p.formula for p in result.value.properties}
    assert all(isinstance(f, Temporal) for f in ops.values())
    assert [f.op for f in ops.values()] == [  # type: ignore[union-attr]
        "always", "leadsto", "always_eventually", "eventually", "leadsto"
    ]
    leadsto = ops["lt"]
    assert isinstance(leadsto, Temporal) and not isinstance(leadsto.args[1], Binary)


def test_builtins_from_check_and_expect(tmp_path: Path) -> None:
    result = _load_text(
        tmp_path,
        "deployment web { template { container c { } } }\n"
        "check eventually-ready(web)\nexpect eventually-ready holds\nexpect no-deadlock holds\n",
    )
    assert result.value is not None
    decls = {p.name: p for p in result.value.properties}
    assert decls["eventually-ready"].builtin == "eventually-ready"
    assert decls["eventually-ready"].args == ("web",)
    assert decls["no-deadlock"].builtin == "no-deadlock" and decls["no-deadlock"].formula is None
    assert [e.property for e in result.value.expects] == ["eventually-ready", "no-deadlock"]


def test_environment_includes_merge(tmp_path: Path) -> None:
    result = _load_text(
        tmp_path,
        "cluster { nodes: [a, b, c] }\n"
        "environment x { drain: [c]  nodeFailures: 2  fairness: { kubelet: weak } }\n"
        "environment y { include: [x]  drainMode: concurrent }\n"
        "environment { include: [y]  drain: [a]  nodeFailures: 1 "
        " fairness: { kubelet: strong, eviction-api: none } }\n",
    )
    assert result.value is not None
    env = result.value.environment
    assert env.drain == ("a", "c") and env.nodeFailures == 2
    assert env.drainMode is DrainMode.CONCURRENT
    assert env.fairness == (("eviction-api", "none"), ("kubelet", "strong"))


def test_no_environment_means_no_disruptions(tmp_path: Path) -> None:
    result = _load_text(tmp_path, "environment quiet { drain: all }\npod a { container c { } }\n")
    assert result.value is not None and result.value.environment.drain == ()


def test_errors_withhold_the_spec_but_keep_going(tmp_path: Path) -> None:
    result = _load_text(
        tmp_path,
        "pod a { restartPolicy: Sometimes  container c { ports: [0] } }\nexpect nope holds\n",
    )
    assert result.value is None
    assert sorted(_codes(result)) == ["PC106", "PC202", "PC203"]


def test_parse_errors_stop_before_checking(tmp_path: Path) -> None:
    result = _load_text(tmp_path, "pod a { replicsa: 3 \n")
    assert result.value is None
    assert all(d.code.startswith("PC0") for d in result.diagnostics)

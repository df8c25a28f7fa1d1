"""Naming what you mean: `p.container(app)` and `p.reason` in formulas."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.check import CheckOptions, load_and_compile
from podcheck.diagnostics import codes
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.result import Verdict
from podcheck.lang.check import LoadOptions, load
from podcheck.lang.driver import format_file
from podcheck.spec import POD_FIELDS, Attr, ContainerOf, Quant, Ref, Temporal
from podcheck.vocab import Reason

POD = """cluster { node n1 { } }
pod api {
  restartPolicy: Always
  initContainer setup { behavior { outcome: succeeds  run: 1s } }
  container app { behavior { outcome: fails  run: 5s } }
  container side { }
}
"""


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.pod"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_container_of_parses_to_its_own_node(tmp_path: Path) -> None:
    result = load(_write(tmp_path, POD + "property a: api.container(app).restarts < 2\n"
                         "property b: forall p in pods: p.container (side).ready\n"),
                  LoadOptions())
    assert result.ok and result.value is not None
    a, b = (p.formula for p in result.value.properties)
    assert isinstance(a, Temporal) and isinstance(b, Temporal)
    left = a.args[0].left  # type: ignore[union-attr]
    assert left == Attr(ContainerOf(Ref("api"), "app"), "restarts")
    body = b.args[0]
    assert isinstance(body, Quant)
    assert body.body == Attr(ContainerOf(Ref("p"), "side"), "ready")


def test_a_field_named_container_is_still_a_field(tmp_path: Path) -> None:
    result = load(_write(tmp_path, POD + "property a: api.container\n"), LoadOptions())
    assert [d.code for d in result.diagnostics] == [codes.UNKNOWN_OBJECT_FIELD]


def test_container_of_needs_a_pod_and_gives_container_fields(tmp_path: Path) -> None:
    result = load(_write(tmp_path, POD + "property a: forall n in nodes: "
                         "n.container(app).ready\nproperty b: api.container(app).phase "
                         "== Running\n"), LoadOptions())
    assert [d.code for d in result.diagnostics] == [codes.FORMULA_TYPE_MISMATCH,
                                                    codes.UNKNOWN_OBJECT_FIELD]


def test_fmt_round_trips(tmp_path: Path) -> None:
    formatted = format_file(_write(tmp_path, POD + "property a: api.container( app ).restarts<2\n"))
    assert formatted.formatted is not None
    assert "property a: api.container(app).restarts < 2\n" in formatted.formatted


def test_verdicts_name_one_container(tmp_path: Path) -> None:
    props = ("property app: always api.container(app).restarts < 1\n"
             "property side: always api.container(side).restarts == 0\n"
             "property init: always api.container(setup).restarts == 0\n")
    compiled, _, _ = load_and_compile(_write(tmp_path, POD + props), CheckOptions())
    assert compiled.value is not None, compiled.diagnostics
    result, _ = explore(compiled.value, BfsOptions())
    found = {r.name: r.verdict for r in result.results}
    assert found == {"app": Verdict.VIOLATED, "side": Verdict.HOLDS, "init": Verdict.HOLDS}


def test_an_unknown_container_is_a_model_diagnostic(tmp_path: Path) -> None:
    compiled, _, _ = load_and_compile(
        _write(tmp_path, POD + "property a: always api.container(nope).ready\n"), CheckOptions())
    assert compiled.value is None
    assert [d.code for d in compiled.diagnostics] == [codes.UNSUPPORTED_PROPERTY_SHAPE]
    assert "has no container `nope`" in compiled.diagnostics[0].message


@pytest.mark.parametrize("reason", ["OOMKilled"])
def test_a_reason_the_model_never_produces_is_pc302(tmp_path: Path, reason: str) -> None:
    compiled, _, _ = load_and_compile(
        _write(tmp_path, POD + f"property a: always api.reason != {reason}\n"), CheckOptions())
    assert compiled.value is None
    assert [d.code for d in compiled.diagnostics] == [codes.UNSUPPORTED_PROPERTY_SHAPE]
    assert f"never produces reason `{reason}`" in compiled.diagnostics[0].message


def test_reason_states_are_the_vocab_enum(tmp_path: Path) -> None:
    assert POD_FIELDS["reason"] == tuple(r.value for r in Reason)
    result = load(_write(tmp_path, POD + "property a: always api.reason != Evictd\n"),
                  LoadOptions())
    assert [d.code for d in result.diagnostics] == [codes.UNKNOWN_STATE_NAME]


def test_failed_scheduling_is_no_bind_enabled(tmp_path: Path) -> None:
    text = ("cluster { node n1 { capacity: { cpu: 1 } } }\n"
            "pod big { container app { resources { requests: { cpu: 2 } } } }\n"
            "pod small { container app { resources { requests: { cpu: 1 } } } }\n"
            "property big: always big.reason != FailedScheduling\n"
            "property small: always small.reason != FailedScheduling\n")
    compiled, _, _ = load_and_compile(_write(tmp_path, text), CheckOptions())
    assert compiled.value is not None, compiled.diagnostics
    result, _ = explore(compiled.value, BfsOptions())
    assert {r.name: r.verdict for r in result.results} == {
        "big": Verdict.VIOLATED, "small": Verdict.HOLDS}

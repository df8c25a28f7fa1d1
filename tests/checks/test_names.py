"""Name resolution in formulas happens in the checker, not the parser (NOTE(name-scopes)
in podcheck/lang/formulas.py): bound variables, then declared pods and nodes, then the
states of the compared field.  A pod named like a state can be referenced (issue 8)."""

from __future__ import annotations

from pathlib import Path

from podcheck.check import CheckOptions, load_and_compile
from podcheck.lang.check import load
from podcheck.lang.parse import parse
from podcheck.spec import Attr, Binary, CheckedSpec, EnumLit, Expr, Quant, Ref, Temporal

PODS = "cluster { nodes: [n1, Down] }\npod Ready { container c {} }\npod web { container c {} }\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.pod"
    path.write_text(PODS + text, encoding="utf-8")
    return path


def _checked(tmp_path: Path, text: str) -> CheckedSpec:
    result = load(str(_write(tmp_path, text)))
    assert result.value is not None, result.diagnostics
    return result.value


def _body(spec: CheckedSpec) -> Expr:
    formula = spec.properties[0].formula
    assert isinstance(formula, Temporal) and formula.op == "always"
    return formula.args[0]


def test_the_parser_leaves_every_name_a_ref() -> None:
    parsed = parse("property p: Ready.phase == Running\n", "x.pod").value
    assert parsed is not None
    formula = parsed.items[0].formula  # type: ignore[union-attr]
    assert formula == Binary("==", Attr(Ref("Ready"), "phase"), Ref("Running"))


def test_a_pod_named_ready_is_the_pod_and_running_the_state(tmp_path: Path) -> None:
    spec = _checked(tmp_path, "property p: always Ready.phase == Running\n")
    assert _body(spec) == Binary("==", Attr(Ref("Ready"), "phase"), EnumLit("Running"))


def test_a_declared_object_shadows_the_state_it_is_named_after(tmp_path: Path) -> None:
    # `Down` is a node here, so in `web.node == Down` it is the node, not the node state
    spec = _checked(tmp_path, "property p: always web.node == Down\n")
    assert _body(spec) == Binary("==", Attr(Ref("web"), "node"), Ref("Down"))


def test_an_unshadowed_state_resolves_on_either_side(tmp_path: Path) -> None:
    spec = _checked(tmp_path, "property p: always forall n in nodes: Cordoned != n.state\n")
    body = _body(spec)
    assert isinstance(body, Quant)
    assert body.body == Binary("!=", EnumLit("Cordoned"), Attr(Ref("n"), "state"))


def test_a_bound_variable_shadows_a_state(tmp_path: Path) -> None:
    spec = _checked(tmp_path, "property p: always forall Running in pods: Running.ready\n")
    body = _body(spec)
    assert isinstance(body, Quant) and body.body == Attr(Ref("Running"), "ready")


def test_a_pod_named_ready_compiles_into_the_model(tmp_path: Path) -> None:
    path = _write(tmp_path, "property p: always Ready.phase != Failed\n")
    compiled, _, _ = load_and_compile(str(path), CheckOptions())
    assert compiled.ok and compiled.value is not None
    assert [p.name for p in compiled.value.properties][:1] == ["p"]

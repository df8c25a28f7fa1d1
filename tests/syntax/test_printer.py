"""The canonical printer (podcheck.lang.printer): layout, minimal parentheses, round trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from podcheck.lang.ast import Block, Field, ListValue, MapValue, Scalar, SpecFile
from podcheck.lang.parse import parse
from podcheck.lang.printer import format_formula, format_spec
from podcheck.spec import Attr, Binary, Domain, IntLit, Quant, Ref, Temporal, Unary

DATA = Path(__file__).parent / "data"


def parsed(text: str) -> SpecFile:
    result = parse(text, "t.pod")
    assert result.value is not None, result.diagnostics
    return result.value


def test_sketch_formats_to_the_golden_text(update_goldens: bool) -> None:
    golden = DATA / "sketch.formatted.pod"
    text = format_spec(parsed((DATA / "sketch.pod").read_text()))
    if update_goldens:
        golden.write_text(text)
    assert text == golden.read_text()


def test_golden_is_a_fixed_point_and_round_trips() -> None:
    golden = (DATA / "sketch.formatted.pod").read_text()
    assert format_spec(parsed(golden)) == golden
    assert parsed(golden) == parsed((DATA / "sketch.pod").read_text())


def test_comments_are_kept() -> None:
    text = "# head\na { # x\n  b: 1 # y\n}\n"
    assert format_spec(parsed(text)) == "# head\na {  # x\n  b: 1  # y\n}\n"


def test_long_properties_break_after_the_name_and_the_main_operator() -> None:
    long = "forall p in pods(web): p.endpoint and not p.ready and p.phase == Running"
    text = format_spec(parsed(f"property p: always {long} implies {long}"))
    assert text == (
        "property p:\n"
        f"  always {long} implies\n"
        f"    {long}\n"
    )
    assert format_spec(parsed(text)) == text


def test_empty_spec_and_empty_block() -> None:
    assert format_spec(SpecFile(())) == ""
    assert format_spec(parsed("cluster { }")) == "cluster {}\n"


def test_declarations_are_grouped_by_kind() -> None:
    text = "import a\nimport b\nproperty p: x\ncheck c\ncheck d\nexpect p holds\n"
    assert format_spec(parsed(text)) == (
        "import a\nimport b\n\nproperty p: x\n\ncheck c\ncheck d\n\nexpect p holds\n"
    )


def test_long_maps_and_lists_break_one_entry_per_line() -> None:
    names = tuple(Scalar("name", f"item-number-{i}") for i in range(8))
    spec = SpecFile(
        (
            Block(
                "b",
                None,
                (
                    Field("l", ListValue(names)),
                    Field("m", MapValue(tuple(Field(f"k{i}", v) for i, v in enumerate(names)))),
                ),
            ),
        )
    )
    text = format_spec(spec)
    assert text.startswith("b {\n  l: [\n    item-number-0\n    item-number-1\n")
    assert "  m: {\n    k0: item-number-0\n" in text
    assert parsed(text) == spec


P, Q, R = Ref("p"), Ref("q"), Ref("r")
ALL = Quant("forall", "x", Domain("pods"), Q)


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (Binary("+", P, Binary("*", Q, R)), "p + q * r"),
        (Binary("*", Binary("+", P, Q), R), "(p + q) * r"),
        (Binary("-", P, Binary("-", Q, R)), "p - (q - r)"),
        (Binary("-", Binary("-", P, Q), R), "p - q - r"),
        (Binary("==", Binary("==", P, Q), R), "(p == q) == r"),
        (Binary("implies", Binary("implies", P, Q), R), "(p implies q) implies r"),
        (Binary("implies", P, Binary("implies", Q, R)), "p implies q implies r"),
        (Binary("and", P, Binary("or", Q, R)), "p and (q or r)"),
        (Unary("not", Binary("and", P, Q)), "not (p and q)"),
        (Unary("not", Binary("<", P, Q)), "not p < q"),
        (Unary("-", Unary("-", P)), "--p"),
        (Attr(Binary("+", P, Q), "x"), "(p + q).x"),
        (Attr(Attr(P, "x"), "y"), "p.x.y"),
        (Binary("and", P, ALL), "p and forall x in pods: q"),
        (Binary("and", ALL, P), "(forall x in pods: q) and p"),
        (Binary("==", ALL, P), "(forall x in pods: q) == p"),
        (Binary("==", P, ALL), "p == (forall x in pods: q)"),
        (Unary("not", ALL), "not forall x in pods: q"),
        (Binary("or", Unary("not", ALL), P), "not (forall x in pods: q) or p"),
        (Temporal("leadsto", (ALL, P)), "(forall x in pods: q) ~> p"),
        (Temporal("leadsto", (P, ALL)), "p ~> forall x in pods: q"),
        (Temporal("leadsto", (Temporal("leadsto", (P, Q)), R)), "(p ~> q) ~> r"),
        (Temporal("always", (Temporal("leadsto", (P, Q)),)), "always p ~> q"),
        (Temporal("leadsto", (Temporal("always", (P,)), Q)), "(always p) ~> q"),
        (Temporal("always_eventually", (P,)), "always eventually p"),
        (Binary("+", P, IntLit(-1)), "p + -1"),
    ],
)
def test_minimal_parentheses(expr: object, text: str) -> None:
    assert format_formula(expr) == text  # type: ignore[arg-type]
    if expr != Binary("+", P, IntLit(-1)):  # a negative IntLit reads back as unary minus
        reparsed = parsed(f"property z: {text}").items[0]
        assert reparsed.formula == expr  # type: ignore[union-attr]

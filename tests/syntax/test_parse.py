"""Every construct of the syntax sketch parses to the expected AST (podcheck.lang.parse)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from lark import Lark, logger

from podcheck.diagnostics import Span
from podcheck.lang.ast import (
    Block,
    CheckItem,
    ExpectItem,
    Field,
    Import,
    ListValue,
    MapValue,
    PropertyItem,
    Range,
    Scalar,
    SpecFile,
)
from podcheck.lang.parse import parse, parse_bytes
from podcheck.spec import (
    Attr,
    Binary,
    BoolLit,
    Count,
    Domain,
    IntLit,
    Quant,
    Ref,
    Temporal,
    Unary,
)

DATA = Path(__file__).parent / "data"
SKETCH = (DATA / "sketch.pod").read_text()


def ok(text: str) -> SpecFile:
    result = parse(text, "t.pod")
    assert result.diagnostics == (), result.diagnostics
    assert result.value is not None
    return result.value


def formula(text: str) -> object:
    (item,) = ok(f"property p: {text}").items
    assert isinstance(item, PropertyItem)
    return item.formula


def value(text: str) -> object:
    (block,) = ok(f"b {{ f: {text} }}").items
    assert isinstance(block, Block)
    (field,) = block.members
    assert isinstance(field, Field)
    return field.value


def name(n: str) -> Scalar:
    return Scalar("name", n)


def test_sketch_parses_cleanly() -> None:
    spec = ok(SKETCH)
    kinds = [type(i).__name__ for i in spec.items]
    assert kinds.count("Import") == 2 and kinds.count("PropertyItem") == 4
    assert kinds.count("CheckItem") == 2 and kinds.count("ExpectItem") == 2


def test_parsing_twice_gives_equal_and_equally_hashed_asts() -> None:
    first, second = ok(SKETCH), ok(SKETCH)
    assert first == second
    assert hash(first) == hash(second)


def test_spans_are_one_based_and_end_exclusive() -> None:
    spec = parse("a {\n  bb: 10s\n}\nproperty p: x.ready", "dir/f.pod").value
    assert spec is not None and spec.path == "dir/f.pod"
    block, prop = spec.items
    assert isinstance(block, Block) and isinstance(prop, PropertyItem)
    assert block.span == Span("dir/f.pod", 1, 1, 3, 2)
    field = block.members[0]
    assert isinstance(field, Field)
    assert field.span == Span("dir/f.pod", 2, 3, 2, 10)
    assert field.value.span == Span("dir/f.pod", 2, 7, 2, 10)
    assert prop.formula.span == Span("dir/f.pod", 4, 13, 4, 20)


@pytest.mark.parametrize("text", ["", "  \n\t\n", "# only a comment\n", "\r\n# x\r\n"])
def test_empty_files_are_valid_and_empty(text: str) -> None:
    assert ok(text) == SpecFile(())


def test_imports() -> None:
    spec = ok('import "../models/env/rolling-drain.pod"\nimport env.rolling-drain')
    assert spec.items == (
        Import("../models/env/rolling-drain.pod", True),
        Import("env.rolling-drain", False),
    )


def test_blocks_fields_and_nesting() -> None:
    spec = ok("cluster { node n1 { zone: a } }\nenvironment {}\ndeployment web { replicas: 3 }")
    assert spec.items == (
        Block("cluster", None, (Block("node", "n1", (Field("zone", name("a")),)),)),
        Block("environment", None, ()),
        Block("deployment", "web", (Field("replicas", Scalar("int", "3")),)),
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("3", "int"),
        ("60s", "duration"),
        ("10ms", "duration"),
        ("500m", "duration"),  # the sketch: `m` is a duration lexically
        ("2h", "duration"),
        ("1.5s", "duration"),
        ("4Gi", "quantity"),
        ("256Mi", "quantity"),
        ("2k", "quantity"),
        ("1E", "quantity"),
        ("1e3", "quantity"),
        ("0.5", "quantity"),
        ("50%", "percent"),
        ('"nginx:1.27"', "string"),
        ('"say \\"hi\\""', "string"),
        ("true", "bool"),
        ("false", "bool"),
        ("Always", "name"),
        ("one-at-a-time", "name"),
        ("holds", "name"),
        ("pods", "name"),
    ],
)
def test_scalar_kinds(text: str, kind: str) -> None:
    assert value(text) == Scalar(kind, text)


def test_ranges_lists_and_maps() -> None:
    assert value("5s..60s") == Range(Scalar("duration", "5s"), Scalar("duration", "60s"))
    assert value("1..3") == Range(Scalar("int", "1"), Scalar("int", "3"))
    assert value("[a, b c,]") == ListValue((name("a"), name("b"), name("c")))
    assert value("[]") == ListValue(())
    assert value("{}") == MapValue(())
    assert value("{ cpu: 2, memory: 4Gi }") == MapValue(
        (Field("cpu", Scalar("int", "2")), Field("memory", Scalar("quantity", "4Gi")))
    )
    nested = value("[ { key: tier, values: [a] } ]")
    assert nested == ListValue(
        (MapValue((Field("key", name("tier")), Field("values", ListValue((name("a"),))))),)
    )


def test_checks_and_expects() -> None:
    spec = ok(
        "check init-order\ncheck eventually-ready(web)\ncheck x(a, b)\n"
        "expect init-order holds\nexpect enough-ready violated"
    )
    assert spec.items == (
        CheckItem("init-order"),
        CheckItem("eventually-ready", ("web",)),
        CheckItem("x", ("a", "b")),
        ExpectItem("init-order", "holds"),
        ExpectItem("enough-ready", "violated"),
    )


def test_contextual_words_are_names_elsewhere() -> None:
    spec = ok("holds violated { pods: nodes  containers: holds }")
    assert spec.items == (
        Block(
            "holds", "violated", (Field("pods", name("nodes")), Field("containers", name("holds")))
        ),
    )


def test_hyphens_make_names_and_keywords_need_boundaries() -> None:
    assert formula("in-x - not-y") == Binary("-", Ref("in-x"), Ref("not-y"))
    assert formula("a-b") == Ref("a-b")
    assert formula("forall inside in nodes: inside.pods == 0") == Quant(
        "forall", "inside", Domain("nodes"), Binary("==", Attr(Ref("inside"), "pods"), IntLit(0))
    )


def test_keywords_are_fields_after_a_dot() -> None:
    assert formula("p.exists and p.in") == Binary(
        "and", Attr(Ref("p"), "exists"), Attr(Ref("p"), "in")
    )


P, Q, R = Ref("p"), Ref("q"), Ref("r")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", IntLit(3)),
        ("true", BoolLit(True)),
        ("Running", Ref("Running")),  # the parser does not resolve names
        ("web", Ref("web")),
        ("p.phase", Attr(P, "phase")),
        ("-p", Unary("-", P)),
        ("not p", Unary("not", P)),
        ("p + q * r", Binary("+", P, Binary("*", Q, R))),
        ("p - q - r", Binary("-", Binary("-", P, Q), R)),
        ("(p + q) * r", Binary("*", Binary("+", P, Q), R)),
        ("-p.x * 2", Binary("*", Unary("-", Attr(P, "x")), IntLit(2))),
        ("p + 1 >= q", Binary(">=", Binary("+", P, IntLit(1)), Q)),
        ("not p == q", Unary("not", Binary("==", P, Q))),
        ("p and q or r", Binary("or", Binary("and", P, Q), R)),
        ("p or q and r", Binary("or", P, Binary("and", Q, R))),
        ("p implies q implies r", Binary("implies", P, Binary("implies", Q, R))),
        ("p or q implies r", Binary("implies", Binary("or", P, Q), R)),
        ("p implies q ~> r", Temporal("leadsto", (Binary("implies", P, Q), R))),
        ("always p", Temporal("always", (P,))),
        ("eventually p", Temporal("eventually", (P,))),
        ("always eventually p", Temporal("always_eventually", (P,))),
        ("always p ~> q", Temporal("always", (Temporal("leadsto", (P, Q)),))),
        ("p ~> eventually q", Temporal("leadsto", (P, Temporal("eventually", (Q,))))),
        (
            "always (p implies eventually q)",
            Temporal("always", (Binary("implies", P, Temporal("eventually", (Q,))),)),
        ),
        (
            "p and forall x in pods: q or r",
            Binary("and", P, Quant("forall", "x", Domain("pods"), Binary("or", Q, R))),
        ),
        (
            "not exists c in containers(p): q",
            Unary("not", Quant("exists", "c", Domain("containers", "p"), Q)),
        ),
        (
            "forall c in initContainers(p): q",
            Quant("forall", "c", Domain("initContainers", "p"), Q),
        ),
        ("count(x in pods(web))", Count("x", Domain("pods", "web"))),
        (
            "count(x in nodes where x.pods > 0)",
            Count("x", Domain("nodes"), Binary(">", Attr(Ref("x"), "pods"), IntLit(0))),
        ),
        ("((((p))))", P),
    ],
)
def test_formula_precedence(text: str, expected: object) -> None:
    assert formula(text) == expected


def test_grammar_has_no_conflicts(caplog: pytest.LogCaptureFixture) -> None:
    """NOTE(open-formulas): the grammar is LALR(1) without shift/reduce resolution."""
    logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG, logger="lark"):
            Lark.open(
                str(Path(__file__).parents[2] / "podcheck/lang/podspec.lark"),
                parser="lalr",
                debug=True,
            )
    finally:
        logger.setLevel(logging.WARNING)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]


def test_parse_bytes_decodes_utf8_and_drops_a_bom() -> None:
    text = 'a { image: "café" }'
    plain = parse_bytes(text.encode(), "t.pod")
    with_bom = parse_bytes(b"\xef\xbb\xbf" + text.encode(), "t.pod")
    assert plain.value == with_bom.value == ok(text)


def test_crlf_line_endings() -> None:
    assert ok("a {\r\n  b: 1\r\n}\r\n") == ok("a {\n  b: 1\n}\n")

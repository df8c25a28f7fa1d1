"""Syntax errors become precise diagnostics (podcheck.lang.parse_errors): the mistakes table,
the registry's examples, spans, fixes, notes and recovery to later errors."""

from __future__ import annotations

import pytest
from lark.exceptions import UnexpectedInput

from podcheck.diagnostics import Diagnostic, Fix, Span
from podcheck.diagnostics.codes import REGISTRY
from podcheck.lang.expected import KEYWORDS
from podcheck.lang.parse import grammar, parse, parse_bytes
from podcheck.lang.parse_errors import MISTAKES, Mistake

CASES = [(m, ex) for m in MISTAKES for ex in m.examples]


def errors(text: str) -> tuple[Diagnostic, ...]:
    result = parse(text, "e.pod")
    assert result.value is None and result.diagnostics
    return result.diagnostics


def first(text: str) -> Diagnostic:
    return errors(text)[0]


def at(d: Diagnostic) -> tuple[int, int, int, int]:
    assert d.span is not None
    return d.span.line, d.span.column, d.span.end_line, d.span.end_column


@pytest.mark.parametrize(("mistake", "snippet"), CASES, ids=[repr(ex) for _, ex in CASES])
def test_every_known_mistake_gets_its_code_and_help(mistake: Mistake, snippet: str) -> None:
    d = first(snippet)
    assert (d.code, d.help) == (mistake.code, mistake.help)


@pytest.mark.parametrize("mistake", [m for m in MISTAKES if m.by_example], ids=lambda m: m.code)
def test_match_examples_recognises_its_own_snippets(mistake: Mistake) -> None:
    table = [(m, m.examples) for m in MISTAKES if m.by_example]
    for snippet in mistake.examples:
        with pytest.raises(UnexpectedInput) as caught:
            grammar().parse(snippet)
        found = caught.value.match_examples(grammar().parse, table, token_type_match_fallback=True)
        assert found is mistake, snippet


# PC015 needs bytes, PC017 a 64 KiB token: tested in tests/reliability
SKIPPED = ("PC015", "PC017")


@pytest.mark.parametrize("code", sorted(c for c in REGISTRY if c < "PC100" and c not in SKIPPED))
def test_registry_examples_produce_their_code(code: str) -> None:
    assert first(REGISTRY[code].example).code == code


@pytest.mark.parametrize("keyword", sorted(KEYWORDS))
def test_every_keyword_is_reserved_and_only_the_keywords(keyword: str) -> None:
    d = first(f"a {keyword} {{}}")
    assert (d.code, at(d)) == ("PC008", (1, 3, 1, 3 + len(keyword)))
    assert parse(f"{keyword}s {keyword}-x {{ {keyword}_: {keyword}1 }}", "e.pod").ok


def test_invalid_utf8_is_pc015() -> None:
    (d,) = parse_bytes(b"a { b: \xff }", "e.pod").diagnostics
    assert d.code == "PC015" and at(d) == (1, 8, 1, 9)
    assert "0xff" in d.message


@pytest.mark.parametrize(
    ("text", "code", "message", "where"),
    [
        ("a {\n  replicas 3\n}", "PC005", "missing `:` after field name `replicas`", (2, 3, 2, 11)),
        ("property p: a = b", "PC006", "`=` is not an operator in a formula", (1, 15, 1, 16)),
        (
            "node in { }",
            "PC008",
            "`in` is a reserved keyword and cannot be used as a name",
            (1, 6, 1, 8),
        ),
        ("a { b: }", "PC009", "missing value after `b:`", (1, 6, 1, 7)),
        ("property p: a -> b", "PC010", "`->` is not an operator", (1, 15, 1, 17)),
        ("a { b: 4GB }", "PC011", "invalid number `4GB`", (1, 8, 1, 11)),
        ("property p: a < b < c", "PC012", "`<` cannot be chained", (1, 19, 1, 20)),
        ("a {}\nreplicas: 3", "PC013", "field `replicas` outside a block", (2, 1, 2, 9)),
        ("a { }\n}", "PC014", "unmatched `}`", (2, 1, 2, 2)),
        ('a { b: "x }', "PC003", "unterminated string", (1, 8, 1, 12)),
        ("a { b: $ }", "PC002", "unexpected character `$`", (1, 8, 1, 9)),
        ("a { b: \u00a0 }", "PC002", "unexpected character U+00A0", (1, 8, 1, 9)),
        ("expect ready maybe", "PC001", "unexpected name `maybe`", (1, 14, 1, 19)),
        ("property p: x and # c\n\n", "PC004", "unexpected end of file", (1, 18, 1, 18)),
        (
            "property p: " + "9" * 4001,
            "PC011",
            "integer literal with 4001 digits is too long",
            (1, 13, 1, 4014),
        ),
        (
            "property p: " + "not " * 101 + "x",
            "PC016",
            "nesting deeper than 100 levels",
            (1, 409, 1, 418),
        ),
    ],
)
def test_messages_and_spans(
    text: str, code: str, message: str, where: tuple[int, int, int, int]
) -> None:
    d = first(text)
    assert (d.code, d.message, at(d)) == (code, message, where)


@pytest.mark.parametrize(
    ("text", "help"),
    [
        ("expect ready maybe", "expected `holds` or `violated`"),
        (
            "property p: forall x in foo: true",
            "expected `containers`, `initContainers`, `nodes` or `pods`",
        ),
        ("a { b: 1..5Mi }", "expected a duration, a name, a percentage or an integer"),
        ("property p: x.", "expected a field name"),
        ("property p: count(x in pods where)", "expected an expression"),
        ("{", "expected a new declaration or end of file"),
        ("a b c", "expected `{`"),
        ("a { b: [1 2 , ,] }", "expected a value or `]`"),
        ("property p: (x y", "expected `)`"),
        ("property p: x.ready implies", "expected an expression"),
    ],
)
def test_expected_tokens_are_named_for_users(text: str, help: str) -> None:
    assert first(text).help == help


def test_fixes() -> None:
    colon = first("a { replicas 3 }")
    assert colon.fix == Fix(Span("e.pod", 1, 13, 1, 13), ":")
    equals = first("property p: a = b")
    assert equals.fix == Fix(Span("e.pod", 1, 15, 1, 16), "==")


def test_unclosed_brace_points_at_the_block_whose_closer_is_missing() -> None:
    d = first("a {\n  b {\n    c: 1\n  d {\n  }\n}\n")
    assert (d.code, d.message, at(d)) == ("PC007", "unclosed `{`", (2, 5, 2, 6))
    (note,) = d.notes
    assert note.message == "the file ends here without a matching `}`"
    assert note.span == Span("e.pod", 6, 2, 6, 2)


def test_unclosed_block_running_into_the_next_declaration() -> None:
    first_error, second = errors("a { b: 1\nproperty p: true\nc {")
    assert (first_error.code, at(first_error)) == ("PC007", (1, 3, 1, 4))
    assert first_error.notes[0].message == "`property` starts a new declaration here"
    assert (second.code, at(second)) == ("PC007", (3, 3, 3, 4))


def test_wrong_closer_reports_the_unclosed_opener() -> None:
    d = first("a { b: [1, 2 }")
    assert (d.code, d.message, at(d)) == ("PC007", "unclosed `[`", (1, 8, 1, 9))
    assert d.notes[0].message == "`}` found here, before the matching `]`"


def test_generic_error_notes_the_open_delimiter() -> None:
    d = first("a {\n  b: [1, 2\n  c: 3\n}\n")
    assert d.code == "PC001"
    assert [n.message for n in d.notes] == ["inside the `[` opened here"]
    assert d.notes[0].span == Span("e.pod", 2, 6, 2, 7)


def test_recovery_reports_independent_errors_without_cascades() -> None:
    text = (
        "deployment web {\n  replicas 3\n  template { container app {} }\n}\n"
        "property p: a = b\n"
        "pdb x { minAvailable: }\n"
        "check ok\n"
        "expect p maybe\n"
    )
    found = [(d.code, at(d)[0]) for d in errors(text)]
    assert found == [("PC005", 2), ("PC006", 5), ("PC009", 6), ("PC001", 8)]

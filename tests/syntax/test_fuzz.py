"""Any input gives a StageResult, never an exception: random bytes, mutated specs, extremes.

Seeded and bounded so the run is reproducible and fast.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from podcheck.diagnostics import Severity, StageResult
from podcheck.diagnostics.codes import REGISTRY
from podcheck.lang.ast import SpecFile
from podcheck.lang.parse import MAX_ERRORS, parse, parse_bytes

SKETCH = (Path(__file__).parent / "data" / "sketch.pod").read_text()
TOKENS = re.findall(r'"[^"\n]*"|[A-Za-z0-9_.%-]+|~>|[=!<>]=|\S', SKETCH)
EXTRA_TOKENS = ["{", "}", "(", ")", "[", "]", ":", "=", "->", "=>", "..", '"', "in", "property"]


def well_formed(result: StageResult[SpecFile]) -> None:
    """The invariants every parse result keeps, whatever the input."""
    assert isinstance(result, StageResult)
    assert len(result.diagnostics) <= MAX_ERRORS
    assert (result.value is None) == bool(result.diagnostics)
    for d in result.diagnostics:
        assert d.code in REGISTRY and d.code < "PC100", d
        assert d.severity is Severity.ERROR
        assert d.span is not None and d.span.file == "fuzz.pod"
        assert 1 <= d.span.line <= d.span.end_line and d.span.column >= 1
        assert d.message and not d.message[0].isupper() and not d.message.endswith(".")
        assert d.help, d
        assert "__ANON" not in d.message + d.help and "_RBRACE" not in d.message + d.help


def mutate(rng: random.Random, tokens: list[str]) -> str:
    out = list(tokens)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(out))
        action = rng.choice(["delete", "insert", "swap", "duplicate"])
        if action == "delete":
            del out[i]
        elif action == "insert":
            out.insert(i, rng.choice(TOKENS + EXTRA_TOKENS))
        elif action == "swap":
            j = rng.randrange(len(out))
            out[i], out[j] = out[j], out[i]
        else:
            out.insert(i, out[i])
    return " ".join(out)


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
        well_formed(parse_bytes(data, "fuzz.pod"))


@pytest.mark.parametrize("seed", range(4))
def test_random_printable_text(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = 'ab01 \n\t{}[]():,.=<>!~-+*"#%sMiGe' + "in forall "
    for _ in range(50):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120)))
        well_formed(parse(text, "fuzz.pod"))


@pytest.mark.parametrize("seed", range(6))
def test_token_mutations_of_the_sketch(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        well_formed(parse(mutate(rng, TOKENS), "fuzz.pod"))


@pytest.mark.parametrize("seed", range(4))
def test_truncations_of_the_sketch(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        well_formed(parse(SKETCH[: rng.randrange(len(SKETCH))], "fuzz.pod"))


@pytest.mark.parametrize(
    "text",
    [
        "\x00",
        "a { b: \x00 }",
        "\ud800",
        "a { b: 1 }\n\x00\x01\x02",
        "\ufeffa {}",
        "\u00a0",
        "a { b: \u201cx\u201d }",
        "}" * 50,
        "{" * 50,
        '"' * 51,
        "property p: " + "9" * 5000,
        "a { b: " + "9" * 5000 + "x }",
    ],
    ids=lambda text: repr(text[:20]),
)
def test_hostile_text(text: str) -> None:
    well_formed(parse(text, "fuzz.pod"))


@pytest.mark.parametrize(
    "data", [b"\xff\xfe\x00", b"a { b: 1 }\n\xc3", b"\x80", b"ok \xed\xa0\x80"]
)
def test_invalid_utf8_is_pc015_at_the_bad_byte(data: bytes) -> None:
    result = parse_bytes(data, "fuzz.pod")
    well_formed(result)
    (d,) = result.diagnostics
    assert d.code == "PC015"


def test_invalid_utf8_position() -> None:
    (d,) = parse_bytes(b'a {\n  b: "\xff" }', "fuzz.pod").diagnostics
    assert d.span is not None and (d.span.line, d.span.column) == (2, 7)


DEEP = {
    "parens": ("property p: " + "(" * 10_000 + "x" + ")" * 10_000, None),
    "not": ("property p: " + "not " * 10_000 + "x", "PC016"),
    "minus": ("property p: " + "-" * 10_000 + "x", "PC016"),
    "and": ("property p: " + " and ".join(["x"] * 10_000), "PC016"),
    "lists": ("a { b: " + "[" * 10_000 + "]" * 10_000 + " }", "PC016"),
    "maps": ("a { b: " + "{ c: " * 10_000 + "1" + " }" * 10_000 + " }", "PC016"),
    "blocks": ("a " + "{ b " * 10_000 + "{}" + "}" * 10_000, "PC016"),
    "open-parens": ("property p: " + "(" * 10_000, "PC004"),
    "open-lists": ("a { b: " + "[" * 10_000, "PC007"),
    "deep-then-error": ("a { b: " + "{ c: " * 10_000 + "1" + " }" * 10_000 + " c }", "PC005"),
}


@pytest.mark.parametrize(("text", "code"), DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_never_overflows(text: str, code: str | None) -> None:
    result = parse(text, "fuzz.pod")
    well_formed(result)
    assert [d.code for d in result.diagnostics][:1] == ([code] if code else [])


def test_huge_valid_file_parses() -> None:
    body = "".join(
        f"node n{i} {{ capacity: {{ cpu: 2, memory: 4Gi }} zone: z{i % 3} }}\n" for i in range(3000)
    )
    result = parse(f"cluster {{\n{body}}}\n", "fuzz.pod")
    assert result.diagnostics == ()
    assert result.value is not None


def test_many_errors_are_capped() -> None:
    text = "".join(f"a{i} {{ b 1 }}\n" for i in range(100))
    result = parse(text, "fuzz.pod")
    well_formed(result)
    assert len(result.diagnostics) == MAX_ERRORS
    assert [d.span.line for d in result.diagnostics if d.span] == list(range(1, MAX_ERRORS + 1))

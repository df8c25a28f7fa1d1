"""A runaway token is refused before lark sees it (brief item 3, NOTE(token-limit)), and
control characters never reach the terminal (item 4, NOTE(control-characters))."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from podcheck.diagnostics import Diagnostic, Note, Severity, Span, codes
from podcheck.diagnostics.render import escape_controls, render
from podcheck.exitcodes import ExitCode
from podcheck.lang.parse import MAX_TOKEN, parse
from tests.reliability.helpers import run, spec_with

LONG = MAX_TOKEN + 1


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        (f'image: "{"x" * LONG}"', "string literal"),
        (f"image: {'n' * LONG}", "token"),
        (f"ports: [{'9' * LONG}]", "token"),
        (f"# {'c' * LONG}", "comment"),
    ],
)
def test_a_token_past_the_limit(field: str, kind: str, tmp_path: Path) -> None:
    path = tmp_path / "long.pod"
    path.write_text(spec_with(field), encoding="utf-8")
    out = run("parse", path)
    assert (out.exit_code, out.codes) == (ExitCode.INPUT_ERROR, [codes.TOKEN_TOO_LONG])
    assert str(out.diagnostics[0]["message"]).startswith(kind)
    assert out.diagnostics[0]["line"] == 6


def test_a_string_at_the_limit_parses() -> None:
    assert parse(spec_with(f'image: "{"x" * (MAX_TOKEN - 2)}"'), "ok.pod").ok


def test_a_long_line_of_short_tokens_and_long_whitespace_parse() -> None:
    assert parse(spec_with("ports: [" + "1, " * 40_000 + "2]"), "ok.pod").ok
    assert parse(spec_with("ports: [1]" + " " * LONG), "ok.pod").ok


def test_a_large_string_literal_uses_little_memory() -> None:
    """The 50 MB literal of issue 10 took 6.7 GB; 4 MB (under the input limit) stays small."""
    text = spec_with(f'image: "{"x" * 4_000_000}"')
    tracemalloc.start()
    try:
        result = parse(text, "big.pod")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [d.code for d in result.diagnostics] == [codes.TOKEN_TOO_LONG]
    assert peak < 4 * len(text)


OSC = "\x1b]0;owned\x07"
NASTY = f'ports: "{OSC}\tx\x9b31m\u202e\x7f\r"'


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_frames_and_messages_escape_control_characters(fmt: str, tmp_path: Path) -> None:
    path = tmp_path / "osc.pod"
    path.write_text(spec_with(NASTY), encoding="utf-8", newline="")
    from podcheck.lang.check import load_with_sources

    loaded = load_with_sources(str(path))
    assert [d.code for d in loaded.result.diagnostics] == [codes.WRONG_VALUE_TYPE]
    shown = render(loaded.result.diagnostics, loaded.sources, fmt)
    for char in ("\x1b", "\x07", "\x9b", "\u202e", "\x7f", "\r"):
        assert char not in shown, repr(char)
    assert "\\x1b]0;owned\\x07" in shown


def test_carets_count_the_escaped_width() -> None:
    text = "a\x1bb wrong\n"
    span = Span("f.pod", 1, 5, 1, 10)  # `wrong`, after one escaped ESC
    d = Diagnostic(codes.SYNTAX_ERROR, Severity.ERROR, "m", span, (), "h")
    lines = render([d], {"f.pod": text}, "text").splitlines()
    source_line = next(line for line in lines if line.startswith("1 |"))
    caret_line = lines[lines.index(source_line) + 1]
    assert source_line == "1 | a\\x1bb wrong"
    assert caret_line.index("^") == source_line.index("wrong")
    assert caret_line.count("^") == len("wrong")


def test_messages_notes_and_file_names_are_escaped() -> None:
    span = Span("evil\x1b[2J.pod", 1, 1, 1, 2)
    d = Diagnostic(codes.SYNTAX_ERROR, Severity.ERROR, f"bad {OSC}", span,
                   (Note(f"note {OSC}", span),), f"help {OSC}")
    for fmt in ("text", "github"):
        assert "\x1b" not in render([d], {}, fmt) and "\x07" not in render([d], {}, fmt)


def test_escape_controls_keeps_ordinary_text() -> None:
    assert escape_controls("naïve — 日本 ok") == "naïve — 日本 ok"
    assert escape_controls("a\tb\nc", keep="\n") == "a\\x09b\nc"

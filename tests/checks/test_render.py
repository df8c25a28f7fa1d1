"""Renderers: golden snapshots of text/json/github output and frame details."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from podcheck.diagnostics import Diagnostic, Note, Severity, Span
from podcheck.diagnostics.render import render, render_github, render_json, render_text
from podcheck.lang.check import load_with_sources

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
CASES = ("render-mix", "fields", "cycle-a")
EXTENSIONS = {"text": "txt", "json": "json", "github": "github.txt"}


def _update() -> bool:
    return os.environ.get("PODCHECK_UPDATE_GOLDENS") == "1"


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
@pytest.mark.parametrize("case", CASES)
def test_golden_rendering(case: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    loaded = load_with_sources(f"{case}.pod")
    actual = render(loaded.result.diagnostics, loaded.sources, fmt)
    golden = GOLDEN / f"{case}.{EXTENSIONS[fmt]}"
    if _update():
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run with PODCHECK_UPDATE_GOLDENS=1"
    assert actual == golden.read_text(encoding="utf-8")


def _diag(span: Span | None, **kw: object) -> Diagnostic:
    return Diagnostic("PC204", Severity.ERROR, "unknown container state `Runing`", span, **kw)


def test_text_layout_matches_the_style_guide() -> None:
    source = {"s.pod": "\n" * 11 + "  when container.state == Runing -> restart\n"}
    d = _diag(Span("s.pod", 12, 27, 12, 33), help="did you mean `Running`?",
              notes=(Note("container states are `Waiting`, `Running`, `Terminated`"),))
    assert render_text([d], source) == (
        "s.pod:12:27: error[PC204]: unknown container state `Runing`\n"
        "   |\n"
        "12 |   when container.state == Runing -> restart\n"
        "   |                           ^^^^^^ PC204\n"
        "   |\n"
        "   = help: did you mean `Running`?\n"
        "   = note: container states are `Waiting`, `Running`, `Terminated`\n"
        "\n"
        "found 1 error\n"
    )


def test_tabs_are_expanded_under_the_carets() -> None:
    text = render_text([_diag(Span("t.pod", 1, 3, 1, 9))], {"t.pod": "\t\tRuning\n"})
    assert "1 |         Runing\n  |         ^^^^^^ PC204" in text


def test_multi_line_span_and_long_span_elision() -> None:
    src = {"m.pod": "a {\n  b\n  c\n  d\n  e\n  f\n  g\n}\n"}
    text = render_text([_diag(Span("m.pod", 1, 1, 8, 2))], src)
    lines = text.splitlines()
    assert "... |" in lines and "8 | }" in lines and "4 |   d" in lines
    assert "5 |   e" not in lines and "7 |   g" not in lines
    assert lines[lines.index("8 | }") + 1] == "  | ^ PC204"


def test_long_lines_are_cut_around_the_span() -> None:
    line = "x" * 500 + " Runing " + "y" * 500
    text = render_text([_diag(Span("l.pod", 1, 502, 1, 508))], {"l.pod": line})
    frame_line = next(ln for ln in text.splitlines() if ln.startswith("1 |"))
    assert len(frame_line) < 140 and frame_line.startswith("1 | ...")
    caret_line = text.splitlines()[text.splitlines().index(frame_line) + 1]
    assert caret_line.index("^") == frame_line.index("Runing")


def test_missing_source_and_no_span_render_headers_only() -> None:
    text = render_text([_diag(None), _diag(Span("gone.pod", 3, 1, 3, 2))], {})
    assert text.startswith("error[PC204]: unknown")
    assert "gone.pod:3:1: error[PC204]" in text and " | " not in text


def test_note_with_location_gets_its_own_frame() -> None:
    src = {"a.pod": "pod a {}\npod a {}\n"}
    first = Note("first defined here", Span("a.pod", 1, 1, 1, 4))
    d = _diag(Span("a.pod", 2, 1, 2, 4), notes=(first,))
    text = render_text([d], src)
    assert "= note: first defined here\n --> a.pod:1:1\n  |\n1 | pod a {}\n  | ^^^" in text


def test_json_fields() -> None:
    d = _diag(Span("a.pod", 1, 2, 1, 5), help="h", notes=(Note("n"),))
    (obj,) = json.loads(render_json([d], {}))
    assert obj == {
        "code": "PC204", "severity": "error", "message": d.message, "file": "a.pod",
        "line": 1, "column": 2, "end_line": 1, "end_column": 5, "help": "h",
        "notes": [{"message": "n", "file": None, "line": None, "column": None,
                   "end_line": None, "end_column": None}],
        "fix": None,
    }


def test_github_escapes_properties_and_data() -> None:
    d = Diagnostic("PC101", Severity.WARNING, "a%b\nc", Span("dir,x:y.pod", 1, 2, 1, 3))
    assert render_github([d], {}) == (
        "::warning file=dir%2Cx%3Ay.pod,line=1,col=2,endLine=1,endColumn=3,title=PC101"
        "::PC101 a%25b%0Ac\n"
    )


def test_rendering_is_deterministic_and_ordered() -> None:
    a, b = _diag(Span("b.pod", 1, 1, 1, 2)), _diag(Span("a.pod", 9, 1, 9, 2))
    assert render_text([a, b], {}) == render_text([b, a], {})
    assert render_text([a, b], {}).index("a.pod") < render_text([a, b], {}).index("b.pod")

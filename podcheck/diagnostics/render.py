"""Renderers of `Diagnostic` values: human text, JSON, and GitHub Actions annotations.

Stage: output side of every front-end stage.  Consumes diagnostics plus the source
texts they point into (`sources`, keyed by `Span.file`); produces one string.  Pure
and deterministic: diagnostics are ordered by location (stable otherwise) and nothing
depends on the environment.

Text layout (STYLE rule 6):

    specs/restart.pod:12:27: error[PC204]: unknown container state `Runing`
       |
    12 |   when container.state == Runing -> restart
       |                           ^^^^^^ PC204
       |
       = help: did you mean `Running`?
       = note: container states are `Waiting`, `Running`, `Terminated`
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence

from podcheck.diagnostics import Diagnostic, Note, Severity, Span

# NOTE(control-characters): every text that reaches a terminal (source lines in frames,
# messages, help, notes, file names) has its control characters escaped: C0 (but tab,
# which frames expand), DEL, C1, line and paragraph separators and the bidirectional
# controls (a spec cannot send an OSC or CSI sequence, or reorder what is shown).  They
# are shown as `\x1b` / `\u202e`, and carets count the escaped width.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\u2028\u2029")
TAB_WIDTH = 4
MAX_LINE_WIDTH = 120  # longer source lines are cut around the span
MAX_FRAME_LINES = 5  # a longer multi-line span shows its first lines, `...`, its last line
FORMATS = ("text", "json", "github")


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with every control character (NOTE(control-characters)) but those in `keep`
    replaced by a visible escape (`\x1b`, `\u202e`)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_escape_char(c) if c not in keep else c for c in text)


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if char in _BIDI or char in _LINE_BREAKS:
        return f"\\u{code:04x}"
    return char


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics by file and position; span-less ones first; otherwise stable."""
    return sorted(diagnostics, key=lambda d: (d.span is not None, d.span or _NOWHERE))


_NOWHERE = Span("", 0, 0, 0, 0)


def render(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str], fmt: str) -> str:
    """Render in `fmt` (`text`, `json` or `github`)."""
    renderers: dict[str, Callable[[Sequence[Diagnostic], Mapping[str, str]], str]] = {
        "text": render_text,
        "json": render_json,
        "github": render_github,
    }
    return renderers[fmt](diagnostics, sources)


# ------------------------------------------------------------------------------ text


def render_text(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """Every diagnostic in the text layout, separated by blank lines, then a count."""
    if not diagnostics:
        return ""
    blocks = [_text_one(d, sources) for d in ordered(diagnostics)]
    return "\n\n".join(blocks) + "\n\n" + summary(diagnostics) + "\n"


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """`found 2 errors and 1 warning`."""
    parts = []
    for severity in Severity:
        n = sum(d.severity is severity for d in diagnostics)
        if n:
            parts.append(f"{n} {severity.value}{'' if n == 1 else 's'}")
    return "found " + " and ".join(parts)


def _text_one(d: Diagnostic, sources: Mapping[str, str]) -> str:
    where = f"{escape_controls(str(d.span))}: " if d.span is not None else ""
    lines = [f"{where}{d.severity.value}[{d.code}]: {_line(d.message)}"]
    width = _gutter_width(d)
    pad = " " * width
    frame = _frame(d.span, sources, width, d.code)
    lines += [f"{pad} |", *frame] if frame else []
    if frame and (d.help or d.notes):
        lines.append(f"{pad} |")
    if d.help:
        lines.append(f"{pad} = help: {_line(d.help)}")
    for note in d.notes:
        lines += _note(note, sources, width)
    return "\n".join(lines)


def _line(text: str) -> str:
    """A message for the text layout: control characters escaped, newlines kept."""
    return escape_controls(text, keep="\n")


def _gutter_width(d: Diagnostic) -> int:
    spans = [d.span] + [n.span for n in d.notes]
    return max([len(str(s.end_line)) for s in spans if s is not None] + [1])


def _note(note: Note, sources: Mapping[str, str], width: int) -> list[str]:
    pad = " " * width
    if note.span is None:
        return [f"{pad} = note: {_line(note.message)}"]
    frame = _frame(note.span, sources, width, "")
    head = [f"{pad} = note: {_line(note.message)}", f"{pad}--> {escape_controls(str(note.span))}"]
    return head + ([f"{pad} |", *frame] if frame else [])


def _frame(span: Span | None, sources: Mapping[str, str], width: int, label: str) -> list[str]:
    if span is None or span.file not in sources:
        return []
    text_lines = sources[span.file].split("\n")
    if not 1 <= span.line <= len(text_lines):
        return []
    last = max(span.line, min(span.end_line, len(text_lines)))
    numbers = list(range(span.line, last + 1))
    if len(numbers) > MAX_FRAME_LINES:
        numbers = numbers[: MAX_FRAME_LINES - 1] + [-1, last]
    out: list[str] = []
    for n in numbers:
        if n == -1:
            out.append(f"{'...':>{width}} |")
            continue
        raw = text_lines[n - 1].rstrip("\r")
        start, end = _caret_columns(span, n, raw)
        shown, start, end = _window(_visible(raw), start, end)
        out.append(f"{n:>{width}} | {shown}".rstrip())
        tail = f" {label}" if label and n == last else ""
        out.append(f"{' ' * width} | {' ' * start}{'^' * max(1, end - start)}{tail}")
    return out


def _window(shown: str, start: int, end: int) -> tuple[str, int, int]:
    """A long line cut to MAX_LINE_WIDTH columns around the carets, `...` marking cuts."""
    if len(shown) <= MAX_LINE_WIDTH:
        return shown, start, end
    left = max(0, start - MAX_LINE_WIDTH // 3)
    right = min(len(shown), left + MAX_LINE_WIDTH)
    prefix = "..." if left else ""
    suffix = "..." if right < len(shown) else ""
    shift = len(prefix) - left
    return prefix + shown[left:right] + suffix, start + shift, min(end, right) + shift


def _caret_columns(span: Span, n: int, raw: str) -> tuple[int, int]:
    """Display columns [start, end) of the carets on line `n` (tabs expanded)."""
    indent = len(raw) - len(raw.lstrip())
    first = span.column - 1 if n == span.line else indent
    if n == span.end_line:
        stop = span.end_column - 1
    else:
        stop = len(raw)
    first = min(first, len(raw))
    stop = max(first, min(stop, len(raw)))
    return _display(raw, first), _display(raw, stop)


def _display(raw: str, index: int) -> int:
    return len(_visible(raw[:index]))


def _visible(raw: str) -> str:
    """A source line as a frame shows it: controls escaped, then tabs expanded."""
    return escape_controls(raw, keep="\t").expandtabs(TAB_WIDTH)


# ------------------------------------------------------------------------------ json


def _span_json(span: Span | None) -> dict[str, object]:
    if span is None:
        return {"file": None, "line": None, "column": None, "end_line": None,
                "end_column": None}
    return {"file": span.file, "line": span.line, "column": span.column,
            "end_line": span.end_line, "end_column": span.end_column}


def to_json(d: Diagnostic) -> dict[str, object]:
    """One diagnostic as a JSON-ready dict."""
    fix = None
    if d.fix is not None:
        fix = {**_span_json(d.fix.span), "replacement": d.fix.replacement}
    return {
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        **_span_json(d.span),
        "help": d.help,
        "notes": [{"message": n.message, **_span_json(n.span)} for n in d.notes],
        "fix": fix,
    }


def render_json(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """A JSON list of diagnostic objects (`sources` is unused: JSON has no frames)."""
    del sources
    return json.dumps([to_json(d) for d in ordered(diagnostics)], indent=2) + "\n"


# ---------------------------------------------------------------------------- github

_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape_controls(text)


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """One `::error file=...,line=...,col=...::PC204 message` line per diagnostic."""
    del sources
    lines = []
    for d in ordered(diagnostics):
        props = []
        if d.span is not None:
            s = d.span
            props = [f"file={_escape_property(s.file)}", f"line={s.line}", f"col={s.column}",
                     f"endLine={s.end_line}", f"endColumn={s.end_column}"]
        props.append(f"title={d.code}")
        body = f"{d.code} {d.message}" + (f"\nhelp: {d.help}" if d.help else "")
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(body)}")
    return "".join(line + "\n" for line in lines)

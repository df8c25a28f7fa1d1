"""Source-text helpers for parser diagnostics: spans from offsets, and delimiter matching.

Stage: part of parsing.  Consumes the raw text of one file (and lark tokens); produces
`podcheck.diagnostics.Span` values (1-based lines and columns, end exclusive, as lark
counts them) and a `DelimiterScan` saying which `{ [ (` are left open or closed oddly.
"""

from __future__ import annotations

from dataclasses import dataclass

from lark import Token

from podcheck.diagnostics import Span

PAIRS = {"}": "{", "]": "[", ")": "("}


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based (line, column) of character `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def prefix_span(span: Span, length: int) -> Span:
    """The first `length` columns of `span` (a map entry's key: its leading NAME)."""
    return Span(span.file, span.line, span.column, span.line, span.column + length)


def offset_span(text: str, path: str, offset: int, length: int) -> Span:
    """The span of `length` characters from `offset` (clipped to the end of its line)."""
    line, column = position(text, offset)
    end = text.find("\n", offset)
    stop = offset + length if end < 0 else min(offset + length, end)
    return Span(path, line, column, line, column + max(stop - offset, 0))


def eof_span(text: str, path: str) -> Span:
    """An empty span just past the last character."""
    line, column = position(text, len(text))
    return Span(path, line, column, line, column)


def token_span(tok: Token, path: str) -> Span:
    """The span of a lark token."""
    assert tok.line is not None and tok.column is not None
    end_line = tok.end_line if tok.end_line is not None else tok.line
    end_column = tok.end_column if tok.end_column is not None else tok.column
    return Span(path, tok.line, tok.column, end_line, end_column)


@dataclass(frozen=True, slots=True)
class DelimiterScan:
    """Offsets of delimiters: `open` still unclosed at the end (outermost first), `stray`
    closers with no opener, and `suspect`, the first opener whose closer sits at a
    different indentation (the likeliest place a closer is missing)."""

    open: tuple[int, ...]
    stray: tuple[int, ...]
    suspect: int | None


def scan_delimiters(text: str) -> DelimiterScan:
    """Match `{}`, `[]` and `()` in `text`, skipping comments and strings."""
    stack: list[int] = []
    stray: list[int] = []
    suspect: int | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if char == "#":
            i = _line_end(text, i)
            continue
        if char == '"':
            i = _string_end(text, i)
            continue
        if char in "{[(":
            stack.append(i)
        elif char in PAIRS:
            if stack and text[stack[-1]] == PAIRS[char]:
                opener = stack.pop()
                if suspect is None and _indent(text, opener) != _indent(text, i):
                    suspect = opener
            else:
                stray.append(i)
        i += 1
    return DelimiterScan(tuple(stack), tuple(stray), suspect if stack else None)


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _string_end(text: str, i: int) -> int:
    j = i + 1
    while j < len(text) and text[j] not in '"\n':
        j += 2 if text[j] == "\\" else 1
    return j + 1


def _indent(text: str, offset: int) -> int:
    start = text.rfind("\n", 0, offset) + 1
    return len(text[start:offset]) - len(text[start:offset].lstrip(" \t"))

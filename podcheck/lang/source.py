"""Source-text helpers: spans from offsets, delimiter matching, and reading spec files.

Stage: part of parsing.  Consumes the raw text of one file (and lark tokens); produces
`podcheck.diagnostics.Span` values (1-based lines and columns, end exclusive, as lark
counts them) and a `DelimiterScan` saying which `{ [ (` are left open or closed oddly.
Also reads spec files safely (`read_regular_file`, NOTE(safe-reading)): regular files
only, bounded in size, never blocking on a FIFO; a failure is a `ReadFailure` (a code
and a reason) that `podcheck.lang.imports` turns into a diagnostic.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

from lark import Token

from podcheck.diagnostics import Span, codes

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


# ---------------------------------------------------------------- reading files

# NOTE(safe-reading): spec files are read only when they are regular files no larger than
# the limit.  The path is stat-ed first (so a FIFO or a device is refused without being
# opened), then opened with O_NONBLOCK (so a FIFO swapped in after the stat cannot block
# the open) and fstat-ed again; at most `max_size + 1` bytes are read, so a file that
# grows past the limit, or a device that lies about its size, cannot exhaust memory.
DEFAULT_MAX_INPUT_SIZE = 8 * 1024 * 1024
_CHUNK = 1 << 16
_MAX_SHOWN_PATH = 160


@dataclass(frozen=True, slots=True)
class ReadFailure:
    """Why a file could not be read: a diagnostic code and a lower-case reason."""

    code: str
    reason: str


def read_regular_file(path: str, max_size: int) -> bytes | ReadFailure:
    """The bytes of the regular file at `path` (at most `max_size`), or why not."""
    try:
        kind = _not_regular(os.stat(path).st_mode)
        if kind is not None:
            return ReadFailure(codes.NOT_A_REGULAR_FILE, f"it is {kind}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        return os_failure(exc)
    try:
        info = os.fstat(fd)
        kind = _not_regular(info.st_mode)
        if kind is not None:
            return ReadFailure(codes.NOT_A_REGULAR_FILE, f"it is {kind}, not a regular file")
        if info.st_size > max_size:
            return _too_large(max_size)
        data = _read_at_most(fd, max_size + 1)
    except OSError as exc:
        return os_failure(exc)
    finally:
        os.close(fd)
    return _too_large(max_size) if len(data) > max_size else data


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = os.read(fd, min(_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is (`a directory`), None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"))
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def _too_large(max_size: int) -> ReadFailure:
    return ReadFailure(codes.INPUT_TOO_LARGE,
                       f"it is larger than the input size limit of {_size(max_size)}")


def _size(n: int) -> str:
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} bytes"


def os_failure(exc: OSError | ValueError) -> ReadFailure:
    """The read failure an `os.stat` / `os.open` / `os.read` error stands for."""
    if isinstance(exc, ValueError):  # os functions refuse paths with a NUL character
        return ReadFailure(codes.UNREADABLE_FILE, "the path contains a NUL character")
    number = exc.errno
    if number == errno.ENAMETOOLONG:
        return ReadFailure(codes.PATH_TOO_LONG,
                           "the path, or a name in it, is longer than the system allows")
    if number == errno.ELOOP:
        return ReadFailure(codes.SYMLINK_LOOP, "its symbolic links form a loop")
    reasons = {errno.ENOENT: "no such file",
               errno.ENOTDIR: "a component of the path is not a directory",
               errno.EACCES: "permission denied", errno.EPERM: "permission denied"}
    reason = reasons.get(number or 0) or (exc.strerror or type(exc).__name__).lower()
    return ReadFailure(codes.UNREADABLE_FILE, reason)


def shown_path(path: str) -> str:
    """`path` for a message: cut in the middle when it is very long."""
    if len(path) <= _MAX_SHOWN_PATH:
        return path
    half = _MAX_SHOWN_PATH // 2
    return f"{path[:half]}...{path[-half:]}"

"""Parsing: `.pod` source -> surface AST, or syntax diagnostics (PC0xx).

Stage: the first stage of the pipeline.  Consumes one file's text (`parse`) or raw bytes
(`parse_bytes`) and its path; produces `StageResult[SpecFile]` (`podcheck.lang.ast`),
consumed by `podcheck.lang.check`.  The value is None whenever a diagnostic is reported
(NOTE(stage-gating) in `podcheck.diagnostics`).  No input raises: bad bytes, bad
characters, bad tokens and absurd nesting all come back as diagnostics.

The grammar is `podspec.lark` (LALR, contextual lexer); `podcheck.lang.transform` turns
the tree into the AST and `podcheck.lang.parse_errors` describes lark's exceptions.
After an error, parsing resumes at the next line that starts a declaration in column 1
(the text before it is blanked, so positions stay right), to report up to `MAX_ERRORS`
independent errors without cascades.

Comments: the grammar ignores them, but a lexer callback on the COMMENT terminal
collects them (NOTE(comments)), and `parse` keeps them on `SpecFile.comments` (outside
equality) so that `podcheck fmt` can print them back.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import replace

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError

from podcheck.diagnostics import Diagnostic, Severity, Span, StageResult, codes
from podcheck.lang.ast import Comment, SpecFile
from podcheck.lang.parse_errors import diagnose
from podcheck.lang.source import offset_span, token_span
from podcheck.lang.transform import IntegerTooLong, ToAst

MAX_ERRORS = 10
# NOTE(nesting-limit): the checker, the printer and dataclass equality recurse over the
# AST, so trees deeper than this are refused here with PC016 instead of overflowing the
# Python stack later.  Parentheses do not count; each operator, block, list or map does.
MAX_NESTING = 100
# NOTE(token-limit): Python's `re` keeps a backtracking mark per repetition of a group, so
# lark's STRING pattern takes ~120 bytes per character of a literal (a 50 MB string took
# 6.7 GB).  Before lark runs, every line longer than MAX_TOKEN is scanned with patterns
# that keep no marks (possessive), and a string, comment, name or number longer than
# MAX_TOKEN is refused with PC017.  Whitespace runs are harmless and not counted.
MAX_TOKEN = 64 * 1024
_TOKENISH = re.compile(r'"(?:[^"\\\n]++|\\.)*+"?|#[^\n]*+|[A-Za-z0-9_.%+-]++|\s++|.')

_DECLARATION = re.compile(
    r"^(?:(?:import|property|check|expect)(?![A-Za-z0-9_-])"
    r"|[A-Za-z_][A-Za-z0-9_-]*(?:[ \t]+[A-Za-z_][A-Za-z0-9_-]*)?[ \t]*\{)",
    re.MULTILINE,
)


# NOTE(comments): the parser is built once and shared, so its COMMENT callback appends to
# whatever list the current `parse` call installed here (a ContextVar, so concurrent
# parses in threads or tasks do not mix their comments).  Outside `parse` it is None and
# comments are dropped.
_COMMENTS: ContextVar[list[Token] | None] = ContextVar("podcheck_comments", default=None)


def _collect_comment(token: Token) -> Token:
    found = _COMMENTS.get()
    if found is not None:
        found.append(token)
    return token


@functools.cache
def grammar() -> Lark:
    """The `.pod` parser, built once from podspec.lark."""
    return Lark.open(
        "podspec.lark",
        rel_to=__file__,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        lexer_callbacks={"COMMENT": _collect_comment},
    )


def parse_bytes(data: bytes, path: str) -> StageResult[SpecFile]:
    """Decode `data` as UTF-8 (a leading BOM is dropped) and parse it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return StageResult(None, (_encoding_error(data, err, path),))
    return parse(text, path)


def parse(text: str, path: str) -> StageResult[SpecFile]:
    """Parse the text of the `.pod` file at `path` (used for spans) into a `SpecFile`."""
    long_token = _long_token(text, path)
    if long_token is not None:
        return StageResult(None, (long_token,))
    comments: list[Token] = []
    reset = _COMMENTS.set(comments)
    try:
        tree, diagnostics = _parse_tree(text, path, comments)
        if tree is None:
            return StageResult(None, diagnostics)
        result = _to_ast(tree, text, path)
    except RecursionError:
        span = Span(path, 1, 1, 1, 1)
        return StageResult(None, (_nesting_error(span),))
    finally:
        _COMMENTS.reset(reset)
    if result.value is None or not comments:
        return result
    kept = tuple(_comment(tok, text) for tok in comments)
    return StageResult(replace(result.value, comments=kept), result.diagnostics)


def _long_token(text: str, path: str) -> Diagnostic | None:
    """PC017 for the first token longer than MAX_TOKEN (NOTE(token-limit)), if any."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if end - start > MAX_TOKEN:
            for match in _TOKENISH.finditer(text, start, end):
                word = match.group()
                if len(word) > MAX_TOKEN and not word[0].isspace():
                    return _token_error(text, path, match.start(), len(word))
        start = end + 1
    return None


def _token_error(text: str, path: str, offset: int, length: int) -> Diagnostic:
    kind = {'"': "string literal", "#": "comment"}.get(text[offset], "token")
    message = f"{kind} of {length} characters is longer than the limit of {MAX_TOKEN}"
    help = "shorten it; no value of a spec needs to be this long"
    return Diagnostic(codes.TOKEN_TOO_LONG, Severity.ERROR, message,
                      offset_span(text, path, offset, length), (), help)


def _comment(tok: Token, text: str) -> Comment:
    assert tok.line is not None and tok.column is not None and tok.start_pos is not None
    line_start = text.rfind("\n", 0, tok.start_pos) + 1
    own_line = not text[line_start : tok.start_pos].strip()
    return Comment(tok.line, tok.column, str(tok).rstrip(), own_line)


def _parse_tree(
    text: str, path: str, comments: list[Token]
) -> tuple[Tree[Token] | None, tuple[Diagnostic, ...]]:
    parser = grammar()
    diagnostics: list[Diagnostic] = []
    start = 0
    while len(diagnostics) < MAX_ERRORS:
        masked = text if start == 0 else re.sub(r"[^\n]", " ", text[:start]) + text[start:]
        comments.clear()
        try:
            tree = parser.parse(masked)
        except UnexpectedInput as err:
            found = diagnose(err, masked, path, parser.parse)
            if found not in diagnostics:
                diagnostics.append(found)
            resume = _resume_point(text, _error_offset(err, text), start)
            if resume is None:
                break
            start = resume
        else:
            return (tree if not diagnostics else None), tuple(diagnostics)
    return None, tuple(diagnostics)


def _error_offset(err: UnexpectedInput, text: str) -> int:
    if isinstance(err, UnexpectedToken):
        offset = err.token.start_pos if err.token.type != "$END" else None
        return len(text) if offset is None else offset
    return err.pos_in_stream or 0


def _resume_point(text: str, offset: int, start: int) -> int | None:
    """Where to parse again after an error at `offset`: a declaration the error token
    itself begins (an unclosed block runs into it), else the next one after that line."""
    line_start = text.rfind("\n", 0, offset) + 1
    if offset == line_start and offset > start and _DECLARATION.match(text, offset):
        return offset
    line_end = text.find("\n", offset)
    if line_end < 0:
        return None
    found = _DECLARATION.search(text, line_end + 1)
    return None if found is None else found.start()


def _to_ast(tree: Tree[Token], text: str, path: str) -> StageResult[SpecFile]:
    deep = _too_deep(tree)
    if deep is not None:
        meta = deep.meta
        span = Span(path, meta.line, meta.column, meta.end_line, meta.end_column)
        return StageResult(None, (_nesting_error(span),))
    try:
        spec = ToAst(path).transform(tree)
    except VisitError as err:
        if not isinstance(err.orig_exc, IntegerTooLong):
            raise
        span = token_span(err.orig_exc.token, path)
        message = f"integer literal with {len(err.orig_exc.token)} digits is too long"
        help = "integers in formulas are counts and small bounds; write a smaller number"
        error = Diagnostic(codes.INVALID_NUMBER, Severity.ERROR, message, span, (), help)
        return StageResult(None, (error,))
    assert isinstance(spec, SpecFile)
    return StageResult(spec, ())


def _too_deep(tree: Tree[Token]) -> Tree[Token] | None:
    """The first subtree found below `MAX_NESTING` levels, if any (iteratively)."""
    todo: list[tuple[Tree[Token], int]] = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_NESTING:
            return node
        todo.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))
    return None


def _nesting_error(span: Span) -> Diagnostic:
    message = f"nesting deeper than {MAX_NESTING} levels"
    help = (
        "flatten it: split a long formula into several properties, or a deeply nested "
        "value into blocks"
    )
    return Diagnostic(codes.NESTING_TOO_DEEP, Severity.ERROR, message, span, (), help)


def _encoding_error(data: bytes, err: UnicodeDecodeError, path: str) -> Diagnostic:
    prefix = data[: err.start].decode("utf-8", errors="replace")
    span = offset_span(prefix + "?", path, len(prefix), 1)
    message = f"file is not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})"
    help = "save the file as UTF-8"
    return Diagnostic(codes.INVALID_ENCODING, Severity.ERROR, message, span, (), help)

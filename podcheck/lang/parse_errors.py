"""Parser errors -> diagnostics: lark's exceptions described in the user's terms.

Stage: part of parsing.  Consumes a `lark.exceptions.UnexpectedInput` raised while
parsing one file's text; produces one `podcheck.diagnostics.Diagnostic` with a PC0xx
code, a span, a lower-case message and a `help`.

Classification, in order: strong signals from the offending character or token (an
unterminated string, a bad number suffix, `=>`, end of file inside `{`, a keyword
where a name belongs, a stray `}`, a chained comparison), then lark's
`UnexpectedInput.match_examples` against the known-bad snippets of `MISTAKES`, then
structural guesses that generalise those snippets to any nesting depth, and finally a
plain "unexpected X" listing what was expected (see `podcheck.lang.expected`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from podcheck.diagnostics import Diagnostic, Fix, Note, Severity, Span, codes
from podcheck.lang.expected import KEYWORDS, VALUE_START, describe_expected, describe_token
from podcheck.lang.source import PAIRS, eof_span, offset_span, scan_delimiters, token_span

CLOSERS = {"_RBRACE": "}", "_RBRACK": "]", "_RPAR": ")"}
DECLARATION_KEYWORDS = frozenset({"import", "property", "check", "expect"})
MAX_NUMBER_ECHO = 30


@dataclass(frozen=True, slots=True)
class Mistake:
    """A common mistake: its code, the fixed `help`, and known-bad snippets.

    With `by_example`, the snippets are fed to `UnexpectedInput.match_examples`; every
    snippet is also a test case that must produce this code and help.
    """

    code: str
    help: str
    examples: tuple[str, ...]
    by_example: bool = False


MISSING_COLON = Mistake(
    codes.MISSING_COLON,
    "write a field as `name: value`, for example `replicas: 3`",
    ("a { b 3 }", "a b { c 5s }", 'a { b { c "x" } }', "a { b [1] }", "a { b = 3 }"),
    by_example=True,
)
ASSIGNMENT = Mistake(
    codes.ASSIGNMENT_IN_FORMULA,
    "use `==` to compare two values",
    ("property p: a = b", "property p: forall x in pods: x.phase = Running"),
)
UNCLOSED = Mistake(
    codes.UNCLOSED_DELIMITER,
    "add the missing closing delimiter",
    ("a { b: 1", "property p: (a", "a { b: [1, 2 }", "a {\n  b {\n    c: 1\n}\n"),
)
KEYWORD_AS_NAME = Mistake(
    codes.KEYWORD_AS_NAME,
    "choose another name: keywords are reserved in every position",
    (
        "node in { }",
        "a { where: 1 }",
        "property count: true",
        "property p: forall and in pods: true",
    ),
)
MISSING_VALUE = Mistake(
    codes.MISSING_VALUE,
    "give the field a value, such as `3`, `10s`, `Always`, `[a, b]` or `{ key: value }`",
    ("a { b: }", "a { b { c: } }", "a { b:\n  c: 1 }", "a { b: ", "a { m: { x: , y: 1 } }"),
    by_example=True,
)
ARROW = Mistake(
    codes.ARROW_OPERATOR,
    "write `implies` for implication, or `~>` for leads-to (`P ~> Q`)",
    ("property p: a => b", "property p: a -> b", "property p: always (a.ready -> b.ready)"),
)
INVALID_NUMBER = Mistake(
    codes.INVALID_NUMBER,
    "durations end in `ms`, `s`, `m` or `h`; quantities in `k`, `M`, `G`, `T`, `P`, `E`, "
    "`Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei` or an exponent such as `e3`",
    ("a { b: 5sec }", "a { b: 4GB }", "property p: x.restarts > 3x"),
)
CHAINED = Mistake(
    codes.CHAINED_OPERATOR,
    "comparisons and `~>` do not chain: write `a < b and b < c`, or split `P ~> Q ~> R` "
    "into two properties",
    ("property p: a < b < c", "property p: a == b != c", "property p: a ~> b ~> c"),
)
FIELD_OUTSIDE_BLOCK = Mistake(
    codes.FIELD_OUTSIDE_BLOCK,
    "fields belong inside a block, as in `deployment web { replicas: 3 }`",
    ("replicas: 3", "a { }\nb: 1"),
    by_example=True,
)
UNMATCHED = Mistake(
    codes.UNMATCHED_DELIMITER,
    "remove it, or add the opening delimiter it should close",
    ("a { b: 1 } }", "a { b: [1] ] }", "property p: a)"),
)
UNTERMINATED_STRING = Mistake(
    codes.UNTERMINATED_STRING,
    'close the string with `"` on the same line',
    ('a { image: "nginx }', 'import "x.pod'),
)

MISTAKES: tuple[Mistake, ...] = (
    UNTERMINATED_STRING,
    MISSING_COLON,
    ASSIGNMENT,
    UNCLOSED,
    KEYWORD_AS_NAME,
    MISSING_VALUE,
    ARROW,
    INVALID_NUMBER,
    CHAINED,
    FIELD_OUTSIDE_BLOCK,
    UNMATCHED,
)

ParseFn = Callable[[str], Tree[Token]]


def diagnose(err: UnexpectedInput, text: str, path: str, parse_fn: ParseFn) -> Diagnostic:
    """The diagnostic for a lark error raised while parsing `text` (the file at `path`)."""
    if isinstance(err, UnexpectedCharacters):
        return _bad_character(err, text, path)
    if isinstance(err, UnexpectedToken):
        return _bad_token(err, text, path, parse_fn)
    span = offset_span(text, path, err.pos_in_stream or 0, 0)
    return _error(codes.SYNTAX_ERROR, "unexpected input", span, "check the syntax near here")


def _error(
    code: str,
    message: str,
    span: Span,
    help: str | None,
    notes: tuple[Note, ...] = (),
    fix: Fix | None = None,
) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, notes, help, fix)


def _mistake(
    mistake: Mistake,
    message: str,
    span: Span,
    notes: tuple[Note, ...] = (),
    fix: Fix | None = None,
) -> Diagnostic:
    """The diagnostic of a classified mistake, with the mistake's code and `help`."""
    return _error(mistake.code, message, span, mistake.help, notes, fix)


def _stack(err: UnexpectedInput) -> list[object]:
    """The values the parser had shifted before the error (tokens and subtrees)."""
    return list(getattr(err.state, "value_stack", None) or ())


def _end_span(err: UnexpectedToken, text: str, path: str) -> Span:
    """Just after the last token (lark's end-of-input token borrows its position)."""
    tok = err.token
    if tok.end_line is None or tok.end_column is None:
        return eof_span(text, path)
    return Span(path, tok.end_line, tok.end_column, tok.end_line, tok.end_column)


def _expected(err: UnexpectedToken) -> set[str]:
    """The terminals the parser would accept here (exact when lark can simulate it)."""
    return set(err.accepts or err.expected)


def _last_token(stack: list[object], *types: str) -> Token | None:
    if stack and isinstance(stack[-1], Token) and stack[-1].type in types:
        return stack[-1]
    return None


# ---------------------------------------------------------------- lexer errors


def _bad_character(err: UnexpectedCharacters, text: str, path: str) -> Diagnostic:
    pos = err.pos_in_stream
    assert pos is not None
    char = text[pos]
    if char == '"':
        end = text.find("\n", pos)
        span = offset_span(text, path, pos, (len(text) if end < 0 else end) - pos)
        return _mistake(UNTERMINATED_STRING, "unterminated string", span)
    if char in "0123456789":  # str.isdigit also accepts `²` and `٣`
        word = re.match(r"[0-9][A-Za-z0-9_.%]*", text[pos:])
        assert word is not None
        echo = word.group()[:MAX_NUMBER_ECHO]
        span = offset_span(text, path, pos, len(word.group()))
        return _mistake(INVALID_NUMBER, f"invalid number `{echo}`", span)
    if text.startswith("=>", pos):
        return _arrow("=>", offset_span(text, path, pos, 2))
    if char == "=":
        return _equals(err, text, path)
    shown = f"`{char}`" if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"
    span = offset_span(text, path, pos, 1)
    allowed = describe_expected(err.allowed or set())
    message = f"unexpected character {shown}"
    return _error(codes.UNEXPECTED_CHARACTER, message, span, f"expected {allowed}")


def _equals(err: UnexpectedCharacters, text: str, path: str) -> Diagnostic:
    pos = err.pos_in_stream
    assert pos is not None
    span = offset_span(text, path, pos, 1)
    allowed = err.allowed or set()
    name = _last_token(_stack(err), "NAME")
    if "_COLON" in allowed and name is not None:
        fix = Fix(span, ":")
        return _mistake(MISSING_COLON, f"missing `:` after field name `{name}`", span, fix=fix)
    if "CMP_OP" in allowed:
        message = "`=` is not an operator in a formula"
        return _mistake(ASSIGNMENT, message, span, fix=Fix(span, "=="))
    return _error(
        codes.UNEXPECTED_CHARACTER,
        "unexpected character `=`",
        span,
        f"expected {describe_expected(allowed)}",
    )


def _arrow(arrow: str, span: Span) -> Diagnostic:
    return _mistake(ARROW, f"`{arrow}` is not an operator", span)


# ---------------------------------------------------------------- parser errors


def _bad_token(err: UnexpectedToken, text: str, path: str, parse_fn: ParseFn) -> Diagnostic:
    for guess in (_strong_guess, _example_guess, _structural_guess):
        found = guess(err, text, path, parse_fn)
        if found is not None:
            return found
    tok = err.token
    span = _end_span(err, text, path) if tok.type == "$END" else token_span(tok, path)
    help = f"expected {describe_expected(_expected(err))}"
    if tok.type == "$END":
        return _error(codes.UNEXPECTED_END_OF_FILE, "unexpected end of file", span, help)
    return _error(
        codes.SYNTAX_ERROR,
        f"unexpected {describe_token(tok)}",
        span,
        help,
        _inside(err, text, path),
    )


def _inside(err: UnexpectedToken, text: str, path: str) -> tuple[Note, ...]:
    """A note pointing at the innermost open delimiter, when closing it is an option."""
    assert err.token.start_pos is not None
    scan = scan_delimiters(text[: err.token.start_pos])
    if not scan.open or not set(CLOSERS) & _expected(err):
        return ()
    opener = scan.open[-1]
    return (Note(f"inside the `{text[opener]}` opened here", offset_span(text, path, opener, 1)),)


def _strong_guess(
    err: UnexpectedToken, text: str, path: str, parse_fn: ParseFn
) -> Diagnostic | None:
    tok, stack = err.token, _stack(err)
    if tok.type == "$END":
        return _unclosed(err, text, path)
    if str(tok) in DECLARATION_KEYWORDS and set(CLOSERS) & _expected(err):
        return _declaration_inside(err, text, path)
    if str(tok) in KEYWORDS and "NAME" in _expected(err):
        message = f"`{tok}` is a reserved keyword and cannot be used as a name"
        return _mistake(KEYWORD_AS_NAME, message, token_span(tok, path))
    if tok.type in CLOSERS and tok.start_pos is not None:
        scan = scan_delimiters(text[: tok.start_pos + 1])
        if tok.start_pos in scan.stray:
            return _stray_closer(err, text, path, scan.open)
    if tok == ">" and tok.start_pos and text[tok.start_pos - 1] == "-":
        assert tok.line is not None and tok.column is not None
        return _arrow("->", Span(path, tok.line, tok.column - 1, tok.line, tok.column + 1))
    pending = {t.type for t in stack[-3:] if isinstance(t, Token)}
    if tok.type in ("CMP_OP", "_LEADSTO") and tok.type in pending:
        shown = "~>" if tok.type == "_LEADSTO" else str(tok)
        span = token_span(tok, path)
        return _mistake(CHAINED, f"`{shown}` cannot be chained", span)
    return None


def _unclosed(err: UnexpectedToken, text: str, path: str) -> Diagnostic | None:
    scan = scan_delimiters(text)
    opener = scan.suspect if scan.suspect is not None else (scan.open[-1] if scan.open else None)
    if opener is None or not set(CLOSERS) & _expected(err):
        colon = _last_token(_stack(err), "_COLON")
        if colon is not None and VALUE_START <= _expected(err):
            return _missing_value(_stack(err), colon, path)
        return None
    message = f"the file ends here without a matching `{_closer(text, opener)}`"
    return _unclosed_at(text, path, opener, Note(message, _end_span(err, text, path)))


def _declaration_inside(err: UnexpectedToken, text: str, path: str) -> Diagnostic | None:
    tok = err.token
    assert tok.start_pos is not None
    scan = scan_delimiters(text[: tok.start_pos])
    opener = scan.suspect if scan.suspect is not None else (scan.open[-1] if scan.open else None)
    if opener is None:
        return None
    note = Note(f"`{tok}` starts a new declaration here", token_span(tok, path))
    return _unclosed_at(text, path, opener, note)


def _stray_closer(
    err: UnexpectedToken, text: str, path: str, still_open: tuple[int, ...]
) -> Diagnostic:
    tok = err.token
    openers = {text[i] for i in still_open[:-1]}
    if still_open and PAIRS[str(tok)] in openers:
        closer = _closer(text, still_open[-1])
        note = Note(f"`{tok}` found here, before the matching `{closer}`", token_span(tok, path))
        return _unclosed_at(text, path, still_open[-1], note)
    return _mistake(UNMATCHED, f"unmatched `{tok}`", token_span(tok, path))


def _unclosed_at(text: str, path: str, opener: int, note: Note) -> Diagnostic:
    span = offset_span(text, path, opener, 1)
    return _mistake(UNCLOSED, f"unclosed `{text[opener]}`", span, (note,))


def _closer(text: str, opener: int) -> str:
    return {"{": "}", "[": "]", "(": ")"}[text[opener]]


def _example_guess(
    err: UnexpectedToken, text: str, path: str, parse_fn: ParseFn
) -> Diagnostic | None:
    if err.state is None:
        return None
    table = [(m, m.examples) for m in MISTAKES if m.by_example]
    mistake = err.match_examples(parse_fn, table, token_type_match_fallback=True)
    if mistake is MISSING_COLON:
        return _missing_colon(err, path)
    if mistake is MISSING_VALUE:
        colon = _last_token(_stack(err), "_COLON")
        return None if colon is None else _missing_value(_stack(err), colon, path)
    name = _last_token(_stack(err), "NAME")
    if mistake is FIELD_OUTSIDE_BLOCK and err.token.type == "_COLON" and name is not None:
        span = token_span(name, path)
        return _mistake(FIELD_OUTSIDE_BLOCK, f"field `{name}` outside a block", span)
    return None


def _structural_guess(
    err: UnexpectedToken, text: str, path: str, parse_fn: ParseFn
) -> Diagnostic | None:
    stack = _stack(err)
    if "_COLON" in _expected(err) and _last_token(stack, "NAME") is not None:
        return _missing_colon(err, path)
    colon = _last_token(stack, "_COLON")
    if colon is not None and VALUE_START <= _expected(err):
        return _missing_value(stack, colon, path)
    if err.token.type == "_COLON" and _last_token(stack, "NAME") and len(stack) >= 3:
        before = stack[-2]
        if isinstance(before, Token) and before.type == "_COLON":
            return _missing_value(stack[:-1], before, path)
    return None


def _missing_colon(err: UnexpectedToken, path: str) -> Diagnostic | None:
    name = _last_token(_stack(err), "NAME")
    if name is None:
        return None
    span = token_span(name, path)
    at = Span(path, span.end_line, span.end_column, span.end_line, span.end_column)
    message = f"missing `:` after field name `{name}`"
    return _mistake(MISSING_COLON, message, span, fix=Fix(at, ":"))


def _missing_value(stack: list[object], colon: Token, path: str) -> Diagnostic:
    name = stack[-2] if len(stack) >= 2 and isinstance(stack[-2], Token) else None
    span = token_span(colon, path)
    what = f"`{name}:`" if name is not None else "`:`"
    return _mistake(MISSING_VALUE, f"missing value after {what}", span)

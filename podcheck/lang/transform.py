"""Lark parse tree -> surface AST: one Transformer whose methods are the grammar's rule names.

Stage: part of parsing.  Consumes the `lark.Tree` that `podspec.lark` produces (with
`propagate_positions=True`); produces a `podcheck.lang.ast.SpecFile` whose property
formulas are `podcheck.spec` expression nodes.  Every bare name in a formula becomes a
`Ref`, whatever it spells: what it denotes (a variable, an object, a state) is decided
by the checker (NOTE(name-scopes) in `podcheck.lang.formulas`), not by the parser.
Spans are 1-based and taken straight from lark's `Meta` / `Token` positions; this is
the only place they are built.

The transformer is non-recursive (`Transformer_NonRecursive`), so tree depth is bounded
only by memory; `podcheck.lang.parse` still caps nesting (NOTE(nesting-limit)) because
later stages and the printer recurse over the AST.
"""

from __future__ import annotations

from dataclasses import replace

from lark import Token, Transformer_NonRecursive, v_args
from lark.tree import Meta

from podcheck.diagnostics import Span
from podcheck.lang.ast import (
    Block,
    CheckItem,
    ExpectItem,
    Field,
    Import,
    Item,
    ListValue,
    MapValue,
    PropertyItem,
    Range,
    Scalar,
    SpecFile,
    Value,
)
from podcheck.lang.scalars import MAX_DURATION_MS, duration_ms
from podcheck.spec import (
    Attr,
    Binary,
    BoolLit,
    ContainerOf,
    Count,
    Domain,
    DurationLit,
    Elapsed,
    Expr,
    IntLit,
    Quant,
    Ref,
    Temporal,
    Unary,
)

# Token type -> Scalar.kind.
SCALAR_KIND = {
    "INT": "int",
    "DURATION": "duration",
    "QUANTITY": "quantity",
    "PERCENT": "percent",
    "STRING": "string",
    "BOOL": "bool",
    "NAME": "name",
}

def _bounded(formula: Expr, within: Token, span: Span) -> Temporal:
    """`formula within D`: the bound goes on its top-level temporal operator (a formula
    without one is read as `always`, which the checker then rejects with PC210)."""
    ms = duration_ms(Scalar("duration", str(within), span))
    bound = MAX_DURATION_MS + 1 if ms is None else ms
    if isinstance(formula, Temporal):
        return replace(formula, within=bound)
    return Temporal("always", (formula,), formula.span, within=bound)


# Python refuses to convert longer decimal strings to int (sys.get_int_max_str_digits).
MAX_INT_DIGITS = 4000


class IntegerTooLong(ValueError):
    """An integer literal in a formula has more digits than Python will convert."""

    def __init__(self, token: Token) -> None:
        super().__init__(f"integer literal with {len(token)} digits")
        self.token = token


@v_args(meta=True, inline=True)
class ToAst(Transformer_NonRecursive[Token, SpecFile]):
    """Builds the AST for one file; `path` goes into every span."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    def _span(self, meta: Meta) -> Span:
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _token_span(self, tok: Token) -> Span:
        assert tok.line is not None and tok.column is not None
        assert tok.end_line is not None and tok.end_column is not None
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column)

    # ------------------------------------------------------------ declarations

    def start(self, meta: Meta, *items: Item) -> SpecFile:
        return SpecFile(tuple(items), path=self.path)

    def import_path(self, meta: Meta, target: Token) -> Import:
        return Import(str(target)[1:-1], True, self._span(meta))

    def import_module(self, meta: Meta, target: str) -> Import:
        return Import(target, False, self._span(meta))

    def dotted_name(self, meta: Meta, *parts: Token) -> str:
        return ".".join(parts)

    def block(self, meta: Meta, kind: Token, name: Token | None, *members: Field | Block) -> Block:
        return Block(str(kind), None if name is None else str(name), members, self._span(meta))

    def field(self, meta: Meta, name: Token, value: Value) -> Field:
        return Field(str(name), value, self._span(meta))

    def scalar(self, meta: Meta, tok: Token) -> Scalar:
        return Scalar(SCALAR_KIND[tok.type], str(tok), self._token_span(tok))

    def range(self, meta: Meta, lo: Scalar, hi: Scalar) -> Range:
        return Range(lo, hi, self._span(meta))

    def fixed_range(self, meta: Meta, _fixed: Token, lo: Scalar, hi: Scalar) -> Range:
        return Range(lo, hi, self._span(meta), fixed=True)

    def list_value(self, meta: Meta, *items: Value) -> ListValue:
        return ListValue(items, self._span(meta))

    def map_value(self, meta: Meta, *entries: Field) -> MapValue:
        return MapValue(entries, self._span(meta))

    def property_item(
        self, meta: Meta, name: Token, formula: Expr, within: Token | None = None
    ) -> PropertyItem:
        if within is not None:
            formula = _bounded(formula, within, self._token_span(within))
        return PropertyItem(str(name), formula, self._span(meta))

    def check_item(self, meta: Meta, name: Token, *args: Token | None) -> CheckItem:
        names = tuple(str(a) for a in args if a is not None)
        return CheckItem(str(name), names, self._span(meta))

    def expect_item(self, meta: Meta, name: Token, outcome: Token) -> ExpectItem:
        return ExpectItem(str(name), str(outcome), self._span(meta))

    # ------------------------------------------------------------ formulas

    def leadsto(self, meta: Meta, p: Expr, q: Expr) -> Temporal:
        return Temporal("leadsto", (p, q), self._span(meta))

    def always(self, meta: Meta, body: Expr) -> Temporal:
        if isinstance(body, Temporal) and body.op == "eventually":
            return Temporal("always_eventually", body.args, self._span(meta))
        return Temporal("always", (body,), self._span(meta))

    def container_of(self, meta: Meta, obj: Expr, name: Token) -> ContainerOf:
        return ContainerOf(obj, str(name), self._span(meta))

    def eventually(self, meta: Meta, body: Expr) -> Temporal:
        return Temporal("eventually", (body,), self._span(meta))

    def _binary(self, op: str, meta: Meta, left: Expr, right: Expr) -> Binary:
        return Binary(op, left, right, self._span(meta))

    def implies(self, meta: Meta, left: Expr, right: Expr) -> Binary:
        return self._binary("implies", meta, left, right)

    def or_(self, meta: Meta, left: Expr, right: Expr) -> Binary:
        return self._binary("or", meta, left, right)

    def and_(self, meta: Meta, left: Expr, right: Expr) -> Binary:
        return self._binary("and", meta, left, right)

    def compare(self, meta: Meta, left: Expr, op: Token, right: Expr) -> Binary:
        return self._binary(str(op), meta, left, right)

    def add(self, meta: Meta, left: Expr, right: Expr) -> Binary:
        return self._binary("+", meta, left, right)

    def sub(self, meta: Meta, left: Expr, right: Expr) -> Binary:
        return self._binary("-", meta, left, right)

    def mul(self, meta: Meta, left: Expr, right: Expr) -> Binary:
        return self._binary("*", meta, left, right)

    def not_(self, meta: Meta, arg: Expr) -> Unary:
        return Unary("not", arg, self._span(meta))

    def neg(self, meta: Meta, arg: Expr) -> Unary:
        return Unary("-", arg, self._span(meta))

    def forall(self, meta: Meta, var: Token, domain: Domain, body: Expr) -> Quant:
        return Quant("forall", str(var), domain, body, self._span(meta))

    def exists(self, meta: Meta, var: Token, domain: Domain, body: Expr) -> Quant:
        return Quant("exists", str(var), domain, body, self._span(meta))

    def attr(self, meta: Meta, obj: Expr, name: Token) -> Attr:
        return Attr(obj, str(name), self._span(meta))

    def int_lit(self, meta: Meta, tok: Token) -> IntLit:
        if len(tok) > MAX_INT_DIGITS:
            raise IntegerTooLong(tok)
        return IntLit(int(tok), self._span(meta))

    def duration_lit(self, meta: Meta, tok: Token) -> DurationLit:
        span = self._span(meta)
        ms = duration_ms(Scalar("duration", str(tok), span))
        return DurationLit(MAX_DURATION_MS + 1 if ms is None else ms, span)

    def elapsed(self, meta: Meta, tok: Token) -> Elapsed:
        return Elapsed(self._span(meta))

    def bool_lit(self, meta: Meta, tok: Token) -> BoolLit:
        return BoolLit(tok == "true", self._span(meta))

    def ref(self, meta: Meta, tok: Token) -> Ref:
        return Ref(str(tok), self._span(meta))

    def count(self, meta: Meta, var: Token, domain: Domain, where: Expr | None) -> Count:
        return Count(str(var), domain, where, self._span(meta))

    def domain(self, meta: Meta, kind: Token, of: Token | None = None) -> Domain:
        return Domain(str(kind), None if of is None else str(of), self._span(meta))

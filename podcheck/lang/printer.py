"""The canonical text of a parsed spec: what `podcheck fmt` writes.

Stage: a side exit of parsing.  Consumes a `podcheck.lang.ast.SpecFile` as produced by
`podcheck.lang.parse`; produces `.pod` source text.

Layout: two-space indentation, one field or block per line, a map or list inline when
it fits in `WIDTH` columns (`{ cpu: 2, memory: 4Gi }`, `[a, b]`) and one entry per line
otherwise; consecutive one-line declarations of the same kind (imports, properties,
checks, expects) are grouped, everything else is separated by a blank line.  Formulas
get canonical spacing and only the parentheses that precedence requires
(NOTE(open-formulas) in podspec.lark).

Comments are not preserved: the AST does not keep them, so formatting drops them.

Guarantee: `parse(format_spec(s))` gives back an AST equal to `s` for every `s` that
`parse` produced, and `format_spec` is idempotent on its own output.  ASTs that `parse`
cannot produce (a `Ref` named like a state, a negative `IntLit`, `always` directly
around `eventually`) print as the nearest text that parses.
"""

from __future__ import annotations

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
from podcheck.spec import (
    Attr,
    Binary,
    BoolLit,
    Count,
    Domain,
    EnumLit,
    Expr,
    IntLit,
    Quant,
    Ref,
    Temporal,
    Unary,
)

WIDTH = 88
INDENT = "  "

# Binding strength of each formula level (higher binds tighter), as in podspec.lark.
LEADSTO, IMPLIES, OR, AND, NOT, COMPARE, SUM, PRODUCT, NEG, POSTFIX, ATOM = range(11)
_BINARY = {
    "implies": IMPLIES,
    "or": OR,
    "and": AND,
    "==": COMPARE,
    "!=": COMPARE,
    "<": COMPARE,
    "<=": COMPARE,
    ">": COMPARE,
    ">=": COMPARE,
    "+": SUM,
    "-": SUM,
    "*": PRODUCT,
}
# The least level each operand of a binary operator must have: (left, right).
_OPERANDS = {
    LEADSTO: (IMPLIES, IMPLIES),
    IMPLIES: (OR, IMPLIES),
    OR: (OR, AND),
    AND: (AND, NOT),
    COMPARE: (SUM, SUM),
    SUM: (SUM, PRODUCT),
    PRODUCT: (PRODUCT, NEG),
}
_OPEN_TEMPORAL = {
    "always": "always",
    "eventually": "eventually",
    "always_eventually": "always eventually",
}


def format_spec(spec: SpecFile) -> str:
    """The canonical text of `spec` (comments are not preserved), ending in a newline."""
    chunks: list[str] = []
    previous: Item | None = None
    for item in spec.items:
        text = format_item(item)
        if previous is not None:
            grouped = type(item) is type(previous) and "\n" not in text + chunks[-1]
            chunks.append("\n" if grouped else "\n\n")
        chunks.append(text)
        previous = item
    return "".join(chunks) + "\n" if chunks else ""


def format_item(item: Item) -> str:
    """One top-level declaration, without a trailing newline."""
    if isinstance(item, Import):
        return f'import "{item.target}"' if item.quoted else f"import {item.target}"
    if isinstance(item, Block):
        return "\n".join(_block(item, 0))
    if isinstance(item, PropertyItem):
        return f"property {item.name}: {format_formula(item.formula)}"
    if isinstance(item, CheckItem):
        args = f"({', '.join(item.args)})" if item.args else ""
        return f"check {item.name}{args}"
    assert isinstance(item, ExpectItem)
    return f"expect {item.name} {item.outcome}"


# ---------------------------------------------------------------- blocks and values


def _block(block: Block, depth: int) -> list[str]:
    pad = INDENT * depth
    head = block.kind if block.name is None else f"{block.kind} {block.name}"
    if not block.members:
        return [f"{pad}{head} {{}}"]
    lines = [f"{pad}{head} {{"]
    for member in block.members:
        if isinstance(member, Block):
            lines += _block(member, depth + 1)
        else:
            lines += _field(member, depth + 1)
    return lines + [f"{pad}}}"]


def _field(item: Field, depth: int) -> list[str]:
    pad = INDENT * depth
    inline = _inline(item.value)
    if len(pad) + len(item.name) + 2 + len(inline) <= WIDTH:
        return [f"{pad}{item.name}: {inline}"]
    return _multiline(f"{pad}{item.name}: ", item.value, depth)


def _multiline(head: str, value: Value, depth: int) -> list[str]:
    """`value` opened on the line `head` and spread one entry per line below it."""
    pad = INDENT * depth
    if isinstance(value, MapValue):
        body = [line for entry in value.entries for line in _field(entry, depth + 1)]
        return [head + "{", *body, pad + "}"]
    if isinstance(value, ListValue):
        body = [line for v in value.items for line in _list_item(v, depth + 1)]
        return [head + "[", *body, pad + "]"]
    return [head + _inline(value)]


def _list_item(value: Value, depth: int) -> list[str]:
    pad = INDENT * depth
    inline = _inline(value)
    if len(pad) + len(inline) <= WIDTH:
        return [pad + inline]
    return _multiline(pad, value, depth)


def _inline(value: Value) -> str:
    if isinstance(value, Scalar):
        return value.text
    if isinstance(value, Range):
        return f"{value.lo.text}..{value.hi.text}"
    if isinstance(value, ListValue):
        return "[" + ", ".join(_inline(v) for v in value.items) + "]"
    if not value.entries:
        return "{}"
    return "{ " + ", ".join(f"{e.name}: {_inline(e.value)}" for e in value.entries) + " }"


# ---------------------------------------------------------------- formulas


def format_formula(expr: Expr) -> str:
    """A formula with canonical spacing and the fewest parentheses that keep its shape."""
    return _formula(expr, LEADSTO, True)


def _formula(expr: Expr, level: int, at_end: bool) -> str:
    """`expr` where the grammar wants at least `level`; `at_end` when nothing follows it
    before a closing parenthesis or the end of the formula (open formulas need that)."""
    own, is_open = _level(expr)
    if own < level or (is_open and (not at_end or level > NOT)):
        return f"({_formula(expr, LEADSTO, True)})"
    return _bare(expr, at_end)


def _level(expr: Expr) -> tuple[int, bool]:
    """The level `expr` prints at, and whether it is open (extends to the end)."""
    if isinstance(expr, Temporal):
        return (LEADSTO, False) if expr.op == "leadsto" else (NOT, True)
    if isinstance(expr, Quant):
        return NOT, True
    if isinstance(expr, Binary):
        return _BINARY[expr.op], False
    if isinstance(expr, Unary):
        return (NOT if expr.op == "not" else NEG), False
    if isinstance(expr, Attr):
        return POSTFIX, False
    if isinstance(expr, IntLit) and expr.value < 0:
        return NEG, False
    return ATOM, False


def _bare(expr: Expr, at_end: bool) -> str:
    if isinstance(expr, Binary | Temporal) and len(_args(expr)) == 2:
        return _infix(expr, at_end)
    if isinstance(expr, Temporal):
        return f"{_OPEN_TEMPORAL[expr.op]} {_formula(expr.args[0], LEADSTO, at_end)}"
    if isinstance(expr, Quant):
        head = f"{expr.kind} {expr.var} in {_domain(expr.domain)}"
        return f"{head}: {_formula(expr.body, LEADSTO, at_end)}"
    if isinstance(expr, Unary):
        if expr.op == "not":
            return f"not {_formula(expr.arg, NOT, at_end)}"
        return f"-{_formula(expr.arg, NEG, at_end)}"
    if isinstance(expr, Attr):
        return f"{_formula(expr.obj, POSTFIX, False)}.{expr.field}"
    return _atom(expr)


def _args(expr: Binary | Temporal) -> tuple[Expr, ...]:
    return expr.args if isinstance(expr, Temporal) else (expr.left, expr.right)


def _infix(expr: Binary | Temporal, at_end: bool) -> str:
    left, right = _args(expr)
    op = "~>" if isinstance(expr, Temporal) else expr.op
    own = LEADSTO if isinstance(expr, Temporal) else _BINARY[op]
    want_left, want_right = _OPERANDS[own]
    return f"{_formula(left, want_left, False)} {op} {_formula(right, want_right, at_end)}"


def _atom(expr: Expr) -> str:
    if isinstance(expr, IntLit):
        return str(expr.value)
    if isinstance(expr, BoolLit):
        return "true" if expr.value else "false"
    if isinstance(expr, EnumLit | Ref):
        return expr.name
    assert isinstance(expr, Count), expr
    where = "" if expr.where is None else f" where {format_formula(expr.where)}"
    return f"count({expr.var} in {_domain(expr.domain)}{where})"


def _domain(domain: Domain) -> str:
    return domain.kind if domain.of is None else f"{domain.kind}({domain.of})"

"""Formulas as text: the formula half of `fmt` (podcheck.lang.printer).

Stage: a side exit of parsing.  Consumes a property formula (`podcheck.spec.Expr`);
produces its canonical text with the fewest parentheses that keep its shape, broken over
lines when wider than `WIDTH`, and a property's `within` bound as a duration literal.
"""

from __future__ import annotations

from dataclasses import replace

from podcheck.spec import (
    Attr,
    Binary,
    BoolLit,
    ContainerOf,
    Count,
    Domain,
    DurationLit,
    Elapsed,
    EnumLit,
    Expr,
    IntLit,
    Quant,
    Ref,
    Temporal,
    Unary,
)

WIDTH = 88

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


# ---------------------------------------------------------------- formulas


def unbounded(formula: Expr) -> tuple[Expr, str]:
    """A property's formula without its `within` bound, and the bound as text."""
    if not isinstance(formula, Temporal) or formula.within is None:
        return formula, ""
    return replace(formula, within=None), f" within {format_duration_ms(formula.within)}"


def format_duration_ms(ms: int) -> str:
    """Milliseconds as the shortest exact duration literal (`2m`, `90s`, `1500ms`)."""
    for unit, size in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if ms and ms % size == 0:
            return f"{ms // size}{unit}"
    return f"{ms}ms" if ms else "0s"


def format_formula(expr: Expr) -> str:
    """A formula with canonical spacing and the fewest parentheses that keep its shape."""
    return _formula(expr, LEADSTO, True)


_BREAKABLE = ("implies", "or", "and")


def formula_lines(expr: Expr, pad: str, more: str) -> list[str]:
    """`expr` at `pad`, broken after its main `~>` / `implies` / `or` / `and` (below any
    leading `always`, `eventually` and quantifiers) while wider than `WIDTH`, the rest at
    `more`.  Joining the lines with single spaces gives `format_formula(expr)`."""
    text = format_formula(expr)
    if len(pad) + len(text) <= WIDTH:
        return [pad + text]
    prefix = ""
    body = expr
    while (isinstance(body, Temporal) and len(body.args) == 1) or isinstance(body, Quant):
        if isinstance(body, Quant):
            prefix += f"{body.kind} {body.var} in {_domain(body.domain)}: "
            body = body.body
        else:
            prefix += _OPEN_TEMPORAL[body.op] + " "
            body = body.args[0]
    leadsto = isinstance(body, Temporal) and body.op == "leadsto"
    if not leadsto and not (isinstance(body, Binary) and body.op in _BREAKABLE):
        return [pad + text]
    assert isinstance(body, Binary | Temporal)
    left, right = _args(body)
    op = "~>" if leadsto or isinstance(body, Temporal) else body.op
    want_left, want_right = _OPERANDS[LEADSTO if leadsto else _BINARY[op]]
    first = f"{pad}{prefix}{_formula(left, want_left, False)} {op}"
    if _formula(right, want_right, True) != _bare(right, True):
        return [first, more + _formula(right, want_right, True)]
    return [first, *formula_lines(right, more, more)]


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
    if isinstance(expr, Attr | ContainerOf):
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
    if isinstance(expr, ContainerOf):
        return f"{_formula(expr.obj, POSTFIX, False)}.container({expr.name})"
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
    if isinstance(expr, DurationLit):
        return format_duration_ms(expr.ms)
    if isinstance(expr, Elapsed):
        return "elapsed"
    assert isinstance(expr, Count), expr
    where = "" if expr.where is None else f" where {format_formula(expr.where)}"
    return f"count({expr.var} in {_domain(expr.domain)}{where})"


def _domain(domain: Domain) -> str:
    return domain.kind if domain.of is None else f"{domain.kind}({domain.of})"

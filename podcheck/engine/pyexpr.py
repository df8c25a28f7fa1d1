"""Python source for IR expressions: the two compile modes, and static bounds.

Stage: inside `podcheck.engine`, used by `podcheck.engine.pycompile` (which re-exports
`value_source`, `cond_source` and `bounds`).  See NOTE(compile-modes) in pycompile.
"""

from __future__ import annotations

from collections.abc import Sequence

from podcheck.engine.intervals import arith_bounds
from podcheck.ir import Const, Expr, Op, TransitionSystem, Var

_ARITH = {"*": "*", "-": "-", "//": "//", "%": "%"}
_COMPARE = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_BOOLEAN = frozenset(_COMPARE) | {"and", "or", "not"}
_EXACT_BOOL = frozenset(_COMPARE) | {"not"}  # condition source is a real bool
ONE, ZERO = Const(1), Const(0)


def hoisted(expr: Op, names: Sequence[str]) -> str | None:
    """The local that holds `expr` already, when `names` carries a `memo` of them
    (`id(expr)` -> local name; see NOTE(linear-codegen) in pycompile)."""
    memo: dict[int, str] | None = getattr(names, "memo", None)
    return memo.get(id(expr)) if memo else None


def value_source(expr: Expr, names: Sequence[str]) -> str:
    """Python source computing the int value of `expr`; `names[i]` holds variable i."""
    if isinstance(expr, Const):
        return str(expr.value) if expr.value >= 0 else f"({expr.value})"
    if isinstance(expr, Var):
        return names[expr.index]
    if (local := hoisted(expr, names)) is not None:
        return local
    name, args = expr.op, expr.args
    if name in _BOOLEAN:
        return f"(1 if {cond_source(expr, names)} else 0)"
    if name == "ite":
        then, other = value_source(args[1], names), value_source(args[2], names)
        return f"({then} if {cond_source(args[0], names)} else {other})"
    if name == "+" and len(args) > 1:
        return sum_source([_term_source(a, names) for a in args])
    vals = [value_source(a, names) for a in args]
    if name == "+":
        return vals[0]
    if name in _ARITH:
        return f"({vals[0]} {_ARITH[name]} {vals[1]})"
    if name == "neg":
        return f"(-{vals[0]})"
    assert name in ("min", "max"), name
    return vals[0] if len(vals) == 1 else f"{name}({', '.join(vals)})"


SUM_GROUP = 32  # summands joined flat; longer sums are grouped (see `sum_source`)


def sum_source(terms: Sequence[str]) -> str:
    """`(t0 + t1 + ...)`, with more than `SUM_GROUP` terms grouped into parenthesised
    sums of `SUM_GROUP`, recursively: CPython's compiler recurses once per `+` of a
    chain, so a flat sum of a thousand terms (a pod of 1 000 containers) raised
    RecursionError; grouped, the depth is `SUM_GROUP` times the log of the length.
    Integer addition and tuple concatenation are associative, so the value is the same."""
    if len(terms) <= SUM_GROUP:
        return "(" + " + ".join(terms) + ")"
    groups = [sum_source(terms[i:i + SUM_GROUP]) for i in range(0, len(terms), SUM_GROUP)]
    return sum_source(groups)


def _term_source(expr: Expr, names: Sequence[str]) -> str:
    """A summand: a comparison may stay a bool there, `+` of several terms is an int."""
    if isinstance(expr, Op) and expr.op == "ite" and expr.args[1:] == (ONE, ZERO):
        expr = expr.args[0]
        if not (isinstance(expr, Op) and expr.op in _EXACT_BOOL):
            return f"(1 if {cond_source(expr, names)} else 0)"
    if isinstance(expr, Op) and expr.op in _EXACT_BOOL:
        return cond_source(expr, names)
    return value_source(expr, names)


def cond_source(expr: Expr, names: Sequence[str]) -> str:
    """Python source whose truthiness is that of `expr` (see NOTE(compile-modes))."""
    if isinstance(expr, Const):
        return "True" if expr.value else "False"
    if not isinstance(expr, Op) or hoisted(expr, names) is not None:
        return value_source(expr, names)
    name, args = expr.op, expr.args
    if name in _COMPARE:
        left, right = value_source(args[0], names), value_source(args[1], names)
        return f"({left} {_COMPARE[name]} {right})"
    if name in ("and", "or"):
        return "(" + f" {name} ".join(cond_source(a, names) for a in args) + ")"
    if name == "not":
        return f"(not {cond_source(args[0], names)})"
    if name == "ite":
        parts = [cond_source(a, names) for a in args]
        return f"({parts[1]} if {parts[0]} else {parts[2]})"
    return value_source(expr, names)


def bounds(
    expr: Expr, system: TransitionSystem, memo: dict[int, tuple[int, int] | None] | None = None
) -> tuple[int, int] | None:
    """Sound bounds on the value of `expr` in any state of `system` (None: unknown).
    `memo` (by node identity) makes a shared subexpression cost once: the guards and
    updates of a large model share big sums (NOTE(linear-codegen))."""
    if isinstance(expr, Const):
        return expr.value, expr.value
    if isinstance(expr, Var):
        var = system.vars[expr.index]
        return var.lo, var.hi
    if expr.op in _BOOLEAN:
        return 0, 1
    if memo is not None and id(expr) in memo:
        return memo[id(expr)]
    found = _op_bounds(expr, system, memo)
    if memo is not None:
        memo[id(expr)] = found
    return found


def _op_bounds(
    expr: Op, system: TransitionSystem, memo: dict[int, tuple[int, int] | None] | None
) -> tuple[int, int] | None:
    parts = [bounds(a, system, memo) for a in expr.args]
    if expr.op == "ite":
        if parts[1] is None or parts[2] is None:
            return None
        return min(parts[1][0], parts[2][0]), max(parts[1][1], parts[2][1])
    if any(p is None for p in parts):
        return None
    return arith_bounds(expr.op, [p for p in parts if p is not None])

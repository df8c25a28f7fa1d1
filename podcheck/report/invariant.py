"""An inductive invariant (an IR expression over state variables) in the spec's words.

Stage: `podcheck.report`.  Consumes a `TransitionSystem` and the invariant of a
`PropertyResult` (found by the pdr engine); produces text lines, one per top-level
conjunct: variables by owner and field (`pod web-0 phase`), enumerated values by
label (`pod web-0 phase = Running`, `pod web-0 phase in {Pending, Running}`).
"""

from __future__ import annotations

from podcheck.ir import Const, Expr, Op, TransitionSystem, Var

_NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_SHOWN = {"==": "=", "!=": "!="}


def conjuncts(expr: Expr) -> list[Expr]:
    """The top-level conjuncts of `expr` (nested `and`s flattened)."""
    if isinstance(expr, Op) and expr.op == "and":
        return [c for a in expr.args for c in conjuncts(a)]
    return [expr]


def render_invariant(system: TransitionSystem, expr: Expr) -> list[str]:
    """One line per conjunct of `expr`, in the words of `system`'s variables."""
    parts = conjuncts(expr)
    if parts == [Const(1)]:
        return ["true"]
    return [_show(system, c) for c in parts]


def _name(system: TransitionSystem, index: int) -> str:
    var = system.vars[index]
    return f"{var.owner} {var.field}" if var.owner and var.field else var.name


def _show(system: TransitionSystem, e: Expr, nested: bool = False) -> str:
    if isinstance(e, Const):
        return str(e.value)
    if isinstance(e, Var):
        return _name(system, e.index)
    if e.op == "not" and isinstance(e.args[0], Op) and e.args[0].op in _NEGATED:
        inner = e.args[0]
        return _compare(system, _NEGATED[inner.op], inner.args[0], inner.args[1])
    if e.op in _NEGATED:
        return _compare(system, e.op, e.args[0], e.args[1])
    if e.op in ("and", "or"):
        text = f" {e.op} ".join(_show(system, a, True) for a in e.args)
        return f"({text})" if nested else text
    if e.op == "not":
        return f"not {_show(system, e.args[0], True)}"
    return _arith(system, e, nested)


def _arith(system: TransitionSystem, e: Op, nested: bool) -> str:
    if e.op == "+":
        text = " + ".join(_show(system, a, True) for a in e.args).replace("+ -1*", "- ")
    elif e.op == "*":
        text = "*".join(_show(system, a, True) for a in e.args)
        return text
    elif e.op in ("-", "//", "%"):
        text = f"{_show(system, e.args[0], True)} {e.op} {_show(system, e.args[1], True)}"
    elif e.op == "neg":
        return f"-{_show(system, e.args[0], True)}"
    else:
        text = f"{e.op}({', '.join(_show(system, a) for a in e.args)})"
        return text
    return f"({text})" if nested else text


def _compare(system: TransitionSystem, op: str, left: Expr, right: Expr) -> str:
    if isinstance(left, Const) and isinstance(right, Var):
        op, left, right = _MIRRORED[op], right, left
    if isinstance(left, Var) and isinstance(right, Const):
        labelled = _labelled(system, op, left.index, right.value)
        if labelled:
            return labelled
    return f"{_show(system, left)} {_SHOWN.get(op, op)} {_show(system, right)}"


def _labelled(system: TransitionSystem, op: str, index: int, value: int) -> str:
    var = system.vars[index]
    if not var.labels:
        return ""
    tests = {
        "==": lambda v: v == value, "!=": lambda v: v != value, "<": lambda v: v < value,
        "<=": lambda v: v <= value, ">": lambda v: v > value, ">=": lambda v: v >= value,
    }  # fmt: skip
    allowed = [v for v in range(var.lo, var.hi + 1) if tests[op](v)]
    name = _name(system, index)
    if len(allowed) == 1:
        return f"{name} = {var.show(allowed[0])}"
    if len(allowed) == var.hi - var.lo:
        missing = next(v for v in range(var.lo, var.hi + 1) if v not in allowed)
        return f"{name} != {var.show(missing)}"
    if not allowed:
        return "false"
    return f"{name} in {{{', '.join(var.show(v) for v in allowed)}}}"

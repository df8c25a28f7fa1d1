"""An invariant's conjuncts folded on the variables' ranges (for `report/invariant.py`).

Stage: `podcheck.report`.  Consumes a `TransitionSystem`'s variable ranges and IR
expressions; produces IR expressions that are equivalent on the ranges: a test that
reads one variable as the values it allows (`allowed`), constants and such tests
folded (`fold`, `substituted`), and no 0/1 flag inside arithmetic (`unflagged`,
NOTE(flag-cases) in `report/invariant.py`).  Pure IR: no solver.
"""

from __future__ import annotations

from collections.abc import Mapping

from podcheck import ir
from podcheck.ir import Const, Expr, Op, TransitionSystem, Var, evaluate

NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_BOOLEAN = frozenset({*NEGATED, "and", "or", "not"})
_ARITH = frozenset({"+", "-", "*", "neg", "//", "%", "min", "max", "ite"})
Allowed = tuple[int, frozenset[int]]  # a variable and the values a test lets it take
_ENUMERATED = 4096  # a test of a variable with a larger domain is shown as written


def _negative(e: Expr) -> bool:
    return isinstance(e, Op) and e.op == "*" and isinstance(e.args[0], Const) and \
        e.args[0].value < 0  # fmt: skip


def substituted(e: Expr, fixed: Mapping[int, int]) -> Expr:
    """`e` with each variable of `fixed` replaced by its value, folded (module doc): a
    part without variables is evaluated, `or` / `and` drop their constant parts, a sum
    its zeros (its constant last, its positive terms first)."""
    if isinstance(e, Var):
        return Const(fixed[e.index]) if e.index in fixed else e
    if isinstance(e, Const):
        return e
    args = tuple(substituted(a, fixed) for a in e.args)
    if all(isinstance(a, Const) for a in args):
        return Const(evaluate(Op(e.op, args), ()))
    consts = [a.value for a in args if isinstance(a, Const)]
    others = tuple(a for a in args if not isinstance(a, Const))
    if e.op in ("or", "and"):
        if any((v != 0) == (e.op == "or") for v in consts):  # a true part, a false one
            return Const(1 if e.op == "or" else 0)
        return others[0] if len(others) == 1 else Op(e.op, others)
    if e.op == "+":
        total = sum(consts)
        terms = (*(a for a in others if not _negative(a)), *(a for a in others if _negative(a)),
                 *((Const(total),) if total else ()))
        return terms[0] if len(terms) == 1 else Op("+", terms)
    return Op(e.op, args)


def fold(system: TransitionSystem, e: Expr) -> Expr:
    """`e` with every boolean part that reads one variable and holds for all of its
    range, or none of it, replaced by true or false, and the constants folded."""
    if isinstance(e, Op) and e.op in ("and", "or", "not"):
        e = substituted(Op(e.op, tuple(fold(system, a) for a in e.args)), {})
    one = allowed(system, e)
    if one is not None and not one[1]:
        return ir.FALSE
    if one is not None and one[1] == domain(system, one[0]):
        return ir.TRUE
    return e


def _flag(system: TransitionSystem, index: int) -> bool:
    var = system.vars[index]
    return not var.labels and (var.lo, var.hi) == (0, 1)


def _in_arithmetic(e: Expr, inside: bool = False) -> set[int]:
    """The variables `e` reads inside arithmetic (a sum, a product, ...)."""
    if isinstance(e, Var):
        return {e.index} if inside else set()
    if isinstance(e, Const):
        return set()
    return set().union(*(_in_arithmetic(a, inside or e.op in _ARITH) for a in e.args))


def unflagged(system: TransitionSystem, e: Expr) -> Expr:
    """NOTE(flag-cases): `e` with every test that has a 0/1 flag inside its arithmetic
    split into the flag's two cases, `(flag and e[1/flag]) or (not flag and e[0/flag])`,
    each folded."""
    e = _pushed(e)
    if isinstance(e, Op) and e.op in ("and", "or", "not"):
        return Op(e.op, tuple(unflagged(system, a) for a in e.args))
    if not (isinstance(e, Op) and e.op in NEGATED):
        return e
    flags = sorted(i for i in _in_arithmetic(e) if _flag(system, i))
    if not flags:
        return e
    i = flags[0]
    cases = (ir.and_(ir.eq(Var(i), v), unflagged(system, substituted(e, {i: v})))
             for v in (1, 0))  # fmt: skip
    return fold(system, ir.or_(*(fold(system, c) for c in cases)))


def _pushed(e: Expr) -> Expr:
    """`not` moved inside a test or an `and` / `or` (De Morgan), one level."""
    if not (isinstance(e, Op) and e.op == "not" and isinstance(e.args[0], Op)):
        return e
    inner = e.args[0]
    if inner.op in NEGATED:
        return Op(NEGATED[inner.op], inner.args)
    if inner.op in ("and", "or"):
        dual = "or" if inner.op == "and" else "and"
        return Op(dual, tuple(ir.not_(a) for a in inner.args))
    if inner.op == "not":
        return inner.args[0]
    return e


def domain(system: TransitionSystem, index: int) -> frozenset[int]:
    var = system.vars[index]
    return frozenset(range(var.lo, var.hi + 1))


def allowed(system: TransitionSystem, e: Expr) -> Allowed | None:
    """The values one variable may take under `e`, when `e` is a test that reads only
    that variable (of a range of at most `_ENUMERATED` values)."""
    if not (isinstance(e, Op) and e.op in _BOOLEAN):
        return None
    read = ir.reads(e)
    if len(read) != 1:
        return None
    index = read.pop()
    var = system.vars[index]
    if var.hi - var.lo >= _ENUMERATED:  # a counter up to int32: no value set
        return None
    state = [0] * len(system.vars)
    allowed = set()
    for v in range(var.lo, var.hi + 1):
        state[index] = v
        if evaluate(e, state):
            allowed.add(v)
    return index, frozenset(allowed)

"""IR expressions: a closed integer language (`Const`, `Var`, `Op`) and its builders.

Stage: the contract between `podcheck.model` (which builds expressions) and every engine
(which compiles or encodes them).  Imports nothing of podcheck.  Booleans are 0/1.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

State = tuple[int, ...]

# NOTE(ir-ops): the operator table is closed.  Adding an operator means adding it to
# `evaluate` (podcheck/ir/semantics.py) and to every engine that compiles expressions
# (engine/pycompile.py); tests/engine/test_pycompile.py checks they agree on every operator.
ARITY: dict[str, int | None] = {
    "+": None,  # n-ary sum
    "*": 2,
    "-": 2,
    "neg": 1,
    "//": 2,  # floor division, divisor must be > 0
    "%": 2,  # modulo, divisor must be > 0
    "min": None,
    "max": None,
    "==": 2,
    "!=": 2,
    "<": 2,
    "<=": 2,
    ">": 2,
    ">=": 2,
    "and": None,
    "or": None,
    "not": 1,
    "ite": 3,  # if-then-else: (cond, then, else)
}


@dataclass(frozen=True, slots=True)
class Const:
    """An integer literal (booleans are 0 and 1)."""

    value: int


@dataclass(frozen=True, slots=True)
class Var:
    """The current value of state variable number `index` (see `TransitionSystem.vars`)."""

    index: int


@dataclass(frozen=True, slots=True)
class Op:
    """An operator from `ARITY` applied to argument expressions."""

    op: str
    args: tuple[Expr, ...]

    def __post_init__(self) -> None:
        assert self.op in ARITY, f"unknown IR operator {self.op!r}"
        arity = ARITY[self.op]
        assert arity is None or len(self.args) == arity, (self.op, len(self.args))
        assert arity is not None or len(self.args) >= 1, self.op


Expr = Const | Var | Op

TRUE = Const(1)
FALSE = Const(0)


def op(name: str, *args: Expr | int) -> Expr:
    """Build `Op(name, args)`, wrapping plain ints as `Const`."""
    return Op(name, tuple([Const(a) if isinstance(a, int) else a for a in args]))


def and_(*args: Expr) -> Expr:
    """Conjunction; the empty conjunction is `TRUE`, a single conjunct is itself."""
    parts = tuple([a for a in args if type(a) is not Const or a.value != 1])  # != TRUE
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else Op("and", parts)


def or_(*args: Expr) -> Expr:
    """Disjunction; the empty disjunction is `FALSE`, a single disjunct is itself."""
    parts = tuple([a for a in args if type(a) is not Const or a.value != 0])  # != FALSE
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else Op("or", parts)


def not_(arg: Expr) -> Expr:
    """Negation."""
    return Op("not", (arg,))


def eq(a: Expr | int, b: Expr | int) -> Expr:
    """`a == b`."""
    return op("==", a, b)


def ite(cond: Expr, then: Expr | int, other: Expr | int) -> Expr:
    """If `cond` then `then` else `other`."""
    return op("ite", cond, then, other)


def sum_(*args: Expr) -> Expr:
    """Sum of the arguments (0 for none)."""
    if not args:
        return Const(0)
    return args[0] if len(args) == 1 else Op("+", tuple(args))


def count(*conds: Expr) -> Expr:
    """How many of the boolean conditions hold."""
    return sum_(*(ite(c, 1, 0) for c in conds))


def chain(name: str, args: tuple[Expr, ...]) -> Expr:
    """An n-ary `==` / `!=` (every pair differs) / `-` / `*` (left to right) as binary ops."""
    if name == "==":
        return and_(*(eq(a, b) for a, b in itertools.pairwise(args)))
    if name == "!=":
        return and_(*(op("!=", a, b) for a, b in itertools.combinations(args, 2)))
    out = args[0]
    for a in args[1:]:
        out = Op(name, (out, a))
    return out


def reads(*exprs: Expr, out: set[int] | None = None) -> set[int]:
    """The indices of the variables `exprs` read, added to `out` when given.  Each shared
    subexpression is visited once (expressions are DAGs: the model compiler shares
    subterms, and a tree walk of a deep `ite` chain is exponential)."""
    found: set[int] = set() if out is None else out
    seen: set[int] = set()
    stack = list(exprs)
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if isinstance(x, Var):
            found.add(x.index)
        elif isinstance(x, Op):
            stack.extend(x.args)
    return found

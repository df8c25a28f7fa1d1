"""Compile IR expressions to numpy operations over a whole frontier of states.

Stage: inside `podcheck.engine`, used by `podcheck.engine.vector`.  Consumes `ir.Expr`
trees and the variable domains of a `TransitionSystem`; produces a `Program` (the
expressions interned as a DAG of `Node`s, equal subexpressions shared, constants folded)
and `Frame`s that evaluate nodes on columns of states (one numpy array per variable).

NOTE(vector-semantics): every node evaluates, row by row, to exactly the int
`ir.evaluate` computes.  Booleans are numpy bool arrays (truth values 0/1); integers use
the smallest signed dtype that holds the node's sound bounds *and* its operands' (so no
intermediate overflows), `//` and `%` are numpy's floor division and modulo, which are
Python's.  Vector evaluation computes both sides of `and`, `or` and `ite` on every row,
where `ir.evaluate` short-circuits: the two agree because the only operation that can
fail is division by zero, and a program whose divisor bounds contain 0 is refused
(`Unsupported`): the caller falls back to the reference-faithful engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce

import numpy as np
import numpy.typing as npt

from podcheck import ir
from podcheck.engine.intervals import arith_bounds
from podcheck.ir import Const, Expr, Op, TransitionSystem, Var

Array = npt.NDArray[np.generic]
Value = Array | np.generic
_COMPARE = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
            ">": np.greater, ">=": np.greater_equal}  # fmt: skip
_BOOLEAN = frozenset(_COMPARE) | {"and", "or", "not"}
_DTYPES = (np.int8, np.int16, np.int32, np.int64)


class Unsupported(Exception):
    """The system cannot be encoded for the vector engine; the message says why."""


def dtype_for(lo: int, hi: int) -> type[np.signedinteger]:
    """The smallest signed numpy integer type holding every value in `lo..hi`."""
    for dt in _DTYPES:
        info = np.iinfo(dt)
        if info.min <= lo and hi <= info.max:
            return dt
    raise Unsupported(f"a value range {lo}..{hi} does not fit in 64 bits")


@dataclass(frozen=True, slots=True)
class Node:
    """One interned expression: `kind` is "const", "var" or an `ir.ARITY` operator.

    `value` is the constant or the variable index; `lo..hi` sound bounds of the value;
    `dtype` the integer type its operation computes in (operands and result fit).
    """

    kind: str
    args: tuple[int, ...]
    value: int
    lo: int
    hi: int
    dtype: type[np.signedinteger]

    @property
    def boolean(self) -> bool:
        """True when the node's value is a truth value (a numpy bool array)."""
        return self.kind in _BOOLEAN


@dataclass(slots=True)
class Program:
    """Interned expressions of one system; `add` returns a node id."""

    system: TransitionSystem
    nodes: list[Node] = field(default_factory=list)
    _ids: dict[tuple[str, tuple[int, ...], int], int] = field(default_factory=dict)
    _seen: dict[int, tuple[Expr, int]] = field(default_factory=dict)

    def add(self, expr: Expr) -> int:
        """The node id of `expr` (interning it and its subexpressions)."""
        known = self._seen.get(id(expr))
        if known is not None:
            return known[1]
        if isinstance(expr, Const):
            nid = self._const(expr.value)
        elif isinstance(expr, Var):
            var = self.system.vars[expr.index]
            nid = self._intern("var", (), expr.index, var.lo, var.hi)
        else:
            nid = self._op(expr)
        self._seen[id(expr)] = (expr, nid)
        return nid

    def _const(self, value: int) -> int:
        return self._intern("const", (), value, value, value)

    def _intern(
        self, kind: str, args: tuple[int, ...], value: int, lo: int, hi: int,
        partial: tuple[int, int] | None = None,
    ) -> int:  # fmt: skip
        key = (kind, args, value)
        nid = self._ids.get(key)
        if nid is None:
            bound = [(lo, hi), *((self.nodes[a].lo, self.nodes[a].hi) for a in args)]
            bound += [partial] if partial is not None else []
            dt = dtype_for(min(b[0] for b in bound), max(b[1] for b in bound))
            nid = self._ids[key] = len(self.nodes)
            self.nodes.append(Node(kind, args, value, lo, hi, dt))
        return nid

    def _op(self, expr: Op) -> int:
        args = [self.add(a) for a in expr.args]
        folded = self._fold(expr.op, args)
        if folded is not None:
            return folded
        lo, hi = self._bounds(expr.op, args)
        return self._intern(expr.op, tuple(args), 0, lo, hi, self._partial(expr.op, args))

    def _partial(self, name: str, args: list[int]) -> tuple[int, int] | None:
        """The range of every partial sum of `+` (the running total must fit its dtype)."""
        if name != "+":
            return None
        lo = hi = low = high = 0
        for a in args:
            lo, hi = lo + self.nodes[a].lo, hi + self.nodes[a].hi
            low, high = min(low, lo), max(high, hi)
        return low, high

    def _fold(self, name: str, args: list[int]) -> int | None:
        """Constant folding; None when the operation stays."""
        nodes = self.nodes
        consts = [nodes[a].kind == "const" for a in args]
        if all(consts) and name not in ("//", "%"):
            values = tuple(Const(nodes[a].value) for a in args)
            return self._const(ir.evaluate(Op(name, values), ()))
        if name == "ite" and consts[0]:
            return args[1] if nodes[args[0]].value else args[2]
        if name in ("and", "or"):
            absorbing = name == "or"
            pairs = zip(args, consts, strict=True)
            if any(c and bool(nodes[a].value) is absorbing for a, c in pairs):
                return self._const(int(absorbing))
            rest = [a for a, c in zip(args, consts, strict=True) if not c]
            if not rest:
                return self._const(int(not absorbing))
            if len(rest) == 1 and nodes[rest[0]].boolean:
                return rest[0]
            if len(rest) < len(args):
                return self._intern(name, tuple(rest), 0, 0, 1)
        return None

    def _bounds(self, name: str, args: list[int]) -> tuple[int, int]:
        """Sound bounds of `name(args)`, including every partial sum of `+`."""
        parts = [(self.nodes[a].lo, self.nodes[a].hi) for a in args]
        if name in _BOOLEAN:
            return 0, 1
        if name == "ite":
            return min(parts[1][0], parts[2][0]), max(parts[1][1], parts[2][1])
        found = arith_bounds(name, parts)
        if found is None:
            lo, hi = parts[-1]
            raise Unsupported(f"a divisor of `{name}` may be 0 (its bounds are {lo}..{hi})")
        return found


def _gather(value: Value, rows: npt.NDArray[np.intp]) -> Value:
    return value if np.ndim(value) == 0 else value[rows]  # type: ignore[index]


class Frame:
    """The values of a program's nodes on one batch of states (memoised per node).

    `columns[i]` holds variable i of every state of the batch; a sub-frame (`subset`)
    evaluates on some rows of its parent, reusing the parent's computed nodes.
    """

    def __init__(self, program: Program, columns: list[Array], size: int) -> None:
        """A frame over `size` states whose variables are `columns`."""
        self.program = program
        self.columns = columns
        self.size = size
        self.memo: dict[int, Value] = {}
        self._parent: Frame | None = None
        self._rows: npt.NDArray[np.intp] | None = None

    def subset(self, rows: npt.NDArray[np.intp]) -> Frame:
        """A frame over the states `rows` of this one."""
        sub = Frame(self.program, self.columns, len(rows))
        sub._parent, sub._rows = self, rows
        return sub

    def truth(self, nid: int) -> Array:
        """The truth value of node `nid` on every state, as a bool array."""
        value = self.value(nid)
        if not self.program.nodes[nid].boolean:
            value = value != 0
        if np.ndim(value) == 0:
            return np.full(self.size, bool(value))
        return value  # type: ignore[return-value]

    def integer(self, nid: int, dtype: type[np.signedinteger]) -> Value:
        """The int value of node `nid` (an array, or a scalar for a constant) in `dtype`."""
        value = self.value(nid)
        if np.ndim(value) == 0:
            return dtype(int(value))
        return value if value.dtype == dtype else value.astype(dtype)

    def value(self, nid: int) -> Value:
        """The value of node `nid`: bool for boolean nodes, else its dtype (memoised)."""
        known = self.memo.get(nid)
        if known is not None:
            return known
        if self._parent is not None and self._rows is not None:
            if nid in self._parent.memo:
                known = _gather(self._parent.memo[nid], self._rows)
        if known is None:
            known = self._compute(self.program.nodes[nid])
        self.memo[nid] = known
        return known

    def _compute(self, node: Node) -> Value:
        kind, args, dt = node.kind, node.args, node.dtype
        if kind == "const":
            return dt(node.value)
        if kind == "var":
            column = self.columns[node.value]
            return column if self._rows is None else column[self._rows]
        if kind in _COMPARE:
            return _COMPARE[kind](self.integer(args[0], dt), self.integer(args[1], dt))
        if kind in ("and", "or", "not"):
            truths = [self.truth(a) for a in args]
            if kind == "not":
                return np.logical_not(truths[0])
            return reduce(np.logical_and if kind == "and" else np.logical_or, truths)
        if kind == "ite":
            then, other = self.integer(args[1], dt), self.integer(args[2], dt)
            return np.where(self.truth(args[0]), then, other).astype(dt, copy=False)
        values = [self.integer(a, dt) for a in args]
        return _arith(kind, values, dt, self.size)


def _arith(kind: str, values: list[Value], dt: type[np.signedinteger], size: int) -> Value:
    """An arithmetic operator on operands already in `dt` (see NOTE(vector-semantics))."""
    if kind == "+":
        total = values[0]
        for v in values[1:]:
            total = np.add(total, v, dtype=dt)
        return total
    if kind == "neg":
        return np.negative(values[0])
    if kind in ("min", "max"):
        return reduce(np.minimum if kind == "min" else np.maximum, values)
    ops = {"*": np.multiply, "-": np.subtract, "//": np.floor_divide, "%": np.remainder}
    return ops[kind](values[0], values[1], dtype=dt)

"""What an action's write can change: the value-aware refinement of read/write sets
used by `engine/independence.py` (NOTE(por-reduction) in docs/performance.md).

Stage: inside `podcheck.engine`.  Consumes an `ir.TransitionSystem`; answers, for an
action `a`, a variable `v` it writes and an expression `e`, whether `a` can change the
value of `e`.

An expression is a function of its *single-variable parts* (the maximal
subexpressions reading one variable only, `v == 2`, `v != 0`, `v` itself) and of the
variables it reads elsewhere.  `a` can change `e` only if, for some `v` it writes, some
single-variable part `p(v)` of `e` differs between a value `old` `v` may hold where `a`
is enabled and the value `new` `a` gives it: `old` ranges over the values the
single-variable conjuncts of `a`'s guard allow, `new` is `a`'s right-hand side at `old`
when that reads `v` only, else any value of `v`'s domain.  Cordoning a node
(`state := Cordoned` from `Ready`) thus leaves a kubelet step guarded by
`node.state != Down` alone, though both read the node's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

from podcheck import ir
from podcheck.engine.pyexpr import bounds
from podcheck.ir import Expr, TransitionSystem

_DOMAIN = 64  # larger domains (timers, counters) are not enumerated: any change counts

Parts = dict[int, dict[int, Expr]]  # variable -> its single-variable parts (by id)


def _value(expr: Expr, var: int, value: int) -> int | None:
    """`expr` (reading `var` only) when `var` holds `value`; None if it raises."""
    try:
        return ir.evaluate(expr, cast("list[int]", _Only(var, value)))
    except (ZeroDivisionError, KeyError):
        return None


class _Only(dict[int, int]):
    """A state that holds one variable (reading another is a KeyError)."""

    def __init__(self, var: int, value: int) -> None:
        super().__init__({var: value})


def parts(roots: tuple[Expr, ...]) -> Parts:
    """The single-variable parts of the expressions `roots`, per variable."""
    out: Parts = {}
    memo: dict[int, frozenset[int]] = {}
    for root in roots:
        got = _walk(root, out, memo)
        if len(got) == 1:
            out.setdefault(next(iter(got)), {})[id(root)] = root
    return out


def _walk(expr: Expr, out: Parts, memo: dict[int, frozenset[int]]) -> frozenset[int]:
    """The variables `expr` reads; records the single-variable children of every node
    reading more than one."""
    got = memo.get(id(expr))
    if got is not None:
        return got
    if isinstance(expr, ir.Var):
        mine = frozenset((expr.index,))
    elif isinstance(expr, ir.Const):
        mine = frozenset()
    else:
        children = [(c, _walk(c, out, memo)) for c in expr.args]
        mine = frozenset().union(*(r for _, r in children))
        if len(mine) > 1:
            for c, r in children:
                if len(r) == 1:
                    out.setdefault(next(iter(r)), {})[id(c)] = c
    memo[id(expr)] = mine
    return mine


@dataclass(slots=True)
class Effects:
    """Per action and written variable, the `(old, new)` value pairs it can make (None:
    not enumerated), and a cache of which single-variable parts those pairs change."""

    system: TransitionSystem
    pairs: dict[tuple[int, int], frozenset[tuple[int, int]] | None] = field(
        default_factory=dict)
    flips: dict[tuple[int, int, int], bool] = field(default_factory=dict)

    def changes(self, a: int, found: Parts, only: Mapping[int, int] | None = None) -> bool:
        """Can action `a` change an expression whose single-variable parts are `found`
        (restricted to the variables `a` writes)?"""
        for v, _ in self.system.actions[a].updates:
            for key, part in found.get(v, {}).items():
                flip = self.flips.get((a, v, key))
                if flip is None:
                    flip = self.flips[(a, v, key)] = self._flips(a, v, part)
                if flip:
                    return True
        return False

    def _flips(self, a: int, v: int, part: Expr) -> bool:
        made = self.pairs.get((a, v), ())
        if made == ():
            made = self.pairs[(a, v)] = self._pairs(a, v)
        if made is None:
            return True
        for old, new in made:
            before, after = _value(part, v, old), _value(part, v, new)
            if before is None or after is None or before != after:
                return True
        return False

    def _pairs(self, a: int, v: int) -> frozenset[tuple[int, int]] | None:
        action, var = self.system.actions[a], self.system.vars[v]
        domain = range(var.lo, var.hi + 1)
        if len(domain) > _DOMAIN:
            return None
        single = [c for c in _conjuncts(action.guard) if ir.reads(c) <= {v}]
        olds = [x for x in domain if all(_value(c, v, x) != 0 for c in single)]
        rhs = dict(action.updates)[v]
        if ir.reads(rhs) <= {v}:
            news = [(x, _value(rhs, v, x)) for x in olds]
            if any(y is None for _, y in news):
                return None
            return frozenset((x, cast(int, y)) for x, y in news)
        return frozenset((x, y) for x in olds for y in domain)


def _conjuncts(expr: Expr) -> list[Expr]:
    if isinstance(expr, ir.Op) and expr.op == "and":
        return [c for arg in expr.args for c in _conjuncts(arg)]
    return [expr]


def may_leave(system: TransitionSystem, action: ir.Action, v: int, rhs: Expr,
              memo: dict[int, tuple[int, int] | None] | None = None) -> bool:
    """Can `action` give variable `v` the value of `rhs` outside `v`'s domain (the
    update `ir.ModelError` refuses)?  False when the interval bounds of `rhs` fit, or
    when `rhs` reads one variable (of at most `_DOMAIN` values) and fits at every value
    the single-variable conjuncts of the guard allow (`memo`: `pyexpr.bounds`'s)."""
    var = system.vars[v]
    found = bounds(rhs, system, memo)
    if found is not None and var.lo <= found[0] and found[1] <= var.hi:
        return False
    u = _single_var(rhs)
    if u is None:
        return True
    domain = range(system.vars[u].lo, system.vars[u].hi + 1)
    if len(domain) > _DOMAIN:
        return True
    single = [c for c in _conjuncts(action.guard) if ir.reads(c) <= {u}]
    for x in domain:
        if all(_value(c, u, x) != 0 for c in single):
            y = _value(rhs, u, x)
            if y is None or not var.lo <= y <= var.hi:
                return True
    return False


def _single_var(expr: Expr) -> int | None:
    """The one variable `expr` reads, if it reads exactly one."""
    found: set[int] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, ir.Var):
            found.add(e.index)
        elif isinstance(e, ir.Op):
            stack.extend(e.args)
    return next(iter(found)) if len(found) == 1 else None

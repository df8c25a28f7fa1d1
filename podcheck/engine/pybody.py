"""Python source for one action: its updates in a scope where its guard holds.

Stage: inside `podcheck.engine`, used by `podcheck.engine.pycompile`'s generated
successor function and BFS expanders.  Linear in the action (NOTE(linear-codegen) in
pycompile): pre-state values are named lazily, a successor of a big system is spliced
from the pre-state, and a subexpression several updates share is computed once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podcheck.engine.pyexpr import bounds, sum_source, value_source
from podcheck.ir import Const, Expr, Op, StateVar, TransitionSystem, Var


def facts_of(guard: Expr) -> dict[int, int]:
    """Variables whose value a guard fixes (`v == c` conjuncts at its top level)."""
    conjuncts = guard.args if isinstance(guard, Op) and guard.op == "and" else (guard,)
    facts = {}
    for c in conjuncts:
        if isinstance(c, Op) and c.op == "==":
            left, right = c.args
            if isinstance(left, Const):
                left, right = right, left
            if isinstance(left, Var) and isinstance(right, Const):
                facts[left.index] = right.value
    return facts


class PreState(Sequence[str]):
    """The source of every variable's pre-state value: `v{i}`, or the constant its guard
    fixes.  Lazy, so an action costs source and time in its updates, not in the number
    of variables (NOTE(linear-codegen))."""

    def __init__(self, size: int, facts: dict[int, int]) -> None:
        self.size, self.facts = size, facts
        self.memo: dict[int, str] = {}  # shared subexpressions held in locals (`hoisted`)

    def __len__(self) -> int:
        return self.size

    def plain(self) -> PreState:
        """The same variables with no value fixed: `v{i}` for every `i`."""
        return PreState(self.size, {})

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        if i in self.facts:
            value = self.facts[i]
            return str(value) if value >= 0 else f"({value})"
        return f"v{i}"


@dataclass(frozen=True, slots=True)
class Body:
    """Source pieces of one action, in a scope where its guard holds."""

    lines: tuple[str, ...]  # compute the new values, with the domain checks needed
    new: dict[int, str]  # source of every updated variable's value in the successor
    old: PreState  # source of every variable's value in the pre-state

    def value(self, i: int) -> str:
        """The source of variable `i`'s value in the successor."""
        return self.new[i] if i in self.new else self.old[i]

    def successor(self) -> str:
        """The source of the successor state: a tuple literal of every variable when
        there are few (`SPLICE_FROM`), else `s` spliced at the updated variables only."""
        size = len(self.old)
        if size < SPLICE_FROM:
            return tuple_source([self.value(i) for i in range(size)])
        parts, start = [], 0
        for i in sorted(self.new):
            if i > start:
                parts.append(f"s[{start}:{i}]")
            parts.append(f"({self.new[i]},)")
            start = i + 1
        if start < size:
            parts.append(f"s[{start}:]")
        return sum_source(parts or ["s"])


SPLICE_FROM = 64  # variables from which successors are spliced, not spelled out


HOIST_FROM = 8  # operator nodes from which a subexpression used twice is computed once


def shared_parts(exprs: Sequence[Expr]) -> list[Op]:
    """Subexpressions (the same object) used more than once in `exprs`, of at least
    `HOIST_FROM` nodes and free of `//` and `%` (computing them early cannot raise),
    inner ones first.  E.g. the clock's delta, which every timer update reads."""
    count: dict[int, int] = {}
    size: dict[int, int] = {}
    order: list[Op] = []

    def walk(e: Expr) -> int:  # the size of `e`, or -1 when it divides
        if not isinstance(e, Op):
            return 1
        if id(e) in count:
            count[id(e)] += 1
            return size[id(e)]
        count[id(e)] = 1
        parts = [walk(x) if type(x) is Op else 1 for x in e.args]  # leaves inline
        n = -1 if e.op in ("//", "%") or -1 in parts else 1 + sum(parts)
        size[id(e)] = n
        order.append(e)
        return n

    for e in exprs:
        walk(e)
    return [e for e in order if count[id(e)] > 1 and size[id(e)] >= HOIST_FROM]


def action_body(
    system: TransitionSystem, a: int, indent: str,
    memo: dict[int, tuple[int, int] | None] | None = None,
) -> Body:
    """Compile action `a`'s updates (every right-hand side reads the pre-state); `memo`
    is the `bounds` memo, shared by the actions of one system."""
    old = PreState(len(system.vars), facts_of(system.actions[a].guard))
    new: dict[int, str] = {}
    lines: list[str] = []
    for k, shared in enumerate(shared_parts([rhs for _, rhs in system.actions[a].updates])):
        lines.append(f"{indent}h{k} = {value_source(shared, old)}")
        old.memo[id(shared)] = f"h{k}"
    for index, rhs in system.actions[a].updates:
        var = system.vars[index]
        if isinstance(rhs, Const) and var.lo <= rhs.value <= var.hi:
            new[index] = value_source(rhs, old)
            continue
        new[index] = f"n{index}"
        lines.append(f"{indent}n{index} = {value_source(rhs, old)}")
        tests = range_tests(f"n{index}", bounds(rhs, system, memo), var)
        if tests:
            lines.append(f"{indent}if {tests}: fail({a}, {index}, n{index})")
    return Body(tuple(lines), new, old)


def range_tests(name: str, known: tuple[int, int] | None, var: StateVar) -> str:
    """The test that value `name` is outside `var`'s range, with what `bounds` knows of
    it (`known`), or "" when it cannot be."""
    tests = []
    if known is None or known[0] < var.lo:
        tests.append(f"{name} < {var.lo}")
    if known is None or known[1] > var.hi:
        tests.append(f"{name} > {var.hi}")
    return " or ".join(tests)


def tuple_source(items: Sequence[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"

"""Which actions of a transition system can interfere, and which can make a condition
change: the static analysis behind partial-order reduction (`engine/por.py`).

Stage: inside `podcheck.engine`.  Consumes an `ir.TransitionSystem`; produces an
`Independence`: per action its read and write sets, the actions dependent on it (as a
bit mask over action indices), and, per state, *necessary enabling sets*: for a
condition false in a state, a set of actions one of which must occur before the
condition can become true (NOTE(por-reduction) in docs/performance.md).

Two actions are independent when neither writes a variable the other reads or
writes (`reads` covers the guard and every right-hand side): in any state where both
are enabled, neither can disable the other and both orders reach the same state.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

from podcheck import ir
from podcheck.engine.effects import Effects, parts
from podcheck.engine.pyexpr import value_source
from podcheck.ir import Expr, State, TransitionSystem

# A gate is a boolean view of an expression: ("and" | "or", children, mask), ("not",
# child, mask) or ("atom", expr, mask): `mask` the actions that write a variable the
# gate reads (it keeps its value while none of them occurs).
Gate = tuple[object, ...]


def _mask(indices: Sequence[int] | set[int]) -> int:
    m = 0
    for i in indices:
        m |= 1 << i
    return m


@dataclass(frozen=True, slots=True)
class Independence:
    """The read/write sets of `system`'s actions, their dependency masks (`dependent[a]`
    includes `a`), and the gates of their guards (`guards[a]`)."""

    system: TransitionSystem
    read: tuple[frozenset[int], ...]
    write: tuple[frozenset[int], ...]
    dependent: tuple[int, ...]
    guards: tuple[Gate, ...]
    writers: tuple[int, ...]  # per variable: the mask of actions writing it
    effects: Effects
    writing: int  # the actions that write a variable (the others are self-loops)
    guard_keys: tuple[Callable[[State], object], ...]  # the values a guard reads
    cache: dict[tuple[int, object], int]  # `guard_enabling`'s results

    def gate(self, expr: Expr) -> Gate:
        """The gate of a boolean expression over `system`'s variables."""
        return _gate(expr, self.writers, {}, self.effects)

    def guard_enabling(self, a: int, state: State, memo: dict[int, int]) -> int:
        """`enabling` of action `a`'s guard (false in `state`), cached per valuation of
        the variables the guard reads: the set depends on nothing else."""
        key = (a, self.guard_keys[a](state))
        got = self.cache.get(key)
        if got is None:
            got = self.cache[key] = _nes(self.guards[a], state, memo)
        return got

    def enabling(self, gate: Gate, state: State, memo: dict[int, int]) -> int:
        """A necessary enabling set (mask) of `gate`, false in `state`: unless one of its
        actions occurs, the gate stays false.  `memo` caches atom values in `state`."""
        return _nes(gate, state, memo)


def analyse(system: TransitionSystem) -> Independence:
    """The independence data of `system`'s actions (syntactic read/write sets)."""
    read = tuple(frozenset(_action_reads(a)) for a in system.actions)
    write = tuple(frozenset(i for i, _ in a.updates) for a in system.actions)
    writers = [0] * len(system.vars)
    readers = [0] * len(system.vars)
    for a in range(len(system.actions)):
        for i in write[a]:
            writers[i] |= 1 << a
        for i in read[a]:
            readers[i] |= 1 << a
    effects = Effects(system)
    writing = sum(1 << a for a, action in enumerate(system.actions) if action.updates)
    found = [parts((a.guard, *(rhs for _, rhs in a.updates))) for a in system.actions]
    dependent = []
    for a in range(len(system.actions)):
        m = 1 << a
        for i in write[a]:
            m |= readers[i] | writers[i]
        for i in read[a]:
            m |= writers[i]
        m &= writing | 1 << a  # a step that writes nothing is a self-loop: never followed
        for b in bits(m & ~(1 << a)):
            if not (write[a] & write[b] or effects.changes(a, found[b])
                    or effects.changes(b, found[a])):
                m &= ~(1 << b)  # value-aware: neither changes what the other reads
        dependent.append(m)
    memo: dict[int, Gate] = {}
    guards = tuple(_gate(a.guard, writers, memo, effects) for a in system.actions)
    return Independence(system, read, write, tuple(dependent), guards, tuple(writers),
                        effects, writing, tuple(_key(a.guard) for a in system.actions), {})


def _key(guard: Expr) -> Callable[[State], object]:
    """The values of the variables `guard` reads, as a hashable key."""
    used = sorted(ir.reads(guard))
    return operator.itemgetter(*used) if used else (lambda _s: ())


def bits(mask: int) -> list[int]:
    """The indices of the set bits of `mask`, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def _action_reads(action: ir.Action) -> set[int]:
    out = ir.reads(action.guard)
    for _, rhs in action.updates:
        ir.reads(rhs, out=out)
    return out


def _gate(expr: Expr, writers: Sequence[int], memo: dict[int, Gate],
          effects: Effects) -> Gate:
    """The gate of `expr` (memoised by object identity: shared subexpressions share)."""
    got = memo.get(id(expr))
    if got is not None:
        return got
    if isinstance(expr, ir.Op) and expr.op in ("and", "or"):
        children = tuple(_gate(a, writers, memo, effects) for a in expr.args)
        m = 0
        for c in children:
            m |= c[2]  # type: ignore[operator]
        gate: Gate = (expr.op, children, m)
    elif isinstance(expr, ir.Op) and expr.op == "not":
        child = _gate(expr.args[0], writers, memo, effects)
        gate = ("not", child, child[2])
    else:
        gate = ("atom", expr, _changers(expr, writers, effects), _compiled(expr))
    memo[id(expr)] = gate
    return gate


def _compiled(expr: Expr) -> Callable[[State], int]:
    """`state -> ir.evaluate(expr, state)` as one generated function (NOTE(ir-ops):
    `pyexpr.value_source` agrees with the reference semantics on every operator)."""
    source = f"def atom(s):\n    return {value_source(expr, _Subscripts())}\n"
    namespace: dict[str, object] = {}
    exec(compile(source, "<podcheck:atom>", "exec"), namespace)  # noqa: S102 - IR ints only
    return namespace["atom"]  # type: ignore[return-value]


class _Subscripts(Sequence[str]):
    """Variable names for `value_source`: `s[i]` reads variable `i` of the state."""

    def __len__(self) -> int:
        return 1 << 62

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        assert isinstance(index, int)
        return f"s[{index}]"


def _changers(expr: Expr, writers: Sequence[int], effects: Effects) -> int:
    """The actions that can change the value of `expr` (`effects.Effects.changes`)."""
    found = parts((expr,))
    m = 0
    for i in ir.reads(expr):
        m |= writers[i]
    for a in bits(m):
        if not effects.changes(a, found):
            m &= ~(1 << a)
    return m


def _value(gate: Gate, state: State, memo: dict[int, int]) -> int:
    """The truth (0/1) of `gate` in `state`, as `ir.evaluate` gives it."""
    key = id(gate) * 4
    got = memo.get(key)
    if got is not None:
        return got
    kind = gate[0]
    if kind == "atom":
        value = int(bool(gate[3](state)))  # type: ignore[operator]
    elif kind == "not":
        value = 1 - _value(gate[1], state, memo)  # type: ignore[arg-type]
    elif kind == "and":
        value = int(all(_value(g, state, memo) for g in gate[1]))  # type: ignore[attr-defined]
    else:
        value = int(any(_value(g, state, memo) for g in gate[1]))  # type: ignore[attr-defined]
    memo[key] = value
    return value


def _nes(gate: Gate, state: State, memo: dict[int, int]) -> int:
    """Actions one of which must occur before `gate` (false in `state`) becomes true:
    the smallest set of a false conjunct for `and`, every disjunct's for `or`."""
    key = id(gate) * 4 + 1
    got = memo.get(key)
    if got is not None:
        return got
    kind = gate[0]
    if kind == "atom":
        m: int = gate[2]  # type: ignore[assignment]
    elif kind == "not":
        m = _nds(gate[1], state, memo)  # type: ignore[arg-type]
    elif kind == "and":
        m = _least([_nes(g, state, memo) for g in gate[1]  # type: ignore[attr-defined]
                    if not _value(g, state, memo)])
    else:
        m = 0
        for g in gate[1]:  # type: ignore[attr-defined]
            m |= _nes(g, state, memo)
    memo[key] = m
    return m


def _nds(gate: Gate, state: State, memo: dict[int, int]) -> int:
    """Actions one of which must occur before `gate` (true in `state`) becomes false:
    every conjunct's set for `and`, the smallest set of a true disjunct for `or`."""
    key = id(gate) * 4 + 2
    got = memo.get(key)
    if got is not None:
        return got
    kind = gate[0]
    if kind == "atom":
        m: int = gate[2]  # type: ignore[assignment]
    elif kind == "not":
        m = _nes(gate[1], state, memo)  # type: ignore[arg-type]
    elif kind == "or":
        m = _least([_nds(g, state, memo) for g in gate[1]  # type: ignore[attr-defined]
                    if _value(g, state, memo)])
    else:
        m = 0
        for g in gate[1]:  # type: ignore[attr-defined]
            m |= _nds(g, state, memo)
    memo[key] = m
    return m


def _least(masks: list[int]) -> int:
    """The mask with the fewest actions (any one of the candidates is a valid choice)."""
    return min(masks, key=int.bit_count)

"""Python source for one action: its updates in a scope where its guard holds.

Stage: inside `podcheck.engine`, used by `podcheck.engine.pycompile`'s generated
successor function and BFS expanders.  Linear in the action (NOTE(linear-codegen) in
pycompile): pre-state values are named lazily, a successor of a big system is spliced
from the pre-state, and a subexpression several updates share is computed once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.engine.pyexpr import bounds, cond_source, sum_source, value_source
from podcheck.ir import Const, Expr, Op, TransitionSystem, Var


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
        parts = [walk(x) for x in e.args]
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
        known = bounds(rhs, system, memo)
        tests = []
        if known is None or known[0] < var.lo:
            tests.append(f"n{index} < {var.lo}")
        if known is None or known[1] > var.hi:
            tests.append(f"n{index} > {var.hi}")
        if tests:
            lines.append(f"{indent}if {' or '.join(tests)}: fail({a}, {index}, n{index})")
    return Body(tuple(lines), new, old)


def tuple_source(items: Sequence[str]) -> str:
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"



def placed_parts(chunks: Sequence[Sequence[Expr]]) -> tuple[list[list[Op]], set[int]]:
    """`shared_parts` of every expression of `chunks`, placed (NOTE(local-hoist)): per
    chunk, inner ones first, the parts it computes (those the first chunk reading them
    reads), and the ids of the parts some later chunk reads too."""
    shared = shared_parts([e for chunk in chunks for e in chunk])
    ids = {id(s) for s in shared}
    users: dict[int, set[int]] = {id(s): set() for s in shared}

    def reach(e: Expr, seen: set[int], found: list[int]) -> None:
        if not isinstance(e, Op) or id(e) in seen:
            return
        seen.add(id(e))
        if id(e) in ids:
            found.append(id(e))
            return
        for a in e.args:
            reach(a, seen, found)

    for c, chunk in enumerate(chunks):
        seen: set[int] = set()
        found: list[int] = []
        for e in chunk:
            reach(e, seen, found)
        for i in found:
            users[i].add(c)
    place: dict[int, int] = {}
    for s in reversed(shared):  # outer first: a part's readers are placed before it
        place[id(s)] = min(users[id(s)])
        found = []
        for a in s.args:
            reach(a, {id(s)}, found)
        for i in found:
            users[i].add(place[id(s)])
    local: list[list[Op]] = [[] for _ in chunks]
    for s in shared:
        local[place[id(s)]].append(s)
    return local, {id(s) for s in shared if len(users[id(s)]) > 1}


Placed = tuple[list[list[str]], list[set[int]], dict[int, int], PreState]


def placed_guards(system: TransitionSystem, size: int) -> Placed:
    """Per part (`size` actions of the chunked expander), the lines computing the
    subexpressions several guards share that it is the first to read, storing into the
    list `g` those later parts read (NOTE(local-hoist) in pycompile); per part the
    numbers K of the locals `gK` it computes; the slot in `g` of each stored one; and the
    names that use them."""
    chunks = [[a.guard for a in system.actions[i:i + size]]
              for i in range(0, len(system.actions), size)]
    local, exported = placed_parts(chunks)
    names = PreState(len(system.vars), {})
    lines: list[list[str]] = []
    own: list[set[int]] = []
    slot: dict[int, int] = {}
    for part in local:
        lines.append([])
        own.append(set())
        for e in part:
            k = len(names.memo)
            lines[-1].append(f"        g{k} = {value_source(e, names)}")
            names.memo[id(e)] = f"g{k}"
            own[-1].add(k)
            if id(e) in exported:
                slot[k] = len(slot)
                lines[-1].append(f"        g[{slot[k]}] = g{k}")
    return lines, own, slot, names


_SHARED = re.compile(r"\bg(\d+)\b")


def stored_reads(lines: Sequence[str], own: set[int], slot: Mapping[int, int]) -> list[str]:
    """`gK = g[J]` for every shared guard part the generated `lines` read that an
    earlier part computed into slot J of `g` (all but the part's `own`)."""
    used = {int(m) for line in lines for m in _SHARED.findall(line)}
    return [f"        g{i} = g[{slot[i]}]" for i in sorted(used - own)]


_VARS = re.compile(r"\bv(\d+)\b")
_FLAGS = re.compile(r"\bf(\d+)\b")


def split_hoists(lines: Sequence[str], final: str, size: int) -> tuple[list[str], list[str]]:
    """The hoisted lines `        fK = ...` of the flagged conditions (NOTE(local-hoist)
    in pycompile), in order, as functions `flags{c}(s, f)` of `size` lines each that
    store every local they compute into the list `f`; and the lines of `expand` that
    make `f`, call them, and read back the locals the condition source `final` reads."""
    names = [int(line.split("=", 1)[0].strip()[1:]) for line in lines]
    sources: list[str] = []
    calls = [f"        f = [0] * {max(names, default=-1) + 1}"]
    for c in range(0, len(lines), size):
        part, mine = lines[c:c + size], set(names[c:c + size])
        used = {int(m) for line in part for m in _FLAGS.findall(line)} - mine
        sources.append("\n".join([
            f"def flags{c // size}(s, f):",
            *(f"        v{i} = s[{i}]" for i in sorted({int(m) for line in part
                                                        for m in _VARS.findall(line)})),
            *(f"        f{i} = f[{i}]" for i in sorted(used)), *part,
            *(f"        f[{i}] = f{i}" for i in sorted(mine))]))
        calls.append(f"        flags{c // size}(s, f)")
    calls += [f"        f{i} = f[{i}]" for i in sorted({int(m) for m in _FLAGS.findall(final)})]
    return sources, calls


def split_condition(e: Expr, names: Sequence[str], size: int,
                    first: int) -> tuple[list[str], str]:
    """The condition source of `e` (NOTE(compile-modes)); a top-level `and`/`or` of more
    than `size` arguments as calls of functions `cond{first + j}(s, f)` each joining
    `size` of them in order (the same truthiness, evaluated in the same order up to the
    same deciding argument), reading the flagged hoists from the list `f`."""
    if not (isinstance(e, Op) and e.op in ("and", "or") and len(e.args) > size):
        return [], cond_source(e, names)
    sources, calls = [], []
    for j, c in enumerate(range(0, len(e.args), size)):
        body = f" {e.op} ".join(cond_source(a, names) for a in e.args[c:c + size])
        sources.append("\n".join([
            f"def cond{first + j}(s, f):",
            *(f"        v{i} = s[{i}]" for i in sorted({int(m) for m in _VARS.findall(body)})),
            *(f"        f{i} = f[{i}]" for i in sorted({int(m) for m in _FLAGS.findall(body)})),
            f"        return ({body})"]))
        calls.append(f"cond{first + j}(s, f)")
    return sources, "(" + f" {e.op} ".join(calls) + ")"

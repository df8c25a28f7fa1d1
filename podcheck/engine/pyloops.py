"""Aggregates over the pod slots as loops: `sum(... for b in table)`, not n terms.

Stage: inside `podcheck.engine`, used by `engine/pyslots.py` (the slot-table expander).
Consumes the nodes `pyslots` found of loop shape; produces their Python source.

NOTE(slot-loops): a node over every member (a PDB's healthy count, "no pod has an urgent
step", `budget-respected`'s junction) spelled term by term is n times one member's term:
the expander's largest functions at 10 000 replicas.  A node is of *loop shape* when its
operator is `+ and or min max` and its arguments reading a member form one stretch, one
argument per member, all with the same ordered key (NOTE(slot-table)): the same code up
to the renaming of one block.  Its source is the stretch as a generator over a table of
the members' blocks, in argument order, between the other arguments in their places:
`and`/`or` become `all`/`any` (the same operands in the same order, stopping at the same
one; rendered `(1 if ... else 0)`, the int `ir.evaluate` gives), `+` a `sum` of the
same ints, `min`/`max` over the same values.  Inside the generator only parts that read
no single member are taken from the hoisted locals (a member's hoisted part is that
member's, not the loop's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from podcheck.engine.pybody import PreState
from podcheck.engine.pyexpr import cond_source, value_source
from podcheck.ir import Expr, Op, SymmetryGroup

LOOPS = frozenset({"+", "and", "or", "min", "max"})
Stretch = tuple[int, int, tuple[int, ...], int]  # arguments start..stop, `width` a member
Shape = tuple[Stretch, ...]
MIN_LOOP = 8  # members from which a stretch of an aggregate is a loop


def shape(op: str, parts: Sequence[tuple[int, int]]) -> Shape | None:
    """The stretches of member arguments (owner >= 0) of a node whose arguments have
    these (owner, key), when of loop shape (module doc): `width` consecutive arguments
    per member, keyed as the first member's, for `MIN_LOOP` members or more."""
    if op not in LOOPS:
        return None
    out, i = [], 0
    while i < len(parts):
        got = _stretch(parts, i)
        if got is None:
            i += 1
        else:
            out.append(got)
            i = got[1]
    return tuple(out) or None


def _stretch(parts: Sequence[tuple[int, int]], start: int) -> Stretch | None:
    width, members = repeated(parts, start)
    if len(members) < MIN_LOOP:
        return None
    return (start, start + width * len(members), tuple(members), width)


def repeated(parts: Sequence[tuple[int, int]], start: int,
             same: Callable[[int, int], bool] = lambda first, m: True,
             ) -> tuple[int, list[int]]:  # fmt: skip
    """The `width` of the member owning `parts[start]` (its consecutive entries) and the
    members whose next `width` entries repeat its keys, each once, in a row, none with
    more entries there (`same(first, m)` may refuse one); no members if unowned."""
    owner = parts[start][0]
    if owner < 0:
        return 0, []
    width = 1
    while start + width < len(parts) and parts[start + width][0] == owner:
        width += 1
    first = [k for _, k in parts[start:start + width]]
    members, at, seen = [owner], start + width, {owner}
    while at + width <= len(parts):
        m = parts[at][0]
        if m < 0 or m in seen or any(parts[at + t] != (m, first[t]) for t in range(width)):
            break
        if not same(owner, m) or (at + width < len(parts) and parts[at + width][0] == m):
            break  # other ranges, or member m has more entries here than the first
        members.append(m)
        seen.add(m)
        at += width
    return width, members


class LoopMemo(dict[int, str]):
    """A names memo (`pyexpr.hoisted`) that also gives the loop source of each node of
    loop shape; `common`: the entries valid inside a loop (no single member's)."""

    def __init__(self, entries: dict[int, str], common: frozenset[int],
                 loops: dict[int, tuple[Op, Shape]], tables: dict[str, object],
                 group: SymmetryGroup, size: int, depth: int = 0) -> None:  # fmt: skip
        super().__init__(entries)
        self.common, self.loops, self.tables = common, loops, tables
        self.group, self.size, self.depth = group, size, depth

    def __bool__(self) -> bool:
        return True

    def get(self, key: int, default: str | None = None) -> str | None:  # type: ignore[override]
        """The hoisted local of node `key`, else its loop source, else `default`."""
        got = super().get(key)
        if got is None and key in self.loops:
            got = self._loop(*self.loops[key])
        return default if got is None else got

    def child(self, entries: dict[int, str]) -> LoopMemo:
        """A memo with `entries`, sharing this one's loops and tables."""
        return LoopMemo(entries, self.common, self.loops, self.tables, self.group,
                        self.size, self.depth)

    def _loop(self, e: Op, where: Shape) -> str:
        outer = PreState(self.size, {})
        outer.memo = self
        terms, at = [], 0
        junction = e.op in ("and", "or")
        for stretch in where:
            terms += [cond_source(a, outer) if junction else value_source(a, outer)
                      for a in e.args[at:stretch[0]]]
            terms.append(self._stretch(e.op, e.args, stretch))
            at = stretch[1]
        terms += [cond_source(a, outer) if junction else value_source(a, outer)
                  for a in e.args[at:]]
        if junction:
            return f"(1 if ({f' {e.op} '.join(terms)}) else 0)"
        if e.op == "+":
            return f"({' + '.join(terms)})"
        return terms[0] if len(terms) == 1 else f"{e.op}({', '.join(terms)})"

    def _stretch(self, op: str, args: Sequence[Expr], stretch: Stretch) -> str:
        """One stretch as a generator over a table of its members' blocks."""
        start, _, members, width = stretch
        name = f"TB{self.depth}_{len(self.tables)}"
        self.tables[name] = tuple(tuple(self.group.blocks[m]) for m in members)
        inner = LoopMemo({k: v for k, v in self.items() if k in self.common}, self.common,
                         self.loops, self.tables, self.group, self.size, self.depth + 1)
        at = {v: j for j, v in enumerate(self.group.blocks[members[0]])}
        names = _InLoop(self.size, at, f"b{self.depth}", inner)
        each, var = args[start:start + width], f"for b{self.depth} in {name}"
        if op in ("and", "or"):
            one = f" {op} ".join(cond_source(a, names) for a in each)
            return f"{'all' if op == 'and' else 'any'}(({one}) {var})"
        values = [value_source(a, names) for a in each]
        fn = "sum" if op == "+" else op
        one = (f"({' + '.join(values)})" if fn == "sum" else
               values[0] if width == 1 else f"{fn}({', '.join(values)})")
        return f"{fn}({one} {var})"


class _InLoop(PreState):
    """Variable j of the loop's block is `s[b[j]]`; others `v{i}`."""

    def __init__(self, size: int, at: dict[int, int], row: str, memo: LoopMemo) -> None:
        super().__init__(size, {})
        self.at, self.row = at, row
        self.memo = memo

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        return f"s[{self.row}[{self.at[i]}]]" if i in self.at else f"v{i}"

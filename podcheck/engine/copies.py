"""The pod slots' actions as copies of one member's: found cheaply, checked per copy.

Stage: inside `podcheck.engine`, used by `engine/templates.py` (the symmetry
verification's slot forms) and `engine/pyslots.py` (the slot-table expander's keys).
Consumes a `TransitionSystem`'s actions and one symmetry group without references;
produces `Copies`: per action that is a copy, the action it copies and its member.

NOTE(slot-copies): the model compiler builds every pod slot of a workload from one
template (`model/slots.py`, `symmetry_groups`: same template, same controller) and lays
each kind of action out for every slot in slot order (NOTE(slot-table)).  That claim is
not trusted, it is checked, but per copy by a direct comparison instead of a walk that
builds every node's form.  The *proposal* is read off the update targets (an action
whose group targets lie in one member's block; one updating none of the group, by the
pod its parameters name), keyed by the action's name, fairness, actor and target
positions; stretches of members repeating the first member's keys (`pyloops.repeated`)
are candidate runs.  A candidate member m's action `c` is a *copy* of the first member
m0's action `t` (the template) when the template reads and writes, outside nodes
reading several members, only m0's block, and `c` is `t` with the blocks of m0 and m
swapped, node by node and argument by argument, where a node of `t` reading several
members (a PDB's healthy count) must be *the same object* in `c` (not a renaming of it,
but what both stages key it by: its identity, or a form independent of m0 and m), and a
node that is the same object in both must read no member's block directly (a constant
part, the clock's delta) or read several.  Within one member's copies, a node of `c`
met twice must pair with the same node of `t` (`memo`).  A member one of whose actions
fails has none of its actions of that run taken as copies: they are walked as before.

Why a copy has the form both stages would compute by walking it (so no result changes,
tests/engine/test_copies.py compares them on specs): by induction on `t`'s structure.
A matched variable of m0's block at position j is m's at position j in `c` (both `s{j}`
in NOTE(slot-templates)'s slot form and NOTE(slot-table)'s ordered key); another
variable is the same index; a constant the same value; an operator the same operator
with argument forms equal in order (so also sorted); a shared node the same memoised
form.  The owner: `t` reads m0 directly and nothing else of the group, so `c` reads m.
So the slot form and ordered key of `c` are those of `t`, owned by m (and when `t` is
not of template shape, `_OTHER`, neither is `c`: it holds the same offending node).
The cost is one comparison per node of each copy (no form built, no string, no sort).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podcheck.engine.pyloops import repeated
from podcheck.ir import Action, Const, Expr, Op, StateVar, SymmetryGroup, TransitionSystem, Var

NONE, MIXED = -1, -3  # the direct owner of what reads no member / several members


@dataclass(frozen=True, slots=True)
class Copies:
    """Per copy action's index, the index of the action it copies (its template, the
    first member of its run, an earlier index) and the copy's member."""

    of: dict[int, tuple[int, int]]

    def within(self, old: Sequence[Action], new: Sequence[Action]) -> Copies:
        """The copies still copies in `new`, the actions `old` with some replaced (the
        relaxed actions of `engine/vacancy.py`): those whose action and template are the
        same objects in both."""
        return Copies({c: (t, m) for c, (t, m) in self.of.items()
                       if new[c] is old[c] and new[t] is old[t]})


_CACHE: list[tuple[TransitionSystem, SymmetryGroup, Copies]] = []


def copies(system: TransitionSystem, group: SymmetryGroup) -> Copies:
    """The copies among the actions of `system` of `group`'s members
    (NOTE(slot-copies)); the last two answers are kept (the symmetry verification and
    the expander ask alike; the entry keeps the system alive, so an id is not reused)."""
    for seen, g, found in _CACHE:
        if seen is system and g == group:
            return found
    found = _find(system.actions, system.vars, group)
    _CACHE[:] = [*_CACHE[-1:], (system, group, found)]  # each holds a system (GiBs)
    return found


def _find(actions: Sequence[Action], layout: Sequence[StateVar],
          group: SymmetryGroup) -> Copies:  # fmt: skip
    if group.references or len(group.blocks) < 2:
        return Copies({})
    at = {v: (m, j) for m, b in enumerate(group.blocks) for j, v in enumerate(b)}
    owners = {layout[b[0]].owner: m for m, b in enumerate(group.blocks) if b}
    proposed = _proposal(actions, at, owners)
    direct = _Direct(at)
    out: dict[int, tuple[int, int]] = {}
    a = 0
    while a < len(actions):
        width, members = repeated(proposed, a)
        if len(members) < 2:
            a += 1
            continue
        templates = range(a, a + width)
        if all(direct.action(actions[t]) == members[0] for t in templates):
            for i, m in enumerate(members[1:], 1):  # a member that fails is no copy
                swap = _swap(group.blocks[members[0]], group.blocks[m])
                memo: dict[int, Expr] = {}
                if all(_copy(actions[t], actions[t + i * width], swap, direct, memo)
                       for t in templates):
                    out.update((t + i * width, (t, m)) for t in templates)
        a += width * len(members)
    return Copies(out)


def _proposal(actions: Sequence[Action], at: dict[int, tuple[int, int]],
              owners: dict[str, int]) -> list[tuple[int, int]]:  # fmt: skip
    """Per action (member, key) read off its update targets, or when it has none in
    the group, the member its parameters name (`pod X`: NOTE(slot-copies))."""
    table: dict[tuple[object, ...], int] = {}
    out = []
    for a in actions:
        members = {at[v][0] for v, _ in a.updates if v in at} or {
            owners[f"{k} {v}"] for k, v in a.params if f"{k} {v}" in owners}
        if len(members) != 1:
            out.append((NONE, 0))
            continue
        key = (a.name, a.fairness, a.actor,
               tuple(at[v][1] if v in at else -1 - v for v, _ in a.updates))
        out.append((members.pop(), table.setdefault(key, len(table))))
    return out


def _swap(left: Sequence[int], right: Sequence[int]) -> dict[int, int]:
    return {**dict(zip(left, right, strict=True)), **dict(zip(right, left, strict=True))}


class _Direct:
    """The member a node reads outside nodes reading several (`NONE`, a member, or
    `MIXED` when it reads several itself), memoised per node of the templates."""

    def __init__(self, at: dict[int, tuple[int, int]]) -> None:
        self.at = at
        self.memo: dict[int, int] = {}
        self.keep: list[Expr] = []

    def expr(self, e: Expr) -> int:
        """The direct owner of `e`."""
        if isinstance(e, Const):
            return NONE
        if isinstance(e, Var):
            got = self.at.get(e.index)
            return NONE if got is None else got[0]
        owner = self.memo.get(id(e))
        if owner is not None:
            return owner
        owner = NONE
        for x in e.args:
            o = self.expr(x)
            if o >= 0 and o != owner:
                owner = o if owner == NONE else MIXED
                if owner == MIXED:
                    break
        self.memo[id(e)] = owner
        self.keep.append(e)
        return owner

    def action(self, a: Action) -> int:
        """The one member `a` reads and writes directly, else `NONE` or `MIXED`."""
        owners = {self.expr(a.guard), *(self.expr(e) for _, e in a.updates),
                  *(self.expr(Var(v)) for v, _ in a.updates)} - {NONE}
        return owners.pop() if len(owners) == 1 else (MIXED if owners else NONE)


def _copy(t: Action, c: Action, swap: dict[int, int], direct: _Direct,
          memo: dict[int, Expr]) -> bool:  # fmt: skip
    """`c` is `t` with two members' blocks swapped (`swap`), shared nodes the same."""
    if t.fairness != c.fairness or len(t.updates) != len(c.updates):
        return False
    if not _same(t.guard, c.guard, swap, direct, memo):
        return False
    return all(swap.get(u, u) == v and _same(x, y, swap, direct, memo)
               for (u, x), (v, y) in zip(t.updates, c.updates, strict=True))


def _same(t: Expr, c: Expr, swap: dict[int, int], direct: _Direct,
          memo: dict[int, Expr]) -> bool:  # fmt: skip
    """Expression `c` is `t` renamed by `swap` (NOTE(slot-copies)); pairs of nodes
    compared from a stack (no call per node: this is the cost of the check)."""
    stack: list[tuple[Expr, Expr]] = [(t, c)]
    owners = direct.memo
    while stack:
        t, c = stack.pop()
        kind = type(t)
        if t is c:
            if kind is not Const and direct.expr(t) >= 0:
                return False  # a member's own part must be renamed, not shared
            continue
        if kind is not type(c):
            return False
        if kind is Var:
            if swap.get(t.index, t.index) != c.index:  # type: ignore[union-attr]
                return False
            continue
        if kind is Const:
            if t.value != c.value:  # type: ignore[union-attr]
                return False
            continue
        assert isinstance(t, Op) and isinstance(c, Op)
        if t.op != c.op or len(t.args) != len(c.args):
            return False
        paired = memo.get(id(c))
        if paired is not None:
            if paired is not t:
                return False
            continue
        owner = owners.get(id(t))  # memo hits inline: the hot loop of the check
        if (direct.expr(t) if owner is None else owner) == MIXED:
            return False  # several members read: only the same object is that node
        memo[id(c)] = t
        stack.extend(zip(t.args, c.args, strict=True))
    return True

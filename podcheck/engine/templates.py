"""Per-template symmetry verification: one check per slot template, not per pod pair.

Stage: `podcheck.engine` (used by `engine/symmetry.verify`).  Consumes a group without
references and the (relaxed) actions, `terminal` and conditions the per-pod check would
compare; produces the generators' action maps when the system is of template shape and
symmetric, else None (the caller then runs the per-pod check, which also words why a
group is broken).

NOTE(slot-templates): the model compiler builds the pod slots of one workload from one
template, so the actions of slot i are the template's with slot i's variables put in.
We read that shape off the IR instead of trusting it.  The *slot form* of an expression
is its normal form (commutative arguments sorted, hash-consed as in
`symmetry._Normal`) in which the variable at position j of a member's block is written
`s{j}` whatever the member; its *owner* is the one member whose variables it reads.  A
commutative and associative operator (`+ * min max and or`) whose arguments read
several members is an *aggregate* (a PDB's healthy count): it is accepted only when
every member owns the same multiset of argument slot forms, and its form is then that
multiset (plus the arguments that read no member).  The facts of the IR used, each
checked here and anything else refused (None):

1. every action, after aggregates, reads and writes the variables of at most one
   member (its slot); a writing target inside a block is that slot's;
2. every member's slot actions have the same multiset of slot forms (the template);
3. `terminal` and every compared condition read no single member (only aggregates);
4. the group has no references (member numbers held in variables) and blocks of equal
   ranges (`symmetry._domain_ok`, checked by the caller).

Why that implies the per-pod check for every permutation p of the members: an
aggregate's form is invariant under p (p moves member m's arguments to member p(m),
which owns the same multiset of forms, and the operator is commutative and
associative), so p maps a slot-i action `a` to an expression of slot p(i) with the same
slot form; by (2) slot p(i) has an action `c` with that form, and equal slot forms of
one slot are equal per-pod normal forms, so the per-pod check pairs `p(a)` with `c`;
actions of no slot (1) and conditions (3) read only variables p fixes and aggregates, so
they are their own images.  Conversely each step is the per-pod normal form's own
equality, so when this check says "symmetric" the per-pod check says so too, and the
maps agree: `_pair` pairs equal forms in action order, which here is the r-th slot-i
action of a form with the r-th slot-p(i) action of that form, and an action of no slot
with itself (tests/engine/test_templates.py compares both on the specs).  The cost is
one walk of the actions (memoised per node) instead of three per-pod normal forms.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from podcheck.ir import Action, Const, Expr, SymmetryGroup, Var

COMMUTATIVE = frozenset({"+", "*", "min", "max", "and", "or", "==", "!="})
_AGGREGATE = frozenset({"+", "*", "min", "max", "and", "or"})
_NONE = -1  # the owner of what reads no member


class _Unshaped(Exception):
    """The IR is not of template shape (NOTE(slot-templates) facts 1 and 3)."""


class _SlotForms:
    """Owners and slot forms of expressions for one group (memoised per node)."""

    def __init__(self, group: SymmetryGroup) -> None:
        self.at = {v: (m, j) for m, b in enumerate(group.blocks) for j, v in enumerate(b)}
        self.k = len(group.blocks)
        self.memo: dict[int, tuple[int, str]] = {}
        self.table: dict[tuple[str, ...], str] = {}

    def expr(self, e: Expr) -> tuple[int, str]:
        """The owner (a member, or `_NONE`) and the slot form of `e`."""
        key = id(e)
        got = self.memo.get(key)
        if got is None:
            got = self.memo[key] = self._expr(e)
        return got

    def _var(self, index: int) -> tuple[int, str]:
        at = self.at.get(index)
        return (_NONE, f"v{index}") if at is None else (at[0], f"s{at[1]}")

    def _expr(self, e: Expr) -> tuple[int, str]:
        if isinstance(e, Const):
            return _NONE, str(e.value)
        if isinstance(e, Var):
            return self._var(e.index)
        parts = [self.expr(a) for a in e.args]
        owners = {s for s, _ in parts if s != _NONE}
        if len(owners) > 1:
            return _NONE, self._aggregate(e.op, parts)
        forms = [f for _, f in parts]
        if e.op in COMMUTATIVE:
            forms.sort()
        return (owners.pop() if owners else _NONE), self._cons((e.op, *forms))

    def _aggregate(self, op: str, parts: Sequence[tuple[int, str]]) -> str:
        if op not in _AGGREGATE:
            raise _Unshaped
        per: list[Counter[str]] = [Counter() for _ in range(self.k)]
        rest = []
        for owner, form in parts:
            if owner == _NONE:
                rest.append(form)
            else:
                per[owner][form] += 1
        if any(c != per[0] for c in per):
            raise _Unshaped
        each = sorted(f"{form}*{n}" for form, n in per[0].items())
        return self._cons(("all", op, *each, "|", *sorted(rest)))

    def _cons(self, key: tuple[str, ...]) -> str:
        form = self.table.get(key)
        if form is None:
            form = self.table[key] = f"#{len(self.table)}"
        return form

    def action(self, a: Action) -> tuple[int, str]:
        """The slot and slot form of an action (guard, updates, fairness).  An action
        that updates every member alike (the clock's timers) is of no slot: its updates
        are an aggregate, each member's read only that member and what no member owns."""
        owner, guard = self.expr(a.guard)
        ups: list[tuple[int, str]] = []
        for target, e in a.updates:
            t_owner, t_form = self._var(target)
            e_owner, e_form = self.expr(e)
            if _NONE not in (t_owner, e_owner) and t_owner != e_owner:
                raise _Unshaped
            ups.append((e_owner if t_owner == _NONE else t_owner, f"{t_form}:={e_form}"))
        owners = {owner, *(u for u, _ in ups)} - {_NONE}
        if len(owners) > 1 and owner == _NONE:
            return _NONE, f"{guard}|{self._aggregate('and', ups)}|{a.fairness}"
        if len(owners) > 1:
            raise _Unshaped
        forms = sorted(f for _, f in ups)
        return (owners.pop() if owners else _NONE), f"{guard}|{' '.join(forms)}|{a.fairness}"


def generator_maps(
    group: SymmetryGroup, actions: Sequence[Action], terminal: Expr,
    conds: Sequence[Expr], generators: Sequence[Sequence[int]],
) -> tuple[list[int], ...] | None:  # fmt: skip
    """Per generator (member `i` goes to `perm[i]`), the action map `symmetry._pair`
    would give, when the system is of template shape and symmetric
    (NOTE(slot-templates)); None when it is not (not of that shape, or not symmetric:
    the per-pod check decides and says why)."""
    if group.references or len(group.blocks) < 2:
        return None
    forms = _SlotForms(group)
    try:
        owned = [forms.action(a) for a in actions]
        if any(forms.expr(c)[0] != _NONE for c in (terminal, *conds)):
            return None
    except _Unshaped:
        return None
    where: dict[tuple[int, str], list[int]] = {}
    rank = []
    for index, slot_form in enumerate(owned):
        same = where.setdefault(slot_form, [])
        rank.append(len(same))
        same.append(index)
    per: list[Counter[str]] = [Counter() for _ in range(len(group.blocks))]
    for owner, form in owned:
        if owner != _NONE:
            per[owner][form] += 1
    if any(c != per[0] for c in per):
        return None
    return tuple(_image(owned, where, rank, perm) for perm in generators)


def _image(owned: Sequence[tuple[int, str]], where: dict[tuple[int, str], list[int]],
           rank: Sequence[int], perm: Sequence[int]) -> list[int]:
    """Per action, its image's index: the same rank among the same slot form of slot
    `perm[slot]`; an action of no slot is its own image."""
    return [index if owner == _NONE else where[(perm[owner], form)][rank[index]]
            for index, (owner, form) in enumerate(owned)]

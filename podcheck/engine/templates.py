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
`normal.Normal`) in which the variable at position j of a member's block is written
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
maps agree: `normal.pair` pairs equal forms in action order, which here is the r-th slot-i
action of a form with the r-th slot-p(i) action of that form, and an action of no slot
with itself (tests/engine/test_templates.py compares both on the specs).  The cost is
one walk of the actions (memoised per node) instead of three per-pod normal forms.

NOTE(commuting-groups): a second group H (the nodes, whose references are the pods'
`node` variables) is checked against the slot template of a group G without
references (the pods), walking only the actions of G's member 0 and those of no G slot,
not every pod's.  Facts used, each checked: H has no lowest-free relaxation; H's blocks
share no variable with G's; in every G block the references of H sit at the same
positions; every G member's actions have the same multiset of slot forms (G need not be
verified, nor symmetric: the create actions, reading lower slots, are of no slot).
Then for a generator s of H and the swap p = (0 m) of G, s and p commute as renamings
(s moves H's variables and renames the values of H's references, p moves G's variables
position by position and carries H's references to H's references), and member m's
actions are p of member 0's (equal slot forms, aggregates being p-invariant).  So
s maps member m's actions onto themselves iff s maps member 0's onto themselves; the
other actions, `terminal` and the conditions are compared in full, as per pod.  The
maps are those of `normal.pair` over every action: member m's action of slot form F is
keyed by m and the per-pod form of member 0's action of form F, under the identity and
under s.  When G is not of that shape, or the comparison fails, the per-pod check runs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from podcheck.engine.copies import Copies
from podcheck.engine.normal import COMMUTATIVE, Normal, Renaming, Unsupported, pair, renaming
from podcheck.ir import Action, Const, Expr, Op, SymmetryGroup, Var

_AGGREGATE = frozenset({"+", "*", "min", "max", "and", "or"})
_NONE = -1  # the owner of what reads no member
_OTHER = -2  # the owner of what is not of template shape (reads members unalike)
Owned = tuple[int, str]  # (owner, slot form)
Maps = tuple[list[int], ...]


class SlotForms:
    """Owners and slot forms of expressions for one group, memoised per node; one
    walker serves every check of one system (the relaxed actions of a lowest-free group
    share most nodes with the system's).  `keep` holds what was walked, so that no
    memoised node id is reused by a new object."""

    def __init__(self, group: SymmetryGroup) -> None:
        self.group = group
        self.at = {v: (m, j) for m, b in enumerate(group.blocks) for j, v in enumerate(b)}
        self.k = len(group.blocks)
        self.memo: dict[int, Owned] = {}
        self.table: dict[tuple[str, ...], str] = {}
        self.keep: list[object] = []
        self.aggregates: set[int] = set()  # ids of the nodes that are aggregates
        self.by_action: dict[int, Owned] = {}  # id of an action (kept) -> `action`

    def expr(self, e: Expr) -> Owned:
        """The owner (a member, `_NONE` or `_OTHER`) and the slot form of `e`."""
        key = id(e)
        got = self.memo.get(key)
        if got is None:
            got = self.memo[key] = self._expr(e)
        return got

    def _var(self, index: int) -> Owned:
        at = self.at.get(index)
        return (_NONE, f"v{index}") if at is None else (at[0], f"s{at[1]}")

    def _expr(self, e: Expr) -> Owned:
        if isinstance(e, Const):
            return _NONE, str(e.value)
        if isinstance(e, Var):
            return self._var(e.index)
        memo, parts, owner, mixed = self.memo, [], _NONE, False
        for a in e.args:  # memo hits inline: the hot loop of the walk
            got = memo.get(id(a)) or self.expr(a)
            if got[0] != _NONE:
                if got[0] == _OTHER:
                    return got
                mixed = mixed or owner not in (_NONE, got[0])
                owner = got[0]
            parts.append(got)
        if mixed:
            got = self._aggregate(e.op, parts)
            if got[0] == _NONE:
                self.aggregates.add(id(e))
            return got
        forms = [f for _, f in parts]
        if e.op in COMMUTATIVE:
            forms.sort()
        return owner, self._cons((e.op, *forms))

    def _aggregate(self, op: str, parts: Sequence[Owned]) -> Owned:
        if op not in _AGGREGATE:
            return _OTHER, ""
        per: list[Counter[str]] = [Counter() for _ in range(self.k)]
        rest = []
        for owner, form in parts:
            if owner == _NONE:
                rest.append(form)
            else:
                per[owner][form] += 1
        if any(c != per[0] for c in per):
            return _OTHER, ""
        each = sorted(f"{form}*{n}" for form, n in per[0].items())
        return _NONE, self._cons(("all", op, *each, "|", *sorted(rest)))

    def _cons(self, key: tuple[str, ...]) -> str:
        form = self.table.get(key)
        if form is None:
            form = self.table[key] = f"#{len(self.table)}"
        return form

    def action(self, a: Action) -> Owned:
        """The slot and slot form of an action (guard, updates, fairness).  An action
        that updates every member alike (the clock's timers) is of no slot: its updates
        are an aggregate, each member's read only that member and what no member owns."""
        owner, guard = self.expr(a.guard)
        ups: list[Owned] = []
        for target, e in a.updates:
            t_owner, t_form = self._var(target)
            e_owner, e_form = self.expr(e)
            if _NONE not in (t_owner, e_owner) and t_owner != e_owner:
                return _OTHER, ""
            ups.append((e_owner if t_owner == _NONE else t_owner, f"{t_form}:={e_form}"))
        owners = {owner, *(u for u, _ in ups)} - {_NONE}
        if _OTHER in owners:
            return _OTHER, ""
        if len(owners) > 1:
            if owner != _NONE:
                return _OTHER, ""
            owner, form = self._aggregate("and", ups)
            return owner, f"{guard}|{form}|{a.fairness}"
        forms = sorted(f for _, f in ups)
        return (owners.pop() if owners else _NONE), f"{guard}|{' '.join(forms)}|{a.fairness}"

    def owned(self, actions: Sequence[Action], copied: Copies | None = None) -> list[Owned]:
        """Per action its slot and form, a copy's (NOTE(slot-copies)) taken from the
        action it copies instead of walked; each action's answer is memoised (the
        relaxed actions of a lowest-free group are mostly the system's own objects)."""
        self.keep.append(actions)
        of = {} if copied is None else copied.of
        owned: list[Owned] = []
        memo = self.by_action
        for index, a in enumerate(actions):
            got = of.get(index)
            if got is not None:
                owner, form = owned[got[0]]
                owned.append((got[1], form) if owner >= 0 else (owner, form))
                continue
            found = memo.get(id(a))
            if found is None:
                found = memo[id(a)] = self.action(a)
            owned.append(found)
        return owned

    def actions(self, actions: Sequence[Action],
                copied: Copies | None = None) -> list[Owned] | None:  # fmt: skip
        """Per action its slot and form (`owned`); None unless every member's slot
        actions have the same multiset of forms (NOTE(slot-templates) fact 2)."""
        owned = self.owned(actions, copied)
        per: list[Counter[str]] = [Counter() for _ in range(self.k)]
        for owner, form in owned:
            if owner >= 0:
                per[owner][form] += 1
        return owned if all(c == per[0] for c in per) else None


def generator_maps(
    walker: SlotForms, actions: Sequence[Action], terminal: Expr, conds: Sequence[Expr],
    generators: Sequence[Sequence[int]], copied: Copies | None = None,
) -> Maps | None:  # fmt: skip
    """Per generator (member `i` goes to `perm[i]`), the action map `normal.pair` would
    give, when the system is of template shape and symmetric (NOTE(slot-templates));
    None when it is not (not of that shape, or not symmetric: the per-pod check decides
    and says why)."""
    if walker.group.references or walker.k < 2:
        return None
    owned = walker.actions(actions, copied)
    walker.keep.append((terminal, *conds))
    if owned is None or any(o == _OTHER for o, _ in owned) or any(
            walker.expr(c)[0] != _NONE for c in (terminal, *conds)):
        return None
    where: dict[Owned, list[int]] = {}
    rank = []
    for index, slot_form in enumerate(owned):
        same = where.setdefault(slot_form, [])
        rank.append(len(same))
        same.append(index)
    return tuple([index if owner == _NONE else where[(perm[owner], form)][rank[index]]
                  for index, (owner, form) in enumerate(owned)] for perm in generators)


def _commutes(h: SymmetryGroup, g: SymmetryGroup) -> bool:
    """NOTE(commuting-groups)'s facts about the two groups themselves."""
    if h.first_free is not None or g.references or len(g.blocks) < 2 or h.name == g.name:
        return False
    g_vars = {v for b in g.blocks for v in b}
    refs = set(h.references)
    places = {tuple(j for j, v in enumerate(b) if v in refs) for b in g.blocks}
    return not g_vars & {v for b in h.blocks for v in b} and len(places) == 1


def commuting_maps(
    h: SymmetryGroup, walker: SlotForms, actions: Sequence[Action], terminal: Expr,
    conds: Sequence[Expr], generators: Sequence[Sequence[int]], copied: Copies | None = None,
) -> Maps | None:  # fmt: skip
    """The generators' action maps of `h` (as `normal.pair` gives them) when `h` maps
    the system onto itself, checked on the slot template of `walker`'s group
    (NOTE(commuting-groups)); None when not of that shape or not symmetric (the per-pod
    check decides and says why)."""
    owned = walker.actions(actions, copied) if _commutes(h, walker.group) else None
    if owned is None:
        return None
    first = {form: i for i, (owner, form) in reversed(list(enumerate(owned))) if owner == 0}
    walked = [i for i, (owner, _) in enumerate(owned) if owner <= 0]
    refs = frozenset(h.references)
    walker.keep.append((terminal, *conds))
    for c in (terminal, *conds):
        walker.expr(c)  # classifies their aggregates
    ident = _Sparse(Renaming({}, refs, {}), None, walker)
    maps = []
    try:
        base = {i: ident.action(actions[i]) for i in walked}
        for perm in generators:
            moved = _Sparse(renaming(h, perm, refs), ident.table, walker)
            if any(moved.expr(c) != ident.expr(c) for c in (terminal, *conds)):
                return None
            image = {i: moved.action(actions[i]) for i in walked}
            if not _same(owned, base, image):
                return None
            maps.append(pair(_keys(owned, first, base), _keys(owned, first, image)))
    except Unsupported:
        return None
    return tuple(maps)


class _Sparse(Normal):
    """`Normal` that writes an aggregate of the template's group as the forms of its
    member 0's arguments (and of those of no member): member m's are p of member 0's,
    so under the identity and under a generator of the commuting group the forms agree
    exactly when the per-pod forms of the whole aggregate do (NOTE(commuting-groups))."""

    def __init__(self, r: Renaming, table: dict[tuple[str, ...], str] | None,
                 walker: SlotForms) -> None:  # fmt: skip
        super().__init__(r, table)
        self.walker = walker

    def _expr(self, e: Expr) -> str:
        if not isinstance(e, Op) or id(e) not in self.walker.aggregates:
            return super()._expr(e)
        memo = self.walker.memo
        each: Counter[str] = Counter()
        rest = []
        for a in e.args:
            owner = memo[id(a)][0]
            if owner == _NONE:
                rest.append(self.expr(a))
            elif owner == 0:
                each[self.expr(a)] += 1
        key = ("all", e.op, *sorted(f"{f}*{n}" for f, n in each.items()), "|", *sorted(rest))
        form = self.table.get(key)
        if form is None:
            form = self.table[key] = f"#{len(self.table)}"
        return form


def _keys(owned: Sequence[Owned], first: dict[str, int], forms: dict[int, str]) -> list[str]:
    """Per action, a key equal for two actions exactly when their per-pod forms are:
    member m's action of slot form F is keyed by m and member 0's action of form F."""
    return [f"-@{forms[i]}" if owner < 0 else f"{owner}@{forms[first[form]]}"
            for i, (owner, form) in enumerate(owned)]


def _same(owned: Sequence[Owned], base: dict[int, str], image: dict[int, str]) -> bool:
    """Member 0's actions, and those of no member, are mapped onto themselves."""
    def count(forms: dict[int, str], zero: bool) -> Counter[str]:
        return Counter(f for i, f in forms.items() if (owned[i][0] == 0) == zero)

    return all(count(base, zero) == count(image, zero) for zero in (True, False))

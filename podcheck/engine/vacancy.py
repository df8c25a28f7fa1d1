"""Groups whose producer fills the lowest free member first (pod slots of a ReplicaSet).

Stage: `podcheck.engine` (called by `engine/symmetry.py`'s `verify`).  Consumes a
`TransitionSystem` and one `SymmetryGroup` with `first_free`; produces the *relaxed*
actions (the "lowest free" conjuncts dropped, see below) on which the group is verified,
and decides whether "a free member's variables hold `vacant`" is an inductive invariant.

NOTE(lowest-free): the ReplicaSet controller creates a missing pod in the lowest absent
slot (guard `not used_i and used_j for every j < i`, or its linear spelling `min(top,
ite(used_j, top, j) for every j) == i`, relaxed to `not used_i`), which no permutation
maps onto the system. Let T be the system and T' the same system with those `used_j`
conjuncts dropped ("create in any free slot"), and suppose T' is symmetric (verified as
usual) and every reachable state of T satisfies V: "every free member's block equals
`vacant`" (checked here inductively). Then T and T' reach the same orbits, and so the
reduced search of T from canonical states is exact: T's steps are steps of T';
conversely, if y ~ x is reachable in T and T' steps x -> x' by filling member i, then y
-> pi(x') by filling pi(i), and, with l the lowest free member of y, the swap (l pi(i))
fixes y (both blocks are `vacant`), so T's step filling l leads to an image of x'. The
same step from any state of a reachable orbit shows that the reduced search, which
applies T's actions to canonical states (not necessarily reachable in T), stays inside
the reachable orbits and reaches all of them. The argument is about reachable orbits, so
it carries safety verdicts and shortest distances; liveness, where T's fairness is per
slot, uses only groups that are symmetric without the relaxation.

NOTE(vacancy-templates): an action of one slot (NOTE(slot-templates) in
`engine/templates.py`: it reads and writes that member's block, others' only through
aggregates) is checked once per slot form.  Its check folds its guard and updates with
its own block assigned `vacant` and the others unknown; the fold of a slot-i action is
that of any slot-j action of the same slot form: the forms are equal up to the sorting
of commutative arguments (the fold's value does not depend on their order) and the
renaming of block i to block j (under which "block i vacant" is "block j vacant"); an
aggregate's arguments owned by each member are one multiset of forms, so with block i
or block j assigned it folds the same multiset of values, and its operator's fold
depends on nothing else.  Actions of no slot are checked for every block they write.

V is checked inductively: it holds in every initial state, and for every action and
member i: an update `used_i := 0` comes with every block variable assigned its vacant
constant; and if i is free and vacant before (the guard evaluated partially under that
assumption is not false), the action leaves the block vacant or sets `used_i := 1`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from podcheck.ir import Action, Const, Expr, Op, SymmetryGroup, TransitionSystem, Var, evaluate

Partial = Mapping[int, int]


def fold(e: Expr, known: Partial, memo: dict[int, int | None] | None = None) -> int | None:
    """The value of `e` when the variables in `known` hold those values, or None when it
    depends on others (three-valued: `and`/`or` decide on one known argument).  Arguments
    are folded lazily: an unknown argument of an arithmetic operator ends the fold (a
    `min` over every slot is decided in the first slots it reads).  `memo`, if given,
    keeps each shared subexpression's value (by identity) for this `known`."""
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Var):
        return known.get(e.index)
    if memo is None:
        return _fold_op(e, lambda x: fold(x, known, None))
    if id(e) not in memo:
        memo[id(e)] = _fold_op(e, lambda x: fold(x, known, memo))
    return memo[id(e)]


Fold = Callable[[Expr], int | None]


def _fold_op(e: Op, sub: Fold) -> int | None:
    """`fold` of one operator node, its arguments folded by `sub`."""
    if e.op in ("and", "or"):
        return _fold_junction(e.op == "and", e.args, sub)
    if e.op == "ite":
        cond = sub(e.args[0])
        if cond is not None:
            return sub(e.args[1] if cond else e.args[2])
        then, other = sub(e.args[1]), sub(e.args[2])
        return then if then is not None and then == other else None
    vals: list[int] = []
    for a in e.args:
        v = sub(a)
        if v is None:
            return None
        vals.append(v)
    if e.op in ("//", "%") and vals[1] <= 0:
        return None
    return evaluate(Op(e.op, tuple(Const(v) for v in vals)), ())


def _fold_junction(conjunction: bool, args: Sequence[Expr], sub: Fold,
                   unknown: bool = False) -> int | None:
    """`and` (`conjunction`) or `or` of `args`, three-valued, stopping at a deciding one
    (`unknown`: an argument left out is already known to be unknown)."""
    decider = 0 if conjunction else 1
    for a in args:
        v = sub(a)
        if v is None:
            unknown = True
        elif (v != 0) == (decider == 1):
            return decider
    return None if unknown else 1 - decider


class BlockFold:
    """`fold` under one member's block of variables, in time that does not grow with the
    members an expression does not read of it (NOTE(block-fold)).

    NOTE(block-fold): a guard shares sums and junctions over every member (a PDB's healthy
    count, "any pod on this node blocks the drain"); folding it once per member visits
    each of those for every member: quadratic (1 000 replicas: 30 s).  Exactly the same
    values, faster: a subexpression reading no variable of the block (its block mask,
    an int with a bit per member, says so) has the value it has with nothing known, kept
    once for all members; a junction folds only its arguments that read the block, and
    knows the others' values from counts taken once (a known deciding argument decides
    it; an unknown one makes it unknown unless another decides)."""

    def __init__(self, group: SymmetryGroup) -> None:
        self.owner = {v: i for i, b in enumerate(group.blocks) for v in b}
        self.masks: dict[int, int] = {}
        self.constant: dict[int, int | None] = {}
        self.junctions: dict[int, _Junction] = {}

    def mask(self, e: Expr) -> int:
        """Bit i set when `e` reads a variable of member i."""
        if isinstance(e, Const):
            return 0
        if isinstance(e, Var):
            return 1 << self.owner[e.index] if e.index in self.owner else 0
        got = self.masks.get(id(e))
        if got is None:
            got = 0
            for a in e.args:
                got |= self.mask(a)
            self.masks[id(e)] = got
        return got

    def fold(self, e: Expr, i: int, known: Partial, memo: dict[int, int | None]) -> int | None:
        """`fold(e, known)` where `known` assigns exactly member `i`'s variables."""
        if isinstance(e, Const):
            return e.value
        if isinstance(e, Var):
            return known.get(e.index)
        if not (self.mask(e) >> i) & 1:
            return fold(e, {}, self.constant)
        if id(e) not in memo:
            def sub(x: Expr) -> int | None:
                return self.fold(x, i, known, memo)
            if e.op in ("and", "or"):
                memo[id(e)] = self._junction(e).fold(i, sub)
            else:
                memo[id(e)] = _fold_op(e, sub)
        return memo[id(e)]

    def _junction(self, e: Op) -> _Junction:
        got = self.junctions.get(id(e))
        if got is None:
            got = self.junctions[id(e)] = _Junction(self, e)
        return got


class _Junction:
    """An `and`/`or` node's arguments by the members they read, and the values the
    others have with nothing known (see `BlockFold`).  An argument that reads more than
    `_NARROW` members is folded under every member (`wide`), not listed under each."""

    def __init__(self, folder: BlockFold, e: Op) -> None:
        self.conjunction = e.op == "and"
        decider = 0 if self.conjunction else 1
        self.by_member: dict[int, list[Expr]] = {}
        self.wide: list[Expr] = []
        self.decided: Counter[int] = Counter()  # per member read: its arguments that decide
        self.unknown: Counter[int] = Counter()
        self.decides, self.unknowns = 0, 0
        for a in e.args:
            mask = folder.mask(a)
            if mask.bit_count() > _NARROW:
                self.wide.append(a)
                continue
            value = fold(a, {}, folder.constant)
            decides = value is not None and (value != 0) == (decider == 1)
            self.decides += decides
            self.unknowns += value is None
            while mask:
                low = mask & -mask
                m = low.bit_length() - 1
                self.by_member.setdefault(m, []).append(a)
                self.decided[m] += decides
                self.unknown[m] += value is None
                mask ^= low

    def fold(self, i: int, sub: Fold) -> int | None:
        """The junction's fold when member `i`'s block is known."""
        if self.decides - self.decided[i] > 0:
            return 0 if self.conjunction else 1
        unknown = self.unknowns - self.unknown[i] > 0
        args = [*self.by_member.get(i, ()), *self.wide]
        return _fold_junction(self.conjunction, args, sub, unknown)


_NARROW = 4


def conjuncts(e: Expr) -> list[Expr]:
    """The arguments of nested top-level `and`s (`e` itself when it is no `and`)."""
    if isinstance(e, Op) and e.op == "and":
        return [c for a in e.args for c in conjuncts(a)]
    return [e]


def relaxed(system: TransitionSystem, group: SymmetryGroup) -> tuple[Action, ...]:
    """The actions with NOTE(lowest-free)'s conjuncts dropped: in a guard holding
    `not used_i` for a member i and `used_j` for exactly the members j < i, the `used_j`.
    An action whose guard has none is returned itself (the same object: NOTE(slot-copies)
    keeps the copies whose actions are unchanged)."""
    member, memo = _members(group), _Memo()
    return tuple(a if (guard := _relax(a.guard, member, memo)) is a.guard
                 else replace(a, guard=guard) for a in system.actions)


def relaxed_condition(e: Expr, group: SymmetryGroup) -> Expr:
    """A property condition with each top-level disjunct relaxed as a guard is.

    On states where free members are vacant this is the same predicate when the result
    is symmetric (then so is the family of relaxed disjuncts: one that holds for member
    i maps, by the swap of i and the lowest free member l, which fixes the state, onto
    one for l, whose unrelaxed form holds too).  A deadlock-freedom property, the
    disjunction of every action's guard, is such a condition."""
    if not (isinstance(e, Op) and e.op == "or"):
        return e
    member, memo = _members(group), _Memo()
    return Op("or", tuple(_relax(d, member, memo) for d in _disjuncts(e)))


def _members(group: SymmetryGroup) -> dict[int, int]:
    assert group.first_free is not None
    return {b[group.first_free]: i for i, b in enumerate(group.blocks)}


def _disjuncts(e: Expr) -> list[Expr]:
    if isinstance(e, Op) and e.op == "or":
        return [d for a in e.args for d in _disjuncts(a)]
    return [e]


class _Memo(dict[int, "dict[int, int] | None"]):
    """The ordinal -> "in use" variable map of each `min` seen, by identity: the guards
    of a ReplicaSet's slots share one `min`, so reading it once keeps this linear."""


def _lowest(part: Expr, member: Mapping[int, int], memo: _Memo) -> int | None:
    """The "in use" variable of member i when `part` is the linear spelling of "i is the
    lowest free member" (NOTE(linear-lowest-absent) in model/replicaset.py):
    `min(top, ite(used_j, top, ordinal_j) for every member j) == ordinal_i`."""
    if not (isinstance(part, Op) and part.op == "==" and isinstance(part.args[1], Const)):
        return None
    low = part.args[0]
    if not (isinstance(low, Op) and low.op == "min" and isinstance(low.args[0], Const)):
        return None
    if id(low) not in memo:
        memo[id(low)] = _ordinals(low, member)
    ordinals = memo[id(low)]
    return None if ordinals is None else ordinals.get(part.args[1].value)


def _ordinals(low: Op, member: Mapping[int, int]) -> dict[int, int] | None:
    """`min(top, ite(used_j, top, ordinal_j)...)` read as ordinal -> used_j, when its
    arguments cover every member once; else None."""
    top = low.args[0]
    ordinals: dict[int, int] = {}
    for arg in low.args[1:]:
        if not (isinstance(arg, Op) and arg.op == "ite" and isinstance(arg.args[0], Var)
                and arg.args[0].index in member and arg.args[1] == top
                and isinstance(arg.args[2], Const)):
            return None
        ordinals[arg.args[2].value] = arg.args[0].index
    if set(ordinals.values()) != set(member) or len(ordinals) != len(member):
        return None
    return ordinals


def _relax(guard: Expr, member: Mapping[int, int], memo: _Memo) -> Expr:
    """`guard` relaxed (module doc)."""
    parts = conjuncts(guard)
    linear = [(k, _lowest(p, member, memo)) for k, p in enumerate(parts)]
    found = [(k, used) for k, used in linear if used is not None]
    if len(found) == 1:  # "create in any free slot": the member itself is free
        k, used = found[0]
        parts = parts[:k] + [Op("not", (Var(used),))] + parts[k + 1:]
        return Op("and", tuple(parts)) if len(parts) > 1 else parts[0]
    free = [member[p.args[0].index] for p in parts if isinstance(p, Op) and p.op == "not"
            and isinstance(p.args[0], Var) and p.args[0].index in member]
    have = {member[p.index] for p in parts if isinstance(p, Var) and p.index in member}
    if not (len(free) == 1 and have and have == set(range(free[0]))):
        return guard
    keep = [p for p in parts if not (isinstance(p, Var) and p.index in member)]
    return Op("and", tuple(keep)) if len(keep) > 1 else keep[0]


def invariant(system: TransitionSystem, group: SymmetryGroup,
              forms: Sequence[tuple[int, str]] | None = None) -> bool:  # fmt: skip
    """Whether "a free member's block holds `vacant`" is inductive (module doc).  With
    `forms` (per action its slot and slot form, `templates.SlotForms.action`), an action
    of one slot is checked once per slot form (NOTE(vacancy-templates))."""
    pos = group.first_free
    assert pos is not None
    for state in system.init:
        for b in group.blocks:
            if state[b[pos]] == 0 and tuple(state[v] for v in b) != group.vacant:
                return False
    # An action that updates no variable of a block keeps that block as it was (and V
    # with it): only the blocks an action writes are looked at (linear in the updates).
    # Each block's guards are folded under one assignment, so shared subexpressions (a
    # PDB's count over every slot) are folded once per block (`memos`).
    folder = BlockFold(group)
    memos: dict[int, dict[int, int | None]] = {}
    done: set[str] = set()  # the slot forms checked (NOTE(vacancy-templates))
    for index, a in enumerate(system.actions):
        owner, form = forms[index] if forms is not None else (-1, "")
        if owner >= 0 and form in done:
            continue
        ups = dict(a.updates)
        for i in sorted({folder.owner[v] for v in ups if v in folder.owner}):
            if not _kept(a, ups, group, i, folder, memos.setdefault(i, {})):
                return False
        if owner >= 0:
            done.add(form)
    return True


def _kept(a: Action, ups: Mapping[int, Expr], group: SymmetryGroup, i: int,
          folder: BlockFold, memo: dict[int, int | None]) -> bool:
    """`a` (with updates `ups`) keeps V for member `i`."""
    block, pos, vacant = group.blocks[i], group.first_free, group.vacant
    assert pos is not None
    used = block[pos]
    value = ups.get(used)
    if value is not None and fold(value, {}) == 0:
        return all(v in ups and fold(ups[v], {}) == x
                   for v, x in zip(block, vacant, strict=True) if v != used)  # fmt: skip
    if value is not None and fold(value, {}) != 1:
        return False
    before = dict(zip(block, vacant, strict=True))
    if folder.fold(a.guard, i, before, memo) == 0 or value is not None:
        return True
    return all(v not in ups or folder.fold(ups[v], i, before, memo) == x
               for v, x in zip(block, vacant, strict=True))  # fmt: skip

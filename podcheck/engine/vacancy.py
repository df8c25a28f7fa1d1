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

V is checked inductively: it holds in every initial state, and for every action and
member i: an update `used_i := 0` comes with every block variable assigned its vacant
constant; and if i is free and vacant before (the guard evaluated partially under that
assumption is not false), the action leaves the block vacant or sets `used_i := 1`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from podcheck.ir import Action, Const, Expr, Op, SymmetryGroup, TransitionSystem, Var, evaluate

Partial = Mapping[int, int]


def fold(e: Expr, known: Partial) -> int | None:
    """The value of `e` when the variables in `known` hold those values, or None when it
    depends on others (three-valued: `and`/`or` decide on one known argument)."""
    if isinstance(e, Const):
        return e.value
    if isinstance(e, Var):
        return known.get(e.index)
    vals = [fold(a, known) for a in e.args]
    if e.op == "and":
        return 0 if 0 in vals else (1 if None not in vals else None)
    if e.op == "or":
        return 1 if any(v not in (0, None) for v in vals) else (0 if None not in vals else None)
    if e.op == "ite":
        cond, then, other = vals
        if cond is None:
            return then if then is not None and then == other else None
        return then if cond else other
    if None in vals or (e.op in ("//", "%") and (vals[1] or 0) <= 0):
        return None
    return evaluate(Op(e.op, tuple(Const(v or 0) for v in vals)), ())


def conjuncts(e: Expr) -> list[Expr]:
    """The arguments of nested top-level `and`s (`e` itself when it is no `and`)."""
    if isinstance(e, Op) and e.op == "and":
        return [c for a in e.args for c in conjuncts(a)]
    return [e]


def relaxed(system: TransitionSystem, group: SymmetryGroup) -> tuple[Action, ...]:
    """The actions with NOTE(lowest-free)'s conjuncts dropped: in a guard holding
    `not used_i` for a member i and `used_j` for exactly the members j < i, the `used_j`."""
    member = _members(group)
    return tuple(replace(a, guard=_relax(a.guard, member)) for a in system.actions)


def relaxed_condition(e: Expr, group: SymmetryGroup) -> Expr:
    """A property condition with each top-level disjunct relaxed as a guard is.

    On states where free members are vacant this is the same predicate when the result
    is symmetric (then so is the family of relaxed disjuncts: one that holds for member
    i maps, by the swap of i and the lowest free member l, which fixes the state, onto
    one for l, whose unrelaxed form holds too).  A deadlock-freedom property, the
    disjunction of every action's guard, is such a condition."""
    if not (isinstance(e, Op) and e.op == "or"):
        return e
    member = _members(group)
    return Op("or", tuple(_relax(d, member) for d in _disjuncts(e)))


def _members(group: SymmetryGroup) -> dict[int, int]:
    assert group.first_free is not None
    return {b[group.first_free]: i for i, b in enumerate(group.blocks)}


def _disjuncts(e: Expr) -> list[Expr]:
    if isinstance(e, Op) and e.op == "or":
        return [d for a in e.args for d in _disjuncts(a)]
    return [e]


def _lowest(part: Expr, member: Mapping[int, int]) -> int | None:
    """The "in use" variable of member i when `part` is the linear spelling of "i is the
    lowest free member" (NOTE(linear-lowest-absent) in model/replicaset.py):
    `min(top, ite(used_j, top, ordinal_j) for every member j) == ordinal_i`."""
    if not (isinstance(part, Op) and part.op == "==" and isinstance(part.args[1], Const)):
        return None
    low = part.args[0]
    if not (isinstance(low, Op) and low.op == "min" and isinstance(low.args[0], Const)):
        return None
    top, ordinals = low.args[0].value, {}
    for arg in low.args[1:]:
        if not (isinstance(arg, Op) and arg.op == "ite" and isinstance(arg.args[0], Var)
                and arg.args[0].index in member and arg.args[1] == Const(top)
                and isinstance(arg.args[2], Const)):
            return None
        ordinals[arg.args[2].value] = arg.args[0].index
    if set(ordinals.values()) != set(member) or len(ordinals) != len(member):
        return None
    return ordinals.get(part.args[1].value)


def _relax(guard: Expr, member: Mapping[int, int]) -> Expr:
    parts = conjuncts(guard)
    linear = [(k, _lowest(p, member)) for k, p in enumerate(parts)]
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


def invariant(system: TransitionSystem, group: SymmetryGroup) -> bool:
    """Whether "a free member's block holds `vacant`" is inductive (module doc)."""
    pos = group.first_free
    assert pos is not None
    for state in system.init:
        for b in group.blocks:
            if state[b[pos]] == 0 and tuple(state[v] for v in b) != group.vacant:
                return False
    return all(_kept(a, b, pos, group.vacant) for a in system.actions for b in group.blocks)


def _kept(a: Action, block: Sequence[int], pos: int, vacant: Sequence[int]) -> bool:
    """`a` keeps V for the member with variables `block`."""
    ups = dict(a.updates)
    used = block[pos]
    value = ups.get(used)
    if value is not None and fold(value, {}) == 0:
        return all(v in ups and fold(ups[v], {}) == x
                   for v, x in zip(block, vacant, strict=True) if v != used)  # fmt: skip
    if value is not None and fold(value, {}) != 1:
        return False
    before = dict(zip(block, vacant, strict=True))
    if fold(a.guard, before) == 0 or value is not None:
        return True
    return all(v not in ups or fold(ups[v], before) == x
               for v, x in zip(block, vacant, strict=True))  # fmt: skip

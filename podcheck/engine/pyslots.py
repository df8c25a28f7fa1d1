"""The slot-table expander: one loop per run of pod-slot actions, not one block per pod.

Stage: inside `podcheck.engine`, used by `podcheck.engine.pycompile`'s chunked expander
from `SLOTS_FROM` actions.  Consumes a `TransitionSystem` (with a symmetry group without
references, used only for its blocks of variables); produces a `Plan` (the runs and the
guard parts hoisted once per state) and the Python source of one function per run.

NOTE(slot-table): the model compiler builds every pod slot of a workload from one
template, and lays the actions out in runs: for each kind of action (a container's
restarts, a bind per node, an eviction ...), every slot's actions in slot order.  A
*run* is a stretch of actions `a, a+1, ..., a + n*r - 1` in which action
`a + i*r + t` belongs to the i-th member of the run (it reads and writes no variable of
another member of the group) and is the t-th action of the first member with that
member's variables put in, *exactly*: the *ordered key* of each expression is its
structure with a member's variable written by its position in the block (`s{j}`) and
arguments in their own order (not sorted as in NOTE(slot-templates)), so equal keys mean
equal code up to the renaming of one block, the same operations in the same order.  An
expression reading several members (a PDB's healthy count, "is this the lowest absent
slot") is keyed by its identity: the same object in every member's action; it is
computed once per state before the actions (`g`, as NOTE(chunked-hoists)) when several
guards share it, else rendered inline with its own variables.  The members of a run
have blocks of equal variable ranges (so equal domain checks and key widths).

The generated code for a run is the code of its first member's r actions, with member
variable j read as `s[b[j]]` and shifted by `o[j]` in the packed key, inside a loop
over a table of rows (first action index, block, offsets, twin pairs per action), one
row per member in run order.  So it visits the same actions in the same order, tests
the same guards and domain checks, computes the same successors and keys and skips the
same twins (NOTE(twin-successors)) as the per-action code: the same states, ids,
transitions and verdicts (tests/engine/test_pyslots.py compares both on specs).  The
generated source is that of one member per run plus the actions of no run (the clock's,
the ReplicaSet's create guards, which compare with each slot's own ordinal), so the
CPython compile no longer grows with the pods but for those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.engine import pyloops
from podcheck.engine.copies import copies
from podcheck.engine.pybody import shared_parts
from podcheck.ir import Action, Const, Expr, Op, SymmetryGroup, TransitionSystem, Var

SLOTS_FROM = 4096  # actions from which the slot-table expander is tried
MIN_RUN = 2  # members a run needs to be generated as a loop
_NONE, _MIXED = -1, -3  # owners: of what reads no member / several members
Row = tuple[int, tuple[int, ...], tuple[int, ...], tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Run:
    """Actions `first .. first + len(members) * width - 1`: member `members[i]`'s
    `width` actions from `first + i * width`, keyed alike (NOTE(slot-table))."""

    first: int
    width: int
    members: tuple[int, ...]

    @property
    def stop(self) -> int:
        """One past the run's last action."""
        return self.first + self.width * len(self.members)


@dataclass(frozen=True, slots=True)
class Plan:
    """The runs of one system (in action order), the group whose blocks they use, and
    the guard parts computed once per state (those reading several members)."""

    group: SymmetryGroup
    runs: tuple[Run, ...]
    hoisted: tuple[Op, ...]
    common: frozenset[int]  # ids of the hoisted parts that no single member owns
    mixed: frozenset[int]  # ids of the nodes that read several members
    keys: _Keys
    tables: dict[str, object]  # the loops' tables of blocks, filled when rendering

    def memo(self, entries: dict[int, str], size: int) -> pyloops.LoopMemo:
        """A names memo holding `entries` that renders loops (NOTE(slot-loops))."""
        return pyloops.LoopMemo(entries, self.common, self.keys.loops, self.tables,
                                self.group, size)

    def parts(self, shared: Sequence[Op], roots: Sequence[Expr]) -> list[Op]:
        """The parts of `shared` worth hoisting: those no single member owns, and the
        members' that `roots` read outside a loop."""
        outside = _reachable(roots, self.keys.loops)
        return [p for p in shared if self.keys.expr(p)[0] < 0 or id(p) in outside]

    @property
    def covered(self) -> int:
        """Actions generated as loops."""
        return sum(r.stop - r.first for r in self.runs)


class _Keys:
    """Owners and ordered keys of expressions, memoised per node (NOTE(slot-table))."""

    def __init__(self, group: SymmetryGroup) -> None:
        self.at = {v: (m, j) for m, b in enumerate(group.blocks) for j, v in enumerate(b)}
        self.memo: dict[int, tuple[int, int]] = {}
        self.table: dict[tuple[object, ...], int] = {}
        self.mixed: set[int] = set()
        self.loops: dict[int, tuple[Op, pyloops.Shape]] = {}  # NOTE(slot-loops)

    def expr(self, e: Expr) -> tuple[int, int]:
        """(owner, key) of `e`: owner a member, `_NONE` or `_MIXED`."""
        got = self.memo.get(id(e))
        if got is not None:
            return got
        if isinstance(e, Const):
            got = _NONE, self._cons(("c", e.value))
        elif isinstance(e, Var):
            got = self._var(e.index)
        else:
            got = self._op(e)
        self.memo[id(e)] = got
        return got

    def _var(self, index: int) -> tuple[int, int]:
        at = self.at.get(index)
        return (_NONE, self._cons(("v", index))) if at is None \
            else (at[0], self._cons(("s", at[1])))

    def _op(self, e: Op) -> tuple[int, int]:
        owner, memo = _NONE, self.memo
        keys: list[object] = [e.op]
        for a in e.args:  # a part reading several members reads none for its parent
            got = memo.get(id(a))  # every argument, so that all mixed parts are known
            if got is None:
                got = self.expr(a)
            if got[0] >= 0 and got[0] != owner:
                owner = got[0] if owner == _NONE else _MIXED
            keys.append(got[1])
        if owner == _MIXED:
            self.mixed.add(id(e))
            where = pyloops.shape(e.op, [memo[id(a)] for a in e.args])
            if where is not None:
                self.loops[id(e)] = (e, where)
            return _MIXED, self._cons(("@", id(e)))
        key = tuple(keys)
        got_key = self.table.get(key)
        if got_key is None:
            got_key = self.table[key] = len(self.table)
        return owner, got_key

    def _cons(self, key: tuple[object, ...]) -> int:
        got = self.table.get(key)
        if got is None:
            got = self.table[key] = len(self.table)
        return got

    def action(self, guard: Expr, updates: Sequence[tuple[int, Expr]]) -> tuple[int, int]:
        """(owner, key) of an action: `_MIXED` unless it reads and writes at most one
        member (an expression reading several members counts as reading none)."""
        owners, keys = set(), [self.expr(guard)[1]]
        for target, rhs in updates:
            t_owner, t_key = self._var(target)
            e_owner, e_key = self.expr(rhs)
            owners |= {t_owner, e_owner}
            keys += [t_key, e_key]
        owners.add(self.expr(guard)[0])
        owners = {o if o != _MIXED else _NONE for o in owners} - {_NONE}
        if len(owners) != 1:
            return _MIXED, 0
        return owners.pop(), self._cons(tuple(keys))


def _group(system: TransitionSystem) -> SymmetryGroup | None:
    """The group without references with the most members (the pod slots)."""
    groups = [g for g in system.symmetry if not g.references and len(g.blocks) >= MIN_RUN]
    return max(groups, key=lambda g: len(g.blocks), default=None)


def plan(system: TransitionSystem) -> Plan | None:
    """The runs of `system` (NOTE(slot-table)), or None when it has no group to take
    blocks from or no run of `MIN_RUN` members."""
    group = _group(system)
    if group is None:
        return None
    keys = _Keys(group)
    of = copies(system, group).of  # NOTE(slot-copies): a copy's key is its template's
    owned: list[tuple[int, int]] = []
    for index, action in enumerate(system.actions):
        got = of.get(index)
        if got is None:
            owned.append(keys.action(action.guard, action.updates))
        else:
            owner, key = owned[got[0]]
            owned.append((got[1], key) if owner >= 0 else (owner, key))
    for p in system.properties:
        for e in (p.condition, p.target):
            if e is not None:
                keys.expr(e)
    runs, a = [], 0
    while a < len(owned):
        run = _run_at(system, group, owned, a)
        if run is None:
            a += 1
        else:
            runs.append(run)
            a = run.stop
    if not runs:
        return None
    shared = shared_parts([a.guard for a in system.actions])
    common = frozenset(id(p) for p in shared if keys.expr(p)[0] < 0)
    made = Plan(group, tuple(runs), (), common, frozenset(keys.mixed), keys, {})
    hoisted = made.parts(shared, [a.guard for a in _outside(system.actions, runs)])
    return Plan(group, tuple(runs), tuple(hoisted), common, made.mixed, keys, {})


def _outside(actions: Sequence[Action], runs: Sequence[Run]) -> list[Action]:
    """The actions in no run."""
    inside = {a for r in runs for a in range(r.first, r.stop)}
    return [a for i, a in enumerate(actions) if i not in inside]


def _reachable(exprs: Sequence[Expr], loops: Mapping[int, object]) -> set[int]:
    """Ids of the operator nodes of `exprs` outside the nodes `loops`."""
    seen: set[int] = set()
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if isinstance(e, Op) and id(e) not in seen and id(e) not in loops:
            seen.add(id(e))
            stack.extend(e.args)
    return seen


def _run_at(system: TransitionSystem, group: SymmetryGroup,
            owned: Sequence[tuple[int, int]], a: int) -> Run | None:  # fmt: skip
    """The longest run starting at action `a`, if of `MIN_RUN` members."""
    width, members = pyloops.repeated(owned, a, lambda first, m: _same_ranges(
        system, group.blocks[first], group.blocks[m]))
    return Run(a, width, tuple(members)) if len(members) >= MIN_RUN else None


def _same_ranges(system: TransitionSystem, left: Sequence[int], right: Sequence[int]) -> bool:
    vs = system.vars
    return all((vs[u].lo, vs[u].hi) == (vs[w].lo, vs[w].hi)
               for u, w in zip(left, right, strict=True))


def segments(size: int, slots: Plan | None, chunk: int
             ) -> list[tuple[int, int, Run | None]]:  # fmt: skip
    """The expander's functions in action order: `chunk` actions, or one run each."""
    out: list[tuple[int, int, Run | None]] = []
    at = 0
    for run in [*(slots.runs if slots else ()), None]:
        stop = size if run is None else run.first
        out += [(a, min(a + chunk, stop), None) for a in range(at, stop, chunk)]
        if run is not None:
            out.append((run.first, run.stop, run))
            at = run.stop
    return out


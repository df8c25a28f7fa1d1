"""Symmetry reduction: verify the declared symmetry groups, canonicalise states.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` with `symmetry` groups;
produces a `Symmetry` (the verified groups, `canon(state)`) and a `SymmetryUse` value
saying which groups a run used and which it dropped, and why (renderers word it).

NOTE(symmetry-verified): a group is a claim of the producer; it is used only after
checking that the two generators of its permutation group (the swap of members 0 and 1
and the cycle of all members) map every action, `terminal` and every safety property
onto the system itself, syntactically: expressions are compared in a normal form where
variables are renamed by the permutation, member numbers held by `references` are
renamed where a reference is compared for (in)equality or assigned, and the arguments
of commutative operators are sorted.  Anything else done with a reference (ordering,
arithmetic) or any action/property that is not mapped onto the system drops the group
(`Broken`).  The initial states need not be symmetric: the reachable states of a
symmetric system from `init` are closed under nothing, but their orbits are exactly the
orbits reachable from the orbits of `init`, which is what the reduced search explores.

The canonical representative of a state is the least state of its orbit in the order
"blocks of groups with references first, then the rest": groups without references are
sorted block-wise; for groups with references, only the permutations that sort their
blocks can give the least form, so the search tries the permutations within each class
of equal blocks and keeps the least result.
"""

from __future__ import annotations

import enum
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from podcheck.engine import templates as slot_templates
from podcheck.engine import vacancy
from podcheck.engine.copies import Copies, copies
from podcheck.engine.gcpause import pausing
from podcheck.engine.normal import Normal, Renaming, Unsupported, pair, renaming
from podcheck.ir import (
    Action,
    Expectation,
    Expr,
    State,
    SymmetryGroup,
    TransitionSystem,
    apply,
)

_SAFETY = (Expectation.ALWAYS, Expectation.SOMETIMES)
_LIVENESS = (Expectation.EVENTUALLY, Expectation.ALWAYS_EVENTUALLY, Expectation.LEADS_TO)
MAX_TIES = 5040  # permutations of equal blocks tried per state at most (7!)


class Cause(enum.StrEnum):
    """Why a declared group was not used."""

    ACTION = "action"  # an action is not mapped onto an action of the system
    PROPERTY = "property"  # a property names one member
    TERMINAL = "terminal"  # the terminal condition names one member
    REFERENCE = "reference"  # a member number is ordered or computed with
    DOMAIN = "domain"  # corresponding variables have different ranges
    TOO_MANY = "too many"  # too many interchangeable members with references
    VACANCY = "vacancy"  # a free member's variables need not hold the declared vacant values
    LOWEST_FREE = "lowest free"  # filled lowest-free-first: exact for safety, not liveness


class Off(enum.StrEnum):
    """Why a run used no symmetry at all."""

    DISABLED = "disabled"  # --no-symmetry
    LIVENESS = "liveness"  # the run keeps the concrete graph (podcheck graph, fallbacks)
    ENCODING = "encoding"  # the vector engine cannot canonicalise these groups
    WORKERS = "workers"  # --workers > 1: the partitioned engine stores concrete states


@dataclass(frozen=True, slots=True)
class Broken:
    """A declared group that was dropped: `cause`, and the action/property `name`."""

    group: str
    cause: Cause
    name: str = ""


@dataclass(frozen=True, slots=True)
class SymmetryUse:
    """What a run did with the declared symmetry: the groups used (name, members), the
    groups dropped, or why symmetry was off."""

    used: tuple[tuple[str, int], ...] = ()
    broken: tuple[Broken, ...] = ()
    off: Off | None = None


def _generators(k: int) -> list[list[int]]:
    swap = [1, 0, *range(2, k)]
    cycle = [*range(1, k), 0]
    return [swap] if k == 2 else [swap, cycle]


def _domain_ok(system: TransitionSystem, group: SymmetryGroup) -> bool:
    first = group.blocks[0]
    same = all((system.vars[a].lo, system.vars[a].hi) == (system.vars[b].lo, system.vars[b].hi)
               for block in group.blocks for a, b in zip(first, block, strict=True))
    top = group.base + len(group.blocks) - 1
    return same and all(system.vars[r].lo <= group.base and top <= system.vars[r].hi
                        for r in group.references)


def verify(
    system: TransitionSystem, group: SymmetryGroup, *, liveness: bool = False,
    record: dict[str, tuple[list[int], ...]] | None = None, templates: bool = True,
    walkers: dict[str, slot_templates.SlotForms] | None = None,
    relaxed: dict[str, tuple[Action, ...]] | None = None,
) -> Broken | None:
    """None when `group` maps the system onto itself (NOTE(symmetry-verified)), else why
    not.  A group filled lowest-free-first is verified on the relaxed actions when the
    vacancy invariant holds (NOTE(lowest-free) in `engine/vacancy.py`), and refused when
    `liveness` (then the liveness properties must be symmetric too).  `record`, if given,
    receives the generators' action maps of a verified group (see `images`).  With
    `templates`, the check is made once per slot template when the IR is of that shape
    (NOTE(slot-templates) and NOTE(commuting-groups) in `engine/templates.py`: same
    answer, same maps), else per pod; `walkers` shares the template walks between groups;
    `relaxed`, if given, receives a lowest-free group's relaxed actions."""
    if len(group.blocks) < 2 or not _domain_ok(system, group):
        return None if len(group.blocks) < 2 else Broken(group.name, Cause.DOMAIN)
    actions = system.actions
    kinds = (*_SAFETY, *_LIVENESS) if liveness else _SAFETY
    conds = [(p.name, e) for p in system.properties if p.expectation in kinds
             for e in (p.condition, p.target) if e is not None]
    walkers = {} if walkers is None else walkers
    if group.first_free is not None:
        forms = _forms(system, group, walkers) if templates else None
        if not vacancy.invariant(system, group, forms):
            return Broken(group.name, Cause.VACANCY)
        actions = vacancy.relaxed(system, group)
        if relaxed is not None:
            relaxed[group.name] = actions
        conds = [(n, vacancy.relaxed_condition(e, group)) for n, e in conds]
    maps = _by_template(system, group, actions, [e for _, e in conds],
                        walkers) if templates else None
    if maps is not None:
        if record is not None:
            record[group.name] = maps
        broken = None
    else:
        broken = _symmetric(group, actions, system.terminal, conds, record)
    if broken is None and liveness and group.first_free is not None:
        return Broken(group.name, Cause.LOWEST_FREE)
    return broken


def _forms(system: TransitionSystem, group: SymmetryGroup,
           walkers: dict[str, slot_templates.SlotForms]) -> list[tuple[int, str]] | None:
    """Per action of `system`, its slot and slot form (for `vacancy.invariant`)."""
    if group.references:
        return None
    walker = walkers.setdefault(group.name, slot_templates.SlotForms(group))
    return walker.owned(system.actions, copies(system, group))


def _copied(system: TransitionSystem, group: SymmetryGroup,
            actions: Sequence[Action]) -> Copies:  # fmt: skip
    """The copies among `actions`, the system's or its relaxed ones (NOTE(slot-copies))."""
    found = copies(system, group)
    return found if actions is system.actions else found.within(system.actions, actions)


def _by_template(system: TransitionSystem, group: SymmetryGroup, actions: Sequence[Action],
                 conds: Sequence[Expr], walkers: dict[str, slot_templates.SlotForms],
                 ) -> tuple[list[int], ...] | None:  # fmt: skip
    """The generators' action maps when the group is verified per slot template, its
    own (NOTE(slot-templates)) or another group's (NOTE(commuting-groups)); else None."""
    gens = _generators(len(group.blocks))

    def walker(g: SymmetryGroup) -> slot_templates.SlotForms:
        if g.name not in walkers:
            walkers[g.name] = slot_templates.SlotForms(g)
        return walkers[g.name]

    if not group.references:
        maps = slot_templates.generator_maps(walker(group), actions, system.terminal,
                                             conds, gens, _copied(system, group, actions))
        if maps is not None:
            return maps
    for g in system.symmetry:
        copied = _copied(system, g, actions) if not g.references else None
        maps = slot_templates.commuting_maps(group, walker(g), actions, system.terminal,
                                             conds, gens, copied)
        if maps is not None:
            return maps
    return None


def _symmetric(group: SymmetryGroup, actions: Sequence[Action], terminal: Expr,
               conds: Sequence[tuple[str, Expr]],
               record: dict[str, tuple[list[int], ...]] | None,
               ) -> Broken | None:  # fmt: skip
    """The per-pod check (`_maps_onto`), with a bare reference read as `REFERENCE`."""
    try:
        return _maps_onto(group, actions, terminal, conds, record)
    except Unsupported:
        return Broken(group.name, Cause.REFERENCE)


def _maps_onto(group: SymmetryGroup, actions: Sequence[Action], terminal: Expr,
               conds: Sequence[tuple[str, Expr]],
               record: dict[str, tuple[list[int], ...]] | None = None,
               ) -> Broken | None:  # fmt: skip
    refs = frozenset(group.references)
    ident = Normal(Renaming({}, refs, {}))
    forms = [ident.action(a) for a in actions]
    base = Counter(forms)
    maps = []
    for perm in _generators(len(group.blocks)):
        moved = Normal(renaming(group, perm, refs), ident.table)
        image = [moved.action(a) for a in actions]
        if Counter(image) != base:
            return Broken(group.name, Cause.ACTION, _first_unmapped(actions, ident, moved))
        if moved.expr(terminal) != ident.expr(terminal):
            return Broken(group.name, Cause.TERMINAL)
        for name, cond in conds:
            if moved.expr(cond) != ident.expr(cond):
                return Broken(group.name, Cause.PROPERTY, name)
        maps.append(pair(forms, image))
    if record is not None:
        record[group.name] = tuple(maps)
    return None


def images(group: SymmetryGroup, actions: Sequence[Action], perm: Sequence[int]) -> list[int]:
    """Per action, the index of an action equal in normal form to its image under the
    permutation `perm` of `group` (member `i` goes to `perm[i]`): a bijection of a verified
    group's actions (actions with equal normal forms are interchangeable and are paired in
    order).  Only for verified groups (an image missing from `actions` raises)."""
    refs = frozenset(group.references)
    ident = Normal(Renaming({}, refs, {}))
    moved = Normal(renaming(group, perm, refs), ident.table)
    return pair([ident.action(a) for a in actions], [moved.action(a) for a in actions])


def _first_unmapped(actions: Sequence[Action], ident: Normal, moved: Normal) -> str:
    forms = Counter(ident.action(a) for a in actions)
    for a in actions:
        form = moved.action(a)
        if forms[form] == 0:
            return a.label or a.name
        forms[form] -= 1
    return ""


class Symmetry:
    """The verified groups of a system and the canonical form of its states."""

    def __init__(self, groups: Sequence[SymmetryGroup],
                 maps: Mapping[str, tuple[list[int], ...]] | None = None,
                 relaxed: Mapping[str, tuple[Action, ...]] | None = None) -> None:
        self.groups = tuple(groups)
        self.maps = dict(maps or {})  # group name -> its generators' action maps
        self.relaxed = dict(relaxed or {})  # group name -> its relaxed actions (vacancy)
        self.sorted = [g.blocks for g in groups if not g.references]
        self.renamed = [g for g in groups if g.references]
        self.refs = [(r, g.base, len(g.blocks)) for g in self.renamed for r in g.references]

    def __getstate__(self) -> dict[str, object]:
        """Pickled without the relaxed actions (a cache for `twins`, as big as the
        system): a worker recomputes them if it needs them."""
        state = dict(self.__dict__)
        state["relaxed"] = {}
        return state

    def canon(self, state: State) -> State:
        """The least state of the orbit of `state` (see the module doc)."""
        if not self.renamed:
            out = list(state)
            self._sort(out)
            return tuple(out)
        best: list[int] | None = None
        for orders in self._orders(state):
            out = self._rename(state, orders)
            self._sort(out)
            if best is None or out < best:
                best = out
        assert best is not None
        return tuple(best)

    def _sort(self, out: list[int]) -> None:
        for blocks in self.sorted:
            vals = sorted([out[i] for i in b] for b in blocks)
            for b, v in zip(blocks, vals, strict=True):
                for i, x in zip(b, v, strict=True):
                    out[i] = x

    def _orders(self, state: State) -> Iterator[tuple[list[int], ...]]:
        """Per group with references, each order of its members that sorts its blocks."""
        choices = []
        for g in self.renamed:
            key = [tuple(state[i] for i in b) for b in g.blocks]
            ranked = sorted(range(len(key)), key=key.__getitem__)
            ties = [list(grp) for _, grp in itertools.groupby(ranked, key=key.__getitem__)]
            choices.append([list(itertools.chain(*p)) for p in
                            itertools.product(*(itertools.permutations(t) for t in ties))])
        return itertools.product(*choices)

    def _rename(self, state: State, orders: tuple[list[int], ...]) -> list[int]:
        out = list(state)
        for g, order in zip(self.renamed, orders, strict=True):
            new = {g.base + old: g.base + j for j, old in enumerate(order)}
            for j, old in enumerate(order):
                for dst, src in zip(g.blocks[j], g.blocks[old], strict=True):
                    out[dst] = state[src]
            for r in g.references:
                out[r] = new.get(state[r], state[r])
        return out


def _ties(system: TransitionSystem, group: SymmetryGroup) -> bool:
    """Too many members with references to enumerate their equal blocks per state (the
    factorial is taken only as far as `MAX_TIES`: k! of 10 000 members is 35 660 digits,
    and its product quadratic in k)."""
    k, fact = len(group.blocks), 1
    for i in range(2, k + 1):
        fact *= i
        if fact > MAX_TIES:
            break
    return bool(group.references) and fact > MAX_TIES


@pausing
def prepare(
    system: TransitionSystem, *, liveness: bool = False, templates: bool = True,
) -> tuple[Symmetry | None, SymmetryUse]:
    """The verified groups of `system` (None when none holds) and what was dropped
    (`liveness`: groups valid for liveness properties too; `templates`: per-template
    checks where the IR allows, see `verify`)."""
    used, broken = [], []
    maps: dict[str, tuple[list[int], ...]] = {}
    walkers: dict[str, slot_templates.SlotForms] = {}
    relaxed: dict[str, tuple[Action, ...]] = {}
    for g in system.symmetry:
        why = (Broken(g.name, Cause.TOO_MANY) if _ties(system, g)
               else verify(system, g, liveness=liveness, record=maps, templates=templates,
                          walkers=walkers, relaxed=relaxed))
        if why is None:
            used.append(g)
        else:
            broken.append(why)
    use = SymmetryUse(tuple((g.name, len(g.blocks)) for g in used), tuple(broken))
    return (Symmetry(used, maps, relaxed) if used else None), use


def concretise(
    system: TransitionSystem, canon: Callable[[State], State], start: State,
    actions: Sequence[int], successors: Callable[[State], Iterable[tuple[int, State]]],
) -> list[tuple[int, State]]:  # fmt: skip
    """A concrete run from `start` along a path of the reduced system.

    The path is the canonical form of `start` followed by the recorded `actions`, each
    applied to the previous canonical state and canonicalised.  Each concrete step is the
    first concrete successor (in action order) whose canonical form is the path's next
    state; one exists because the system is symmetric.  Returns (action, state) steps.
    """
    path: list[State] = []
    here = canon(start)
    for a in actions:
        here = canon(apply(system, system.actions[a], here))
        path.append(here)
    steps: list[tuple[int, State]] = []
    state = start
    for target in path:
        a, state = next((b, t) for b, t in successors(state) if canon(t) == target)
        steps.append((a, state))
    return steps

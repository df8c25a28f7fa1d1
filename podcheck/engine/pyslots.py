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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from podcheck.engine import pyloops
from podcheck.engine.pybody import PreState, facts_of, shared_parts
from podcheck.engine.pyexpr import bounds, cond_source, value_source
from podcheck.engine.pyhoist import list_reads
from podcheck.ir import Action, Const, Expr, Op, SymmetryGroup, TransitionSystem, Var

SLOTS_FROM = 4096  # actions from which the slot-table expander is tried
MIN_RUN = 2  # members a run needs to be generated as a loop
_NONE, _MIXED = -1, -3  # owners: of what reads no member / several members
_VAR = re.compile(r"\bv(\d+)\b")
_SLOT = re.compile(r"\bw(\d+)\b")
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
        owner, keys = _NONE, list[object]([e.op])
        memo, parts = self.memo, []
        for a in e.args:  # a part reading several members reads none for its parent
            got = memo.get(id(a)) or self.expr(a)  # every argument: all mixed parts known
            if got[0] >= 0 and owner != _MIXED:
                owner = got[0] if owner in (_NONE, got[0]) else _MIXED
            keys.append(got[1])
            parts.append(got)
        if owner == _MIXED:
            self.mixed.add(id(e))
            where = pyloops.shape(e.op, parts)
            if where is not None:
                self.loops[id(e)] = (e, where)
            return _MIXED, self._cons(("@", id(e)))
        return owner, self._cons(tuple(keys))

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
    owned = [keys.action(a.guard, a.updates) for a in system.actions]
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


def hoist(system: TransitionSystem, plan_: Plan, parts: Sequence[Expr], prefix: str
          ) -> tuple[list[str], PreState]:  # fmt: skip
    """`pycompile._hoist` of `parts` with loops (NOTE(slot-loops)): the lines computing
    them once per state into `{prefix}{k}`, and the names that read them."""
    names = PreState(len(system.vars), {})
    names.memo = plan_.memo({}, len(system.vars))
    lines = []
    for k, shared in enumerate(parts):
        lines.append(f"        {prefix}{k} = {value_source(shared, names)}")
        names.memo[id(shared)] = f"{prefix}{k}"
    return lines, names


def _run_at(system: TransitionSystem, group: SymmetryGroup,
            owned: Sequence[tuple[int, int]], a: int) -> Run | None:  # fmt: skip
    """The longest run starting at action `a`, if of `MIN_RUN` members."""
    first = owned[a][0]
    if first < 0:
        return None
    width = 1
    while a + width < len(owned) and owned[a + width][0] == first:
        width += 1
    template = [k for _, k in owned[a:a + width]]
    members, at, seen = [first], a + width, {first}
    while at + width <= len(owned):
        m = owned[at][0]
        if m < 0 or m in seen or any(owned[at + t] != (m, template[t]) for t in range(width)):
            break
        if not _same_ranges(system, group.blocks[first], group.blocks[m]):
            break
        if at + width < len(owned) and owned[at + width][0] == m:
            break  # member m has more actions here than the template
        members.append(m)
        seen.add(m)
        at += width
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


class _Names(PreState):
    """Pre-state sources in a run's loop: position j of the member's block is `w{j}`
    (or the constant the guard fixes), other variables `v{i}`; nodes reading several
    members are rendered (or hoisted) with their own variables (`memo`)."""

    def __init__(self, size: int, facts: dict[int, int], at: dict[int, int],
                 memo: dict[int, str]) -> None:  # fmt: skip
        super().__init__(size, facts)
        self.at, self.memo = at, memo

    def __getitem__(self, i: int) -> str:  # type: ignore[override]
        if i in self.facts:
            return super().__getitem__(i)
        return f"w{self.at[i]}" if i in self.at else f"v{i}"


def mixed_sources(system: TransitionSystem, plan_: Plan, exprs: Sequence[Expr],
                  hoisted: dict[int, str]) -> dict[int, str]:  # fmt: skip
    """Per node reading several members met in `exprs` (outermost only), its source:
    the hoisted local, or its own rendering with plain variable names."""
    plain = PreState(len(system.vars), {})
    plain.memo = plan_.memo(dict(hoisted), len(system.vars))
    out: dict[int, str] = {}
    stack = list(exprs)
    while stack:
        e = stack.pop()
        if not isinstance(e, Op) or id(e) in out:
            continue
        if id(e) in plan_.mixed:
            out[id(e)] = hoisted.get(id(e)) or value_source(e, plain)
        else:
            stack.extend(e.args)
    return out


def run_source(system: TransitionSystem, plan_: Plan, run: Run, number: int,
               hoisted: dict[int, str], edges: bool, offsets: Sequence[int],
               ) -> str:  # fmt: skip
    """The function `run{number}` looping over the table `T{number}` (NOTE(slot-table))."""
    block = plan_.group.blocks[run.members[0]]
    at = {v: j for j, v in enumerate(block)}
    guards = [system.actions[run.first + t].guard for t in range(run.width)]
    common = {i: name for i, name in hoisted.items() if i in plan_.common}
    names = _Names(len(system.vars), {}, at,
                   {**mixed_sources(system, plan_, guards, hoisted), **common})
    lines: list[str] = []
    for k, part in enumerate(shared_parts(guards)):  # the member's, once per member
        if id(part) not in names.memo and id(part) not in plan_.mixed:
            lines.append(f"            q{k} = {value_source(part, names)}")
            names.memo[id(part)] = f"q{k}"
    bmemo: dict[int, tuple[int, int] | None] = {}
    for t in range(run.width):
        lines += _action(system, plan_, (run.first + t, t), at, (hoisted, names.memo),
                         edges, (bmemo, offsets))
    used = sorted({int(m) for line in lines for m in _SLOT.findall(line)})
    head = f"def run{number}(s, x, link, g, out):" if edges \
        else f"def run{number}(s, x, link, g):"
    return "\n".join([head, *_reads(lines), *list_reads(lines, "g"),
                      *([] if edges else ["        k = 0"]),
                      f"        for a, b, o, tw in T{number}:",
                      *(f"            w{j} = s[b[{j}]]" for j in used), *lines,
                      "        return None" if edges else "        return k"])


def _reads(lines: Sequence[str]) -> list[str]:
    """`vN = s[N]` for every variable the generated `lines` read by name."""
    used = sorted({int(m) for line in lines for m in _VAR.findall(line)})
    return [f"        v{i} = s[{i}]" for i in used]


def _action(system: TransitionSystem, plan_: Plan, which: tuple[int, int],
            at: dict[int, int], hoisted: tuple[dict[int, str], dict[int, str]], edges: bool,
            memos: tuple[dict[int, tuple[int, int] | None], Sequence[int]],
            ) -> list[str]:  # fmt: skip
    """The loop body's lines for the run's t-th action (of its first member, `index`);
    `hoisted`: the sources of the parts computed once per state and once per member;
    `memos`: the `bounds` memo and the packed-key offsets."""
    (index, t), (bmemo, offsets) = which, memos
    action = system.actions[index]
    exprs = [action.guard, *(e for _, e in action.updates)]
    memo = {**mixed_sources(system, plan_, exprs, hoisted[0]), **hoisted[1]}
    guard = _Names(len(system.vars), {}, at, memo)
    old = _Names(len(system.vars), facts_of(action.guard), at, dict(memo))
    ind, inner = " " * 16, " " * 20
    lines = [f"            if {cond_source(action.guard, guard)}:"]
    lines += [] if edges else [f"{ind}k += 1"]
    for k, part in enumerate(shared_parts([e for _, e in action.updates])):
        if id(part) not in old.memo:
            lines.append(f"{ind}h{k} = {value_source(part, old)}")
            old.memo[id(part)] = f"h{k}"
    new, index_of, delta = {}, {}, []
    for target, rhs in action.updates:
        var = system.vars[target]
        name, where = (f"n_{at[target]}", f"b[{at[target]}]") if target in at \
            else (f"n{target}", str(target))
        index_of[target] = where
        if isinstance(rhs, Const) and var.lo <= rhs.value <= var.hi:
            new[target] = value_source(rhs, old)
        else:
            new[target] = name
            lines.append(f"{ind}{name} = {value_source(rhs, old)}")
            lines += _domain_check(system, target, rhs, name, t, where, ind, bmemo)
        shift = f"o[{at[target]}]" if target in at else str(offsets[target])
        delta.append(f"(({new[target]} - {old[target]}) << {shift})")
    lines.append(f"{ind}y = x + {' + '.join(delta) or '0'}")
    successor = [f"{inner}u = list(s)",
                 *(f"{inner}u[{index_of[v]}] = {new[v]}" for v, _ in action.updates),
                 f"{inner}push_state(tuple(u))"]
    if edges:
        return [*lines, f"{ind}e = seen.get(y)", f"{ind}if e is None:",
                f"{inner}e = seen[y] = len(seen)", *successor, f"{inner}push_key(y)",
                f"{inner}push_link(link + a + {t})", f"{ind}out.append((a + {t}, e))"]
    return [*lines, f"{ind}if not (tw[{t}] and twin(s, tw[{t}])) and y not in seen:",
            f"{inner}add(y)", *successor, f"{inner}push_key(y)",
            f"{inner}push_link(link + a + {t})"]


def _domain_check(system: TransitionSystem, target: int, rhs: Expr, name: str, t: int,
                  where: str, ind: str,
                  bmemo: dict[int, tuple[int, int] | None]) -> list[str]:  # fmt: skip
    var = system.vars[target]
    known = bounds(rhs, system, bmemo)
    tests = []
    if known is None or known[0] < var.lo:
        tests.append(f"{name} < {var.lo}")
    if known is None or known[1] > var.hi:
        tests.append(f"{name} > {var.hi}")
    return [f"{ind}if {' or '.join(tests)}: fail(a + {t}, {where}, {name})"] if tests else []


def table(plan_: Plan, run: Run, offsets: Sequence[int],
          skip: Mapping[int, Sequence[object]] | None) -> tuple[Row, ...]:  # fmt: skip
    """The rows of `run`'s loop: per member, its first action, block, the packed-key
    offsets (`offsets`: per variable) of its block and, per action, its twin pairs
    (NOTE(twin-successors))."""
    rows = []
    for i, m in enumerate(run.members):
        block = plan_.group.blocks[m]
        first = run.first + i * run.width
        twins = tuple(tuple(skip.get(first + t, ())) if skip else ()
                      for t in range(run.width))
        rows.append((first, tuple(block), tuple(offsets[v] for v in block), twins))
    return tuple(rows)


def twin(s: Sequence[int], pairs: Sequence[tuple[Sequence[int], Sequence[int]]]) -> bool:
    """Some pair of blocks holds equal values in `s` (the per-action code's test)."""
    return any(all(s[u] == s[w] for u, w in zip(left, right, strict=True))
               for left, right in pairs)

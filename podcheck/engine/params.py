"""One transition system for every point of a spec's symbolic parameters.

Stage: `podcheck.engine`.  Consumes the parameters (`spec.Param`) and one compiled
`ir.TransitionSystem` per point; produces one `TransitionSystem` in which each parameter
is a frozen state variable (no action assigns it) whose initial value is any value of
its range.  BFS explores it, so every point is checked explicitly; the symbolic engines
read the parameter as one more Z3 integer, constrained only by init and never changed.

NOTE(param-merge): the model's layout depends on the values (a failure counter's domain
on failureThreshold, the pod slots on replicas), so the points are compiled one by one
and merged here: variables are matched by name (their domains joined; a variable a
point lacks stays at a constant value there), and an action, property condition or
terminal condition that is the same at several points is kept once, guarded by "the
parameters are at one of these points".  A point's reachable states are exactly those of
its own system extended by the parameter values, which the merge tests check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from podcheck import ir
from podcheck.diagnostics import Diagnostic, StageResult
from podcheck.ir import Action, Expr, Property, StateVar, TransitionSystem
from podcheck.spec import CheckedSpec
from podcheck.spec.params import Param

PARAM_OWNER = "parameters"

Point = tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Parametric:
    """A merged system and where its parameters are (`param_vars[i]` holds `params[i]`)."""

    system: TransitionSystem
    params: tuple[Param, ...]
    param_vars: tuple[int, ...]

    def point_of(self, state: ir.State) -> Point:
        """The parameter values of a state of `system`."""
        return tuple(state[i] for i in self.param_vars)


class _Interner:
    """Hash-consing: structurally equal expressions become one object, so that identity
    compares them (hashing a shared DAG structurally would walk it as a tree)."""

    def __init__(self) -> None:
        self.table: dict[tuple[object, ...], Expr] = {}

    def get(self, key: tuple[object, ...], make: Expr) -> Expr:
        """The interned expression for `key` (`make` the first time)."""
        return self.table.setdefault(key, make)


class _Remap:
    """Rewrites one point's expressions into the merged layout (interned, memoised by
    identity)."""

    def __init__(self, index: Sequence[int], interner: _Interner) -> None:
        self.index = index
        self.interner = interner
        self.memo: dict[int, Expr] = {}

    def __call__(self, e: Expr) -> Expr:
        got = self.memo.get(id(e))
        if got is not None:
            return got
        if isinstance(e, ir.Const):
            out = self.interner.get(("c", e.value), e)
        elif isinstance(e, ir.Var):
            i = self.index[e.index]
            out = self.interner.get(("v", i), ir.Var(i))
        else:
            args = tuple(self(a) for a in e.args)
            out = self.interner.get((e.op, *map(id, args)), ir.Op(e.op, args))
        self.memo[id(e)] = out
        return out


def _layout(systems: Sequence[TransitionSystem]) -> tuple[list[StateVar], dict[str, int]]:
    where: dict[str, int] = {}
    joined: list[StateVar] = []
    for system in systems:
        for v in system.vars:
            if v.name not in where:
                where[v.name] = len(joined)
                joined.append(v)
                continue
            old = joined[where[v.name]]
            lo, hi = min(old.lo, v.lo), max(old.hi, v.hi)
            same = old.labels == v.labels and (old.lo, old.hi) == (v.lo, v.hi)
            labels = old.labels if same else ()
            joined[where[v.name]] = StateVar(old.name, lo, hi, labels, old.owner, old.field)
    return joined, where


def _absent_value(v: StateVar) -> int:
    return 0 if v.lo <= 0 <= v.hi else v.lo


def at_points(param_vars: Sequence[int], points: Sequence[Point], every: int) -> Expr:
    """The condition "the parameters are at one of `points`" (TRUE when that is all
    `every` points; a run of consecutive values of a single parameter is one interval)."""
    if len(points) == every:
        return ir.TRUE
    if len(param_vars) == 1:
        var, values = ir.Var(param_vars[0]), sorted(p[0] for p in points)
        runs: list[list[int]] = []
        for v in values:
            if runs and runs[-1][1] == v - 1:
                runs[-1][1] = v
            else:
                runs.append([v, v])
        return ir.or_(*(ir.eq(var, lo) if lo == hi else
                        ir.and_(ir.op(">=", var, lo), ir.op("<=", var, hi))
                        for lo, hi in runs))  # fmt: skip
    return ir.or_(*(ir.and_(*(ir.eq(ir.Var(i), v) for i, v in zip(param_vars, p, strict=True)))
                    for p in points))  # fmt: skip


def _by_point(exprs: Sequence[Expr], points: Sequence[Point], param_vars: Sequence[int]) -> Expr:
    """One expression equal to `exprs[k]` at `points[k]` (shared ones kept once)."""
    groups: dict[int, tuple[Expr, list[Point]]] = {}
    for e, p in zip(exprs, points, strict=True):
        groups.setdefault(id(e), (e, []))[1].append(p)
    if len(groups) == 1:
        return exprs[0]
    items = list(groups.values())
    out = items[-1][0]
    for e, ps in reversed(items[:-1]):
        out = ir.ite(at_points(param_vars, ps, len(points)), e, out)
    return out


def merge_points(
    params: Sequence[Param], points: Sequence[Point], systems: Sequence[TransitionSystem],
) -> Parametric:  # fmt: skip
    """The merged system of NOTE(param-merge); `systems[k]` is compiled at `points[k]`,
    and every point has the same properties in the same order."""
    assert systems and len(points) == len(systems)
    joined, where = _layout(systems)
    param_vars = tuple(range(len(joined), len(joined) + len(params)))
    joined += [StateVar(p.name, p.lo, p.hi, owner=PARAM_OWNER, field=p.field,
                        labels=tuple(p.shown(v) for v in p.values) if p.unit else ())
               for p in params]  # fmt: skip
    interner = _Interner()
    remaps = [_Remap([where[v.name] for v in s.vars], interner) for s in systems]
    init: list[ir.State] = []
    for point, system, remap in zip(points, systems, remaps, strict=True):
        base = [_absent_value(v) for v in joined[: len(where)]] + list(point)
        for s in system.init:
            state = list(base)
            for i, value in enumerate(s):
                state[remap.index[i]] = value
            init.append(tuple(state))
    names = [p.name for p in systems[0].properties]
    assert all([p.name for p in s.properties] == names for s in systems), names
    system = TransitionSystem(
        name=systems[0].name, vars=tuple(joined), init=tuple(dict.fromkeys(init)),
        actions=_actions(systems, remaps, points, param_vars),
        properties=tuple(_property(k, systems, remaps, points, param_vars)
                         for k in range(len(names))),
        terminal=_by_point([r(s.terminal) for s, r in zip(systems, remaps, strict=True)],
                           points, param_vars),
        source=systems[0].source,
        derived=_derived(systems, remaps, points, param_vars),
    )  # fmt: skip
    return Parametric(system, tuple(params), param_vars)


def _actions(systems: Sequence[TransitionSystem], remaps: Sequence[_Remap],
             points: Sequence[Point], param_vars: Sequence[int]) -> tuple[Action, ...]:
    groups: dict[tuple[object, ...], tuple[Action, list[Point]]] = {}
    for system, remap, point in zip(systems, remaps, points, strict=True):
        for a in system.actions:
            guard = remap(a.guard)
            updates = tuple((remap.index[i], remap(e)) for i, e in a.updates)
            key = (a.name, a.params, a.label, a.actor, a.fairness, id(guard),
                   tuple((i, id(e)) for i, e in updates))
            if key not in groups:
                groups[key] = (Action(a.name, a.params, guard, updates, a.label, a.actor,
                                      a.fairness, a.span), [])
            groups[key][1].append(point)
    return tuple(
        Action(a.name, a.params, ir.and_(at_points(param_vars, ps, len(points)), a.guard),
               a.updates, a.label, a.actor, a.fairness, a.span)
        for a, ps in groups.values())  # fmt: skip


def _property(k: int, systems: Sequence[TransitionSystem], remaps: Sequence[_Remap],
              points: Sequence[Point], param_vars: Sequence[int]) -> Property:
    first = systems[0].properties[k]
    cond = _by_point([r(s.properties[k].condition) for s, r in zip(systems, remaps, strict=True)],
                     points, param_vars)  # fmt: skip
    target = None
    if first.target is not None:
        targets = [r(s.properties[k].target or ir.FALSE)
                   for s, r in zip(systems, remaps, strict=True)]  # fmt: skip
        target = _by_point(targets, points, param_vars)
    return Property(first.name, first.expectation, cond, target, first.description,
                    first.expected, first.span)


ABSENT = "(no pod)"  # the phase view's label of an empty slot (model/compile.py)


def _derived(systems: Sequence[TransitionSystem], remaps: Sequence[_Remap],
             points: Sequence[Point], param_vars: Sequence[int]) -> tuple[ir.Derived, ...]:
    keys: dict[tuple[str, str], ir.Derived] = {}
    for system in systems:
        for d in system.derived:
            keys.setdefault((d.owner, d.field), d)
    out = []
    for (owner, name), first in keys.items():
        exprs = []
        for system, remap in zip(systems, remaps, strict=True):
            found = [d.expr for d in system.derived if (d.owner, d.field) == (owner, name)]
            exprs.append(remap(found[0]) if found else ir.Const(_absent(first.labels)))
        out.append(ir.Derived(owner, name, _by_point(exprs, points, param_vars), first.labels))
    return tuple(out)


def _absent(labels: Sequence[str]) -> int:
    """The value of a view at a point whose system lacks its owner (a pod slot beyond
    that point's replicas): the label saying so when the view has one (the phase's
    `(no pod)`), else the first."""
    return labels.index(ABSENT) if ABSENT in labels else 0


def compile_points(
    spec: CheckedSpec, compile_one: Callable[[CheckedSpec], StageResult[TransitionSystem]],
) -> StageResult[Parametric]:  # fmt: skip
    """Compile every point of `spec.instances` with `compile_one` (the model compiler)
    and merge them; the first point that fails to compile fails the whole (its
    diagnostics are returned), warnings shared by several points are given once."""
    systems: list[TransitionSystem] = []
    diagnostics: list[Diagnostic] = []
    for _point, instance in spec.instances:
        compiled = compile_one(instance)
        diagnostics += compiled.diagnostics
        if not compiled.ok or compiled.value is None:
            return StageResult(None, tuple(dict.fromkeys(diagnostics)))
        systems.append(compiled.value)
    points = [point for point, _ in spec.instances]
    merged = merge_points(spec.params, points, systems)
    return StageResult(merged, tuple(dict.fromkeys(diagnostics)))


def parametric(compiled: StageResult[Parametric]) -> StageResult[TransitionSystem]:
    """The merged transition system of a `compile_points` result."""
    value = None if compiled.value is None else compiled.value.system
    return StageResult(value, compiled.diagnostics)


def parametric_of(system: TransitionSystem, params: Sequence[Param]) -> Parametric:
    """The `Parametric` view of a merged system (its parameter variables found by owner)."""
    found = tuple(i for i, v in enumerate(system.vars) if v.owner == PARAM_OWNER)
    assert len(found) == len(params), (found, params)
    return Parametric(system, tuple(params), found)


def restrict(merged: Parametric, index: int, values: Sequence[int]) -> TransitionSystem:
    """`merged.system` started only where parameter `index` takes one of `values` (the
    parameters are frozen, so its runs are exactly those of these points)."""
    var = merged.param_vars[index]
    keep = set(values)
    init = tuple(s for s in merged.system.init if s[var] in keep)
    return replace(merged.system, init=init)

"""Partial-order reduction against plain BFS on random transition systems (issue 9; the
review in NOTE(por-reduction), docs/performance.md): small systems of a few shared
variables whose actions disable one another, run in cycles (`(v + 1) % d`, toggles),
read values through arithmetic, `ite`, `min`, counts and comparisons between variables
(the value-aware dependency of engine/effects.py), with goals that may be reachable
only around a cycle, and updates that may leave their domain (`ir.ModelError`).

- `--por` gives the verdicts, shortest traces, deadlock and domain error of plain BFS,
  and so does the reduced search alone (before the unreduced re-run of
  NOTE(por-shortest)), whose traces are real runs no shorter than the shortest;
- the relation behind it, checked on every state of the variables' box: independent
  actions commute and neither enables nor disables the other; an action outside the
  necessary enabling set of a false guard or goal leaves it false.

CI runs `_EXAMPLES` systems, derandomised; PODCHECK_SLOW=1 runs `_SLOW_EXAMPLES`, random.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.engine import bfs, por
from podcheck.engine.independence import analyse, bits
from podcheck.engine.result import CheckResult
from podcheck.ir import Action, Expectation, Expr, Property, State, StateVar

SLOW = os.environ.get("PODCHECK_SLOW") == "1"
_EXAMPLES, _SLOW_EXAMPLES = 120, 3000
_FIXED = not SLOW  # CI draws the same systems every run


@st.composite
def _atom(draw: st.DrawFn, n: int, d: int) -> Expr:
    """A comparison over one or two variables (some read through arithmetic)."""
    v, w = ir.Var(draw(st.integers(0, n - 1))), ir.Var(draw(st.integers(0, n - 1)))
    c = draw(st.integers(0, d - 1))
    kind = draw(st.sampled_from(["==", "!=", "<", ">=", "sum", "vv", "ite", "count", "mod"]))
    if kind in ("==", "!=", "<", ">="):
        return ir.op(kind, v, c)
    if kind == "sum":
        return ir.op(">=", ir.op("+", v, w), draw(st.integers(0, 2 * d - 2)))
    if kind == "vv":
        return ir.op(draw(st.sampled_from(["==", "<", "!="])), v, w)
    if kind == "ite":
        return ir.eq(ir.ite(ir.op("<", v, c), w, ir.Const(c)), draw(st.integers(0, d - 1)))
    if kind == "count":
        conds = [ir.eq(ir.Var(i), c) for i in range(n)]
        return ir.op(">=", ir.count(*conds), draw(st.integers(1, n)))
    return ir.eq(ir.op("%", ir.op("+", v, 1), d), c)


@st.composite
def _cond(draw: st.DrawFn, n: int, d: int, depth: int = 2) -> Expr:
    """A boolean combination (and, or, not) of atoms."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(_atom(n, d))
    kind = draw(st.sampled_from(["and", "or", "not"]))
    if kind == "not":
        return ir.not_(draw(_cond(n, d, depth - 1)))
    parts = draw(st.lists(_cond(n, d, depth - 1), min_size=2, max_size=3))
    return ir.and_(*parts) if kind == "and" else ir.or_(*parts)


@st.composite
def _rhs(draw: st.DrawFn, n: int, d: int, v: int, wild: bool) -> Expr:
    """A new value for variable `v`: in its domain, unless `wild` draws `v + 1`."""
    me, other = ir.Var(v), ir.Var(draw(st.integers(0, n - 1)))
    kinds = ["const", "cycle", "down", "copy", "ite", "minsum"] + (["inc"] * 3 if wild else [])
    kind = draw(st.sampled_from(kinds))
    c = draw(st.integers(0, d - 1))
    if kind == "const":
        return ir.Const(c)
    if kind == "cycle":
        return ir.op("%", ir.op("+", me, 1), d)
    if kind == "down":
        return ir.op("max", ir.op("-", me, 1), 0)
    if kind == "copy":
        return other
    if kind == "ite":
        return ir.ite(draw(_atom(n, d)), ir.Const(c), other)
    if kind == "minsum":
        return ir.op("min", ir.op("+", me, other), d - 1)
    return ir.op("+", me, 1)


@st.composite
def systems(draw: st.DrawFn) -> ir.TransitionSystem:
    """A random system of 2-4 variables over 0..d-1 and 2-6 actions; maybe a spinner,
    an action toggling a variable nothing else reads: always enabled, dependent on
    nothing, the cheapest seed, so a reduction that ignored a goal or an error would
    circle on it and leave the rest of the system unexplored."""
    n, d = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    wild = draw(st.integers(0, 2)) == 0  # some updates may leave the domain
    vars_ = tuple(StateVar(f"v{i}", 0, d - 1) for i in range(n))
    actions = []
    if draw(st.booleans()):
        vars_ += (StateVar("spin", 0, 1),)
        actions.append(Action("spin", (), ir.TRUE, ((n, ir.op("-", 1, ir.Var(n))),),
                              "spin", "proc"))
    for k in range(draw(st.integers(2, 7))):
        guard = draw(st.one_of(st.just(ir.TRUE), _atom(n, d), _cond(n, d)))
        written = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True)
                       if draw(st.integers(0, 5)) else st.just([]))
        ups = tuple((v, draw(_rhs(n, d, v, wild))) for v in written)
        actions.append(Action(f"a{k}", (), guard, ups, f"a{k}", "proc"))
    props = []
    for k in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from([Expectation.ALWAYS, Expectation.SOMETIMES]))
        props.append(Property(f"p{k}", kind, draw(_cond(n, d))))
    states = st.tuples(*(st.integers(0, v.hi) for v in vars_))
    init = tuple(dict.fromkeys(draw(st.lists(states, min_size=1, max_size=2))))
    terminal = draw(st.one_of(st.just(ir.FALSE), _cond(n, d, 1)))
    return ir.TransitionSystem("random", vars_, init, tuple(actions), tuple(props),
                               terminal=terminal)


def _outcome(r: CheckResult) -> tuple[object, ...]:
    return (tuple(p.verdict for p in r.results),
            tuple(None if p.trace is None else p.trace.steps for p in r.results),
            None if r.deadlock is None else r.deadlock.steps)


def _full(system: ir.TransitionSystem) -> CheckResult | None:
    """Plain BFS (None: it raised `ir.ModelError`)."""
    try:
        return bfs.check(system, bfs.BfsOptions())
    except ir.ModelError:
        return None


def _replays(system: ir.TransitionSystem, result: CheckResult, full: CheckResult) -> None:
    """The reduced search's traces are real runs, none shorter than the shortest."""
    shortest = [None if r.trace is None else len(r.trace.steps) for r in full.results]
    for r, least in zip(result.results, shortest, strict=True):
        assert (r.trace is None) == (least is None)
        if r.trace is not None and least is not None:
            assert len(r.trace.steps) >= least
            _real(system, r.trace.steps)
    assert (result.deadlock is None) == (full.deadlock is None)
    if result.deadlock is not None:
        _real(system, result.deadlock.steps)


def _real(system: ir.TransitionSystem, steps: tuple[object, ...]) -> None:
    assert getattr(steps[0], "state") in system.init  # noqa: B009 - Step, loosely typed
    for before, after in itertools.pairwise(steps):
        action = system.actions[after.action]  # type: ignore[attr-defined]
        assert ir.evaluate(action.guard, before.state)  # type: ignore[attr-defined]
        assert ir.apply(system, action, before.state) == after.state  # type: ignore[attr-defined]


@settings(max_examples=_SLOW_EXAMPLES if SLOW else _EXAMPLES, deadline=None, derandomize=_FIXED,
          suppress_health_check=[HealthCheck.too_slow])
@given(systems())
def test_por_agrees_with_bfs_on_random_systems(system: ir.TransitionSystem) -> None:
    full = _full(system)
    options = bfs.BfsOptions(por=True)
    if full is None:  # a domain error: the reduced search must meet it too
        try:
            por.reduced(system, options)
        except ir.ModelError:
            return
        raise AssertionError("--por missed a domain error (ir.ModelError)")
    alone, _ = por.reduced(system, options)
    assert tuple(r.verdict for r in alone.results) == tuple(r.verdict for r in full.results)
    assert alone.stats.states <= full.stats.states
    _replays(system, alone, full)
    assert _outcome(bfs.check(system, options)) == _outcome(full)


def _box(system: ir.TransitionSystem) -> list[State]:
    return list(itertools.product(*(range(v.lo, v.hi + 1) for v in system.vars)))


def _step(system: ir.TransitionSystem, a: int, s: State) -> State | None:
    """`a`'s successor of `s`, None if disabled or out of the domain."""
    action = system.actions[a]
    if not ir.evaluate(action.guard, s):
        return None
    try:
        return ir.apply(system, action, s)
    except ir.ModelError:
        return None


@settings(max_examples=_SLOW_EXAMPLES if SLOW else _EXAMPLES // 2, deadline=None,
          derandomize=_FIXED)
@given(systems())
def test_independent_actions_commute_on_every_state(system: ir.TransitionSystem) -> None:
    deps = analyse(system)
    pairs = [(a, b) for a in bits(deps.writing) for b in bits(deps.writing)
             if a < b and not deps.dependent[a] >> b & 1]
    for s in _box(system):
        for a, b in pairs:
            sa, sb = _step(system, a, s), _step(system, b, s)
            if sa is not None:  # b does not change a's guard, a not b's
                assert (_step(system, b, sa) is None) == (sb is None)
            if sb is not None:
                assert (_step(system, a, sb) is None) == (sa is None)
            if sa is not None and sb is not None:
                assert _step(system, b, sa) == _step(system, a, sb)


@settings(max_examples=_SLOW_EXAMPLES if SLOW else _EXAMPLES // 2, deadline=None,
          derandomize=_FIXED)
@given(systems())
def test_an_action_outside_the_enabling_set_leaves_a_false_condition_false(
    system: ir.TransitionSystem,
) -> None:
    deps = analyse(system)
    conds = [(deps.gate(c), c) for c in (p.condition for p in system.properties)]
    conds += [(deps.gate(ir.not_(c)), ir.not_(c)) for _, c in list(conds)]
    guards = [(deps.guards[a], system.actions[a].guard) for a in range(len(system.actions))]
    for s in _box(system):
        memo: dict[int, int] = {}
        for gate, expr in conds + guards:
            if ir.evaluate(expr, s):
                continue
            outside = ~deps.enabling(gate, s, memo) & ((1 << len(system.actions)) - 1)
            for a in bits(outside):
                t = _step(system, a, s)
                assert t is None or not ir.evaluate(expr, t), (system.actions[a].label, s)
    for a, (gate, expr) in enumerate(guards):  # the per-valuation cache agrees
        for s in _box(system):
            if not ir.evaluate(expr, s):
                assert deps.guard_enabling(a, s, {}) == deps.enabling(gate, s, {})


def test_a_domain_error_off_the_reduced_path_is_still_met() -> None:
    # a toggles x forever; c sets z, after which b drives y out of 0..1.  Without the
    # domain goals the reduced search follows `a` alone (the invariant needs nothing)
    # and never meets b's overflow, which plain BFS reports (PC501).
    vars_ = (StateVar("x", 0, 1), StateVar("y", 0, 1), StateVar("z", 0, 1))
    a = Action("a", (), ir.TRUE, ((0, ir.op("-", 1, ir.Var(0))),), "a", "p")
    c = Action("c", (), ir.eq(ir.Var(2), 0), ((2, ir.Const(1)),), "c", "p")
    b = Action("b", (), ir.and_(ir.eq(ir.Var(2), 1), ir.eq(ir.Var(1), 1)),
               ((1, ir.op("+", ir.Var(1), 1)),), "b", "p")
    holds = Property("x-small", Expectation.ALWAYS, ir.op("<=", ir.Var(0), 1))
    system = ir.TransitionSystem("oob", vars_, ((0, 1, 0),), (a, c, b), (holds,))
    assert _full(system) is None
    assert len(por.domain_goals(system)) == 1  # b's update; a's and c's fit
    try:
        por.reduced(system, bfs.BfsOptions(por=True))
    except ir.ModelError:
        return
    raise AssertionError("--por missed b's domain error")


def test_updates_that_fit_their_domain_are_no_goals() -> None:
    # time passes by the smallest running timer: bounds alone cannot show t - min >= 0
    vars_ = (StateVar("t", 0, 3), StateVar("u", 1, 3))
    step = ir.op("min", ir.Var(0), ir.Var(1))
    tick = Action("tick", (), ir.op(">", ir.Var(0), 0),
                  ((0, ir.op("-", ir.Var(0), step)), (1, ir.op("-", ir.Var(1), 0))),
                  "tick", "time")
    system = ir.TransitionSystem("timers", vars_, ((3, 2),), (tick,), ())
    assert por.domain_goals(system) == []
    wild = replace(tick, updates=((0, ir.op("-", ir.Var(0), 1)),), guard=ir.TRUE)
    assert len(por.domain_goals(replace(system, actions=(wild,)))) == 1

"""The compiled IR agrees exactly with the reference semantics in `ir`."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.engine import pycompile
from podcheck.ir import ARITY, Action, Const, Op, StateVar, TransitionSystem, Var

LO, HI = -3, 4
VARS = (
    StateVar("a", LO, HI),
    StateVar("b", LO, HI),
    StateVar("c", 0, 1, ("off", "on")),
)


def system_of(actions=(), vars_=VARS) -> TransitionSystem:
    return TransitionSystem("t", vars_, ((0,) * len(vars_),), tuple(actions), ())


def outcome(fn, *args):
    """The value of fn(*args), or the type of the exception it raises."""
    try:
        return ("value", fn(*args))
    except (ZeroDivisionError, ir.ModelError) as exc:
        return ("raises", type(exc).__name__, str(exc))


def leaves():
    return st.one_of(st.integers(-5, 5).map(Const), st.integers(0, len(VARS) - 1).map(Var))


def extend(children):
    fixed = [
        st.tuples(st.just(name), st.lists(children, min_size=n, max_size=n))
        for name, n in ARITY.items()
        if n is not None
    ]
    nary = [
        st.tuples(st.just(name), st.lists(children, min_size=1, max_size=4))
        for name, n in ARITY.items()
        if n is None
    ]
    return st.one_of(*fixed, *nary).map(lambda t: Op(t[0], tuple(t[1])))


exprs = st.recursive(leaves(), extend, max_leaves=12)
states = st.tuples(st.integers(LO, HI), st.integers(LO, HI), st.integers(0, 1))


# One expression per operator (n-ary ones with 1 and 3 arguments), on edge values.
A, B, C = Var(0), Var(1), Var(2)
OPERATOR_CASES = [Op(name, (A, B)[:n]) for name, n in ARITY.items() if n in (1, 2)]
OPERATOR_CASES += [Op(name, (A,)) for name, n in ARITY.items() if n is None]
OPERATOR_CASES += [Op(name, (A, B, C)) for name, n in ARITY.items() if n is None]
OPERATOR_CASES += [Op("ite", (C, A, B)), Op("ite", (A, B, Const(-2)))]
EDGE_STATES = [(a, b, c) for a in (-3, -1, 0, 2, 4) for b in (-3, 0, 1, 4) for c in (0, 1)]


def test_every_operator_has_a_case():
    assert {e.op for e in OPERATOR_CASES} == set(ARITY)


@pytest.mark.parametrize("expr", OPERATOR_CASES, ids=lambda e: e.op)
def test_each_operator_agrees_with_evaluate(expr):
    system = system_of()
    value = pycompile.compile_value(system, expr)
    pred = pycompile.compile_predicate(system, expr)
    for s in EDGE_STATES:
        assert outcome(value, s) == outcome(ir.evaluate, expr, s), s
        got = outcome(pred, s)
        want = outcome(lambda e, x: bool(ir.evaluate(e, x)), expr, s)
        assert got == want, s


@settings(max_examples=300, deadline=None)
@given(exprs, states)
def test_random_expressions_agree(expr, state):
    system = system_of()
    got = outcome(pycompile.compile_value(system, expr), state)
    assert got == outcome(ir.evaluate, expr, state)
    if got[0] == "value":
        assert type(got[1]) is int  # never a bool leaking into a state
    assert outcome(pycompile.compile_predicate(system, expr), state) == outcome(
        lambda e, s: bool(ir.evaluate(e, s)), expr, state
    )


@settings(max_examples=300, deadline=None)
@given(exprs, states)
def test_bounds_are_sound(expr, state):
    known = pycompile.bounds(expr, system_of())
    result = outcome(ir.evaluate, expr, state)
    if known is not None and result[0] == "value":
        assert known[0] <= result[1] <= known[1]


actions = st.builds(
    lambda guard, updates: (guard, updates),
    exprs,
    st.dictionaries(st.integers(0, len(VARS) - 1), exprs, max_size=3),
)


def build_system(specs) -> TransitionSystem:
    acts = [
        Action(f"act{i}", (("n", str(i)),), guard, tuple(sorted(upd.items())), f"label {i}", "env")
        for i, (guard, upd) in enumerate(specs)
    ]
    return system_of(acts)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=4), states)
def test_random_successors_agree(specs, state):
    system = build_system(specs)
    compiled = pycompile.compile_system(system)
    want = outcome(lambda: list(ir.successors(system, state)))
    assert outcome(compiled.successors, state) == want
    if want[0] == "value":
        for _, t in want[1]:
            assert all(type(v) is int for v in t)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=4), states, st.lists(exprs, max_size=2))
def test_random_expander_agrees(specs, state, flagged):
    system = build_system(specs)
    packing = pycompile.Packing.of(system)
    seen: set[int] = set()
    pushed_states, pushed_keys, links = [], [], []
    expand = pycompile.compile_expander(
        system,
        packing,
        flagged,
        seen,
        pushed_states.append,
        pushed_keys.append,
        links.append,
    )
    got = outcome(expand, state, packing.pack(state), 100)
    want = outcome(lambda: list(ir.successors(system, state)))
    if want[0] == "raises":
        assert got == want
        return
    flag = outcome(lambda: any(ir.evaluate(e, state) for e in flagged))
    if flag[0] == "raises":
        return
    enabled = len(want[1])
    assert got == ("value", ~enabled if flag[1] else enabled)
    first = {}
    for a, t in want[1]:
        first.setdefault(t, a)
    assert pushed_states == list(first)
    assert links == [100 + a for a in first.values()]
    assert pushed_keys == [packing.pack(t) for t in first]
    assert seen == set(pushed_keys)


def test_known_keys_are_not_pushed():
    system = build_system([(ir.TRUE, {0: Const(1)}), (ir.TRUE, {1: Const(2)})])
    packing = pycompile.Packing.of(system)
    known = (1, 0, 0)
    seen = {packing.pack(known)}
    pushed = []
    expand = pycompile.compile_expander(
        system, packing, (), seen, pushed.append, lambda k: None, lambda k: None
    )
    assert expand((0, 0, 0), packing.pack((0, 0, 0)), 0) == 2
    assert pushed == [(0, 2, 0)]


def test_domain_error_names_the_action():
    system = build_system([(ir.TRUE, {0: Op("+", (Var(0), Const(1)))})])
    compiled = pycompile.compile_system(system)
    assert compiled.successors((3, 0, 0)) == [(0, (4, 0, 0))]
    with pytest.raises(ir.ModelError, match="label 0: a = 5 is outside -3..4"):
        compiled.successors((4, 0, 0))


def test_update_proved_in_domain_has_no_check():
    system = build_system([(ir.TRUE, {2: ir.eq(Var(0), 1), 0: Const(2)})])
    assert "fail(" not in pycompile.successors_source(system)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-40, 40), st.integers(0, 70)), min_size=1, max_size=6), st.data()
)
def test_packing_round_trips(domains, data):
    vars_ = tuple(StateVar(f"x{i}", lo, lo + size) for i, (lo, size) in enumerate(domains))
    packing = pycompile.Packing.of(system_of(vars_=vars_))
    state = tuple(data.draw(st.integers(v.lo, v.hi)) for v in vars_)
    key = packing.pack(state)
    assert key >= 0 and key.bit_length() <= packing.bits
    assert packing.unpack(key) == state


def test_no_variables():
    system = system_of([Action("tick", (), ir.TRUE, (), "tick", "env")], vars_=())
    assert pycompile.compile_system(system).successors(()) == [(0, ())]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, min_size=1, max_size=4), states, st.lists(exprs, max_size=2))
def test_random_edge_expander_agrees(specs, state, flagged):
    system = build_system(specs)
    packing = pycompile.Packing.of(system)
    known = {packing.pack(state): 0}
    pushed_states, pushed_keys, links, edges = [], [], [], []
    expand = pycompile.compile_edge_expander(
        system, packing, flagged, known, pushed_states.append, pushed_keys.append,
        links.append, edges.append,
    )
    got = outcome(expand, state, packing.pack(state), 100)
    want = outcome(lambda: list(ir.successors(system, state)))
    if want[0] == "raises":
        assert got == want
        return
    flag = outcome(lambda: any(ir.evaluate(e, state) for e in flagged))
    if flag[0] == "raises":
        return
    enabled = len(want[1])
    assert got == ("value", ~enabled if flag[1] else enabled)
    ids = {state: 0}
    for _, t in want[1]:
        ids.setdefault(t, len(ids))
    assert edges == [[(a, ids[t]) for a, t in want[1]]]
    new = [t for t in ids if t != state]
    assert pushed_states == new
    assert pushed_keys == [packing.pack(t) for t in new]
    assert known == {packing.pack(t): i for t, i in ids.items()}

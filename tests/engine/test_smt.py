"""The Z3 encoding in `podcheck.engine.smt` agrees with the reference semantics in `ir`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.result import Verdict
from podcheck.ir import ARITY, Action, Const, Op, StateVar, TransitionSystem, Var

LO, HI = -20, 20
VARS = (StateVar("a", LO, HI), StateVar("b", LO, HI), StateVar("c", 0, 1, ("off", "on")))
A, B, C = Var(0), Var(1), Var(2)


def system_of(actions=(), init=((0, 0, 0),)) -> TransitionSystem:
    return TransitionSystem("t", VARS, init, tuple(actions), ())


def z3_value(expr, state) -> int:
    """The one value Z3 gives `expr` in `state` (checked unique)."""
    enc = smt.Encoder(system_of())
    copy = enc.state("0")
    session = smt.Session(enc)
    session.add(*(t == v for t, v in zip(copy.terms, state, strict=True)))
    term = enc.term(expr, copy)
    found = session.check()
    assert found.verdict is Verdict.VIOLATED and found.model is not None
    value = smt.value_of(found.model, term)
    session.add(term != value)
    assert session.check().verdict is Verdict.HOLDS
    return value


def positive_divisor(expr):
    """Division and modulo only by positive constants, as the IR requires."""
    if isinstance(expr, Op) and expr.op in ("//", "%"):
        return Op(expr.op, (positive_divisor(expr.args[0]), Const(abs(hash(expr)) % 5 + 1)))
    if isinstance(expr, Op):
        return Op(expr.op, tuple(positive_divisor(a) for a in expr.args))
    return expr


def leaves():
    return st.one_of(st.integers(-5, 5).map(Const), st.integers(0, 2).map(Var))


def extend(children):
    return st.one_of(
        *(st.tuples(st.just(n), st.lists(children, min_size=k or 1, max_size=k or 3))
          for n, k in ARITY.items())
    ).map(lambda t: Op(t[0], tuple(t[1])))


OPERATOR_CASES = [Op(name, (A, Const(3))[:n]) for name, n in ARITY.items() if n in (1, 2)]
OPERATOR_CASES += [Op(name, (A, B, C)) for name, n in ARITY.items() if n is None]
OPERATOR_CASES += [Op("ite", (C, A, B)), Op("ite", (A, Op("<", (B, C)), C))]


def test_every_operator_has_a_case():
    assert {e.op for e in OPERATOR_CASES} == set(ARITY)


@pytest.mark.parametrize("expr", OPERATOR_CASES, ids=lambda e: e.op)
def test_each_operator_agrees_with_evaluate(expr):
    for state in [(-7, 3, 0), (0, -1, 1), (5, 5, 1), (-1, 0, 0)]:
        assert z3_value(expr, state) == ir.evaluate(expr, state), state


def test_floor_division_and_modulo_agree_on_the_whole_range():
    """Z3's Euclidean div/mod equal Python's floor // and % for every positive divisor."""
    for d in range(1, 8):
        for op in ("//", "%"):
            expr = Op(op, (A, Const(d)))
            enc = smt.Encoder(system_of())
            copy = enc.state("0")
            session = smt.Session(enc)
            session.add(copy.domain)
            wrong = [enc.term(expr, copy) != ir.evaluate(expr, (a, 0, 0))
                     for a in range(LO, HI + 1)]
            guards = [copy.terms[0] == a for a in range(LO, HI + 1)]
            for g, w in zip(guards, wrong, strict=True):
                with session.scope():
                    session.add(g, w)
                    assert session.check().verdict is Verdict.HOLDS, (op, d)


@settings(max_examples=60, deadline=None)
@given(st.recursive(leaves(), extend, max_leaves=8),
       st.tuples(st.integers(-6, 6), st.integers(-6, 6), st.integers(0, 1)))
def test_random_expressions_agree_with_evaluate(expr, state):
    expr = positive_divisor(expr)
    assert z3_value(expr, state) == ir.evaluate(expr, state)


def test_transition_relation_is_the_successor_relation():
    """Every (pre, post) pair the encoding allows is an `ir.successors` step, and back."""
    incr = Action("inc", (), ir.op("<", A, 3), ((0, ir.op("+", A, 1)),), "a += 1", "x")
    swap = Action("swap", (), ir.eq(C, 0), ((1, A), (0, B), (2, Const(1))), "swap", "x")
    system = system_of((incr, swap))
    enc = smt.Encoder(system)
    pre, post = enc.state("pre"), enc.state("post")
    for state in [(0, 2, 0), (3, -1, 0), (2, 2, 1), (3, 0, 1)]:
        want = {t for _, t in ir.successors(system, state)}
        session = smt.Session(enc)
        session.add(post.domain, enc.transition(pre, post))
        session.add(*(t == v for t, v in zip(pre.terms, state, strict=True)))
        got = set()
        while (found := session.check()).verdict is Verdict.VIOLATED:
            assert found.model is not None
            nxt = smt.state_of(found.model, post)
            got.add(nxt)
            session.add(enc.any_of([t != v for t, v in zip(post.terms, nxt, strict=True)]))
        assert got == want, state


def test_unknown_is_a_verdict_with_a_reason():
    """A query Z3 cannot finish in its budget is UNKNOWN with Z3's reason, not a pass."""
    big = (StateVar("x", 0, 10**9), StateVar("y", 0, 10**9), StateVar("z", 0, 10**9))
    system = TransitionSystem("nl", big, ((0, 0, 0),), (), ())
    enc = smt.Encoder(system)
    s = enc.state("0")
    x, y, z = s.terms
    session = smt.Session(enc, smt.Deadline(0.0))
    session.add(x * x * x + y * y * y == z * z * z, x > 1, y > 1)
    found = session.check()
    assert found.verdict is Verdict.UNKNOWN and found.reason


def test_the_invariant_checker_rejects_a_non_inductive_invariant():
    incr = Action("inc", (), ir.op("<", A, 5), ((0, ir.op("+", A, 1)),), "a += 1", "x")
    system = system_of((incr,))
    bad = ir.op(">", A, 5)
    deadline = smt.Deadline()
    assert smt.check_invariant(system, ir.op("<=", A, 5), bad, deadline) is Verdict.HOLDS
    assert smt.check_invariant(system, ir.op("<=", A, 2), bad, deadline) is Verdict.VIOLATED
    assert smt.check_invariant(system, ir.op("<=", A, 9), bad, deadline) is Verdict.VIOLATED


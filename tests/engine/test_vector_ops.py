"""npcompile evaluates every IR operator exactly as ir.evaluate does (random expressions)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from podcheck import ir
from podcheck.engine.npcompile import Frame, Program, Unsupported
from podcheck.ir import ARITY, Const, Op, StateVar, Var

VARS = (StateVar("a", -3, 4), StateVar("b", 0, 2), StateVar("c", 1, 3), StateVar("d", -2, -1))
SYSTEM = ir.TransitionSystem("ops", VARS, ((0, 0, 1, -1),), (), ())
STATES = list(itertools.product(*(range(v.lo, v.hi + 1) for v in VARS)))
DIVISORS = st.sampled_from([Var(2), Var(3), Const(3), Const(-2), Const(7)])  # never 0


def exprs() -> st.SearchStrategy[ir.Expr]:
    leaves = st.one_of(st.integers(-300, 300).map(Const), st.sampled_from([Var(i) for i in
                                                                           range(len(VARS))]))

    def grow(children: st.SearchStrategy[ir.Expr]) -> st.SearchStrategy[ir.Expr]:
        def build(name: str) -> st.SearchStrategy[ir.Expr]:
            arity = ARITY[name]
            if name in ("//", "%"):
                return st.tuples(children, DIVISORS).map(lambda a: Op(name, a))
            count = st.just(arity) if arity is not None else st.integers(1, 4)
            return count.flatmap(lambda n: st.tuples(*[children] * n)).map(
                lambda args: Op(name, tuple(args)))
        return st.sampled_from(sorted(ARITY)).flatmap(build)

    return st.recursive(leaves, grow, max_leaves=12)


def columns() -> list[np.ndarray]:
    return [np.array([s[i] for s in STATES], dtype=np.int64) for i in range(len(VARS))]


@settings(max_examples=300, deadline=None)
@given(exprs())
def test_every_operator_matches_the_reference(expr):
    program = Program(SYSTEM)
    try:
        nid = program.add(expr)
    except Unsupported:
        return  # a divisor whose bounds contain 0: the engine refuses the system
    frame = Frame(program, columns(), len(STATES))
    values = np.broadcast_to(np.asarray(frame.value(nid)).astype(np.int64), (len(STATES),))
    truths = frame.truth(nid)
    node = program.nodes[nid]
    for state, value, truth in zip(STATES, values.tolist(), truths.tolist(), strict=True):
        expected = ir.evaluate(expr, state)
        assert value == expected, (expr, state)
        assert truth == bool(expected)
        assert node.lo <= expected <= node.hi  # the bounds that choose dtypes are sound


def test_every_operator_is_generated():
    assert {"//", "%", "ite", "neg", "min", "max", "and", "or", "not"} <= set(ARITY)


def test_sums_whose_partial_sums_overflow_a_small_dtype():
    # 100 + 100 + (-150): result fits in int8, the running total (200) does not
    expr = Op("+", (Op("*", (Var(0), Const(25))), Const(100), Const(-150)))
    program = Program(SYSTEM)
    frame = Frame(program, columns(), len(STATES))
    got = np.asarray(frame.value(program.add(expr))).tolist()
    assert got == [ir.evaluate(expr, s) for s in STATES]

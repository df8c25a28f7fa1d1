"""NOTE(houdini) candidates and their filtering, NOTE(invariant-core) on a small system."""

from __future__ import annotations

from podcheck import ir
from podcheck.engine import houdini, smt
from podcheck.engine.bmc import Unrolling, search_from
from podcheck.engine.pdr import smaller
from podcheck.engine.result import Verdict
from podcheck.ir import Action, Expectation, Property, StateVar, TransitionSystem, Var
from podcheck.report.invariant import conjuncts

X, Y = Var(0), Var(1)
# x counts up to 2, then y is set once; reachable: (0,0) (1,0) (2,0) (2,1).
SYSTEM = TransitionSystem(
    "counter", (StateVar("x", 0, 3), StateVar("y", 0, 1, ("off", "on"))), ((0, 0),),
    (Action("inc", (), ir.op("<", X, 2), ((0, ir.op("+", X, 1)),), "x + 1", "test"),
     Action("set", (), ir.eq(X, 2), ((1, ir.Const(1)),), "y on", "test")),
    (Property("small", Expectation.ALWAYS, ir.op("<=", X, 2)),),
)  # fmt: skip
REACHABLE = {(0, 0), (1, 0), (2, 0), (2, 1)}
NOT_SMALL = ir.not_(ir.op("<=", X, 2))


def test_the_sample_is_the_reachable_states():
    assert set(houdini.sample(SYSTEM, smt.Deadline())) == REACHABLE


def test_every_candidate_holds_in_every_sampled_state():
    guesses = houdini.candidates(SYSTEM, sorted(REACHABLE))
    assert guesses and all(ir.evaluate(g, s) for g in guesses for s in REACHABLE)
    assert ir.op("<=", X, 2) in guesses or ir.or_(*(ir.eq(X, v) for v in (0, 1, 2))) in guesses


def test_guesses_from_the_initial_state_alone_are_dropped():
    # Read from (0, 0) only: x = 0 and y = 0, neither closed under the actions.
    guesses = houdini.candidates(SYSTEM, [(0, 0)])
    assert set(guesses) == {ir.eq(X, 0), ir.eq(Y, 0)}
    assert houdini.filtered(SYSTEM, guesses, smt.Deadline()) == []


def test_the_lemma_is_inductive_and_proves_the_property():
    lemma = houdini.lemma(SYSTEM, smt.Deadline())
    assert smt.check_invariant(SYSTEM, lemma, ir.FALSE, smt.Deadline()) is Verdict.HOLDS
    assert smt.check_invariant(SYSTEM, lemma, NOT_SMALL, smt.Deadline()) is Verdict.HOLDS


def test_a_wrong_guess_among_right_ones_is_dropped_alone():
    right = houdini.candidates(SYSTEM, sorted(REACHABLE))
    wrong = ir.op("<=", X, 1)  # holds initially, not after two steps
    kept = houdini.filtered(SYSTEM, [*right, wrong], smt.Deadline())
    assert kept is not None and wrong not in kept and set(kept) == set(right)


def test_the_core_is_smaller_and_still_inductive():
    lemma = houdini.lemma(SYSTEM, smt.Deadline())
    core = smaller(SYSTEM, lemma, NOT_SMALL, smt.Deadline())
    assert len(conjuncts(core)) < len(conjuncts(lemma))
    assert smt.check_invariant(SYSTEM, core, NOT_SMALL, smt.Deadline()) is Verdict.HOLDS


def test_bmc_strengthened_with_the_lemma_keeps_every_shortest_run():
    """NOTE(bmc-lemma): y = on is reached in 3 steps, with and without the lemma, and a
    goal outside the lemma (x = 3) stays unreached, since no run leaves it."""
    lemma = houdini.lemma(SYSTEM, smt.Deadline())
    assert lemma != ir.TRUE
    goals = {0: ir.eq(Y, 1), 1: ir.eq(X, 3)}
    for strengthen in (False, True):
        unrolling = Unrolling(SYSTEM, smt.Deadline())
        if strengthen:
            unrolling.strengthen(lemma)
        found = search_from(unrolling, goals, 5)
        assert found[0].trace is not None and found[0].trace.length == 3
        assert found[1].trace is None and found[1].depth == 5


def test_a_query_past_its_effort_answers_unknown():
    """`Deadline.effort` caps one query in Z3's resource units: 1 unit is too few."""
    unrolling = Unrolling(SYSTEM, smt.Deadline())
    with unrolling.within(smt.Deadline(effort=1)):
        found = search_from(unrolling, {0: ir.eq(Y, 1)}, 5)
    assert found[0].trace is None and found[0].unknown is not None
    assert search_from(unrolling, {0: ir.eq(Y, 1)}, 5)[0].trace is not None

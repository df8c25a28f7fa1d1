"""report/invariant.py: an invariant in the spec's words (merged tests, implications)."""

from __future__ import annotations

from podcheck import ir
from podcheck.ir import StateVar, TransitionSystem, Var
from podcheck.report.invariant import render_invariant

STATE = ("Waiting", "Running", "Terminated", "CrashLoopBackOff")
SYSTEM = TransitionSystem("t", (
    StateVar("app.state", 0, 3, STATE, owner="pod web-1", field="app.state"),
    StateVar("app.restarts", 0, 3, owner="pod web-1", field="app.restarts"),
    StateVar("app.timer", 0, 60, owner="pod web-1", field="app.timer"),
    StateVar("node", 0, 2, ("none", "n1", "n2"), owner="pod web-1", field="node"),
    StateVar("exists", 0, 1, owner="pod web-1", field="exists"),
), ((0, 0, 0, 0, 0),), (), ())  # fmt: skip
S, R, T, N, E = (Var(i) for i in range(5))


def lines(*parts):
    return render_invariant(SYSTEM, ir.and_(*parts))


def test_bounds_of_one_variable_are_merged():
    assert lines(ir.op("<", R, 1), ir.op(">", R, -1)) == ["pod web-1 app.restarts = 0"]
    assert lines(ir.op("<=", T, 40), ir.op(">=", T, 10)) == ["10 <= pod web-1 app.timer <= 40"]
    assert lines(ir.op("<", T, 41)) == ["pod web-1 app.timer <= 40"]


def test_labelled_values_are_named():
    waiting_or_running = ir.or_(ir.eq(S, 0), ir.eq(S, 1))
    assert lines(waiting_or_running) == ["pod web-1 app.state in {Waiting, Running}"]
    assert lines(ir.not_(ir.eq(S, 3))) == ["pod web-1 app.state != CrashLoopBackOff"]


def test_a_disjunction_that_excludes_a_value_reads_as_an_implication():
    rule = ir.or_(ir.not_(ir.eq(S, 1)), ir.op("!=", N, 0))
    assert lines(rule) == ["if pod web-1 app.state = Running then pod web-1 node != none"]


def test_a_flag_reads_as_a_condition():
    assert lines(ir.or_(ir.op("!=", E, 0), ir.eq(N, 0))) == [
        "if not pod web-1 exists then pod web-1 node = none"]
    assert lines(ir.eq(E, 1)) == ["pod web-1 exists"]


def test_gaps_in_an_integer_range_are_runs():
    holes = ir.or_(ir.op("<=", T, 30), ir.op(">=", T, 41))
    assert lines(ir.or_(ir.op(">", R, 2), holes)) == [
        "pod web-1 app.restarts = 3 or pod web-1 app.timer in {0..30, 41..60}"]


def test_true_is_true():
    assert render_invariant(SYSTEM, ir.TRUE) == ["true"]



def test_a_proof_that_needs_no_fact_says_why_in_the_text_report():
    """Spacer's invariant cut down to `true` (the variables' ranges alone exclude the
    violation, e.g. a phase whose range has no Unknown): the report says so instead of
    an invariant reading `true`; any other invariant is one fact a line."""
    from podcheck.report.text import invariant_lines

    assert invariant_lines(SYSTEM, ir.TRUE) == [
        "  inductive invariant: true (the variables' ranges alone rule out every violation)"]
    lines = invariant_lines(SYSTEM, ir.op("<=", Var(0), ir.Const(2)))
    assert lines[0] == "  inductive invariant:" and len(lines) == 2
    assert lines[1].startswith("    ") and lines[1].strip() != "true"


def test_a_variable_fixed_by_a_fact_is_replaced_by_its_value_in_the_others():
    """`node = n1` (value 1) is a fact: `node - restarts + timer != 0` reads `timer -
    restarts + 1 != 0`, a disjunct `node != n1` is false and goes, and a conjunct that
    becomes true is not printed; the conjunction is unchanged."""
    minus_r = ir.op("*", -1, R)
    got = lines(ir.op("==", N, 1), ir.op("!=", ir.op("+", N, minus_r, T), 0),
                ir.op("or", ir.op("!=", N, 1), ir.op("<=", R, 2)),
                ir.op("or", ir.op("==", N, 1), ir.op("==", S, 2)))
    assert got == ["pod web-1 node = n1",
                   "(pod web-1 app.timer - pod web-1 app.restarts + 1) != 0",
                   "pod web-1 app.restarts != 3"]

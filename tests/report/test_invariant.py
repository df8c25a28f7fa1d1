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


def test_a_test_of_one_variable_reads_as_its_values_whatever_its_arithmetic():
    assert lines(ir.op(">", ir.op("+", 1, ir.op("*", -1, R)), 0)) == ["pod web-1 app.restarts = 0"]
    assert lines(ir.op("<", ir.op("*", 2, R), 10)) == []  # every value of 0..3: by the range


def test_a_flag_inside_arithmetic_is_split_into_its_two_cases():
    """NOTE(flag-cases): `(exists - restarts) > 0` is `exists and restarts = 0` (with
    `exists` 0 the test is `-restarts > 0`, false on restarts' range 0..3)."""
    rule = ir.or_(ir.op("!=", S, 0), ir.op(">", ir.op("+", E, ir.op("*", -1, R)), 0))
    assert lines(rule) == [
        "if pod web-1 app.state = Waiting then pod web-1 exists and pod web-1 app.restarts = 0"]
    both = ir.op(">=", ir.op("+", E, T), 2)  # exists: timer >= 1 (!= 0); not: >= 2
    assert lines(both) == ["(pod web-1 exists and pod web-1 app.timer != 0) or "
                           "(not pod web-1 exists and pod web-1 app.timer >= 2)"]


PROBED = TransitionSystem("p", (
    StateVar("app.process", 0, 2, ("starting", "up", "hung"), owner="pod web", field="app.process"),
    StateVar("app.startupFailures", 0, 11, owner="pod web", field="app.startupFailures"),
    StateVar("app.processTimer", 0, 60, owner="pod web", field="app.processTimer"),
    StateVar("app.startupPhase", 0, 2, owner="pod web", field="app.startupPhase"),
    StateVar("side.startupFailures", 0, 3, owner="pod a", field="side.startupFailures"),
    StateVar("side.startupFailures", 0, 3, owner="pod b", field="side.startupFailures"),
), ((0,) * 6,), (), ())  # fmt: skip
P, F, PT, PH = (Var(i) for i in range(4))


def test_the_model_counters_and_timers_are_named_in_the_spec_words():
    """NOTE(invariant-words): a container's counters and timers by what they count, a
    probe phase by word, a container named by two pods with its pod."""
    got = render_invariant(PROBED, ir.and_(
        ir.op("<=", F, 6), ir.op("==", PH, 0), ir.op("<=", Var(4), 1), ir.op("<=", Var(5), 2),
        ir.or_(ir.op("!=", P, 0), ir.op(">=", PT, 20))))
    assert got == ["startup probe failures of app <= 6",
                   "first startup probe of app = done",
                   "startup probe failures of side of pod a <= 1",
                   "startup probe failures of side of pod b != 3",
                   "if process of app = starting then startup time left of app >= 20"]


def test_bounds_of_one_counter_under_one_premise_are_one_line():
    """NOTE(step-facts): `if P then f <= a or t <= b` for several bounds is one line,
    the unconditional bound first, then the weaker conditions first."""
    starting = ir.op("!=", P, 0)
    facts = [ir.or_(starting, ir.op("<=", F, 1), ir.op("<=", PT, 49)),
             ir.or_(starting, ir.op("<=", F, 6)),
             ir.or_(starting, ir.op("<=", F, 3), ir.op("<=", PT, 29)),
             ir.or_(ir.op("<=", F, 4), ir.op("<=", PT, 19))]  # no premise: its own line
    assert render_invariant(PROBED, ir.and_(*facts)) == [
        "if process of app = starting then startup probe failures of app <= 6; <= 3 when "
        "startup time left of app >= 30; <= 1 when >= 50",
        "startup probe failures of app <= 4 or startup time left of app <= 19"]


def test_the_process_timer_of_a_container_that_exits_is_its_startup_or_run_time_left():
    from dataclasses import replace

    from podcheck.ir import Action
    from podcheck.report import phrases

    assert phrases.names(PROBED)[2] == "startup time left of app"
    exits = Action("exit", (("pod", "web"), ("container", "app")), ir.TRUE, (), "exits", "x")
    assert phrases.names(replace(PROBED, actions=(exits,)))[2] == "startup or run time left of app"


def test_a_sum_compared_with_a_number_is_the_condition_of_a_step_fact():
    starting, gap = ir.op("!=", P, 0), ir.op("+", PT, ir.op("*", -1, Var(4)))
    facts = [ir.or_(starting, ir.op("<=", F, 2), ir.op("<", gap, 40)),
             ir.or_(starting, ir.op("<=", F, 5), ir.op("<=", gap, 10))]
    assert render_invariant(PROBED, ir.and_(*facts)) == [
        "if process of app = starting then startup probe failures of app <= 5 when (startup "
        "time left of app - startup probe failures of side of pod a) >= 11; <= 2 when >= 40"]


def test_every_phrase_names_a_field_of_the_model():
    from podcheck.report import people, phrases

    assert set(phrases.CONTAINER) <= people.INTERNAL

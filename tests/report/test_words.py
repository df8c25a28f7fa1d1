"""The words of every engine reason, and of the suite report's problems.

The expected strings are the ones the engines wrote themselves before their reasons
became values (bfs `_verdict`, liveness, `fairness.describe`, check.py), so the
goldens that show them stay byte-identical.
"""

from __future__ import annotations

import pytest

from podcheck import ir
from podcheck.engine.result import (
    FairnessSummary,
    FairSearch,
    Goal,
    LivenessPending,
    Pending,
    PropertyResult,
    SafetySearch,
    Step,
    Stutter,
    Trace,
    Verdict,
)
from podcheck.ir import Action, StateVar, TransitionSystem, Var
from podcheck.report import words
from podcheck.report.suite import problem_line, render_suite
from podcheck.run import (
    ExpectationMismatch,
    Handling,
    SpecErrors,
    SpecOutcome,
    Status,
    SuiteResult,
    Undecided,
    VerdictMismatch,
)

X = StateVar("x", 0, 3)
INC = Action("inc", (), ir.TRUE, ((0, ir.op("+", Var(0), ir.Const(1))),), "inc", "env")
SYSTEM = TransitionSystem("t", (X,), ((0,),), (INC,), (), ir.FALSE)


def trace(length: int, loop_start: int | None = None, loop_action: int | None = None) -> Trace:
    steps = (Step((0,)),) + tuple(Step((i,), 0) for i in range(1, length + 1))
    return Trace(SYSTEM, steps, loop_start, loop_action)


def result(reason, tr=None, detail=""):
    return PropertyResult("p", Verdict.UNKNOWN, tr, detail, None, reason)


@pytest.mark.parametrize(("reason", "tr", "text"), [
    (SafetySearch(Goal.COUNTEREXAMPLE, 9, True, 3), trace(3), "shortest counterexample: 3 steps"),
    (SafetySearch(Goal.WITNESS, 9, False, 0), trace(1), "shortest witness: 1 step"),
    (SafetySearch(Goal.COUNTEREXAMPLE, 1204, True, 7), None, "checked all 1 204 reachable states"),
    (SafetySearch(Goal.WITNESS, 52, True, 7), None, "no witness among 52 reachable states"),
    (SafetySearch(Goal.COUNTEREXAMPLE, 40, False, -1), None, "no violation in the first 40 states"),
    (SafetySearch(Goal.WITNESS, 4096, False, 4), None,
     "no witness within 4 steps (every state that close checked), 4 096 states"),
    (LivenessPending(Pending.SAFETY_PASS), None,
     "liveness property: not checked by the safety pass"),
    (LivenessPending(Pending.LEFT_TO_LIVENESS), None,
     "liveness property: left to the liveness checker"),
    (LivenessPending(Pending.GRAPH_INCOMPLETE, "max-states"), None,
     "not decided: the exploration stopped (max-states) before the state graph was complete, "
     "and a liveness property needs all of it"),
    (FairSearch(19021, FairnessSummary(("bind", "start"), ("evict",))), None,
     "19 021 states, weak fairness on bind, start; strong fairness on evict"),
    (FairSearch(3, FairnessSummary()), None, "3 states, no fairness"),
    (FairSearch(3, FairnessSummary(("inc",)), Stutter.NO_FAIR_ACTION), trace(2, 2),
     "the run stutters forever (no fair action enabled); 3 states, weak fairness on inc"),
    (FairSearch(3, FairnessSummary(), Stutter.TERMINAL), trace(1, 1),
     "the run stutters forever (terminal state); 3 states, no fairness"),
    (FairSearch(3, FairnessSummary(), Stutter.DEADLOCK), trace(1, 1),
     "the run stutters forever (deadlock); 3 states, no fairness"),
    (FairSearch(4, FairnessSummary(("inc",))), trace(3, 1, 0),
     "a fair loop of 3 actions avoids the goal forever; 4 states, weak fairness on inc"),
])  # fmt: skip
def test_reasons_in_words(reason, tr, text):
    assert words.detail(result(reason, tr)) == text


def test_free_text_detail_is_shown_when_there_is_no_reason():
    assert words.detail(result(None, detail="solver returned unknown")) == (
        "solver returned unknown")


def test_suite_problems_and_report():
    undecided = result(SafetySearch(Goal.COUNTEREXAMPLE, 50, False, 2))
    assert problem_line(VerdictMismatch("p", "holds", Verdict.VIOLATED)) == (
        "`p`: expected holds, got violated")
    assert problem_line(Undecided(undecided)) == (
        "`p`: inconclusive (no violation within 2 steps (every state that close checked), "
        "50 states)")
    assert problem_line(SpecErrors(("PC101", "PC204"))) == "spec has errors: PC101, PC204"
    assert problem_line(ExpectationMismatch("missing: a.pod:3: PC206 port")) == (
        "missing: a.pod:3: PC206 port")
    suite = SuiteResult((
        SpecOutcome("a.pod", Status.PASS, (), 1),
        SpecOutcome("b.pod", Status.FAIL, (Undecided(undecided),), 2),
        SpecOutcome("c.pod", Status.PASS, (), 0, Handling.PARSED),
        SpecOutcome("d.pod", Status.PASS, (), 0, Handling.REJECTED),
        SpecOutcome("e.pod", Status.ERROR, (SpecErrors(("PC101",)),), 0),
    ))  # fmt: skip
    assert render_suite(suite, show_time=False) == (
        "spec   property                expected  got  result  states\n"
        "a.pod  (no properties)         -         -    ok      -\n"
        "b.pod  -                       -         -    FAIL    -\n"
        "c.pod  (parsed only)           -         -    ok      -\n"
        "d.pod  (rejected as expected)  -         -    ok      -\n"
        "e.pod  -                       -         -    ERROR   -\n"
        "\n"
        "FAIL b.pod\n"
        "  `p`: inconclusive (no violation within 2 steps (every state that close "
        "checked), 50 states)\n"
        "\n"
        "ERROR e.pod\n"
        "  spec has errors: PC101\n"
        "\n"
        "3 passed, 1 failed, 1 with errors\n"
    )

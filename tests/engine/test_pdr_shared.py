"""NOTE(shared-unrolling): the run `pdr.prove` reports for a goal is a shortest one, the
length BFS finds, also when Spacer found the goal reachable while another goal sent the
unrolling deeper (NOTE(deep-bmc)).

Spacer decides these small systems at once, so "Spacer alone could not decide goal
`y-off`" is simulated: its quick query (the one with a resource cap) answers unknown, as
Z3 does on a large system.  Everything else is Z3's own answer.
"""

from __future__ import annotations

import pytest

from podcheck import ir
from podcheck.engine import pdr, smt
from podcheck.engine.bmc import Reach, Unrolling
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import DEADLOCK, goals_of
from podcheck.ir import Action, Expectation, Expr, Property, StateVar, TransitionSystem, Var
from tests.engine.test_pdr_agreement import bfs_answers

X, Y = Var(0), Var(1)
NINE = Property("not-nine", Expectation.ALWAYS, ir.op("!=", X, 9))  # reached in 9 steps
Y_OFF = Property("y-off", Expectation.ALWAYS, ir.eq(Y, 0))  # holds: nothing sets y
INC = Action("inc", (), ir.op("<", X, 11), ((0, ir.op("+", X, 1)),), "x + 1", "test")
WRAP = Action("wrap", (), ir.eq(X, 11), ((0, ir.Const(0)),), "x = 0", "test")


def _system(*actions: Action) -> TransitionSystem:
    return TransitionSystem(
        "ladder", (StateVar("x", 0, 11), StateVar("y", 0, 1, ("off", "on"))), ((0, 0),),
        actions, (NINE, Y_OFF),
    )  # fmt: skip


# x climbs 0..11 and wraps to 0: x = 9 again at 21 steps (past the deepening's 16).
WRAPS = _system(INC, WRAP)
# x climbs 0..11 and stops (a deadlock at 11 steps): no run to x = 9 past depth 9.
STOPS = _system(INC)


@pytest.fixture
def spacer_alone_gives_up_on_y_off(monkeypatch: pytest.MonkeyPatch) -> None:
    real = smt.prove_by_chc
    y_on = ir.not_(Y_OFF.condition)

    def quick_unknown(system: TransitionSystem, bad: Expr, deadline: smt.Deadline,
                      lemma: Expr = ir.TRUE, effort: int = 0) -> smt.ChcOutcome:  # fmt: skip
        if bad == y_on and effort:
            return smt.ChcOutcome(Verdict.UNKNOWN, "resource limit (simulated)")
        return real(system, bad, deadline, lemma, effort)

    monkeypatch.setattr(smt, "prove_by_chc", quick_unknown)


@pytest.mark.usefixtures("spacer_alone_gives_up_on_y_off")
@pytest.mark.parametrize("system", [WRAPS, STOPS], ids=["wraps", "stops"])
def test_a_goal_spacer_reaches_gets_its_shortest_run(system: TransitionSystem) -> None:
    # not-nine comes first: Spacer alone finds it reachable; y-off is then left open, so
    # the unrolling goes to 16 steps with the lemma before the run to x = 9 is rebuilt.
    assert pdr.probe_depth(system) < 9 < pdr.DEEP_DEPTH
    want = bfs_answers(system)
    goals = goals_of(system, check_deadlock=True)
    got = pdr.prove(system, goals, smt.Deadline(20))
    for g, proof in got.items():
        if want[g] is None:
            assert proof.proved, (g, proof)
        else:
            assert proof.reach is not None and proof.reach.trace is not None, (g, proof)
            assert proof.reach.trace.length == want[g], g
    assert want[0] == 9 and got[1].proved
    assert (want[DEADLOCK] is None) == (system is WRAPS)


def test_every_goal_is_asked_at_every_depth_until_it_leaves() -> None:
    shared = pdr.Shared(Unrolling(WRAPS, smt.Deadline()), goals_of(WRAPS, check_deadlock=False))
    assert shared.search(3) == {g: Reach(None, 3) for g in (0, 1)}
    found = shared.search(10)
    assert found[0].trace is not None and found[0].depth == 9 and set(shared.open) == {1}
    shared.close(1)
    assert shared.search(None) == {} and shared.unrolling.depth == 10


def test_a_refuted_depth_is_not_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    real = Unrolling.hit

    def hit(self: Unrolling, goals: dict[int, Expr]) -> object:
        asked.append(self.depth)
        return real(self, goals)

    monkeypatch.setattr(Unrolling, "hit", hit)
    shared = pdr.Shared(Unrolling(WRAPS, smt.Deadline()), goals_of(WRAPS, check_deadlock=False))
    shared.search(3)
    assert shared.search(3) == {g: Reach(None, 3) for g in (0, 1)} and shared.refuted == 3
    shared.search(5)
    assert asked == [0, 1, 2, 3, 4, 5]

"""NOTE(split-deadline): every symbolic engine stops at its deadline, with the goals it
decided and `unknown (timeout)` for the others, never a wrong verdict.

The deadline reads a fake clock that moves one second each time it is read, so where
an engine stops depends only on how often it looks at the clock, never on the machine
or its load (no wall time is measured).  While a budget is not spent, Z3 gets at least
1 000 ms a query, which the tiny systems here never need.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from podcheck.engine import bmc, kind, pdr, smt
from podcheck.engine.result import Limit, SymbolicOutcome, SymbolicSearch, Verdict
from podcheck.engine.symbolic import SymbolicEngine, SymbolicOptions, goals_of, run_symbolic
from podcheck.report.words import detail
from tests.engine.test_pdr_agreement import bfs_answers
from tests.engine.test_pdr_shared import STOPS, WRAPS


def ticking() -> Callable[[], float]:
    """A clock one second later at each read."""
    counter = itertools.count()
    return lambda: float(next(counter))


class Hand:
    """A clock that moves only when told (`now`)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_part_of_a_deadline_never_outlasts_it() -> None:
    hand = Hand()
    whole = smt.Deadline(10.0, 0.0, clock=hand)
    hand.now = 2.0
    part = whole.part(0.5)  # half of the 8 s left
    assert part.seconds == pytest.approx(4.0) and part.remaining_ms() == 4000
    hand.now = 5.9
    assert not part.expired() and part.said("canceled") == "canceled"
    hand.now = 6.0
    assert part.expired() and part.said("canceled") == smt.TIMEOUT
    assert not whole.expired()
    greedy = whole.part(5.0, effort=7)  # five times what is left: cut at the whole's end
    assert greedy.effort == 7 and greedy.remaining_ms() == 4000
    hand.now = 10.0
    assert greedy.expired() and whole.expired() and whole.remaining_ms() == 1


def test_a_stopped_run_expires_every_part() -> None:
    stop = [False]
    whole = smt.Deadline(should_stop=lambda: stop[0])
    part = whole.part(0.1)
    assert part.seconds is None and not part.expired()
    stop[0] = True
    assert part.expired() and not part.affords(0.0)


def test_affords_refuses_work_that_would_end_past_the_deadline() -> None:
    hand = Hand()
    deadline = smt.Deadline(10.0, 0.0, clock=hand)
    hand.now = 9.0
    assert deadline.affords(0.5) and not deadline.affords(1.0)
    assert smt.Deadline().affords(1e9)  # no budget: anything


@pytest.mark.parametrize("seconds", [3.0, 25.0, 60.0])
def test_unbounded_bmc_stops_at_the_deadline(seconds: float) -> None:
    # STOPS never reaches x = 9 again after 9 steps, nor y = on: without the deadline
    # the unbounded search would go on for ever.
    clock = ticking()
    goals = goals_of(STOPS, check_deadlock=True)
    found = bmc.search(STOPS, goals, None, smt.Deadline(seconds, clock(), clock=clock))
    want = bfs_answers(STOPS)
    for g, reach in found.items():
        if reach.trace is not None:
            assert reach.trace.length == want[g] == reach.depth
        else:
            assert reach.unknown is not None and reach.unknown.z3_reason == smt.TIMEOUT, g
    assert any(reach.trace is None for reach in found.values())
    assert (found[0].trace is not None) is (seconds == 60.0)  # x = 9: 9 steps deep


@pytest.mark.parametrize("seconds", [2.0, 12.0, 40.0])
def test_k_induction_stops_at_the_deadline(seconds: float) -> None:
    clock = ticking()
    goals = goals_of(WRAPS, check_deadlock=True)
    deadline = smt.Deadline(seconds, clock(), clock=clock)
    want = bfs_answers(WRAPS)
    for g, answer in kind.induct(WRAPS, goals, 30, deadline).items():
        if answer.reach is not None and answer.reach.trace is not None:
            assert answer.reach.trace.length == want[g]
        elif answer.k is not None:
            assert want[g] is None
        else:
            assert answer.unknown is not None and answer.unknown.z3_reason == smt.TIMEOUT


@pytest.mark.parametrize(("seconds", "decided"), [(1.0, 0), (30.0, 0), (90.0, 2), (400.0, 3)])
def test_pdr_stops_at_the_deadline_in_every_phase(seconds: float, decided: int) -> None:
    # 1 s: the probe's first query; 30 s: the quick phase; 90 s: the two proofs, not the
    # last search to WRAPS' x = 9 (9 steps deep); 400 s: enough for every goal.
    clock = ticking()
    goals = goals_of(WRAPS, check_deadlock=True)
    got = pdr.prove(WRAPS, goals, smt.Deadline(seconds, clock(), clock=clock))
    want = bfs_answers(WRAPS)
    for g, proof in got.items():
        if proof.reach is not None:
            assert proof.reach.trace is not None and proof.reach.trace.length == want[g]
        elif proof.proved:
            assert want[g] is None
        else:
            assert proof.unknown is not None and proof.unknown.z3_reason == smt.TIMEOUT, g
    assert sum(p.reach is not None or p.proved for p in got.values()) == decided


@pytest.mark.parametrize("engine", list(SymbolicEngine))
def test_a_run_past_its_deadline_is_unknown_by_timeout(engine: SymbolicEngine) -> None:
    options = SymbolicOptions(engine, depth=30, timeout_seconds=4.0, clock=ticking())
    result = run_symbolic(STOPS, options)
    assert result.limit is Limit.TIMEOUT and not result.stats.complete
    open_ = [r for r in result.results if r.verdict is Verdict.UNKNOWN]
    assert open_, "4 reads of the clock decide nothing"
    for r in open_:
        assert isinstance(r.reason, SymbolicSearch)
        assert r.reason.outcome is SymbolicOutcome.SOLVER_UNKNOWN
        assert "(timeout)" in detail(r), detail(r)  # what was covered: the depth or k
    assert all(r.verdict is not Verdict.VIOLATED for r in result.results
               if r.name == "y-off")  # holds: a timeout never makes it violated

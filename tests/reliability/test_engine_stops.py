"""Every engine stopped by a whole-run limit keeps what it covered (issue 10, brief rel3
item 4): the vector engine polls `should_stop` as bfs does, and the symbolic engines,
which give Z3 the deadline, keep the goals they decided when the deadline passes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from podcheck import check
from podcheck.check import CheckOptions, check_file
from podcheck.engine import smt
from podcheck.engine.result import Limit
from podcheck.exitcodes import ExitCode
from podcheck.limits import Watch

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "specs/seed/12-drain-pdb.pod")  # 71 001 states


def _limit_on_call(monkeypatch: pytest.MonkeyPatch, limit: Limit, after: int) -> None:
    """The watch reports `limit` from the `after`-th time the search polls it."""
    real = Watch.searching
    calls = [0]

    def searching(self: Watch) -> Limit | None:
        calls[0] += 1
        if calls[0] >= after and self.stop is None:
            self.stop = limit
        return real(self)

    monkeypatch.setattr(Watch, "searching", searching)


@pytest.mark.parametrize("engine", ["vector", "bfs"])
@pytest.mark.parametrize("limit", [Limit.TIMEOUT, Limit.MAX_MEMORY, Limit.INTERRUPT])
def test_a_stopped_search_keeps_its_statistics(monkeypatch: pytest.MonkeyPatch, engine: str,
                                               limit: Limit) -> None:
    _limit_on_call(monkeypatch, limit, after=3)
    run = check_file(SPEC, CheckOptions(engine=engine, timeout_seconds=600.0,
                                        max_memory=2**40))
    assert run.result is not None, [d.message for d in run.diagnostics]
    assert 0 < run.result.stats.states < 71001 and not run.result.stats.complete
    assert run.limit is limit
    expected = ExitCode.INTERRUPTED if limit is Limit.INTERRUPT else ExitCode.INCONCLUSIVE
    assert run.exit_code is expected


def test_a_symbolic_run_past_the_deadline_keeps_its_goals(monkeypatch: pytest.MonkeyPatch) -> None:
    real = check.run_symbolic

    def late(*args, **kwargs):  # type: ignore[no-untyped-def]
        for _ in range(80):  # the watch ticks past the 0.3 s deadline meanwhile
            time.sleep(0.01)
        return real(*args, **kwargs)

    monkeypatch.setattr(check, "run_symbolic", late)
    run = check_file(str(ROOT / "specs/seed/13-direct-delete.pod"),
                     CheckOptions(engine="bmc", max_depth=3, timeout_seconds=0.3))
    assert run.result is not None, [d.message for d in run.diagnostics]
    assert run.limit is Limit.TIMEOUT and run.exit_code is ExitCode.INCONCLUSIVE


@pytest.mark.parametrize("engine", ["bmc", "kind", "pdr"])
@pytest.mark.parametrize("limit", [Limit.MAX_MEMORY, Limit.INTERRUPT])
def test_a_stopped_symbolic_run_keeps_the_goals_it_decided(
        monkeypatch: pytest.MonkeyPatch, engine: str, limit: Limit) -> None:
    # Ctrl-C or --max-memory while Z3 works: the limit is recorded, every later query
    # answers unknown at once, and the goals decided before are kept (smt_values.Deadline).
    watches: list[Watch] = []
    real_cooperating = Watch.cooperating

    def cooperating(self: Watch):  # type: ignore[no-untyped-def]
        watches.append(self)
        return real_cooperating(self)

    real_check = smt.Session.check
    calls = [0]

    def check_query(self, *assumptions):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 3 and watches:
            watches[-1].stop = limit
        return real_check(self, *assumptions)

    monkeypatch.setattr(Watch, "cooperating", cooperating)
    monkeypatch.setattr(smt.Session, "check", check_query)
    run = check_file(str(ROOT / "specs/seed/13-direct-delete.pod"),
                     CheckOptions(engine=engine, max_depth=6, timeout_seconds=600.0))
    assert run.result is not None, [d.message for d in run.diagnostics]
    assert calls[0] >= 3 and run.limit is limit
    expected = ExitCode.INTERRUPTED if limit is Limit.INTERRUPT else ExitCode.INCONCLUSIVE
    assert run.exit_code is expected

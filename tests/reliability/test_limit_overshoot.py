"""NOTE(limit-overshoot): a search that does not poll its limit in time is stopped by
raising; one that saw the limit, or returned its result, is left to finish."""

from __future__ import annotations

import signal

import pytest

from podcheck.engine.result import Limit
from podcheck.limits import OVERSHOOT, Stopped, Watch


def _past_deadline() -> Watch:
    watch = Watch.of(0.0, None)
    assert watch.searching() is None  # the search has started and not yet seen a limit
    assert watch.poll() is Limit.TIMEOUT
    return watch


def test_a_search_stuck_in_one_state_is_stopped_after_the_overshoot() -> None:
    watch = _past_deadline()
    watch.on_timer(signal.SIGALRM, None)  # within the overshoot: only recorded
    assert watch.stopped_at is not None
    watch.stopped_at -= OVERSHOOT + 1
    with pytest.raises(Stopped) as info:
        watch.on_timer(signal.SIGALRM, None)
    assert info.value.limit is Limit.TIMEOUT


def test_a_search_that_saw_the_limit_is_left_to_end() -> None:
    watch = _past_deadline()
    assert watch.searching() is Limit.TIMEOUT  # it will stop at once
    assert watch.stopped_at is not None
    watch.stopped_at -= OVERSHOOT + 1
    watch.on_timer(signal.SIGALRM, None)


def test_a_result_kept_is_never_lost_to_the_overshoot() -> None:
    watch = _past_deadline()
    watch.keep_result()
    assert watch.stopped_at is not None
    watch.stopped_at -= OVERSHOOT + 1
    watch.on_timer(signal.SIGALRM, None)
    assert watch.stop is Limit.TIMEOUT


def test_a_limit_in_the_quotients_liveness_check_keeps_the_safety_verdicts(monkeypatch) -> None:
    # `decide_reduced` polls `searching` while it builds the quotient, which leaves the
    # watch cooperative; its liveness checks must still be stopped at the next tick
    # (before: only OVERSHOOT seconds later, by a Stopped that lost the whole run)
    import podcheck.check as check
    import podcheck.reduced_run as reduced_run
    from podcheck.engine.result import LIVENESS, Verdict

    seen: dict[str, object] = {}
    decide = check.decide_reduced

    def capture(result, canon, max_states, watch):  # type: ignore[no-untyped-def]
        seen["args"] = (result, canon, max_states)
        return decide(result, canon, max_states, watch)

    monkeypatch.setattr(check, "decide_reduced", capture)
    run = check.check_file("specs/liveness/deployment-node-failure.pod", check.CheckOptions())
    assert run.result is not None and "args" in seen
    result, canon, max_states = seen["args"]  # type: ignore[misc]
    watch = Watch.of(0.0, None)
    checked = reduced_run.check_reduced

    def tick_then_check(quotient, prop):  # type: ignore[no-untyped-def]
        watch.on_timer(signal.SIGALRM, None)  # the deadline has passed: a tick
        return checked(quotient, prop)

    monkeypatch.setattr(reduced_run, "check_reduced", tick_then_check)
    got = reduced_run.decide_reduced(result, canon, max_states, watch)
    assert got is not None and got.limit is Limit.TIMEOUT
    live = [p.expectation in LIVENESS for p in got.system.properties]
    assert any(live)
    for before, after, temporal in zip(result.results, got.results, live, strict=True):
        assert after.verdict is Verdict.UNKNOWN if temporal else after == before

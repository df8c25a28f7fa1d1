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

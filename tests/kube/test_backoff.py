"""CrashLoopBackOff facts from Kubernetes v1.35 `pkg/kubelet/kubelet.go`
(newCrashLoopBackOff, HasExpiredFunc > 600 s), `kuberuntime_manager.go` doBackOff and
client-go `util/flowcontrol/backoff.go` (Next, IsInBackOffSince, hasExpired).
"""

from __future__ import annotations

import pytest

from podcheck.kube.backoff import (
    INITIAL_BACKOFF_SECONDS,
    MAX_BACKOFF_SECONDS,
    backoff_after,
    crashloop_delays,
    restart_delay,
)
from podcheck.kube.errors import KubeInputError


def test_defaults_are_the_kubelet_constants():
    # initialCrashLoopBackOff = 10 s; MaxCrashLoopBackOff = MaxContainerBackOff = 300 s
    assert (INITIAL_BACKOFF_SECONDS, MAX_BACKOFF_SECONDS) == (10.0, 300.0)


# doBackOff + Backoff.Next: no entry before the first restart, so it is immediate;
# then 10 s doubling to the 300 s cap.
DELAYS = [
    (0, []),
    (1, [0.0]),
    (2, [0.0, 10.0]),
    (7, [0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0]),
    (9, [0.0, 10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0, 300.0]),
]


@pytest.mark.parametrize(("n", "want"), DELAYS)
def test_crashloop_delays(n, want):
    assert crashloop_delays(n) == want


# Backoff.Next: initial on a missing/expired entry, else doubled and capped.
# HasExpiredFunc: eventTime.Sub(lastUpdate) > 600 s (strictly).
AFTER = [
    (None, 0, 10.0),
    (10.0, 0, 20.0),
    (160.0, 5, 300.0),
    (300.0, 0, 300.0),
    (300.0, 600, 300.0),  # exactly 600 s is not expired
    (300.0, 600.5, 10.0),  # stable for more than 600 s: reset
    (40.0, 3600, 10.0),
]


@pytest.mark.parametrize(("previous", "ran", "want"), AFTER)
def test_backoff_after(previous, ran, want):
    assert backoff_after(previous, ran) == want


# IsInBackOffSince: false without an entry or once expired, else wait the window
WAIT = [
    (None, 0, 0.0),
    (10.0, 0, 10.0),
    (300.0, 599, 300.0),
    (300.0, 600, 300.0),
    (300.0, 601, 0.0),
]


@pytest.mark.parametrize(("previous", "ran", "want"), WAIT)
def test_restart_delay(previous, ran, want):
    assert restart_delay(previous, ran) == want


def test_stable_run_resets_the_sequence():
    window = None
    for _ in range(8):
        window = backoff_after(window, 0)
    assert window == 300.0
    assert restart_delay(window, 700) == 0.0  # immediate restart after a stable run
    window = backoff_after(window, 700)
    assert (window, restart_delay(window, 0)) == (10.0, 10.0)


BAD = [
    (lambda: crashloop_delays(-1), "n"),
    (lambda: crashloop_delays("3"), "n"),
    (lambda: crashloop_delays(True), "n"),
    (lambda: backoff_after(10.0, -1), "running_seconds"),
    (lambda: backoff_after("10", 0), "previous_delay"),
    (lambda: restart_delay(400.0, 0), "previous_delay"),
    (lambda: restart_delay(10.0, float("nan")), "running_seconds"),
]


@pytest.mark.parametrize(("call", "field"), BAD)
def test_bad_input_raises_kube_input_error(call, field):
    with pytest.raises(KubeInputError) as err:
        call()
    assert str(err.value).startswith(field + ":")

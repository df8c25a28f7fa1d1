"""CrashLoopBackOff: how long the kubelet waits before restarting an exited container.

Consumes the back-off window the kubelet recorded at a container's previous restart
(None if it was never restarted) and how long the container then ran; produces the
wait before the next restart and the window recorded at that restart.

Sources (Kubernetes v1.35):
- `pkg/kubelet/kubelet.go`: `klet.crashLoopBackOff = flowcontrol.NewBackOff(base,
  boMax)` with `HasExpiredFunc` = `eventTime.Sub(lastUpdate) > 600*time.Second`;
  `newCrashLoopBackOff` gives base = `initialCrashLoopBackOff` (10 s) and max =
  `MaxCrashLoopBackOff` (300 s): `ReduceDefaultCrashLoopBackOffDecay` is alpha (off)
  and `KubeletCrashLoopBackOffMax` (beta, on) reads
  `crashLoopBackOff.maxContainerRestartPeriod`, which defaults to 300 s.
- `pkg/kubelet/kuberuntime/kuberuntime_manager.go` `doBackOff`: the container is in
  back-off iff `backOff.IsInBackOffSince(key, finishedAt)`; when it is not,
  `backOff.Next(key, finishedAt)` is called and the container is started.
- client-go `util/flowcontrol/backoff.go`: `Next` creates an entry at the initial
  duration when none exists or it has expired, else doubles it up to the max;
  `IsInBackOffSince` is false without an entry or once expired.

So the first restart after the first crash is immediate; the second waits 10 s.
"""

from __future__ import annotations

import math

from podcheck.kube.errors import KubeInputError

INITIAL_BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 300.0
STABLE_RESET_SECONDS = 600.0  # kubelet's HasExpiredFunc: strictly more than 600 s


def restart_delay(previous_delay: float | None, running_seconds: float) -> float:
    """Seconds from a container's exit until the kubelet restarts it.

    `previous_delay` is the window recorded at the previous restart (None if none);
    `running_seconds` is the time from that restart to this exit. Zero when there
    is no window yet or the container ran for more than 600 s.
    """
    previous = _check_delay(previous_delay, "previous_delay")
    ran = _check_seconds(running_seconds, "running_seconds")
    if previous is None or ran > STABLE_RESET_SECONDS:
        return 0.0
    return previous


def backoff_after(previous_delay: float | None, running_seconds: float) -> float:
    """The window the kubelet records when it performs the next restart (Next).

    10 s when there was none or the container ran for more than 600 s (reset),
    otherwise twice the previous window, capped at 300 s.
    """
    previous = _check_delay(previous_delay, "previous_delay")
    ran = _check_seconds(running_seconds, "running_seconds")
    if previous is None or ran > STABLE_RESET_SECONDS:
        return INITIAL_BACKOFF_SECONDS
    return min(previous * 2, MAX_BACKOFF_SECONDS)


def crashloop_delays(n: int) -> list[float]:
    """Waits before each of the first `n` restarts of a container that crashes at once.

    [0, 10, 20, 40, 80, 160, 300, 300, ...]: the first restart is immediate.
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise KubeInputError(f"n: expected an integer, got {type(n).__name__}")
    if n < 0:
        raise KubeInputError(f"n: must be >= 0, got {n}")
    delays: list[float] = []
    window: float | None = None
    for _ in range(n):
        delays.append(restart_delay(window, 0.0))
        window = backoff_after(window, 0.0)
    return delays


def _check_seconds(value: float, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KubeInputError(f"{field}: expected a number, got {type(value).__name__}")
    if math.isnan(value) or value < 0:
        raise KubeInputError(f"{field}: must be a non-negative number, got {value}")
    return float(value)


def _check_delay(value: float | None, field: str) -> float | None:
    if value is None:
        return None
    delay = _check_seconds(value, field)
    if delay > MAX_BACKOFF_SECONDS:
        raise KubeInputError(f"{field}: must be at most {MAX_BACKOFF_SECONDS:g} s, got {value}")
    return delay

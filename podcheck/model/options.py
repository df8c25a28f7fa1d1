"""The abstraction bounds of the model compiler.

Stage: an input of `podcheck.model` (built by the CLI / `check_file` from its flags);
consumed by `podcheck.model.clock`, `podcheck.model.pod` and the cluster side.
Every bound below trades precision for a finite, small state space;
docs/semantics.md (Part II, the kubelet side) says what each one means for
a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ModelOptions:
    """How coarse the model may be.

    `restart_bound`: a container's restart count saturates here; the value means
    "at least `restart_bound`".  A property comparing `restarts` with a number at or
    above the bound is only approximated (the model cannot tell 3 from 7).

    `uid_bound`: pod uids and emptyDir data generations are counted modulo
    `uid_bound + 1`, so `uid_bound + 1` successive re-creations of a slot bring a
    generation back to an earlier value.  Properties that compare generations across
    more re-creations than that see a wrap-around.

    `exact_windows`: when a nondeterministic event (a process coming up somewhere in
    its startup range, an exit somewhere in its run range, a crash or a hang) may
    happen, let time also advance one second at a time, so the event can happen at
    every integer second and not only at the instants where some other event is due.
    Off by default: the event-driven clock is exact for every event that starts no
    timer of its own, and a lot cheaper (see NOTE(time-abstraction) in clock.py).

    `backoff_reset`: model the kubelet forgetting a container's crash-loop back-off
    after it has run for more than 10 minutes.  Costs one 601-second timer while a
    container that has restarted is running; switching it off makes back-off only
    grow (restarts later than the kubelet's, never earlier).

    `terminating_spares`: the extra pod slots of a ReplicaSet, Deployment or Job for
    the replacements of its Terminating pods (NOTE(terminating-spares) in
    model/termination.py).  1 by default: one replacement runs beside a Terminating pod
    at once, a second waits until a Terminating pod is gone; None: as many as the
    workload has pods, so that every pod may terminate while its replacement runs
    (exact, and docs/performance.md measures what it costs).

    `reduce_termination`: a deleted pod that nothing in the spec can observe while it is
    Terminating is removed at its delete (NOTE(termination-unobserved) in
    model/unobserved.py: the verdicts are the same); off: every pod deleted with a
    grace period is Terminating for it.

    `settled_reset`: the reset of a container that cannot exit again in its pod
    instance (it never exits by itself, no probe can kill it, its crash budget is spent)
    is untimed: weakly fair, any time while it runs, instead of 601 s later
    (NOTE(settled-reset) in containers.py).  Only the back-off level is then read,
    and only by `no-crash-loop` and the `backoff` field: drivers set it for runs whose
    other properties do not read `backoff`, and re-run exactly when `no-crash-loop`
    does not hold (podcheck/reset_runs.py).
    """

    restart_bound: int = 3
    uid_bound: int = 3
    exact_windows: bool = False
    backoff_reset: bool = True
    terminating_spares: int | None = 1
    settled_reset: bool = False
    reduce_termination: bool = True

    def __post_init__(self) -> None:
        assert self.restart_bound >= 1, "restart_bound must be at least 1"
        assert self.uid_bound >= 1, "uid_bound must be at least 1"
        assert self.terminating_spares is None or self.terminating_spares >= 0

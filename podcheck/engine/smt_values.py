"""Plain values of the symbolic engines: a run's time budget and Spacer's answer.

Stage: `podcheck.engine`.  No Z3 here (`smt.py` is the one module that imports it and
re-exports these), so the engines and their callers can hold them without z3 types.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from podcheck.engine.result import Limit, Verdict
from podcheck.ir import Expr

TIMEOUT = "timeout"  # the reason of every unknown answered once the deadline has passed

# NOTE(split-deadline): `--timeout T` is one wall-clock budget from the start of the
# process (the imports, the load, the compile included: `cli._started`,
# `check.check_path`) to its end (no interpreter teardown: NOTE(fast-exit) in cli.py).
# The symbolic engines get what is left as one `Deadline`; a phase that must not take
# it all gets a `part` of the time left when it starts (pdr: each goal of a phase an
# equal part, Houdini `LEMMA_SHARE`, the deepening `DEEP_SHARE`), never past the whole.
# Every Z3 query is given the time left as Z3's `timeout` (Solver and Spacer) and its
# effort as `rlimit`; and no encoding starts that cannot end in time: the engines look
# at the clock before encoding a step, a step case or Spacer's clauses (`affords`, with
# the last step's encoding time as the estimate), and answer unknown with the reason
# `TIMEOUT` instead.  Z3's own reason after a deadline ("canceled", ...) reads as
# `TIMEOUT` too (`said`).  Unknown is never a verdict: a goal not decided in time is
# open, with what was covered (the depth, the k) in its reason.


@dataclass(frozen=True, slots=True)
class Deadline:
    """An optional wall-clock budget shared by the queries of one run, and optionally a
    cap on each query's work in Z3's resource units (a count, the same on every
    machine).  `clock` is read for the time (injected by tests: NOTE(split-deadline))."""

    seconds: float | None = None
    start: float = field(default_factory=time.perf_counter)
    should_stop: Callable[[], bool] | None = None  # the run was stopped (Ctrl-C, memory)
    effort: int = 0  # Z3's resource units one `Session.check` may take (0: no cap)
    clock: Callable[[], float] = time.perf_counter
    outer: Deadline | None = None  # the budget this one is a part of (`part`)

    def left(self) -> float | None:
        """Seconds left (may be negative), or None without a budget."""
        own = None if self.seconds is None else self.seconds - (self.clock() - self.start)
        above = None if self.outer is None else self.outer.left()
        if own is None or above is None:
            return above if own is None else own
        return min(own, above)

    def remaining_ms(self) -> int | None:
        """Milliseconds left (at least 1), or None without a budget."""
        left = self.left()
        return None if left is None else max(1, int(left * 1000))

    def expired(self) -> bool:
        """True once the budget is spent or the run was stopped (`should_stop`): every
        query then answers unknown at once, and the engines return what they decided."""
        if self.should_stop is not None and self.should_stop():
            return True
        if self.outer is not None and self.outer.expired():
            return True
        left = self.left()
        return left is not None and left <= 0

    def affords(self, seconds: float) -> bool:
        """False once expired, or when less than `seconds` are left: the work about to
        start (encoding one more step, as long as the last one took) would end past the
        deadline, with no time for the query it prepares (NOTE(split-deadline))."""
        left = self.left()
        return not self.expired() and (left is None or left > seconds)

    def said(self, reason: str) -> str:
        """Z3's `reason` for an unknown, or `TIMEOUT` whatever it said ("canceled",
        "timeout", a resource limit while the time was also up) once this has expired."""
        return TIMEOUT if self.expired() else reason

    def stop(self) -> Limit | None:
        """`Limit.TIMEOUT` once expired, else None: an explicit search's `should_stop`
        (`bfs.BfsOptions`), so that it stops at this budget and on its clock."""
        return Limit.TIMEOUT if self.expired() else None

    def capped(self, seconds: float | None) -> Deadline:
        """NOTE(whole-run-budget): at most `seconds` from now (None: no cap of its own),
        never past this budget (a query's `--query-timeout` within the run's `--timeout`),
        polling the same `should_stop` with the same effort."""
        return Deadline(seconds, self.clock(), self.should_stop, self.effort, self.clock, self)

    def part(self, share: float, effort: int | None = None) -> Deadline:
        """NOTE(split-deadline): a budget of `share` of the time left now (all of it
        without a budget), never past this one, polling the same `should_stop`; each
        query within `effort` resource units (None: this budget's)."""
        left = self.left()
        return Deadline(None if left is None else max(0.0, left * share), self.clock(),
                        self.should_stop, self.effort if effort is None else effort,
                        self.clock, self)


@dataclass(frozen=True, slots=True)
class ChcOutcome:
    """What Spacer answered for one safety goal: the verdict and, when it holds, the
    inductive invariant it found as an IR expression over the state variables (None
    if it used a construct the IR cannot express)."""

    verdict: Verdict
    reason: str = ""
    invariant: Expr | None = None

"""Plain values of the symbolic engines: a run's time budget and Spacer's answer.

Stage: `podcheck.engine`.  No Z3 here (`smt.py` is the one module that imports it and
re-exports these), so the engines and their callers can hold them without z3 types.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from podcheck.engine.result import Verdict
from podcheck.ir import Expr


@dataclass(frozen=True, slots=True)
class Deadline:
    """An optional wall-clock budget shared by the queries of one run, and optionally a
    cap on each query's work in Z3's resource units (a count, the same on every
    machine)."""

    seconds: float | None = None
    start: float = field(default_factory=time.perf_counter)
    should_stop: Callable[[], bool] | None = None  # the run was stopped (Ctrl-C, memory)
    effort: int = 0  # Z3's resource units one `Session.check` may take (0: no cap)

    def remaining_ms(self) -> int | None:
        """Milliseconds left (at least 1), or None without a budget."""
        if self.seconds is None:
            return None
        left = self.seconds - (time.perf_counter() - self.start)
        return max(1, int(left * 1000))

    def expired(self) -> bool:
        """True once the budget is spent or the run was stopped (`should_stop`): every
        query then answers unknown at once, and the engines return what they decided."""
        if self.should_stop is not None and self.should_stop():
            return True
        return self.seconds is not None and time.perf_counter() - self.start >= self.seconds


@dataclass(frozen=True, slots=True)
class ChcOutcome:
    """What Spacer answered for one safety goal: the verdict and, when it holds, the
    inductive invariant it found as an IR expression over the state variables (None
    if it used a construct the IR cannot express)."""

    verdict: Verdict
    reason: str = ""
    invariant: Expr | None = None

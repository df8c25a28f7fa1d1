"""Liveness at scale for the driver: the stuck-state scan first, then liveness on the
symmetry quotient (NOTE(symmetry-liveness), docs/performance.md).

Stage: a driver helper of `podcheck/check.py`.  Consumes a `TransitionSystem` and the
safety pass's `CheckResult`; produces decided (or undecided) liveness results.  It
prints nothing and never exits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from podcheck.engine.bfs import BfsOptions
from podcheck.engine.npcompile import Unsupported
from podcheck.engine.result import (
    LIVENESS,
    CheckResult,
    LivenessPending,
    Pending,
    PropertyResult,
)
from podcheck.engine.stuck import scan_liveness
from podcheck.engine.symliveness import Quotient, check_reduced
from podcheck.engine.symmetry import Broken, Cause, Symmetry, SymmetryUse, prepare
from podcheck.ir import TransitionSystem
from podcheck.limits import Stopped, Watch

SCAN_STATES = 200_000  # states the stuck-state scan may explore before the full checker


@dataclass(frozen=True, slots=True)
class Wants:
    """What of a run's options decides whether liveness may use the quotient."""

    symmetry: bool
    engine: str
    workers: int


def scan_first(system: TransitionSystem, max_states: int | None,
               watch: Watch) -> dict[int, PropertyResult] | None:  # fmt: skip
    """Every liveness property's violation by a stuck state (`engine/stuck.py`), found
    within `SCAN_STATES` states on the vector engine; None when one is left undecided
    (or the system cannot be encoded), and then the full checker decides them all."""
    budget = BfsOptions(max_states=min(SCAN_STATES, max_states or SCAN_STATES),
                        timeout_seconds=watch.remaining())
    with watch.cooperating():  # a limit reached meanwhile is recorded, and ends the scan
        try:
            scan = scan_liveness(system, budget)
        except Unsupported:
            return None
    if watch.stop is not None:
        return None
    wanted = {i for i, p in enumerate(system.properties) if p.expectation in LIVENESS}
    return scan.results if wanted <= scan.results.keys() else None


def liveness_symmetry(system: TransitionSystem, options: Wants,
                      wanted: bool) -> Symmetry | None:  # fmt: skip
    """The groups valid for liveness (NOTE(symmetry-liveness)) when this run checks
    liveness on the quotient: explicit engines, one worker (the bfs engine always runs on
    one), symmetry on, no graph asked."""
    one = options.workers <= 1 or options.engine == "bfs"
    if not (wanted and options.symmetry and options.engine in ("bfs", "vector") and one
            and system.symmetry):
        return None
    return prepare(system, liveness=True)[0]


def decide_reduced(result: CheckResult, canon: Symmetry, max_states: int | None,
                   watch: Watch) -> CheckResult | None:  # fmt: skip
    """Decide the liveness properties on the quotient (`engine/symliveness.py`); None
    when one needs the unreduced graph.  Groups the safety pass used but liveness may
    not are listed as broken for liveness (`Cause.LOWEST_FREE`)."""
    system = result.system
    quotient = Quotient(system, canon)
    try:
        complete = quotient.explore(max_states, lambda: watch.searching() is not None)
    except Stopped:
        complete = False
    if not complete:
        return undecided_liveness(replace(result, limit=result.limit or watch.stop))
    decided: list[PropertyResult] = []
    try:  # `searching` left the watch cooperative: a limit would raise only after
        with watch.interruptible():  # OVERSHOOT seconds (NOTE(limit-overshoot))
            for prop, res in zip(system.properties, result.results, strict=True):
                if prop.expectation in LIVENESS:
                    got = check_reduced(quotient, prop)
                    if got is None:
                        return None
                    res = got
                decided.append(res)
    except Stopped:
        return undecided_liveness(replace(result, limit=result.limit or watch.stop))
    return replace(result, results=tuple(decided), symmetry=_for_liveness(result, canon))


def _for_liveness(result: CheckResult, canon: Symmetry) -> SymmetryUse | None:
    use = result.symmetry
    if use is None or use.off is not None:
        return use
    live = {g.name for g in canon.groups}
    only = tuple(Broken(n, Cause.LOWEST_FREE) for n, _ in use.used if n not in live)
    return replace(use, broken=use.broken + only)


def undecided_liveness(result: CheckResult) -> CheckResult:
    """Liveness needs the whole state graph; say so when a limit cut it short."""
    why = LivenessPending(Pending.GRAPH_INCOMPLETE, result.limit)
    decided = tuple(
        replace(r, reason=why) if p.expectation in LIVENESS else r
        for p, r in zip(result.system.properties, result.results, strict=True)
    )
    return replace(result, results=decided)

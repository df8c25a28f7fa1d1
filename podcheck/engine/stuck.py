"""Liveness violations found on the fly: reachable states where a fair run may stop.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem`; produces, for each
liveness property that has one, a VIOLATED `PropertyResult` whose lasso is the BFS path
to a *stuck* state followed by stuttering there, found while the vector engine explores
(no state graph is built) and as soon as the chunk holding it is reached.

A state s is stuck for a property when a run may stay in s forever (no weakly or
strongly fair action is enabled in s: NOTE(edges-are-enabledness) of `fairness.py`,
computed here from the guards) and staying there violates it:
  LEADS_TO P ~> Q      P(s) and not Q(s): the run reached a P-state and never a Q-state;
  ALWAYS_EVENTUALLY P  not P(s): from some point on P never holds again.
Each is a bad target of `liveness.check_liveness` (a stutter state of its region), so
when the scan finds one the full checker says VIOLATED too.  The converse does not
hold: a violation by a fair cycle, a LEADS_TO run that gets stuck only after leaving
its P-state, or an EVENTUALLY violation (which needs a path avoiding P all along), needs
the full graph; the scan then leaves the property out.  (For ALWAYS_EVENTUALLY a complete
scan without a finding leaves only fair cycles as possible violations.)  The lasso's
prefix is the shortest path to the first stuck state by id, which may be longer than the
full checker's shortest path to any bad target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from podcheck import ir
from podcheck.engine.bfs import BfsOptions
from podcheck.engine.fairness import classify
from podcheck.engine.npcompile import Frame
from podcheck.engine.packing import ExactStore, Ints
from podcheck.engine.progress import SilentReporter
from podcheck.engine.result import (
    FairnessSummary,
    FairSearch,
    PropertyResult,
    Stutter,
    Trace,
    Verdict,
)
from podcheck.engine.vector import Compiled, _Explorer, _Run, compile_vector
from podcheck.ir import Expectation, Fairness, TransitionSystem

DECIDED = "decided"  # `_Run.stop` once every watched property has a stuck state


def stuck_condition(system: TransitionSystem, prop: ir.Property) -> ir.Expr | None:
    """The IR condition of a stuck state for `prop`, or None when the scan cannot decide
    it (EVENTUALLY, safety properties)."""
    classes = classify(system)
    fair = [a.guard for a, c in zip(system.actions, classes.of_action, strict=True)
            if classes.fairness[c] is not Fairness.NONE]  # fmt: skip
    may_stay = ir.not_(ir.or_(*fair)) if fair else ir.TRUE
    if prop.expectation is Expectation.LEADS_TO:
        assert prop.target is not None
        return ir.and_(prop.condition, ir.not_(prop.target), may_stay)
    if prop.expectation is Expectation.ALWAYS_EVENTUALLY:
        return ir.and_(ir.not_(prop.condition), may_stay)
    return None


@dataclass(frozen=True, slots=True)
class Scan:
    """What a scan found: a result per property index it decided, states checked, and
    whether it explored the whole space (then the rest have no stuck state)."""

    results: dict[int, PropertyResult]
    checked: int
    complete: bool


class _Watcher(_Explorer):
    """The vector explorer, also looking for stuck states in every chunk."""

    def __init__(self, system: TransitionSystem, compiled: Compiled, run: _Run,
                 nodes: dict[int, int]) -> None:  # fmt: skip
        super().__init__(system, compiled, run, ExactStore(compiled.layout.words), None)
        self.nodes = dict(nodes)
        self.found: dict[int, int] = {}

    def watch(self, frame: Frame, ids: Ints) -> None:
        """Record the first stuck state of each open property; stop when none is open."""
        for i, nid in list(self.nodes.items()):
            hit = frame.truth(nid)
            first = int(np.argmax(hit))
            if hit[first]:
                self.found[i] = int(ids[first])
                del self.nodes[i]
        if not self.nodes:
            self.run.stop = DECIDED


def scan_liveness(system: TransitionSystem, options: BfsOptions | None = None) -> Scan:
    """Explore `system` on the vector engine until every liveness property that a stuck
    state can violate has one (or the space, or a limit, ends); their lasso results.

    Raises `npcompile.Unsupported` when the vector engine cannot encode the system.
    """
    options = options if options is not None else BfsOptions()
    compiled = compile_vector(system)
    nodes = {}
    for i, prop in enumerate(system.properties):
        cond = stuck_condition(system, prop)
        if cond is not None:
            nodes[i] = compiled.program.add(cond)
    start = time.perf_counter()
    run = _Run(options, SilentReporter(), start, {}, start)
    watcher = _Watcher(system, compiled, run, nodes)
    if nodes:
        watcher.explore(1 << 16)
    summary = classify(system).summary()
    results = {i: _lasso(system, system.properties[i], watcher.trace(sid), run.checked,
                         summary) for i, sid in sorted(watcher.found.items())}  # fmt: skip
    return Scan(results, run.checked, run.stop is None)


def _lasso(system: TransitionSystem, prop: ir.Property, path: Trace, checked: int,
           summary: FairnessSummary) -> PropertyResult:  # fmt: skip
    """The violation: `path` to the stuck state, then stuttering there (and why)."""
    last = path.steps[-1].state
    if any(ir.evaluate(a.guard, last) for a in system.actions):
        why = Stutter.NO_FAIR_ACTION
    else:
        why = Stutter.TERMINAL if ir.evaluate(system.terminal, last) else Stutter.DEADLOCK
    trace = Trace(system, path.steps, loop_start=len(path.steps) - 1, loop_action=None)
    reason = FairSearch(checked, summary, why)
    return PropertyResult(prop.name, Verdict.VIOLATED, trace, expected=prop.expected,
                          reason=reason)

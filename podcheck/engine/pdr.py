"""Unbounded safety by property-directed reachability (Z3's Spacer engine).

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and safety goals (as in
`bmc`); produces, per goal, a proof with the inductive invariant Spacer found (an IR
expression over the state variables, which `podcheck.report.invariant` prints in the
spec's words), a shortest run to a bad state, or what Z3 said when it gave up.

Before the goals, `houdini.lemma` guesses facts of the model from a sample of its states
and keeps those Z3 proves inductive (NOTE(houdini)); Spacer gets them as a lemma that
holds in every reachable state, so it need not rediscover them.

First BMC looks for a run to every goal within `probe_depth` steps (a shallow
violation costs Spacer more than a short unrolling); once Spacer alone leaves a goal
open, the unrolling goes deeper with the lemma (NOTE(deep-bmc)).  Spacer answers
reachability, not the shortest run to a bad state; when it says a goal is reachable,
the same BMC unrolling goes on (unbounded, under the same deadline) to the shortest
run, so the trace has the length BFS reports: every search is on that one unrolling
and asks every goal still without a run (NOTE(shared-unrolling)).  Talks to Z3 only through
`podcheck.engine.smt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine import cores, houdini, smt
from podcheck.engine.bmc import Reach, Unrolling, search_from
from podcheck.engine.result import Solver, SolverUnknown, Verdict
from podcheck.ir import Expr, TransitionSystem

QUICK_EFFORT = 300_000  # NOTE(quick-phase): Z3 resource units Spacer tries a goal alone
CORE_ROUNDS = 30  # at most this many unsat cores grow a proof's smaller invariant
DEEP_DEPTH = 16  # NOTE(deep-bmc): how deep BMC goes before Spacer is asked with the lemma
DEEP_EFFORT = 8_000_000  # Z3 resource units one deepening query may take (about 4-10 s)
DEEP_SHARE = 0.3  # the part of the time left the deepening may take
LEMMA_SHARE = 0.35  # NOTE(split-deadline): the part of the time left Houdini may take
CHC_STEPS = 2  # NOTE(split-deadline): Spacer's clauses take about two BMC steps to encode


@dataclass(frozen=True, slots=True)
class Proof:
    """The answer for one goal: reached (`reach`), proved (`proved`, with `invariant`
    unless Spacer's used a construct the IR lacks), or neither: `unknown` when Z3 could not
    answer, `run_missing` when Spacer found the goal reachable but BMC did not rebuild the
    run (its own `unknown` then says why, if Z3 said)."""

    reach: Reach | None = None
    proved: bool = False
    invariant: Expr | None = None
    unknown: SolverUnknown | None = None
    run_missing: bool = False


@dataclass(slots=True)
class Shared:
    """NOTE(shared-unrolling): one BMC unrolling for every goal of a `prove` call.
    `open` holds the goals without a run that may still need one; every search on the
    unrolling asks all of them (`search`), so a goal still open at depth k was refuted at
    every depth below and the first depth at which a query hits it is the length of its
    shortest run, the length BFS reports.  A goal leaves `open` when a search hits it or
    when it is `close`d (proved, or given up), and never comes back: a goal left out of
    one depth could only be found later at a greater one, a run longer than the shortest
    (the unrolling only grows, and a state at depth j < k cannot be asked on it, since a
    run to a deadlock has no k - j steps more).  So a goal Spacer finds reachable stays
    open through the deepening (NOTE(deep-bmc)), which may even find its run, and the
    last search goes on from where the unrolling is.  `refuted` is the depth up to which
    every open goal is refuted, so that a search does not ask that depth again (a
    `search_from` starts by asking the unrolling's last depth; the lemma strengthening
    the unrolling between two searches only removes unreachable states, so a refuted
    depth stays refuted)."""

    unrolling: Unrolling
    open: dict[int, Expr]
    refuted: int = -1

    def search(self, depth: int | None) -> dict[int, Reach]:
        """`search_from` for every open goal to `depth` steps; the goals hit leave `open`."""
        last = self.unrolling.depth
        if self.open and self.refuted == last:
            if depth is not None and depth <= last:
                return {g: Reach(None, last) for g in self.open}
            if not self.unrolling.session.deadline.affords(self.unrolling.step_seconds):
                late = SolverUnknown(Solver.BMC, last + 1, smt.TIMEOUT)  # NOTE(split-deadline)
                return {g: Reach(None, last, late) for g in self.open}
            self.unrolling.extend()
        found = search_from(self.unrolling, self.open, depth)
        gave_up = any(reach.unknown is not None for reach in found.values())
        self.refuted = self.unrolling.depth - (1 if gave_up else 0)
        for g, reach in found.items():
            if reach.trace is not None:
                del self.open[g]
        return found

    def close(self, goal: int) -> None:
        """`goal` is never searched again (proved, or no run will be asked for)."""
        self.open.pop(goal, None)


def prove(
    system: TransitionSystem, goals: Mapping[int, Expr], deadline: smt.Deadline,
    *, lemma: Expr | None = None,
) -> dict[int, Proof]:  # fmt: skip
    """Decide each goal (an IR condition that must never hold): BMC to `probe_depth`;
    Spacer alone within `QUICK_EFFORT` for each goal (NOTE(quick-phase)); then
    `lemma` (default: `houdini.lemma`), BMC deepened with it (NOTE(deep-bmc)) and
    Spacer seeded with it for every goal still open.  Every BMC search is on one
    unrolling (NOTE(shared-unrolling)), so every run reported is a shortest one."""
    shared = Shared(Unrolling(system, deadline), dict(goals))
    out = _runs(shared.search(probe_depth(system)))
    reachable: set[int] = set()
    if lemma is None:
        _quick(shared, deadline, out, reachable)
    left = {g: bad for g, bad in shared.open.items() if g not in reachable}
    if left:
        known = _lemma(shared, deadline) if lemma is None else lemma
        out |= _deepen(shared, known, deadline)
        left = {g: bad for g, bad in left.items() if g not in out}
        for n, (g, bad) in enumerate(left.items()):
            answer = _spacer(shared, bad, _share(deadline, len(left) - n), known)
            _record(shared, g, bad, answer, known, deadline, out, reachable)
            if g in out:
                shared.close(g)
    assert set(shared.open) <= reachable, "an open goal Spacer did not find reachable"
    for g, reach in shared.search(None).items():
        missing = Proof(unknown=reach.unknown, run_missing=True)
        out[g] = missing if reach.trace is None else Proof(reach=reach)
    return {g: out[g] for g in goals}


def _quick(shared: Shared, deadline: smt.Deadline, out: dict[int, Proof],
           reachable: set[int]) -> None:  # fmt: skip
    """NOTE(quick-phase): Spacer alone asked every open goal within `QUICK_EFFORT` of
    Z3's resource units (0.2-0.7 s of CPU on a spec of 30-40 variables x 50-100
    actions), goal after goal whatever the one before answered.  The goals Spacer decides
    alone it decides within that (a proof of a goal with no lemma needed takes 0.2-0.4 s:
    docs/smt.md), and a goal it cannot decide costs a fifth of the 1.5 M units this
    phase had before, when it also stopped at the first goal not decided and left the
    goals after it to the slower phase with the lemma.  Only answers are recorded: a
    goal not decided goes on to the lemma phase, so this phase changes no verdict, only
    which phase finds it."""
    left = dict(shared.open)
    for n, (g, bad) in enumerate(left.items()):
        budget = _share(deadline, len(left) - n)
        answer = _spacer(shared, bad, budget, ir.TRUE, QUICK_EFFORT)
        if answer.verdict is not Verdict.UNKNOWN:
            _record(shared, g, bad, answer, ir.TRUE, deadline, out, reachable)
        if g in out:
            shared.close(g)


def _spacer(shared: Shared, bad: Expr, budget: smt.Deadline, lemma: Expr, effort: int = 0
            ) -> smt.ChcOutcome:  # fmt: skip
    """Spacer asked within `budget`, unless less of it is left than `CHC_STEPS` of the
    probe's steps took to encode (the clauses encode a step, and Z3 reads them into its
    own rules: 1.5-2.2 times a step on 30-64 variables): then unknown (timeout) at once,
    rather than an encoding that ends past the deadline (NOTE(split-deadline))."""
    if not budget.affords(CHC_STEPS * shared.unrolling.step_seconds):
        return smt.ChcOutcome(Verdict.UNKNOWN, smt.TIMEOUT)
    return smt.prove_by_chc(shared.unrolling.system, bad, budget, lemma, effort)


def _lemma(shared: Shared, deadline: smt.Deadline) -> Expr:
    """`houdini.lemma` within `LEMMA_SHARE` of the time left (NOTE(split-deadline)):
    `TRUE` at once when less is left than one step's encoding."""
    budget = deadline.part(LEMMA_SHARE)
    if not budget.affords(shared.unrolling.step_seconds):
        return ir.TRUE
    return houdini.lemma(shared.unrolling.system, budget, shared.unrolling.step_seconds)


def _runs(found: Mapping[int, Reach]) -> dict[int, Proof]:
    return {g: Proof(reach=r) for g, r in found.items() if r.trace is not None}


def _record(shared: Shared, g: int, bad: Expr, answer: smt.ChcOutcome, known: Expr,
            deadline: smt.Deadline, out: dict[int, Proof], reachable: set[int],
            ) -> None:  # fmt: skip
    """Spacer's `answer` for goal `g`: a proof into `out`, a reachable goal into
    `reachable` (BMC rebuilds its shortest run), or the unknown into `out`."""
    if answer.verdict is Verdict.HOLDS:
        found = None if answer.invariant is None else ir.and_(answer.invariant, known)
        out[g] = Proof(proved=True, invariant=_checked(shared, found, bad, deadline))
    elif answer.verdict is Verdict.VIOLATED:
        reachable.add(g)
    else:
        out[g] = Proof(unknown=SolverUnknown(Solver.SPACER, 0, answer.reason))


def _deepen(shared: Shared, lemma: Expr, deadline: smt.Deadline) -> dict[int, Proof]:
    """NOTE(deep-bmc): the goals Spacer did not decide alone are often deep violations
    (8-17 steps) that BMC finds for less than Spacer, so the probe's unrolling goes on,
    strengthened with the proved `lemma` (NOTE(bmc-lemma)), before Spacer is asked with
    the lemma: at most to `DEEP_DEPTH` steps, each query within `DEEP_EFFORT` of Z3's
    resource units, and the whole within `DEEP_SHARE` of the time left.  It asks every
    goal still open on the unrolling, those Spacer found reachable included
    (NOTE(shared-unrolling)), so a goal hit at depth k was refuted at every depth below
    and its run is a shortest one; a query that gives up ends the deepening (the
    unrolling stays usable: its last depth is asked again by the next search).  It never
    proves a goal, so a goal it does not reach goes on to Spacer as before."""
    share = deadline.part(DEEP_SHARE, DEEP_EFFORT)  # NOTE(split-deadline)
    if not share.affords(shared.unrolling.step_seconds):
        return {}
    shared.unrolling.strengthen(lemma)
    with shared.unrolling.within(share):
        return _runs(shared.search(DEEP_DEPTH))


def probe_depth(system: TransitionSystem) -> int:
    """How deep BMC looks before Spacer: 6 steps for a small system (variables x
    actions <= 1000), 4 up to 2000, else 3 (each step is one more copy of the state)."""
    size = len(system.vars) * len(system.actions)
    return 6 if size <= 1000 else 4 if size <= 2000 else 3


def _share(deadline: smt.Deadline, goals: int) -> smt.Deadline:
    """Spacer's budget for the next of `goals` goals: an equal part of what is left, so
    that a goal Spacer cannot decide does not leave the others no time."""
    return deadline if goals <= 1 else deadline.part(1 / goals)


def smaller(system: TransitionSystem, invariant: Expr, bad: Expr,
            deadline: smt.Deadline) -> Expr:  # fmt: skip
    """NOTE(invariant-core): an inductive invariant S that excludes `bad`, made of the
    lemma's many conjuncts and Spacer's, cut down to a part U that is inductive too.  U
    starts as the unsat core (over S's conjuncts in the pre-state) of "S and bad"; while
    "S, a step, not U after" has a core outside U, that core joins U.  At the end U
    before a step implies U after it, and U excludes bad.  S itself when Z3 does not
    answer or U does not settle within `CORE_ROUNDS` steps.

    NOTE(implied-facts): then every part of U that the others kept and the variables'
    ranges imply is dropped (`cores.irredundant`, the largest part first; a query over one
    state, no step): the conjunction is the same on the domains, so it is as inductive
    and as safe, and `_checked` re-checks it whole anyway."""
    parts = _flat(invariant)
    core = cores.inductive_core(system, parts, bad, deadline, CORE_ROUNDS)
    if core is None:
        return invariant
    kept = cores.irredundant(system, [parts[i] for i in core], deadline)
    return ir.and_(*(parts[core[i]] for i in kept))


def _flat(expr: Expr) -> list[Expr]:
    if isinstance(expr, ir.Op) and expr.op == "and":
        return list(dict.fromkeys(c for a in expr.args for c in _flat(a)))
    return [expr]


def _checked(shared: Shared, invariant: Expr | None, bad: Expr,
             deadline: smt.Deadline) -> Expr | None:  # fmt: skip
    """NOTE(pdr-invariant): Spacer's invariant (with the lemma, cut down by `smaller`),
    translated to the IR, is only reported after Z3 re-checks it from the IR
    (initiation, consecution, safety); none (the proof stands) when less time is left
    than two steps' encoding (NOTE(split-deadline))."""
    system = shared.unrolling.system
    if invariant is None or not deadline.affords(2 * shared.unrolling.step_seconds):
        return None
    invariant = smaller(system, invariant, bad, deadline)
    if not deadline.affords(shared.unrolling.step_seconds):
        return None
    verdict = smt.check_invariant(system, invariant, bad, deadline)
    assert verdict is not Verdict.VIOLATED, "spacer's invariant is not inductive in the IR"
    return invariant if verdict is Verdict.HOLDS else None

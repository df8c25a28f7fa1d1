"""Unbounded safety by property-directed reachability (Z3's Spacer engine).

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and safety goals (as in
`bmc`); produces, per goal, a proof with the inductive invariant Spacer found (an IR
expression over the state variables, which `podcheck.report.invariant` prints in the
spec's words), a shortest run to a bad state, or what Z3 said when it gave up.

Before the goals, `houdini.lemma` guesses facts of the model from a sample of its states
and keeps those Z3 proves inductive (NOTE(houdini)); Spacer gets them as a lemma that
holds in every reachable state, so it need not rediscover them.

Spacer answers reachability, not the shortest run to a bad state; when it says a goal
is reachable, BMC (`bmc.search`, unbounded, under the same deadline) finds the
shortest run, so the trace has the length BFS reports.  Talks to Z3 only through
`podcheck.engine.smt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podcheck import ir
from podcheck.engine import houdini, smt
from podcheck.engine.bmc import Reach, search
from podcheck.engine.result import Solver, SolverUnknown, Verdict
from podcheck.ir import Expr, TransitionSystem

CORE_ROUNDS = 30  # at most this many unsat cores grow a proof's smaller invariant


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


def prove(
    system: TransitionSystem, goals: Mapping[int, Expr], deadline: smt.Deadline,
    *, lemma: Expr | None = None,
) -> dict[int, Proof]:  # fmt: skip
    """Decide each goal (an IR condition that must never hold) with Spacer, seeded with
    `lemma` (default: `houdini.lemma` of the system; `ir.TRUE` for none)."""
    known = houdini.lemma(system, deadline) if lemma is None else lemma
    out: dict[int, Proof] = {}
    reachable: dict[int, Expr] = {}
    for n, (g, bad) in enumerate(goals.items()):
        answer = smt.prove_by_chc(system, bad, _share(deadline, len(goals) - n), known)
        if answer.verdict is Verdict.HOLDS:
            found = None if answer.invariant is None else ir.and_(answer.invariant, known)
            out[g] = Proof(proved=True, invariant=_checked(system, found, bad, deadline))
        elif answer.verdict is Verdict.VIOLATED:
            reachable[g] = bad
        else:
            out[g] = Proof(unknown=SolverUnknown(Solver.SPACER, 0, answer.reason))
    for g, reach in search(system, reachable, None, deadline).items():
        if reach.trace is None:
            out[g] = Proof(unknown=reach.unknown, run_missing=True)
        else:
            out[g] = Proof(reach=reach)
    return {g: out[g] for g in goals}


def _share(deadline: smt.Deadline, goals: int) -> smt.Deadline:
    """Spacer's budget for the next of `goals` goals: an equal part of what is left, so
    that one goal Spacer cannot decide does not leave the others no time."""
    left = deadline.remaining_ms()
    if left is None or goals <= 1:
        return deadline
    return smt.Deadline(left / 1000 / goals, should_stop=deadline.should_stop)


def smaller(system: TransitionSystem, invariant: Expr, bad: Expr,
            deadline: smt.Deadline) -> Expr:  # fmt: skip
    """NOTE(invariant-core): an inductive invariant S that excludes `bad`, made of the
    lemma's many conjuncts and Spacer's, cut down to a part U that is inductive too.  U
    starts as the unsat core (over S's conjuncts in the pre-state) of "S and bad"; while
    "S, a step, not U after" has a core outside U, that core joins U.  At the end U
    before a step implies U after it, and U excludes bad.  S itself when Z3 does not
    answer or U does not settle within `CORE_ROUNDS` steps."""
    parts = _flat(invariant)
    core = smt.inductive_core(system, parts, bad, deadline, CORE_ROUNDS)
    return invariant if core is None else ir.and_(*(parts[i] for i in core))


def _flat(expr: Expr) -> list[Expr]:
    if isinstance(expr, ir.Op) and expr.op == "and":
        return list(dict.fromkeys(c for a in expr.args for c in _flat(a)))
    return [expr]


def _checked(system: TransitionSystem, invariant: Expr | None, bad: Expr,
             deadline: smt.Deadline) -> Expr | None:  # fmt: skip
    """NOTE(pdr-invariant): Spacer's invariant (with the lemma, cut down by `smaller`),
    translated to the IR, is only reported after Z3 re-checks it from the IR
    (initiation, consecution, safety)."""
    if invariant is None:
        return None
    invariant = smaller(system, invariant, bad, deadline)
    verdict = smt.check_invariant(system, invariant, bad, deadline)
    assert verdict is not Verdict.VIOLATED, "spacer's invariant is not inductive in the IR"
    return invariant if verdict is Verdict.HOLDS else None

"""Unbounded safety by property-directed reachability (Z3's Spacer engine).

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and safety goals (as in
`bmc`); produces, per goal, a proof with the inductive invariant Spacer found (an IR
expression over the state variables, which `podcheck.report.invariant` prints in the
spec's words), a shortest run to a bad state, or what Z3 said when it gave up.

Spacer answers reachability, not the shortest run to a bad state; when it says a goal
is reachable, BMC (`bmc.search`, unbounded, under the same deadline) finds the
shortest run, so the trace has the length BFS reports.  Talks to Z3 only through
`podcheck.engine.smt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from podcheck.engine import smt
from podcheck.engine.bmc import Reach, search
from podcheck.engine.result import Solver, SolverUnknown, Verdict
from podcheck.ir import Expr, TransitionSystem


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
    system: TransitionSystem, goals: Mapping[int, Expr], deadline: smt.Deadline
) -> dict[int, Proof]:
    """Decide each goal (an IR condition that must never hold) with Spacer."""
    out: dict[int, Proof] = {}
    reachable: dict[int, Expr] = {}
    for g, bad in goals.items():
        answer = smt.prove_by_chc(system, bad, deadline)
        if answer.verdict is Verdict.HOLDS:
            out[g] = Proof(proved=True, invariant=_checked(system, answer.invariant, bad,
                                                           deadline))
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


def _checked(system: TransitionSystem, invariant: Expr | None, bad: Expr,
             deadline: smt.Deadline) -> Expr | None:  # fmt: skip
    """NOTE(pdr-invariant): Spacer's invariant, translated to the IR, is only reported
    after Z3 re-checks it from the IR (initiation, consecution, safety)."""
    if invariant is None:
        return None
    verdict = smt.check_invariant(system, invariant, bad, deadline)
    assert verdict is not Verdict.VIOLATED, "spacer's invariant is not inductive in the IR"
    return invariant if verdict is Verdict.HOLDS else None

"""k-induction: unbounded proofs that a bad state is unreachable.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and safety goals (as in
`bmc`); produces, per goal, a shortest run to a bad state (the base case, which is
BMC), a proof (the smallest k for which the goal is k-inductive), or the reason it
is neither (not k-inductive for any k <= K, or what Z3 said when it could not answer).

For k = 0, 1, ..., K:
  base(k): no run from an initial state reaches a bad state in k steps (BMC);
  step(k): no path t0 -> ... -> t(k+1) of valid states (any states within the
           domains, not only reachable ones) that are good in t0..tk is bad in
           t(k+1).  With `simple_path`, the t's are pairwise different, which makes
           the method complete on finite domains (a shortest bad run is simple).
The goal is proved at the first k whose base cases 0..k and step(k) all answer
unsat.  Talks to Z3 only through `podcheck.engine.smt`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.bmc import Reach, Unrolling, search_from
from podcheck.engine.result import Solver, SolverUnknown, Verdict
from podcheck.ir import Expr, TransitionSystem


@dataclass(frozen=True, slots=True)
class Induction:
    """The answer for one goal: reached (`reach.trace`), proved at `k`, or neither
    (`unknown` when Z3 could not answer; else the goal is not k-inductive for k <= K)."""

    reach: Reach | None = None
    k: int | None = None
    unknown: SolverUnknown | None = None


@dataclass(slots=True)
class _StepCase:
    """The path t0 -> ... -> tn, not necessarily from an initial state, good before tn."""

    system: TransitionSystem
    good: Expr
    deadline: smt.Deadline
    simple_path: bool
    encoder: smt.Encoder = field(init=False)
    session: smt.Session = field(init=False)
    states: list[smt.StateCopy] = field(init=False)
    step_seconds: float = field(default=0.0, init=False)  # how long the last `extend` took

    def __post_init__(self) -> None:
        self.encoder = smt.Encoder(self.system)
        self.session = smt.Session(self.encoder, self.deadline)
        first = self.encoder.state("t0")
        self.session.add(first.domain)
        self.states = [first]

    def extend(self) -> None:
        """Assume the goal good in the last state, then add one more step."""
        enc, last, began = self.encoder, self.states[-1], self.deadline.clock()
        post = enc.state(f"t{len(self.states)}")
        self.session.add(enc.formula(self.good, last), post.domain, enc.transition(last, post))
        if self.simple_path:
            self.session.add(*(enc.differ(s, post) for s in self.states))
        self.states.append(post)
        self.step_seconds = self.deadline.clock() - began

    def inductive(self) -> smt.Outcome:
        """HOLDS when no such path ends in a bad state."""
        bad = self.encoder.negate(self.encoder.formula(self.good, self.states[-1]))
        with self.session.scope():
            self.session.add(bad)
            return self.session.check()


def _encoding(base: Unrolling, steps: Mapping[int, _StepCase]) -> float:
    """How long one step may take to encode: the longest step encoded so far, the base
    case's or any goal's step case (each encodes the same transition relation)."""
    return max([base.step_seconds, *(s.step_seconds for s in steps.values())])


def induct(
    system: TransitionSystem,
    goals: Mapping[int, Expr],
    max_k: int,
    deadline: smt.Deadline,
    *,
    simple_path: bool = True,
) -> dict[int, Induction]:
    """Decide each goal (an IR condition that must never hold) by k-induction, k <= max_k."""
    base = Unrolling(system, deadline)
    steps = {g: _StepCase(system, ir.not_(bad), deadline, simple_path) for g, bad in goals.items()}
    out: dict[int, Induction] = {}
    for k in range(max_k + 1):
        if k > 0 and not deadline.affords(_encoding(base, steps)):  # NOTE(split-deadline)
            late = SolverUnknown(Solver.BMC, k, smt.TIMEOUT)
            out |= {g: Induction(reach=Reach(None, k - 1, late), unknown=late)
                    for g in goals if g not in out}  # fmt: skip
            break
        if k > 0:
            base.extend()
        open_goals = {g: goals[g] for g in goals if g not in out}
        for g, reach in search_from(base, open_goals, k).items():
            if reach.trace is not None or reach.unknown is not None:
                out[g] = Induction(reach=reach, unknown=reach.unknown)
        for g in [g for g in goals if g not in out]:
            if not deadline.affords(_encoding(base, steps)):  # NOTE(split-deadline)
                out[g] = Induction(unknown=SolverUnknown(Solver.INDUCTION_STEP, k, smt.TIMEOUT))
                continue
            steps[g].extend()
            outcome = steps[g].inductive()
            if outcome.verdict is Verdict.HOLDS:
                out[g] = Induction(k=k)
            elif outcome.verdict is Verdict.UNKNOWN:
                out[g] = Induction(unknown=SolverUnknown(Solver.INDUCTION_STEP, k,
                                                         outcome.reason))
        if len(out) == len(goals):
            break
    return out | {g: Induction() for g in goals if g not in out}

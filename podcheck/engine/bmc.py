"""Bounded model checking: is a bad state reachable within K steps?

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and safety goals (IR
conditions that must never hold: a violated invariant, a `sometimes` witness, a
deadlock); produces, per goal, a concrete shortest run to a bad state or the depth up
to which there is none.  Talks to Z3 only through `podcheck.engine.smt`.

The unrolling is incremental: one solver holds init(s0) and the steps
s0 -> s1 -> ... -> sk; at depth k it asks, in a retracted scope, whether some still
open goal is bad in sk.  Every shallower depth was already refuted for the goals
still open, so the first depth at which a goal is hit is the length of its shortest
counterexample: the same length BFS finds.  Z3's model becomes a concrete `Trace`
by choosing, at each step, the first action (in action order) whose guard holds and
whose updates give the next state under `ir` reference semantics; the run is then
re-validated step by step (NOTE(z3-trace)).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.result import Solver, SolverUnknown, Step, Trace, Verdict
from podcheck.ir import Expr, State, TransitionSystem


@dataclass(frozen=True, slots=True)
class Reach:
    """The answer for one goal: `trace` to a bad state, or none within `depth` steps
    (`unknown` when the search stopped early because Z3 could not answer)."""

    trace: Trace | None
    depth: int
    unknown: SolverUnknown | None = None


def concrete_trace(system: TransitionSystem, states: list[State]) -> Trace:
    """The run through `states`, each step labelled with the action that takes it.

    NOTE(z3-trace): a state sequence from a Z3 model is only reported after
    `ir` reference semantics replays it: the first state is initial and every step is
    an enabled action's update.  A mismatch is a bug in the encoding and fails loudly."""
    assert states[0] in system.init, "z3 trace does not start in an initial state"
    steps = [Step(states[0])]
    for before, after in zip(states, states[1:], strict=False):
        steps.append(Step(after, _action_between(system, before, after)))
    return Trace(system, tuple(steps))


def _action_between(system: TransitionSystem, before: State, after: State) -> int:
    for i, action in enumerate(system.actions):
        if not ir.evaluate(action.guard, before):
            continue
        try:
            if ir.apply(system, action, before) == after:
                return i
        except ir.ModelError:
            continue
    raise AssertionError(f"z3 step {before} -> {after} is no action of the system")


@dataclass(slots=True)
class Unrolling:
    """An incremental unrolling from the initial states: s0 -> ... -> s(depth)."""

    system: TransitionSystem
    deadline: smt.Deadline
    encoder: smt.Encoder = field(init=False)
    session: smt.Session = field(init=False)
    states: list[smt.StateCopy] = field(init=False)

    lemma: Expr = field(default=ir.TRUE, init=False)  # NOTE(bmc-lemma)
    step_seconds: float = field(default=0.0, init=False)  # how long the last `extend` took

    def __post_init__(self) -> None:
        self.encoder = smt.Encoder(self.system)
        self.session = smt.Session(self.encoder, self.deadline)
        first = self.encoder.state("0")
        self.session.add(first.domain, self.encoder.init(first))
        self.states = [first]

    @contextmanager
    def within(self, deadline: smt.Deadline) -> Iterator[None]:
        """Every query of the `with` block answers within `deadline` (time and effort)."""
        saved, self.session.deadline = self.session.deadline, deadline
        try:
            yield
        finally:
            self.session.deadline = saved

    def strengthen(self, lemma: Expr) -> None:
        """NOTE(bmc-lemma): assume `lemma` in every state of the unrolling, now and after
        every later step.  The caller has proved it inductive (it holds initially and
        every action keeps it), so every reachable state satisfies it: every state of a
        run from an initial state is reachable, so no run is cut and every answer, the
        shortest run's length included, is the same; Z3 only has fewer states to
        refute."""
        self.lemma = ir.and_(self.lemma, lemma)
        self.session.add(*(self.encoder.formula(lemma, s) for s in self.states))

    @property
    def depth(self) -> int:
        """How many steps the unrolling has."""
        return len(self.states) - 1

    def extend(self) -> None:
        """Add one more step."""
        clock = self.session.deadline.clock
        began = clock()
        post = self.encoder.state(str(len(self.states)))
        self.session.add(post.domain, self.encoder.transition(self.states[-1], post))
        if self.lemma != ir.TRUE:
            self.session.add(self.encoder.formula(self.lemma, post))
        self.states.append(post)
        self.step_seconds = clock() - began

    def hit(self, goals: Mapping[int, Expr]) -> tuple[smt.Outcome, dict[int, Trace]]:
        """Which goals some run reaches in its last state: the query's outcome and, if
        VIOLATED, the goals bad in the last state of the run Z3 found, with that run."""
        last = self.states[-1]
        bad = self.encoder.any_of([self.encoder.formula(g, last) for g in goals.values()])
        with self.session.scope():
            self.session.add(bad)
            outcome = self.session.check()
        if outcome.model is None:
            return outcome, {}
        states = smt.states_of(outcome.model, self.states)
        trace = concrete_trace(self.system, states)
        found = {k: trace for k, g in goals.items() if ir.evaluate(g, states[-1])}
        assert found, "z3 model reaches none of the goals it was asked for"
        return outcome, found


def search(
    system: TransitionSystem,
    goals: Mapping[int, Expr],
    depth: int | None,
    deadline: smt.Deadline,
) -> dict[int, Reach]:
    """The shortest run to each goal within `depth` steps (None: until all are found,
    Z3 gives up or the deadline passes)."""
    unrolling = Unrolling(system, deadline)
    return search_from(unrolling, goals, depth)


def search_from(unrolling: Unrolling, goals: Mapping[int, Expr], depth: int | None
                ) -> dict[int, Reach]:  # fmt: skip
    """`search` continuing an existing unrolling (used by k-induction's base case)."""
    out: dict[int, Reach] = {}
    open_goals = dict(goals)
    while open_goals:
        unknown = _hits_at_depth(unrolling, open_goals, out)
        if unknown is not None:
            return out | {k: Reach(None, unrolling.depth - 1, unknown) for k in open_goals}
        if not open_goals or (depth is not None and unrolling.depth >= depth):
            break
        if not unrolling.session.deadline.affords(unrolling.step_seconds):  # NOTE(split-deadline)
            late = SolverUnknown(Solver.BMC, unrolling.depth + 1, smt.TIMEOUT)
            return out | {k: Reach(None, unrolling.depth, late) for k in open_goals}
        unrolling.extend()
    return out | {k: Reach(None, unrolling.depth) for k in open_goals}


def _hits_at_depth(unrolling: Unrolling, open_goals: dict[int, Expr], out: dict[int, Reach]
                   ) -> SolverUnknown | None:  # fmt: skip
    """Move every goal reachable in exactly `unrolling.depth` steps from `open_goals` to
    `out`; what Z3 said if it could not answer, else None."""
    while open_goals:
        outcome, found = unrolling.hit(open_goals)
        if outcome.verdict is Verdict.UNKNOWN:
            return SolverUnknown(Solver.BMC, unrolling.depth, outcome.reason)
        if outcome.verdict is Verdict.HOLDS:
            return None
        for k, trace in found.items():
            out[k] = Reach(trace, unrolling.depth)
            del open_goals[k]
    return None

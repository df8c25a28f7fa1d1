"""Candidate invariants mined from a sample of reachable states, kept once Z3 proves them.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem`; produces a *lemma*: a
conjunction of simple facts about its variables that holds in every initial state and is
closed under every action (within the domains), for `pdr.prove` to hand to Spacer.

NOTE(houdini): Spacer has to discover on its own the many facts that hold of a model by
construction (a pod that does not exist has no node, a container that never started has
exit code 0, ...) before it can prove anything; on seed/12-drain-pdb (43 variables, 82
actions) it did not within 15 s, and with these facts given it takes under 5 s.  Here
the facts are guessed and then checked, as in Houdini (Flanagan and Leino, 2001):

- guess: BFS (without symmetry) explores about `SAMPLE` states breadth-first from the
  initial states; every *candidate* holds in all of them: each variable's seen values
  (`x in {...}` or `lo' <= x <= hi'`), and for two variables of few values, the values
  one takes while the other has a given value (`x != a or y in {...}`);
- check: candidates false in an initial state are dropped; then Z3 asks for a step from
  a state satisfying every candidate to a state that violates one; the candidates that
  state violates are dropped, and the question is asked again until there is no such
  step (unsat).  The candidates left hold initially and are inductive together, so
  every reachable state satisfies them: a guess is never assumed unchecked.

When Z3 answers unknown (the deadline), no lemma is returned.  The sample only proposes;
a wrong guess costs a query and is dropped, it never changes a verdict.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from podcheck import ir
from podcheck.engine import bfs, smt
from podcheck.engine.result import Verdict
from podcheck.ir import Expr, State, TransitionSystem, Var

SAMPLE = 5_000  # states the guesses are read from
LISTED = 4  # a set of at most this many values is listed; a larger one is a range
ROUNDS = 200  # at most this many Z3 queries drop candidates


def sample(system: TransitionSystem, deadline: smt.Deadline, limit: int = SAMPLE) -> list[State]:
    """About `limit` reachable states, breadth-first from every initial state (BFS
    without symmetry, stopping at the end of the level that passes `limit`); none when
    an update leaves its variable's domain (a model error, PC501 from BFS)."""
    left = deadline.remaining_ms()
    options = bfs.BfsOptions(max_states=limit, symmetry=False, keep_graph=True,
                             check_deadlock=False,
                             timeout_seconds=None if left is None else left / 1000)  # fmt: skip
    try:
        graph = bfs.explore(system, options)[1]
    except ir.ModelError:
        return []
    return [] if graph is None else list(graph.states)


def _within(x: Expr, values: set[int]) -> list[Expr]:
    """`x` takes one of `values`: listed when few, else the range they span."""
    if len(values) == 1:
        return [ir.eq(x, next(iter(values)))]
    if len(values) <= LISTED:
        return [ir.or_(*(ir.eq(x, v) for v in sorted(values)))]
    return [ir.op(">=", x, min(values)), ir.op("<=", x, max(values))]


def candidates(system: TransitionSystem, states: Sequence[State]) -> list[Expr]:
    """Every candidate of NOTE(houdini) that holds in each of `states`."""
    columns = list(zip(*states, strict=True)) if states else []
    seen = [set(column) for column in columns]
    out: list[Expr] = []
    for i, values in enumerate(seen):
        var = system.vars[i]
        if values != set(range(var.lo, var.hi + 1)):
            out.extend(_within(Var(i), values))
    small = [i for i, values in enumerate(seen) if 1 < len(values) <= LISTED]
    for i, j in itertools.permutations(small, 2):
        together: dict[int, set[int]] = {}
        for a, b in set(zip(columns[i], columns[j], strict=True)):
            together.setdefault(a, set()).add(b)
        for a, values in sorted(together.items()):
            if values != seen[j]:
                out.append(ir.or_(ir.not_(ir.eq(Var(i), a)), *_within(Var(j), values)))
    return out


def filtered(system: TransitionSystem, guesses: Sequence[Expr], deadline: smt.Deadline,
             step_seconds: float = 0.0) -> list[Expr] | None:  # fmt: skip
    """The largest subset of `guesses` that holds initially and that Z3 proves closed
    under every action, found by dropping what a step violates; None on unknown.

    One solver for every round: guess i is switched on by a 0/1 constant `on_i` (an
    index past the layout, read through `extra`): `on_i -> g_i` before the step, and
    some `on_i and not g_i` after it; each round assumes the kept ones on, the dropped
    ones off, so the solver keeps what it learnt.  None at once when less time is left
    than twice `step_seconds` (one step's encoding, and the guesses': NOTE(split-deadline))."""
    if not deadline.affords(2 * step_seconds):
        return None
    kept = [i for i, g in enumerate(guesses) if all(ir.evaluate(g, s) for s in system.init)]
    enc = smt.Encoder(system)
    pre, post = enc.state("pre"), enc.state("post")
    width = len(system.vars)
    flags = [enc.constant(f"on{i}", 0, 1) for i in range(len(guesses))]
    extra = {width + i: term for i, (term, _) in enumerate(flags)}
    on = [Var(width + i) for i in range(len(guesses))]
    session = smt.Session(enc, deadline)
    session.add(pre.domain, enc.transition(pre, post), post.domain, *(r for _, r in flags))
    session.add(*(enc.formula(ir.or_(ir.not_(on[i]), g), pre, extra)
                  for i, g in enumerate(guesses)))  # fmt: skip
    session.add(enc.any_of([enc.formula(ir.and_(on[i], ir.not_(g)), post, extra)
                            for i, g in enumerate(guesses)]))  # fmt: skip
    switch = [enc.formula(ir.eq(on[i], 1), pre, extra) for i in range(len(guesses))]
    for _ in range(ROUNDS):
        chosen = set(kept)
        answer = session.check(*(f if i in chosen else enc.negate(f)
                                 for i, f in enumerate(switch)))  # fmt: skip
        if answer.verdict is Verdict.HOLDS:
            return [guesses[i] for i in kept]
        if answer.model is None:
            return None
        after = smt.state_of(answer.model, post)
        kept = [i for i in kept if ir.evaluate(guesses[i], after)]
    return None


def lemma(system: TransitionSystem, deadline: smt.Deadline, step_seconds: float = 0.0) -> Expr:
    """The conjunction of the candidates Z3 keeps (`TRUE` when none, or on unknown);
    `step_seconds`: how long one step of the system takes to encode (`filtered`)."""
    states = sample(system, deadline)
    if not states:
        return ir.TRUE
    kept = filtered(system, candidates(system, states), deadline, step_seconds)
    return ir.and_(*kept) if kept else ir.TRUE


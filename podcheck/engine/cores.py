"""Parts of an inductive invariant that are enough: unsat cores and implied parts.

Stage: `podcheck.engine`.  Consumes an `ir.TransitionSystem` and the conjuncts of an
invariant; produces indices of the conjuncts kept: `inductive_core` (a subset that is
inductive and excludes a bad condition, NOTE(invariant-core) in `pdr.py`) and
`irredundant` (without the parts the others and the variables' ranges imply,
NOTE(implied-facts) in `pdr.py`).  Talks to Z3 only through `podcheck.engine.smt`: each
part is named by an assumption `part<i>` that implies it in a state copy `pre`, and a
query's unsat core names the parts it needed.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from podcheck.engine import smt
from podcheck.engine.result import Verdict
from podcheck.ir import Expr, TransitionSystem


def _guarded(system: TransitionSystem, parts: Sequence[Expr], deadline: smt.Deadline
             ) -> tuple[smt.Encoder, smt.StateCopy, list[smt.Formula], smt.Session]:  # fmt: skip
    """A session over a state `pre` in its domains where the flag `part<i>` implies
    `parts[i]` in `pre` (the flags are the assumptions of the queries)."""
    enc = smt.Encoder(system)
    pre, session = enc.state("pre"), smt.Session(enc, deadline)
    flags = [enc.flag(f"part{i}") for i in range(len(parts))]
    session.add(pre.domain, *(enc.implies(f, enc.formula(p, pre))
                              for f, p in zip(flags, parts, strict=True)))  # fmt: skip
    return enc, pre, flags, session


def inductive_core(system: TransitionSystem, parts: Sequence[Expr], bad: Expr,
                   deadline: smt.Deadline, rounds: int) -> list[int] | None:  # fmt: skip
    """Indices of a subset of `parts` (inductive together and excluding `bad`) that is
    too, grown from unsat cores (NOTE(invariant-core) in pdr.py); None if not found."""
    enc, pre, flags, session = _guarded(system, parts, deadline)
    post = enc.state("post")
    after = [enc.formula(p, post) for p in parts]
    step, needed = enc.all_of([enc.transition(pre, post), post.domain]), set[int]()
    for obligation in itertools.chain([enc.formula(bad, pre)], itertools.repeat(None, rounds)):
        kept = enc.all_of([after[i] for i in needed])
        with session.scope():
            session.add(obligation if obligation is not None else
                        enc.all_of([step, enc.negate(kept)]))  # fmt: skip
            if session.check(*flags).verdict is not Verdict.HOLDS:
                return None
            grown = needed | {int(str(f)[4:]) for f in session.core()}
        if obligation is None and grown == needed:
            return sorted(needed)
        needed = grown
    return None


def irredundant(system: TransitionSystem, parts: Sequence[Expr], deadline: smt.Deadline
                ) -> list[int]:  # fmt: skip
    """NOTE(implied-facts) in pdr.py: indices of `parts` without each part that the
    variables' ranges and the parts kept imply (the largest tried first); a part whose
    query Z3 does not answer is kept."""
    enc, pre, flags, session = _guarded(system, parts, deadline)
    kept = list(range(len(parts)))
    for i in sorted(kept, key=lambda i: (-len(str(parts[i])), -i)):
        with session.scope():
            session.add(enc.negate(enc.formula(parts[i], pre)))
            if session.check(*(flags[j] for j in kept if j != i)).verdict is Verdict.HOLDS:
                kept.remove(i)
    return kept

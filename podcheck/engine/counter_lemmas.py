"""Structural lemmas of the counter system, checked by Z3 and handed to Spacer.

Stage: `podcheck.engine`.  Consumes a counter system (`engine.parametric.counter_system`)
and its scenario; produces the system *strengthened* by the lemmas below once Z3 has
proved them inductive, for the queries of `parametric.smallest_failing`.

NOTE(counter-lemmas): with three or more nodes Spacer does not find, within minutes, the
invariant that proves DrainNeverStuck (for example three nodes, two drained one at a
time, one failure: at most one node cordoned and one down, so a pending pod always has a
node).  The proof needs facts that hold by construction of the counter system, and
these are written here as one IR condition `L`:

- conservation: Absent + Pending + every node's Starting and Ready = replicas;
- the failures so far = the nodes Down, and a Down node holds no pod;
- at most `max_cordoned` drainable nodes are Cordoned (one-at-a-time mode), and a node
  that is not drained is never Cordoned nor Drained;
- during the setup every node is Up, nothing failed, every pod is Ready; once running,
  replicas >= lo.

`strengthened` first asks Z3 whether `L` holds initially and is closed under every action
(`smt.check_invariant`, one SMT query per obligation; nothing is assumed).  Only then
every action's guard gets `L` as a conjunct and every property P becomes `P or not L`.
Both changes keep the reachable states, the runs and their lengths exactly: every
reachable state satisfies `L`, so no reachable transition is cut and no reachable state
changes verdict.  What changes is Spacer's task: its invariant need not rediscover `L`.
When Z3 does not confirm `L` (a bug in this module; `tests/engine/test_parametric.py`
checks it at every scenario it builds), the system is used as it is.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from podcheck import ir
from podcheck.engine import smt
from podcheck.engine.result import Verdict
from podcheck.ir import Expr, TransitionSystem


class CounterScenario(Protocol):
    """What the lemmas read of `engine.parametric.CounterScenario`."""

    @property
    def lo(self) -> int: ...
    @property
    def nodes(self) -> int: ...
    @property
    def drains(self) -> int: ...
    @property
    def max_cordoned(self) -> int | None: ...

_UP, _CORDONED, _DOWN = 0, 1, 2  # parametric's node states (Drained = 3)
_SETUP, _RUNNING = 0, 1


def lemma(system: TransitionSystem, s: CounterScenario) -> Expr:
    """`L` of NOTE(counter-lemmas) over `system`'s variables (read by name)."""
    v = {sv.name: ir.Var(i) for i, sv in enumerate(system.vars)}
    nodes = range(1, s.nodes + 1)
    on = {q: ir.op("+", v[f"starting{q}"], v[f"ready{q}"]) for q in nodes}
    total = ir.sum_(v["absent"], v["pending"], *on.values())
    state = {q: v[f"node{q}"] for q in nodes}
    parts = [ir.eq(total, v["replicas"]),
             ir.eq(v["failures"], ir.count(*(ir.eq(state[q], _DOWN) for q in nodes))),
             *(ir.or_(ir.not_(ir.eq(state[q], _DOWN)), ir.eq(on[q], 0)) for q in nodes),
             *(ir.or_(ir.eq(state[q], _UP), ir.eq(state[q], _DOWN))
               for q in nodes if q > s.drains)]  # fmt: skip
    if s.max_cordoned is not None:
        busy = ir.count(*(ir.eq(state[q], _CORDONED) for q in range(1, s.drains + 1)))
        parts.append(ir.op("<=", busy, s.max_cordoned))
    setup = ir.and_(ir.eq(v["failures"], 0), ir.eq(v["absent"], 0), ir.eq(v["pending"], 0),
                    *(ir.eq(state[q], _UP) for q in nodes),
                    *(ir.eq(v[f"starting{q}"], 0) for q in nodes))  # fmt: skip
    parts.append(ir.or_(ir.not_(ir.eq(v["phase"], _SETUP)), setup))
    parts.append(ir.or_(ir.not_(ir.eq(v["phase"], _RUNNING)), ir.op(">=", v["replicas"], s.lo)))
    return ir.and_(*parts)


def is_inductive(system: TransitionSystem, condition: Expr, timeout_seconds: float | None = None,
                 within: smt.Deadline | None = None) -> bool:  # fmt: skip
    """Z3 proved `condition` initial and closed under every action of `system` (each query
    within `timeout_seconds` and the whole run's budget `within`)."""
    deadline = (within or smt.Deadline()).capped(timeout_seconds)
    verdict = smt.check_invariant(system, condition, ir.FALSE, deadline)
    return verdict is Verdict.HOLDS


def strengthened(system: TransitionSystem, condition: Expr, timeout_seconds: float | None = None,
                 within: smt.Deadline | None = None) -> TransitionSystem:  # fmt: skip
    """`system` with `condition` (its `L`: `lemma`, `counter_rollout.rollout_lemma`) in
    every guard and every property read as `P or not L`, once Z3 proved `L` inductive
    (NOTE(counter-lemmas)); `system` itself otherwise."""
    if not is_inductive(system, condition, timeout_seconds, within):
        return system
    actions = tuple(replace(a, guard=ir.and_(a.guard, condition)) for a in system.actions)
    props = tuple(replace(p, condition=ir.or_(p.condition, ir.not_(condition)))
                  for p in system.properties)  # fmt: skip
    return replace(system, actions=actions, properties=props)

"""The properties the counter systems share: SafeEvictions, AlwaysAvailable and
DrainNeverStuck (`engine.parametric`, `engine.counter_rollout`).

Stage: `podcheck.engine`.  Consumes a counter system's variables (read through the
protocol below), its actions, the names of the moves that let a drain go on and the
PDB's desiredHealthy; produces the three `ir.Property`s (NOTE(counter-drains) in
engine/parametric.py for what DrainNeverStuck reads).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from podcheck import ir
from podcheck.engine.counter_rules import CORDONED, RUNNING
from podcheck.ir import Action, Expectation, Expr, Property


class CounterVars(Protocol):
    """What the properties read of a counter system's variables."""

    def __getitem__(self, name: str) -> ir.Var: ...
    def healthy(self) -> Expr: ...
    def on(self, q: int) -> Expr: ...


def counter_properties(v: CounterVars, watch: int, actions: Sequence[Action], desired: Expr,
                       moves: Collection[str], moved: str) -> tuple[Property, ...]:  # fmt: skip
    """SafeEvictions (the history variable `violated`), AlwaysAvailable and
    DrainNeverStuck over the drains of nodes 1..`watch`: stuck when none of the actions
    named in `moves` is enabled (`moved` says which they are, for the description)."""
    running = ir.eq(v["phase"], RUNNING)
    guards = [a.guard for a in actions if a.name in moves]
    held = ir.or_(*(ir.and_(ir.eq(v[f"node{q}"], CORDONED), ir.op(">=", v.on(q), 1))
                    for q in range(1, watch + 1)))
    stuck = ir.and_(running, held, *(ir.not_(g) for g in guards))
    return (Property("SafeEvictions", Expectation.ALWAYS, ir.not_(v["violated"]),
                     description="no eviction leaves fewer than desiredHealthy pods Ready"),
            Property("AlwaysAvailable", Expectation.ALWAYS,
                     ir.or_(ir.not_(running), ir.op(">=", v.healthy(), desired)),
                     description="at least desiredHealthy pods are Ready in every state"),
            Property("DrainNeverStuck", Expectation.ALWAYS, ir.not_(stuck),
                     description="while a watched drained node is cordoned and holds a pod, "
                     f"{moved} can always happen"))  # fmt: skip

"""engine/cores.py: the parts of an invariant that are enough."""

from __future__ import annotations

from podcheck import ir
from podcheck.engine import cores, smt
from podcheck.ir import Action, StateVar, TransitionSystem, Var

VARS = (StateVar("a", -20, 20), StateVar("b", -20, 20), StateVar("c", 0, 1, ("off", "on")))
A, B, C = Var(0), Var(1), Var(2)
INC = Action("inc", (), ir.op("<", A, 5), ((0, ir.op("+", A, 1)),), "a += 1", "x")
SYSTEM = TransitionSystem("t", VARS, ((0, 0, 0),), (INC,), ())


def test_irredundant_drops_the_parts_the_others_and_the_ranges_imply():
    """NOTE(implied-facts): `a <= 3` follows from `a <= 1`, `c <= 1` from c's range
    0..1, `a + b <= 4` from `a <= 1` and `b <= 2`; what is left is not implied."""
    parts = [ir.op("<=", A, 3), ir.op("<=", A, 1), ir.op("<=", C, 1),
             ir.op("<=", ir.op("+", A, B), 4), ir.op("<=", B, 2)]
    assert cores.irredundant(SYSTEM, parts, smt.Deadline()) == [1, 4]
    assert cores.irredundant(SYSTEM, parts[:2], smt.Deadline()) == [1]
    assert cores.irredundant(SYSTEM, [ir.op("<=", A, B), ir.op(">=", A, B)],
                             smt.Deadline()) == [0, 1]  # fmt: skip


def test_the_inductive_core_keeps_what_the_proof_needs():
    """`a <= 5` is inductive and excludes `a > 5`; `b = 0` is inductive too but not
    needed; `a <= 2` is not inductive and is not kept."""
    parts = [ir.op("==", B, 0), ir.op("<=", A, 5)]
    assert cores.inductive_core(SYSTEM, parts, ir.op(">", A, 5), smt.Deadline(), 5) == [1]
    assert cores.inductive_core(SYSTEM, [ir.op("<=", A, 2)], ir.op(">", A, 5),
                                smt.Deadline(), 5) is None  # fmt: skip

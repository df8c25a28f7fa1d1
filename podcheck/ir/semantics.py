"""The reference semantics of the IR: slow, obviously right, used by tests to check the
fast engines.

Stage: reads `podcheck.ir` values only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from podcheck.ir.expr import Const, Expr, State, Var
from podcheck.ir.system import Action, TransitionSystem


class ModelError(Exception):
    """An update drove a variable outside its declared domain: a bug in the model."""


def evaluate(expr: Expr, state: Sequence[int]) -> int:
    """The value of `expr` in `state` (reference semantics; booleans are 0/1)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Var):
        return state[expr.index]
    name, args = expr.op, expr.args
    if name == "and":
        return int(all(evaluate(a, state) for a in args))
    if name == "or":
        return int(any(evaluate(a, state) for a in args))
    if name == "ite":
        branch = args[1] if evaluate(args[0], state) else args[2]
        return evaluate(branch, state)
    vals = [evaluate(a, state) for a in args]
    return _apply_op(name, vals)


def _apply_op(name: str, vals: list[int]) -> int:
    match name:
        case "+":
            return sum(vals)
        case "*":
            return vals[0] * vals[1]
        case "-":
            return vals[0] - vals[1]
        case "neg":
            return -vals[0]
        case "//":
            return vals[0] // vals[1]
        case "%":
            return vals[0] % vals[1]
        case "min":
            return min(vals)
        case "max":
            return max(vals)
        case "not":
            return int(not vals[0])
    comparisons = {
        "==": vals[0] == vals[1],
        "!=": vals[0] != vals[1],
        "<": vals[0] < vals[1],
        "<=": vals[0] <= vals[1],
        ">": vals[0] > vals[1],
        ">=": vals[0] >= vals[1],
    }
    return int(comparisons[name])


def apply(system: TransitionSystem, action: Action, state: State) -> State:
    """The successor of `state` under `action` (its guard is assumed to hold)."""
    out = list(state)
    for index, rhs in action.updates:
        value = evaluate(rhs, state)
        var = system.vars[index]
        if not var.lo <= value <= var.hi:
            raise ModelError(
                f"{action.label}: {var.name} = {value} is outside {var.lo}..{var.hi}"
            )
        out[index] = value
    return tuple(out)


def successors(system: TransitionSystem, state: State) -> Iterator[tuple[int, State]]:
    """Every `(action index, next state)` enabled in `state`, in action order."""
    for i, action in enumerate(system.actions):
        if evaluate(action.guard, state):
            yield i, apply(system, action, state)

"""Interval arithmetic over IR operators: sound bounds of an operator's value from its
arguments' bounds, shared by the code generators (`pyexpr.py`, `npcompile.py`).

Stage: inside `podcheck.engine`; reads operator names of `podcheck.ir` only.
"""

from __future__ import annotations


def arith_bounds(name: str, parts: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Bounds of the arithmetic operator `name` (`+ - * neg // % min max`) over arguments
    with bounds `parts`; None for `//` and `%` when the divisor's range contains 0.
    Division and modulo follow Python's floor semantics for either sign of divisor."""
    if name == "+":
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if name in ("min", "max"):
        fn = min if name == "min" else max
        return fn(p[0] for p in parts), fn(p[1] for p in parts)
    if name == "neg":
        return -parts[0][1], -parts[0][0]
    (alo, ahi), (blo, bhi) = parts[0], parts[-1]
    if name == "-":
        return alo - bhi, ahi - blo
    if name == "*":
        corners = [a * b for a in (alo, ahi) for b in (blo, bhi)]
        return min(corners), max(corners)
    if blo <= 0 <= bhi:
        return None
    if name == "%":
        return (0, bhi - 1) if blo > 0 else (blo + 1, 0)
    corners = [a // b for a in (alo, ahi) for b in (blo, bhi)]
    return min(corners), max(corners)

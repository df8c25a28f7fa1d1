"""Update lists: the simultaneous assignments model components hand to each other.

Stage: internal to `podcheck.model`.  An update list is what `Builder.action` takes:
(variable, new value) pairs.  Components build them separately (a container's stop,
its probes' reset, a counter bump) and `merge` combines them into one action.
"""

from __future__ import annotations

from podcheck import ir

Updates = list[tuple[ir.Var, ir.Expr | int]]


def merge(*parts: Updates) -> Updates:
    """Concatenate update lists; a later assignment to the same variable wins."""
    out: dict[int, tuple[ir.Var, ir.Expr | int]] = {}
    for part in parts:
        for var, value in part:
            out[var.index] = (var, value)
    return list(out.values())

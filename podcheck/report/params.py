"""The parameters of a verdict in words: the witness values of a run, or "for every
value" of a proof (specs with symbolic parameters, `podcheck.engine.params`).

Stage: `podcheck.report`.  Consumes a `CheckResult`'s system and one `PropertyResult`;
produces one line of text, or none when the system has no parameters.
"""

from __future__ import annotations

import math

from podcheck.engine.params import PARAM_OWNER
from podcheck.engine.result import PropertyResult, Verdict
from podcheck.ir import TransitionSystem


def param_line(system: TransitionSystem, result: PropertyResult) -> str | None:
    """`with failureThreshold = 3` for a run (the values of its first state), `for every
    failureThreshold in 1..10` for a verdict without a run (naming the number of points
    when a bounded range leaves out some of the product), None without parameters or for
    an undecided property."""
    found = [(i, v) for i, v in enumerate(system.vars) if v.owner == PARAM_OWNER]
    if not found:
        return None
    if result.trace is not None:
        first = result.trace.steps[0].state
        return "with " + " and ".join(f"{v.field} = {first[i]}" for i, v in found)
    if result.verdict is Verdict.UNKNOWN:
        return None
    ranges = " and ".join(f"{v.field} in {v.lo}..{v.hi}" for _, v in found)
    points = {tuple(s[i] for i, _ in found) for s in system.init}
    product = math.prod(v.hi - v.lo + 1 for _, v in found)
    return f"for every {ranges}" + ("" if len(points) == product else
                                    f" (the spec's {len(points)} points)")

"""The parameters of a verdict in words: the witness values of a run, or "for every
value" of a proof (specs with symbolic parameters, `podcheck.engine.params`).

Stage: `podcheck.report`.  Consumes a `CheckResult`'s system and one `PropertyResult`;
produces one line of text, or none when the system has no parameters.
"""

from __future__ import annotations

import math

from podcheck.engine.params import PARAM_OWNER
from podcheck.engine.result import CountVerdicts, PropertyResult, Verdict
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


def values_words(values: tuple[int, ...]) -> str:
    """`2`, `2 and 3`, `1, 4 and 6`, `4..10` (a run of three or more is `lo..hi`)."""
    runs: list[list[int]] = []
    for v in values:
        if runs and runs[-1][-1] == v - 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    parts = [f"{r[0]}..{r[-1]}" if len(r) >= 3 else str(v) for r in runs
             for v in (r if len(r) < 3 else r[:1])]  # fmt: skip
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def counts_line(c: CountVerdicts) -> str:
    """`fails at replicas 2 and 3, holds at 4..10 (one bfs run per count; the run shown
    is at replicas 2)`."""
    said = [f"{what} {values_words(values)}" for what, values in
            (("fails at", c.failing), ("holds at", c.holding), ("undecided at", c.undecided))
            if values]  # fmt: skip
    head, *rest = said
    first, _, tail = head.partition(" at ")
    shown = "" if c.shown is None else f"; the run shown is at {c.param} {c.shown}"
    return (", ".join([f"{first} at {c.param} {tail}", *rest])
            + f" (one {c.engine} run per count{shown})")


def counts_json(c: CountVerdicts) -> dict[str, object]:
    """The per-count verdicts as JSON: `{"param", "failing", "holding", "undecided",
    "engine", "shown"}`."""
    return {"param": c.param, "failing": list(c.failing), "holding": list(c.holding),
            "undecided": list(c.undecided), "engine": c.engine, "shown": c.shown}

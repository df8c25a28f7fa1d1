"""The parameters of a verdict in words: the witness values of a run, or "for every
value" of a proof (specs with symbolic parameters, `podcheck.engine.params`).

Stage: `podcheck.report`.  Consumes a `CheckResult`'s system and one `PropertyResult`;
produces one line of text, or none when the system has no parameters.

NOTE(probe-offsets): a probe worker's phase (where its first tick falls after a
container starts, in [initialDelay, initialDelay + period): NOTE(probe-ticks) in
model/probe_clock.py) is not a parameter: the model chooses it lazily, per container
instance, when the tick first matters (NOTE(lazy-phase)), so no state holds it.  A run
reveals it: the witness names, for each container start in the run, how long after it
the first tick of each probe came (`the first startup probe of `app` 0 s after it
started`), read from the trace's step times (`report.clock`).
"""

from __future__ import annotations

import math

from podcheck.engine.params import PARAM_OWNER
from podcheck.engine.result import CountVerdicts, PropertyResult, Trace, Verdict
from podcheck.ir import TransitionSystem
from podcheck.report.clock import step_times
from podcheck.vocab import ActionKind, ProbeKind

_RESTARTS = (ActionKind.RESTART, ActionKind.RESTART_AFTER_BACK_OFF)
_PROBES = {str(a): kind for kind in ProbeKind for a in ActionKind
           if str(a).startswith(f"{kind.value}_probe_") and not str(a).endswith("_skipped")}


def probe_offsets(trace: Trace) -> list[str]:
    """For each container start of `trace` and each probe whose first effective tick
    after it is in the run: `the first startup probe of `app` 0 s after it started`
    (NOTE(probe-offsets)); in step order."""
    times = step_times(trace)
    pods: dict[str, int] = {}  # pod -> step its containers started
    restarted: dict[tuple[str, str], int] = {}  # (pod, container) -> step of its restart
    probed: set[tuple[str, str, ProbeKind]] = set()
    out: list[str] = []
    for i, step in enumerate(trace.steps[1:], start=1):
        action = trace.system.actions[step.action or 0]
        args = dict(action.params)
        pod, container = args.get("pod", ""), args.get("container", "")
        if action.name == ActionKind.START_CONTAINERS:
            pods[pod] = i
            restarted = {k: v for k, v in restarted.items() if k[0] != pod}
            probed = {p for p in probed if p[0] != pod}
        elif action.name in _RESTARTS:
            restarted[(pod, container)] = i
            probed = {p for p in probed if p[:2] != (pod, container)}
        kind = _PROBES.get(action.name)
        start = restarted.get((pod, container), pods.get(pod))
        if kind is not None and start is not None and (pod, container, kind) not in probed:
            probed.add((pod, container, kind))
            where = f"`{container}`" if pod == container else f"`{container}` in `{pod}`"
            out.append(f"the first {kind.value} probe of {where} "
                       f"{times[i] - times[start]} s after it started")
    return _collapsed(out)


def _collapsed(words: list[str]) -> list[str]:
    """Repeated phrases in a row once, with how many starts they describe."""
    out: list[tuple[str, int]] = []
    for w in words:
        if out and out[-1][0] == w:
            out[-1] = (w, out[-1][1] + 1)
        else:
            out.append((w, 1))
    return [w if n == 1 else f"{w} (each of {n} starts)" for w, n in out]


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
        offsets = probe_offsets(result.trace)
        return "with " + " and ".join(f"{v.field} = {v.show(first[i])}" for i, v in found) + (
            "; " + ", ".join(offsets) if offsets else "")
    if result.verdict is Verdict.UNKNOWN:
        return None
    ranges = " and ".join(f"{v.field} in {v.show(v.lo)}..{v.show(v.hi)}" for _, v in found)
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

"""`podcheck tune`'s text: the holding values as intervals, the failing ones with the
property that fails, which engine decided, and a patch to the spec line.

Stage: `podcheck.report`.  Consumes an `engine.tune.Tuning` and the spec's source text;
produces text.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from podcheck.engine.tune import Method, Tuning, ValueVerdict, intervals
from podcheck.report.clock import step_times
from podcheck.report.params import probe_offsets
from podcheck.spec.params import Param


def _runs(values: list[int], p: Param) -> str:
    return ", ".join(p.shown(lo) if lo == hi else f"{p.shown(lo)}..{p.shown(hi)}"
                     for lo, hi in intervals(values))  # fmt: skip


def _patch(tuning: Tuning, sources: Mapping[str, str], value: int) -> list[str]:
    """A unified diff setting the field to `value`: one hunk per line changed, the range's
    line and, for a manifest's annotation, the Kubernetes field it stands for
    (NOTE(tune-field-patch) in spec/params.py)."""
    p = tuning.param
    text = sources.get(p.span.file)
    edits = [(p.span, p.literal(value))]
    if p.field_patch and p.field_span.file == p.span.file:
        edits.append((p.field_span, p.field_literal(value)))
    if text is None or any(span.line > len(text.splitlines()) for span, _ in edits):
        return []
    lines = text.splitlines()
    name = posixpath.basename(p.span.file)
    out = [f"--- {name}", f"+++ {name}"]
    for number in sorted({span.line for span, _ in edits}):
        new = line = lines[number - 1]
        for span, literal in sorted((e for e in edits if e[0].line == number),
                                    key=lambda e: -e[0].column):  # right to left
            old = new[span.column - 1: span.end_column - 1]
            if old[:1] in ("'", '"') and literal[:1] != old[:1]:  # keep the YAML quoting
                literal = old[0] + literal + old[0]
            new = new[: span.column - 1] + literal + new[span.end_column - 1:]
        if new != line:
            out += [f"@@ -{number} +{number} @@", f"-{line}", f"+{new}"]
    if len(out) == 2:  # the file already says `value`
        out = []
    if p.unset:
        out.append(f"note: the manifest leaves {p.unset} to its default; set it to "
                   f"{value} too, so that the cluster runs the value checked")
    return out


def _witness(tuning: Tuning, largest: bool) -> list[str]:
    """The run at the failing value next to the holding one the patch sets (the largest
    failing value below it, or the smallest above it with `largest`): when it fails, and
    where the probes' first ticks fell (NOTE(probe-offsets) in report/params.py)."""
    runs = tuning.holding()
    failing = [v for v in tuning.values if not v.holds and v.trace is not None]
    if not runs or not failing:
        return []
    edge = runs[-1][1] if largest else runs[0][0]
    near: list[ValueVerdict] = ([v for v in failing if v.value > edge][:1] if largest
                                else [v for v in failing if v.value < edge][-1:])  # fmt: skip
    if not near or near[0].trace is None:
        return []
    v, trace = near[0], near[0].trace
    when = step_times(trace)[-1]
    offsets = "".join(f", {o}" for o in probe_offsets(trace))
    p = tuning.param
    return [f"  the run at {p.field} = {p.shown(v.value)}: `{v.failing}` fails after "
            f"{when} s{offsets}"]


def render_tuning(tuning: Tuning, sources: Mapping[str, str], *, largest: bool = False) -> str:
    """The whole `tune` report (module doc); the patch sets the smallest holding value,
    or the largest when `largest`."""
    p = tuning.param
    lines = [f"parameter `{p.name}` in {p.shown(p.lo)}..{p.shown(p.hi)}"]
    holding = [v.value for v in tuning.values if v.holds]
    none = "found" if tuning.stopped else f"in {p.shown(p.lo)}..{p.shown(p.hi)}"
    lines.append(f"  every property holds for {p.field} in {_runs(holding, p)}" if holding
                 else f"  no value of {p.field} {none} makes every property hold")
    stop = ("left undecided (the --timeout budget ran out)" if tuning.stopped
            else "a limit stopped the search")
    failing: dict[str, list[int]] = {}
    for v in tuning.values:
        if not v.holds:
            failing.setdefault(v.failing or stop, []).append(v.value)
    for why, values in failing.items():
        what = f"`{why}` fails" if why in {v.failing for v in tuning.values} else why
        lines.append(f"  {what} for {p.field} in {_runs(values, p)}")
    methods: dict[str, list[int]] = {}
    for v in tuning.values:
        if v.method is not Method.NONE:
            methods.setdefault(v.method.value, []).append(v.value)
    if methods:
        lines.append("  decided by " + "; ".join(f"{m} for {_runs(vs, p)}"
                                                 for m, vs in methods.items()))
    lines += _witness(tuning, largest)
    runs = tuning.holding()
    if runs:
        value, which = (runs[-1][1], "largest") if largest else (runs[0][0], "smallest")
        found = " found" if tuning.stopped and any(
            v.undecided and (v.value > value if largest else v.value < value)
            for v in tuning.values) else ""
        lines += [f"{which} holding value{found}: {p.shown(value)}",
                  *_patch(tuning, sources, value)]
    return "\n".join(lines + _coverage(tuning)) + "\n"


def _coverage(tuning: Tuning) -> list[str]:
    """What a run the budget stopped decided (NOTE(whole-run-budget) in engine/tune.py)."""
    if tuning.stopped is None:
        return []
    p, values = tuning.param, tuning.values
    holding = [v.value for v in values if v.holds]
    failing = [v.value for v in values if not v.holds and not v.undecided]
    left = [v.value for v in values if v.undecided]
    decided = len(holding) + len(failing)
    return [f"stopped by {tuning.stopped.value}: {decided} of {len(values)} values of "
            f"{p.field} decided (holding: {_runs(holding, p) or 'none'}; failing: "
            f"{_runs(failing, p) or 'none'}), left undecided: {_runs(left, p)}"]

"""`podcheck tune`'s text: the holding values as intervals, the failing ones with the
property that fails, which engine decided, and a patch to the spec line.

Stage: `podcheck.report`.  Consumes an `engine.tune.Tuning` and the spec's source text;
produces text.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping

from podcheck.engine.tune import Tuning, intervals


def _runs(values: list[int]) -> str:
    return ", ".join(str(lo) if lo == hi else f"{lo}..{hi}" for lo, hi in intervals(values))


def _patch(tuning: Tuning, sources: Mapping[str, str], value: int) -> list[str]:
    """A unified-diff hunk setting the field to `value`."""
    span = tuning.param.span
    text = sources.get(span.file)
    if text is None or span.line > len(text.splitlines()):
        return []
    line = text.splitlines()[span.line - 1]
    new = line[: span.column - 1] + str(value) + line[span.end_column - 1:]
    name = posixpath.basename(span.file)
    return [f"--- {name}", f"+++ {name}", f"@@ -{span.line} +{span.line} @@",
            f"-{line}", f"+{new}"]  # fmt: skip


def render_tuning(tuning: Tuning, sources: Mapping[str, str], *, largest: bool = False) -> str:
    """The whole `tune` report (module doc); the patch sets the smallest holding value,
    or the largest when `largest`."""
    p = tuning.param
    lines = [f"parameter `{p.name}` in {p.lo}..{p.hi}"]
    holding = [v.value for v in tuning.values if v.holds]
    lines.append(f"  every property holds for {p.field} in {_runs(holding)}" if holding
                 else f"  no value of {p.field} in {p.lo}..{p.hi} makes every property hold")
    failing: dict[str, list[int]] = {}
    for v in tuning.values:
        if not v.holds:
            failing.setdefault(v.failing or "a limit stopped the search", []).append(v.value)
    for why, values in failing.items():
        what = f"`{why}` fails" if why in {v.failing for v in tuning.values} else why
        lines.append(f"  {what} for {p.field} in {_runs(values)}")
    methods: dict[str, list[int]] = {}
    for v in tuning.values:
        methods.setdefault(v.method.value, []).append(v.value)
    lines.append("  decided by " + "; ".join(f"{m} for {_runs(vs)}" for m, vs in methods.items()))
    runs = tuning.holding()
    if runs:
        value, which = (runs[-1][1], "largest") if largest else (runs[0][0], "smallest")
        lines += [f"{which} holding value: {value}", *_patch(tuning, sources, value)]
    return "\n".join(lines) + "\n"

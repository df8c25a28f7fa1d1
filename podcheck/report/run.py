"""Render one verification run (`podcheck.run.CheckRun`) for people or machines.

Stage: `podcheck.report`.  Consumes a `CheckRun` (diagnostics with their sources, and
the engine's `CheckResult`); produces text (diagnostics in the ruff-like layout, then
every property's verdict with its shortest counterexample, the summary and the
statistics) or one JSON document (diagnostics plus verdicts, statistics and ITF traces).
"""

from __future__ import annotations

from typing import Any

from podcheck.diagnostics import Severity
from podcheck.diagnostics.render import ordered, render, to_json
from podcheck.report.itf import dumps, result_to_json
from podcheck.report.text import render_result, render_stats, render_summary
from podcheck.run import CheckRun


def render_run_text(run: CheckRun, *, reproduce: str | None, show_timing: bool = False) -> str:
    """Diagnostics (if any), then the verification report."""
    parts = []
    if run.diagnostics:
        parts.append(render(run.diagnostics, run.sources, "text"))
    if run.result is not None:
        parts.append(render_result(run.result, reproduce=reproduce, show_timing=show_timing))
    return "\n".join(parts)


def render_run_json(run: CheckRun, *, show_timing: bool = False) -> str:
    """One JSON document: `{"diagnostics": [...], "result": {...} | null,
    "vacuousDisruptions": [...], "exitCode": n}` (`vacuousDisruptions`: the environment
    fields whose disruption no reachable state enables, when some verdict holds)."""
    doc: dict[str, Any] = {
        "diagnostics": [to_json(d) for d in ordered(run.diagnostics)],
        "result": None if run.result is None else result_to_json(run.result,
                                                                 show_timing=show_timing),
        "vacuousDisruptions": list(run.vacuous),
        "exitCode": int(run.exit_code),
    }
    return dumps(doc)


def render_run_summary(run: CheckRun, *, show_timing: bool = False) -> str:
    """`--quiet`: the errors (if any), then the verdict table and the statistics line."""
    errors = [d for d in run.diagnostics if d.severity is Severity.ERROR]
    text = render(errors, run.sources, "text") if errors else ""
    if run.result is None:
        return text
    return text + render_summary(run.result) + render_stats(run.result, show_timing=show_timing)

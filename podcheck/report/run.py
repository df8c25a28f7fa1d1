"""Render one verification run (`podcheck.run.CheckRun`) for people or machines.

Stage: `podcheck.report`.  Consumes a `CheckRun` (diagnostics with their sources, and
the engine's `CheckResult`); produces text (diagnostics in the ruff-like layout, then
every property's verdict with its shortest counterexample, the summary and the
statistics) or one JSON document (diagnostics plus verdicts, statistics and ITF traces).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from podcheck.diagnostics import Severity, codes
from podcheck.diagnostics.render import ordered, render, to_json
from podcheck.exitcodes import ExitCode
from podcheck.report.itf import dumps, result_to_json
from podcheck.report.text import render_result, render_stats, render_summary
from podcheck.report.view import Detail
from podcheck.run import CheckRun


def render_run_text(run: CheckRun, *, reproduce: str | None, show_timing: bool = False,
                    detail: Detail = Detail.PEOPLE) -> str:
    """Diagnostics (if any), then the verification report (traces at `detail`)."""
    parts = []
    if run.diagnostics:
        parts.append(render(run.diagnostics, run.sources, "text"))
    if run.result is not None:
        parts.append(render_result(run.result, reproduce=reproduce, show_timing=show_timing,
                                   detail=detail))
    return "\n".join(parts) + counts_again(run)


def counts_again(run: CheckRun) -> str:
    """NOTE(counts-hint): an inconclusive run (a limit, `--timeout`, Ctrl-C) of a spec
    `podcheck counts` decides repeats PC506 at the end of its report."""
    if run.exit_code not in (ExitCode.INCONCLUSIVE, ExitCode.INTERRUPTED):
        return ""
    hint = next((d for d in run.diagnostics if d.code == codes.COUNTS_DECIDES_RANGE), None)
    if hint is None:
        return ""
    return f"\nnote[{hint.code}]: inconclusive here, but {hint.message}\n  = help: {hint.help}\n"


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
        return text + counts_again(run)
    return (text + render_summary(run.result) + render_stats(run.result, show_timing=show_timing)
            + counts_again(run))


def render_runs_text(runs: Sequence[CheckRun], commands: Sequence[str], *, timing: bool,
                     quiet: bool, detail: Detail = Detail.PEOPLE) -> str:
    """`check`'s text output for several runs: each run's report (`--quiet`: its summary),
    with its reproduce line."""
    if quiet:
        return "".join(render_run_summary(run, show_timing=timing) for run in runs)
    return "\n".join(render_run_text(run, reproduce=cmd, show_timing=timing, detail=detail)
                     for run, cmd in zip(runs, commands, strict=True))

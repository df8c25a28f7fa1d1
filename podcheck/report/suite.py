"""Render a regression-suite run (`podcheck test`) as text.

Stage: `podcheck.report`.  Consumes a `podcheck.run.SuiteResult` (one `SpecOutcome`
per spec, its problems as values); produces one line per spec, its problems indented
below it, and a closing count.  Deterministic: specs in the order the suite ran them.
"""

from __future__ import annotations

from podcheck.report.words import detail
from podcheck.run import (
    Deadlocked,
    ExpectationMismatch,
    Handling,
    Incomplete,
    Problem,
    SpecErrors,
    SpecOutcome,
    Status,
    SuiteResult,
    Undecided,
    VerdictMismatch,
)

_HANDLED = {Handling.PARSED: "parsed only", Handling.REJECTED: "rejected as its `# E:` expect"}


def problem_line(problem: Problem) -> str:
    """One problem of a spec, as the suite report prints it."""
    if isinstance(problem, VerdictMismatch):
        return f"`{problem.name}`: expected {problem.expected}, got {problem.got.value}"
    if isinstance(problem, Undecided):
        return f"`{problem.result.name}`: inconclusive ({detail(problem.result)})"
    if isinstance(problem, Deadlocked):
        return f"deadlock in {problem.trace.length} steps, and no expected violation ends there"
    if isinstance(problem, Incomplete):
        return f"inconclusive: the run stopped ({problem.limit}) before it was complete"
    if isinstance(problem, SpecErrors):
        return f"spec has errors: {', '.join(problem.codes)}"
    assert isinstance(problem, ExpectationMismatch)
    return problem.line


def _what(o: SpecOutcome) -> str:
    if o.handling in _HANDLED:
        return _HANDLED[o.handling]
    return f"{o.properties} {'property' if o.properties == 1 else 'properties'}"


def render_suite(result: SuiteResult) -> str:
    """One line per spec, its problems indented below, and a closing count."""
    lines: list[str] = []
    for o in result.outcomes:
        lines.append(f"{o.status.value:<5} {o.path} ({_what(o)})")
        lines.extend(f"      {problem_line(p)}" for p in o.problems)
    counts = {s: sum(o.status is s for o in result.outcomes) for s in Status}
    lines.append(
        f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed"
        + (f", {counts[Status.ERROR]} with errors" if counts[Status.ERROR] else "")
        + (f", {counts[Status.INCONCLUSIVE]} inconclusive" if counts[Status.INCONCLUSIVE]
           else "")
        + (", interrupted" if result.interrupted else "")
    )
    return "\n".join(lines) + "\n"

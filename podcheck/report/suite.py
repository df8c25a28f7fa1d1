"""Render a regression-suite run (`podcheck test`) as text.

Stage: `podcheck.report`.  Consumes a `podcheck.run.SuiteResult` (one `SpecOutcome`
per target, one `PropertyRow` per property, problems as values); produces a table
(spec, property, expected, got, states, time), then each failure with its shortest
trace and the `reproduce:` line, then a closing count.  Deterministic but for the time
column (`show_time=False` leaves it out): targets in the order the suite ran them.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.engine.result import Verdict
from podcheck.report.text import render_property
from podcheck.report.words import count, detail
from podcheck.run import (
    Deadlocked,
    ExpectationMismatch,
    Handling,
    HeaderError,
    Incomplete,
    Problem,
    PropertyRow,
    RowStatus,
    SpecErrors,
    SpecOutcome,
    Status,
    SuiteResult,
    Undecided,
    VerdictMismatch,
)

_HANDLED = {Handling.PARSED: "(parsed only)", Handling.REJECTED: "(rejected as expected)"}
_UNEXPECTED = (RowStatus.UNEXPECTED_VIOLATED, RowStatus.UNEXPECTED_HOLDS)


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
        return f"spec has errors: {', '.join(problem.codes) or 'none'}"
    if isinstance(problem, HeaderError):
        return f"{problem.text}: {problem.why}"
    assert isinstance(problem, ExpectationMismatch)
    return problem.line


@dataclass(frozen=True, slots=True)
class Tally:
    """Expectations met, unmet, properties without one, specs with errors, expectations
    left undecided (a run cut short), and whether Ctrl-C stopped the suite."""

    passed: int
    failed: int
    unexpected: int
    errors: int
    inconclusive: int = 0
    interrupted: bool = False


def tally(result: SuiteResult) -> Tally:
    """Count per property (a target without properties counts once; an expectation
    naming no property of its spec counts as a failure)."""
    rows = [r for o in result.outcomes for r in o.rows]
    bare = [o for o in result.outcomes if not o.rows]
    unexpected = sum(r.status in _UNEXPECTED for r in rows)
    passed = sum(r.status is RowStatus.PASS for r in rows)
    passed += sum(o.status is Status.PASS for o in bare)
    open_ = sum(r.status is RowStatus.FAIL and r.result.verdict is Verdict.UNKNOWN for r in rows)
    failed = sum(r.status is RowStatus.FAIL for r in rows) - open_
    failed += sum(o.status is Status.FAIL for o in bare)
    failed += sum(isinstance(p, ExpectationMismatch | Deadlocked) for o in result.outcomes
                  if o.rows for p in o.problems)
    open_ += sum(o.status is Status.INCONCLUSIVE for o in bare)
    open_ += sum(isinstance(p, Incomplete) for o in result.outcomes if o.rows for p in o.problems)
    if result.strict:
        failed, unexpected = failed + unexpected, 0
    errors = sum(o.status is Status.ERROR for o in bare)
    return Tally(passed, failed, unexpected, errors, open_, result.interrupted)


def _row_cells(o: SpecOutcome, r: PropertyRow, show_time: bool) -> list[str]:
    cells = [o.path, r.name, r.expected or "-", r.result.verdict.value, r.status.value,
             count(o.states)]
    return cells + ([f"{o.seconds:.2f}s"] if show_time else [])


def _bare_cells(o: SpecOutcome, show_time: bool) -> list[str]:
    what = _HANDLED.get(o.handling, "(no properties)" if o.status is Status.PASS else "-")
    cells = [o.path, what, "-", "-", o.status.value, "-"]
    return cells + (["-"] if show_time else [])


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]


def render_table(result: SuiteResult, *, show_time: bool = True) -> list[str]:
    """The table: one line per property (per target when it has none)."""
    head = ["spec", "property", "expected", "got", "result", "states"]
    rows = [head + (["time"] if show_time else [])]
    for o in result.outcomes:
        rows += ([_row_cells(o, r, show_time) for r in o.rows] if o.rows
                 else [_bare_cells(o, show_time)])
    return _table(rows)


def _failure(o: SpecOutcome, result: SuiteResult) -> list[str]:
    failing = [r for r in o.rows if r.status is RowStatus.FAIL
               or (result.strict and r.status in _UNEXPECTED)]
    if o.status is Status.PASS or (not failing and not o.problems):
        return []
    lines = [f"{o.status.value} {o.path}"]
    lines += [f"  {problem_line(p)}" for p in o.problems]
    lines += [f"  `{r.name}` has no expectation: add `expect {r.name} "
              f"{r.result.verdict.value}` after review" for r in failing if r.expected is None
              and r.status in _UNEXPECTED]
    for r in failing:
        lines += ["", render_property(r.result).rstrip("\n")] if r.result.trace else []
    if o.reproduce:
        lines += ["", f"reproduce: {o.reproduce}"]
    return [*lines, ""]


def summary_line(t: Tally) -> str:
    """`N passed, N failed` with the unexpected and error counts when there are any."""
    line = f"{t.passed} passed, {t.failed} failed"
    line += f", {t.unexpected} without expectation" if t.unexpected else ""
    line += f", {t.errors} with errors" if t.errors else ""
    line += f", {t.inconclusive} inconclusive" if t.inconclusive else ""
    return line + (", interrupted" if t.interrupted else "")


def render_suite(result: SuiteResult, *, show_time: bool = True, quiet: bool = False) -> str:
    """The table, each failure with its trace and `reproduce:` line, and the count
    (`quiet`: the count only)."""
    lines: list[str] = [] if quiet else [*render_table(result, show_time=show_time), ""]
    if not quiet:
        for o in result.outcomes:
            lines += _failure(o, result)
    lines.append(summary_line(tally(result)))
    return "\n".join(lines) + "\n"

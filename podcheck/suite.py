"""The regression suite: run every spec under some paths and compare with its `expect`s.

Stage: a driver like `podcheck.check`.  Consumes spec paths (files, or folders searched
for `*.pod`) and `CheckOptions`; produces a `podcheck.run.SuiteResult`, one
`SpecOutcome` per spec, which `podcheck.report.suite.render_suite` words.  A spec
passes when it loads, compiles and every property's verdict equals its `expect`
(properties without one only need a verdict) and no deadlock was found that an accepted
violation does not account for; a run a limit cut short with nothing unexpected found
is inconclusive; a spec whose `# PODCHECK:` header says
`parse` is only loaded; a spec that must be rejected passes when its errors are
exactly the ones its `# E:` comments name.  It prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from podcheck.check import CheckOptions, check_file
from podcheck.diagnostics import Severity
from podcheck.diagnostics.expectations import collect, mismatches
from podcheck.engine.result import Limit, PropertyResult, Trace, Verdict
from podcheck.lang.check import LoadOptions, load_with_sources
from podcheck.run import (
    CheckRun,
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

HEADER = "# PODCHECK:"


def discover(paths: Iterable[str]) -> list[str]:
    """The spec files named by `paths`: files as given, folders searched for `*.pod`."""
    found: list[str] = []
    for p in paths:
        path = Path(p)
        found.extend(sorted(str(f) for f in path.rglob("*.pod")) if path.is_dir() else [p])
    return found


def outcome(path: str, run: CheckRun) -> SpecOutcome:
    """Judge one run against its spec's expectations.

    A spec that must be rejected carries `# E: PCnnn message` on each line that should
    fail; it passes when its errors are exactly those.
    """
    if run.result is None:
        expected = collect(run.sources)
        lines = mismatches(expected, run.diagnostics)
        if expected and not lines:
            return SpecOutcome(path, Status.PASS, (), 0, Handling.REJECTED)
        codes = sorted({d.code for d in run.diagnostics if d.severity is Severity.ERROR})
        problems: list[Problem] = [SpecErrors(tuple(codes))]
        problems += [ExpectationMismatch(line) for line in lines]
        return SpecOutcome(path, Status.ERROR, tuple(problems), 0)
    results = run.result.results
    problems = [
        VerdictMismatch(r.name, r.expected, r.verdict)
        for r in results
        if r.expected is not None and not r.as_expected and r.verdict is not Verdict.UNKNOWN
    ]
    deadlock = run.result.deadlock
    if deadlock is not None and not _explained(deadlock, results):
        problems.append(Deadlocked(deadlock))
    open_: list[Problem] = [Undecided(r) for r in results if r.verdict is Verdict.UNKNOWN]
    if not run.complete and not open_ and deadlock is None:
        open_.append(Incomplete(run.limit))
    status = Status.FAIL if problems else Status.INCONCLUSIVE if open_ else Status.PASS
    return SpecOutcome(path, status, tuple(problems + open_), len(results))


def _explained(deadlock: Trace, results: Iterable[PropertyResult]) -> bool:
    """True when the counterexample of a violation the suite accepts (its `expect` says
    violated, or it has no `expect`) ends in the deadlocked state: the deadlock is that
    finding, as in a pod that can never be scheduled."""
    end = deadlock.steps[-1].state
    return any(
        r.verdict is Verdict.VIOLATED and r.expected in (None, Verdict.VIOLATED.value)
        and r.trace is not None and r.trace.steps[-1].state == end
        for r in results)


def parse_only(path: str) -> bool:
    """True when the spec's `# PODCHECK:` header asks only for `parse` (a spec meant to
    be read, not explored: e.g. a large example of the language)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            head = [f.readline() for _ in range(5)]
    except OSError:
        return False
    words = [line[len(HEADER):].split() for line in head if line.startswith(HEADER)]
    return bool(words) and words[0][:1] == ["parse"]


def parse_outcome(path: str) -> SpecOutcome:
    """A parse-only spec passes when it loads without errors (or with exactly the errors
    its `# E:` comments expect)."""
    loaded = load_with_sources(path, LoadOptions())
    if loaded.result.ok:
        return SpecOutcome(path, Status.PASS, (), 0, Handling.PARSED)
    return outcome(path, CheckRun(path, loaded.result.diagnostics, loaded.sources))


def run_suite(paths: Sequence[str], options: CheckOptions) -> SuiteResult:
    """Check every spec under `paths` against its expectations (parse-only specs are
    only loaded)."""
    outcomes: list[SpecOutcome] = []
    for p in discover(paths):
        if parse_only(p):
            outcomes.append(parse_outcome(p))
            continue
        run = check_file(p, options)
        outcomes.append(outcome(p, run))
        if run.limit is Limit.INTERRUPT:  # Ctrl-C: report what was run, stop the suite
            return SuiteResult(tuple(outcomes), interrupted=True)
    return SuiteResult(tuple(outcomes))

"""The regression suite: run every target under some paths and compare with what it expects.

Stage: a driver like `podcheck.check`.  Consumes paths and `CheckOptions`; discovers
targets with `podcheck.suitefile.discover` (spec files, manifests with a `# PODCHECK:`
header, `podcheck.toml` entries); runs them on several processes (results in discovery
order, whatever order they finish in); produces a `podcheck.run.SuiteResult`, one
`SpecOutcome` per target with one `PropertyRow` per property, which `podcheck.report`
renders.  A property passes when its verdict equals its expectation (the spec's `expect`
or the `podcheck.toml` entry); a property with no expectation never passes: it is
unexpected-violated or unexpected-holds, which fails its spec under `strict`.  A spec
whose header says `parse` is only loaded; a spec that must be rejected passes when its
errors are exactly the ones its `# E:` comments (or its toml `errors`) name.  It prints
nothing.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podcheck.check import CheckOptions, check_path
from podcheck.counting import load_counted
from podcheck.diagnostics import Severity
from podcheck.diagnostics.expectations import collect, mismatches
from podcheck.engine.progress import RunReporter, SilentReporter
from podcheck.engine.result import Limit, PropertyResult, Trace, Verdict
from podcheck.ir.system import Location
from podcheck.lang.check import Loaded, LoadOptions, load_with_sources
from podcheck.manifests import is_manifest_path, load_inputs
from podcheck.run import (
    CheckRun,
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
from podcheck.suitefile import Target, discover, header_words, options_of, reproduce, target

__all__ = ["Status", "discover", "outcome", "parse_only", "parse_outcome", "run_suite",
           "run_target"]

_UNEXPECTED = {Verdict.VIOLATED: RowStatus.UNEXPECTED_VIOLATED,
               Verdict.HOLDS: RowStatus.UNEXPECTED_HOLDS}


@dataclass(frozen=True, slots=True)
class _Job:
    target: Target
    options: CheckOptions
    strict: bool


def _rejected(t: Target, run: CheckRun) -> SpecOutcome:
    """A spec that did not load passes when its errors are exactly those expected."""
    codes = sorted({d.code for d in run.diagnostics if d.severity is Severity.ERROR})
    if t.errors is not None:
        if tuple(codes) == t.errors:
            return SpecOutcome(t.path, Status.PASS, (), 0, Handling.REJECTED)
        return SpecOutcome(t.path, Status.ERROR, (SpecErrors(tuple(codes)),), 0)
    expected = collect(run.sources)
    lines = mismatches(expected, run.diagnostics)
    if expected and not lines:
        return SpecOutcome(t.path, Status.PASS, (), 0, Handling.REJECTED)
    problems: list[Problem] = [SpecErrors(tuple(codes))]
    problems += [ExpectationMismatch(line) for line in lines]
    return SpecOutcome(t.path, Status.ERROR, tuple(problems), 0)


def _row(path: str, r: PropertyResult, expected: str | None,
         where: Location | None) -> PropertyRow:
    """A property's row; a property built in (no file of its own) is placed at line 1
    of the target."""
    if expected is None:
        status = _UNEXPECTED.get(r.verdict, RowStatus.FAIL)
    else:
        status = RowStatus.PASS if expected == r.verdict.value else RowStatus.FAIL
    if where is None or where.file.startswith("<"):
        return PropertyRow(r.name, expected, r, status, path, 1)
    return PropertyRow(r.name, expected, r, status, where.file, where.line)


def _problem(row: PropertyRow) -> Problem | None:
    if row.status is not RowStatus.FAIL:
        return None
    if row.result.verdict is Verdict.UNKNOWN or row.expected in (None, row.result.verdict.value):
        return Undecided(row.result)
    return VerdictMismatch(row.name, row.expected, row.result.verdict)


def outcome(t: Target, run: CheckRun | Sequence[CheckRun], *, strict: bool = False,
            seconds: float = 0.0, command: str = "") -> SpecOutcome:
    """Judge one run, or the runs of a target's groups and explorations together
    (`podcheck.check.check_path`), against its expectations (see the module docstring).
    A check run in several groups has the verdict of the whole (`_whole`)."""
    runs = (run,) if isinstance(run, CheckRun) else tuple(run)
    done = [(r, r.result) for r in runs if r.result is not None]
    if len(done) < len(runs):
        return _rejected(t, next(r for r in runs if r.result is None))
    toml = dict(t.expect)
    found: dict[str, tuple[PropertyResult, Location | None]] = {}
    for _, result in done:
        spans = {p.name: p.span for p in result.system.properties}
        for r in result.results:
            if r.name not in found or _WORSE[r.verdict] > _WORSE[found[r.name][0].verdict]:
                found[r.name] = (r, spans.get(r.name))
    rows = tuple(_row(t.path, r, r.expected or toml.get(r.name), where)
                 for r, where in found.values())
    judged = [p for p in map(_problem, rows) if p is not None]
    open_: list[Problem] = [p for p in judged if isinstance(p, Undecided)]
    problems: list[Problem] = [p for p in judged if not isinstance(p, Undecided)]
    problems += [ExpectationMismatch(f"`{name}`: expected {word}, but there is no such "
                                     "property") for name, word in t.expect if name not in found]
    for one, result in done:
        if result.deadlock is not None and not _explained(result.deadlock, rows):
            problems.append(Deadlocked(result.deadlock))
        if not one.complete and not open_ and result.deadlock is None:
            open_.append(Incomplete(one.limit))
    unexpected = any(r.status in _UNEXPECTED.values() for r in rows)
    failed = bool(problems) or (strict and unexpected)
    status = Status.FAIL if failed else Status.INCONCLUSIVE if open_ else Status.PASS
    return SpecOutcome(t.path, status, tuple(problems + open_), len(rows), rows=rows,
                       states=sum(r.stats.states for _, r in done), seconds=seconds,
                       reproduce=command)


_WORSE = {Verdict.HOLDS: 0, Verdict.UNKNOWN: 1, Verdict.VIOLATED: 2}
"""NOTE(independent-workloads): a check holds for the whole when it holds in every
group, and is violated when it is violated in one (its counterexample is that one)."""


def _explained(deadlock: Trace, rows: Iterable[PropertyRow]) -> bool:
    """True when the counterexample of a violation the suite accepts (its expectation says
    violated, or it has none) ends in the deadlocked state: the deadlock is that finding,
    as in a pod that can never be scheduled."""
    end = deadlock.steps[-1].state
    return any(
        r.result.verdict is Verdict.VIOLATED and r.expected in (None, Verdict.VIOLATED.value)
        and r.result.trace is not None and r.result.trace.steps[-1].state == end
        for r in rows)


def parse_outcome(path: str, loaded: Loaded | None = None) -> SpecOutcome:
    """A parse-only target passes when it loads (or fails exactly as its `# E:` say);
    `loaded`: the spec already loaded, else it is loaded here."""
    loaded = loaded or load_with_sources(path, LoadOptions())
    if loaded.result.ok:
        return SpecOutcome(path, Status.PASS, (), 0, Handling.PARSED)
    return _rejected(target(path), CheckRun(path, loaded.result.diagnostics, loaded.sources))


def parse_only(path: str) -> bool:
    """True when the spec's `# PODCHECK:` header asks only for `parse`."""
    words = header_words(path) or []
    return words[:1] == ["parse"]


def run_target(t: Target, base: CheckOptions, *, strict: bool = False) -> SpecOutcome:
    """Run one target (its header's flags over `base`) and judge it."""
    if t.problem is not None:
        return SpecOutcome(t.path, Status.ERROR, (t.problem,), 0)
    if t.command in ("parse", "tune", "fit", "counts"):  # tune, fit, counts: the spec must load
        if is_manifest_path(t.path):  # manifests: with the default manifest options
            found = load_inputs([t.path]).result
            return parse_outcome(t.path, Loaded(found, {}))
        return parse_outcome(t.path, load_counted(t.path).loaded if t.command == "counts"
                             else None)  # fmt: skip
    options = options_of(t, base)
    if isinstance(options, HeaderError):
        return SpecOutcome(t.path, Status.ERROR, (options,), 0)
    start = time.perf_counter()
    runs = check_path(t.path, options)
    return outcome(t, runs, strict=strict, seconds=time.perf_counter() - start,
                   command=reproduce(t, base))


def _work(job: _Job) -> SpecOutcome:
    return run_target(job.target, job.options, strict=job.strict)


RUNNING = "running the suite"  # the phase `run_suite` reports


def _tell(reporter: RunReporter, done: Sequence[SpecOutcome], total: int) -> None:
    failed = sum(o.status in (Status.FAIL, Status.ERROR) for o in done)
    reporter.on_phase(RUNNING, f"{len(done)}/{total} specs done, {failed} failed")


def run_suite(paths: Sequence[str], options: CheckOptions, *, strict: bool = False,
              jobs: int = 1, reporter: RunReporter | None = None) -> SuiteResult:
    """Run every target under `paths` on up to `jobs` processes; outcomes in discovery
    order.  `reporter` hears how many specs are done after each one (and first once the
    worker processes exist)."""
    work = [_Job(t, options, strict) for t in discover(paths)]
    tell = reporter or SilentReporter()
    outcomes: list[SpecOutcome] = []
    if jobs <= 1 or len(work) <= 1:
        _tell(tell, outcomes, len(work))
        for job in work:
            outcomes.append(_work(job))
            _tell(tell, outcomes, len(work))
            if _interrupted(outcomes[-1]):  # Ctrl-C: report what was run, stop the suite
                return SuiteResult(tuple(outcomes), strict, interrupted=True)
        return SuiteResult(tuple(outcomes), strict)
    method = "fork" if sys.platform == "linux" else "spawn"
    with multiprocessing.get_context(method).Pool(min(jobs, len(work))) as pool:
        # a reporter's display thread may start here: after the fork, which would copy
        # the locks it holds into the workers, never before
        _tell(tell, outcomes, len(work))
        for done in pool.imap(_work, work, chunksize=1):
            outcomes.append(done)
            _tell(tell, outcomes, len(work))
    return SuiteResult(tuple(outcomes), strict, interrupted=any(map(_interrupted, outcomes)))


def _interrupted(o: SpecOutcome) -> bool:
    return any(isinstance(p, Incomplete) and p.limit is Limit.INTERRUPT for p in o.problems)

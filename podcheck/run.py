"""What a verification run produced: the values the drivers return and renderers read.

Stage: a contract between the drivers (`podcheck.check` produces a `CheckRun` per
spec, `podcheck.suite` a `SuiteResult` over many) and `podcheck.report` (which turns
them into text or JSON) and `podcheck.cli` (which turns them into exit codes).  It
imports only other contracts (diagnostics, engine results, the state graph, exit
codes), so a renderer never loads the parser, the compiler or a driver.  Like the
engine's results, these values hold no prose: renderers word them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Severity
from podcheck.engine.graph import StateGraph
from podcheck.engine.result import CheckResult, Limit, PropertyResult, Trace, Verdict
from podcheck.exitcodes import ExitCode

# The engines' words for the limit that stopped them (the symbolic engines say "depth"
# for their bound, `--max-depth`).
_ENGINE_LIMITS = {limit.value: limit for limit in Limit} | {"depth": Limit.MAX_DEPTH}


@dataclass(frozen=True, slots=True)
class CheckRun:
    """Everything a renderer needs: diagnostics with their sources, or a result."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    result: CheckResult | None = None
    graph: StateGraph | None = None
    stopped: Limit | None = None  # a whole-run limit that ended the run early, if any

    @property
    def limit(self) -> Limit | None:
        """The limit that cut the run short: `stopped`, else the engine's, else None."""
        if self.stopped is not None:
            return self.stopped
        engine = None if self.result is None else self.result.limit
        return None if engine is None else _ENGINE_LIMITS.get(engine, Limit.MAX_DEPTH)

    @property
    def complete(self) -> bool:
        """True when every phase ran to its end and the exploration was exhaustive."""
        return (self.limit is None and self.result is not None
                and self.result.stats.complete)
    vacuous: tuple[str, ...] = ()  # declared disruptions never enabled (PC503)

    @property
    def exit_code(self) -> ExitCode:
        """The run's exit code (NOTE(exit-codes-cannot-lie)).

        2 on spec errors; 1 if a property is violated or a deadlock was found (a fact,
        whatever stopped the run afterwards); else 130 if Ctrl-C stopped it; else 3 if
        a property is inconclusive or any limit cut the run short (a run with nothing
        violated is `holds` only when complete); else 0.
        """
        if any(d.severity is Severity.ERROR for d in self.diagnostics) or (
                self.result is None and self.stopped is None):
            return ExitCode.INPUT_ERROR
        if self.result is not None:
            verdicts = {r.verdict for r in self.result.results}
            if Verdict.VIOLATED in verdicts or self.result.deadlock is not None:
                return ExitCode.VIOLATED
        if self.limit is Limit.INTERRUPT:
            return ExitCode.INTERRUPTED
        if not self.complete or self.result is None:
            return ExitCode.INCONCLUSIVE
        if Verdict.UNKNOWN in {r.verdict for r in self.result.results}:
            return ExitCode.INCONCLUSIVE
        return ExitCode.OK

    @property
    def as_expected(self) -> bool:
        """True when the spec loaded and every verdict matches the spec's `expect`s."""
        if self.result is None:
            return False
        return all(r.as_expected for r in self.result.results)


class Status(enum.Enum):
    """How one spec of a suite fared (the value is the word the report prints)."""

    PASS = "ok"
    FAIL = "FAIL"
    ERROR = "ERROR"
    INCONCLUSIVE = "INCONCLUSIVE"  # a limit cut its run short; nothing unexpected found


class Handling(enum.Enum):
    """What the suite did with a spec."""

    CHECKED = "checked"  # loaded, compiled and explored; its `expect`s compared
    PARSED = "parsed"  # its `# PODCHECK:` header asks for `parse` only
    REJECTED = "rejected"  # it failed to load with exactly the errors its `# E:` name


@dataclass(frozen=True, slots=True)
class VerdictMismatch:
    """A property whose verdict is not the one its `expect` names."""

    name: str
    expected: str
    got: Verdict


@dataclass(frozen=True, slots=True)
class Undecided:
    """A property the engine left inconclusive (its result says why)."""

    result: PropertyResult


@dataclass(frozen=True, slots=True)
class SpecErrors:
    """The spec did not load: the codes of its errors."""

    codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExpectationMismatch:
    """A `# E:` expectation without its error, or an error without one (the line is
    worded by `podcheck.diagnostics.expectations.mismatches`)."""

    line: str


@dataclass(frozen=True, slots=True)
class Deadlocked:
    """The exploration found a deadlock that no expected violation accounts for; `trace`
    leads to it."""

    trace: Trace


@dataclass(frozen=True, slots=True)
class Incomplete:
    """A limit cut the run short before anything unexpected was found: deadlock freedom
    (and anything not yet decided) is unknown."""

    limit: Limit | None


@dataclass(frozen=True, slots=True)
class HeaderError:
    """The spec's `# PODCHECK:` header (or its `podcheck.toml` entry) could not be read:
    the offending text and what was wrong with it."""

    text: str
    why: str


Problem = (VerdictMismatch | Undecided | SpecErrors | ExpectationMismatch | Deadlocked
           | Incomplete | HeaderError)


class RowStatus(enum.Enum):
    """How one property of a suite fared (the value is the word the report prints)."""

    PASS = "ok"
    FAIL = "FAIL"  # its verdict is not the one expected, or none was reached
    UNEXPECTED_VIOLATED = "unexpected-violated"  # no expectation, and it is violated
    UNEXPECTED_HOLDS = "unexpected-holds"  # no expectation, and it holds


@dataclass(frozen=True, slots=True)
class PropertyRow:
    """One property of a suite spec: what was expected, what came out, and how it fared.

    `expected` is the verdict word of the spec's `expect` or its `podcheck.toml` entry
    (None: no expectation, which is never a pass); `result` holds the trace.
    """

    name: str
    expected: str | None
    result: PropertyResult
    status: RowStatus
    file: str = ""  # where the property is declared (its spec, or the manifest)
    line: int = 0  # 0: unknown


@dataclass(frozen=True, slots=True)
class SpecOutcome:
    """How one spec fared: its status, its problems, and how many properties it has."""

    path: str
    status: Status
    problems: tuple[Problem, ...]
    properties: int
    handling: Handling = Handling.CHECKED
    rows: tuple[PropertyRow, ...] = ()
    states: int = 0
    seconds: float = 0.0
    reproduce: str = ""  # the `podcheck check` command line that re-runs the spec


@dataclass(frozen=True, slots=True)
class SuiteResult:
    """Every spec's outcome, in path order; `strict` when a property without an
    expectation fails its spec."""

    outcomes: tuple[SpecOutcome, ...]
    strict: bool = False
    interrupted: bool = False  # Ctrl-C stopped the suite after these outcomes

    @property
    def exit_code(self) -> ExitCode:
        """2 if a spec has errors (or none was found), 1 if an expectation failed or a
        deadlock was found, 130 if Ctrl-C stopped the suite, 3 if a run was cut short
        with nothing else wrong, else 0."""
        statuses = {o.status for o in self.outcomes}
        if not self.outcomes or Status.ERROR in statuses:
            return ExitCode.INPUT_ERROR
        if Status.FAIL in statuses:
            return ExitCode.VIOLATED
        if self.interrupted:
            return ExitCode.INTERRUPTED
        return ExitCode.INCONCLUSIVE if Status.INCONCLUSIVE in statuses else ExitCode.OK


@dataclass(frozen=True, slots=True)
class Change:
    """One expectation `podcheck test --update` wrote: in `file`, property `name` now
    expects `new` (`old`: what it expected before, None when it had none)."""

    file: str
    name: str
    old: str | None
    new: str

"""The regression suite: run every spec under some paths and compare with its `expect`s.

Stage: a driver like `podcheck.check`.  Consumes spec paths (files, or folders searched
for `*.pod`) and `CheckOptions`; produces a `SuiteResult`, one `SpecOutcome` per spec,
which `render_suite` turns into a report.  A spec passes when it loads, compiles and
every property's verdict equals its `expect` (properties without one only need a
verdict); a spec whose `# PODCHECK:` header says `parse` is only loaded; a spec that must
be rejected passes when its errors are exactly the ones its
`# E:` comments name.  It prints nothing.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from podcheck.check import CheckOptions, CheckRun, check_file
from podcheck.diagnostics.expectations import collect, mismatches
from podcheck.engine.result import Verdict
from podcheck.exitcodes import ExitCode
from podcheck.lang.check import LoadOptions, load_with_sources


class Status(enum.Enum):
    PASS = "ok"
    FAIL = "FAIL"
    ERROR = "ERROR"


@dataclass(frozen=True, slots=True)
class SpecOutcome:
    """How one spec fared: its status and a line per problem."""

    path: str
    status: Status
    problems: tuple[str, ...]
    properties: int
    what: str = ""  # overrides the property count in the report ("parsed", "rejected")


@dataclass(frozen=True, slots=True)
class SuiteResult:
    """Every spec's outcome, in path order."""

    outcomes: tuple[SpecOutcome, ...]

    @property
    def exit_code(self) -> ExitCode:
        """2 if a spec has errors (or none was found), 1 if an expectation failed, else 0."""
        statuses = {o.status for o in self.outcomes}
        if not self.outcomes or Status.ERROR in statuses:
            return ExitCode.INPUT_ERROR
        return ExitCode.VIOLATED if Status.FAIL in statuses else ExitCode.OK


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
        problems = mismatches(expected, run.diagnostics)
        if expected and not problems:
            return SpecOutcome(path, Status.PASS, (), 0, "rejected as its `# E:` expect")
        codes = sorted({d.code for d in run.diagnostics if d.severity.value == "error"})
        return SpecOutcome(path, Status.ERROR, (f"spec has errors: {', '.join(codes)}",
                                                *problems), 0)
    problems = [
        f"`{r.name}`: expected {r.expected}, got {r.verdict.value}"
        for r in run.result.results
        if not r.as_expected
    ]
    problems += [
        f"`{r.name}`: inconclusive ({r.detail})"
        for r in run.result.results
        if r.verdict is Verdict.UNKNOWN and r.as_expected
    ]
    status = Status.FAIL if problems else Status.PASS
    return SpecOutcome(path, status, tuple(problems), len(run.result.results))


HEADER = "# PODCHECK:"


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
        return SpecOutcome(path, Status.PASS, (), 0, "parsed only")
    return outcome(path, CheckRun(path, loaded.result.diagnostics, loaded.sources))


def run_suite(paths: Sequence[str], options: CheckOptions) -> SuiteResult:
    """Check every spec under `paths` against its expectations (parse-only specs are
    only loaded)."""
    return SuiteResult(tuple(
        parse_outcome(p) if parse_only(p) else outcome(p, check_file(p, options))
        for p in discover(paths)
    ))


def render_suite(result: SuiteResult) -> str:
    """One line per spec, its problems indented below, and a closing count."""
    lines: list[str] = []
    for o in result.outcomes:
        noun = "property" if o.properties == 1 else "properties"
        lines.append(f"{o.status.value:<5} {o.path} ({o.what or f'{o.properties} {noun}'})")
        lines.extend(f"      {p}" for p in o.problems)
    counts = {s: sum(o.status is s for o in result.outcomes) for s in Status}
    lines.append(
        f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed"
        + (f", {counts[Status.ERROR]} with errors" if counts[Status.ERROR] else "")
    )
    return "\n".join(lines) + "\n"

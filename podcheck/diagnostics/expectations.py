"""Inline expectations (STYLE rule 13): `# E: PC203 message prefix` on the offending line.

Stage: shared by the test suite and `podcheck test` (a spec that must be rejected says so
on the lines that should fail).  A line may carry several (`# E: PC205 ... # E: PC201
...`).  Expectations are matched against error diagnostics by file, line, code and
message prefix, in both directions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from podcheck.diagnostics import Diagnostic, Severity

_EXPECT = re.compile(r"#\s*E:\s*(PC\d{3})\s+(.*?)\s*(?=#\s*E:|$)")


@dataclass(frozen=True, order=True)
class Expected:
    """One `# E:` annotation: where, which code, and how the message starts."""

    file: str
    line: int
    code: str
    prefix: str

    def matches(self, d: Diagnostic) -> bool:
        """True when `d` is the diagnostic this annotation expects."""
        return (
            d.span is not None
            and d.span.file == self.file
            and d.span.line == self.line
            and d.code == self.code
            and d.message.startswith(self.prefix)
        )


def collect(sources: Mapping[str, str]) -> list[Expected]:
    """Every `# E:` expectation in the given files."""
    found = []
    for path, text in sorted(sources.items()):
        for number, line in enumerate(text.splitlines(), start=1):
            comment = line.find("# E:")
            if comment >= 0:
                for code, prefix in _EXPECT.findall(line[comment:]):
                    found.append(Expected(path, number, code, prefix))
    return found


def mismatches(expected: list[Expected], diagnostics: Iterable[Diagnostic]) -> list[str]:
    """Human-readable differences; empty when every expectation and error pairs up."""
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    problems = []
    unmatched = list(errors)
    for exp in expected:
        hit = next((d for d in unmatched if exp.matches(d)), None)
        if hit is None:
            problems.append(f"missing: {exp.file}:{exp.line}: {exp.code} {exp.prefix}")
        else:
            unmatched.remove(hit)
    for d in unmatched:
        where = f"{d.span.file}:{d.span.line}" if d.span else "<no location>"
        problems.append(f"unexpected: {where}: {d.code} {d.message}")
    return problems

"""Diagnostics as values: every stage returns them instead of printing or raising.

Consumed by `podcheck.diagnostics.render` (text / json / github) and by the CLI, which
turns them into exit codes.  Codes come from `podcheck.diagnostics.codes`.

NOTE(stage-gating): a stage runs only if every earlier stage produced no error-severity
diagnostic; warnings never stop the pipeline.  `StageResult.ok` is the one test of that
rule, used by every stage driver.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A source range: 1-based lines and columns, end exclusive, as lark's `Meta` gives."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class Severity(enum.Enum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Note:
    """Extra context, optionally at a second location."""

    message: str
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """A machine-applicable replacement of the text under `span`."""

    span: Span
    replacement: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable code, a lower-case message, where, and how to fix it."""

    code: str
    severity: Severity
    message: str
    span: Span | None = None
    notes: tuple[Note, ...] = ()
    help: str | None = None
    fix: Fix | None = None

    def __post_init__(self) -> None:
        assert self.code.startswith("PC") and len(self.code) == 5, self.code


@dataclass(frozen=True, slots=True)
class StageResult(Generic[T]):
    """A stage's output value (None when it could not produce one) and its diagnostics."""

    value: T | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error (see NOTE(stage-gating))."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

"""The surface AST of a `.pod` spec file, exactly as written (before any checking).

Stage: produced by `podcheck.lang.parse` (lark Transformer), consumed by
`podcheck.lang.printer` (fmt: canonical text) and `podcheck.lang.check` (imports,
names, fields -> `podcheck.spec.CheckedSpec`).

Declarations are generic: `KIND [NAME] { field: value ... nested blocks ... }`.  Which
kinds and fields exist, and what their values mean, is the checker's schema, not the
grammar's, so an unknown field is a diagnostic with a did-you-mean rather than a parse
error.  Property formulas reuse the expression nodes of `podcheck.spec` directly.
Spans never take part in equality, so parsing the same text twice gives equal,
equally hashed trees.  Neither do comments: the parser keeps them on the `SpecFile`
(`SpecFile.comments`) for the printer, and a spec with or without them is the same spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck.diagnostics import Span
from podcheck.spec import Expr as Formula
from podcheck.spec import span_field

SCALAR_KINDS = ("int", "duration", "quantity", "percent", "string", "name", "bool")


@dataclass(frozen=True, slots=True)
class Scalar:
    """A literal as written: `3`, `10s`, `256Mi`, `50%`, `"text"`, `Always`, `true`.

    `text` is the exact source text (quotes included for strings), so printing is
    faithful; the checker interprets it according to the field's schema.
    """

    kind: str
    text: str
    span: Span = span_field()

    def __post_init__(self) -> None:
        assert self.kind in SCALAR_KINDS, self.kind


@dataclass(frozen=True, slots=True)
class Range:
    """`lo..hi`, e.g. `5s..60s`; `fixed lo..hi` (`fixed`): one value for the whole run."""

    lo: Scalar
    hi: Scalar
    span: Span = span_field()
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class ListValue:
    """`[a, b, c]`."""

    items: tuple[Value, ...]
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class MapValue:
    """`{ cpu: 500m, memory: 256Mi }`."""

    entries: tuple[Field, ...]
    span: Span = span_field()


Value = Scalar | Range | ListValue | MapValue


@dataclass(frozen=True, slots=True)
class Field:
    """`name: value`."""

    name: str
    value: Value
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Block:
    """`kind [name] { members }`, e.g. `container app { ... }`, `cluster { ... }`."""

    kind: str
    name: str | None
    members: tuple[Field | Block, ...]
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class Import:
    """`import "path/to/file.pod"` or `import env.rolling-drain` (a bundled model)."""

    target: str
    quoted: bool
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class PropertyItem:
    """`property NAME: formula`."""

    name: str
    formula: Formula
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class CheckItem:
    """`check BUILTIN` or `check BUILTIN(arg, ...)`: enable a built-in named check."""

    name: str
    args: tuple[str, ...] = ()
    span: Span = span_field()


@dataclass(frozen=True, slots=True)
class ExpectItem:
    """`expect NAME holds` / `expect NAME violated`."""

    name: str
    outcome: str
    span: Span = span_field()


Item = Import | Block | PropertyItem | CheckItem | ExpectItem


@dataclass(frozen=True, slots=True)
class Comment:
    """`# text` at 1-based `line`, `column`; `text` starts with `#`, trailing blanks cut.

    `own_line` is True when nothing but blanks precedes it on its line (a comment on a
    line of its own), False when it trails code (`replicas: 3  # why`).
    """

    line: int
    column: int
    text: str
    own_line: bool = True


@dataclass(frozen=True, slots=True)
class SpecFile:
    """One parsed file; `path` and `comments` (in source order) are not part of equality."""

    items: tuple[Item, ...]
    path: str = field(default="", compare=False)
    comments: tuple[Comment, ...] = field(default=(), compare=False, repr=False)

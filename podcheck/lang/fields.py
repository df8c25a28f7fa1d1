"""Generic block reading: members of one block checked against its `BlockSpec`.

Stage: part of `podcheck.lang.check`.  Consumes an `ast.Block` and its schema entry;
produces `Members` (converted field values, their spans, nested blocks with their
specs), appending diagnostics: PC101 unknown block kind, PC102 unknown field, PC104
duplicate field or single block, PC113 block name, PC207 field and block for one value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from podcheck.diagnostics import Diagnostic, Note, Span, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import Block, Field
from podcheck.lang.schema import BLOCKS, BlockSpec, child_spec
from podcheck.lang.values import convert

# Nested blocks that stand for one value: at most one per parent.
SINGLE_BLOCKS = frozenset(
    ("resources", "startupProbe", "livenessProbe", "readinessProbe", "behavior-inline",
     "template-inline")
)


@dataclass(slots=True)
class Members:
    """A block's members after checking; `values` holds only fields that converted."""

    values: dict[str, object] = field(default_factory=dict)
    spans: dict[str, Span] = field(default_factory=dict)  # the whole `name: value`
    value_spans: dict[str, Span] = field(default_factory=dict)  # just the value
    children: list[tuple[Block, BlockSpec]] = field(default_factory=list)

    def given(self, name: str) -> bool:
        """True when the field was written (even if its value was rejected)."""
        return name in self.spans

    def child(self, key: str) -> Block | None:
        """The first nested block with schema key `key`."""
        return next((b for b, s in self.children if s.key == key), None)

    def all_children(self, key: str) -> list[Block]:
        """Every nested block with schema key `key`, in order."""
        return [b for b, s in self.children if s.key == key]


def head(block: Block) -> Span:
    """The span of the block's kind keyword: where block-level diagnostics point."""
    s = block.span
    return Span(s.file, s.line, s.column, s.line, s.column + len(block.kind))


def first_line(span: Span, word: str) -> Span:
    """`span` if it fits on one line, else just the leading `word` (a block's keyword)."""
    if span.end_line == span.line:
        return span
    return Span(span.file, span.line, span.column, span.line, span.column + len(word))


def check_name(block: Block, spec: BlockSpec, out: list[Diagnostic]) -> None:
    """PC113 when `block` lacks a name it needs or carries one it cannot take."""
    if spec.naming == "required" and not block.name:
        out.append(
            m.error(
                codes.BLOCK_NAME,
                f"`{block.kind}` needs a name",
                head(block),
                help=f"write `{block.kind} NAME {{ ... }}`",
            )
        )
    elif spec.naming == "none" and block.name:
        out.append(
            m.error(
                codes.BLOCK_NAME,
                f"`{block.kind}` takes no name here, found `{block.name}`",
                head(block),
                help=_unnamed_help(block),
            )
        )


def _unnamed_help(block: Block) -> str:
    if block.kind in ("template", "behavior"):
        return (
            f"to refer to a named {block.kind}, write `{block.kind}: {block.name}`; "
            f"define named ones at the top level"
        )
    return f"write `{block.kind} {{ ... }}`"


def unknown_block(block: Block, parent: BlockSpec, out: list[Diagnostic]) -> None:
    """PC101 for a block whose kind is not allowed inside `parent`."""
    kinds = [BLOCKS[c].kind for c in parent.children]
    where = "at the top level" if parent.key == "file" else f"inside `{parent.kind}`"
    known_anywhere = any(b.kind == block.kind for b in BLOCKS.values())
    message = (
        f"`{block.kind}` blocks are not allowed {where}"
        if known_anywhere
        else f"unknown block kind `{block.kind}`"
    )
    out.append(
        m.error(
            codes.UNKNOWN_BLOCK_KIND,
            message,
            head(block),
            help=None if known_anywhere else m.did_you_mean(block.kind, kinds),
            notes=(Note(f"allowed {where}: {m.backticked(sorted(set(kinds)))}"),),
        )
    )


def read_block(block: Block, spec: BlockSpec, out: list[Diagnostic]) -> Members:
    """Check every member of `block` against `spec` and convert the field values."""
    check_name(block, spec, out)
    members = Members()
    singles: dict[str, Span] = {}
    for member in block.members:
        if isinstance(member, Field):
            _read_field(member, spec, members, out)
        else:
            _read_child(member, spec, members, singles, out)
    _field_and_block(spec, members, out)
    return members


def _read_field(item: Field, spec: BlockSpec, members: Members, out: list[Diagnostic]) -> None:
    field_spec = spec.field(item.name)
    if field_spec is None:
        out.append(_unknown_field(item, spec))
        return
    if item.name in members.spans:
        out.append(
            m.error(
                codes.DUPLICATE_FIELD,
                f"field `{item.name}` given twice",
                item.span,
                help="keep one of them",
                notes=(m.first_defined(members.spans[item.name]),),
            )
        )
        return
    members.spans[item.name] = item.span
    members.value_spans[item.name] = item.value.span
    value = convert(field_spec, item.value, out)
    if value is not None:
        members.values[item.name] = value


def _unknown_field(item: Field, spec: BlockSpec) -> Diagnostic:
    where = "at the top level" if spec.key == "file" else f"in `{spec.kind}`"
    help_text: str | None
    if child_spec(spec, item.name) is not None:
        help_text = f"`{item.name}` is a block: write `{item.name} {{ ... }}`"
    else:
        help_text = m.did_you_mean(item.name, spec.member_names()) or _fields_help(spec)
    return m.error(codes.UNKNOWN_FIELD, f"unknown field `{item.name}` {where}", item.span,
                   help=help_text)


def _fields_help(spec: BlockSpec) -> str | None:
    names = [f.name for f in spec.fields]
    return f"`{spec.kind}` fields are {m.backticked(names)}" if names else None


def _read_child(
    block: Block,
    spec: BlockSpec,
    members: Members,
    singles: dict[str, Span],
    out: list[Diagnostic],
) -> None:
    sub = child_spec(spec, block.kind)
    if sub is None:
        unknown_block(block, spec, out)
        return
    if sub.key in SINGLE_BLOCKS:
        if sub.key in singles:
            out.append(
                m.error(
                    codes.DUPLICATE_FIELD,
                    f"`{block.kind}` given twice in `{spec.kind}`",
                    head(block),
                    help="keep one of them",
                    notes=(m.first_defined(singles[sub.key]),),
                )
            )
            return
        singles[sub.key] = head(block)
    members.children.append((block, sub))


def _field_and_block(spec: BlockSpec, members: Members, out: list[Diagnostic]) -> None:
    for block, sub in members.children:
        if sub.key in SINGLE_BLOCKS and members.given(block.kind):
            out.append(
                m.error(
                    codes.CONFLICTING_FIELDS,
                    f"`{block.kind}` is given both as a field and as a block",
                    head(block),
                    help=f"use either `{block.kind}: NAME` or an inline `{block.kind} {{}}`",
                    notes=(Note("the field is here", members.spans[block.kind]),),
                )
            )

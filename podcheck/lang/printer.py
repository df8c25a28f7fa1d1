"""The canonical text of a parsed spec: what `podcheck fmt` writes.

Stage: a side exit of parsing.  Consumes a `podcheck.lang.ast.SpecFile` as produced by
`podcheck.lang.parse`; produces `.pod` source text.

Layout: two-space indentation, one field or block per line, except that a block written
on one line stays on one line when that fits in `WIDTH` columns and holds no comment
(`readinessProbe { periodSeconds: 5  failureThreshold: 2 }`, members two spaces apart);
a map or list inline when it fits in `WIDTH` columns (`{ cpu: 2, memory: 4Gi }`,
`[a, b]`) and one entry per line otherwise; consecutive declarations of the same kind
(imports, properties, checks, expects, one-line blocks of one kind) are grouped,
everything else is separated by a blank line.  Formulas get canonical spacing and only
the parentheses that precedence requires
(NOTE(open-formulas) in podspec.lark).

Comments are kept: `SpecFile.comments` (collected by the parser) are printed back where
NOTE(comment-placement) says.  A property whose one-line form is wider than `WIDTH`
puts its formula on the next line, indented.

Guarantee: `parse(format_spec(s))` gives back an AST equal to `s` for every `s` that
`parse` produced, with the same comment texts (as a multiset, header comments first),
and `format_spec` is idempotent on its own output.  ASTs that `parse`
cannot produce (an `EnumLit`, which only the checker builds, a negative `IntLit`,
`always` directly around `eventually`) print as the nearest text that parses.
"""

from __future__ import annotations

from podcheck.lang.ast import (
    Block,
    CheckItem,
    Comment,
    ExpectItem,
    Field,
    Import,
    Item,
    ListValue,
    MapValue,
    PropertyItem,
    Range,
    Scalar,
    SpecFile,
    Value,
)
from podcheck.lang.print_formula import WIDTH, format_formula, formula_lines, unbounded

INDENT = "  "

def format_spec(spec: SpecFile) -> str:
    """The canonical text of `spec`, with its comments, ending in a newline."""
    notes = _attach(spec)
    chunks: list[str] = []
    previous: tuple[Item, list[str]] | None = None
    for item in spec.items:
        bare = _item_lines(item, notes)
        if previous is not None:
            chunks.append("\n" if _grouped(*previous, item, bare) else "\n\n")
        chunks.append("\n".join(_dress(item, bare, "", notes)))
        previous = item, bare
    trailing = notes.end.get(id(spec), [])
    if trailing:
        if previous is not None:
            gap = trailing[0].line - previous[0].span.end_line > 1
            chunks.append("\n\n" if gap else "\n")
        chunks.append("\n".join(_run(trailing, "")))
    return "".join(chunks) + "\n" if chunks else ""


def _grouped(previous: Item, previous_lines: list[str], item: Item, lines: list[str]) -> bool:
    """Consecutive declarations of one kind share a paragraph (blocks only when each is
    printed on one line); comments do not split a group."""
    if type(item) is not type(previous):
        return False
    if not isinstance(item, Block):
        return True
    assert isinstance(previous, Block)
    return item.kind == previous.kind and len(lines) == len(previous_lines) == 1


def _item_lines(item: Item, notes: _Notes) -> list[str]:
    if isinstance(item, Import):
        return [f'import "{item.target}"' if item.quoted else f"import {item.target}"]
    if isinstance(item, Block):
        return _block_lines(item, 0, notes)
    if isinstance(item, PropertyItem):
        head = f"property {item.name}:"
        body, bound = unbounded(item.formula)
        formula = format_formula(body) + bound
        if len(head) + 1 + len(formula) <= WIDTH:
            return [f"{head} {formula}"]
        lines = formula_lines(body, INDENT, INDENT * 2)
        return [head, *lines[:-1], lines[-1] + bound]
    if isinstance(item, CheckItem):
        args = f"({', '.join(item.args)})" if item.args else ""
        return [f"check {item.name}{args}"]
    assert isinstance(item, ExpectItem)
    return [f"expect {item.name} {item.outcome}"]


# ---------------------------------------------------------------- comments
#
# NOTE(comment-placement): `_attach` gives every comment of a parsed file one place,
# found from the spans of the nodes comments can attach to (items, block members, map
# entries, list items; property formulas are opaque):
#   - `before` a node: an own-line comment, printed on its own line(s) just above the
#     next node at that node's indentation;
#   - `head` / `tail` of a node: a comment trailing code, printed at the end of the
#     node's first / last printed line.  It goes to the node that ends on its line (a
#     node wholly on that line takes it at its first line, so `x { a: 1 }  # c` keeps
#     the comment on the `x {` line), or to the node whose opening line it ends;
#   - `end` of a block, map, list or the file: an own-line comment after the last entry,
#     printed before the closing `}` / `]` (or at the end of the file).
# A comment inside a node printed as one unit (a property formula spread over several
# lines, a field whose value starts on the next line) moves above it, except one at the
# end of its first line (head) or last line (tail).  A map or list holding a comment is
# printed one entry per line.  Blank lines are kept (one at most) inside a run of own-line
# comments and between the run and the node it precedes, and before the file's final
# comments; elsewhere the layout is canonical.


class _Notes:
    """Where each comment goes, keyed by `id()` of the node it attaches to."""

    def __init__(self) -> None:
        self.before: dict[int, list[Comment]] = {}
        self.head: dict[int, Comment] = {}
        self.tail: dict[int, Comment] = {}
        self.end: dict[int, list[Comment]] = {}
        self.busy: set[int] = set()  # maps and lists that must print one entry per line


_Node = SpecFile | Block | Field | Import | PropertyItem | CheckItem | ExpectItem | Value


def _children(node: _Node) -> tuple[_Node, ...] | None:
    """The nodes comments can attach to inside `node`, or None when it is printed whole."""
    if isinstance(node, SpecFile):
        return node.items
    if isinstance(node, Block):
        return node.members
    if isinstance(node, Field):
        node = node.value
    if isinstance(node, MapValue):
        return node.entries
    if isinstance(node, ListValue):
        return node.items
    return None


def _start(node: _Node) -> tuple[int, int]:
    assert not isinstance(node, SpecFile)
    return node.span.line, node.span.column


def _stop(node: _Node) -> tuple[int, int]:
    assert not isinstance(node, SpecFile)
    return node.span.end_line, node.span.end_column


def _attach(spec: SpecFile) -> _Notes:
    notes = _Notes()
    for comment in spec.comments:
        pos = (comment.line, comment.column)
        path: list[_Node] = [spec]
        while True:
            kids = _children(path[-1]) or ()
            inner = next((k for k in kids if _start(k) <= pos < _stop(k)), None)
            if inner is None:
                break
            path.append(inner)
        enclosing = path[-1]
        members = _children(enclosing)
        trailing = not comment.own_line
        if members is None:
            assert not isinstance(enclosing, SpecFile)
            if trailing and comment.line == enclosing.span.line:
                notes.head[id(enclosing)] = comment
            else:
                notes.before.setdefault(id(enclosing), []).append(comment)
            notes.busy.update(id(n) for n in path[:-1])
            continue
        notes.busy.update(id(n) for n in path)
        done = [k for k in members if _stop(k) <= pos]
        ahead = [k for k in members if _start(k) > pos]
        if trailing and done and _stop(done[-1])[0] == comment.line:
            node = done[-1]
            if _start(node)[0] == comment.line:
                notes.head[id(node)] = comment
            else:
                notes.tail[id(node)] = comment
                notes.busy.add(id(node))
        elif trailing and not isinstance(enclosing, SpecFile) and (
            enclosing.span.line == comment.line
        ):
            notes.head[id(enclosing)] = comment
        elif ahead:
            notes.before.setdefault(id(ahead[0]), []).append(comment)
        else:
            notes.end.setdefault(id(enclosing), []).append(comment)
    return notes


def _run(comments: list[Comment], pad: str) -> list[str]:
    """Own-line comments at `pad`, keeping (one) blank line where the source had one."""
    lines: list[str] = []
    for i, comment in enumerate(comments):
        if i and comment.line - comments[i - 1].line > 1:
            lines.append("")
        lines.append(pad + comment.text)
    return lines


def _dress(node: _Node, lines: list[str], pad: str, notes: _Notes) -> list[str]:
    """`lines` (the node printed at `pad`) with the comments before and trailing it."""
    key = id(node)
    if key not in notes.before and key not in notes.head and key not in notes.tail:
        return lines
    assert not isinstance(node, SpecFile)
    before = list(notes.before.get(key, []))
    head, tail = notes.head.get(key), notes.tail.get(key)
    lines = list(lines)
    if head is not None and tail is not None and len(lines) == 1:
        before.append(head)  # one line cannot end in two comments
        head = None
    if head is not None:
        lines[0] += "  " + head.text
    if tail is not None:
        lines[-1] += "  " + tail.text
    if not before:
        return lines
    gap = [""] if node.span.line - before[-1].line > 1 else []
    return _run(before, pad) + gap + lines


# ---------------------------------------------------------------- blocks and values


def _block_lines(block: Block, depth: int, notes: _Notes) -> list[str]:
    pad = INDENT * depth
    head = block.kind if block.name is None else f"{block.kind} {block.name}"
    end = notes.end.get(id(block), [])
    if not block.members and not end:
        return [f"{pad}{head} {{}}"]
    one_line = _one_line(block)
    if (block.span.line == block.span.end_line and id(block) not in notes.busy
            and len(pad) + len(one_line) <= WIDTH):
        return [pad + one_line]
    lines = [f"{pad}{head} {{"]
    for member in block.members:
        if isinstance(member, Block):
            body = _block_lines(member, depth + 1, notes)
        else:
            body = _field(member, depth + 1, notes)
        lines += _dress(member, body, pad + INDENT, notes)
    return lines + _run(end, pad + INDENT) + [f"{pad}}}"]


def _one_line(block: Block) -> str:
    """`block` on one line: `kind name { field: value  inner { ... } }`, members two
    spaces apart."""
    head = block.kind if block.name is None else f"{block.kind} {block.name}"
    if not block.members:
        return f"{head} {{}}"
    members = [_one_line(m) if isinstance(m, Block) else f"{m.name}: {_inline(m.value)}"
               for m in block.members]
    return f"{head} {{ {'  '.join(members)} }}"


def _field(item: Field, depth: int, notes: _Notes) -> list[str]:
    pad = INDENT * depth
    inline = _inline(item.value)
    if id(item) not in notes.busy and len(pad) + len(item.name) + 2 + len(inline) <= WIDTH:
        return [f"{pad}{item.name}: {inline}"]
    return _multiline(f"{pad}{item.name}: ", item.value, item, depth, notes)


def _multiline(head: str, value: Value, owner: _Node, depth: int, notes: _Notes) -> list[str]:
    """`value` opened on the line `head` and spread one entry per line below it; comments
    at the end of the map or list belong to `owner` (the field or the list item)."""
    pad = INDENT * depth
    end = _run(notes.end.get(id(owner), []), pad + INDENT)
    if isinstance(value, MapValue):
        body = [
            line
            for entry in value.entries
            for line in _dress(entry, _field(entry, depth + 1, notes), pad + INDENT, notes)
        ]
        return [head + "{", *body, *end, pad + "}"]
    if isinstance(value, ListValue):
        body = [
            line
            for v in value.items
            for line in _dress(v, _list_item(v, depth + 1, notes), pad + INDENT, notes)
        ]
        return [head + "[", *body, *end, pad + "]"]
    return [head + _inline(value)]


def _list_item(value: Value, depth: int, notes: _Notes) -> list[str]:
    pad = INDENT * depth
    inline = _inline(value)
    if id(value) not in notes.busy and len(pad) + len(inline) <= WIDTH:
        return [pad + inline]
    return _multiline(pad, value, value, depth, notes)


def _inline(value: Value) -> str:
    if isinstance(value, Scalar):
        return value.text
    if isinstance(value, Range):
        return f"{'fixed ' * value.fixed}{value.lo.text}..{value.hi.text}"
    if isinstance(value, ListValue):
        return "[" + ", ".join(_inline(v) for v in value.items) + "]"
    if not value.entries:
        return "{}"
    return "{ " + ", ".join(f"{e.name}: {_inline(e.value)}" for e in value.entries) + " }"

"""YAML text to position-carrying trees, with PyYAML's safe machinery only.

Stage: the first step of `podcheck.manifests`.  Consumes the text of one input (a file
or stdin) and its display name; produces one `YNode` tree per YAML document, every node
with the `Span` of its text, plus PC40x diagnostics.  Nothing is ever constructed from a
tag: the documents are *composed* (PyYAML's node graph, no Python objects), every tag is
checked against the YAML 1.1 core schema, and plain scalars are converted by
`SafeConstructor` alone.

NOTE(hostile-yaml): a manifest may come from anywhere (`helm template`, a pasted issue).
Python tags (`!!python/object/apply:os.system`) are refused before any construction;
aliases are expanded by us, under a budget of `MAX_NODES` nodes in all, so an alias bomb
(the "billion laughs") and a self-referencing anchor end in PC403 and not in a hang;
nesting deeper than `MAX_DEPTH` and inputs larger than `MAX_BYTES` end in PC403 too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from podcheck.diagnostics import Diagnostic, Severity, Span
from podcheck.diagnostics import codes as c

MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(
    _CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
_TYPED = frozenset(_CORE + t for t in ("int", "float", "bool", "null"))


@dataclass(frozen=True, slots=True, eq=False)
class YNode:
    """One YAML node: a scalar (`value` str, int, float, bool or None), a mapping
    (`value` a dict of string keys to nodes, `keys` the span of each key) or a sequence
    (`value` a list of nodes)."""

    value: object
    span: Span
    keys: dict[str, Span] | None = None

    @property
    def is_map(self) -> bool:
        """True for a mapping node."""
        return isinstance(self.value, dict)

    @property
    def is_seq(self) -> bool:
        """True for a sequence node."""
        return isinstance(self.value, list)

    def plain(self) -> object:
        """The node as plain Python data (dicts, lists, scalars), spans dropped."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


@dataclass(frozen=True, slots=True)
class Documents:
    """The documents of one input, in order, and what went wrong reading them."""

    documents: tuple[YNode, ...]
    diagnostics: tuple[Diagnostic, ...]


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _span(file: str, node: yaml.Node) -> Span:
    """The node's text; a mapping or sequence that spans lines is shown by its first
    line only (its first key and a scalar value on the same line)."""
    start, end = node.start_mark, node.end_mark
    if isinstance(node, yaml.MappingNode) and node.value and end.line > start.line:
        key, value = node.value[0]
        last = value if isinstance(value, yaml.ScalarNode) and \
            value.end_mark.line == start.line else key
        end = last.end_mark
    elif isinstance(node, yaml.SequenceNode) and end.line > start.line:
        end = node.value[0].start_mark if node.value else start
    end_line, end_col = end.line + 1, end.column + 1
    if (end_line, end_col) <= (start.line + 1, start.column + 1):
        end_line, end_col = start.line + 1, start.column + 2
    return Span(file, start.line + 1, start.column + 1, end_line, end_col)


def _error(code: str, message: str, span: Span | None, help: str) -> Diagnostic:
    return Diagnostic(code, Severity.ERROR, message, span, help=help)


def read_yaml(text: str, file: str) -> Documents:
    """Every document of `text` as a `YNode` tree; empty documents are skipped.  A
    syntax error found by libyaml is reported as PyYAML's own parser words it, so the
    message does not depend on whether libyaml is installed."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        too_big = _error(c.YAML_TOO_LARGE, f"the input is larger than {MAX_BYTES // 2**20} MiB",
                         Span(file, 1, 1, 1, 2), "split it, or check only the manifests "
                         "that describe the workloads")
        return Documents((), (too_big,))
    read = _read(text, file, _LOADER)
    if _LOADER is not _PyLoader and any(d.code == c.YAML_SYNTAX_ERROR and d.message.startswith(
            "invalid YAML") for d in read.diagnostics):
        return _read(text, file, _PyLoader)
    return read


def _read(text: str, file: str, loader: Callable[[str], _Counting]) -> Documents:
    docs: list[YNode] = []
    try:
        for node in _compose(text, loader):
            if node is not None:
                docs.append(_Converter(file).convert(node, 0))
    except _Refused as refused:
        return Documents(tuple(docs), (refused.diagnostic,))
    except _TooMany as many:
        span = Span(file, many.mark.line + 1, many.mark.column + 1, many.mark.line + 1,
                    many.mark.column + 2)
        return Documents(tuple(docs), (_error(
            c.YAML_TOO_LARGE, f"the YAML has more than {MAX_NODES} nodes", span,
            "split it, or check only the manifests that describe the workloads"),))
    except yaml.MarkedYAMLError as err:
        return Documents(tuple(docs), (_syntax(err, file),))
    except yaml.YAMLError as err:
        return Documents(tuple(docs), (_error(c.YAML_SYNTAX_ERROR, f"invalid YAML: {err}",
                                              None, "fix the YAML syntax"),))
    except RecursionError:
        deep = _error(c.YAML_TOO_LARGE, f"the YAML nests deeper than {MAX_DEPTH} levels",
                      Span(file, 1, 1, 1, 2), "no Kubernetes object nests this deep; "
                      "check the input")
        return Documents(tuple(docs), (deep,))
    return Documents(tuple(docs), ())


class _TooMany(Exception):
    """More than `MAX_NODES` nodes were composed (before any alias is expanded)."""

    def __init__(self, mark: yaml.Mark) -> None:
        super().__init__(f"more than {MAX_NODES} nodes")
        self.mark = mark


class _Counting(Composer):
    """PyYAML's composer, counting the nodes it builds so that a huge document is
    refused as soon as it passes `MAX_NODES`, not after all of it was composed."""

    composed = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self.composed += 1
        if self.composed > MAX_NODES:
            raise _TooMany(self.peek_event().start_mark)  # type: ignore[attr-defined]
        return super().compose_node(parent, index)


class _PyLoader(Reader, Scanner, Parser, _Counting, Resolver):
    """PyYAML's pure-Python parser under the counting composer."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Counting.__init__(self)
        Resolver.__init__(self)


def _c_loader() -> Callable[[str], _Counting] | None:
    """libyaml's parser (C, several times faster) under the counting composer, when
    libyaml is installed.  Only events are read from it: composing, resolving and every
    check here are PyYAML's Python code and ours."""
    try:
        from yaml._yaml import CParser
    except ImportError:
        return None

    class _CLoader(CParser, _Counting, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Counting.__init__(self)
            Resolver.__init__(self)

        check_node = _Counting.check_node
        get_node = _Counting.get_node

    return _CLoader


_LOADER: Callable[[str], _Counting] = _c_loader() or _PyLoader


def _compose(text: str, make: Callable[[str], _Counting]) -> Iterator[yaml.Node | None]:
    loader = make(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        getattr(loader, "dispose", lambda: None)()


def _syntax(err: yaml.MarkedYAMLError, file: str) -> Diagnostic:
    mark = err.problem_mark or err.context_mark
    span = None
    if mark is not None:
        span = Span(file, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2)
    problem = err.problem or err.context or "invalid YAML"
    context = f" ({err.context})" if err.context and err.problem else ""
    return _error(c.YAML_SYNTAX_ERROR, f"invalid YAML: {problem}{context}", span,
                  "fix the YAML syntax at this position")


class _Converter:
    """Composed nodes to `YNode`s, counting every node visited (aliases included)."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.visited = 0
        self.constructor = SafeConstructor()

    def convert(self, node: yaml.Node, depth: int) -> YNode:
        self.visited += 1
        span = _span(self.file, node)
        if self.visited > MAX_NODES:
            raise _Refused(_error(
                c.YAML_TOO_LARGE, f"the YAML expands to more than {MAX_NODES} nodes "
                "(an alias bomb?)", span, "remove the anchors and aliases, or split the input"))
        if depth > MAX_DEPTH:
            raise _Refused(_error(
                c.YAML_TOO_LARGE, f"the YAML nests deeper than {MAX_DEPTH} levels "
                "(a self-referencing alias?)", span, "no Kubernetes object nests this deep"))
        if isinstance(node, yaml.ScalarNode):
            return YNode(self._scalar(node, span), span)
        if isinstance(node, yaml.SequenceNode):
            self._tag(node, _CORE + "seq", span)
            return YNode([self.convert(item, depth + 1) for item in node.value], span)
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, span, depth)

    def _tag(self, node: yaml.Node, expected: str, span: Span) -> None:
        if node.tag != expected:
            raise _Refused(_unsafe(node.tag, span))

    def _scalar(self, node: yaml.ScalarNode, span: Span) -> object:
        if node.tag not in _SCALAR_TAGS:
            raise _Refused(_unsafe(node.tag, span))
        if node.tag not in _TYPED:
            return str(node.value)
        try:
            return self.constructor.construct_object(node)
        except (ValueError, yaml.YAMLError) as err:
            raise _Refused(_error(c.YAML_SYNTAX_ERROR, f"invalid YAML scalar: {err}", span,
                                  "quote the value if it is text")) from err

    def _mapping(self, node: yaml.MappingNode, span: Span, depth: int) -> YNode:
        self._tag(node, _CORE + "map", span)
        values: dict[str, YNode] = {}
        keys: dict[str, Span] = {}
        for key_node, value_node in node.value:
            key_span = _span(self.file, key_node)
            if key_node.tag == _CORE + "merge":
                raise _Refused(_error(c.UNSAFE_YAML, "YAML merge keys (`<<`) are not "
                                      "supported", key_span, "write the keys out"))
            key = self.convert(key_node, depth + 1)
            if not isinstance(key.value, str | int | float | bool):
                raise _Refused(_error(c.YAML_SYNTAX_ERROR, "a mapping key must be a scalar",
                                      key_span, "use a plain key"))
            text = str(key.value).lower() if isinstance(key.value, bool) else str(key.value)
            if text in values:
                raise _Refused(_error(c.YAML_SYNTAX_ERROR, f"duplicate mapping key `{text}`",
                                      key_span, "keep one of them (the API server rejects "
                                      "duplicate fields)"))
            values[text] = self.convert(value_node, depth + 1)
            keys[text] = key_span
        return YNode(values, span, keys)


def _unsafe(tag: str, span: Span) -> Diagnostic:
    return _error(c.UNSAFE_YAML, f"YAML tag `{tag}` is not allowed in a manifest", span,
                  "remove the tag: manifests hold plain maps, lists, strings and numbers "
                  "(language-specific tags such as `!!python/...` are never executed)")

"""Reading one Kubernetes object's fields, with paths, spans and the API server's words.

Stage: a helper of `podcheck.manifests`.  A `Fields` view wraps one YAML mapping at a
field path (`spec.template.spec.containers[0]`); its typed getters return Python
values and append diagnostics worded as the API server words `field.ErrorList`
entries (staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go:
`Invalid value`, `Required value`, `Unsupported value`, `Forbidden`).  `finish()`
reports every key nobody read: a field that changes behaviour but is not modelled is
PC408 (`unmodelled`), anything else unknown is PC415; keys listed as harmless are
silent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from podcheck.diagnostics import Diagnostic, Note, Severity, Span
from podcheck.diagnostics import codes as c
from podcheck.manifests.yamlread import YNode
from podcheck.spec import IntOrPercent

_PERCENT = re.compile(r"[0-9]+%")  # apimachinery IsValidPercent's regex

Out = list[Diagnostic]


@dataclass(frozen=True, slots=True)
class Owner:
    """The object being read, for messages: `Deployment` `web`."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} `{self.name}`"


def show(value: object) -> str:
    """A value as Go's `%v`/`%q` shows it in API errors: strings quoted, others bare."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def invalid(owner: Owner, path: str, value: object, detail: str, span: Span,
            help: str, out: Out) -> None:
    """PC407 `path: Invalid value: v: detail`, as the API server rejects it."""
    out.append(Diagnostic(c.INVALID_FIELD_VALUE, Severity.ERROR,
                          f"{owner} is invalid: {path}: Invalid value: {show(value)}: {detail}",
                          span, help=help))


def forbidden(owner: Owner, path: str, detail: str, span: Span, help: str, out: Out) -> None:
    """PC407 `path: Forbidden: detail`."""
    out.append(Diagnostic(c.INVALID_FIELD_VALUE, Severity.ERROR,
                          f"{owner} is invalid: {path}: Forbidden: {detail}", span, help=help))


def unsupported(owner: Owner, path: str, value: object, allowed: Sequence[str], span: Span,
                out: Out) -> None:
    """PC407 `path: Unsupported value: "v": supported values: "a", "b"`."""
    shown = ", ".join(json.dumps(a) for a in allowed)
    out.append(Diagnostic(c.INVALID_FIELD_VALUE, Severity.ERROR,
                          f"{owner} is invalid: {path}: Unsupported value: {show(value)}: "
                          f"supported values: {shown}", span,
                          help=f"use one of {shown}"))


def required(owner: Owner, path: str, span: Span, out: Out, detail: str = "") -> None:
    """PC406 `path: Required value`."""
    extra = f": {detail}" if detail else ""
    out.append(Diagnostic(c.MISSING_REQUIRED_FIELD, Severity.ERROR,
                          f"{owner} is invalid: {path}: Required value{extra}", span,
                          help=f"add `{path.rsplit('.', 1)[-1]}`"))


@dataclass(slots=True)
class Fields:
    """One YAML mapping of an object at `path`; remembers which keys were read."""

    node: YNode
    path: str
    owner: Owner
    out: Out
    read: set[str] = field(default_factory=set)

    @property
    def span(self) -> Span:
        """The span of the whole mapping."""
        return self.node.span

    def _child_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        """True when `key` is present with a non-null value."""
        value = self._items().get(key)
        return value is not None and value.value is not None

    def _items(self) -> dict[str, YNode]:
        assert isinstance(self.node.value, dict)
        return self.node.value

    def raw(self, key: str) -> YNode | None:
        """The node at `key` (marked as read), None when absent or null."""
        self.read.add(key)
        value = self._items().get(key)
        return None if value is None or value.value is None else value

    def key_span(self, key: str) -> Span:
        """The span of `key: value` (its key), or of the mapping when `key` is absent."""
        assert self.node.keys is not None
        return self.node.keys.get(key, self.node.span)

    def value_span(self, key: str) -> Span:
        """The span of the value at `key`, or of the mapping when `key` is absent."""
        value = self._items().get(key)
        return value.span if value is not None else self.node.span

    def _type_error(self, key: str, node: YNode, what: str) -> None:
        invalid(self.owner, self._child_path(key), node.value, f"must be {what}", node.span,
                f"write `{key}` as {what}", self.out)

    def integer(self, key: str, default: int | None, minimum: int | None = 0) -> int | None:
        """An integer field; `default` when absent; PC407 when not an int or below min."""
        node = self.raw(key)
        if node is None:
            return default
        if not isinstance(node.value, int) or isinstance(node.value, bool):
            self._type_error(key, node, "an integer")
            return default
        if minimum is not None and node.value < minimum:
            invalid(self.owner, self._child_path(key), node.value,
                    f"must be greater than or equal to {minimum}", node.span,
                    f"use a value of at least {minimum}", self.out)
            return default
        return node.value

    def text(self, key: str, default: str | None = None) -> str | None:
        """A string field; `default` when absent; PC407 when not a string."""
        node = self.raw(key)
        if node is None:
            return default
        if not isinstance(node.value, str):
            self._type_error(key, node, "a string")
            return default
        return node.value

    def choice(self, key: str, allowed: Sequence[str], default: str | None) -> str | None:
        """A string field that must be one of `allowed` (PC407 Unsupported value)."""
        value = self.text(key)
        if value is None:
            return default
        if value not in allowed:
            unsupported(self.owner, self._child_path(key), value, allowed,
                        self.value_span(key), self.out)
            return default
        return value

    def mapping(self, key: str) -> Fields | None:
        """A nested mapping as its own `Fields`; PC407 when not a mapping."""
        node = self.raw(key)
        if node is None:
            return None
        if not node.is_map:
            self._type_error(key, node, "a mapping")
            return None
        return Fields(node, self._child_path(key), self.owner, self.out)

    def mappings(self, key: str) -> list[Fields]:
        """A list of mappings (`containers`), each at `key[i]`."""
        node = self.raw(key)
        if node is None:
            return []
        if not node.is_seq:
            self._type_error(key, node, "a list")
            return []
        items: list[Fields] = []
        assert isinstance(node.value, list)
        for i, item in enumerate(node.value):
            path = f"{self._child_path(key)}[{i}]"
            if not item.is_map:
                invalid(self.owner, path, item.value, "must be a mapping", item.span,
                        "write each entry as `key: value` fields", self.out)
                continue
            items.append(Fields(item, path, self.owner, self.out))
        return items

    def string_map(self, key: str) -> tuple[tuple[str, str], ...]:
        """A map of strings (labels, annotations), sorted by key; PC407 for non-strings."""
        node = self.raw(key)
        if node is None:
            return ()
        if not isinstance(node.value, dict):
            self._type_error(key, node, "a mapping of strings")
            return ()
        pairs = []
        for name, value in node.value.items():
            if not isinstance(value.value, str):
                invalid(self.owner, f"{self._child_path(key)}.{name}", value.value,
                        "must be a string", value.span, "quote the value", self.out)
                continue
            pairs.append((name, value.value))
        return tuple(sorted(pairs))

    def int_or_percent(self, key: str) -> IntOrPercent | None:
        """An IntOrString field: `2` or `"50%"` (PC407 otherwise, or for a negative)."""
        node = self.raw(key)
        if node is None:
            return None
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return IntOrPercent(value)
        # ASCII digits only (`str.isdigit` accepts `²`, which `int` refuses), and no more
        # than an int64 holds (NOTE(number-limits)).
        if isinstance(value, str) and _PERCENT.fullmatch(value) and len(value) <= 19:
            return IntOrPercent(int(value[:-1]), True)
        detail = ("must be greater than or equal to 0" if isinstance(value, int)
                  else "a valid percent string must be a numeric string followed by an "
                  "ending '%' (e.g. '1%',  or '93%', regex used for validation is "
                  "'[0-9]+%')")
        invalid(self.owner, self._child_path(key), value, detail, node.span,
                "use a non-negative integer or a percentage such as \"25%\"", self.out)
        return None

    def unmodelled(self, key: str, why: str) -> None:
        """PC408 when `key` is set: it changes behaviour and the model ignores it."""
        if not self.has(key):
            self.read.add(key)
            return
        self.read.add(key)
        self.out.append(Diagnostic(
            c.UNMODELLED_FIELD, Severity.WARNING,
            f"{self.owner}: `{self._child_path(key)}` is not modelled: {why}",
            self.key_span(key), help="the verdicts below hold as if the field were absent",
        ))

    def finish(self, harmless: Iterable[str] = ()) -> None:
        """PC415 for every key that no getter read and that is not `harmless`."""
        quiet = set(harmless) | self.read
        for key in self._items():
            if key not in quiet:
                self.out.append(Diagnostic(
                    c.UNKNOWN_MANIFEST_FIELD, Severity.WARNING,
                    f"{self.owner}: unknown field `{self._child_path(key)}`",
                    self.key_span(key), help="check the spelling: the API server rejects "
                    "unknown fields (`kubectl apply --validate=strict`)",
                    notes=(Note("podcheck ignores this field"),)))

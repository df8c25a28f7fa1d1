"""Field values: check one surface `Value` against its `FieldSpec` and convert it.

Stage: part of `podcheck.lang.check`.  Consumes `podcheck.lang.ast` values and
`podcheck.lang.schema.FieldSpec`; produces Python values for `podcheck.spec` (ints,
`DurationRange`, `IntOrPercent`, sorted pairs, ...) or None, appending diagnostics
(PC201 wrong type, PC202 out of range, PC203 enum, PC205 quantity, PC216 selector).

Scalars (ints, percentages, durations, quantities) and the shared type-mismatch
diagnostic live in `podcheck.lang.scalars` (NOTE(number-limits)).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from podcheck.diagnostics import Span, codes
from podcheck.lang import messages as m
from podcheck.lang.ast import Field, ListValue, MapValue, Scalar, Value
from podcheck.lang.scalars import (
    MAX_NODE_COUNT,
    Out,
    duration_range,
    int_or_percent,
    int_value,
    mismatch,
    quantity,
)
from podcheck.lang.schema import ENUM_LABELS, FieldSpec, vocab_field
from podcheck.lang.source import prefix_span
from podcheck.spec import LabelRequirement
from podcheck.vocab import SelectorOperator


def convert(spec: FieldSpec, value: Value, out: Out, name: str | None = None) -> object | None:
    """`value` converted for field `spec` (shown as `name`), or None after a diagnostic."""
    converter = _CONVERTERS[spec.type]
    return converter(spec, value, out, name or spec.name)






















def _text(spec: FieldSpec, value: Value, out: Out, name: str) -> str | None:
    if isinstance(value, Scalar) and value.kind == "string":
        return unquote(value.text)
    if isinstance(value, Scalar) and value.kind in ("name", "int"):
        return value.text
    mismatch(spec, value, out, name)
    return None


def unquote(text: str) -> str:
    """The contents of a string literal `"..."` (backslash escapes resolved)."""
    inner = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text
    return re.sub(r"\\(.)", r"\1", inner)


def _bool(spec: FieldSpec, value: Value, out: Out, name: str) -> bool | None:
    if isinstance(value, Scalar) and value.kind == "bool":
        return value.text == "true"
    mismatch(spec, value, out, name)
    return None


def _name(spec: FieldSpec, value: Value, out: Out, name: str) -> str | None:
    if isinstance(value, Scalar) and value.kind == "name":
        return value.text
    mismatch(spec, value, out, name)
    return None


def _enum(spec: FieldSpec, value: Value, out: Out, name: str) -> str | None:
    word = _name(spec, value, out, name)
    if word is None:
        return None
    if word in spec.values:
        return word if spec.enum is None else spec.enum(word)
    label = ENUM_LABELS.get(spec.name, f"`{spec.name}` value")
    out.append(m.unknown_enum(label, word, spec.values, value.span))
    return None


def _items(spec: FieldSpec, value: Value, out: Out, name: str) -> tuple[Value, ...] | None:
    if isinstance(value, ListValue):
        return value.items
    mismatch(spec, value, out, name)
    return None


def _int_list(spec: FieldSpec, value: Value, out: Out, name: str) -> tuple[int, ...] | None:
    items = _items(spec, value, out, name)
    if items is None:
        return None
    numbers = [int_value(spec, item, out, name) for item in items]
    return None if None in numbers else tuple(n for n in numbers if n is not None)


def _name_list(spec: FieldSpec, value: Value, out: Out, name: str) -> tuple[str, ...] | None:
    items = _items(spec, value, out, name)
    if items is None:
        return None
    names = [_name(spec, item, out, name) for item in items]
    return None if None in names else tuple(n for n in names if n is not None)


def _names_or_all(spec: FieldSpec, value: Value, out: Out, name: str) -> object | None:
    if isinstance(value, Scalar) and value.kind == "name" and value.text == "all":
        return "all"
    if isinstance(value, ListValue):
        return _name_list(spec, value, out, name)
    mismatch(spec, value, out, name)
    return None


def _count_or_names(spec: FieldSpec, value: Value, out: Out, name: str) -> object | None:
    if isinstance(value, ListValue):
        return _name_list(spec, value, out, name)
    if isinstance(value, Scalar) and value.kind == "int":
        return int_value(FieldSpec(spec.name, "int", min=0, max=MAX_NODE_COUNT), value, out, name)
    mismatch(spec, value, out, name)
    return None


def _entries(spec: FieldSpec, value: Value, out: Out, name: str) -> tuple[Field, ...] | None:
    if not isinstance(value, MapValue):
        mismatch(spec, value, out, name)
        return None
    seen: dict[str, Span] = {}
    for entry in value.entries:
        if entry.name in seen:
            out.append(
                m.error(
                    codes.DUPLICATE_FIELD,
                    f"key `{entry.name}` given twice in `{name}`",
                    entry.span,
                    notes=(m.first_defined(seen[entry.name]),),
                )
            )
        seen.setdefault(entry.name, entry.span)
    return value.entries


def _map_of(
    check: Callable[[FieldSpec, Value, Out, str], str | None],
) -> Callable[[FieldSpec, Value, Out, str], tuple[tuple[str, str], ...] | None]:
    def convert_map(
        spec: FieldSpec, value: Value, out: Out, name: str
    ) -> tuple[tuple[str, str], ...] | None:
        entries = _entries(spec, value, out, name)
        if entries is None:
            return None
        pairs = [(e.name, check(spec, e.value, out, f"{name}.{e.name}")) for e in entries]
        unknown = [e for e in entries if spec.keys and e.name not in spec.keys]
        for e in unknown:
            key = prefix_span(e.span, len(e.name))
            out.append(m.unknown_fairness_target(e.name, spec.keys, key))
        if unknown or any(v is None for _, v in pairs) or len({k for k, _ in pairs}) < len(pairs):
            return None
        return tuple(sorted((k, v) for k, v in pairs if v is not None))

    return convert_map


def _label_value(spec: FieldSpec, value: Value, out: Out, name: str) -> str | None:
    if isinstance(value, Scalar) and value.kind in ("string", "name", "int"):
        return _text(spec, value, out, name)
    mismatch(spec, value, out, name, "a label value")
    return None






def _empty_map(spec: FieldSpec, value: Value, out: Out, name: str) -> dict[str, str] | None:
    if isinstance(value, MapValue) and not value.entries:
        return {}
    mismatch(spec, value, out, name)
    return None


def _match_expressions(
    spec: FieldSpec, value: Value, out: Out, name: str
) -> tuple[LabelRequirement, ...] | None:
    items = _items(spec, value, out, name)
    if items is None:
        return None
    reqs = [_requirement(item, out, name) for item in items]
    return None if None in reqs else tuple(r for r in reqs if r is not None)


_REQ_FIELDS = {
    "key": FieldSpec("key", "text"),
    "operator": vocab_field("operator", SelectorOperator),
    "values": FieldSpec("values", "name-list"),
}


def _requirement(item: Value, out: Out, name: str) -> LabelRequirement | None:
    spec = FieldSpec(name, "match-expressions")
    entries = _entries(spec, item, out, name)
    if entries is None:
        return None
    got: dict[str, object] = {}
    ok = True
    for entry in entries:
        field_spec = _REQ_FIELDS.get(entry.name)
        if field_spec is None:
            out.append(
                m.error(
                    codes.UNKNOWN_FIELD,
                    f"unknown field `{entry.name}` in a label requirement",
                    entry.span,
                    help=m.did_you_mean(entry.name, _REQ_FIELDS),
                )
            )
            ok = False
            continue
        got[entry.name] = convert(field_spec, entry.value, out)
        ok = ok and got[entry.name] is not None
    return _build_requirement(got, item.span, out) if ok else None


def _build_requirement(got: dict[str, object], span: Span, out: Out) -> LabelRequirement | None:
    key, operator = got.get("key"), got.get("operator")
    values = got.get("values", ())
    if not isinstance(key, str) or not isinstance(operator, SelectorOperator):
        missing = "`key`" if not isinstance(key, str) else "`operator`"
        message = f"label requirement without {missing}"
        out.append(m.error(codes.INVALID_LABEL_REQUIREMENT, message, span))
        return None
    assert isinstance(values, tuple)
    needs_values = operator in ("In", "NotIn")
    if needs_values != bool(values):
        what = "needs a non-empty `values` list" if needs_values else "takes no `values`"
        out.append(m.error(codes.INVALID_LABEL_REQUIREMENT, f"operator `{operator}` {what}", span))
        return None
    return LabelRequirement(key, operator, tuple(str(v) for v in values))


_CONVERTERS: dict[str, Callable[[FieldSpec, Value, Out, str], object | None]] = {
    "int": int_value,
    "bool": _bool,
    "int-or-percent": int_or_percent,
    "duration-range": duration_range,
    "text": _text,
    "name": _name,
    "enum": _enum,
    "int-list": _int_list,
    "name-list": _name_list,
    "names-or-all": _names_or_all,
    "count-or-names": _count_or_names,
    "label-map": _map_of(_label_value),
    "quantity-map": _map_of(quantity),
    "enum-map": _map_of(_enum),
    "empty-map": _empty_map,
    "match-expressions": _match_expressions,
}

"""Scalar field values: ints, percentages, durations and quantities, and the
type-mismatch diagnostic every converter shares.

Stage: part of `podcheck.lang.check`, used by `podcheck.lang.values`.  Consumes
`podcheck.lang.ast` values and `podcheck.lang.schema.FieldSpec`; produces Python values for
`podcheck.spec` or None, appending diagnostics (PC201 wrong type, PC202 out of range, PC205
quantity).

NOTE(number-limits): a literal of any length or exponent gives a diagnostic, never an
exception: integers are compared by digit count before Python converts them (its
4 300-digit limit), durations past an int64 of nanoseconds (`metav1.Duration`) and
quantities past an int64 of base units (`Quantity.Value()`) are out of range (PC202):
Kubernetes may parse them, but podcheck cannot model them.
"""

from __future__ import annotations

import re
from decimal import Decimal, localcontext

from podcheck.diagnostics import Diagnostic, Fix, codes
from podcheck.kube.errors import KubeInputError
from podcheck.kube.resources import parse_quantity
from podcheck.lang import messages as m
from podcheck.lang.ast import ListValue, Range, Scalar, Value
from podcheck.lang.schema import FieldSpec
from podcheck.spec import Duration, DurationRange, IntOrPercent

Out = list[Diagnostic]

MAX_INT = 2**31 - 1  # Kubernetes' int32 fields

MAX_NODE_COUNT = 1000  # `nodes: N` shorthand

MAX_INT64 = 2**63 - 1

MAX_DURATION_MS = MAX_INT64 // 1_000_000  # metav1.Duration: int64 nanoseconds

MAX_QUANTITY = Decimal(MAX_INT64)  # Quantity.Value() is an int64 of base units

_SMALL_DIGITS = 18  # at most this many significant digits fit an int64 for sure

_INT = re.compile(r"^[+-]?[0-9]+$")

_DURATION = re.compile(r"^([0-9]+)(?:\.([0-9]+))?(ms|s|m|h)$")

_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}

_KIND_WORDS = {
    "int": "an int",
    "duration": "a duration",
    "quantity": "a quantity",
    "percent": "a percentage",
    "string": "a string",
    "name": "a name",
    "bool": "a bool",
}

_EXPECTED = {
    "int": "an int",
    "bool": "`true` or `false`",
    "int-or-percent": "an int or a percentage",
    "duration-range": "a duration or a range `lo..hi`",
    "text": "a string",
    "name": "a name",
    "enum": "a name",
    "int-list": "a list of ints",
    "name-list": "a list of names",
    "names-or-all": "`all` or a list of names",
    "count-or-names": "an int or a list of names",
    "label-map": "a map `{ key: value }`",
    "quantity-map": "a map of quantities",
    "enum-map": "a map `{ name: value }`",
    "empty-map": "`{}`",
    "match-expressions": "a list of `{ key, operator, values }` maps",
}

def describe(value: Value) -> tuple[str, str]:
    """What a value is (`a duration`) and a short text for messages (`10s`)."""
    if isinstance(value, Scalar):
        return _KIND_WORDS[value.kind], value.text
    if isinstance(value, Range):
        return "a range", f"{value.lo.text}..{value.hi.text}"
    if isinstance(value, ListValue):
        return "a list", "[...]"
    return "a map", "{...}"


def mismatch(
    spec: FieldSpec, value: Value, out: Out, name: str, expected: str | None = None
) -> None:
    found, text = describe(value)
    text = echo(text)
    help_text, fix = None, None
    if isinstance(value, Scalar) and spec.type == "int" and name.endswith("Seconds"):
        ms = duration_ms(value)
        if ms is not None and ms % 1000 == 0:
            help_text = f"`{name}` counts seconds: write `{ms // 1000}`"
            fix = Fix(value.span, str(ms // 1000))
    expected = expected or _EXPECTED[spec.type]
    out.append(m.wrong_type(name, expected, found, text, value.span, help_text, fix))


def int_value(spec: FieldSpec, value: Value, out: Out, name: str) -> int | None:
    if not (isinstance(value, Scalar) and value.kind == "int"):
        mismatch(spec, value, out, name)
        return None
    if not _INT.match(value.text):
        mismatch(spec, value, out, name)
        return None
    number = small_int(value.text.lstrip("+"))
    return _in_range(spec, MAX_INT + 1 if number is None else number, value, out, name)


def small_int(text: str) -> int | None:
    """The value of an ASCII integer literal (`-12`) of at most 18 significant digits;
    None for any other text, however long (NOTE(number-limits))."""
    digits = text[1:] if text[:1] == "-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits.lstrip("0")) > _SMALL_DIGITS:
        return None
    return int(text)


def _in_range(spec: FieldSpec, number: int, value: Scalar, out: Out, name: str) -> int | None:
    low, high = spec.min, MAX_INT if spec.max is None else spec.max
    if low is not None and number < low:
        bound = f"between {low} and {high}" if spec.max is not None else _at_least(low)
        out.append(m.out_of_range(name, echo(value.text), bound, value.span))
        return None
    if number > high:
        bound = f"between {low} and {high}" if low is not None else f"at most {high}"
        out.append(m.out_of_range(name, echo(value.text), bound, value.span))
        return None
    return number


def _at_least(low: int) -> str:
    return {0: "non-negative", 1: "positive"}.get(low, f"at least {low}")


def int_or_percent(spec: FieldSpec, value: Value, out: Out, name: str) -> IntOrPercent | None:
    if isinstance(value, Scalar) and value.kind == "percent":
        text = value.text.rstrip("%")
        if not _INT.match(text):
            mismatch(spec, value, out, name)
            return None
        small = small_int(text.lstrip("+"))
        number = MAX_INT + 1 if small is None else small
        high = MAX_INT if spec.max_percent is None else spec.max_percent
        if number < 0 or number > high:
            bound = "non-negative" if number < 0 else f"at most {high}%"
            out.append(m.out_of_range(name, echo(value.text), bound, value.span))
            return None
        return IntOrPercent(number, True)
    count = int_value(spec, value, out, name)
    return None if count is None else IntOrPercent(count)


def duration_ms(scalar: Scalar) -> int | None:
    """Milliseconds of a duration literal (`0` counts as zero), None if it is not one."""
    if scalar.kind == "int" and scalar.text == "0":
        return 0
    match = _DURATION.match(scalar.text) if scalar.kind == "duration" else None
    if match is None:
        return None
    whole, fraction, unit = match.group(1), (match.group(2) or "").rstrip("0"), match.group(3)
    if len(whole.lstrip("0")) > _SMALL_DIGITS:
        return MAX_DURATION_MS + 1  # out of range, whatever the fraction
    if len(fraction) > _SMALL_DIGITS:
        return None  # not a whole number of milliseconds
    with localcontext() as exact:
        exact.prec = 4 * _SMALL_DIGITS
        amount = Decimal(f"{whole}.{fraction or 0}") * _UNIT_MS[unit]
    return int(amount) if amount == amount.to_integral_value() else None


def duration_range(
    spec: FieldSpec, value: Value, out: Out, name: str
) -> DurationRange | None:
    if isinstance(value, Scalar):
        ms = duration_ms(value)
        if ms is None:
            mismatch(spec, value, out, name)
            return None
        return _bounded(DurationRange(Duration(ms), Duration(ms)), value, out, name)
    if not isinstance(value, Range):
        mismatch(spec, value, out, name)
        return None
    if value.fixed:  # a parameter of the checked file, substituted before (lang/params.py)
        text = f"fixed {value.lo.text}..{value.hi.text}"
        bound = "a duration or a per-start range here: `fixed` is for the checked file"
        out.append(m.out_of_range(name, text, bound, value.span))
        return None
    lo, hi = duration_ms(value.lo), duration_ms(value.hi)
    if lo is None or hi is None:
        bad = value.lo if lo is None else value.hi
        mismatch(spec, bad, out, name)
        return None
    if lo > hi:
        text = f"{value.lo.text}..{value.hi.text}"
        out.append(m.out_of_range(name, text, "a range with lo <= hi", value.span))
        return None
    return _bounded(DurationRange(Duration(lo), Duration(hi)), value, out, name)


def _bounded(found: DurationRange, value: Value, out: Out, name: str) -> DurationRange | None:
    """`found`, unless its upper end is past `MAX_DURATION_MS` (NOTE(number-limits))."""
    if found.hi.ms <= MAX_DURATION_MS:
        return found
    text = describe(value)[1]
    bound = f"at most {MAX_DURATION_MS}ms (an int64 of nanoseconds)"
    out.append(m.out_of_range(name, echo(text), bound, value.span))
    return None


def echo(text: str) -> str:
    """A literal for a message, cut when it is very long."""
    return text if len(text) <= 40 else f"{text[:20]}...{text[-8:]}"


def quantity(spec: FieldSpec, value: Value, out: Out, name: str) -> str | None:
    if not (isinstance(value, Scalar) and value.kind in ("int", "quantity", "duration")):
        mismatch(spec, value, out, name, "a quantity")
        return None
    amount = parse_quantity_text(value.text)
    if amount is None:
        out.append(
            m.error(
                codes.INVALID_QUANTITY,
                f"invalid quantity `{echo(value.text)}` for `{name}`",
                value.span,
                help="use a Kubernetes quantity such as `500m`, `2`, `256Mi` or `1G`",
            )
        )
        return None
    if amount < 0:
        out.append(m.out_of_range(name, echo(value.text), "non-negative", value.span))
        return None
    if amount > MAX_QUANTITY:
        bound = f"at most {MAX_INT64} (an int64, the largest quantity podcheck models)"
        out.append(m.out_of_range(name, echo(value.text), bound, value.span))
        return None
    return value.text


def parse_quantity_text(text: str) -> Decimal | None:
    """The value of a Kubernetes quantity, or None when `text` is not one.

    One source of truth: `podcheck.kube.resources.parse_quantity` (apimachinery's rules).
    """
    try:
        return parse_quantity(text)
    except KubeInputError:
        return None

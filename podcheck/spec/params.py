"""Symbolic parameters of a checked spec: integer fields left as ranges (`1..10`).

Stage: part of the contract `podcheck.spec`.  A front end that finds a field written as
a range of ints (`failureThreshold: 1..10`, `replicas: 1..5`) declares a `Param` and
checks the spec once per point of the parameters' product; the `CheckedSpec` then
carries the parameters and every point's own checked spec (`CheckedSpec.instances`).
The model compiles each point and `podcheck.engine.params` merges them into one
transition system in which each parameter is a frozen state variable.
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck.diagnostics import Span
from podcheck.spec.placement import span_field

MAX_POINTS = 256  # points of the parameters' product a spec may declare


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: the field at `name` (its enclosing blocks and the field, dotted:
    `protected.app.startupProbe.failureThreshold`) takes every value in `lo..hi`.  With
    `upto` (the name of an earlier parameter, `minAvailable: 1..replicas`) the range is
    `lo..` that parameter's value at each point, and `hi` is its largest.  `unit` is "s"
    for a fixed duration (`startup: fixed 20s..120s`: the values are whole seconds), "%"
    for a percent budget (`minAvailable: 40%..60%`: whole percents)."""

    name: str
    lo: int
    hi: int
    span: Span = span_field()
    upto: str = ""
    unit: str = ""
    patch: str = ""  # the source text at `span` for one value (`{}` the value): `"{}"`
    # NOTE(tune-field-patch): a manifest's range annotation stands for a Kubernetes field
    # (`podcheck.io/range.minAvailable: "0-2"` next to `minAvailable: 2`); `tune`'s patch
    # sets that field too (`field_span`, text `field_patch`), so that the cluster gets the
    # value podcheck checked, not only the annotation podcheck reads.
    field_span: Span = span_field()
    field_patch: str = ""
    unset: str = ""  # the field in words when the manifest leaves it to its default

    def literal(self, value: int) -> str:
        """The text `tune`'s patch writes at `span` for `value` (`8`, `41s`, `"41"`)."""
        if self.patch:
            return self.patch.format(value)
        return f"{value}{self.unit}"

    def field_literal(self, value: int) -> str:
        """The text `tune`'s patch writes at `field_span` for `value` (empty: no field)."""
        return self.field_patch.format(value) if self.field_patch else ""

    def __post_init__(self) -> None:
        assert self.lo <= self.hi, self.name

    @property
    def field(self) -> str:
        """The field's own name, the last part of `name` (`failureThreshold`)."""
        return self.name.rsplit(".", 1)[-1]

    def shown(self, value: int) -> str:
        """`value` with its unit: `41 s` for a fixed duration, `41%` for a percent (no
        space, as Kubernetes and the DSL write it), `3` for a count."""
        if self.unit == "%":
            return f"{value}%"
        return f"{value} {self.unit}" if self.unit else str(value)

    @property
    def values(self) -> range:
        """Every value of the range, in increasing order."""
        return range(self.lo, self.hi + 1)


def matches(param: Param, wanted: str) -> bool:
    """True when `wanted` names `param`: its full name or a dotted suffix of it."""
    return param.name == wanted or param.name.endswith("." + wanted)

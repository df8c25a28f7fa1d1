"""One field of the `.pod` schema: its value type, default, allowed values and range.

Stage: data for `podcheck.lang.schema` (which re-exports these) and `podcheck.lang.values`.

Value types (`FieldSpec.type`):
  int             a plain integer                          `3`
  bool            `true` or `false`                        `false`
  int-or-percent  an integer or a percentage               `1`, `25%`
  duration-range  a duration or a range of durations       `5s`, `5s..60s`
  text            a quoted string or a bare word           `"nginx:1.27"`, `a`
  name            a reference to a declared name           `slow-starter`
  enum            one of `FieldSpec.values` (read as a member
                  of `FieldSpec.enum` when it has one)     `Always`
  int-list        a list of integers                       `[8080, 9090]`
  name-list       a list of names                          `[n1, n2]`
  names-or-all    `all` or a list of names                 `all`, `[n1]`
  count-or-names  an integer or a list of names            `3`, `[n1, n2]`
  label-map       label key -> value                       `{ app: web }`
  quantity-map    resource -> Kubernetes quantity          `{ cpu: 500m, memory: 1Gi }`
  enum-map        name -> one of `FieldSpec.values`; the   `{ eviction-api: strong }`
                  names one of `FieldSpec.keys` if given
  empty-map       exactly `{}`                             `{}`
  match-expressions  a list of `{ key, operator, values }` maps
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass

from podcheck.vocab import words

VALUE_TYPES = (
    "int",
    "bool",
    "int-or-percent",
    "duration-range",
    "text",
    "name",
    "enum",
    "int-list",
    "name-list",
    "names-or-all",
    "count-or-names",
    "label-map",
    "quantity-map",
    "enum-map",
    "empty-map",
    "match-expressions",
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field: its value type, its default as written in a spec (None: no default),
    allowed values for enums (with `enum`, the vocabulary enum they are read as), the
    allowed keys of an enum-map (empty: any name), and an inclusive integer range
    (percentages: `max_percent`).
    """

    name: str
    type: str
    default: str | None = None
    values: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    max_percent: int | None = 100
    doc: str = ""
    enum: builtins.type[enum.StrEnum] | None = None
    keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert self.type in VALUE_TYPES, self.type
        assert bool(self.values) == (self.type in ("enum", "enum-map")), self.name
        assert self.enum is None or self.values == words(self.enum), self.name
        assert not self.keys or self.type == "enum-map", self.name


def vocab_field(
    name: str, kind: type[enum.StrEnum], default: str | None = None, doc: str = ""
) -> FieldSpec:
    """An enum field whose values are the spellings of a vocabulary enum."""
    return FieldSpec(name, "enum", default, words(kind), doc=doc, enum=kind)

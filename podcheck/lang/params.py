"""Symbolic parameters in `.pod` files: an int field written as a range (`1..10`).

Stage: part of `podcheck.lang.check`.  `find_params(root)` finds every field of the
root file whose value is a range of two ints and names it by its enclosing blocks
(`pod protected { container app { startupProbe { failureThreshold: 1..10 } } }` is
`protected.app.startupProbe.failureThreshold`); `check_points` checks the spec once per
point of the parameters' product, with each range replaced by the point's value, so
every point is validated by the same field checks as a plain spec.  A duration range
(`startup: 20s..120s`) is not a parameter: it keeps its meaning, a nondeterministic
duration chosen at every start (docs/language.md).  A *fixed* duration range
(`startup: fixed 20s..120s`, whole seconds) is one: a parameter in seconds (`unit` "s"),
each point the spec written with that single duration (`startup: 41s`).  A percent
range (`minAvailable: 40%..60%`) is a parameter over whole percents (`unit` "%"), each
point the spec written with that one percent (`minAvailable: 41%`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from podcheck.diagnostics import Diagnostic, Note, StageResult
from podcheck.lang import messages as m
from podcheck.lang.ast import Block, Field, Range, Scalar, SpecFile
from podcheck.lang.scalars import duration_ms, small_int
from podcheck.spec import CheckedSpec
from podcheck.spec.params import MAX_POINTS, Param, matches

Path = tuple[int, ...]  # item index, then member indices down to the field


@dataclass(frozen=True, slots=True)
class Found:
    """A parameter and where its range is written in the root file."""

    param: Param
    path: Path


def find_params(root: SpecFile, out: list[Diagnostic]) -> tuple[Found, ...]:
    """Every int-range field of `root`, in source order (a range with lo > hi is PC202)."""
    found: list[Found] = []
    for i, item in enumerate(root.items):
        if isinstance(item, Block):
            _walk(item, (i,), (), found, out)
    return tuple(found)


def _walk(block: Block, path: Path, names: tuple[str, ...], found: list[Found],
          out: list[Diagnostic]) -> None:  # fmt: skip
    names = (*names, block.name or block.kind)
    for j, member in enumerate(block.members):
        if isinstance(member, Block):
            _walk(member, (*path, j), names, found, out)
        elif isinstance(member.value, Range):
            param = _param(member, ".".join((*names, member.name)), found, out)
            if param is not None:
                found.append(Found(param, (*path, j)))


def _param(field: Field, name: str, found: list[Found], out: list[Diagnostic]) -> Param | None:
    value = field.value
    assert isinstance(value, Range)
    if value.fixed and value.lo.kind == "duration":
        return _fixed_duration(field, name, out)
    if value.lo.kind == "percent" or value.hi.kind == "percent":
        return _percents(field, name, out)
    if value.lo.kind != "int" or value.hi.kind not in ("int", "name"):
        return None
    lo = small_int(value.lo.text.lstrip("+"))
    if value.hi.kind == "name":
        return _bounded_by(field, name, lo, found, out)
    hi = small_int(value.hi.text.lstrip("+"))
    if lo is None or hi is None:
        return None  # not a plain int: the field check reports it
    if lo > hi:
        text = f"{value.lo.text}..{value.hi.text}"
        out.append(m.out_of_range(field.name, text, "a range with lo <= hi", value.span))
        return None
    return Param(name, lo, hi, value.span)


def _fixed_duration(field: Field, name: str, out: list[Diagnostic]) -> Param | None:
    """`fixed 20s..120s`: a parameter over the whole seconds 20..120 (PC202 for bounds that
    are not whole seconds or with lo > hi)."""
    value = field.value
    assert isinstance(value, Range)
    lo, hi = duration_ms(value.lo), duration_ms(value.hi)
    if lo is None or hi is None:
        return None  # not a duration: the field check reports it
    if lo % 1000 or hi % 1000 or lo > hi:
        text = f"fixed {value.lo.text}..{value.hi.text}"
        bound = "a range of whole seconds with lo <= hi"
        out.append(m.out_of_range(field.name, text, bound, value.span))
        return None
    return Param(name, lo // 1000, hi // 1000, value.span, unit="s")


def _percents(field: Field, name: str, out: list[Diagnostic]) -> Param | None:
    """`40%..60%`: a parameter over the whole percents 40..60, each point the spec with
    that one percent (PC202 for a bound that is not a percent or with lo > hi)."""
    value = field.value
    assert isinstance(value, Range)
    ends = [small_int(b.text[:-1]) if b.kind == "percent" else None for b in (value.lo, value.hi)]
    lo, hi = ends
    if lo is None or hi is None or lo > hi:
        text = f"{value.lo.text}..{value.hi.text}"
        out.append(m.out_of_range(field.name, text, "a range of percents with lo <= hi",
                                  value.span))  # fmt: skip
        return None
    return Param(name, lo, hi, value.span, unit="%")


def _bounded_by(field: Field, name: str, lo: int | None, found: list[Found],
                out: list[Diagnostic]) -> Param | None:  # fmt: skip
    """`lo..other`: bounded by the value of an earlier parameter `other` at each point."""
    value = field.value
    assert isinstance(value, Range)
    other = [f.param for f in found if matches(f.param, value.hi.text)]
    if lo is None or len(other) != 1 or lo > other[0].hi:
        text = f"{value.lo.text}..{value.hi.text}"
        bound = "a range up to one earlier parameter written `lo..hi` with lo <= its hi"
        out.append(m.out_of_range(field.name, text, bound, value.span))
        return None
    return Param(name, lo, other[0].hi, value.span, upto=other[0].name)


def points_of(params: Sequence[Param]) -> list[tuple[int, ...]]:
    """The points of the parameters' product, without those where a bounded parameter
    exceeds the value of the parameter bounding it."""
    where = {p.name: i for i, p in enumerate(params)}
    return [point for point in itertools.product(*(p.values for p in params))
            if all(not p.upto or point[i] <= point[where[p.upto]]
                   for i, p in enumerate(params))]  # fmt: skip


def substitute(root: SpecFile, found: Sequence[Found], values: Sequence[int]) -> SpecFile:
    """`root` with each parameter's range replaced by its value (an int literal, or a
    duration in seconds for a fixed duration range)."""
    items = list(root.items)
    for where, value in zip(found, values, strict=True):
        head, *rest = where.path
        block = items[head]
        assert isinstance(block, Block)
        kind = {"s": "duration", "%": "percent"}.get(where.param.unit, "int")
        literal = Scalar(kind, f"{value}{where.param.unit}")
        items[head] = _put(block, rest, literal)
    return replace(root, items=tuple(items))


def _put(block: Block, path: Sequence[int], literal: Scalar) -> Block:
    head, *rest = path
    members = list(block.members)
    member = members[head]
    if rest:
        assert isinstance(member, Block)
        members[head] = _put(member, rest, literal)
    else:
        assert isinstance(member, Field)
        members[head] = replace(member, value=replace(literal, span=member.value.span))
    return replace(block, members=tuple(members))


def check_points(
    root: SpecFile, found: Sequence[Found], check: Callable[[SpecFile], StageResult[CheckedSpec]],
) -> StageResult[CheckedSpec]:  # fmt: skip
    """Check `root` at every point of the parameters' product (at most `MAX_POINTS`); the
    result is the first point's spec carrying the parameters and every point's spec.  A
    point that fails its checks fails the whole spec, its diagnostics noting the point."""
    params = tuple(f.param for f in found)
    size = math.prod(len(p.values) for p in params)  # before enumerating: ranges may be huge
    points = points_of(params) if size <= _ENUMERATED else []
    if size > _ENUMERATED or len(points) > MAX_POINTS:
        return StageResult(None, (_too_many(params[-1], len(points) or size),))
    instances: list[tuple[tuple[int, ...], CheckedSpec]] = []
    for point in points:
        checked = check(substitute(root, found, point))
        if not checked.ok or checked.value is None:
            note = Note("at the point " + point_words(params, point))
            return StageResult(None, tuple(
                replace(d, notes=(*d.notes, note)) for d in checked.diagnostics))
        instances.append((point, checked.value))
    first = instances[0][1]
    return StageResult(replace(first, params=params, instances=tuple(instances)))


_ENUMERATED = 1 << 16  # a product larger than this is refused without listing its points


def _too_many(last: Param, points: int) -> Diagnostic:
    """PC202 for a product of more than `MAX_POINTS` points, pointing at `podcheck counts`
    when the range is a replica count."""
    bound = f"a range whose product with the others has at most {MAX_POINTS} points"
    found = m.out_of_range(last.field, f"{last.lo}..{last.hi} ({points} points)", bound,
                           last.span)  # fmt: skip
    if last.field != "replicas":
        return found
    return replace(found, help="`podcheck counts` proves budget-respected and drain-completes "
                               "for every count of a replica range of any size")


def point_words(params: Sequence[Param], point: Sequence[int]) -> str:
    """`failureThreshold = 3, replicas = 2` (`startup = 41 s` for a fixed duration)."""
    return ", ".join(f"{p.field} = {p.shown(v)}" for p, v in zip(params, point, strict=True))


"""Byte code of generated sources, kept between runs of one process.

Stage: inside `podcheck.engine`, under `pycompile` and its expander shapes.

NOTE(code-cache): a process that runs the same system more than once (each
`--max-states` run of a suite, the per-count runs of a range, every check of one spec
in the tests) generates the same source again: its byte code is kept for the last 128
sources of up to CACHED_SOURCE characters.  A code object is immutable and the source
text (with its file name) is the whole input of `compile`, so a hit is the same code
and cannot change a verdict, a count or a trace.

The chunked expander's action functions do not depend on the flagged conditions, yet a
run builds its expander again whenever a flagged condition is met (a property decided,
a vacuity probe hit: `bfs._search`), which at `replicas: 10000` repeated the whole
generation (the slot-table plan, every run's source, a 6.8 MB function's compile).  So
they are kept too (`kept`): for the last (system, packing, twin pairs) objects, by
identity (the entry holds them, so an id is not reused), and the settings they were
built with; only the flags' functions and `expand` are generated again.  What is kept
is what the same call would build again (a plan is a function of the system and the
settings; its loop tables are filled once and only read after), so a hit changes
nothing but the time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import CodeType
from typing import TypeVar

T = TypeVar("T")

CACHED_SOURCE = 1 << 20  # characters; a larger source is compiled each time, not kept


@lru_cache(maxsize=128)
def _cached(source: str, filename: str) -> CodeType:
    return compile(source, filename, "exec")


def compiled(source: str, filename: str) -> CodeType:
    """`compile(source, filename, "exec")`, cached (NOTE(code-cache))."""
    if len(source) > CACHED_SOURCE:
        return compile(source, filename, "exec")
    return _cached(source, filename)


_KEPT: list[tuple[tuple[object, ...], tuple[object, ...], object]] = []
KEPT = 1  # entries of `kept` (each holds a system: at 10 000 replicas, 2 GiB)


def kept(objects: tuple[object, ...], settings: tuple[object, ...], build: Callable[[], T]) -> T:
    """`build()`, or what it returned for the same `objects` (by identity) and equal
    `settings` among the last `KEPT` calls (NOTE(code-cache))."""
    for held, same, value in _KEPT:
        if same == settings and len(held) == len(objects) and all(
                a is b for a, b in zip(held, objects, strict=True)):
            return value  # type: ignore[return-value]
    value = build()
    _KEPT[:] = [*_KEPT[-(KEPT - 1):], (objects, settings, value)]
    return value

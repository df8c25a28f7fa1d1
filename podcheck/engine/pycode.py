"""Byte code of generated sources, kept between runs of one process.

Stage: inside `podcheck.engine`, under `pycompile` and its expander shapes.

NOTE(code-cache): a process that runs the same system more than once (each
`--max-states` run of a suite, the per-count runs of a range, every check of one spec
in the tests) generates the same source again: its byte code is kept for the last 128
sources of up to CACHED_SOURCE characters.  A code object is immutable and the source
text (with its file name) is the whole input of `compile`, so a hit is the same code
and cannot change a verdict, a count or a trace.
"""

from __future__ import annotations

from functools import lru_cache
from types import CodeType

CACHED_SOURCE = 1 << 20  # characters; a larger source is compiled each time, not kept


@lru_cache(maxsize=128)
def _cached(source: str, filename: str) -> CodeType:
    return compile(source, filename, "exec")


def compiled(source: str, filename: str) -> CodeType:
    """`compile(source, filename, "exec")`, cached (NOTE(code-cache))."""
    if len(source) > CACHED_SOURCE:
        return compile(source, filename, "exec")
    return _cached(source, filename)

"""The cyclic garbage collector paused while the engine sets a run up.

Stage: inside `podcheck.engine`, used by the set-up stages (`symmetry.prepare`,
`twins.twins`, `pycompile`'s expander factory).

NOTE(setup-gc): the set-up walks millions of IR nodes and allocates memo entries (ints,
strings, tuples, dicts), none of them in a reference cycle: the cyclic collector only
rescans the live heap, and with the IR of `replicas: 10000` (2 GiB) its full
collections were about 40 % of `symmetry.prepare` (45 -> 26 s CPU, measured in one
process, `bench/compile.py`).  So it is paused meanwhile and restored after, as the
model compiler's `check._no_gc` does (which also freezes what it built).  Reference
counting still frees every acyclic object at once, so no memory is kept that would have
been freed, and nothing computed changes: the collector never affects a value.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def paused(freeze: bool = False) -> Iterator[None]:
    """The cyclic collector off inside, restored to what it was (NOTE(setup-gc)); with
    `freeze`, what exists at the end is frozen first (`gc.freeze`: never scanned again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


def pausing(fn: Callable[P, R]) -> Callable[P, R]:
    """`fn` run with the cyclic collector `paused`."""
    @wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with paused():
            return fn(*args, **kwargs)

    return run

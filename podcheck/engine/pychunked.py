"""The chunked expander of a big system: one function per `CHUNK` actions or per run.

Stage: inside `podcheck.engine`, used by `pycompile._expander_factory` above `CHUNK`
actions.  Consumes a `TransitionSystem` (with `pyslots`' plan from `SLOTS_FROM`
actions); produces the functions' sources (NOTE(linear-codegen) in `pycompile.py`) and
the factory of the expander made of them, the actions' code kept between the expanders
of one run (NOTE(code-cache) in `pycode.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import CodeType

from podcheck.engine import pycompile, pyloops, pyslotcode, pyslots
from podcheck.engine.pybody import shared_parts
from podcheck.engine.pycode import compiled, kept
from podcheck.engine.pycompile import (
    Bounds,
    Expander,
    Packing,
    Skips,
    _action_lines,
    _domain_error,
    _guards,
    _hoist,
    _reads,
)
from podcheck.engine.pyexpr import cond_source
from podcheck.engine.pyhoist import list_reads, split_hoists
from podcheck.ir import Expr, TransitionSystem


def factory(system: TransitionSystem, packing: Packing, flagged: Sequence[Expr], edges: bool,
            skip: Skips | None) -> Callable[..., Expander]:  # fmt: skip
    """`pycompile._expander_factory` above `CHUNK` actions: the actions' code kept
    (NOTE(code-cache)), the flags' functions and `expand` made again."""
    settings = (edges, pyslots.SLOTS_FROM, pycompile.CHUNK, pyloops.MIN_LOOP)
    slots, codes, calls = kept((system, packing, skip), settings,
                               lambda: _action_codes(system, packing, edges, skip))
    flags = _flag_sources(system, flagged, slots, calls)
    return _make(system, [*codes, *(compiled(src + "\n", f"<podcheck:part{len(codes) + i}>")
                                    for i, src in enumerate(flags))], slots, skip)


def sources(
    system: TransitionSystem, packing: Packing, flagged: Sequence[Expr], edges: bool,
    skip: Skips, slots: pyslots.Plan | None = None,
) -> list[str]:
    """One top-level `part{c}` function per `CHUNK` actions (with `slots`, one `run{c}`
    per run of slot actions instead: NOTE(slot-table) in `engine/pyslots.py`), then
    `expand` calling them in order; they read `seen`, `add` and the `push_*` callables as
    globals, and each is compiled on its own (a limit's signal handler runs between two).
    The subexpressions several guards share (e.g. a workload's lowest absent slot) are
    computed once per state, before the parts, into the list `g` passed to every part,
    by functions of `CHUNK` lines (NOTE(chunked-hoists)); so are the flagged conditions'.
    With `slots`, only the guard parts reading several members are."""
    sources, calls = _action_sources(system, packing, edges, skip, slots)
    return [*sources, *_flag_sources(system, flagged, slots, calls)]


def _action_sources(
    system: TransitionSystem, packing: Packing, edges: bool, skip: Skips,
    slots: pyslots.Plan | None,
) -> tuple[list[str], list[str]]:  # fmt: skip
    """`sources` but the flags: the functions, and `expand`'s lines so far."""
    shared, guard_names = (_guards(system, range(len(system.actions))) if slots is None
                           else pyslotcode.hoist(system, slots, slots.hoisted, "g"))
    sources, calls = split_hoists(shared, "g", "hoist", pycompile.CHUNK)
    calls = ["def expand(s, x, link):", "        out = []" if edges else "        k = 0",
             *calls, *([] if shared else ["        g = ()"])]
    memo: Bounds = {}
    segments = pyslots.segments(len(system.actions), slots, pycompile.CHUNK)
    for c, (first, last, run) in enumerate(segments):
        if run is not None and slots is not None:
            sources.append(pyslotcode.run_source(system, slots, run, c, guard_names.memo,
                                              edges, packing.offset))
        else:
            body = [line for a in range(first, last) for line in
                    _action_lines(system, packing, a, edges, guard_names, memo, skip)]
            head = (f"def part{c}(s, x, link, g, out):" if edges
                    else f"def part{c}(s, x, link, g):")
            sources.append("\n".join([head, *_reads(body), *list_reads(body, "g"),
                                       *([] if edges else ["        k = 0"]), *body,
                                       "        return None" if edges else "        return k"]))
        name = "part" if run is None else "run"
        calls.append(f"        {name}{c}(s, x, link, g, out)" if edges
                     else f"        k += {name}{c}(s, x, link, g)")
    if edges:
        calls += ["        push_edges(out)", "        k = len(out)"]
    return sources, calls


def _flag_sources(system: TransitionSystem, flagged: Sequence[Expr],
                  slots: pyslots.Plan | None, calls: list[str]) -> list[str]:  # fmt: skip
    """The flagged conditions' hoist functions, then `expand` (its `calls` so far)."""
    sources: list[str] = []
    flag_lines, flag_names = (_hoist(system, flagged, "f") if slots is None else pyslotcode.hoist(
        system, slots, slots.parts(shared_parts(flagged), flagged), "f"))
    flag = " or ".join(cond_source(e, flag_names) for e in flagged)
    if flag:
        flag_functions, flag_calls = split_hoists(flag_lines, "f", "flags", pycompile.CHUNK)
        sources += flag_functions
        calls = [*calls, *flag_calls, *_reads([flag]), *list_reads([flag], "f"),
                 f"        return ~k if {flag} else k"]
    else:
        calls = [*calls, "        return k"]
    return [*sources, "\n".join(calls)]


def _make(system: TransitionSystem, codes: list[CodeType], slots: pyslots.Plan | None,
                  skip: Skips | None) -> Callable[..., Expander]:  # fmt: skip
    fail = _domain_error(system)
    segments = pyslots.segments(len(system.actions), slots, pycompile.CHUNK)
    tables = {f"T{c}": pyslotcode.table(slots, run, Packing.of(system).offset, skip)
              for c, (_, _, run) in enumerate(segments) if run is not None and slots is not None}

    def make(seen: object, add: object, push_state: object, push_key: object,
             push_link: object, push_edges: object) -> Expander:
        namespace: dict[str, object] = {
            "fail": fail, "seen": seen, "add": add, "push_state": push_state,
            "push_key": push_key, "push_link": push_link, "push_edges": push_edges,
            "twin": pyslotcode.twin, **tables, **(slots.tables if slots else {})}
        for code in codes:
            exec(code, namespace)  # noqa: S102 - source is generated from the IR, ints only
        return namespace["expand"]  # type: ignore[return-value]

    return make


def _action_codes(system: TransitionSystem, packing: Packing, edges: bool,
                  skip: Skips | None) -> tuple[pyslots.Plan | None, list[CodeType], list[str]]:
    """The slot table's plan, the compiled action functions, `expand`'s lines so far."""
    slots = pyslots.plan(system) if len(system.actions) >= pyslots.SLOTS_FROM else None
    sources, calls = _action_sources(system, packing, edges, skip or {}, slots)
    return slots, [compiled(src + "\n", f"<podcheck:part{i}>")
                   for i, src in enumerate(sources)], calls

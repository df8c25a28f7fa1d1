"""Render traces as ITF JSON (Apalache ADR-015, as Quint writes it) and whole runs as JSON.

Stage: `podcheck.report`.  Consumes a `Trace` or a `CheckResult`; produces plain JSON
values (dicts, lists, ints, strings) and their text.  An ITF trace has `#meta` (format,
source spec, property, engine, description), `vars`, `states` (each with
`#meta.index` and `#meta.time`, the elapsed seconds (report/clock.py); every variable's
value: enum labels as strings, ints as ints, big ints as `{"#bigint": ...}`; the action
taken in `mbt::actionTaken` and its parameters in `mbt::nondetPicks`, as Quint does) and
`loop` for a lasso.  Key order is fixed by construction, so the text is deterministic.
"""

from __future__ import annotations

import json
import posixpath
from typing import Any

from podcheck.engine.result import CheckResult, Trace
from podcheck.ir import Action, Derived, TransitionSystem, evaluate
from podcheck.report.clock import is_clock_view, step_times
from podcheck.report.params import counts_json
from podcheck.report.words import detail

FORMAT = "ITF"
FORMAT_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"
ACTION_TAKEN = "mbt::actionTaken"
NONDET_PICKS = "mbt::nondetPicks"
JSON_SAFE = 2**53 - 1

Json = Any


def _int(value: int) -> Json:
    return value if -JSON_SAFE <= value <= JSON_SAFE else {"#bigint": str(value)}


def _value(system: TransitionSystem, index: int, value: int) -> Json:
    var = system.vars[index]
    return var.show(value) if var.labels else _int(value)


def _action_meta(action: Action) -> dict[str, Json]:
    meta: dict[str, Json] = {"label": action.label, "actor": action.actor}
    if action.span is not None:
        meta["span"] = f"{posixpath.basename(action.span.file)}:{action.span.line}"
    return meta


def itf_state(trace: Trace, index: int) -> dict[str, Json]:
    """State `index` of `trace` as an ITF state object."""
    system, step = trace.system, trace.steps[index]
    meta: dict[str, Json] = {"index": index, "time": step_times(trace)[index]}
    if step.action is None:
        taken, picks = "init", {}
    else:
        action = system.actions[step.action]
        taken, picks = action.name, dict(action.params)
        meta.update(_action_meta(action))
    state: dict[str, Json] = {"#meta": meta, ACTION_TAKEN: taken, NONDET_PICKS: picks}
    for i, var in enumerate(system.vars):
        state[var.name] = _value(system, i, step.state[i])
    for view in shown_views(system):
        value = evaluate(view.expr, step.state)
        if view.labels == ("false", "true"):
            state[derived_name(view)] = bool(value)
        else:
            state[derived_name(view)] = view.show(value) if view.labels else _int(value)
    return state


def shown_views(system: TransitionSystem) -> list[Derived]:
    """The derived views an ITF state lists (the clock's view is `#meta.time` instead)."""
    return [d for d in system.derived if not is_clock_view(d)]


def derived_name(view: Derived) -> str:
    """The ITF variable of a derived view: `web-1.phase` for owner `pod web-1`."""
    owner = view.owner.split(" ", 1)[-1]
    return f"{owner}.{view.field}" if owner else view.field


def trace_to_itf(
    trace: Trace,
    *,
    property_name: str | None = None,
    engine: str = "bfs",
    description: str = "",
) -> dict[str, Json]:
    """`trace` as an ITF trace object."""
    system = trace.system
    meta: dict[str, Json] = {
        "format": FORMAT,
        "format-description": FORMAT_DESCRIPTION,
        "source": posixpath.basename(system.source),
        "system": system.name,
        "engine": engine,
    }
    if property_name is not None:
        meta["property"] = property_name
    if description:
        meta["description"] = description
    if trace.loop_action is not None:
        action = system.actions[trace.loop_action]
        meta["loopAction"] = {
            ACTION_TAKEN: action.name,
            NONDET_PICKS: dict(action.params),
            **_action_meta(action),
        }
    doc: dict[str, Json] = {
        "#meta": meta,
        "vars": [
            ACTION_TAKEN,
            NONDET_PICKS,
            *(v.name for v in system.vars),
            *(derived_name(d) for d in shown_views(system)),
        ],
        "states": [itf_state(trace, i) for i in range(len(trace.steps))],
    }
    if trace.loop_start is not None:
        doc["loop"] = trace.loop_start
    return doc


def result_to_json(check: CheckResult, *, show_timing: bool = False) -> dict[str, Json]:
    """A whole run: verdicts, statistics, and an ITF trace per property that has one."""
    system = check.system
    kinds = {p.name: p for p in system.properties}
    stats = check.stats
    statistics: dict[str, Json] = {
        "states": stats.states,
        "transitions": stats.transitions,
        "depth": stats.depth,
        "complete": stats.complete,
    }
    if show_timing:
        statistics["seconds"] = round(stats.seconds, 6)
        statistics["peakBytes"] = stats.peak_bytes
    properties = []
    for r in check.results:
        prop = kinds.get(r.name)
        description = prop.description if prop is not None else ""
        trace = None
        if r.trace is not None:
            trace = trace_to_itf(
                r.trace, property_name=r.name, engine=check.engine,
                description=description,
            )  # fmt: skip
        properties.append({
            "name": r.name,
            "kind": prop.expectation.value if prop is not None else None,
            "verdict": r.verdict.value,
            "expected": r.expected,
            "asExpected": r.as_expected,
            "detail": detail(r),
            "trace": trace,
            **({"counts": [counts_json(c) for c in r.counts]} if r.counts else {}),
        })  # fmt: skip
    deadlock = None
    if check.deadlock is not None:
        deadlock = trace_to_itf(check.deadlock, engine=check.engine, description="deadlock")
    return {
        "format": "podcheck-result",
        "version": 1,
        "system": system.name,
        "source": posixpath.basename(system.source),
        "engine": check.engine,
        "limit": check.limit,
        "statistics": statistics,
        "properties": properties,
        "deadlock": deadlock,
    }


def dumps(doc: Json) -> str:
    """JSON text of `doc`: two-space indent, keys in construction order, newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

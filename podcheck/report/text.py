"""Render a `CheckResult` or one `Trace` as text for people (STYLE rule 10).

Stage: `podcheck.report`.  Consumes engine results (`podcheck.engine.result`);
produces a string.  Each step is labelled with its action's `label` and shows only
the variables that changed (the full state at step 0), grouped by `StateVar.owner`,
with enum labels via `StateVar.show`.  Output is deterministic: spans are printed as
basename and line, timings only with `show_timing=True`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from podcheck.engine.result import CheckResult, PropertyResult, Trace, Verdict
from podcheck.engine.symbolic import SYMBOLIC_ENGINES
from podcheck.ir import Action, Derived, Expectation, Expr, Op, Property, State, Var, evaluate
from podcheck.report import words
from podcheck.report.clock import advance, is_clock_view, step_times
from podcheck.report.invariant import render_invariant
from podcheck.report.params import param_line
from podcheck.report.words import count, detail, plural

INDENT = " " * 8
LINE_LIMIT = 100  # wrap a state's fields past this column


def mentioned(expr: Expr | None) -> tuple[int, ...]:
    """The indices of the variables `expr` reads, sorted."""
    found: set[int] = set()
    todo = [expr] if expr is not None else []
    while todo:
        e = todo.pop()
        if isinstance(e, Var):
            found.add(e.index)
        elif isinstance(e, Op):
            todo.extend(e.args)
    return tuple(sorted(found))


def action_call(action: Action) -> str:
    """`name(param=value, ...)`, and where the spec enables it (basename:line)."""
    args = ", ".join(f"{k}={v}" for k, v in action.params)
    call = f"{action.name}({args})"
    if action.span is None:
        return call
    return f"{call} at {posixpath.basename(action.span.file)}:{action.span.line}"


Item = tuple[str, str, str]  # (owner, field, text)


def _groups(items: Iterable[Item]) -> list[str]:
    """Lines `owner  field text   field text`, owners in order of first appearance."""
    by_owner: dict[str, list[str]] = {}
    for owner, field, text in items:
        by_owner.setdefault(owner, []).append(f"{field}{text}")
    width = max((len(owner) for owner in by_owner), default=0)
    lines = []
    for owner, fields in by_owner.items():
        prefix = f"{owner:<{width}}  " if width else ""
        lines.extend(_wrap(INDENT + prefix, fields))
    return lines


def _wrap(lead: str, fields: list[str], limit: int = LINE_LIMIT) -> list[str]:
    """`lead` then the fields three spaces apart, continuing under the first field
    when a line would pass `limit` columns (a single long field is never split)."""
    lines = [lead]
    for text in fields:
        fresh = len(lines[-1]) == len(lead)  # no field on this line yet
        if not fresh and len(lines[-1]) + 3 + len(text) > limit:
            lines.append(" " * len(lead))
            fresh = True
        lines[-1] += text if fresh else "   " + text
    return [line.rstrip() for line in lines]


def _shown(trace: Trace) -> list[Derived]:
    """The derived views a trace lists (the clock's view is shown as step times)."""
    return [d for d in trace.system.derived if not is_clock_view(d)]


def _derived(trace: Trace, state: State) -> list[int]:
    return [evaluate(d.expr, state) for d in _shown(trace)]


def _var_item(trace: Trace, i: int, text: str) -> Item:
    var = trace.system.vars[i]
    return var.owner, var.field or var.name, text


def _values(
    trace: Trace, state: State, indices: Iterable[int], owners: Iterable[str] | None = None
) -> list[str]:
    """Variables `indices` (and the derived views of `owners`, default all) in `state`."""
    variables = trace.system.vars
    indices = list(indices)
    wanted = set(owners) if owners is not None else None
    views = [
        (d.owner, d.field, f" = {d.show(v)}")
        for d, v in zip(_shown(trace), _derived(trace, state), strict=True)
        if wanted is None or d.owner in wanted
    ]
    return _groups(sorted_by_owner(
        trace, views, [_var_item(trace, i, f" = {variables[i].show(state[i])}") for i in indices]
    ))


def sorted_by_owner(trace: Trace, views: list[Item], items: list[Item]) -> list[Item]:
    """Derived views first within each owner; owners in layout order."""
    order = {v.owner: n for n, v in reversed(list(enumerate(trace.system.vars)))}
    for d in _shown(trace):
        order.setdefault(d.owner, len(order) + len(trace.system.vars))
    merged = [(order.get(o, 0), 0, o, f, t) for o, f, t in views]
    merged += [(order.get(o, 0), 1, o, f, t) for o, f, t in items]
    merged.sort(key=lambda m: (m[0], m[1]))
    return [(o, f, t) for _, _, o, f, t in merged]


def _changes(trace: Trace, before: State, after: State) -> list[str]:
    variables = trace.system.vars
    changed = [i for i in range(len(after)) if before[i] != after[i]]
    if not changed:
        return [INDENT + "(no change)"]
    views = [
        (d.owner, d.field, f": {d.show(a)} -> {d.show(b)}")
        for d, a, b in zip(
            _shown(trace), _derived(trace, before), _derived(trace, after), strict=True
        )
        if a != b
    ]
    items = [
        _var_item(trace, i, f": {variables[i].show(before[i])} -> {variables[i].show(after[i])}")
        for i in changed
    ]
    return _groups(sorted_by_owner(trace, views, items))


def _step(trace: Trace, number: int, action: int, before: State, after: State,
          now: int) -> list[str]:
    act = trace.system.actions[action]
    passed = advance(trace.system, action, before)
    when = f" (+{passed} s, t = {now + passed} s)" if passed else ""
    return [
        f"step {number:<2} {act.label}{when}",
        f"{INDENT}action {action_call(act)}",
        *_changes(trace, before, after),
    ]


def render_trace(trace: Trace) -> str:
    """The steps of `trace`, one block each, with the lasso's loop if it has one."""
    steps, times = trace.steps, step_times(trace)
    lines = ["step 0  initial state"]
    lines += _values(trace, steps[0].state, range(len(steps[0].state)))
    for i in range(len(steps)):
        if i > 0:
            action = steps[i].action
            assert action is not None
            lines += _step(trace, i, action, steps[i - 1].state, steps[i].state, times[i - 1])
        if trace.loop_start == i and trace.loop_action is not None:
            lines.append(f"from step {i} the following repeats forever")
    if trace.loop_start is not None:
        lines += _loop_end(trace, times[-1])
    return "\n".join(lines) + "\n"


def _loop_end(trace: Trace, now: int) -> list[str]:
    start, last = trace.loop_start, len(trace.steps) - 1
    assert start is not None
    if trace.loop_action is None:
        return [f"from step {last} the run stays in its last state forever"]
    step = _step(trace, last + 1, trace.loop_action, trace.steps[last].state,
                 trace.steps[start].state, now)  # fmt: skip
    return [*step, f"{INDENT}back to step {start}, and so on forever"]


def _header(prop: Property | None, result: PropertyResult) -> str:
    kind = f" ({prop.expectation.value})" if prop is not None else ""
    head = f"property `{result.name}`{kind} {result.verdict.value}"
    trace = result.trace
    if trace is not None and result.verdict is Verdict.VIOLATED and trace.loop_start is not None:
        head += f": {_lasso_shape(trace)}"
    elif trace is not None and result.verdict is Verdict.VIOLATED:
        head += f" in {plural(trace.length, 'step')}"
    elif trace is not None:
        head += f": witness in {plural(trace.length, 'step')}"
    why = detail(result)
    if why and trace is None:
        head += f": {why}"
    elif why and trace is not None and trace.loop_start is not None:
        head += f"\n  {why}"  # liveness: how the loop is fair
    return head


def _lasso_shape(trace: Trace) -> str:
    """`after 7 steps, a loop of 5 steps repeats forever` (or the run stays put)."""
    start = trace.loop_start
    assert start is not None
    prefix = f"after {plural(start, 'step')}"
    if trace.loop_action is None:
        return f"{prefix} the run stays in one state forever"
    loop = len(trace.steps) - start
    return f"{prefix}, a loop of {plural(loop, 'step')} repeats forever"


def _footer(prop: Property | None, result: PropertyResult) -> list[str]:
    trace = result.trace
    if prop is None or trace is None:
        return []
    if prop.expectation is Expectation.ALWAYS:
        head = f"`{prop.name}` is false in the last state"
    elif prop.expectation is Expectation.SOMETIMES:
        head = f"`{prop.name}` holds in the last state"
    elif trace.loop_start is not None:
        head = f"what `{prop.name}` reads where the loop starts (step {trace.loop_start})"
    else:
        head = f"what `{prop.name}` reads, in the last state"
    at = trace.steps[-1 if trace.loop_start is None else trace.loop_start].state
    watched = sorted(set(mentioned(prop.condition) + mentioned(prop.target)))
    owners = {trace.system.vars[i].owner for i in watched}
    return [head + ":", *_values(trace, at, watched, owners)]


def _property(check: CheckResult, prop: Property | None, result: PropertyResult) -> str:
    lines = [_header(prop, result)]
    with_params = param_line(check.system, result)
    if with_params is not None:
        lines.append(f"  {with_params}")
    if result.invariant is not None:
        lines += ["  inductive invariant:", *(f"    {c}" for c in
                                              render_invariant(check.system, result.invariant))]
    if result.trace is not None:
        stats = check.stats
        symbolic = check.engine in SYMBOLIC_ENGINES
        states = "" if symbolic else f", {count(stats.states)} states"
        lines.append(f"  {check.engine}, depth {stats.depth}{states}")
        if prop is not None and prop.description:
            lines.append(f"  {prop.description}")
        body = render_trace(result.trace) + "\n".join(_footer(prop, result))
        lines.append(body.rstrip("\n"))
    return "\n".join(lines) + "\n"


def render_deadlock(check: CheckResult) -> str:
    """The shortest deadlock of `check`, or the empty string."""
    trace = check.deadlock
    if trace is None:
        return ""
    last = len(trace.steps) - 1
    same = [r.name for r in check.results if r.trace is not None and r.trace.steps == trace.steps]
    if same:
        return (
            f"deadlock in {plural(trace.length, 'step')}: no action is enabled and the "
            f"state is not terminal; it is the run shown for `{same[0]}` above\n"
        )
    return (
        f"deadlock in {plural(trace.length, 'step')}: no action is enabled and the "
        "state is not terminal\n"
        + render_trace(trace)
        + (
            ""
            if trace.loop_start is not None
            else f"from step {last} the run stays in its last state forever\n"
        )
    )


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return [
        ("  " + "  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths, strict=True))).rstrip()
        for row in rows
    ]


def render_summary(check: CheckResult) -> str:
    """A table of verdicts, marking those that differ from the spec's `expect`."""
    props = {p.name: p for p in check.system.properties}
    rows = [["property", "kind", "verdict", "expected", ""]]
    for r in check.results:
        prop = props.get(r.name)
        kind = prop.expectation.value if prop is not None else "?"
        mark = "" if r.as_expected else "<< MISMATCH"
        rows.append([r.name, kind, r.verdict.value, r.expected or "-", mark])
    mismatches = sum(not r.as_expected for r in check.results)
    verb = "differs" if mismatches == 1 else "differ"
    tail = f"{plural(mismatches, 'verdict')} {verb} from `expect`" if mismatches else ""
    return "\n".join(["summary", *_table(rows), *([tail] if tail else [])]) + "\n"


def render_stats(check: CheckResult, *, show_timing: bool = False) -> str:
    """One line of exploration statistics (timings only when asked)."""
    s = check.stats
    line = (
        f"{check.engine}: {count(s.states)} states, {count(s.transitions)} "
        f"transitions, depth {s.depth}"
    ) if check.engine not in SYMBOLIC_ENGINES else f"{check.engine}: depth {s.depth}"
    line += ", complete" if s.complete else f", stopped by {check.limit or 'a limit'}"
    if check.fallback is not None:
        line += f"\nnote: {words.fallback(check.fallback)}"
    if show_timing:
        mib = s.peak_bytes / 2**20
        line += f", {s.seconds:.2f} s, {count(int(s.states_per_second))} states/s"
        line += f", peak {mib:.1f} MiB"
    if check.symmetry is not None and words.symmetry_worth_a_line(check.symmetry):
        line += f"\n{words.symmetry(check.symmetry)}"
    return line + "\n"


def render_result(
    check: CheckResult, *, reproduce: str | None = None, show_timing: bool = False
) -> str:
    """The whole report: each property, the deadlock, the summary, statistics."""
    props = {p.name: p for p in check.system.properties}
    blocks = [_property(check, props.get(r.name), r) for r in check.results]
    deadlock = render_deadlock(check)
    blocks += [deadlock] if deadlock else []
    blocks.append(render_summary(check) + render_stats(check, show_timing=show_timing))
    if reproduce:
        blocks.append(f"reproduce: {reproduce}\n")
    return "\n".join(blocks)


def render_property(result: PropertyResult) -> str:
    """One property's verdict with its trace (as `check` prints it), for suite reports."""
    trace = result.trace
    prop = None
    if trace is not None:
        prop = next((p for p in trace.system.properties if p.name == result.name), None)
    lines = [_header(prop, result)]
    if trace is not None:
        body = render_trace(trace) + "\n".join(_footer(prop, result))
        lines.append(body.rstrip("\n"))
    return "\n".join(lines) + "\n"

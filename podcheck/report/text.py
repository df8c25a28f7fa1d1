"""Render a `CheckResult` or one `Trace` as text for people (STYLE rule 10).

Stage: `podcheck.report`.  Consumes engine results (`podcheck.engine.result`);
produces a string.  Each step is labelled with its action's `label` and shows only
the variables that changed (the full state at step 0), grouped by `StateVar.owner`,
with enum labels via `StateVar.show`.  Output is deterministic: spans are printed as
basename, line and column, timings only with `show_timing=True`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence

from podcheck.engine.result import CheckResult, PropertyResult, Trace, Verdict
from podcheck.engine.symbolic import SYMBOLIC_ENGINES
from podcheck.ir import Action, Expectation, Expr, Op, Property, TransitionSystem, Var
from podcheck.report import words
from podcheck.report.invariant import render_invariant
from podcheck.report.params import counts_line, param_line
from podcheck.report.view import (
    Change,
    Detail,
    Earlier,
    StepView,
    TraceView,
    earlier,
    trace_view,
    values_at,
)
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


def reads(prop: Property | None) -> tuple[int, ...]:
    """The variables `prop` reads (its condition and target), sorted."""
    if prop is None:
        return ()
    return tuple(sorted(set(mentioned(prop.condition) + mentioned(prop.target))))


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


def _items(changes: Iterable[Change]) -> list[Item]:
    items = []
    for c in changes:
        text = f" = {c.after}" if c.before is None else f": {c.before} -> {c.after}"
        items.append((c.owner, c.field, text + (f" ({c.note})" if c.note else "")))
    return items


def _step_header(step: StepView, width: int) -> str:
    label = step.action.label + (f" (+{step.passed} s)" if step.passed else "")
    extra = f"  [{', '.join(step.events)}]" if step.events else ""
    if step.location is not None:
        where = step.location
        extra += f"  ({posixpath.basename(where.file)}:{where.line}:{where.column})"
    when = f"t={step.time}s"
    return f"step {step.number:<2} {when:<{width}}  {label}{extra}"


def _step(view: TraceView, step: StepView) -> list[str]:
    last = view.closing or (view.steps[-1] if view.steps else step)
    lines = [_step_header(step, len(f"t={last.time}s"))]
    if view.detail is Detail.FULL:
        lines.append(f"{INDENT}action {action_call(step.action)}")
    if step.changes:
        lines += _groups(_items(step.changes))
    elif view.detail is Detail.FULL:
        lines.append(INDENT + "(no change)")
    return lines


def render_trace(trace: Trace, detail: Detail = Detail.PEOPLE, read: Iterable[int] = (),
                 after: int = 0) -> str:
    """The steps of `trace` after step `after` (all from the initial state when 0), one
    block each (at `detail`; `read`: the variables the property it explains reads), with
    the lasso's loop if it has one."""
    view = trace_view(trace, detail, read)
    lines = [] if after else ["step 0  initial state", *_groups(_items(view.initial))]
    if view.loop_start == after and view.closing is not None:
        lines.append(f"from step {after} the following repeats forever")
    for step in view.steps[after:]:
        lines += _step(view, step)
        if view.loop_start == step.number and view.closing is not None:
            lines.append(f"from step {step.number} the following repeats forever")
    if view.closing is not None:
        lines += [*_step(view, view.closing),
                  f"{INDENT}back to step {view.loop_start}, and so on forever"]
    elif view.loop_start is not None:
        lines.append(f"from step {len(trace.steps) - 1} the run stays in its last state forever")
    return "\n".join(lines) + "\n"


def headline(prop: Property | None, result: PropertyResult) -> str:
    """`property `x` (always) violated in 3 steps`, and how a lasso is fair."""
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


def _footer(prop: Property | None, result: PropertyResult, detail: Detail) -> list[str]:
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
    watched = reads(prop)
    return [head + ":", *_groups(_items(values_at(trace, at, watched, detail)))]


def _run(result: PropertyResult, prop: Property | None, detail: Detail,
         seen: Earlier | None) -> str:
    assert result.trace is not None
    if seen is not None and seen.whole:
        return f"the run is the one shown for `{seen.name}` above\n"
    if seen is None:
        return render_trace(result.trace, detail, reads(prop))
    return (f"steps 0 to {seen.upto} are those of the run shown for `{seen.name}` above\n"
            + render_trace(result.trace, detail, reads(prop), after=seen.upto))


def invariant_lines(system: TransitionSystem, invariant: Expr) -> list[str]:
    """A proof's inductive invariant, one fact a line; `true` (no fact was needed: every
    state within the variables' ranges satisfies the property) says so."""
    facts = render_invariant(system, invariant)
    if facts == ["true"]:
        return ["  inductive invariant: true (the variables' ranges alone rule out "
                "every violation)"]
    return ["  inductive invariant:", *(f"    {c}" for c in facts)]


def _property(check: CheckResult, prop: Property | None, result: PropertyResult,
              detail: Detail, seen: Earlier | None) -> str:
    lines = [headline(prop, result)]
    with_params = param_line(check.system, result)
    if with_params is not None:
        lines.append(f"  {with_params}")
    lines += [f"  {counts_line(c)}" for c in result.counts]
    if result.invariant is not None:
        lines += invariant_lines(check.system, result.invariant)
    if result.trace is not None:
        stats = check.stats
        symbolic = check.engine in SYMBOLIC_ENGINES
        states = "" if symbolic else f", {count(stats.states)} states"
        lines.append(f"  {check.engine}, depth {stats.depth}{states}")
        if prop is not None and prop.description:
            lines.append(f"  {prop.description}")
        body = _run(result, prop, detail, seen) + "\n".join(_footer(prop, result, detail))
        lines.append(body.rstrip("\n"))
    return "\n".join(lines) + "\n"


def render_deadlock(check: CheckResult, detail: Detail = Detail.PEOPLE) -> str:
    """The shortest deadlock of `check` (at `detail`), or the empty string."""
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
        + render_trace(trace, detail)
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
    line += f", on {s.workers} processes" if s.workers > 1 else ""
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
    check: CheckResult, *, reproduce: str | None = None, show_timing: bool = False,
    detail: Detail = Detail.PEOPLE,
) -> str:
    """The whole report: each property (a run shared with an earlier property is printed
    once and referenced, and so is a shared prefix), the deadlock, the summary,
    statistics."""
    props = {p.name: p for p in check.system.properties}
    blocks: list[str] = []
    printed: list[tuple[str, Trace]] = []
    for r in check.results:
        seen = earlier(r.trace, printed) if r.trace is not None else None
        blocks.append(_property(check, props.get(r.name), r, detail, seen))
        if r.trace is not None and (seen is None or not seen.whole):
            printed.append((r.name, r.trace))
    deadlock = render_deadlock(check, detail)
    blocks += [deadlock] if deadlock else []
    blocks.append(render_summary(check) + render_stats(check, show_timing=show_timing))
    if reproduce:
        blocks.append(f"reproduce: {reproduce}\n")
    return "\n".join(blocks)


def render_property(result: PropertyResult, detail: Detail = Detail.PEOPLE) -> str:
    """One property's verdict with its trace (as `check` prints it), for suite reports."""
    trace = result.trace
    prop = None
    if trace is not None:
        prop = next((p for p in trace.system.properties if p.name == result.name), None)
    lines = [headline(prop, result)]
    if trace is not None:
        body = render_trace(trace, detail, reads(prop)) + "\n".join(
            _footer(prop, result, detail))
        lines.append(body.rstrip("\n"))
    return "\n".join(lines) + "\n"

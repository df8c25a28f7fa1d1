"""The trace as people read it: one value that the text, Markdown and HTML renderers share.

Stage: `podcheck.report`.  Consumes one `Trace` (`podcheck.engine.result`) and a `Detail`;
produces a `TraceView`: the initial values, then per step its time, label, source
location, Kubernetes events and the changed fields, grouped by owner (a pod, a node, a
Job, a PDB) in layout order.  `Detail.PEOPLE` (the default) keeps what `kubectl` shows
(`report/people.py`) and keeps a finished pod shown after the model frees its slot
(NOTE(finished-pods-stay-listed)); `Detail.FULL` shows every variable as the model has it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from podcheck.engine.result import Trace
from podcheck.ir import Action, Derived, Location, State, evaluate
from podcheck.report import people
from podcheck.report.clock import advance, is_clock_view, step_times
from podcheck.vocab import PodPhase

SHARED_MIN = 3  # a shared prefix of fewer steps is printed again rather than referenced
FINISHED = frozenset({str(PodPhase.SUCCEEDED), str(PodPhase.FAILED)})
PHASES = frozenset(str(p) for p in PodPhase)
PHASE = "phase"


class Detail(enum.StrEnum):
    """How much of the state a trace shows (`--trace`)."""

    PEOPLE = "people"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one owner: `before -> after`, or just its value when `before` is None
    (the initial state, a new pod).  `note` says why a value is kept."""

    owner: str
    field: str
    before: str | None
    after: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class StepView:
    """Step `number`: `action` taken at `time` seconds (`passed` of them by this step)."""

    number: int
    time: int
    passed: int
    action: Action
    events: tuple[str, ...]
    changes: tuple[Change, ...]

    @property
    def location(self) -> Location | None:
        """The spec line that enables the step's action."""
        return self.action.span


@dataclass(frozen=True, slots=True)
class TraceView:
    """A trace in people's terms.  For a lasso, `loop_start` is the step the run returns
    to; `closing` is the loop's closing step (numbered after the last one), or None when
    the run stays in its last state forever."""

    detail: Detail
    initial: tuple[Change, ...]
    steps: tuple[StepView, ...]
    loop_start: int | None = None
    closing: StepView | None = None

    @property
    def owners(self) -> tuple[str, ...]:
        """Every owner the view mentions, in order of first appearance."""
        seen: dict[str, None] = {}
        for c in self.initial:
            seen.setdefault(c.owner)
        for s in (*self.steps, *((self.closing,) if self.closing else ())):
            for c in s.changes:
                seen.setdefault(c.owner)
        return tuple(seen)


@dataclass(slots=True)
class _Layout:
    """Which variables and views a detail shows, in owner order."""

    trace: Trace
    detail: Detail
    read: frozenset[int] = frozenset()  # variables the explained property reads

    def views(self) -> list[Derived]:
        return [d for d in self.trace.system.derived if not is_clock_view(d)]

    def variables(self) -> list[int]:
        vs = self.trace.system.vars
        full = self.detail is Detail.FULL
        return [i for i, v in enumerate(vs) if full or people.shown(v, i in self.read)]

    def order(self) -> dict[str, int]:
        vs = self.trace.system.vars
        order = {v.owner: n for n, v in reversed(list(enumerate(vs)))}
        for d in self.views():
            order.setdefault(d.owner, len(order) + len(vs))
        return order

    def fields(self, state: State) -> list[tuple[str, str, str]]:
        """(owner, field, value) of every shown view and variable, views first per owner."""
        order = self.order()
        rows = [(order.get(d.owner, 0), 0, d.owner, d.field, d.show(evaluate(d.expr, state)))
                for d in self.views()]
        vs = self.trace.system.vars
        rows += [(order.get(vs[i].owner, 0), 1, vs[i].owner, vs[i].field or vs[i].name,
                  vs[i].show(state[i])) for i in self.variables()]
        rows.sort(key=lambda r: (r[0], r[1]))
        return [(o, f, v) for _, _, o, f, v in rows]


def _values(layout: _Layout, state: State, owners: Iterable[str] | None = None) -> list[Change]:
    wanted = None if owners is None else set(owners)
    return [Change(o, f, None, v) for o, f, v in layout.fields(state)
            if wanted is None or o in wanted]


def _diff(layout: _Layout, before: State, after: State) -> list[Change]:
    old = layout.fields(before)
    new = layout.fields(after)
    return [Change(o, f, b, a) for (o, f, b), (_, _, a) in zip(old, new, strict=True) if a != b]


@dataclass(slots=True)
class _Builder:
    layout: _Layout
    retired: set[str]  # pods the model freed while kubectl still lists them

    def step(self, number: int, action_index: int, before: State, after: State,
             now: int) -> StepView:
        action = self.layout.trace.system.actions[action_index]
        passed = advance(self.layout.trace.system, action_index, before)
        changes = _diff(self.layout, before, after)
        if self.layout.detail is Detail.PEOPLE:
            changes = self._keep_finished(action, changes, after)
        return StepView(number, now + passed, passed, action, people.events(action.name),
                        tuple(changes))

    def _keep_finished(self, action: Action, changes: list[Change], after: State) -> list[Change]:
        """NOTE(finished-pods-stay-listed): a finished pod the model frees without deleting
        it stays shown as it was; the pod created next in its slot (also over a counted
        pod that the model kept, model/job.py) is shown whole."""
        kept = {c.owner: c.before for c in changes if c.field == PHASE
                and c.before in FINISHED and c.after not in PHASES
                and action.name in people.KEEPS_POD_OBJECT}
        reborn = {c.owner for c in changes if c.field == PHASE and (
            c.owner in self.retired
            or (c.before in FINISHED and action.name in people.REPLACES_POD_OBJECT))}
        self.retired = (self.retired - reborn) | set(kept)
        out = [c for c in changes if c.owner not in kept and c.owner not in reborn]
        for owner, phase in kept.items():
            out.append(Change(owner, PHASE, None, phase or "",
                              "kubectl still lists it; the model no longer tracks it"))
        for c in _values(self.layout, after, reborn):
            note = "a new pod" if c.field == PHASE else ""
            out.append(Change(c.owner, c.field, None, c.after, note))
        order = self.layout.order()
        out.sort(key=lambda c: order.get(c.owner, 0))
        return out


def trace_view(trace: Trace, detail: Detail = Detail.PEOPLE,
               read: Iterable[int] = ()) -> TraceView:
    """The view of `trace` at `detail`; `read`: the variables the property it explains
    reads (`people.PROPERTY_FIELDS` among them are shown too)."""
    layout = _Layout(trace, detail, frozenset(read))
    builder = _Builder(layout, set())
    steps, times = trace.steps, step_times(trace)
    shown = []
    for i in range(1, len(steps)):
        action = steps[i].action
        assert action is not None
        shown.append(builder.step(i, action, steps[i - 1].state, steps[i].state, times[i - 1]))
    closing = None
    if trace.loop_start is not None and trace.loop_action is not None:
        closing = builder.step(len(steps), trace.loop_action, steps[-1].state,
                               steps[trace.loop_start].state, times[-1])
    return TraceView(detail, tuple(_values(layout, steps[0].state)), tuple(shown),
                     trace.loop_start, closing)


def values_at(trace: Trace, state: State, indices: Iterable[int],
              detail: Detail = Detail.PEOPLE) -> tuple[Change, ...]:
    """The values of variables `indices` (all but `exists` unless the detail is full) and
    the views of their owners in `state`, as the footer of a trace lists what a property
    reads."""
    vs = trace.system.vars
    indices = list(indices)
    owners = {vs[i].owner for i in indices}
    layout = _Layout(trace, Detail.FULL)
    wanted = {(vs[i].owner, vs[i].field or vs[i].name) for i in indices
              if detail is Detail.FULL or people.read_shown(vs[i])}
    wanted |= {(d.owner, d.field) for d in layout.views() if d.owner in owners}
    return tuple(c for c in _values(layout, state, owners) if (c.owner, c.field) in wanted)


def same_run(a: Trace, b: Trace) -> bool:
    """True when `a` and `b` are the same run (steps, and the loop if any)."""
    return (a.steps, a.loop_start, a.loop_action) == (b.steps, b.loop_start, b.loop_action)


@dataclass(frozen=True, slots=True)
class Earlier:
    """Steps 0 to `upto` of a run are those of the run already shown for property
    `name` (all of them when `whole`)."""

    name: str
    upto: int
    whole: bool = False


def earlier(trace: Trace, shown: Sequence[tuple[str, Trace]]) -> Earlier | None:
    """Which run shown before (named by its property) `trace` repeats: the same run, or
    the longest one that is a prefix of it (at least `SHARED_MIN` steps, and not cutting
    into its loop); None when it is new."""
    for name, t in shown:
        if same_run(t, trace):
            return Earlier(name, len(trace.steps) - 1, True)
    best: Earlier | None = None
    for name, t in shown:
        upto = len(t.steps) - 1
        fits = upto < len(trace.steps) and trace.steps[:upto + 1] == t.steps
        loop_ok = trace.loop_start is None or trace.loop_start >= upto
        if fits and loop_ok and upto >= SHARED_MIN and (best is None or upto > best.upto):
            best = Earlier(name, upto)
    return best

"""A trace as a timeline: one lane per pod, container, node, Job or PDB, one row per step.

Stage: `podcheck.report`.  Consumes a `TraceView` (`report/view.py`); produces a
`Timeline` that the Markdown and HTML reports lay out as a table: which step changed what
in which lane, the step's time, label, events and source line, and which rows form the
lasso's loop.  A container's fields (`app.state`) go to the lane of that container of
its pod; every other field to its owner's lane.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from podcheck.ir import Location
from podcheck.report.view import Change, StepView, TraceView

ARROW = "\u2192"


@dataclass(frozen=True, slots=True)
class Lane:
    """A pod, node, Job or PDB (`owner`), or one container of a pod (`container`)."""

    owner: str
    container: str = ""

    @property
    def title(self) -> str:
        """`pod web-1`, or `pod web-1 / app` for a container."""
        return f"{self.owner} / {self.container}" if self.container else self.owner


@dataclass(frozen=True, slots=True)
class Row:
    """Step `number` (0: the initial state) and what it did in each lane (cell texts in
    lane order; empty where the lane did not change)."""

    number: int
    time: int
    label: str
    events: tuple[str, ...]
    location: Location | None
    cells: tuple[tuple[str, ...], ...]
    in_loop: bool = False
    closes_loop: bool = False


@dataclass(frozen=True, slots=True)
class Timeline:
    """The lanes and rows of one trace; `loop_start` as in `TraceView`."""

    lanes: tuple[Lane, ...]
    rows: tuple[Row, ...]
    loop_start: int | None

    @property
    def lines(self) -> tuple[int, ...]:
        """The source lines the steps' actions come from, sorted."""
        return tuple(sorted({r.location.line for r in self.rows if r.location is not None}))


def lane_of(change: Change) -> tuple[Lane, str]:
    """The lane of `change` and the field's name within it."""
    head, dot, rest = change.field.partition(".")
    if dot and change.owner.startswith("pod "):
        return Lane(change.owner, head), rest
    return Lane(change.owner), change.field


def cell_text(field: str, change: Change) -> str:
    """`state: Running → Terminated`, or `phase = Failed (note)`."""
    text = (f"{field} = {change.after}" if change.before is None
            else f"{field}: {change.before} {ARROW} {change.after}")
    return f"{text} ({change.note})" if change.note else text


def _lanes(changes: Iterable[Change]) -> tuple[Lane, ...]:
    seen: dict[Lane, None] = {}
    for c in changes:
        seen.setdefault(lane_of(c)[0])
    return tuple(seen)


def _cells(lanes: tuple[Lane, ...], changes: Iterable[Change]) -> tuple[tuple[str, ...], ...]:
    by_lane: dict[Lane, list[str]] = {lane: [] for lane in lanes}
    for c in changes:
        lane, field = lane_of(c)
        by_lane[lane].append(cell_text(field, c))
    return tuple(tuple(by_lane[lane]) for lane in lanes)


def _row(lanes: tuple[Lane, ...], step: StepView, view: TraceView, closes: bool) -> Row:
    start = view.loop_start
    in_loop = start is not None and view.closing is not None and step.number > start
    label = step.action.label + (f" (+{step.passed} s)" if step.passed else "")
    return Row(step.number, step.time, label, step.events, step.location,
               _cells(lanes, step.changes), in_loop, closes)


def timeline(view: TraceView, after: int = 0) -> Timeline:
    """The timeline of `view` (its steps after step `after`, all from the initial state
    when 0): lanes in order of first appearance."""
    steps = [*view.steps[after:], *((view.closing,) if view.closing is not None else ())]
    initial = () if after else view.initial
    lanes = _lanes([*initial, *(c for s in steps for c in s.changes)])
    rows = [Row(0, 0, "initial state", (), None, _cells(lanes, initial))] if not after else []
    rows += [_row(lanes, s, view, s is view.closing) for s in steps]
    return Timeline(lanes, tuple(rows), view.loop_start)

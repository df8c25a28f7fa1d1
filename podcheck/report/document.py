"""What the Markdown and HTML reports of one run say, before either lays it out.

Stage: `podcheck.report`.  Consumes a `podcheck.run.CheckRun` (its result, diagnostics
and sources); produces a `Document`: the verdict table, one section per property (its
headline, and the counterexample or witness as a `Timeline`, or a reference to the
property whose run is the same), the deadlock, the statistics line, and each source file
with the lines the runs involve (the actions' lines and the properties' own lines).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from podcheck.diagnostics import Severity
from podcheck.diagnostics.render import render
from podcheck.engine.result import PropertyResult, Trace
from podcheck.ir import Property
from podcheck.report.text import headline, reads, render_stats
from podcheck.report.timeline import Timeline, timeline
from podcheck.report.view import Detail, earlier, trace_view
from podcheck.report.words import plural
from podcheck.run import CheckRun


@dataclass(frozen=True, slots=True)
class Verdict:
    """One row of the verdict table."""

    name: str
    kind: str
    verdict: str
    expected: str
    as_expected: bool


@dataclass(frozen=True, slots=True)
class Section:
    """One property (or the deadlock): its headline, description, and its run: a
    `timeline`, or `same_as` naming the earlier section that shows the same run; both
    when steps 0 to `upto` are those of that earlier run (the timeline starts after)."""

    name: str
    headline: str
    description: str = ""
    timeline: Timeline | None = None
    same_as: str = ""
    detail: str = ""  # how the verdict was reached (fairness, states), for a lasso
    upto: int = 0


@dataclass(frozen=True, slots=True)
class Source:
    """A source file (by basename) and the lines of it that the runs involve."""

    name: str
    text: str
    lines: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Document:
    """Everything a report shows, in order."""

    title: str
    diagnostics: str
    verdicts: tuple[Verdict, ...]
    sections: tuple[Section, ...]
    stats: str
    sources: tuple[Source, ...]
    reproduce: str = ""


def _verdicts(run: CheckRun) -> tuple[Verdict, ...]:
    if run.result is None:
        return ()
    props = {p.name: p for p in run.result.system.properties}
    return tuple(
        Verdict(r.name, props[r.name].expectation.value if r.name in props else "?",
                r.verdict.value, r.expected or "-", r.as_expected)
        for r in run.result.results)


def _sections(run: CheckRun, detail: Detail) -> list[Section]:
    assert run.result is not None
    props = {p.name: p for p in run.result.system.properties}
    shown: list[tuple[str, Trace]] = []
    out = []
    for r in run.result.results:
        out.append(_section(props.get(r.name), r, shown, detail))
    deadlock = run.result.deadlock
    if deadlock is not None:
        head = (f"deadlock in {plural(deadlock.length, 'step')}: no action is enabled and "
                "the state is not terminal")
        first = next((n for n, t in shown if t.steps == deadlock.steps), "")
        out.append(Section("deadlock", head, "", None if first else
                           timeline(trace_view(deadlock, detail)), first))
    return out


def _section(prop: Property | None, r: PropertyResult, shown: list[tuple[str, Trace]],
             detail: Detail) -> Section:
    head, _, how = headline(prop, r).partition("\n  ")
    about = prop.description if prop is not None else ""
    if r.trace is None:
        return Section(r.name, head, about, detail=how)
    seen = earlier(r.trace, shown)
    if seen is not None and seen.whole:
        return Section(r.name, head, about, same_as=seen.name, detail=how)
    shown.append((r.name, r.trace))
    after = 0 if seen is None else seen.upto
    return Section(r.name, head, about,
                   timeline(trace_view(r.trace, detail, reads(prop)), after=after),
                   seen.name if seen is not None else "", how, after)


def _sources(run: CheckRun, sections: list[Section]) -> tuple[Source, ...]:
    lines: dict[str, set[int]] = {}
    for s in sections:
        for row in s.timeline.rows if s.timeline is not None else ():
            if row.location is not None:
                lines.setdefault(row.location.file, set()).add(row.location.line)
    if run.result is not None:
        for p in run.result.system.properties:
            if p.span is not None:
                lines.setdefault(p.span.file, set()).add(p.span.line)
    files = sorted(set(run.sources) & set(lines)) or sorted(run.sources)[:1]
    return tuple(Source(posixpath.basename(f), run.sources[f], tuple(sorted(lines.get(f, ()))))
                 for f in files)


def document(run: CheckRun, *, reproduce: str = "", detail: Detail = Detail.PEOPLE) -> Document:
    """The report of `run` (traces at `detail`)."""
    errors = [d for d in run.diagnostics if d.severity is Severity.ERROR]
    diagnostics = render(errors, run.sources, "text") if errors else ""
    sections = _sections(run, detail) if run.result is not None else []
    stats = render_stats(run.result).strip() if run.result is not None else ""
    return Document(posixpath.basename(run.path), diagnostics, _verdicts(run), tuple(sections),
                    stats, _sources(run, sections), reproduce)

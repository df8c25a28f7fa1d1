"""Render a suite run for CI systems: JUnit XML, TAP, GitHub Actions annotations, JSON.

Stage: `podcheck.report`.  Consumes a `podcheck.run.SuiteResult` (`podcheck test`, or
one `podcheck check` run as a one-spec suite); produces one document per format.
JUnit: one testsuite per spec, one testcase per expectation (a property without one is
`skipped`, or a failure under `strict`; a target without properties is one testcase).
TAP 13: one test point per row (unexpected ones `# TODO` unless strict).  GitHub: one
`::error` / `::warning` workflow command per failing or unexpected property, at its
line.  JSON: every outcome with its rows and problems.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from podcheck.report.params import counts_line
from podcheck.report.suite import problem_line, summary_line, tally
from podcheck.report.text import render_property
from podcheck.run import PropertyRow, RowStatus, SpecOutcome, Status, SuiteResult

_UNEXPECTED = (RowStatus.UNEXPECTED_VIOLATED, RowStatus.UNEXPECTED_HOLDS)


def _message(o: SpecOutcome, r: PropertyRow) -> str:
    counts = "".join(f"; {counts_line(c)}" for c in r.result.counts)
    if r.expected is None:
        return f"`{r.name}` is {r.result.verdict.value} and has no expectation{counts}"
    return f"`{r.name}`: expected {r.expected}, got {r.result.verdict.value}{counts}"


def _fails(result: SuiteResult, r: PropertyRow) -> bool:
    return r.status is RowStatus.FAIL or (result.strict and r.status in _UNEXPECTED)


def _testcase(suite: ET.Element, o: SpecOutcome, r: PropertyRow, result: SuiteResult) -> None:
    case = ET.SubElement(suite, "testcase", name=r.name, classname=o.path,
                         file=r.file or o.path, line=str(r.line), time=f"{o.seconds:.3f}")
    if _fails(result, r):
        fail = ET.SubElement(case, "failure", message=_message(o, r), type=r.status.value)
        body = render_property(r.result) if r.result.trace else ""
        fail.text = body + (f"reproduce: {o.reproduce}\n" if o.reproduce else "")
    elif r.status in _UNEXPECTED:
        ET.SubElement(case, "skipped", message=_message(o, r))


def _bare(suite: ET.Element, o: SpecOutcome) -> None:
    name = o.handling.value if o.status is Status.PASS else "load"
    case = ET.SubElement(suite, "testcase", name=name, classname=o.path,
                         file=o.path, time=f"{o.seconds:.3f}")
    text = "\n".join(problem_line(p) for p in o.problems)
    if o.status is Status.ERROR:
        ET.SubElement(case, "error", message=text.split("\n")[0]).text = text
    elif o.status is Status.FAIL:
        ET.SubElement(case, "failure", message=text.split("\n")[0]).text = text


def render_junit(result: SuiteResult) -> str:
    """JUnit XML: `<testsuites>` of one `<testsuite>` per spec."""
    root = ET.Element("testsuites", name="podcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for o in result.outcomes:
        suite = ET.SubElement(root, "testsuite", name=o.path, time=f"{o.seconds:.3f}")
        for r in o.rows:
            _testcase(suite, o, r, result)
        if not o.rows:
            _bare(suite, o)
        counts = {"tests": len(suite), "failures": len(suite.findall("testcase/failure")),
                  "errors": len(suite.findall("testcase/error")),
                  "skipped": len(suite.findall("testcase/skipped"))}
        for key, n in counts.items():
            suite.set(key, str(n))
            totals[key] += n
    for key, n in totals.items():
        root.set(key, str(n))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def render_tap(result: SuiteResult) -> str:
    """TAP version 13: one test point per property (per target without properties)."""
    points: list[str] = []
    for o in result.outcomes:
        for r in o.rows:
            ok = "not ok" if r.status is not RowStatus.PASS else "ok"
            todo = " # TODO no expectation" if r.status in _UNEXPECTED and not result.strict else ""
            what = _message(o, r) if r.status is not RowStatus.PASS else f"`{r.name}` {r.expected}"
            points.append(f"{ok} {{n}} - {o.path}: {what}{todo}")
        if not o.rows:
            ok = "ok" if o.status is Status.PASS else "not ok"
            why = "; ".join(problem_line(p) for p in o.problems) or o.handling.value
            points.append(f"{ok} {{n}} - {o.path}: {why}")
    lines = ["TAP version 13", f"1..{len(points)}"]
    lines += [p.replace("{n}", str(i), 1) for i, p in enumerate(points, 1)]
    lines.append(f"# {summary_line(tally(result))}")
    return "\n".join(lines) + "\n"


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(result: SuiteResult) -> str:
    """GitHub Actions workflow commands, one per failing or unexpected property or spec."""
    lines: list[str] = []
    for o in result.outcomes:
        for r in o.rows:
            if r.status is RowStatus.PASS:
                continue
            level = "error" if _fails(result, r) else "warning"
            where = f"file={_escape(r.file or o.path, prop=True)},line={max(r.line, 1)}"
            title = _escape(f"podcheck: {r.name} {r.result.verdict.value}", prop=True)
            lines.append(f"::{level} {where},title={title}::{_escape(_message(o, r))}")
        if not o.rows and o.status is not Status.PASS:
            text = "; ".join(problem_line(p) for p in o.problems)
            lines.append(f"::error file={_escape(o.path, prop=True)}::{_escape(text)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _row_json(r: PropertyRow) -> dict[str, Any]:
    return {"property": r.name, "expected": r.expected, "got": r.result.verdict.value,
            "status": r.status.value, "file": r.file, "line": r.line}


def suite_to_json(result: SuiteResult) -> dict[str, Any]:
    """The suite as a JSON-ready value."""
    t = tally(result)
    return {
        "outcomes": [{"path": o.path, "status": o.status.value, "handling": o.handling.value,
                      "states": o.states, "seconds": round(o.seconds, 3),
                      "reproduce": o.reproduce, "problems": [problem_line(p) for p in o.problems],
                      "properties": [_row_json(r) for r in o.rows]} for o in result.outcomes],
        "summary": {"passed": t.passed, "failed": t.failed, "unexpected": t.unexpected,
                    "errors": t.errors},
        "strict": result.strict,
        "exitCode": int(result.exit_code),
    }


def render_suite_json(result: SuiteResult) -> str:
    """`suite_to_json` as indented JSON."""
    return json.dumps(suite_to_json(result), indent=2) + "\n"

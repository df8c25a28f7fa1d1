"""Render a suite run as SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs).

Stage: `podcheck.report`.  Consumes a `podcheck.run.SuiteResult`; produces one SARIF
log with one run of the `podcheck` tool.  One result per violated property, at the
line that declares it (the spec's `property`, or line 1 of a manifest for a built-in
check), with its counterexample as a codeFlow whose steps point at the lines of the
actions that took them; one result per property whose verdict is not the expected one
and per target that failed to load.  Levels: `error` for an unmet expectation (and an
unexpected verdict under strict), `warning` for an unexpected violation otherwise,
`note` for a violation that was expected.
"""

from __future__ import annotations

import json
from typing import Any

from podcheck import __version__
from podcheck.engine.result import Trace, Verdict
from podcheck.report.params import counts_line
from podcheck.report.suite import problem_line
from podcheck.report.text import action_call
from podcheck.run import PropertyRow, RowStatus, SpecOutcome, Status, SuiteResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULES = (
    ("PCT01", "property-violated", "A property of the spec is violated."),
    ("PCT02", "verdict-differs", "A property's verdict is not the one its expectation names."),
    ("PCT03", "spec-failed", "The spec or manifest failed to load or to run as expected."),
)
_UNEXPECTED = (RowStatus.UNEXPECTED_VIOLATED, RowStatus.UNEXPECTED_HOLDS)


def _location(file: str, line: int, text: str | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": file.replace("\\", "/")},
        "region": {"startLine": max(line, 1)}}}
    if text is not None:
        loc["message"] = {"text": text}
    return loc


def _flow(trace: Trace, file: str, line: int) -> dict[str, Any]:
    steps = [{"location": _location(file, line, "initial state"), "executionOrder": 0}]
    actions = trace.system.actions
    order = [s.action for s in trace.steps[1:]]
    order += [trace.loop_action] if trace.loop_action is not None else []
    for i, index in enumerate(order, 1):
        assert index is not None
        action = actions[index]
        at = action.span
        where = (at.file, at.line) if at is not None and not at.file.startswith("<") else (
            file, line)
        text = f"step {i}: {action_call(action)}"
        if trace.loop_start is not None and i == len(trace.steps):
            text += f" (back to step {trace.loop_start}: repeats forever)"
        steps.append({"location": _location(*where, text), "executionOrder": i})
    return {"threadFlows": [{"locations": steps}]}


def _level(result: SuiteResult, r: PropertyRow) -> str:
    if r.status is RowStatus.FAIL or (result.strict and r.status in _UNEXPECTED):
        return "error"
    return "warning" if r.status in _UNEXPECTED else "note"


def _row_result(result: SuiteResult, o: SpecOutcome, r: PropertyRow) -> dict[str, Any] | None:
    violated = r.result.verdict is Verdict.VIOLATED
    if not violated and r.status is not RowStatus.FAIL:
        return None
    rule = 0 if violated else 1
    text = f"`{r.name}` is {r.result.verdict.value}"
    text += f" (expected {r.expected})" if r.expected else " (no expectation)"
    text += "".join(f"; {counts_line(c)}" for c in r.result.counts)
    out: dict[str, Any] = {
        "ruleId": RULES[rule][0], "ruleIndex": rule, "level": _level(result, r),
        "message": {"text": text}, "locations": [_location(r.file or o.path, r.line)],
        "partialFingerprints": {"podcheckProperty/v1": f"{o.path}:{r.name}"},
    }
    if violated and r.result.trace is not None:
        out["codeFlows"] = [_flow(r.result.trace, r.file or o.path, r.line)]
    return out


def _spec_result(o: SpecOutcome) -> dict[str, Any]:
    text = "; ".join(problem_line(p) for p in o.problems) or o.status.value
    return {"ruleId": RULES[2][0], "ruleIndex": 2, "level": "error",
            "message": {"text": text}, "locations": [_location(o.path, 1)]}


def sarif_log(result: SuiteResult) -> dict[str, Any]:
    """The SARIF log as a JSON-ready value."""
    results: list[dict[str, Any]] = []
    for o in result.outcomes:
        results += [x for r in o.rows if (x := _row_result(result, o, r)) is not None]
        if not o.rows and o.status is not Status.PASS:
            results.append(_spec_result(o))
    rules = [{"id": i, "name": n, "shortDescription": {"text": d}} for i, n, d in RULES]
    driver = {"name": "podcheck", "version": __version__, "rules": rules,
              "informationUri": "https://github.com/podcheck/podcheck"}
    return {"$schema": SCHEMA, "version": "2.1.0",
            "runs": [{"tool": {"driver": driver}, "results": results}]}


def render_sarif(result: SuiteResult) -> str:
    """`sarif_log` as indented JSON."""
    return json.dumps(sarif_log(result), indent=2) + "\n"

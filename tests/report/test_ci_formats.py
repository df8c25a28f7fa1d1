"""CI formats of `podcheck test` and `check` (issue 13): JUnit parses with junitparser,
SARIF validates against the official 2.1.0 schema (kept in tests/report/data), TAP and
GitHub annotations, several formats at once each to its own file."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import junitparser
import pytest
from typer.testing import CliRunner

from podcheck.check import CheckOptions
from podcheck.cli import app
from podcheck.report.ci import render_github, render_junit, render_tap, suite_to_json
from podcheck.report.sarif import sarif_log
from podcheck.run import RowStatus, SuiteResult
from podcheck.suite import run_suite

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((Path(__file__).parent / "data/sarif-schema-2.1.0.json").read_text())
PATHS = ["specs/seed/02-init-failure.pod", "specs/manifests/web-pdb-min-equals-replicas.yaml",
         "specs/manifests/malformed.yaml", "tests/report/data/unexpected.pod"]
WRONG = """\
cluster { nodes: 1 }
pod a { restartPolicy: Never  container app { behavior { outcome: fails } } }
property never-failed: always forall p in pods: p.phase != Failed
expect never-failed holds
"""


@pytest.fixture(scope="module")
def suite() -> SuiteResult:
    import os
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        return run_suite(PATHS, CheckOptions())
    finally:
        os.chdir(old)


def test_junit_has_one_testcase_per_expectation_and_parses(suite, tmp_path: Path) -> None:
    path = tmp_path / "out.xml"
    path.write_text(render_junit(suite), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    cases = [(s.name, c.name) for s in xml for c in s]
    rows = [(o.path, r.name) for o in suite.outcomes for r in o.rows]
    assert cases == [*rows[:4], ("specs/manifests/malformed.yaml", "rejected"), *rows[4:]]
    unexpected = [c.name for s in xml for c in s if c.result and
                  isinstance(c.result[0], junitparser.Skipped)]
    assert unexpected == ["every-pod-scheduled", "becomes-ready"]


def test_junit_failure_carries_the_trace_and_reproduce_line(tmp_path: Path) -> None:
    spec = tmp_path / "w.pod"
    spec.write_text(WRONG, encoding="utf-8")
    out = tmp_path / "out.xml"
    out.write_text(render_junit(run_suite([str(spec)], CheckOptions())), encoding="utf-8")
    (case,) = [c for s in junitparser.JUnitXml.fromfile(str(out)) for c in s]
    (failure,) = case.result
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == "`never-failed`: expected holds, got violated"
    assert "step 1" in failure.text and f"reproduce: podcheck check {spec}" in failure.text


def test_sarif_validates_and_has_one_result_per_violated_property(suite) -> None:
    log = sarif_log(suite)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    violated = [(o.path, r.name) for o in suite.outcomes for r in o.rows
                if r.result.verdict.value == "violated"]
    keys = [r["partialFingerprints"]["podcheckProperty/v1"] for r in results if "codeFlows" in r]
    assert keys == [f"{p}:{n}" for p, n in violated]
    assert any(r["ruleId"] == "PCT03" for r in results) is False  # malformed is expected


def test_sarif_points_at_the_property_and_the_lines_of_each_step(suite) -> None:
    log = sarif_log(suite)
    first = log["runs"][0]["results"][0]
    assert first["locations"][0]["physicalLocation"]["region"]["startLine"] == 44
    steps = first["codeFlows"][0]["threadFlows"][0]["locations"]
    source = (ROOT / "specs/seed/02-init-failure.pod").read_text().splitlines()
    bind = steps[1]["location"]
    assert bind["message"]["text"].startswith("step 1: bind(pod=strict")
    line = bind["physicalLocation"]["region"]["startLine"]
    assert "pod strict" in source[line - 1]


def test_tap_and_github(suite) -> None:
    tap = render_tap(suite).splitlines()
    assert tap[:2] == ["TAP version 13", "1..7"]
    assert tap[-3].startswith("not ok 6 - tests/report/data/unexpected.pod: `every-pod-scheduled`")
    assert tap[-3].endswith("# TODO no expectation")
    github = render_github(suite).splitlines()
    assert github == [
        "::warning file=tests/report/data/unexpected.pod,line=10,title=podcheck%3A "
        "every-pod-scheduled violated::`every-pod-scheduled` is violated and has no expectation",
        "::warning file=tests/report/data/unexpected.pod,line=11,title=podcheck%3A "
        "becomes-ready violated::`becomes-ready` is violated and has no expectation",
    ]


def test_json_rows(suite) -> None:
    doc = suite_to_json(suite)
    assert doc["summary"] == {"passed": 5, "failed": 0, "unexpected": 2, "errors": 0}
    assert doc["outcomes"][0]["properties"][0] == {
        "property": "retried-never-fails", "expected": "holds", "got": "holds", "status": "ok",
        "file": "specs/seed/02-init-failure.pod", "line": 43}
    assert RowStatus.UNEXPECTED_VIOLATED.value in json.dumps(doc)


def test_several_formats_at_once_each_to_its_own_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    junit, sarif = tmp_path / "o.xml", tmp_path / "o.sarif"
    result = CliRunner().invoke(app, ["test", *PATHS, "--format", f"junit={junit}",
                                      "--format", f"sarif={sarif}", "--no-strict"])
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("5 passed, 0 failed, 2 without expectation")
    junitparser.JUnitXml.fromfile(str(junit))
    jsonschema.Draft4Validator(SCHEMA).validate(json.loads(sarif.read_text()))


def test_check_and_parse_take_the_ci_formats(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    check = CliRunner().invoke(app, ["check", "specs/seed/02-init-failure.pod",
                                     "tests/report/data/unexpected.pod", "--format", "sarif"])
    assert check.exit_code == 1
    log = json.loads(check.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert len(log["runs"][0]["results"]) == 3
    parse = CliRunner().invoke(app, ["parse", "specs/liveness", "--format", "junit"])
    assert parse.exit_code == 0
    out = tmp_path / "p.xml"
    out.write_text(parse.stdout, encoding="utf-8")
    assert len(list(junitparser.JUnitXml.fromfile(str(out)))) == 10


def test_an_unknown_format_is_an_input_error() -> None:
    result = CliRunner().invoke(app, ["test", "specs", "--format", "xunit"])
    assert result.exit_code == 2 and "unknown format `xunit`" in result.stderr

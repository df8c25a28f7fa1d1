"""`check --report`: the Markdown report (goldens), the self-contained HTML page, the CLI
options `--report`, `--trace` and `--quiet`.

Regenerate the goldens with `pytest tests/report --update-goldens`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.check import CheckOptions, check_file
from podcheck.cli import app
from podcheck.report.document import Document, document
from podcheck.report.html import render_html
from podcheck.report.markdown import render_markdown
from podcheck.report.timeline import timeline
from podcheck.report.view import trace_view

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
SPECS = {
    "slow-starter-killed.md": "specs/liveness/slow-starter-killed.pod",
    "job-backoff.md": "specs/examples/job-backoff.pod",
    "crashloop-if-healthy-budget.md": "specs/manifests/crashloop-if-healthy-budget.yaml",
}


def _doc(spec: str) -> Document:
    run = check_file(str(ROOT / spec), CheckOptions())
    return document(run, reproduce=f"podcheck check {Path(spec).name} --engine bfs")


def _assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PODCHECK_UPDATE_GOLDENS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"golden {name} differs"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_markdown_report_golden(name: str) -> None:
    _assert_golden(name, render_markdown([_doc(SPECS[name])]))


def test_markdown_report_marks_the_loop_and_references_a_shared_run() -> None:
    md = render_markdown([_doc(SPECS["slow-starter-killed.md"])])
    assert "| \u21bb 55 |" in md and "| 54 |" in md  # the loop starts after step 54
    assert "back at step 54" in md
    assert "The run is the one shown for `eventually-ready` above." in md
    assert "> 16 |       livenessProbe {" in md  # the probe's line enables steps


def test_timeline_lanes_are_pods_containers_nodes_and_jobs() -> None:
    run = check_file(str(ROOT / SPECS["job-backoff.md"]), CheckOptions())
    assert run.result is not None
    trace = next(r.trace for r in run.result.results if r.trace is not None)
    t = timeline(trace_view(trace))
    assert [lane.title for lane in t.lanes] == [
        "node n1", "pod import-data-1", "pod import-data-1 / importer", "job import-data"]
    assert t.rows[0].number == 0 and len(t.rows) == len(trace.steps)
    assert t.lines == (15, 19, 22)


def test_html_page_is_self_contained() -> None:
    page = render_html([_doc(SPECS["slow-starter-killed.md"])])
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(?i)\b(src|href)\s*=\s*[\"'](?!#)", page)  # only in-page links
    assert not re.search(r"(?i)https?://|<link\b|@import|url\(", page)
    assert 'id="d1-verdicts"' in page and 'class="loop"' in page
    assert 'class="hit"' in page  # involved source lines are highlighted


def test_html_page_of_several_runs_has_unique_ids() -> None:
    docs = [_doc(SPECS["slow-starter-killed.md"]), _doc(SPECS["job-backoff.md"]),
            _doc(SPECS["job-backoff.md"])]
    ids = re.findall(r'\bid="([^"]+)"', render_html(docs))
    assert len(ids) == len(set(ids)) and "d3-verdicts" in ids


def test_cli_writes_both_reports_and_rejects_other_suffixes(tmp_path: Path) -> None:
    html, md = tmp_path / "trace.html", tmp_path / "trace.md"
    spec = str(ROOT / SPECS["job-backoff.md"])
    result = CliRunner().invoke(app, ["check", spec, "--report", str(html), "--report", str(md),
                                      "--quiet"])
    assert result.exit_code == 1
    assert result.stdout.startswith("summary\n")  # --quiet: the summary only
    assert "step 0" not in result.stdout
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert md.read_text(encoding="utf-8").startswith("# podcheck: `job-backoff.pod`")
    bad = CliRunner().invoke(app, ["check", spec, "--report", str(tmp_path / "trace.txt")])
    assert bad.exit_code == 2


def test_cli_trace_full_shows_every_variable() -> None:
    spec = str(ROOT / SPECS["job-backoff.md"])
    full = CliRunner().invoke(app, ["check", spec, "--trace", "full"]).stdout
    default = CliRunner().invoke(app, ["check", spec]).stdout
    assert "deadlineTimer" in full and "action job_count(pod=import-data-1)" in full
    assert "deadlineTimer" not in default and "action job_count" not in default


def test_a_run_with_spec_errors_reports_its_diagnostics() -> None:
    doc = _doc("specs/manifests/malformed.yaml")
    assert doc.verdicts == () and doc.sections == ()
    md = render_markdown([doc])
    assert "error[PC401]: invalid YAML" in md and "| property |" not in md
    assert "error[PC401]" in render_html([doc])

"""`podcheck test`: specs as a regression suite against their `expect`s."""

from __future__ import annotations

from pathlib import Path

from podcheck.check import CheckOptions
from podcheck.engine.result import Verdict
from podcheck.exitcodes import ExitCode
from podcheck.run import Handling, VerdictMismatch
from podcheck.suite import Status, run_suite

ROOT = Path(__file__).resolve().parents[2]

PASSING = """\
cluster { nodes: 1 }
pod a { container app { } }
property never-failed: always forall p in pods: p.phase != Failed
expect never-failed holds
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_expectations_met_pass_and_unmet_fail(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.pod", PASSING)
    bad = _write(tmp_path, "bad.pod", PASSING.replace("holds", "violated"))
    result = run_suite([good, bad], CheckOptions())
    assert [o.status for o in result.outcomes] == [Status.PASS, Status.FAIL]
    mismatch = VerdictMismatch("never-failed", "violated", Verdict.HOLDS)
    assert result.outcomes[1].problems == (mismatch,)
    assert result.exit_code is ExitCode.VIOLATED


def test_rejection_specs_pass_only_with_exactly_their_expected_errors(tmp_path: Path) -> None:
    clash = "pod a {\n  restartPolicy: Sometimes%s\n  container x { }\n}\n"
    ok = _write(tmp_path, "ok.pod", clash % "  # E: PC203 unknown restart policy")
    wrong = _write(tmp_path, "wrong.pod", clash % "  # E: PC205 invalid")
    silent = _write(tmp_path, "silent.pod", clash % "")
    result = run_suite([ok, wrong, silent], CheckOptions())
    assert [o.status for o in result.outcomes] == [Status.PASS, Status.ERROR, Status.ERROR]
    assert result.exit_code is ExitCode.INPUT_ERROR


def test_parse_only_specs_are_loaded_not_explored(tmp_path: Path) -> None:
    spec = _write(tmp_path, "p.pod", "# PODCHECK: parse\n" + PASSING.replace("holds", "violated"))
    (outcome,) = run_suite([spec], CheckOptions()).outcomes
    assert outcome.status is Status.PASS and outcome.handling is Handling.PARSED


def test_no_specs_is_an_input_error(tmp_path: Path) -> None:
    assert run_suite([str(tmp_path)], CheckOptions()).exit_code is ExitCode.INPUT_ERROR

"""`podcheck test`: discovery, expectations from headers and `podcheck.toml`, strictness,
parallel runs, failure traces and the `reproduce:` line (issue 13)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.check import CheckOptions
from podcheck.cli import app
from podcheck.exitcodes import ExitCode
from podcheck.report.suite import render_suite
from podcheck.run import RowStatus, Status
from podcheck.suite import run_suite

ROOT = Path(__file__).resolve().parents[2]

UNEXPECTED = """\
cluster { nodes: 1 }
pod a { restartPolicy: Never  container app { behavior { outcome: fails } } }
property never-failed: always forall p in pods: p.phase != Failed
"""
EXPECTED = UNEXPECTED + "expect never-failed violated\n"
WRONG = UNEXPECTED + "expect never-failed holds\n"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["test", *args], env={"CI": "", **(env or {})})


@pytest.mark.slow
def test_the_whole_specs_tree_passes_strictly_on_two_processes(monkeypatch) -> None:
    # The tutorial's console example `podcheck test specs --strict --quiet`
    # (tests/docs/test_tutorial.py) runs the same tree strictly on one process, and
    # test_parallel_and_serial_runs_print_the_same_report compares -j 2 with -j 1.
    if os.environ.get("PODCHECK_SLOW") != "1":
        pytest.skip("slow: PODCHECK_SLOW=1 runs the whole specs tree on two processes")
    monkeypatch.chdir(ROOT)
    result = _invoke("specs", "--strict", "-j", "2")
    assert result.exit_code == 0, result.stdout
    last = result.stdout.rstrip().splitlines()[-1]
    passed = int(last.split()[0])
    assert last == f"{passed} passed, 0 failed" and passed >= 90
    assert "unexpected" not in result.stdout


def test_a_property_without_expectation_is_never_a_pass(tmp_path: Path) -> None:
    _write(tmp_path, "a.pod", UNEXPECTED)
    relaxed = _invoke(str(tmp_path), "--no-strict")
    assert relaxed.exit_code == 0
    assert "unexpected-violated" in relaxed.stdout
    assert relaxed.stdout.rstrip().endswith("0 passed, 0 failed, 1 without expectation")
    strict = _invoke(str(tmp_path), "--strict")
    assert strict.exit_code == ExitCode.VIOLATED
    assert strict.stdout.rstrip().endswith("0 passed, 1 failed")
    assert "add `expect never-failed violated` after review" in strict.stdout


def test_strict_is_the_default_when_ci_is_true(tmp_path: Path) -> None:
    _write(tmp_path, "a.pod", UNEXPECTED)
    assert _invoke(str(tmp_path), env={"CI": "true"}).exit_code == ExitCode.VIOLATED
    assert _invoke(str(tmp_path)).exit_code == ExitCode.OK


def test_a_failure_prints_its_shortest_trace_and_how_to_reproduce_it(tmp_path: Path) -> None:
    spec = _write(tmp_path, "w.pod", WRONG)
    result = _invoke(str(spec))
    assert result.exit_code == ExitCode.VIOLATED
    out = result.stdout
    assert f"FAIL {spec}" in out and "`never-failed`: expected holds, got violated" in out
    assert "property `never-failed` (always) violated in" in out and "step 1" in out
    assert f"reproduce: podcheck check {spec}" in out
    assert out.rstrip().endswith("0 passed, 1 failed")


def test_the_table_has_spec_property_expected_got_states_and_time(tmp_path: Path) -> None:
    spec = _write(tmp_path, "e.pod", EXPECTED)
    lines = _invoke(str(spec)).stdout.splitlines()
    assert lines[0].split() == ["spec", "property", "expected", "got", "result", "states", "time"]
    assert re.fullmatch(rf"{re.escape(str(spec))}\s+never-failed\s+violated\s+violated\s+ok"
                        r"\s+\d+\s+\d+\.\d\ds", lines[1])


def test_parallel_and_serial_runs_print_the_same_report(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    # every seed spec and manifest but the four slowest (two thirds of the time):
    # passing, failing, rejected and parse-only entries, `podcheck.toml` expectations
    slow = {"12-drain-pdb.pod", "hpa-range.yaml", "anti-affinity-zone-spread.yaml",
            "percent-budget-odd-replicas.yaml"}
    paths = [str(p.relative_to(ROOT)) for folder in ("specs/seed", "specs/manifests")
             for p in sorted((ROOT / folder).iterdir())
             if p.suffix in (".pod", ".yaml") and p.name not in slow]
    serial = run_suite(paths, CheckOptions(), strict=True, jobs=1)
    parallel = run_suite(paths, CheckOptions(), strict=True, jobs=2)
    assert render_suite(serial, show_time=False) == render_suite(parallel, show_time=False)


def test_podcheck_toml_expectations_for_manifests_and_specs(tmp_path: Path) -> None:
    manifest = (ROOT / "specs/manifests/web-pdb-min-equals-replicas.yaml").read_text()
    _write(tmp_path, "web.yaml", manifest)
    _write(tmp_path, "broken.yaml", "# PODCHECK: check\nkind: [\n")
    _write(tmp_path, "a.pod", UNEXPECTED)
    _write(tmp_path, "podcheck.toml", '["web.yaml"]\nexpect = { drain-completes = "violated" }\n'
           '["broken.yaml"]\nerrors = ["PC401"]\n'
           '["a.pod"]\nexpect = { never-failed = "violated", no-such = "holds" }\n')
    result = run_suite([str(tmp_path)], CheckOptions(), strict=True)
    by_name = {Path(o.path).name: o for o in result.outcomes}
    assert sorted(by_name) == ["a.pod", "broken.yaml", "web.yaml"]
    assert by_name["web.yaml"].status is Status.PASS
    assert [r.status for r in by_name["web.yaml"].rows] == [RowStatus.PASS]
    assert by_name["broken.yaml"].status is Status.PASS
    assert by_name["a.pod"].status is Status.FAIL  # `no-such` names no property
    assert "`no-such`: expected holds, but there is no such property" in render_suite(result)


def test_a_header_flag_the_suite_does_not_know_is_an_error(tmp_path: Path) -> None:
    _write(tmp_path, "a.pod", "# PODCHECK: check --bogus 3\n" + EXPECTED)
    (o,) = run_suite([str(tmp_path)], CheckOptions()).outcomes
    assert o.status is Status.ERROR
    assert "unknown flag `--bogus`" in render_suite(run_suite([str(tmp_path)], CheckOptions()))


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_works_with_h(flag: str) -> None:
    result = CliRunner().invoke(app, ["test", flag])
    assert result.exit_code == 0 and "--strict" in result.stdout

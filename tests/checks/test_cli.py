"""The CLI through typer's CliRunner: exit codes, output shapes, explain, fmt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck import __version__
from podcheck.cli import app
from podcheck.exitcodes import ExitCode

DATA = Path(__file__).parent / "data"
GOOD = "pod a {\n  container app {\n    ports: [80]\n  }\n}\n"


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_exit_codes_are_documented_values() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 130]


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0 and result.stdout == f"podcheck {__version__}\n"


def test_parse_ok_prints_a_summary(tmp_path: Path) -> None:
    spec = tmp_path / "ok.pod"
    spec.write_text(GOOD + "check init-order\n", encoding="utf-8")
    result = _run("parse", str(spec))
    assert result.exit_code == ExitCode.OK
    assert result.stdout == f"{spec}: OK (1 pod, 1 property)\n"


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_parse_errors_exit_2_in_every_format(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DATA)
    result = _run("parse", "pods.pod", "--format", fmt)
    assert result.exit_code == ExitCode.INPUT_ERROR
    if fmt == "json":
        assert {d["code"] for d in json.loads(result.stdout)} >= {"PC206", "PC208"}
    elif fmt == "github":
        lines = result.stdout.splitlines()
        assert all(line.startswith(("::error ", "::warning ")) for line in lines)
        assert [line for line in lines if line.startswith("::warning ")] == [
            line for line in lines if "PC206" in line.split("::", 2)[1]]
    else:
        assert "pods.pod:4:25: warning[PC206]" in result.stdout
        assert "found 17 errors and 1 warning" in result.stdout


def test_parse_json_ok_is_an_empty_list(tmp_path: Path) -> None:
    spec = tmp_path / "ok.pod"
    spec.write_text(GOOD, encoding="utf-8")
    result = _run("parse", str(spec), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert _run("parse").exit_code == ExitCode.INPUT_ERROR
    assert _run("parse", "x.pod", "--format", "xml").exit_code == ExitCode.INPUT_ERROR
    missing = _run("parse", str(tmp_path / "missing.pod"))
    assert missing.exit_code == ExitCode.INPUT_ERROR and "PC112" in missing.stdout


def test_explain_prints_the_registry_entry() -> None:
    result = _run("explain", "pc203")
    assert result.exit_code == 0
    assert result.stdout.startswith("## PC203 `unknown-enum-value`")
    assert "restartPolicy: Sometimes" in result.stdout
    assert _run("explain", "203").stdout == result.stdout


def test_explain_unknown_code_suggests_one() -> None:
    result = _run("explain", "PC2O3")
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert "unknown diagnostic code `PC2O3`" in result.stderr
    assert "did you mean `PC203`?" in result.stderr


def test_fmt_prints_canonical_text_and_check_passes_on_it(tmp_path: Path) -> None:
    spec = tmp_path / "messy.pod"
    spec.write_text("pod a {container app {ports:[80]}}\n", encoding="utf-8")
    formatted = _run("fmt", str(spec))
    assert formatted.exit_code == 0
    canonical = tmp_path / "canonical.pod"
    canonical.write_text(formatted.stdout, encoding="utf-8")
    ok = _run("fmt", str(canonical), "--check")
    assert ok.exit_code == ExitCode.OK and ok.stdout == ""


def test_fmt_check_shows_a_diff_and_exits_1(tmp_path: Path) -> None:
    spec = tmp_path / "messy.pod"
    spec.write_text("pod a {container app {ports:[80]}}\n", encoding="utf-8")
    result = _run("fmt", str(spec), "--check")
    assert result.exit_code == ExitCode.VIOLATED
    assert result.stdout.startswith(f"--- {spec}\n+++ {spec} (formatted)\n")
    assert "-pod a {container app {ports:[80]}}" in result.stdout
    assert "+pod a { container app { ports: [80] } }" in result.stdout


def test_fmt_write_rewrites_in_place(tmp_path: Path) -> None:
    spec = tmp_path / "messy.pod"
    spec.write_text("pod a {container app {ports:[80]}}\n", encoding="utf-8")
    assert _run("fmt", str(spec), "--write").stdout == f"{spec}: reformatted\n"
    assert _run("fmt", str(spec), "--check").exit_code == ExitCode.OK
    assert _run("fmt", str(spec), "--write").stdout == f"{spec}: already formatted\n"


def test_fmt_on_a_syntax_error_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "bad.pod"
    spec.write_text("pod a {\n", encoding="utf-8")
    result = _run("fmt", str(spec))
    assert result.exit_code == ExitCode.INPUT_ERROR and "error[PC0" in result.stdout
    assert _run("fmt", str(spec), "--check", "--write").exit_code == ExitCode.INPUT_ERROR


def test_module_entry_point_runs() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "podcheck", "--version"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"podcheck {__version__}"

"""The CLI on manifests: `check -` reads stdin, `import` writes a spec, bad versions."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from podcheck.cli import app

SPEC = Path(__file__).resolve().parents[2] / "specs" / "manifests" / "job-proxy-native-sidecar.yaml"


def test_check_reads_stdin() -> None:
    args = ["check", "-", "--nodes", "1", "--failures", "0", "--concurrent-drains", "0",
            "--check", "job-completes"]
    result = CliRunner().invoke(app, args, input=SPEC.read_text())
    assert result.exit_code == 0, result.stdout
    assert "job-completes  eventually  holds" in result.stdout
    assert "<stdin>" in result.stdout or "PC414" in result.stdout


def test_import_writes_a_spec() -> None:
    result = CliRunner().invoke(app, ["import", str(SPEC)])
    assert result.exit_code == 0
    assert "job report {" in result.stdout and "restartPolicy: Always" in result.stdout


def test_bad_kubernetes_version_is_an_input_error() -> None:
    result = CliRunner().invoke(app, ["check", str(SPEC), "--kubernetes-version", "one"])
    assert result.exit_code == 2

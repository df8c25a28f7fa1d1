"""The CLI on manifests: `check -` reads stdin, `import` writes a spec, bad versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.manifests import parse_version

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


@pytest.mark.parametrize("version", ["1.3", "1.99", "2.0", "0.31"])
def test_a_release_whose_rules_are_unknown_is_an_input_error(version: str) -> None:
    """Issue 15 audit: `--kubernetes-version 1.3` (a typo for 1.30) was accepted and
    silently checked with the rules of the oldest releases."""
    assert parse_version(version) is None
    result = CliRunner().invoke(app, ["check", str(SPEC), "--kubernetes-version", version])
    assert result.exit_code == 2
    assert "from 1.9 to 1.35" in result.output


def test_known_releases_parse() -> None:
    assert [parse_version(v) for v in ("1.9", "v1.29.3", "1.35")] == [(1, 9), (1, 29), (1, 35)]

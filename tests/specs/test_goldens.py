"""The golden regression suite: every `specs/**/*.pod` is run as its header says.

Each spec's first lines hold `# PODCHECK: <command and flags>`; the file path is appended
to the command.  Its sibling `*.expected` holds the command's stdout followed by a final
`exit: N` line.  `pytest --update-goldens` rewrites them.  Output is deterministic
(basenames, no timings), so a diff here is a real behaviour change.
"""

from __future__ import annotations

import difflib
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app

ROOT = Path(__file__).resolve().parents[2]
SPECS = sorted((ROOT / "specs").rglob("*.pod"))
HEADER = "# PODCHECK:"


def _command(spec: Path) -> list[str] | None:
    for line in spec.read_text(encoding="utf-8").splitlines()[:5]:
        if line.startswith(HEADER):
            return shlex.split(line[len(HEADER) :])
    return None


def test_suite_is_not_empty() -> None:
    assert len(SPECS) >= 6, "the golden suite found too few specs"
    missing = [str(s.relative_to(ROOT)) for s in SPECS if _command(s) is None]
    assert not missing, f"specs without a `{HEADER}` header: {missing}"


@pytest.mark.parametrize("spec", SPECS, ids=[str(s.relative_to(ROOT)) for s in SPECS])
def test_golden(spec: Path, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    command = _command(spec)
    assert command is not None
    monkeypatch.chdir(spec.parent)
    result = CliRunner().invoke(app, [*command, spec.name])
    actual = f"{result.stdout}exit: {result.exit_code}\n"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    expected_path = spec.with_suffix(".expected")
    if update_goldens:
        expected_path.write_text(actual, encoding="utf-8")
        return
    assert expected_path.exists(), f"missing {expected_path.name}; run pytest --update-goldens"
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), "expected", "actual"
            )
        )
        pytest.fail(f"{spec.name} output changed:\n{diff}")

"""The manifest golden suite: every `specs/manifests/**/*.yaml` is run as its header says.

Same contract as tests/specs/test_goldens.py (a `# PODCHECK:` header in the first lines,
a sibling `.expected` with stdout and `exit: N`; `pytest --update-goldens` rewrites).
"""

from __future__ import annotations

import difflib
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "specs" / "manifests"
# A file is one input; a folder (the README's `shop/`) is one input, checked as a whole
# with the zero-config defaults (`podcheck check shop/`), its golden beside it
# (`shop.expected`).
SPECS = sorted([*MANIFESTS.glob("*.yaml"),
                *(d for d in MANIFESTS.iterdir() if d.is_dir() and any(d.glob("*.yaml")))])
HEADER = "# PODCHECK:"


def _command(spec: Path) -> list[str] | None:
    if spec.is_dir():
        return ["check"]
    for line in spec.read_text(encoding="utf-8").splitlines()[:5]:
        if line.startswith(HEADER):
            return shlex.split(line[len(HEADER):])
    return None


def test_suite_is_not_empty() -> None:
    assert len(SPECS) >= 12
    assert all(_command(s) is not None for s in SPECS)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_golden(spec: Path, update_goldens: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    command = _command(spec)
    assert command is not None
    monkeypatch.chdir(spec.parent)
    result = CliRunner().invoke(app, [*command, spec.name])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    actual = f"{result.stdout}exit: {result.exit_code}\n"
    expected_path = spec.parent / f"{spec.stem}.expected"
    if update_goldens:
        expected_path.write_text(actual, encoding="utf-8")
        return
    expected = expected_path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True),
                                            actual.splitlines(True), "expected", "actual"))
        pytest.fail(f"{spec.name} output changed:\n{diff}")

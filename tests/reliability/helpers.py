"""Running `podcheck parse` / `podcheck check` the way a user does, for the reliability tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from podcheck.cli import app

BASE = "cluster {\n  node n1 { }\n}\npod api {\n  container app {\n    FIELD\n  }\n}\n"


@dataclass(frozen=True)
class Outcome:
    """What one CLI run gave: its exit status and the diagnostics as JSON dicts."""

    exit_code: int
    diagnostics: list[dict[str, object]]
    output: str

    @property
    def codes(self) -> list[str]:
        """The codes of the diagnostics, in order."""
        return [str(d["code"]) for d in self.diagnostics]


def run(command: str, path: Path | str, *extra: str, cwd: Path | None = None) -> Outcome:
    """`podcheck COMMAND PATH --format json`; never a traceback (asserted)."""
    result = CliRunner().invoke(app, [command, str(path), *extra, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"traceback: {result.exception!r}"
    )
    text = result.stdout
    found = json.loads(text) if text.strip() else []
    if isinstance(found, dict):  # `check --format json`: a document with its diagnostics
        found = found["diagnostics"]
    elif found and all(isinstance(d, dict) and "exitCode" in d for d in found):
        # several runs (manifests checked in groups, check_path): every run's diagnostics
        found = [x for d in found for x in d["diagnostics"]]
    return Outcome(result.exit_code, found, text)


def spec_with(field: str) -> str:
    """A one-pod spec whose container has `field` (one line)."""
    return BASE.replace("FIELD", field)

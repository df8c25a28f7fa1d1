"""README.md opens with the two commands that matter; keep them true.

The first installs and runs the main job on a bundled example (which must exist and
load); the second installs the test extra and runs the tests, and `.ci/run` must run
exactly that command.
"""

from __future__ import annotations

import re
from pathlib import Path

from podcheck.lang.check import load
from podcheck.manifests import is_manifest_path, load_inputs

ROOT = Path(__file__).resolve().parents[2]


def _opening_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.DOTALL)
    assert block is not None and text.index(block.group(0)) < 200, "README must open with them"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_two_commands() -> None:
    first, second = _opening_commands()
    assert first.startswith("python -m pip install . && podcheck check ")
    assert second.startswith("python -m pip install '.[test]' && ")


def test_main_job_example_exists_and_loads() -> None:
    first, _ = _opening_commands()
    spec = ROOT / first.split("podcheck check ", 1)[1].split()[0]
    assert spec.exists(), spec
    if is_manifest_path(str(spec)):  # bundled manifests (specs/manifests/shop/)
        assert load_inputs([str(spec)]).result.ok
    else:
        assert load(str(spec)).ok


def test_ci_runs_the_readme_test_command() -> None:
    _, second = _opening_commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert second in ci.splitlines(), "`.ci/run` must run the README's test command verbatim"

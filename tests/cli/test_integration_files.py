"""`.pre-commit-hooks.yaml` and `action.yml` are well formed, name entry points that
exist, and do what docs/ci.md says (issue 13): the hooks run on a spec, and the
action's script, run with bash as GitHub would, runs `podcheck test` and leaves the
SARIF file that its upload step uploads."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parents[2]
SPEC = """\
cluster { nodes: 1 }

pod a { restartPolicy: Never  container app { behavior { outcome: fails } } }

property never-failed: always forall p in pods: p.phase != Failed

"""


def _yaml(name: str) -> Any:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def _scripts() -> dict[str, str]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return dict(tomllib.load(f)["project"]["scripts"])


def _commands() -> set[str]:
    return {c.name or "" for c in app.registered_commands}


HOOKS = _yaml(".pre-commit-hooks.yaml")


def test_the_hooks_file_is_a_list_of_complete_hooks() -> None:
    assert isinstance(HOOKS, list) and len(HOOKS) >= 3
    ids = [h["id"] for h in HOOKS]
    assert len(set(ids)) == len(ids)
    for hook in HOOKS:
        assert {"id", "name", "entry", "language", "files"} <= set(hook), hook
        assert hook["language"] == "python"  # installs this repository's package
        re.compile(hook["files"])
        program, command, *_ = shlex.split(hook["entry"])
        assert program in _scripts() and command in _commands(), hook["entry"]


@pytest.mark.parametrize("hook", HOOKS, ids=[h["id"] for h in HOOKS])
def test_each_hook_runs_on_a_canonical_spec(hook: dict[str, Any], tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(SPEC + "expect never-failed violated\n", encoding="utf-8")
    assert re.search(hook["files"], spec.name)
    args = shlex.split(hook["entry"])[1:] + list(hook.get("args", []))
    args = [a if a != "specs" else str(tmp_path) for a in args]
    files = [str(spec)] if hook.get("pass_filenames", True) else []
    result = CliRunner().invoke(app, args + files, env={"CI": ""})
    assert result.exit_code == ExitCode.OK, (args, result.output)


def test_the_fmt_hook_fails_on_a_file_that_is_not_canonical(tmp_path: Path) -> None:
    (hook,) = [h for h in HOOKS if h["id"] == "podcheck-fmt"]
    spec = tmp_path / "a.pod"
    spec.write_text("cluster {nodes:1}\n", encoding="utf-8")
    result = CliRunner().invoke(app, [*shlex.split(hook["entry"])[1:], str(spec)])
    assert result.exit_code == ExitCode.VIOLATED


ACTION = _yaml("action.yml")


def test_the_action_is_a_composite_with_declared_inputs() -> None:
    assert {"name", "description", "inputs", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{\{[^}]*inputs\.([\w-]+)", text))
    assert used and used <= set(ACTION["inputs"]), used - set(ACTION["inputs"])
    for step in ACTION["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step  # composite needs a shell


def _step(predicate: str) -> dict[str, Any]:
    (step,) = [s for s in ACTION["runs"]["steps"] if predicate in str(s.get("run", s.get("uses")))]
    return step


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_the_action_runs_podcheck_test_and_leaves_the_sarif_it_uploads(tmp_path: Path) -> None:
    step = _step("podcheck test")
    upload = _step("upload-sarif")
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "a.pod").write_text(SPEC + "expect never-failed holds\n", encoding="utf-8")
    env = {**os.environ, "PODCHECK_PATHS": "specs", "PODCHECK_STRICT": "true", "CI": "true",
           "GITHUB_OUTPUT": str(tmp_path / "out"), "GITHUB_STEP_SUMMARY": str(tmp_path / "sum"),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == ExitCode.VIOLATED, done.stderr
    assert "::error" in done.stdout  # annotations, then the text report
    assert "reproduce: podcheck check" in done.stdout and "0 passed, 1 failed" in done.stdout
    outputs = dict(line.split("=", 1) for line in (tmp_path / "out").read_text().splitlines())
    sarif_file = upload["with"]["sarif_file"]
    assert outputs["sarif"] == sarif_file and upload["if"].startswith("${{ always()")
    sarif = json.loads((tmp_path / sarif_file).read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    assert (tmp_path / outputs["junit"]).read_text().startswith("<?xml")
    assert "0 passed, 1 failed" in (tmp_path / "sum").read_text()


def test_docs_ci_md_shows_a_workflow_using_the_action_and_the_hooks() -> None:
    text = (ROOT / "docs/ci.md").read_text(encoding="utf-8")
    workflows = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]
    jobs = [w for w in workflows if isinstance(w, dict) and "jobs" in w]
    assert jobs, "docs/ci.md has no workflow example"
    steps = [s for job in jobs[0]["jobs"].values() for s in job["steps"]]
    assert any(str(s.get("uses", "")).startswith("podcheck/podcheck@") for s in steps)
    assert jobs[0]["permissions"]["security-events"] == "write"
    hooks = [w for w in workflows if isinstance(w, dict) and "repos" in w]
    documented = {h["id"] for r in hooks[0]["repos"] for h in r["hooks"]}
    assert documented <= {h["id"] for h in HOOKS}

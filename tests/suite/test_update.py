"""`podcheck test --update`: unmet and missing expectations are rewritten to the verdicts
found, where they were (the spec's `expect` lines, or `podcheck.toml`); what cannot be
accepted (errors, undecided properties) still fails (issue 13)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from typer.testing import CliRunner

from podcheck.check import CheckOptions
from podcheck.cli import app
from podcheck.exitcodes import ExitCode
from podcheck.run import Change, Status
from podcheck.suite import run_suite
from podcheck.suiteupdate import update_expectations

ROOT = Path(__file__).resolve().parents[2]
SPEC = """\
cluster { nodes: 1 }
pod a { restartPolicy: Never  container app { behavior { outcome: fails } } }
property never-failed: always forall p in pods: p.phase != Failed
property no-unknown: always forall p in pods: p.phase != Unknown
"""


def _test(*args: str):
    return CliRunner().invoke(app, ["test", "--no-timing", *args], env={"CI": ""})


def test_update_rewrites_a_wrong_expect_line_and_adds_a_missing_one(tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(SPEC + "expect no-unknown violated  # reviewed in #12\n", encoding="utf-8")
    assert _test(str(spec), "--strict").exit_code == ExitCode.VIOLATED
    updated = _test(str(spec), "--strict", "--update")
    assert updated.exit_code == ExitCode.OK, updated.stdout
    assert f"updated {spec}: expect never-failed violated (had none)" in updated.stdout
    assert f"updated {spec}: expect no-unknown holds (was violated)" in updated.stdout
    assert "2 expectations updated in 1 file: review the diff" in updated.stdout
    assert spec.read_text(encoding="utf-8") == (
        SPEC + "expect no-unknown holds  # reviewed in #12\nexpect never-failed violated\n")
    again = _test(str(spec), "--strict", "--update")
    assert again.exit_code == ExitCode.OK and "no expectation to update" in again.stdout
    assert _test(str(spec), "--strict").exit_code == ExitCode.OK


def test_update_writes_into_the_toml_entry_that_holds_the_expectation(tmp_path: Path) -> None:
    (tmp_path / "a.pod").write_text(SPEC, encoding="utf-8")
    config = tmp_path / "podcheck.toml"
    config.write_text('# reviewed\n["a.pod"]\nexpect = { never-failed = "holds" }\n\n'
                      '["b.pod"]\nexpect = { x = "holds" }\n', encoding="utf-8")
    result = run_suite([str(tmp_path)], CheckOptions(), strict=True)
    changes, settled = update_expectations(result)
    assert changes == (
        Change(str(config), "never-failed", "holds", "violated"),
        Change(str(tmp_path / "a.pod"), "no-unknown", None, "holds"),
    )
    text = config.read_text(encoding="utf-8")
    assert text.startswith('# reviewed\n["a.pod"]\nexpect = { never-failed = "violated" }\n')
    assert '["b.pod"]\nexpect = { x = "holds" }' in text
    assert [o.status for o in settled.outcomes if o.path.endswith("a.pod")] == [Status.PASS]


def test_a_manifest_gets_a_podcheck_toml_entry(tmp_path: Path) -> None:
    manifest = ROOT / "specs/manifests/web-pdb-min-equals-replicas.yaml"
    web = tmp_path / "web.yaml"
    web.write_text(manifest.read_text(encoding="utf-8"), encoding="utf-8")
    updated = _test(str(tmp_path), "--strict", "--update")
    assert updated.exit_code == ExitCode.OK, updated.stdout
    with (tmp_path / "podcheck.toml").open("rb") as f:
        assert tomllib.load(f) == {"web.yaml": {"expect": {"drain-completes": "violated"}}}
    assert _test(str(tmp_path), "--strict").exit_code == ExitCode.OK


def test_errors_and_undecided_properties_are_never_accepted(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pod"
    broken.write_text("pod a {\n", encoding="utf-8")
    cut = tmp_path / "cut.pod"
    cut.write_text("# PODCHECK: check --max-states 2\n" + SPEC
                   + "expect never-failed violated\nexpect no-unknown holds\n", encoding="utf-8")
    before = {p: p.read_text(encoding="utf-8") for p in (broken, cut)}
    updated = _test(str(tmp_path), "--strict", "--update")
    assert updated.exit_code == ExitCode.INPUT_ERROR
    assert {p: p.read_text(encoding="utf-8") for p in (broken, cut)} == before
    assert "no expectation to update" in updated.stdout


def test_a_toml_entry_written_as_a_table_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "a.pod").write_text(SPEC + "expect no-unknown holds\n", encoding="utf-8")
    config = tmp_path / "podcheck.toml"
    original = '["a.pod".expect]\nnever-failed = "holds"\n'
    config.write_text(original, encoding="utf-8")
    changes, settled = update_expectations(run_suite([str(tmp_path)], CheckOptions()))
    assert changes == () and config.read_text(encoding="utf-8") == original
    assert settled.exit_code == ExitCode.VIOLATED

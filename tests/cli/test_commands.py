"""`explain` on a terminal and piped, `graph --svg` without Graphviz, `-h` on every
command (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from podcheck.cli import app
from podcheck.cli_output import markdown, worst
from podcheck.diagnostics import codes
from podcheck.diagnostics.gendocs import explain_text
from podcheck.exitcodes import ExitCode
from podcheck.report.graph import GRAPHVIZ_MISSING

ROOT = Path(__file__).resolve().parents[2]
SMALL = """\
cluster { nodes: 1 }
pod a { restartPolicy: Never  container app { behavior { outcome: fails } } }
property never-failed: always forall p in pods: p.phase != Failed
"""


def test_explain_piped_is_the_markdown_as_written() -> None:
    result = CliRunner().invoke(app, ["explain", "PC204"])
    entry = codes.lookup("PC204")
    assert entry is not None
    assert result.exit_code == 0 and result.stdout == explain_text(entry)


def test_explain_on_a_terminal_is_rendered_markdown() -> None:
    entry = codes.lookup("PC204")
    assert entry is not None
    text = explain_text(entry)
    shown = markdown(text, terminal=True)
    assert "\x1b[" in shown  # styled
    assert "## PC204" not in shown and "**What it means.**" not in shown
    assert "PC204" in shown and "What it means." in shown and "Runing" in shown
    assert markdown(text, terminal=False) == text


def test_graph_svg_without_graphviz_exits_2_with_the_install_hint(tmp_path: Path) -> None:
    spec = tmp_path / "a.pod"
    spec.write_text(SMALL, encoding="utf-8")
    empty = tmp_path / "bin"
    empty.mkdir()
    svg = tmp_path / "out.svg"
    result = CliRunner().invoke(app, ["graph", str(spec), "--svg", str(svg)],
                                env={"PATH": str(empty)})
    assert result.exit_code == ExitCode.INPUT_ERROR
    assert GRAPHVIZ_MISSING in result.stderr and "apt-get install graphviz" in result.stderr
    assert result.stdout.startswith("digraph") and not svg.exists()


def _commands() -> list[str]:
    return sorted(c.name or "" for c in app.registered_commands)


@pytest.mark.parametrize("command", _commands())
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_works_on_every_command(command: str, flag: str) -> None:
    result = CliRunner().invoke(app, [command, flag])
    assert result.exit_code == 0, result.output
    assert f"Usage: podcheck {command} " in result.stdout


def test_the_root_takes_h_too() -> None:
    result = CliRunner().invoke(app, ["-h"])
    assert result.exit_code == 0 and "Commands" in result.stdout


def test_worst_exit_code_of_several_runs() -> None:
    assert worst([]) is ExitCode.OK
    assert worst([ExitCode.OK, ExitCode.INCONCLUSIVE, ExitCode.VIOLATED]) is ExitCode.VIOLATED
    assert worst([ExitCode.VIOLATED, ExitCode.INPUT_ERROR]) is ExitCode.INPUT_ERROR


@pytest.mark.parametrize("command", ["parse", "fmt", "check"])
def test_parse_fmt_check_take_several_files_and_folders(command: str, tmp_path: Path) -> None:
    one = tmp_path / "one.pod"
    one.write_text(SMALL + "expect never-failed violated\n", encoding="utf-8")
    folder = tmp_path / "more"
    folder.mkdir()
    for name in ("b.pod", "c.pod"):
        (folder / name).write_text(SMALL + "expect never-failed violated\n", encoding="utf-8")
    result = CliRunner().invoke(app, [command, str(one), str(folder)])
    assert result.exit_code in (ExitCode.OK, ExitCode.VIOLATED), result.output
    if command == "parse":
        assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
            str(one), str(folder / "b.pod"), str(folder / "c.pod")]
    elif command == "fmt":
        assert result.stdout.count("property never-failed") == 3
    else:
        assert result.stdout.count("property `never-failed` (always) violated") == 3

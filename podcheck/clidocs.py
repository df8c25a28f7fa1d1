"""docs/cli.md, the command-line reference, generated from the typer app.

Stage: documentation, beside the shell.  Consumes `podcheck.cli.app` (each command's
usage, help text, arguments and options with their defaults and ranges, as typer would
show them); produces Markdown.  `python -m podcheck.clidocs` rewrites docs/cli.md, and
a test fails when the file is stale.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer.main
from typer._click.core import Context
from typer.core import TyperCommand, TyperGroup

from podcheck.cli import app
from podcheck.exitcodes import describe

DOC_PATH = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

_HEADER = """\
# The podcheck command line

<!-- Generated from the typer app by `python -m podcheck.clidocs`; do not edit by hand.
     tests/cli/test_clidocs.py fails when this file is stale. -->

Every command takes `-h` or `--help`.  `podcheck --version` prints the version.
"""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _paragraphs(text: str) -> str:
    """Help text as Markdown: paragraphs kept, lines inside a paragraph joined."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


def _command(name: str, command: TyperCommand, parent: Context) -> str:
    ctx = command.context_class(command, info_name=name, parent=parent)
    pieces = re.sub(r"\{(\w+)\}", lambda m: m.group(1).upper(),
                    " ".join(command.collect_usage_pieces(ctx)))
    rows = [command_row for p in command.get_params(ctx)
            if p.name != "help" and (command_row := p.get_help_record(ctx)) is not None]
    table = "\n".join(f"| `{_cell(opts)}` | {_cell(help_)} |" for opts, help_ in rows)
    return (f"\n## `podcheck {name}`\n\n```\npodcheck {name} {pieces}\n```\n\n"
            f"{_paragraphs(command.help or '')}\n\n| argument or option | meaning |\n"
            f"|---|---|\n{table}\n")


def generate() -> str:
    """The whole docs/cli.md text: the root's help and exit codes, then one section
    per command in the order they are registered."""
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    root = group.context_class(group, info_name="podcheck")
    parts = [_HEADER, f"\n{_paragraphs(group.help or '')}\n"]
    codes = "\n".join("| {} | {} |".format(*line.split(" ", 1)) for line in describe().splitlines())
    parts.append(f"\n## Exit codes\n\n| code | meaning |\n|---|---|\n{codes}\n")
    for name, command in group.commands.items():
        assert isinstance(command, TyperCommand)
        parts.append(_command(name, command, root))
    return "".join(parts)


def main() -> int:
    """Rewrite docs/cli.md; print its path."""
    DOC_PATH.write_text(generate(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOC_PATH}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

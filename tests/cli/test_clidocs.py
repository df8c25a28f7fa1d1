"""docs/cli.md is generated from the typer app and kept current (issue 13)."""

from __future__ import annotations

import typer.main
from typer.core import TyperGroup

from podcheck.cli import app
from podcheck.clidocs import DOC_PATH, generate


def test_docs_cli_md_is_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == generate(), (
        "docs/cli.md is stale: run `python -m podcheck.clidocs`")


def test_every_command_and_option_of_the_app_is_in_the_reference() -> None:
    text = generate()
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    assert len(group.commands) >= 7
    for name, command in group.commands.items():
        section = text.split(f"## `podcheck {name}`\n", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            for option in (*param.opts, *param.secondary_opts):
                if option.startswith("-") and option != "--help":
                    assert option in section, (name, option)


def test_the_exit_codes_are_a_table() -> None:
    text = generate()
    assert "| 0 | every property holds" in text and "| 130 | interrupted" in text

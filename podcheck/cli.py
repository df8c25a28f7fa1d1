"""The `podcheck` command line: a thin shell over library functions.

Stage: the top.  Each command turns its options into a frozen options value, calls
one library function, hands the result to a renderer, and exits with an
`podcheck.exitcodes.ExitCode`.  No checking or formatting logic lives here; adding a
command is one small function decorated with `@app.command()`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from podcheck import __version__
from podcheck.diagnostics import codes
from podcheck.diagnostics.gendocs import explain_text, unknown_code_message
from podcheck.diagnostics.render import render
from podcheck.exitcodes import ExitCode
from podcheck.lang.check import LoadOptions
from podcheck.lang.driver import format_file, ok_line, parse_file, write_formatted

app = typer.Typer(
    name="podcheck",
    help="A formal model checker for Kubernetes Pod semantics.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


class OutputFormat(enum.StrEnum):
    """How diagnostics are printed."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Options of `podcheck parse`."""

    path: str
    format: OutputFormat


@dataclass(frozen=True, slots=True)
class FmtOptions:
    """Options of `podcheck fmt`."""

    path: str
    check: bool
    write: bool


def _finish(text: str, code: ExitCode, *, err: bool = False) -> NoReturn:
    if text:
        typer.echo(text, nl=False, err=err)
    raise typer.Exit(int(code))


def _version(value: bool) -> None:
    if value:
        _finish(f"podcheck {__version__}\n", ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """A formal model checker for Kubernetes Pod semantics."""


FileArg = Annotated[Path, typer.Argument(help="A `.pod` spec file.", show_default=False)]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="Diagnostic format.")]


@app.command("parse")
def parse_command(file: FileArg, format: FormatOpt = OutputFormat.TEXT) -> None:
    """Read, parse and check a spec; print its diagnostics or `FILE: OK`."""
    opts = ParseOptions(str(file), format)
    loaded = parse_file(opts.path, LoadOptions())
    if loaded.result.value is None or not loaded.result.ok:
        text = render(loaded.result.diagnostics, loaded.sources, opts.format.value)
        _finish(text, ExitCode.INPUT_ERROR)
    warnings = render(loaded.result.diagnostics, loaded.sources, opts.format.value)
    summary = ok_line(opts.path, loaded.result.value) if opts.format is OutputFormat.TEXT else ""
    _finish(warnings + summary, ExitCode.OK)


@app.command("fmt")
def fmt_command(
    file: FileArg,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 and show a diff if "
                                        "the file is not in canonical form.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Rewrite the file in place.")] = False,
) -> None:
    """Print a spec in canonical form (or check it, or rewrite it)."""
    opts = FmtOptions(str(file), check, write)
    if opts.check and opts.write:
        _finish("error: use either --check or --write\n", ExitCode.INPUT_ERROR, err=True)
    result = format_file(opts.path)
    if result.formatted is None:
        _finish(render(result.diagnostics, result.sources, "text"), ExitCode.INPUT_ERROR)
    if opts.check:
        _finish(result.diff(), ExitCode.VIOLATED if result.changed else ExitCode.OK)
    if opts.write:
        _finish(write_formatted(result), ExitCode.OK)
    _finish(result.formatted, ExitCode.OK)


@app.command("explain")
def explain_command(
    code: Annotated[str, typer.Argument(help="A diagnostic code such as PC204.")],
) -> None:
    """Explain a diagnostic code: what it means, a failing example, the fix."""
    entry = codes.lookup(code)
    if entry is None:
        _finish(unknown_code_message(code), ExitCode.INPUT_ERROR, err=True)
    _finish(explain_text(entry), ExitCode.OK)


def main() -> None:
    """Console-script entry point (`podcheck = podcheck.cli:main`)."""
    app()

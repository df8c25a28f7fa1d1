"""How the commands of `podcheck.cli` hand their results to the terminal and to files.

Stage: the shell, with `podcheck.cli`.  Consumes rendered text (and the `--format`
choices); writes it to stdout, stderr or the files asked for, and ends the command with
an `ExitCode`.  Markdown (`podcheck explain`) is rendered with rich on a terminal and
left as it is when piped.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

import typer
from rich.console import Console
from rich.markdown import Markdown

from podcheck.engine.progress import RunReporter, SilentReporter
from podcheck.exitcodes import ExitCode
from podcheck.report.formats import SUITE_RENDERERS, Output, parse_outputs
from podcheck.report.progress import RichReporter
from podcheck.report.run import render_run_json, render_runs_text
from podcheck.report.view import Detail
from podcheck.run import CheckRun, SuiteResult
from podcheck.suite import outcome
from podcheck.suitefile import is_folder, target

WORST_FIRST = (ExitCode.INTERRUPTED, ExitCode.INPUT_ERROR, ExitCode.VIOLATED,
               ExitCode.INCONCLUSIVE)


def finish(text: str, code: ExitCode, *, err: bool = False) -> NoReturn:
    """Print `text` (to stderr when `err`) and end the command with `code`."""
    if text:
        typer.echo(text, nl=False, err=err)
    raise typer.Exit(int(code))


def worst(exit_codes: list[ExitCode]) -> ExitCode:
    """The exit code of several runs: the most serious one (`WORST_FIRST`), else OK."""
    return next((code for code in WORST_FIRST if code in exit_codes), ExitCode.OK)


def spec_paths(paths: list[Path]) -> tuple[str, ...]:
    """What `parse`, `fmt` and `check` run: files as given (`-` too), a folder holding
    `*.pod` specs as those specs sorted, any other folder as it is (for `check`: a folder
    of manifests; for the others the loader reports it)."""
    found: list[str] = []
    for p in paths:
        inside = sorted(str(f) for f in p.rglob("*.pod")) if is_folder(p) else []
        found += inside or [str(p)]
    return tuple(found)


def outputs(values: list[str] | None, kinds: tuple[str, ...]) -> tuple[Output, ...]:
    """The `--format` values parsed; with every format going to a file, the text report
    still goes to the terminal.  A bad value ends the command with exit 2."""
    parsed = parse_outputs(values or [], kinds)
    if isinstance(parsed, str):
        finish(f"error: {parsed}\n", ExitCode.INPUT_ERROR, err=True)
    if all(o.path is not None for o in parsed):
        parsed.append(Output(kinds[0]))
    return tuple(parsed)


def emit(chosen: tuple[Output, ...], document: Callable[[str], str]) -> str:
    """Write each file output; the stdout one (if any) is returned."""
    shown = ""
    for out in chosen:
        text = document(out.kind)
        if out.path is None:
            shown = text
        else:
            Path(out.path).write_text(text, encoding="utf-8")
    return shown


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `podcheck check` ran, to be rendered in each `--format`."""

    paths: list[str]
    runs: list[CheckRun]
    commands: list[str]  # each run's `reproduce:` command line
    timing: bool = False
    quiet: bool = False
    detail: Detail = Detail.PEOPLE  # `--trace`

    def document(self, kind: str) -> str:
        """The report in `kind` (text, json, or a CI format over the runs as a suite)."""
        if kind == "text":
            return render_runs_text(self.runs, self.commands, timing=self.timing,
                                    quiet=self.quiet, detail=self.detail)
        if kind == "json":
            docs = [render_run_json(r, show_timing=self.timing) for r in self.runs]
            return docs[0] if len(docs) == 1 else "[\n" + ",\n".join(docs) + "]\n"
        suite = SuiteResult(tuple(
            outcome(target(p), r, command=c)
            for p, r, c in zip(self.paths, self.runs, self.commands, strict=True)))
        return SUITE_RENDERERS[kind](suite)


def markdown(text: str, *, terminal: bool, width: int = 88) -> str:
    """`text` (Markdown) rendered for a terminal by rich, or unchanged when not."""
    if not terminal:
        return text
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=width, highlight=False)
    console.print(Markdown(text))
    return buffer.getvalue()


@contextmanager
def progress_reporter(choice: bool | None) -> Iterator[RunReporter]:
    """The reporter of a command's `--progress/--no-progress` (`choice`; None: only when
    stderr is a terminal), closed on the way out."""
    if choice is False or (choice is None and not on_terminal(sys.stderr)):
        yield SilentReporter()
        return
    with RichReporter(Console(stderr=True), live=on_terminal(sys.stderr)) as reporter:
        yield reporter


def on_terminal(stream: TextIO | None = None) -> bool:
    """True when `stream` (stdout by default) is an interactive terminal."""
    stream = stream if stream is not None else sys.stdout
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False

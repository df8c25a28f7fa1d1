"""The `podcheck tune` and `podcheck fit` commands (registered on the app by
`podcheck.cli` through `register`).

Stage: the shell.  One small function per command: options in, a driver
(`tuning.tune_file`, `schedulability.fit_file`), a renderer, an exit code.
"""

from __future__ import annotations

import typer

from podcheck.cli_options import BfsOnlyOpt, FileArg, LargestOpt, ParamOpt
from podcheck.crash import guarded
from podcheck.diagnostics.render import render
from podcheck.engine.tune import TuneOptions
from podcheck.report.binpack import render_fits
from podcheck.report.tune import render_tuning
from podcheck.schedulability import fit_file
from podcheck.tuning import tune_file


def tune_command(file: FileArg, param: ParamOpt, bfs: BfsOnlyOpt = False,
                 largest: LargestOpt = False) -> None:
    """The values of one parameter (`field: lo..hi`) for which every property holds."""
    run = tune_file(str(file), param, TuneOptions(use_z3=not bfs))
    if run.diagnostics:
        typer.echo(render(run.diagnostics, run.sources, "text"), nl=False, err=True)
    if run.tuning is not None:
        typer.echo(render_tuning(run.tuning, run.sources, largest=largest), nl=False)
    raise typer.Exit(int(run.exit_code))


def fit_command(file: FileArg) -> None:
    """Do the pods fit the nodes left after each drain and node failure (bin packing)?"""
    run = fit_file(str(file))
    if run.diagnostics:
        typer.echo(render(run.diagnostics, run.sources, "text"), nl=False, err=True)
    if run.problem is not None:
        typer.echo(render_fits(run.problem, run.fits), nl=False)
    raise typer.Exit(int(run.exit_code))


def register(app: typer.Typer) -> None:
    """Add `tune` and `fit` to the command-line app."""
    app.command("tune")(guarded(tune_command))
    app.command("fit")(guarded(fit_command))

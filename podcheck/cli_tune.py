"""The `podcheck tune` command (registered on the app by `podcheck.cli`).

Stage: the shell.  One small function: options in, `tuning.tune_file`, a renderer, an
exit code.
"""

from __future__ import annotations

import typer

from podcheck.cli_options import BfsOnlyOpt, FileArg, ParamOpt
from podcheck.diagnostics.render import render
from podcheck.engine.tune import TuneOptions
from podcheck.report.tune import render_tuning
from podcheck.tuning import tune_file


def tune_command(file: FileArg, param: ParamOpt, bfs: BfsOnlyOpt = False) -> None:
    """The values of one parameter (`field: lo..hi`) for which every property holds."""
    run = tune_file(str(file), param, TuneOptions(use_z3=not bfs))
    if run.diagnostics:
        typer.echo(render(run.diagnostics, run.sources, "text"), nl=False, err=True)
    if run.tuning is not None:
        typer.echo(render_tuning(run.tuning, run.sources), nl=False)
    raise typer.Exit(int(run.exit_code))

"""The `podcheck tune`, `podcheck fit` and `podcheck counts` commands (registered on the app by
`podcheck.cli` through `register`).

Stage: the shell.  One small function per command: options in, a driver
(`tuning.tune_file`, `schedulability.fit_file`, `counting.counts_file`), a renderer, an exit code.
`--timeout` is one wall-clock budget over the whole run, counted from the start of the
process as `check`'s is (`limits.PROCESS`), handed to the driver as one `Deadline`
(NOTE(whole-run-budget)); `--query-timeout` caps each Z3 query within it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from podcheck.cli_options import (
    BfsOnlyOpt,
    ChecksOpt,
    DrainsOpt,
    FailuresOpt,
    LargestOpt,
    NodesOpt,
    ParamOpt,
    SpecOrManifestArg,
    VersionOpt,
    manifest_options,
)
from podcheck.counting import CountOptions, counts_file
from podcheck.crash import guarded
from podcheck.diagnostics.render import render
from podcheck.engine.parametric import CountedRange
from podcheck.engine.smt_values import Deadline
from podcheck.engine.tune import TuneOptions
from podcheck.limits import PROCESS
from podcheck.report.binpack import render_fits
from podcheck.report.counts import render_budgeted, render_counts
from podcheck.report.tune import render_tuning
from podcheck.schedulability import fit_file
from podcheck.tuning import tune_file

RunTimeoutOpt = Annotated[float | None, typer.Option(
    "--timeout", min=0.0, help="Stop after this many seconds of wall-clock time over the "
    "whole run (from the start of the process: load, compile, every Z3 query and BFS run); "
    "the run is then inconclusive and says what it decided.", show_default=False)]


def _query_opt(default: str) -> object:
    return typer.Option("--query-timeout", min=0.0, help="Seconds Z3 may spend on each "
                        f"query ({default}), within --timeout; past it the query is "
                        "undecided.", show_default=False)


TuneQueryOpt = Annotated[float | None, _query_opt("default 300: each Spacer run")]
CountsQueryOpt = Annotated[float | None, _query_opt(
    "default 300; before 2026-12-03 this was `counts --timeout`")]
FitQueryOpt = Annotated[float | None, _query_opt("default: no cap")]


def budget(timeout: float | None) -> Deadline | None:
    """The whole run's budget: what is left of `timeout` from the start of the process."""
    return None if timeout is None else Deadline(PROCESS.budget(timeout))


def tune_command(file: SpecOrManifestArg, param: ParamOpt, bfs: BfsOnlyOpt = False,
                 largest: LargestOpt = False, timeout: RunTimeoutOpt = None,
                 query_timeout: TuneQueryOpt = 300.0, nodes: NodesOpt = 3,
                 failures: FailuresOpt = 1, concurrent_drains: DrainsOpt = 1,
                 check: ChecksOpt = None, kubernetes_version: VersionOpt = "1.31") -> None:
    """The values of one parameter (`field: lo..hi`, or a manifest's range annotation)
    for which every property holds, and the patch of the line that sets it.  Past
    --timeout: exit 3, naming the values decided (holding, failing) and those left."""
    manifests = manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    options = TuneOptions(z3_seconds=query_timeout, use_z3=not bfs, deadline=budget(timeout))
    run = tune_file(str(file), param, options, manifests)
    if run.diagnostics:
        typer.echo(render(run.diagnostics, run.sources, "text"), nl=False, err=True)
    if run.tuning is not None:
        typer.echo(render_tuning(run.tuning, run.sources, largest=largest), nl=False)
    raise typer.Exit(int(run.exit_code))


def fit_command(file: SpecOrManifestArg, timeout: RunTimeoutOpt = None,
                query_timeout: FitQueryOpt = None, nodes: NodesOpt = 3,
                failures: FailuresOpt = 1, concurrent_drains: DrainsOpt = 1,
                check: ChecksOpt = None, kubernetes_version: VersionOpt = "1.31") -> None:
    """Do the pods fit the nodes left after each drain and node failure (bin packing)?
    Past --timeout: exit 3 (1 if a scenario already failed), naming the scenarios left."""
    manifests = manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    run = fit_file(str(file), manifests=manifests, deadline=budget(timeout),
                   query_seconds=query_timeout)  # fmt: skip
    if run.diagnostics:
        typer.echo(render(run.diagnostics, run.sources, "text"), nl=False, err=True)
    if run.problem is not None:
        typer.echo(render_fits(run.problem, run.fits, run.requests, run.stopped), nl=False)
    raise typer.Exit(int(run.exit_code))


def counts_command(file: SpecOrManifestArg, timeout: RunTimeoutOpt = None,
                   query_timeout: CountsQueryOpt = 300.0,
                   nodes: NodesOpt = 3, failures: FailuresOpt = 1,
                   concurrent_drains: DrainsOpt = 1, check: ChecksOpt = None,
                   kubernetes_version: VersionOpt = "1.31") -> None:
    """Prove budget-respected and drain-completes (and, for a rolling update with a
    progress deadline, rollout-progresses) for every count of `replicas: lo..hi` at
    once (counts of pods, Spacer), or name the smallest count at which one fails.

    The range may be of any size (`replicas: 1..2147483647`); the spec must have the
    shape the counts describe (docs/smt.md: one Deployment, untainted nodes, one PDB,
    drained nodes, node failures), else PC504.  Exit 0 when every one holds for every count, 1
    when one fails, 3 when Z3 left one undecided, 2 for a spec outside the shape.
    Manifests: the range is a HorizontalPodAutoscaler's minReplicas..maxReplicas.  The
    PDB's budget may be a second range (`minAvailable: 40%..60%`, `maxUnavailable: 1..2`,
    a budget's range annotation): each class of budget values with the same
    desiredHealthy is proved once, and the smallest failing (replicas, budget) named.
    --timeout bounds the whole run (past it: exit 3 unless a property already failed,
    naming the properties and budget classes proved, failed and left open);
    --query-timeout is each Z3 query's cap (what `counts --timeout` meant before)."""
    manifests = manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    options = CountOptions(timeout_seconds=query_timeout, deadline=budget(timeout))
    run = counts_file(str(file), options, manifests)
    if run.diagnostics:
        typer.echo(render(run.diagnostics, run.sources, "text"), nl=False, err=True)
    if run.counted is not None:
        typer.echo(render_counts(run.counted) if isinstance(run.counted, CountedRange)
                   else render_budgeted(run.counted), nl=False)  # fmt: skip
    raise typer.Exit(int(run.exit_code))


def register(app: typer.Typer) -> None:
    """Add `tune`, `fit` and `counts` to the command-line app."""
    app.command("tune")(guarded(tune_command))
    app.command("fit")(guarded(fit_command))
    app.command("counts")(guarded(counts_command))

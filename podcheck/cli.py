"""The `podcheck` command line: a thin shell over library functions.

Stage: the top.  Each command turns its options into a frozen options value, calls
one library function, hands the result to a renderer, and exits with an
`podcheck.exitcodes.ExitCode`.  No checking or formatting logic lives here; adding a
command is one small function decorated with `@app.command()`.
"""

from __future__ import annotations

import enum
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer

from podcheck import __version__, estimate
from podcheck.check import CheckOptions, check_file, check_path
from podcheck.cli_options import (
    ChecksOpt,
    ClusterOpt,
    DrainsOpt,
    Engine,
    FailuresOpt,
    FileArg,
    FilesArg,
    FingerprintOpt,
    FormatsOpt,
    Limits,
    MaxDepthOpt,
    MaxInputOpt,
    MaxMemoryOpt,
    MaxStatesOpt,
    NodesOpt,
    PorOpt,
    ProgressOpt,
    QuietOpt,
    ReportOpt,
    SeedOpt,
    SimulateOpt,
    SymmetryOpt,
    TimeoutOpt,
    TimingOpt,
    TraceOpt,
    VersionOpt,
    WorkersOpt,
    check_options,
    cluster_problem,
    manifest_options,
    reproduce_command,
)
from podcheck.cli_output import (
    CheckReport,
    emit,
    finish,
    markdown,
    on_terminal,
    outputs,
    progress_reporter,
    spec_paths,
    worst,
)
from podcheck.cli_tune import register as register_z3_commands
from podcheck.crash import guarded
from podcheck.diagnostics import codes
from podcheck.diagnostics.gendocs import explain_text, unknown_code_message
from podcheck.diagnostics.render import render
from podcheck.engine.auto import AUTO
from podcheck.exitcodes import ExitCode, describe
from podcheck.lang.check import LoadOptions
from podcheck.lang.driver import format_file, ok_line, parse_file, write_formatted
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import PROCESS, left, process_age
from podcheck.manifests.export import import_text
from podcheck.report.formats import SUITE_RENDERERS, Output
from podcheck.report.graph import DEFAULT_MAX_NODES, render_svg, to_dot, to_graphml, to_json
from podcheck.report.reports import write_reports
from podcheck.report.suite import render_suite
from podcheck.report.updates import render_changes
from podcheck.report.view import Detail
from podcheck.run import SuiteResult
from podcheck.suite import parse_outcome, run_suite
from podcheck.suiteupdate import update_expectations

app = typer.Typer(
    name="podcheck",
    help="A formal model checker for Kubernetes Pod semantics.",
    epilog="Exit codes:\n\n" + describe().replace("\n", "\n\n"),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
register_z3_commands(app)  # tune, fit: podcheck/cli_tune.py


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Options of `podcheck parse`."""

    paths: tuple[str, ...]
    outputs: tuple[Output, ...]


@dataclass(frozen=True, slots=True)
class FmtOptions:
    """Options of `podcheck fmt`."""

    paths: tuple[str, ...]
    check: bool
    write: bool


def _version(value: bool) -> None:
    if value:
        finish(f"podcheck {__version__}\n", ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """A formal model checker for Kubernetes Pod semantics."""


PARSE_KINDS = ("text", "json", "github", "junit", "sarif", "tap")


@app.command("parse")
@guarded
def parse_command(files: FilesArg, format: FormatsOpt = None,
                  max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE) -> None:
    """Read, parse and check specs; print their diagnostics or `FILE: OK`."""
    opts = ParseOptions(spec_paths(files), outputs(format, PARSE_KINDS))
    limit = LoadOptions(max_input_size=max_input_size)
    loaded = [estimate.with_warning(parse_file(p, limit)) for p in opts.paths]
    failed = [x.result.value is None or not x.result.ok for x in loaded]
    suite = SuiteResult(tuple(parse_outcome(p, x) for p, x in zip(opts.paths, loaded,
                                                                    strict=True)))

    def document(kind: str) -> str:
        if kind in SUITE_RENDERERS and kind not in ("json", "github"):
            return SUITE_RENDERERS[kind](suite)
        parts = [render(x.result.diagnostics, x.sources, kind) for x in loaded]
        oks = [ok_line(p, x.result.value) for p, x, bad in zip(
            opts.paths, loaded, failed, strict=True) if not bad and x.result.value is not None]
        return "".join(parts) + ("".join(oks) if kind == "text" else "")

    text = emit(opts.outputs, document)
    finish(text, ExitCode.INPUT_ERROR if any(failed) or not opts.paths else ExitCode.OK)


@app.command("fmt")
@guarded
def fmt_command(
    files: FilesArg,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 and show a diff if "
                                        "a file is not in canonical form.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files in place.")] = False,
) -> None:
    """Print specs in canonical form (or check them, or rewrite them)."""
    opts = FmtOptions(spec_paths(files), check, write)
    if opts.check and opts.write:
        finish("error: use either --check or --write\n", ExitCode.INPUT_ERROR, err=True)
    texts, codes_ = [], []
    for path in opts.paths:
        result = format_file(path)
        if result.formatted is None:
            texts.append(render(result.diagnostics, result.sources, "text"))
            codes_.append(ExitCode.INPUT_ERROR)
        elif opts.check:
            texts.append(result.diff())
            codes_.append(ExitCode.VIOLATED if result.changed else ExitCode.OK)
        else:
            texts.append(write_formatted(result) if opts.write else result.formatted)
    finish("".join(texts), worst(codes_) if opts.paths else ExitCode.INPUT_ERROR)


@app.command("explain")
@guarded
def explain_command(
    code: Annotated[str, typer.Argument(help="A diagnostic code such as PC204.")],
) -> None:
    """Explain a diagnostic code: what it means, a failing example, the fix."""
    entry = codes.lookup(code)
    if entry is None:
        finish(unknown_code_message(code), ExitCode.INPUT_ERROR, err=True)
    finish(markdown(explain_text(entry), terminal=on_terminal()), ExitCode.OK)


class GraphFormat(enum.StrEnum):
    """How `podcheck graph` writes the state graph."""

    DOT = "dot"
    GRAPHML = "graphml"
    JSON = "json"


CHECK_KINDS = ("text", "json", "junit", "sarif", "tap", "github")


@app.command("check")
@guarded
def check_command(
    files: Annotated[list[Path], typer.Argument(
        help="Specs, folders of specs, or manifests (YAML files, a directory, `-`).",
        show_default=False)],
    engine: Annotated[Engine, typer.Option("--engine", help="Exploration engine.")] = Engine.BFS,
    max_states: MaxStatesOpt = None,
    max_depth: MaxDepthOpt = None,
    timeout: TimeoutOpt = None,
    max_memory: MaxMemoryOpt = None,
    max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE,
    format: FormatsOpt = None,
    timing: TimingOpt = False,
    nodes: NodesOpt = 3, failures: FailuresOpt = 1, concurrent_drains: DrainsOpt = 1,
    check: ChecksOpt = None, kubernetes_version: VersionOpt = "1.31",
    fingerprint: FingerprintOpt = False, workers: WorkersOpt = AUTO, symmetry: SymmetryOpt = True,
    cluster: ClusterOpt = None, quiet: QuietOpt = False, simulate: SimulateOpt = 0,
    seed: SeedOpt = 0, progress: ProgressOpt = None, por: PorOpt = False,
    trace: TraceOpt = Detail.PEOPLE, report: ReportOpt = None,
) -> None:
    """Verify specs, or manifests (YAML files, a directory, `-`); print counterexamples.

    --format takes text, json, junit, sarif, tap or github, each to stdout or to a
    file (`--format sarif=out.sarif`), several at once."""
    chosen = outputs(format, CHECK_KINDS)
    manifests = manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    limits = Limits(max_states, max_depth, timeout, max_memory, max_input_size)
    if simulate and engine is not Engine.BFS:
        finish("error: --simulate runs random walks: it takes no --engine\n",
               ExitCode.INPUT_ERROR, err=True)
    if cluster and (problem := cluster_problem(engine)):
        finish(f"error: {problem}\n", ExitCode.INPUT_ERROR, err=True)
    options = replace(check_options(engine, limits, manifests), fingerprint=fingerprint,
                      workers=workers, symmetry=symmetry, simulate=simulate, seed=seed,
                      cluster=cluster, por=por)
    paths = list(spec_paths(files))
    with progress_reporter(progress) as reporter:
        pairs = [(p, run) for i, p in enumerate(paths)
                 for run in check_path(p, _started(options) if i == 0 else options, reporter)]
    paths, runs = [p for p, _ in pairs], [run for _, run in pairs]
    commands = [reproduce_command(p, options) for p in paths]
    report_ = CheckReport(paths, runs, commands, timing=timing, quiet=quiet, detail=trace)
    write_reports(report or [], runs, commands, trace)
    finish(emit(chosen, report_.document), worst([run.exit_code for run in runs]))


def _started(options: CheckOptions) -> CheckOptions:
    """The first path's `--timeout` counts from the start of the process (its imports
    are part of the run a user waits for: NOTE(split-deadline))."""
    if options.timeout_seconds is None or PROCESS.began is None:
        return options
    return replace(options, timeout_seconds=left(options.timeout_seconds, PROCESS.began))


TEST_KINDS = ("text", "json", "junit", "sarif", "tap", "github")


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@app.command("test")
@guarded
def test_command(
    paths: Annotated[list[Path], typer.Argument(
        help="Spec files, manifests, or folders of them (with `podcheck.toml`).")],
    strict: Annotated[bool | None, typer.Option(
        "--strict/--no-strict", help="Fail on a property without expectation "
        "(default: on when CI=true).", show_default=False)] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0,
                                      help="Processes to run specs on (0: all cores).")] = 0,
    format: FormatsOpt = None,
    quiet: QuietOpt = False,
    timing: Annotated[bool, typer.Option(
        "--timing/--no-timing", help="Show each spec's seconds in the table.")] = True,
    max_states: MaxStatesOpt = None,
    max_depth: MaxDepthOpt = None,
    timeout: TimeoutOpt = None,
    max_memory: MaxMemoryOpt = None,
    max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE,
    update: Annotated[bool, typer.Option(
        "--update", help="After review: rewrite each unmet or missing expectation to the "
        "verdict found (the spec's `expect` line, or its `podcheck.toml` entry).")] = False,
    progress: ProgressOpt = None,
) -> None:
    """Run specs and manifests as a regression suite: every expectation must come true; a
    deadlock no accepted violation explains fails, a run a limit cut short is inconclusive.

    Expectations are a spec's `expect` lines, or a `podcheck.toml` next to the files
    (`["web.yaml"]` then `expect = { drain-completes = "holds" }` or `errors = ["PC401"]`);
    flags come from each file's `# PODCHECK:` header.  --format takes text, json, junit,
    sarif, tap or github, each to stdout or to a file (`--format junit=out.xml`)."""
    chosen = outputs(format, TEST_KINDS)
    limits = Limits(max_states, max_depth, timeout, max_memory, max_input_size)
    options = check_options(Engine.BFS, limits)
    with progress_reporter(progress) as reporter:
        result = run_suite([str(p) for p in paths], options,
                           strict=_ci() if strict is None else strict,
                           jobs=jobs or os.cpu_count() or 1, reporter=reporter)
    changes, result = update_expectations(result) if update else ((), result)

    def document(kind: str) -> str:
        if kind == "text":
            text = render_suite(result, quiet=quiet, show_time=timing)
            return text + render_changes(changes) if update else text
        return SUITE_RENDERERS[kind](result)

    finish(emit(chosen, document), result.exit_code)


@app.command("graph")
@guarded
def graph_command(
    file: FileArg,
    format: Annotated[GraphFormat, typer.Option("--format", help="Output format.")] = (
        GraphFormat.DOT
    ),
    max_nodes: Annotated[
        int, typer.Option("--max-nodes", min=1, help="Above this, export the quotient graph.")
    ] = DEFAULT_MAX_NODES,
    svg: Annotated[
        Path | None, typer.Option("--svg", help="Also render the DOT graph to this SVG file.")
    ] = None,
    max_states: MaxStatesOpt = None,
    progress: ProgressOpt = None,
) -> None:
    """Export the reachable state graph (or its quotient by pod phase)."""
    options = check_options(Engine.BFS, Limits(max_states=max_states))
    with progress_reporter(progress) as reporter:
        run = check_file(str(file), options, reporter, keep_graph=True)
    if run.graph is None:
        finish(render(run.diagnostics, run.sources, "text"), ExitCode.INPUT_ERROR)
    exporters = {GraphFormat.DOT: to_dot, GraphFormat.GRAPHML: to_graphml,
                 GraphFormat.JSON: to_json}
    text = exporters[format](run.graph, max_nodes=max_nodes)
    if svg is not None:
        outcome = render_svg(to_dot(run.graph, max_nodes=max_nodes), svg)
        if not outcome.ok:
            typer.echo(text, nl=False)
            finish(f"podcheck: {outcome.message}\n", ExitCode.INPUT_ERROR, err=True)
    finish(text, ExitCode.OK if run.result and run.result.stats.complete else
            ExitCode.INCONCLUSIVE)


@app.command("import")
@guarded
def import_command(
    paths: Annotated[list[str], typer.Argument(help="Manifests: YAML files, directories, `-`.")],
    nodes: NodesOpt = 3, failures: FailuresOpt = 1, concurrent_drains: DrainsOpt = 1,
    check: ChecksOpt = None, kubernetes_version: VersionOpt = "1.31",
) -> None:
    """Write the `.pod` spec equivalent to Kubernetes manifests (diagnostics on stderr)."""
    manifests = manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    result = import_text(paths, manifests)
    if result.diagnostics:
        typer.echo(render(result.diagnostics, result.sources, "text"), nl=False, err=True)
    finish(result.text or "", ExitCode.OK if result.text is not None else ExitCode.INPUT_ERROR)


def main() -> None:
    """Console-script entry point (`podcheck = podcheck.cli:main`).

    NOTE(fast-exit): once the command has written everything (its files are closed by
    then), the process ends without the interpreter's teardown, which frees every
    object one at a time (Z3's contexts, a compiled model, a state graph: 0.2-0.3 s of
    CPU after a symbolic run, 0.5-0.8 s of wall time at load 8), time a user waits for
    past `--timeout` (docs/smt.md, "Deadlines")."""
    PROCESS.began = time.monotonic() - process_age()
    try:
        app()
    except SystemExit as end:
        if end.code is not None and not isinstance(end.code, int):
            raise  # a message for the interpreter to print
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(end.code or 0)

"""The `podcheck` command line: a thin shell over library functions.

Stage: the top.  Each command turns its options into a frozen options value, calls
one library function, hands the result to a renderer, and exits with an
`podcheck.exitcodes.ExitCode`.  No checking or formatting logic lives here; adding a
command is one small function decorated with `@app.command()`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from podcheck import __version__
from podcheck.check import CheckOptions, check_file
from podcheck.crash import guarded
from podcheck.diagnostics import codes
from podcheck.diagnostics.gendocs import explain_text, unknown_code_message
from podcheck.diagnostics.render import render
from podcheck.exitcodes import ExitCode, describe
from podcheck.lang.check import LoadOptions
from podcheck.lang.driver import format_file, ok_line, parse_file, write_formatted
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import default_max_memory
from podcheck.manifests import ManifestOptions, parse_version
from podcheck.manifests.export import import_text
from podcheck.report.graph import DEFAULT_MAX_NODES, render_svg, to_dot, to_graphml, to_json
from podcheck.report.progress import RichReporter
from podcheck.report.run import render_run_json, render_run_text
from podcheck.report.suite import render_suite
from podcheck.suite import run_suite

app = typer.Typer(
    name="podcheck",
    help="A formal model checker for Kubernetes Pod semantics.",
    epilog="Exit codes:\n\n" + describe().replace("\n", "\n\n"),
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
@guarded
def parse_command(file: FileArg, format: FormatOpt = OutputFormat.TEXT,
                  max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE) -> None:
    """Read, parse and check a spec; print its diagnostics or `FILE: OK`."""
    opts = ParseOptions(str(file), format)
    loaded = parse_file(opts.path, LoadOptions(max_input_size=max_input_size))
    if loaded.result.value is None or not loaded.result.ok:
        text = render(loaded.result.diagnostics, loaded.sources, opts.format.value)
        _finish(text, ExitCode.INPUT_ERROR)
    warnings = render(loaded.result.diagnostics, loaded.sources, opts.format.value)
    summary = ok_line(opts.path, loaded.result.value) if opts.format is OutputFormat.TEXT else ""
    _finish(warnings + summary, ExitCode.OK)


@app.command("fmt")
@guarded
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
@guarded
def explain_command(
    code: Annotated[str, typer.Argument(help="A diagnostic code such as PC204.")],
) -> None:
    """Explain a diagnostic code: what it means, a failing example, the fix."""
    entry = codes.lookup(code)
    if entry is None:
        _finish(unknown_code_message(code), ExitCode.INPUT_ERROR, err=True)
    _finish(explain_text(entry), ExitCode.OK)


class ReportFormat(enum.StrEnum):
    """How a verification report is printed."""

    TEXT = "text"
    JSON = "json"


class GraphFormat(enum.StrEnum):
    """How `podcheck graph` writes the state graph."""

    DOT = "dot"
    GRAPHML = "graphml"
    JSON = "json"


class Engine(enum.StrEnum):
    """Which engine explores the model."""

    BFS = "bfs"
    BMC = "bmc"  # the symbolic engines: podcheck.engine.symbolic
    KIND = "kind"
    PDR = "pdr"
    VECTOR = "vector"


MaxStatesOpt = Annotated[
    int | None, typer.Option("--max-states", min=1, help="Stop after this many states.")
]
MaxDepthOpt = Annotated[
    int | None, typer.Option("--max-depth", "--depth", min=0,
                              help="Explore at most this many steps (bmc, kind: the bound).")
]
TimeoutOpt = Annotated[
    float | None, typer.Option("--timeout", min=0.0, help="Stop after this many seconds of "
                               "wall-clock time over the whole run (load, compile, explore, "
                               "liveness); the run is then inconclusive.")
]
MaxMemoryOpt = Annotated[
    int | None, typer.Option("--max-memory", min=1, help="Stop when the process holds more "
                             "than this many MiB (default: half the machine's RAM); the run "
                             "is then inconclusive.", show_default=False)
]
MaxInputOpt = Annotated[
    int, typer.Option("--max-input-size", min=1, help="Refuse a file larger than this many "
                      "bytes (PC118).")
]
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """The whole-run limits of `check` and `test` as the command line gives them."""

    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory_mib: int | None = None
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE


def _check_options(
    engine: Engine, limits: Limits, manifests: ManifestOptions | None = None,
) -> CheckOptions:
    memory = (default_max_memory() if limits.max_memory_mib is None
              else limits.max_memory_mib * MIB)
    return CheckOptions(engine.value, limits.max_states, limits.max_depth, limits.timeout,
                        manifests=manifests or ManifestOptions(), max_memory=memory,
                        max_input_size=limits.max_input_size)


NodesOpt = Annotated[int, typer.Option("--nodes", min=1, help="Manifests: nodes to assume "
                                       "when no Node object is given.")]
FailuresOpt = Annotated[int, typer.Option("--failures", min=0, help="Manifests: at most this "
                                          "many node failures.")]
DrainsOpt = Annotated[int, typer.Option("--concurrent-drains", min=0, help="Manifests: 1 "
                                        "drains one node at a time, more at once, 0 none.")]
ChecksOpt = Annotated[list[str] | None, typer.Option("--check", help="Manifests: run this "
                                                     "built-in check (repeatable).")]
VersionOpt = Annotated[str, typer.Option("--kubernetes-version", help="Manifests: the "
                                         "Kubernetes version whose rules apply.")]


def _manifest_options(nodes: int, failures: int, drains: int, checks: list[str] | None,
                      version: str) -> ManifestOptions:
    parsed = parse_version(version)
    if parsed is None:
        _finish(f"error: --kubernetes-version {version}: expected MAJOR.MINOR such as 1.31\n",
                ExitCode.INPUT_ERROR, err=True)
    return ManifestOptions(nodes, failures, drains, tuple(checks or ()), parsed)


def _reproduce(path: str, options: CheckOptions) -> str:
    flags = [f"--engine {options.engine}"]
    flags += [f"--max-states {options.max_states}"] if options.max_states else []
    flags += [f"--max-depth {options.max_depth}"] if options.max_depth is not None else []
    flags += [f"--timeout {options.timeout_seconds:g}"] if options.timeout_seconds else []
    flags += ["--fingerprint"] if options.fingerprint else []
    flags += [f"--workers {options.workers}"] if options.workers > 1 else []
    flags += [] if options.symmetry else ["--no-symmetry"]
    return " ".join(["podcheck check", path, *flags])


@app.command("check")
@guarded
def check_command(
    file: FileArg,
    engine: Annotated[Engine, typer.Option("--engine", help="Exploration engine.")] = Engine.BFS,
    max_states: MaxStatesOpt = None,
    max_depth: MaxDepthOpt = None,
    timeout: TimeoutOpt = None,
    max_memory: MaxMemoryOpt = None,
    max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE,
    format: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = (
        ReportFormat.TEXT
    ),
    timing: Annotated[
        bool, typer.Option("--timing", help="Show seconds, states/s and peak memory.")
    ] = False,
    nodes: NodesOpt = 3, failures: FailuresOpt = 1, concurrent_drains: DrainsOpt = 1,
    check: ChecksOpt = None, kubernetes_version: VersionOpt = "1.31",
    fingerprint: Annotated[bool, typer.Option(
        "--fingerprint", help="Vector engine: keep 64-bit hashes of states only.")] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help=(
        "Vector engine: processes, the frontier partitioned by state hash "
        "(docs/scaling.md: 1 pays best on a shared 2-core machine)."))] = 1,
    symmetry: Annotated[bool, typer.Option(
        "--symmetry/--no-symmetry", help="Store one state per orbit of interchangeable pods "
        "and nodes (safety properties).")] = True,
) -> None:
    """Verify a spec, or manifests (YAML files, a directory, `-`); print counterexamples."""
    manifests = _manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    limits = Limits(max_states, max_depth, timeout, max_memory, max_input_size)
    options = replace(_check_options(engine, limits, manifests), fingerprint=fingerprint,
                      workers=workers, symmetry=symmetry)
    run = check_file(str(file), options, RichReporter())
    if format is ReportFormat.JSON:
        _finish(render_run_json(run, show_timing=timing), run.exit_code)
    text = render_run_text(run, reproduce=_reproduce(str(file), options), show_timing=timing)
    _finish(text, run.exit_code)


@app.command("test")
@guarded
def test_command(
    paths: Annotated[list[Path], typer.Argument(help="Spec files or folders of them.")],
    max_states: MaxStatesOpt = None,
    max_depth: MaxDepthOpt = None,
    timeout: TimeoutOpt = None,
    max_memory: MaxMemoryOpt = None,
    max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE,
) -> None:
    """Run specs as a regression suite: every `expect` must come true (each spec gets the
    limits); a deadlock no accepted violation explains fails, a cut-short run is
    inconclusive."""
    limits = Limits(max_states, max_depth, timeout, max_memory, max_input_size)
    options = _check_options(Engine.BFS, limits)
    result = run_suite([str(p) for p in paths], options)
    _finish(render_suite(result), result.exit_code)


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
) -> None:
    """Export the reachable state graph (or its quotient by pod phase)."""
    options = _check_options(Engine.BFS, Limits(max_states=max_states))
    run = check_file(str(file), options, RichReporter(), keep_graph=True)
    if run.graph is None:
        _finish(render(run.diagnostics, run.sources, "text"), ExitCode.INPUT_ERROR)
    exporters = {GraphFormat.DOT: to_dot, GraphFormat.GRAPHML: to_graphml,
                 GraphFormat.JSON: to_json}
    text = exporters[format](run.graph, max_nodes=max_nodes)
    if svg is not None:
        outcome = render_svg(to_dot(run.graph, max_nodes=max_nodes), svg)
        if not outcome.ok:
            typer.echo(f"podcheck: {outcome.message}", err=True)
    _finish(text, ExitCode.OK if run.result and run.result.stats.complete else
            ExitCode.INCONCLUSIVE)


@app.command("import")
@guarded
def import_command(
    paths: Annotated[list[str], typer.Argument(help="Manifests: YAML files, directories, `-`.")],
    nodes: NodesOpt = 3, failures: FailuresOpt = 1, concurrent_drains: DrainsOpt = 1,
    check: ChecksOpt = None, kubernetes_version: VersionOpt = "1.31",
) -> None:
    """Write the `.pod` spec equivalent to Kubernetes manifests (diagnostics on stderr)."""
    manifests = _manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    result = import_text(paths, manifests)
    if result.diagnostics:
        typer.echo(render(result.diagnostics, result.sources, "text"), nl=False, err=True)
    _finish(result.text or "", ExitCode.OK if result.text is not None else ExitCode.INPUT_ERROR)


def main() -> None:
    """Console-script entry point (`podcheck = podcheck.cli:main`)."""
    app()

"""The `podcheck` command line: a thin shell over library functions.

Stage: the top.  Each command turns its options into a frozen options value, calls
one library function, hands the result to a renderer, and exits with an
`podcheck.exitcodes.ExitCode`.  No checking or formatting logic lives here; adding a
command is one small function decorated with `@app.command()`.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from podcheck import __version__
from podcheck.check import CheckOptions, check_file, check_path
from podcheck.cli_options import (
    ChecksOpt,
    DrainsOpt,
    Engine,
    FailuresOpt,
    FileArg,
    FilesArg,
    FormatsOpt,
    Limits,
    MaxDepthOpt,
    MaxInputOpt,
    MaxMemoryOpt,
    MaxStatesOpt,
    NodesOpt,
    QuietOpt,
    TimeoutOpt,
    VersionOpt,
    check_options,
)
from podcheck.crash import guarded
from podcheck.diagnostics import codes
from podcheck.diagnostics.gendocs import explain_text, unknown_code_message
from podcheck.diagnostics.render import render
from podcheck.exitcodes import ExitCode, describe
from podcheck.lang.check import LoadOptions
from podcheck.lang.driver import format_file, ok_line, parse_file, write_formatted
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.manifests import ManifestOptions, parse_version
from podcheck.manifests.export import import_text
from podcheck.report.formats import SUITE_RENDERERS, Output, parse_outputs
from podcheck.report.graph import DEFAULT_MAX_NODES, render_svg, to_dot, to_graphml, to_json
from podcheck.report.progress import RichReporter
from podcheck.report.run import render_run_json, render_run_summary, render_run_text
from podcheck.report.suite import render_suite
from podcheck.run import CheckRun, SuiteResult
from podcheck.suite import outcome, parse_outcome, run_suite
from podcheck.suitefile import is_folder, target

app = typer.Typer(
    name="podcheck",
    help="A formal model checker for Kubernetes Pod semantics.",
    epilog="Exit codes:\n\n" + describe().replace("\n", "\n\n"),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


PARSE_KINDS = ("text", "json", "github", "junit", "sarif", "tap")


def _worst(exit_codes: list[ExitCode]) -> ExitCode:
    for code in (ExitCode.INTERRUPTED, ExitCode.INPUT_ERROR, ExitCode.VIOLATED,
                 ExitCode.INCONCLUSIVE):
        if code in exit_codes:
            return code
    return ExitCode.OK


def _spec_paths(paths: list[Path]) -> tuple[str, ...]:
    found: list[str] = []
    for p in paths:
        inside = sorted(str(f) for f in p.rglob("*.pod")) if is_folder(p) else []
        found += inside or [str(p)]  # a folder without specs is reported by the loader
    return tuple(found)


def _outputs(values: list[str] | None, kinds: tuple[str, ...]) -> tuple[Output, ...]:
    outputs = parse_outputs(values or [], kinds)
    if isinstance(outputs, str):
        _finish(f"error: {outputs}\n", ExitCode.INPUT_ERROR, err=True)
    if all(o.path is not None for o in outputs):
        outputs.append(Output(kinds[0]))  # the text report still goes to the terminal
    return tuple(outputs)


def _emit(outputs: tuple[Output, ...], document: Callable[[str], str]) -> str:
    """Write each file output; the stdout one (if any) is returned."""
    shown = ""
    for out in outputs:
        text = document(out.kind)
        if out.path is None:
            shown = text
        else:
            Path(out.path).write_text(text, encoding="utf-8")
    return shown


@app.command("parse")
@guarded
def parse_command(files: FilesArg, format: FormatsOpt = None,
                  max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE) -> None:
    """Read, parse and check specs; print their diagnostics or `FILE: OK`."""
    opts = ParseOptions(_spec_paths(files), _outputs(format, PARSE_KINDS))
    limit = LoadOptions(max_input_size=max_input_size)
    loaded = [parse_file(p, limit) for p in opts.paths]
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

    text = _emit(opts.outputs, document)
    _finish(text, ExitCode.INPUT_ERROR if any(failed) or not opts.paths else ExitCode.OK)


@app.command("fmt")
@guarded
def fmt_command(
    files: FilesArg,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 and show a diff if "
                                        "a file is not in canonical form.")] = False,
    write: Annotated[bool, typer.Option("--write", help="Rewrite the files in place.")] = False,
) -> None:
    """Print specs in canonical form (or check them, or rewrite them)."""
    opts = FmtOptions(_spec_paths(files), check, write)
    if opts.check and opts.write:
        _finish("error: use either --check or --write\n", ExitCode.INPUT_ERROR, err=True)
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
    _finish("".join(texts), _worst(codes_) if opts.paths else ExitCode.INPUT_ERROR)


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


class GraphFormat(enum.StrEnum):
    """How `podcheck graph` writes the state graph."""

    DOT = "dot"
    GRAPHML = "graphml"
    JSON = "json"


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


CHECK_KINDS = ("text", "json", "junit", "sarif", "tap", "github")
def _check_text(runs: list[CheckRun], commands: list[str], *, timing: bool,
                quiet: bool) -> str:
    if quiet:
        return "".join(render_run_summary(run, show_timing=timing) for run in runs)
    return "\n".join(render_run_text(run, reproduce=cmd, show_timing=timing)
                     for run, cmd in zip(runs, commands, strict=True))


@app.command("check")
@guarded
def check_command(
    files: Annotated[list[Path], typer.Argument(
        help="Specs, or manifests (YAML files, a directory, `-`).", show_default=False)],
    engine: Annotated[Engine, typer.Option("--engine", help="Exploration engine.")] = Engine.BFS,
    max_states: MaxStatesOpt = None,
    max_depth: MaxDepthOpt = None,
    timeout: TimeoutOpt = None,
    max_memory: MaxMemoryOpt = None,
    max_input_size: MaxInputOpt = DEFAULT_MAX_INPUT_SIZE,
    format: FormatsOpt = None,
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
    quiet: QuietOpt = False,
) -> None:
    """Verify specs, or manifests (YAML files, a directory, `-`); print counterexamples.

    --format takes text, json, junit, sarif, tap or github, each to stdout or to a
    file (`--format sarif=out.sarif`), several at once."""
    outputs = _outputs(format, CHECK_KINDS)
    manifests = _manifest_options(nodes, failures, concurrent_drains, check, kubernetes_version)
    limits = Limits(max_states, max_depth, timeout, max_memory, max_input_size)
    options = replace(check_options(engine, limits, manifests), fingerprint=fingerprint,
                      workers=workers, symmetry=symmetry)
    pairs = [(str(f), run) for f in files for run in check_path(str(f), options, RichReporter())]
    paths, runs = [p for p, _ in pairs], [run for _, run in pairs]
    commands = [_reproduce(p, options) for p in paths]

    def document(kind: str) -> str:
        if kind == "text":
            return _check_text(runs, commands, timing=timing, quiet=quiet)
        if kind == "json":
            docs = [render_run_json(run, show_timing=timing) for run in runs]
            return docs[0] if len(docs) == 1 else "[\n" + ",\n".join(docs) + "]\n"
        suite = SuiteResult(tuple(outcome(target(p), run, command=cmd)
                                  for p, run, cmd in zip(paths, runs, commands, strict=True)))
        return SUITE_RENDERERS[kind](suite)

    _finish(_emit(outputs, document), _worst([run.exit_code for run in runs]))


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
) -> None:
    """Run specs and manifests as a regression suite: every expectation must come true; a
    deadlock no accepted violation explains fails, a run a limit cut short is inconclusive.

    Expectations are a spec's `expect` lines, or a `podcheck.toml` next to the files
    (`["web.yaml"]` then `expect = { drain-completes = "holds" }` or `errors = ["PC401"]`);
    flags come from each file's `# PODCHECK:` header.  --format takes text, json, junit,
    sarif, tap or github, each to stdout or to a file (`--format junit=out.xml`)."""
    outputs = _outputs(format, TEST_KINDS)
    limits = Limits(max_states, max_depth, timeout, max_memory, max_input_size)
    options = check_options(Engine.BFS, limits)
    result = run_suite([str(p) for p in paths], options,
                       strict=_ci() if strict is None else strict,
                       jobs=jobs or os.cpu_count() or 1)

    def document(kind: str) -> str:
        return render_suite(result, quiet=quiet, show_time=timing) if kind == "text" else (
            SUITE_RENDERERS[kind](result))

    _finish(_emit(outputs, document), result.exit_code)


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
    options = check_options(Engine.BFS, Limits(max_states=max_states))
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

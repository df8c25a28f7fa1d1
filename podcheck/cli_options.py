"""The typer option and argument types the commands of `podcheck.cli` share, and their
conversion into the library's `CheckOptions`.

Stage: the shell, with `podcheck.cli`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from podcheck.check import CheckOptions
from podcheck.engine.auto import AUTO
from podcheck.engine.distributed import missing
from podcheck.engine.simulate import DEFAULT_DEPTH
from podcheck.exitcodes import ExitCode
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import default_max_memory
from podcheck.manifests import ManifestOptions, parse_version
from podcheck.report.reports import REPORT_KINDS
from podcheck.report.view import Detail

FileArg = Annotated[Path, typer.Argument(help="A `.pod` spec file.", show_default=False)]
SpecOrManifestArg = Annotated[Path, typer.Argument(
    help="A `.pod` spec file, or manifests (a YAML file, a directory, `-`).", show_default=False)]
FilesArg = Annotated[list[Path], typer.Argument(
    help="Spec files, or folders searched for `*.pod`.", show_default=False)]
FormatsOpt = Annotated[list[str] | None, typer.Option(
    "--format", help="Output format, KIND or KIND=FILE (repeatable; see `podcheck test -h`).")]
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
NodesOpt = Annotated[int, typer.Option("--nodes", min=1, help="Manifests: nodes to assume "
                                       "when no Node object is given.")]
FailuresOpt = Annotated[int, typer.Option("--failures", min=0, help="Manifests: at most this "
                                          "many node failures.")]
DrainsOpt = Annotated[int, typer.Option("--concurrent-drains", min=0, help="Manifests: 1 "
                                        "drains one node at a time, more at once, 0 none.")]
ChecksOpt = Annotated[list[str] | None, typer.Option("--check", help="Manifests: run this "
                                                     "built-in check (repeatable); a .pod "
                                                     "spec: only this property.")]
VersionOpt = Annotated[str, typer.Option("--kubernetes-version", help="Manifests: the "
                                         "Kubernetes version whose rules apply.")]


def manifest_options(nodes: int, failures: int, drains: int, checks: list[str] | None,
                     version: str) -> ManifestOptions:
    """The manifest front end's options from `--nodes`, `--failures`,
    `--concurrent-drains`, `--check` and `--kubernetes-version` (shared by check, tune,
    fit, counts and import); an unknown version ends the command with exit 2."""
    parsed = parse_version(version)
    if parsed is None:
        typer.echo(f"error: --kubernetes-version {version}: expected MAJOR.MINOR such as 1.31, "
                   "from 1.9 to 1.35 (the releases whose rules podcheck knows)", err=True)
        raise typer.Exit(int(ExitCode.INPUT_ERROR))
    return ManifestOptions(nodes, failures, drains, tuple(checks or ()), parsed)


QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print the summary only.")]
ProgressOpt = Annotated[bool | None, typer.Option(
    "--progress/--no-progress", help="Show each phase that lasts over 2 s on stderr (load, "
    "compile, explore with states, queue, depth and states/s, liveness; specs done in "
    "`test`); default: when stderr is a terminal.", show_default=False)]
TimingOpt = Annotated[bool, typer.Option("--timing", help="Show seconds, states/s and peak "
                                         "memory.")]
FingerprintOpt = Annotated[bool, typer.Option(
    "--fingerprint", help="Vector engine: keep 64-bit hashes of states only.")]
def parse_workers(text: str | int) -> int:
    """`--workers`: a count of processes (1 or more), or `auto` (`engine.auto.AUTO`, also
    the default, which arrives as that number)."""
    if isinstance(text, int):
        return text
    if text.strip().lower() == "auto":
        return AUTO
    if not text.strip().isdigit() or int(text) < 1:
        raise typer.BadParameter(f"{text!r} is neither auto nor a number of processes >= 1")
    return int(text)


WorkersOpt = Annotated[int, typer.Option("--workers", parser=parse_workers, metavar="N|auto",
    show_default="auto", help=(
    "Vector engine: processes, the frontier partitioned by state hash; auto: one process, "
    "then the cores available once the run is large. The bfs engine and liveness checks "
    "that need the state graph run on one process (docs/scaling.md)."))]
ClusterOpt = Annotated[str | None, typer.Option("--cluster", metavar="ADDRESS", help=(
    "Vector engine on a Dask cluster: a scheduler's address (tcp://host:8786) or local:N "
    "to start N local workers (pip install 'podcheck[distributed]'; docs/scaling.md)."),
    show_default=False)]
SymmetryOpt = Annotated[bool, typer.Option(
    "--symmetry/--no-symmetry", help="Store one state per orbit of interchangeable pods "
    "and nodes (safety properties).")]
PorOpt = Annotated[bool, typer.Option(
    "--por/--no-por", help="bfs engine: partial-order reduction (stubborn sets) of the "
    "safety pass; counterexamples are re-found unreduced, shortest (docs/performance.md).")]
SimulateOpt = Annotated[int, typer.Option("--simulate", min=0, metavar="N", help=(
    "Instead of a search, N random walks (each at most --max-depth steps, default "
    f"{DEFAULT_DEPTH}) checking safety properties: finds violations, never proves "
    "one holds."))]
SeedOpt = Annotated[int, typer.Option("--seed", help="--simulate: the first walk's seed "
                                      "(walk i uses seed + i).")]
TraceOpt = Annotated[Detail, typer.Option("--trace", help="What traces show: `people` (what "
                                          "kubectl shows, events, times) or `full` (every "
                                          "variable of the model).")]


def _report_files(paths: list[Path] | None) -> list[Path] | None:
    for path in paths or ():
        if path.suffix.lower() not in REPORT_KINDS:
            raise typer.BadParameter(f"{path}: expected a .html or .md file")
    return paths


ReportOpt = Annotated[list[Path] | None, typer.Option(
    "--report", callback=_report_files, help="Also write a report of the run to FILE.html "
    "(a self-contained page) or FILE.md (Markdown for a pull request); repeatable.")]

class Engine(enum.StrEnum):
    """Which engine explores the model."""

    BFS = "bfs"
    BMC = "bmc"  # the symbolic engines: podcheck.engine.symbolic
    KIND = "kind"
    PDR = "pdr"
    VECTOR = "vector"


MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """The whole-run limits of `check` and `test` as the command line gives them."""

    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    max_memory_mib: int | None = None
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE


def check_options(
    engine: Engine, limits: Limits, manifests: ManifestOptions | None = None,
) -> CheckOptions:
    memory = (default_max_memory() if limits.max_memory_mib is None
              else limits.max_memory_mib * MIB)
    return CheckOptions(engine.value, limits.max_states, limits.max_depth, limits.timeout,
                        manifests=manifests or ManifestOptions(), max_memory=memory,
                        max_input_size=limits.max_input_size)


def cluster_problem(engine: Engine) -> str | None:
    """Why `--cluster` cannot run with `engine` here, or None."""
    if engine is not Engine.VECTOR:
        return "--cluster runs the vector engine: add --engine vector"
    return missing()


def reproduce_command(path: str, options: CheckOptions) -> str:
    """The `podcheck check` command line that re-runs `path` with `options`."""
    if options.simulate:
        depth = [f"--max-depth {options.max_depth}"] if options.max_depth is not None else []
        return " ".join(["podcheck check", path, f"--simulate {options.simulate}",
                         f"--seed {options.seed}", *depth])
    flags = [f"--engine {options.engine}"]
    flags += [f"--max-states {options.max_states}"] if options.max_states else []
    flags += [f"--max-depth {options.max_depth}"] if options.max_depth is not None else []
    flags += [f"--timeout {options.timeout_seconds:g}"] if options.timeout_seconds else []
    flags += ["--fingerprint"] if options.fingerprint else []
    flags += [f"--workers {options.workers}"] if options.workers > 1 else []
    flags += [f"--cluster {options.cluster}"] if options.cluster else []
    flags += [] if options.symmetry else ["--no-symmetry"]
    return " ".join(["podcheck check", path, *flags])
ParamOpt = Annotated[str, typer.Option(
    "--param", help="The parameter to tune: its dotted name or its last part(s).")]
BfsOnlyOpt = Annotated[bool, typer.Option(
    "--bfs", help="Decide every value by BFS, without asking Z3 first.")]
LargestOpt = Annotated[bool, typer.Option(
    "--largest", help="Patch the spec with the largest holding value (default: smallest).")]

"""The verification driver: one library call per `podcheck check` / `test` / `graph`.

Stage: joins the pipeline.  Consumes a spec path and `CheckOptions`; runs
`lang.load` -> `model.compile_spec` -> `engine.bfs.explore` (keeping the state graph
when a liveness property needs it) -> `engine.liveness.check_liveness` for each
temporal property; produces a `podcheck.run.CheckRun` that renderers and the CLI
read.  It prints
nothing and never exits.  Per NOTE(stage-gating), a stage runs only if the previous
one produced no error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from podcheck.diagnostics import Diagnostic, Severity, StageResult, codes
from podcheck.engine import pycompile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.graph import StateGraph
from podcheck.engine.liveness import check_liveness
from podcheck.engine.progress import Reporter
from podcheck.engine.result import (
    LIVENESS,
    CheckResult,
    LivenessPending,
    Pending,
    PropertyResult,
)
from podcheck.engine.symbolic import SYMBOLIC_ENGINES, SymbolicOptions, run_symbolic
from podcheck.engine.vector import explore_vector
from podcheck.ir import Expr, ModelError, State, TransitionSystem
from podcheck.lang.check import Loaded, LoadOptions, load_with_sources
from podcheck.manifests import Loaded as ManifestsLoaded
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.model.compile import compile_spec
from podcheck.model.options import ModelOptions
from podcheck.run import CheckRun
from podcheck.spec import CheckedSpec


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What one verification run may do (None: no limit)."""

    engine: str = "bfs"
    max_states: int | None = None
    max_depth: int | None = None
    timeout_seconds: float | None = None
    fingerprint: bool = False  # vector engine: store 64-bit hashes of states only
    symmetry: bool = True  # use the model's verified symmetry groups (safety runs)
    model: ModelOptions = field(default_factory=ModelOptions)
    manifests: ManifestOptions = field(default_factory=ManifestOptions)


def load_and_compile(
    path: str, options: CheckOptions
) -> tuple[StageResult[TransitionSystem], Mapping[str, str], CheckedSpec | None]:
    """The front end and the model compiler: a transition system, or diagnostics."""
    loaded: Loaded | ManifestsLoaded = (
        load_inputs([path], options.manifests) if is_manifest_path(path)
        else load_with_sources(path, LoadOptions()))
    if not loaded.result.ok or loaded.result.value is None:
        return StageResult(None, loaded.result.diagnostics), loaded.sources, None
    spec = loaded.result.value
    compiled = compile_spec(spec, options.model)
    merged = StageResult(compiled.value, loaded.result.diagnostics + compiled.diagnostics)
    return merged, loaded.sources, spec


def check_file(
    path: str, options: CheckOptions, reporter: Reporter | None = None, *, keep_graph: bool = False
) -> CheckRun:
    """Verify every property of the spec at `path`."""
    compiled, sources, spec = load_and_compile(path, options)
    system = compiled.value
    if not compiled.ok or system is None or spec is None:
        return CheckRun(path, compiled.diagnostics, sources)
    if options.engine in SYMBOLIC_ENGINES:
        symbolic = SymbolicOptions.of(options.engine, options.max_depth, options.timeout_seconds)
        return CheckRun(path, compiled.diagnostics, sources, run_symbolic(system, symbolic))
    needs_graph = keep_graph or any(p.expectation in LIVENESS for p in system.properties)
    bfs_options = BfsOptions(
        max_states=options.max_states,
        max_depth=options.max_depth,
        timeout_seconds=options.timeout_seconds,
        keep_graph=needs_graph,
        symmetry=options.symmetry,
    )
    try:
        if options.engine == "vector":
            result, graph = explore_vector(
                system, bfs_options, reporter, fingerprint=options.fingerprint
            )
        else:
            result, graph = explore(system, bfs_options, reporter)
    except ModelError as err:
        return CheckRun(path, compiled.diagnostics + (_model_error(err),), sources)
    if graph is not None and result.stats.complete:
        result = _decide_liveness(result, graph)
    elif graph is not None:
        result = _undecided_liveness(result)
    return CheckRun(path, compiled.diagnostics, sources, result, graph)


def _decide_liveness(result: CheckResult, graph: StateGraph) -> CheckResult:
    """Decide every liveness property on the complete graph; fairness overrides of the
    spec are already resolved into each action by the model compiler."""
    system = result.system

    def compile_predicate(expr: Expr) -> Callable[[State], bool]:
        return pycompile.compile_predicate(system, expr)

    decided: list[PropertyResult] = []
    for prop, res in zip(system.properties, result.results, strict=True):
        if prop.expectation in LIVENESS:
            res = check_liveness(
                graph,
                prop,
                compile_predicate=compile_predicate,
            )
        decided.append(res)
    return replace(result, results=tuple(decided))


def _undecided_liveness(result: CheckResult) -> CheckResult:
    """Liveness needs the whole state graph; say so when a limit cut it short."""
    why = LivenessPending(Pending.GRAPH_INCOMPLETE, result.limit)
    decided = tuple(
        replace(r, reason=why) if p.expectation in LIVENESS else r
        for p, r in zip(result.system.properties, result.results, strict=True)
    )
    return replace(result, results=decided)


def _model_error(err: ModelError) -> Diagnostic:
    return Diagnostic(
        codes.MODEL_OUT_OF_BOUNDS,
        Severity.ERROR,
        f"the model drove a variable out of its bounds: {err}",
        help="this is a bug in podcheck's model; please report it with the spec",
    )

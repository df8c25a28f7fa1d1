"""The verification driver: one library call per `podcheck check` / `test` / `graph`.

Stage: joins the pipeline.  Consumes a spec path and `CheckOptions`; runs `lang.load`
-> `model.compile_spec` -> `engine.bfs.explore` (keeping the state graph when a liveness
property needs it) -> `engine.liveness.check_liveness` for each temporal property;
produces a `podcheck.run.CheckRun` that renderers and the CLI read.  It prints nothing
and never exits.  Per NOTE(stage-gating), a stage runs only if the previous one passed.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace

from podcheck import estimate
from podcheck.counted_shape import counts_hint
from podcheck.diagnostics import Diagnostic, Severity, Span, StageResult, codes
from podcheck.engine import gcpause, pycompile
from podcheck.engine.auto import AUTO
from podcheck.engine.auto import explore as explore_vector
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.graph import StateGraph
from podcheck.engine.liveness import check_liveness
from podcheck.engine.params import compile_points, parametric
from podcheck.engine.progress import RunReporter, SilentReporter
from podcheck.engine.result import (
    LIVENESS,
    CheckResult,
    Limit,
    LivenessPending,
    Pending,
    PropertyResult,
)
from podcheck.engine.simulate import DEFAULT_DEPTH, SimulateOptions, simulate
from podcheck.engine.symbolic import SYMBOLIC_ENGINES, SymbolicOptions, run_symbolic
from podcheck.engine.symmetry import Symmetry
from podcheck.grouped import check_groups, narrowed, preload
from podcheck.ir import Expr, ModelError, State, TransitionSystem
from podcheck.lang.check import Loaded, LoadOptions, load_with_sources
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import Stopped, Watch, left, watching
from podcheck.manifests import Loaded as ManifestsLoaded
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.manifests.groups import splittable
from podcheck.model.options import ModelOptions
from podcheck.partial_run import Partial, Phase
from podcheck.reduced_run import (
    Wants,
    decide_reduced,
    liveness_symmetry,
    scan_first,
    undecided_liveness,
)
from podcheck.replica_ranges import check_counts, per_count, with_counts
from podcheck.run import CheckRun
from podcheck.settled import compile_start as compile_spec  # NOTE(settled-start)
from podcheck.spec import CheckedSpec
from podcheck.vacuity import add_probes, split, vacuity_warning


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """What one verification run may do (None: no limit).

    `timeout_seconds` and `max_memory` bound the whole run (load, compile, explore,
    liveness; NOTE(whole-run-limits) in `podcheck.limits`); `max_input_size` bounds each
    file read.
    """

    engine: str = "bfs"
    max_states: int | None = None
    max_depth: int | None = None
    timeout_seconds: float | None = None
    fingerprint: bool = False  # vector engine: store 64-bit hashes of states only
    workers: int = AUTO  # vector engine: processes (workers.py); AUTO: engine/auto.py
    cluster: str | None = None  # vector engine: a Dask scheduler or local:N (distributed/)
    symmetry: bool = True  # use the model's verified symmetry groups (safety runs)
    por: bool = False  # bfs engine: partial-order reduction of the safety pass (por.py)
    model: ModelOptions = field(default_factory=ModelOptions)
    manifests: ManifestOptions = field(default_factory=ManifestOptions)
    max_memory: int | None = None  # bytes of resident memory
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE
    simulate: int = 0  # > 0: that many random walks (engine/simulate.py) instead of a search
    seed: int = 0  # the first walk's seed


def load_and_compile(
    path: str, options: CheckOptions, watch: Watch | None = None,
    reporter: RunReporter | None = None,
    preloaded: Loaded | ManifestsLoaded | None = None,
) -> tuple[StageResult[TransitionSystem], Mapping[str, str], CheckedSpec | None]:
    """The front end (or the `preloaded` manifests) and the model compiler: a transition
    system, or diagnostics (`watch`, if given, is looked at between the two: `Stopped`
    if a limit was reached; `reporter`, if given, hears each phase begin)."""
    if reporter is not None:
        reporter.on_phase(Phase.LOAD.value, path)
    loaded: Loaded | ManifestsLoaded = preloaded or (
        load_inputs([path], options.manifests) if is_manifest_path(path)
        else load_with_sources(path, LoadOptions(max_input_size=options.max_input_size)))
    if not loaded.result.ok or loaded.result.value is None:
        return StageResult(None, loaded.result.diagnostics), loaded.sources, None
    if watch is not None:
        watch.check()
    spec = loaded.result.value
    if reporter is not None:
        reporter.on_phase(Phase.COMPILE.value, path)
    with _no_gc():
        compiled = compile_spec(spec, options.model, options.symmetry) if not spec.params \
            else parametric(compile_points(spec, lambda p: compile_spec(p, options.model)))
    merged = StageResult(compiled.value, loaded.result.diagnostics + compiled.diagnostics)
    return merged, loaded.sources, spec


def _no_gc() -> AbstractContextManager[None]:
    """The model compiler allocates millions of acyclic IR nodes: the cyclic collector
    only rescans them (3x the time at `replicas: 1000`), so it is paused meanwhile, and
    what exists when it ends is frozen (`gc.freeze`: never scanned again; at `replicas:
    10000` the first collection after the compiler took 4.9 s).  `check_file` unfreezes
    at the end of the run."""
    return gcpause.paused(freeze=True)


def check_path(path: str, options: CheckOptions,
               reporter: RunReporter | None = None) -> list[CheckRun]:
    """Verify the spec or manifests at `path`: one run per independent group of workloads
    and exploration (`podcheck.grouped.check_groups`) for manifests and for `.pod` specs
    whose properties are built-in checks (`splittable`; `--check` keeps only those named),
    else one run.  `--timeout` bounds all of them, the load that decides it included."""
    began, budget, manifests = time.monotonic(), options.timeout_seconds, is_manifest_path(path)
    found = None if manifests else preload(path, options.max_input_size, budget, options.max_memory)
    if not manifests and found is None:
        return [check_file(path, replace(options, timeout_seconds=left(budget, began)), reporter)]
    loaded: Loaded | ManifestsLoaded = load_inputs([path], options.manifests) \
        if found is None else narrowed(found, options.manifests.checks)
    spec = loaded.result.value
    options = replace(options, timeout_seconds=left(budget, began))
    if spec is None or not (manifests or splittable(spec)):
        return [check_file(path, options, reporter, preloaded=loaded)]

    def run(left: float | None, reset: bool, settled: bool, part: ManifestsLoaded) -> CheckRun:
        model = replace(options.model, backoff_reset=reset, settled_reset=settled)
        return check_file(path, replace(options, model=model, timeout_seconds=left),
                          reporter, preloaded=part)

    checks = (options.manifests.checks or None) if manifests else None
    return check_groups(spec, loaded.result.diagnostics, loaded.sources, checks,
                        options.timeout_seconds, options.model.backoff_reset, run)


def check_file(
    path: str, options: CheckOptions, reporter: RunReporter | None = None, *,
    keep_graph: bool = False, preloaded: Loaded | ManifestsLoaded | None = None,
) -> CheckRun:
    """Verify every property of the spec at `path` (or of the `preloaded` manifests)
    within the whole-run limits.

    A limit (or Ctrl-C) reached before the exploration ends the run with a PC502
    warning and no result; reached during it, with the partial result
    (`CheckRun.exit_code` never calls an incomplete run `holds`).
    """
    watch = Watch.of(options.timeout_seconds, options.max_memory)
    partial = Partial(path)
    try:
        with watching(watch):
            return _check(partial, options, reporter or SilentReporter(), keep_graph, watch,
                          preloaded)
    except Stopped as stop:
        return partial.stopped(stop.limit)
    except MemoryError:
        return partial.stopped(Limit.MAX_MEMORY)
    finally:
        gc.unfreeze()  # what `_no_gc` froze is collectable again


def _check(
    partial: Partial, options: CheckOptions, reporter: RunReporter, keep_graph: bool,
    watch: Watch, preloaded: Loaded | ManifestsLoaded | None = None,
) -> CheckRun:
    path = partial.path
    compiled, sources, spec = load_and_compile(path, options, watch, reporter, preloaded)
    partial.diagnostics, partial.sources, partial.phase = (
        compiled.diagnostics, sources, Phase.COMPILE)
    system = compiled.value
    if not compiled.ok or system is None or spec is None:
        return CheckRun(path, compiled.diagnostics, sources)
    manifest = is_manifest_path(path) or isinstance(preloaded, ManifestsLoaded)
    counts = " ".join([path, *(options.manifests.flags() if manifest else ())])
    if (hint := counts_hint(spec, counts)) is not None:  # NOTE(counts-hint): before exploring
        compiled = StageResult(system, (*compiled.diagnostics, hint))
        partial.diagnostics = compiled.diagnostics
    if per_count(spec, options.engine):  # NOTE(per-count-runs)
        return check_counts(partial.path, spec, compiled.diagnostics, sources, lambda one: _check(
            Partial(path), options, reporter, keep_graph, watch, ManifestsLoaded(one, sources)))
    partial.enter(Phase.EXPLORE, reporter)
    compiled = _estimated(compiled, system, spec, options)  # before any state is explored
    partial.diagnostics = compiled.diagnostics
    watch.check()
    if options.engine in SYMBOLIC_ENGINES:
        symbolic = with_counts(_symbolic(system, options, watch), spec, watch, options.engine)
        return CheckRun(path, compiled.diagnostics, sources, symbolic,
                        stopped=Limit.INTERRUPT if watch.stop is Limit.INTERRUPT else None)
    if options.simulate:
        return _simulate(partial, options, system, compiled.diagnostics, watch, reporter,
                         estimate.location(spec))
    probes = add_probes(system)
    try:
        result, graph, live = _explore(probes.probed, options, keep_graph, reporter, watch)
    except ModelError as err:
        found = _model_error(err, system, estimate.location(spec))
        return CheckRun(path, compiled.diagnostics + (found,), sources)
    result, never = split(probes, result)
    partial.phase = Phase.LIVENESS
    watch.keep_result()
    result, graph = _liveness(result, graph, live, options, watch, reporter)
    stopped = Limit.INTERRUPT if watch.stop is Limit.INTERRUPT else None
    warning = vacuity_warning(result, never, spec.environment.span)
    diagnostics = compiled.diagnostics + (() if warning is None else (warning,))
    return CheckRun(path, diagnostics, sources, result, graph, stopped,
                    vacuous=never if warning is not None else ())


def _bfs_options(options: CheckOptions, watch: Watch, keep_graph: bool) -> BfsOptions:
    """The explicit engines' options: the run's limits and clock; a graph if asked."""
    return BfsOptions(max_states=options.max_states, max_depth=options.max_depth,
                      timeout_seconds=watch.remaining(), keep_graph=keep_graph,
                      should_stop=watch.searching, symmetry=options.symmetry,
                      por=options.por)


def _simulate(partial: Partial, options: CheckOptions, system: TransitionSystem,
              diagnostics: tuple[Diagnostic, ...], watch: Watch,
              reporter: RunReporter, where: Span) -> CheckRun:
    walks = SimulateOptions(options.simulate, options.seed,
                            DEFAULT_DEPTH if options.max_depth is None else options.max_depth,
                            should_stop=watch.searching)
    try:
        with watch.interruptible():  # until the walks run: see `Watch.searching`
            result = simulate(system, walks, reporter)
    except ModelError as err:
        return CheckRun(partial.path, diagnostics + (_model_error(err, system, where),),
                        partial.sources)
    stopped = Limit.INTERRUPT if watch.stop is Limit.INTERRUPT else None
    return CheckRun(partial.path, diagnostics, partial.sources, result, stopped=stopped)


def _symbolic(system: TransitionSystem, options: CheckOptions, watch: Watch) -> CheckResult:
    """bmc, kind or pdr within the run's limits: Z3 is given the deadline, and a limit
    reached (deadline, memory, Ctrl-C) makes every later query answer unknown, so the run
    keeps the goals decided so far."""
    symbolic = replace(SymbolicOptions.of(options.engine, options.max_depth, watch.remaining()),
                       should_stop=lambda: watch.stop is not None)
    with watch.cooperating():  # a limit is recorded: the next query answers unknown
        result = run_symbolic(system, symbolic)
    if result.limit is not None and watch.poll() is not None:
        return replace(result, limit=watch.stop)  # the run was stopped meanwhile
    return result


def _estimated(compiled: StageResult[TransitionSystem], system: TransitionSystem,
               spec: CheckedSpec, options: CheckOptions) -> StageResult[TransitionSystem]:
    """`compiled` with PC303 if the estimated states exceed the limits (NOTE(state-
    estimate)); never for the symbolic engines, which store no states."""
    if options.engine in SYMBOLIC_ENGINES:
        return compiled
    limits = estimate.Limits(options.max_states, options.max_memory, options.engine,
                             options.fingerprint, options.symmetry)
    large = estimate.warning(system, limits, estimate.location(spec))
    return compiled if large is None else StageResult(system, compiled.diagnostics + (large,))


def _decide_liveness(result: CheckResult, graph: StateGraph,
                     reporter: RunReporter) -> CheckResult:
    """Decide every liveness property on the complete graph; fairness overrides of the
    spec are already resolved into each action by the model compiler."""
    system = result.system

    def compile_predicate(expr: Expr) -> Callable[[State], bool]:
        return pycompile.compile_predicate(system, expr)

    decided: list[PropertyResult] = []
    stopped: Limit | None = None
    for prop, res in zip(system.properties, result.results, strict=True):
        if prop.expectation in LIVENESS and stopped is None:
            reporter.on_phase(Phase.LIVENESS.value, f"`{prop.name}`")
            try:
                res = check_liveness(graph, prop, compile_predicate=compile_predicate)
            except Stopped as stop:
                stopped = stop.limit
        if prop.expectation in LIVENESS and stopped is not None:
            res = replace(res, reason=LivenessPending(Pending.STOPPED, stopped.value))
        decided.append(res)
    return replace(result, results=tuple(decided), limit=stopped or result.limit)


def _explore(
    system: TransitionSystem, options: CheckOptions, keep_graph: bool,
    reporter: RunReporter, watch: Watch,
) -> tuple[CheckResult, StateGraph | None, Symmetry | None]:  # fmt: skip
    """The safety pass, and what liveness needs: nothing when the stuck-state scan
    decided every liveness property (`_scan_first`), else the groups for the quotient
    (`_liveness_symmetry`) or the unreduced graph."""
    liveness = any(p.expectation in LIVENESS for p in system.properties)
    scanned = (scan_first(system, options.max_states, watch)
               if liveness and not keep_graph else None)
    needs_graph = keep_graph or (liveness and scanned is None)
    wants = Wants(options.symmetry, options.engine, options.workers)
    live = liveness_symmetry(system, wants, needs_graph and not keep_graph)
    bfs_options = _bfs_options(options, watch, needs_graph and live is None)
    with watch.interruptible():  # until the loop runs: see `Watch.searching`
        result, graph = (explore_vector(system, bfs_options, reporter, workers=options.workers,
                                        fingerprint=options.fingerprint, cluster=options.cluster)
                         if options.engine == "vector" else explore(system, bfs_options, reporter))
    if scanned:
        result = replace(result, results=tuple(
            scanned.get(i, r) for i, r in enumerate(result.results)))
    return result, graph, live


def _liveness(result: CheckResult, graph: StateGraph | None, live: Symmetry | None,
              options: CheckOptions, watch: Watch,
              reporter: RunReporter) -> tuple[CheckResult, StateGraph | None]:
    """Decide the liveness properties: on the quotient under `live`, else (or when the
    quotient needs too many concrete states) on the unreduced graph."""
    if live is not None and result.stats.complete:
        with watch.interruptible():
            reduced = decide_reduced(result, live, options.max_states, watch)
        if reduced is not None:
            return reduced, None
        full = BfsOptions(max_states=options.max_states, keep_graph=True, symmetry=False,
                          should_stop=watch.searching)
        result, graph = explore(result.system, full)
    elif live is not None:
        return _undecided_liveness(result), None
    if graph is not None and result.stats.complete:
        with watch.interruptible():
            result = _decide_liveness(result, graph, reporter)
    elif graph is not None:
        result = _undecided_liveness(result)
    return result, graph


_undecided_liveness = undecided_liveness  # tests patch it here


def _model_error(err: ModelError, system: TransitionSystem, where: Span) -> Diagnostic:
    """PC501 at the span of the action that left its domain (every engine words the
    error `LABEL: ...`), else at `where`."""
    text = str(err)
    named = [a.span for a in system.actions
             if isinstance(a.span, Span) and text.startswith(f"{a.label}: ")]
    span = named[0] if named else where
    return Diagnostic(
        codes.MODEL_OUT_OF_BOUNDS, Severity.ERROR,
        f"the model drove a variable out of its bounds: {err}", span,
        help="this is a bug in podcheck's model; please report it with the spec",
    )

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

import enum
import gc
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
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
    Limit,
    LivenessPending,
    Pending,
    PropertyResult,
)
from podcheck.engine.symbolic import SYMBOLIC_ENGINES, SymbolicOptions, run_symbolic
from podcheck.engine.workers import explore as explore_vector
from podcheck.ir import Expr, ModelError, State, TransitionSystem
from podcheck.lang.check import Loaded, LoadOptions, load_with_sources
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import Stopped, Watch, watching
from podcheck.manifests import Loaded as ManifestsLoaded
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.manifests.groups import Exploration, explorations, group_note, independent_groups
from podcheck.model.compile import compile_spec
from podcheck.model.options import ModelOptions
from podcheck.run import CheckRun
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
    workers: int = 1  # vector engine: processes (engine/workers.py); 1 with liveness
    symmetry: bool = True  # use the model's verified symmetry groups (safety runs)
    model: ModelOptions = field(default_factory=ModelOptions)
    manifests: ManifestOptions = field(default_factory=ManifestOptions)
    max_memory: int | None = None  # bytes of resident memory
    max_input_size: int = DEFAULT_MAX_INPUT_SIZE


class Phase(enum.StrEnum):
    """The phases of a run, as a stopped run names them."""

    LOAD = "loading the spec"
    COMPILE = "compiling the model"
    EXPLORE = "exploring the states"
    LIVENESS = "checking liveness"


@dataclass(slots=True)
class _Partial:
    """What a run has produced so far (for a run a limit stops before its result)."""

    path: str
    phase: Phase = Phase.LOAD
    diagnostics: tuple[Diagnostic, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)

    def stopped(self, limit: Limit) -> CheckRun:
        diag = Diagnostic(
            codes.RUN_STOPPED, Severity.WARNING,
            f"the run stopped ({limit.value}) while {self.phase.value}, before any verdict",
            help=_HELP[limit])
        return CheckRun(self.path, self.diagnostics + (diag,), self.sources, stopped=limit)


_HELP = {
    Limit.TIMEOUT: "raise --timeout, or make the spec smaller",
    Limit.MAX_MEMORY: "raise --max-memory, or make the spec smaller",
    Limit.INTERRUPT: "the run was interrupted (Ctrl-C)",
    Limit.MAX_STATES: "raise --max-states",
    Limit.MAX_DEPTH: "raise --max-depth",
}


def load_and_compile(
    path: str, options: CheckOptions, watch: Watch | None = None,
    preloaded: ManifestsLoaded | None = None,
) -> tuple[StageResult[TransitionSystem], Mapping[str, str], CheckedSpec | None]:
    """The front end (or the `preloaded` manifests) and the model compiler: a transition
    system, or diagnostics (`watch`, if given, is looked at between the two: `Stopped`
    if a limit was reached)."""
    loaded: Loaded | ManifestsLoaded = preloaded or (
        load_inputs([path], options.manifests) if is_manifest_path(path)
        else load_with_sources(path, LoadOptions(max_input_size=options.max_input_size)))
    if not loaded.result.ok or loaded.result.value is None:
        return StageResult(None, loaded.result.diagnostics), loaded.sources, None
    if watch is not None:
        watch.check()
    spec = loaded.result.value
    with _no_gc():
        compiled = compile_spec(spec, options.model)
    merged = StageResult(compiled.value, loaded.result.diagnostics + compiled.diagnostics)
    return merged, loaded.sources, spec


@contextmanager
def _no_gc() -> Iterator[None]:
    """The model compiler allocates millions of acyclic IR nodes: the cyclic collector
    only rescans them (3x the time at `replicas: 1000`), so it is paused meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_path(path: str, options: CheckOptions,
               reporter: Reporter | None = None) -> list[CheckRun]:
    """Verify the spec or manifests at `path`: one run, or for manifests whose workloads
    fall into independent groups (NOTE(independent-workloads)) one run per group, each
    with the back-off reset left out when no container can restart twice.  `--timeout`
    bounds all of them together: each run gets what the runs before it left."""
    if not is_manifest_path(path):
        return [check_file(path, options, reporter)]
    limit = options.timeout_seconds
    deadline = None if limit is None else time.monotonic() + limit
    loaded = load_inputs([path], options.manifests)
    spec = loaded.result.value
    if spec is None:
        return [check_file(path, options, reporter, preloaded=loaded)]
    groups = independent_groups(spec, options.manifests.checks or None)
    runs: list[CheckRun] = []
    for i, group in enumerate(groups):
        head = loaded.result.diagnostics if not runs else ()
        notes = (group_note(i, groups),) if len(groups) > 1 else ()
        ways = explorations(group) if options.model.backoff_reset else (
            Exploration(group, False),)
        for way in ways:
            told = (*head, *notes, *(() if way.note is None else (way.note,)))
            part = ManifestsLoaded(StageResult(way.spec, told), loaded.sources)
            model = replace(options.model, backoff_reset=way.backoff_reset)
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            runs.append(check_file(path, replace(options, model=model, timeout_seconds=left),
                                   reporter, preloaded=part))
            head = notes = ()
    return runs


def check_file(
    path: str, options: CheckOptions, reporter: Reporter | None = None, *,
    keep_graph: bool = False, preloaded: ManifestsLoaded | None = None,
) -> CheckRun:
    """Verify every property of the spec at `path` (or of the `preloaded` manifests)
    within the whole-run limits.

    A limit (or Ctrl-C) reached before the exploration ends the run with a PC502
    warning and no result; reached during it, with the partial result
    (`CheckRun.exit_code` never calls an incomplete run `holds`).
    """
    watch = Watch.of(options.timeout_seconds, options.max_memory)
    partial = _Partial(path)
    try:
        with watching(watch):
            return _check(partial, options, reporter, keep_graph, watch, preloaded)
    except Stopped as stop:
        return partial.stopped(stop.limit)
    except MemoryError:
        return partial.stopped(Limit.MAX_MEMORY)


def _check(
    partial: _Partial, options: CheckOptions, reporter: Reporter | None, keep_graph: bool,
    watch: Watch, preloaded: ManifestsLoaded | None = None,
) -> CheckRun:
    path = partial.path
    compiled, sources, spec = load_and_compile(path, options, watch, preloaded)
    partial.diagnostics, partial.sources, partial.phase = (
        compiled.diagnostics, sources, Phase.COMPILE)
    system = compiled.value
    if not compiled.ok or system is None or spec is None:
        return CheckRun(path, compiled.diagnostics, sources)
    partial.phase = Phase.EXPLORE
    watch.check()
    if options.engine in SYMBOLIC_ENGINES:
        symbolic = SymbolicOptions.of(options.engine, options.max_depth, watch.remaining())
        return CheckRun(path, compiled.diagnostics, sources, run_symbolic(system, symbolic))
    needs_graph = keep_graph or any(p.expectation in LIVENESS for p in system.properties)
    bfs_options = BfsOptions(
        max_states=options.max_states,
        max_depth=options.max_depth,
        timeout_seconds=watch.remaining(),
        keep_graph=needs_graph,
        should_stop=watch.searching,
        symmetry=options.symmetry,
    )
    probes = add_probes(system)
    try:
        if options.engine == "vector":
            result, graph = explore_vector(probes.probed, bfs_options, reporter,
                                           workers=options.workers,
                                           fingerprint=options.fingerprint)
        else:
            with watch.interruptible():  # until the loop runs: see `Watch.searching`
                result, graph = explore(probes.probed, bfs_options, reporter)
    except ModelError as err:
        return CheckRun(path, compiled.diagnostics + (_model_error(err),), sources)
    result, never = split(probes, result)
    partial.phase, watch.cooperative = Phase.LIVENESS, True  # a result exists: keep it
    if graph is not None and result.stats.complete:
        with watch.interruptible():
            result = _decide_liveness(result, graph)
    elif graph is not None:
        result = _undecided_liveness(result)
    stopped = Limit.INTERRUPT if watch.stop is Limit.INTERRUPT else None
    warning = vacuity_warning(result, never, spec.environment.span)
    diagnostics = compiled.diagnostics + (() if warning is None else (warning,))
    return CheckRun(path, diagnostics, sources, result, graph, stopped,
                    vacuous=never if warning is not None else ())


def _decide_liveness(result: CheckResult, graph: StateGraph) -> CheckResult:
    """Decide every liveness property on the complete graph; fairness overrides of the
    spec are already resolved into each action by the model compiler."""
    system = result.system

    def compile_predicate(expr: Expr) -> Callable[[State], bool]:
        return pycompile.compile_predicate(system, expr)

    decided: list[PropertyResult] = []
    stopped: Limit | None = None
    for prop, res in zip(system.properties, result.results, strict=True):
        if prop.expectation in LIVENESS and stopped is None:
            try:
                res = check_liveness(graph, prop, compile_predicate=compile_predicate)
            except Stopped as stop:
                stopped = stop.limit
        if prop.expectation in LIVENESS and stopped is not None:
            res = replace(res, reason=LivenessPending(Pending.STOPPED, stopped.value))
        decided.append(res)
    return replace(result, results=tuple(decided), limit=stopped or result.limit)


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

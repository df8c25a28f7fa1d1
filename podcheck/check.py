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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from podcheck.diagnostics import Diagnostic, Severity, StageResult, codes
from podcheck.engine import pycompile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.graph import StateGraph
from podcheck.engine.liveness import check_liveness
from podcheck.engine.npcompile import Unsupported
from podcheck.engine.progress import Reporter
from podcheck.engine.result import (
    LIVENESS,
    CheckResult,
    Limit,
    LivenessPending,
    Pending,
    PropertyResult,
)
from podcheck.engine.stuck import scan_liveness
from podcheck.engine.symbolic import SYMBOLIC_ENGINES, SymbolicOptions, run_symbolic
from podcheck.engine.symliveness import Quotient, check_reduced
from podcheck.engine.symmetry import Broken, Cause, Symmetry, SymmetryUse, prepare
from podcheck.engine.workers import explore as explore_vector
from podcheck.ir import Expr, ModelError, State, TransitionSystem
from podcheck.lang.check import Loaded, LoadOptions, load_with_sources
from podcheck.lang.source import DEFAULT_MAX_INPUT_SIZE
from podcheck.limits import Stopped, Watch, watching
from podcheck.manifests import Loaded as ManifestsLoaded
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.model.compile import compile_spec
from podcheck.model.options import ModelOptions
from podcheck.run import CheckRun
from podcheck.spec import CheckedSpec
from podcheck.vacuity import add_probes, split, vacuity_warning

SCAN_STATES = 200_000  # states the stuck-state scan may explore before the full checker


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
    path: str, options: CheckOptions, watch: Watch | None = None
) -> tuple[StageResult[TransitionSystem], Mapping[str, str], CheckedSpec | None]:
    """The front end and the model compiler: a transition system, or diagnostics
    (`watch`, if given, is looked at between the two: `Stopped` if a limit was reached)."""
    loaded: Loaded | ManifestsLoaded = (
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


def check_file(
    path: str, options: CheckOptions, reporter: Reporter | None = None, *, keep_graph: bool = False
) -> CheckRun:
    """Verify every property of the spec at `path` within the whole-run limits.

    A limit (or Ctrl-C) reached before the exploration ends the run with a PC502
    warning and no result; reached during it, with the partial result
    (`CheckRun.exit_code` never calls an incomplete run `holds`).
    """
    watch = Watch.of(options.timeout_seconds, options.max_memory)
    partial = _Partial(path)
    try:
        with watching(watch):
            return _check(partial, options, reporter, keep_graph, watch)
    except Stopped as stop:
        return partial.stopped(stop.limit)
    except MemoryError:
        return partial.stopped(Limit.MAX_MEMORY)


def _check(
    partial: _Partial, options: CheckOptions, reporter: Reporter | None, keep_graph: bool,
    watch: Watch,
) -> CheckRun:
    path = partial.path
    compiled, sources, spec = load_and_compile(path, options, watch)
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
    probes = add_probes(system)
    try:
        result, graph, live = _explore(probes.probed, options, keep_graph, reporter, watch)
    except ModelError as err:
        return CheckRun(path, compiled.diagnostics + (_model_error(err),), sources)
    result, never = split(probes, result)
    partial.phase, watch.cooperative = Phase.LIVENESS, True  # a result exists: keep it
    result, graph = _liveness(result, graph, live, options, watch)
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


def _explore(
    system: TransitionSystem, options: CheckOptions, keep_graph: bool,
    reporter: Reporter | None, watch: Watch,
) -> tuple[CheckResult, StateGraph | None, Symmetry | None]:  # fmt: skip
    """The safety pass, and what liveness needs: nothing when the stuck-state scan
    decided every liveness property (`_scan_first`), else the groups for the quotient
    (`_liveness_symmetry`) or the unreduced graph."""
    liveness = any(p.expectation in LIVENESS for p in system.properties)
    scanned = _scan_first(system, options, watch) if liveness and not keep_graph else None
    needs_graph = keep_graph or (liveness and scanned is None)
    live = _liveness_symmetry(system, options, needs_graph and not keep_graph)
    bfs_options = BfsOptions(
        max_states=options.max_states,
        max_depth=options.max_depth,
        timeout_seconds=watch.remaining(),
        keep_graph=needs_graph and live is None,
        should_stop=watch.searching,
        symmetry=options.symmetry,
    )
    if options.engine == "vector":
        result, graph = explore_vector(system, bfs_options, reporter, workers=options.workers,
                                       fingerprint=options.fingerprint)
    else:
        with watch.interruptible():  # until the loop runs: see `Watch.searching`
            result, graph = explore(system, bfs_options, reporter)
    if scanned:
        result = replace(result, results=tuple(
            scanned.get(i, r) for i, r in enumerate(result.results)))
    return result, graph, live


def _scan_first(system: TransitionSystem, options: CheckOptions,
                watch: Watch) -> dict[int, PropertyResult] | None:  # fmt: skip
    """Every liveness property's violation by a stuck state (`engine/stuck.py`), found
    within `SCAN_STATES` states on the vector engine; None when one is left undecided
    (or the system cannot be encoded), and then the full checker decides them all."""
    budget = BfsOptions(max_states=min(SCAN_STATES, options.max_states or SCAN_STATES),
                        timeout_seconds=watch.remaining())
    with watch.cooperating():  # a limit reached meanwhile is recorded, and ends the scan
        try:
            scan = scan_liveness(system, budget)
        except Unsupported:
            return None
    if watch.stop is not None:
        return None
    wanted = {i for i, p in enumerate(system.properties) if p.expectation in LIVENESS}
    return scan.results if wanted <= scan.results.keys() else None


def _liveness(result: CheckResult, graph: StateGraph | None, live: Symmetry | None,
              options: CheckOptions, watch: Watch) -> tuple[CheckResult, StateGraph | None]:
    """Decide the liveness properties: on the quotient under `live`, else (or when the
    quotient needs too many concrete states) on the unreduced graph."""
    if live is not None and result.stats.complete:
        with watch.interruptible():
            reduced = _decide_reduced(result, live, options, watch)
        if reduced is not None:
            return reduced, None
        full = BfsOptions(max_states=options.max_states, keep_graph=True, symmetry=False,
                          should_stop=watch.searching)
        result, graph = explore(result.system, full)
    elif live is not None:
        return _undecided_liveness(result), None
    if graph is not None and result.stats.complete:
        with watch.interruptible():
            result = _decide_liveness(result, graph)
    elif graph is not None:
        result = _undecided_liveness(result)
    return result, graph


def _liveness_symmetry(system: TransitionSystem, options: CheckOptions,
                       wanted: bool) -> Symmetry | None:  # fmt: skip
    """The groups valid for liveness (NOTE(symmetry-liveness)) when this run checks
    liveness on the quotient: explicit engines, one worker, symmetry on, no graph asked."""
    if not (wanted and options.symmetry and options.engine in ("bfs", "vector")
            and options.workers <= 1 and system.symmetry):
        return None
    return prepare(system, liveness=True)[0]


def _decide_reduced(result: CheckResult, canon: Symmetry, options: CheckOptions,
                    watch: Watch) -> CheckResult | None:  # fmt: skip
    """Decide the liveness properties on the quotient (`engine/symliveness.py`); None
    when one needs the unreduced graph.  Groups the safety pass used but liveness may
    not are listed as broken for liveness (`Cause.LOWEST_FREE`)."""
    system = result.system
    quotient = Quotient(system, canon)
    try:
        complete = quotient.explore(options.max_states, lambda: watch.searching() is not None)
    except Stopped:
        complete = False
    if not complete:
        return _undecided_liveness(replace(result, limit=result.limit or watch.stop))
    decided: list[PropertyResult] = []
    for prop, res in zip(system.properties, result.results, strict=True):
        if prop.expectation in LIVENESS:
            got = check_reduced(quotient, prop)
            if got is None:
                return None
            res = got
        decided.append(res)
    return replace(result, results=tuple(decided), symmetry=_for_liveness(result, canon))


def _for_liveness(result: CheckResult, canon: Symmetry) -> SymmetryUse | None:
    use = result.symmetry
    if use is None or use.off is not None:
        return use
    live = {g.name for g in canon.groups}
    only = tuple(Broken(n, Cause.LOWEST_FREE) for n, _ in use.used if n not in live)
    return replace(use, broken=use.broken + only)


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

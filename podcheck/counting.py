"""The driver behind `podcheck counts SPEC`: `budget-respected` and `drain-completes`
for every replica count of a range at once (issue 12, item 3).

Stage: a driver, like `podcheck.tuning`.  `parametric_verdicts(spec, workload, lo, hi)`
maps a checked spec onto `engine.parametric.CounterScenario` (NOTE(counter-shape) in
`podcheck.counted_shape`), proves each property over counts with Spacer
(`smallest_failing`: the smallest failing count when one fails), and cross-checks the
abstraction against the full model (NOTE(counter-cross-check)).  `counts_file(path)`
reads a `.pod` spec whose replica count may be a range of any size (`replicas:
1..100000`; `podcheck check` enumerates at most 256 points) and calls it.  The
HorizontalPodAutoscaler front end calls `parametric_verdicts` with the autoscaler's
minReplicas..maxReplicas.

NOTE(counter-cross-check): before any verdict is reported, the counter system (explicit
BFS over counts) and the full model (explicit BFS of `model.compile_spec`, the liveness
check on its graph) are compared at replicas 1..`cross_check` (3), whatever the range
(the question is whether the abstraction describes this spec, and small counts keep the
full model small), property by property; a difference is PC505 and no verdict.  The
shape check keeps out what the counter system does not describe; the cross-check
catches what it missed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from podcheck.counted_shape import counted_names, counter_scenario, disagreement
from podcheck.diagnostics import Diagnostic, Note, Severity, StageResult, codes
from podcheck.engine import pycompile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.liveness import check_liveness
from podcheck.engine.parametric import (
    CountedRange,
    CounterScenario,
    counter_system,
    smallest_failing,
)
from podcheck.engine.result import Verdict
from podcheck.engine.symbolic import SymbolicEngine
from podcheck.exitcodes import ExitCode
from podcheck.ir import Expectation, Expr, State
from podcheck.lang.check import Loaded, check
from podcheck.lang.imports import LoadOptions, load_program
from podcheck.lang.params import find_params, point_words, substitute
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.model.compile import compile_spec
from podcheck.spec import CheckedSpec

CROSS_CHECK = 3  # counts of the range checked explicitly before a verdict


@dataclass(frozen=True, slots=True)
class CountOptions:
    """Spacer's budget per query (seconds), the engine, and up to which replica count
    the spec is cross-checked with explicit BFS (NOTE(counter-cross-check))."""

    timeout_seconds: float | None = 300.0
    engine: SymbolicEngine = SymbolicEngine.PDR
    cross_check: int = CROSS_CHECK


@dataclass(frozen=True, slots=True)
class CountsRun:
    """One `counts` run: diagnostics, sources and the verdicts (None after errors)."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    counted: CountedRange | None = None

    @property
    def exit_code(self) -> ExitCode:
        """OK when every property holds for every count, VIOLATED when one fails at some
        count, INCONCLUSIVE when Z3 left one undecided, INPUT_ERROR without verdicts."""
        if self.counted is None:
            return ExitCode.INPUT_ERROR
        if self.counted.violated:
            return ExitCode.VIOLATED
        return ExitCode.OK if self.counted.proved else ExitCode.INCONCLUSIVE


def parametric_verdicts(spec: CheckedSpec, workload: str, lo: int, hi: int,
                        options: CountOptions = CountOptions()) -> StageResult[CountedRange]:
    """The verdicts of the spec's properties (`budget-respected`, `drain-completes`) for
    every replica count `lo..hi` of `workload` (module doc); PC504 when the spec is not
    of the shape the counter abstraction describes, PC505 when the cross-check fails."""
    shaped = counter_scenario(spec, workload, lo, hi)
    if not shaped.ok or shaped.value is None:
        return StageResult(None, shaped.diagnostics)
    scenario, drained = shaped.value
    names = counted_names(spec)
    checked = tuple(range(1, options.cross_check + 1))  # small whatever the range
    for count in checked:
        explicit = explicit_verdicts(spec, workload, count)
        if not explicit.ok or explicit.value is None:
            return StageResult(None, explicit.diagnostics)
        found = disagreement(spec, explicit.value, counter_verdicts(scenario, count))
        if found is not None:
            return StageResult(None, (_disagrees(spec, workload, count, found),))
    decided = smallest_failing(scenario, options.engine, options.timeout_seconds,
                               list(names.values()))  # fmt: skip
    verdicts = tuple(zip(names, decided, strict=True))
    return StageResult(CountedRange(workload, scenario, drained, verdicts, checked))


def _at(spec: CheckedSpec, workload: str, count: int) -> CheckedSpec:
    """`spec` with `workload`'s replica count set to `count` (no parameters)."""
    return replace(spec, params=(), instances=(), workloads=tuple(
        replace(w, replicas=count) if w.name == workload else w for w in spec.workloads))


def explicit_verdicts(spec: CheckedSpec, workload: str,
                      count: int) -> StageResult[dict[str, Verdict]]:  # fmt: skip
    """Each property's verdict by explicit BFS of the full model at `count` replicas (the
    compiler's diagnostics when the model does not compile)."""
    compiled = compile_spec(_at(spec, workload, count))
    system = compiled.value
    if not compiled.ok or system is None:
        return StageResult(None, compiled.diagnostics)
    result, graph = explore(system, BfsOptions(keep_graph=True, symmetry=False,
                                               check_deadlock=False))  # fmt: skip
    assert graph is not None and result.stats.complete  # no limit was set

    def predicate(e: Expr) -> Callable[[State], bool]:
        return pycompile.compile_predicate(system, e)

    out: dict[str, Verdict] = {}
    for prop, res in zip(system.properties, result.results, strict=True):
        live = prop.expectation not in (Expectation.ALWAYS, Expectation.SOMETIMES)
        out[prop.name] = (check_liveness(graph, prop, compile_predicate=predicate).verdict
                          if live else res.verdict)  # fmt: skip
    return StageResult(out)


def counter_verdicts(scenario: CounterScenario, count: int) -> dict[str, Verdict]:
    """Each counter property's verdict by explicit BFS of the counter system at `count`."""
    at = replace(scenario, lo=count, hi=count)
    result, _ = explore(counter_system(at), BfsOptions(symmetry=False, check_deadlock=False))
    return {r.name: r.verdict for r in result.results}


def _disagrees(spec: CheckedSpec, workload: str, count: int, found: str) -> Diagnostic:
    return Diagnostic(codes.COUNTER_DISAGREEMENT, Severity.ERROR,
                      f"the counts of pods and the full model disagree on `{found}` at "
                      f"{count} replicas of `{workload}`",
                      notes=(Note("no parametric verdict is reported"),),
                      help="check the spec per count with `podcheck check`")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CountedSpec:
    """A spec loaded for `counts`: the checked spec at the range's lowest count (None
    after errors), the counted workload and its replica range."""

    loaded: Loaded
    workload: str = ""
    lo: int = 1
    hi: int = 1


def load_counted(path: str) -> CountedSpec:
    """Read, parse and check the `.pod` spec at `path` whose one range, if any, is a
    workload's `replicas` of any size: checked at its two ends (every field check runs
    there), not point by point as `podcheck check` does."""
    program = load_program(path, LoadOptions())
    if not program.files or any(d.severity is Severity.ERROR for d in program.diagnostics):
        return CountedSpec(Loaded(StageResult(None, program.diagnostics), program.sources))
    *imported, root = program.files
    out: list[Diagnostic] = []
    found = find_params(root, out)
    params = [f.param for f in found]
    if not out and (len(params) > 1 or (params and params[0].field != "replicas")):
        out.append(Diagnostic(codes.OUTSIDE_COUNTER_ABSTRACTION, Severity.ERROR,
                              "`podcheck counts` takes one range, a workload's `replicas`",
                              params[-1].span, help="write the other fields as single values"))
    specs: list[CheckedSpec] = []
    for end in sorted({params[0].lo, params[0].hi}) if params and not out else [None]:
        point = root if end is None else substitute(root, found, (end,))
        checked = check(point, LoadOptions(), imported, program.manifests) if not out else (
            StageResult(None, tuple(out)))
        if not checked.ok or checked.value is None:
            note = () if end is None else (Note("at the point " + point_words(params, (end,))),)
            return CountedSpec(Loaded(StageResult(None, program.diagnostics + tuple(
                replace(d, notes=(*d.notes, *note)) for d in checked.diagnostics)),
                program.sources))  # fmt: skip
        specs.append(checked.value)
    loaded = Loaded(StageResult(specs[0], program.diagnostics), program.sources)
    if params:
        return CountedSpec(loaded, params[0].name.rsplit(".", 1)[0], params[0].lo, params[0].hi)
    only = specs[0].workloads[0] if len(specs[0].workloads) == 1 else None
    return CountedSpec(loaded, only.name, only.replicas, only.replicas) if only else (
        CountedSpec(loaded))


def load_counted_manifests(path: str, manifests: ManifestOptions) -> CountedSpec:
    """The manifests at `path` whose one range, if any, is an autoscaler's replica range
    of any size (`every_count`), as `load_counted` reads a `.pod` spec."""
    loaded = load_inputs([path], replace(manifests, every_count=True))
    spec = loaded.result.value
    if spec is None:
        return CountedSpec(Loaded(loaded.result, loaded.sources))
    if len(spec.params) > 1 or (spec.params and spec.params[0].field != "replicas"):
        problem = Diagnostic(codes.OUTSIDE_COUNTER_ABSTRACTION, Severity.ERROR,
                             "`podcheck counts` takes one range, an autoscaler's replicas",
                             spec.params[-1].span, help="remove the range annotations")
        return CountedSpec(Loaded(StageResult(None, (*loaded.result.diagnostics, problem)),
                                  loaded.sources))  # fmt: skip
    at = Loaded(StageResult(spec.instances[0][1] if spec.params else spec,
                            loaded.result.diagnostics), loaded.sources)  # fmt: skip
    if spec.params:
        p = spec.params[0]
        return CountedSpec(at, p.name.rsplit(".", 1)[0], p.lo, p.hi)
    only = spec.workloads[0] if len(spec.workloads) == 1 else None
    return CountedSpec(at, only.name, only.replicas, only.replicas) if only else CountedSpec(at)


def counts_file(path: str, options: CountOptions = CountOptions(),
                manifests: ManifestOptions | None = None) -> CountsRun:
    """Load the spec at `path` (`load_counted`; manifests: `load_counted_manifests` with
    `manifests`) and decide its properties for every replica count of its range
    (`parametric_verdicts`)."""
    counted = (load_counted_manifests(path, manifests or ManifestOptions())
               if is_manifest_path(path) else load_counted(path))  # fmt: skip
    result, sources = counted.loaded.result, counted.loaded.sources
    if not result.ok or result.value is None:
        return CountsRun(path, result.diagnostics, sources)
    decided = parametric_verdicts(result.value, counted.workload, counted.lo, counted.hi,
                                  options)  # fmt: skip
    return CountsRun(path, result.diagnostics + decided.diagnostics, sources, decided.value)

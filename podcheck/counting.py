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
minReplicas..maxReplicas.  A PDB budget range next to the replica range (`minAvailable:
40%..60%`, a budget's range annotation) goes to `budgeted_verdicts`, once per budget
class (NOTE(counter-budget-range) in engine/counter_budget.py).

NOTE(counter-cross-check): before any verdict is reported, the counter system (explicit
BFS over counts) and the full model (explicit BFS of `model.compile_spec`, the liveness
check on its graph) are compared at replicas 1..`cross_check` (3), whatever the range
(the question is whether the abstraction describes this spec, and small counts keep the
full model small), property by property; a difference is PC505 and no verdict.  The
shape check keeps out what the counter system does not describe; the cross-check
catches what it missed.

NOTE(whole-run-budget): `CountOptions.deadline` (`--timeout`, from the start of the
process) bounds the whole run: each BFS of the cross-check stops at it, and each Z3 query
runs within what is left (and within `timeout_seconds`, `--query-timeout`); once it is
spent no query starts.  A cross-check the budget cut short reports no verdict (every
property open, the counts not checked named); a property or budget class not decided
by then is UNKNOWN with the reason `TIMEOUT`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from podcheck.counted_shape import counted_names, counter_scenario, disagreement, shaped_hint
from podcheck.diagnostics import Diagnostic, Note, Severity, Span, StageResult, codes
from podcheck.engine import pycompile
from podcheck.engine.bfs import BfsOptions, explore
from podcheck.engine.counter_budget import (
    FIELDS,
    BudgetedRange,
    BudgetRange,
    budget_classes,
    class_scenario,
)
from podcheck.engine.liveness import check_liveness
from podcheck.engine.parametric import (
    CountedRange,
    CounterScenario,
    CountVerdict,
    counter_system,
    smallest_failing,
)
from podcheck.engine.result import Limit, Verdict
from podcheck.engine.smt_values import TIMEOUT, Deadline
from podcheck.engine.symbolic import SymbolicEngine
from podcheck.exitcodes import ExitCode
from podcheck.ir import Expectation, Expr, State
from podcheck.lang.check import Loaded, check
from podcheck.lang.imports import LoadOptions, load_program
from podcheck.lang.params import find_params, point_words, substitute
from podcheck.limits import bounded
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.model.compile import compile_spec
from podcheck.spec import NO_SPAN, CheckedSpec
from podcheck.spec.params import Param

CROSS_CHECK = 3  # counts of the range checked explicitly before a verdict


@dataclass(frozen=True, slots=True)
class CountOptions:
    """Z3's budget per query (seconds: `--query-timeout`), the engine, up to which replica
    count the spec is cross-checked with explicit BFS (NOTE(counter-cross-check)), and
    the whole run's budget (`--timeout`: NOTE(whole-run-budget); None: none)."""

    timeout_seconds: float | None = 300.0
    engine: SymbolicEngine = SymbolicEngine.PDR
    cross_check: int = CROSS_CHECK
    deadline: Deadline | None = None


@dataclass(frozen=True, slots=True)
class CountsRun:
    """One `counts` run: diagnostics, sources and the verdicts (None after errors)."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    counted: CountedRange | BudgetedRange | None = None

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
    return _decided(spec, workload, scenario, drained, options)


def _decided(spec: CheckedSpec, workload: str, scenario: CounterScenario, drained: str,
             options: CountOptions) -> StageResult[CountedRange]:  # fmt: skip
    """Cross-check `spec` against `scenario`, then decide its properties over the counts
    (no verdict when the budget ran out in the cross-check: NOTE(whole-run-budget))."""
    names = counted_names(spec)
    wanted = tuple(range(1, options.cross_check + 1))  # small whatever the range
    budget = options.deadline or Deadline()
    problem, checked = _cross_check(spec, workload, scenario, wanted, budget)
    if problem:
        return StageResult(None, problem)
    if len(checked) < len(wanted):
        open_ = tuple((n, CountVerdict(c, Verdict.UNKNOWN, reason=TIMEOUT))
                      for n, c in names.items())  # fmt: skip
        return StageResult(CountedRange(workload, scenario, drained, open_, checked,
                                        wanted[len(checked):]))  # fmt: skip
    decided = smallest_failing(scenario, options.engine, options.timeout_seconds,
                               list(names.values()), budget)  # fmt: skip
    verdicts = tuple(zip(names, decided, strict=True))
    return StageResult(CountedRange(workload, scenario, drained, verdicts, checked))


def _cross_check(spec: CheckedSpec, workload: str, scenario: CounterScenario,
                 counts: tuple[int, ...], budget: Deadline,
                 ) -> tuple[tuple[Diagnostic, ...], tuple[int, ...]]:  # fmt: skip
    """NOTE(counter-cross-check) at `counts`: the diagnostics of the first difference
    (or of a model that does not compile), none when the two agree; and the counts
    compared before the budget ran out (all of them unless it did)."""
    done: list[int] = []
    for count in counts:
        explicit = explicit_verdicts(spec, workload, count, budget)
        if not explicit.ok:
            return explicit.diagnostics, tuple(done)
        counted = None if explicit.value is None else counter_verdicts(scenario, count, budget)
        if explicit.value is None or counted is None:  # the budget ran out
            break
        found = disagreement(spec, explicit.value, counted)
        if found is not None:
            return (_disagrees(spec, workload, count, found),), tuple(done)
        done.append(count)
    return (), tuple(done)


def budgeted_verdicts(spec: CheckedSpec, workload: str, lo: int, hi: int, budget: BudgetRange,
                      options: CountOptions = CountOptions()) -> StageResult[BudgetedRange]:
    """`parametric_verdicts` for every budget value of `budget` too: once per budget
    class (NOTE(budget-classes) in engine/counter_budget.py), each class cross-checked
    at its representative (NOTE(counter-cross-check))."""
    shaped = counter_scenario(spec, workload, lo, hi)
    if not shaped.ok or shaped.value is None:
        return StageResult(None, shaped.diagnostics)
    scenario, drained = shaped.value
    out = []
    for cls in budget_classes(budget, lo, hi):
        at = class_scenario(scenario, budget, cls)
        decided = _decided(with_budget(spec, budget, cls.values[0]), workload, at, drained,
                           options)  # fmt: skip
        if decided.value is None:
            return StageResult(None, decided.diagnostics)
        out.append((cls, decided.value))
    return StageResult(BudgetedRange(spec.pdbs[0].name, budget, tuple(out)))


def with_budget(spec: CheckedSpec, budget: BudgetRange, b: int) -> CheckedSpec:
    """`spec` with its one PDB's budget field set to the value b."""
    value = budget.value(b)
    (pdb,) = spec.pdbs
    pdb = (replace(pdb, minAvailable=value) if budget.field == "minAvailable"
           else replace(pdb, maxUnavailable=value))  # fmt: skip
    return replace(spec, pdbs=(pdb,))


def _at(spec: CheckedSpec, workload: str, count: int) -> CheckedSpec:
    """`spec` with `workload`'s replica count set to `count` (no parameters)."""
    return replace(spec, params=(), instances=(), workloads=tuple(
        replace(w, replicas=count) if w.name == workload else w for w in spec.workloads))


def explicit_verdicts(spec: CheckedSpec, workload: str, count: int,
                      budget: Deadline | None = None) -> StageResult[dict[str, Verdict]]:
    """Each property's verdict by explicit BFS of the full model at `count` replicas (the
    compiler's diagnostics when the model does not compile; no value and no diagnostic
    when `budget` ran out first: the BFS stops at it, the liveness check is stopped at
    the first tick past it, `limits.bounded`)."""
    if budget is None:
        return _explicit(spec, workload, count, None)
    left = budget.left()
    done = bounded(None if left is None else max(0.0, left),
                   lambda: _explicit(spec, workload, count, budget))
    return StageResult(None, ()) if done is None else done


def _stop(budget: Deadline | None) -> Callable[[], Limit | None] | None:
    """A BFS's `should_stop` at `budget` (read every 256 states, on the budget's clock)."""
    return None if budget is None else budget.stop


def _explicit(spec: CheckedSpec, workload: str, count: int,
              budget: Deadline | None) -> StageResult[dict[str, Verdict]]:  # fmt: skip
    if budget is not None and budget.expired():
        return StageResult(None, ())
    compiled = compile_spec(_at(spec, workload, count))
    system = compiled.value
    if not compiled.ok or system is None:
        return StageResult(None, compiled.diagnostics)
    result, graph = explore(system, BfsOptions(keep_graph=True, symmetry=False,
                                               check_deadlock=False, should_stop=_stop(budget)))
    if not result.stats.complete or (budget is not None and budget.expired()):
        return StageResult(None, ())  # stopped by the budget (no other limit was set)
    assert graph is not None

    def predicate(e: Expr) -> Callable[[State], bool]:
        return pycompile.compile_predicate(system, e)

    out: dict[str, Verdict] = {}
    for prop, res in zip(system.properties, result.results, strict=True):
        live = prop.expectation not in (Expectation.ALWAYS, Expectation.SOMETIMES)
        out[prop.name] = (check_liveness(graph, prop, compile_predicate=predicate).verdict
                          if live else res.verdict)  # fmt: skip
    return StageResult(out)


def counter_verdicts(scenario: CounterScenario, count: int,
                     budget: Deadline | None = None) -> dict[str, Verdict] | None:  # fmt: skip
    """Each counter property's verdict by explicit BFS of the counter system at `count`
    (None when `budget` ran out first)."""
    at = replace(scenario, lo=count, hi=count)
    result, _ = explore(counter_system(at), BfsOptions(symmetry=False, check_deadlock=False,
                                                       should_stop=_stop(budget)))  # fmt: skip
    return {r.name: r.verdict for r in result.results} if result.stats.complete else None


def _disagrees(spec: CheckedSpec, workload: str, count: int, found: str) -> Diagnostic:
    return Diagnostic(codes.COUNTER_DISAGREEMENT, Severity.ERROR,
                      f"the counts of pods and the full model disagree on `{found}` at "
                      f"{count} replicas of `{workload}`",
                      notes=(Note("no parametric verdict is reported"),),
                      help="check the spec per count with `podcheck check`")  # fmt: skip


@dataclass(frozen=True, slots=True)
class CountedSpec:
    """A spec loaded for `counts`: the checked spec at the ranges' lowest point (None
    after errors), the counted workload, its replica range and the budget range."""

    loaded: Loaded
    workload: str = ""
    lo: int = 1
    hi: int = 1
    budget: BudgetRange | None = None
    span: Span = NO_SPAN  # the replica range's


def _outside(params: Sequence[Param]) -> Param | None:
    """The first range `counts` does not take: anything beyond one workload's `replicas`
    and one PDB budget field (bounded, if at all, by that replica range)."""
    replicas = [p for p in params if p.field == "replicas"]
    budgets = [p for p in params if p.field in FIELDS]
    for p in params:
        if (p not in replicas[:1] and p not in budgets[:1]) or (
                p.upto and (not replicas or p.upto != replicas[0].name)):
            return p
    return None


def _counted(loaded: Loaded, params: Sequence[Param], spec: CheckedSpec) -> CountedSpec:
    """The `CountedSpec` of the checked `spec` whose ranges are `params` (`_outside` none)."""
    budget = next((BudgetRange(p.field, p.lo, p.hi, p.unit == "%", bool(p.upto))
                   for p in params if p.field in FIELDS), None)  # fmt: skip
    for p in params:
        if p.field == "replicas":
            return CountedSpec(loaded, p.name.rsplit(".", 1)[0], p.lo, p.hi, budget, p.span)
    only = spec.workloads[0] if len(spec.workloads) == 1 else None
    return CountedSpec(loaded, only.name, only.replicas, only.replicas, budget) if only else (
        CountedSpec(loaded, budget=budget))


def _ends(params: Sequence[Param]) -> list[tuple[int, ...]]:
    """The corners of the ranges' product (a bounded budget not beyond the replicas)."""
    where = {p.name: i for i, p in enumerate(params)}
    return [point for point in itertools.product(*(sorted({p.lo, p.hi}) for p in params))
            if all(not p.upto or point[i] <= point[where[p.upto]]
                   for i, p in enumerate(params))]  # fmt: skip


def load_counted(path: str) -> CountedSpec:
    """Read, parse and check the `.pod` spec at `path` whose ranges, if any, are a
    workload's `replicas` of any size and a PDB's budget: checked at the corners of
    their product (every field check runs there), not point by point as `podcheck
    check` does."""
    program = load_program(path, LoadOptions())
    if not program.files or any(d.severity is Severity.ERROR for d in program.diagnostics):
        return CountedSpec(Loaded(StageResult(None, program.diagnostics), program.sources))
    *imported, root = program.files
    out: list[Diagnostic] = []
    found = find_params(root, out)
    params = [f.param for f in found]
    bad = None if out else _outside(params)
    if bad is not None:
        out.append(Diagnostic(codes.OUTSIDE_COUNTER_ABSTRACTION, Severity.ERROR,
                              "`podcheck counts` takes two ranges, a workload's `replicas` "
                              "and a PDB's budget", bad.span,
                              help="write the other fields as single values"))  # fmt: skip
    specs: list[CheckedSpec] = []
    for end in _ends(params) if not out else [None]:
        point = root if end is None else substitute(root, found, end)
        checked = check(point, LoadOptions(), imported, program.manifests) if not out else (
            StageResult(None, tuple(out)))
        if not checked.ok or checked.value is None:
            note = () if end is None else (Note("at the point " + point_words(params, end)),)
            return CountedSpec(Loaded(StageResult(None, program.diagnostics + tuple(
                replace(d, notes=(*d.notes, *note)) for d in checked.diagnostics)),
                program.sources))  # fmt: skip
        specs.append(checked.value)
    loaded = Loaded(StageResult(specs[0], program.diagnostics), program.sources)
    return _counted(loaded, params, specs[0])


def load_counted_manifests(path: str, manifests: ManifestOptions) -> CountedSpec:
    """The manifests at `path` whose ranges, if any, are an autoscaler's replica range of
    any size (`every_count`) and a budget's range annotation, as `load_counted` reads a
    `.pod` spec."""
    loaded = load_inputs([path], replace(manifests, every_count=True))
    spec = loaded.result.value
    if spec is None:
        return CountedSpec(Loaded(loaded.result, loaded.sources))
    bad = _outside(spec.params)
    if bad is not None:
        problem = Diagnostic(codes.OUTSIDE_COUNTER_ABSTRACTION, Severity.ERROR,
                             "`podcheck counts` takes two ranges, an autoscaler's replicas "
                             "and a budget's range annotation", bad.span,
                             help="remove the other range annotations")  # fmt: skip
        return CountedSpec(Loaded(StageResult(None, (*loaded.result.diagnostics, problem)),
                                  loaded.sources))  # fmt: skip
    at = Loaded(StageResult(spec.instances[0][1] if spec.params else spec,
                            loaded.result.diagnostics), loaded.sources)  # fmt: skip
    return _counted(at, spec.params, spec)


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
    decided: StageResult[CountedRange] | StageResult[BudgetedRange] = (
        parametric_verdicts(result.value, counted.workload, counted.lo, counted.hi, options)
        if counted.budget is None else budgeted_verdicts(
            result.value, counted.workload, counted.lo, counted.hi, counted.budget, options))
    return CountsRun(path, result.diagnostics + decided.diagnostics, sources, decided.value)


def hint_of_file(path: str) -> tuple[Diagnostic, Mapping[str, str]] | None:
    """NOTE(counts-hint) for a `.pod` spec `check` stopped while loading (every point of
    its ranges is checked there): the spec read as `counts` reads it, at the corners of
    its ranges only (`load_counted`); PC506 and the sources if `counts` takes it."""
    counted = load_counted(path)
    first = counted.loaded.result.value
    if first is None or not counted.workload:
        return None
    also = "" if counted.budget is None else f" and every {counted.budget.field} of its range"
    hint = shaped_hint(first, f"{counted.workload}.replicas", counted.lo, counted.hi, path,
                       counted.span, also)  # fmt: skip
    return None if hint is None else (hint, counted.loaded.sources)

"""Replica ranges: every count checked, and the counts at which each property fails.

Stage: a driver, called by `podcheck.check` once a spec is loaded.  A Deployment's,
ReplicaSet's or StatefulSet's `replicas` written as a range (`replicas: 2..10` in a
`.pod` spec, or a HorizontalPodAutoscaler's `minReplicas..maxReplicas` in YAML,
`manifests/build.py`) is a parameter whose points are the counts.

NOTE(per-count-runs): with the explicit engines, each count is one ordinary run of the
spec at that count (`check_counts`: its own compiled model, with the symmetry of its
interchangeable pods and the liveness checker's quotient, which a merged system of
every count would lose: the pods beyond a count are absent there, so no two counts
share a slot layout).  The runs share what they can: one load and one set of checked
point specs (the front end checks every count once), the whole run's limits, and the
verdict table.  The combined result has, per property, the verdict over the range
(violated at some count; holds at all; else undecided), the run of the smallest count
where it fails, and a `CountVerdicts` naming the counts.  With the symbolic engines the
merged system is proved for every count at once (a frozen parameter is one more Z3
integer), and only a property that did not hold there is decided count by count
(`engine.counts.per_value`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from podcheck.diagnostics import Diagnostic, StageResult
from podcheck.engine.counts import needs_counts, per_value
from podcheck.engine.params import parametric_of
from podcheck.engine.result import (
    CheckResult,
    CountVerdicts,
    FairSearch,
    PropertyResult,
    SafetySearch,
    Stats,
    Verdict,
)
from podcheck.engine.symbolic import SYMBOLIC_ENGINES
from podcheck.limits import Watch
from podcheck.run import CheckRun
from podcheck.spec import CheckedSpec, WorkloadKind

SCALED = (WorkloadKind.DEPLOYMENT, WorkloadKind.REPLICASET, WorkloadKind.STATEFULSET)

Point = tuple[int, ...]
OneRun = Callable[[StageResult[CheckedSpec]], CheckRun]


def replica_params(spec: CheckedSpec) -> tuple[int, ...]:
    """The indices of `spec.params` that are the replica count of a Deployment,
    ReplicaSet or StatefulSet (a parameter named `WORKLOAD.replicas`)."""
    scaled = {w.name for w in spec.workloads if w.kind in SCALED}
    return tuple(i for i, p in enumerate(spec.params)
                 if p.field == "replicas" and p.name.rsplit(".", 1)[0] in scaled)


def per_count(spec: CheckedSpec, engine: str) -> bool:
    """True when `spec` is checked one count at a time (NOTE(per-count-runs)): every
    parameter is a replica count and the engine is explicit."""
    return (engine not in SYMBOLIC_ENGINES and bool(spec.params)
            and len(replica_params(spec)) == len(spec.params))


def check_counts(path: str, spec: CheckedSpec, diagnostics: Sequence[Diagnostic],
                 sources: Mapping[str, str], run_one: OneRun) -> CheckRun:  # fmt: skip
    """One run per point of `spec` (`run_one` checks a point's spec), combined: the
    first run without a result (an error, or a limit before any verdict) ends it, and a
    limit reached leaves the later counts out of the verdict table."""
    runs: list[tuple[Point, CheckRun]] = []
    for point, instance in spec.instances:
        run = run_one(StageResult(instance, ()))
        if run.result is None:
            told = tuple(dict.fromkeys((*diagnostics, *run.diagnostics)))
            return replace(run, diagnostics=told, sources=sources)
        runs.append((point, run))
        if run.limit is not None:
            break
    told = tuple(dict.fromkeys((*diagnostics, *(d for _, r in runs for d in r.diagnostics))))
    never = set.intersection(*(set(r.vacuous) for _, r in runs))
    vacuous = tuple(f for f in runs[0][1].vacuous if f in never)
    stopped = next((r.stopped for _, r in runs if r.stopped is not None), None)
    return CheckRun(path, told, sources, combined(spec, runs), stopped=stopped, vacuous=vacuous)


def combined(spec: CheckedSpec, runs: Sequence[tuple[Point, CheckRun]]) -> CheckResult:
    """The verdict table over the counts of `runs` (NOTE(per-count-runs))."""
    results = [r.result for _, r in runs if r.result is not None]
    first = results[0]
    every = len(runs) == len(spec.instances)  # else a limit left the later counts out
    stats = Stats(sum(r.stats.states for r in results), sum(r.stats.transitions for r in results),
                  max(r.stats.depth for r in results), sum(r.stats.seconds for r in results),
                  max(r.stats.peak_bytes for r in results),
                  every and all(r.stats.complete for r in results))  # fmt: skip
    points = [p for p, _ in runs]
    table = tuple(_property(spec, k, points, [r.results[k] for r in results], stats.states,
                            first.engine, every) for k in range(len(first.results)))  # fmt: skip
    deadlock = next((r.deadlock for r in results if r.deadlock is not None), None)
    limit = next((r.limit for r in results if r.limit is not None), None)
    return replace(first, results=table, stats=stats, deadlock=deadlock, limit=limit)


def _property(spec: CheckedSpec, k: int, points: Sequence[Point],
              each: Sequence[PropertyResult], states: int, engine: str,
              every: bool = True) -> PropertyResult:  # fmt: skip
    """Property `k` over the counts: the run of the first count where it fails, else
    the first undecided one, else (it holds at every count run) the first with every
    count's states in its reason, undecided when a limit left counts unrun (`every`
    False: a run that held up to there never says `holds` for the range)."""
    failing = [i for i, r in enumerate(each) if r.verdict is Verdict.VIOLATED]
    unknown = [i for i, r in enumerate(each) if r.verdict is Verdict.UNKNOWN]
    chosen = (failing or unknown or [0])[0]
    out = each[chosen]
    if not failing and not unknown and isinstance(out.reason, SafetySearch | FairSearch):
        out = replace(out, reason=replace(out.reason, states=states))
    if not failing and not unknown and not every:
        out = replace(out, verdict=Verdict.UNKNOWN)
    shown = None if out.trace is None else chosen
    counts = tuple(_counts(spec, index, points, each, shown, engine)
                   for index in replica_params(spec))  # fmt: skip
    return replace(out, counts=counts)


def _counts(spec: CheckedSpec, index: int, points: Sequence[Point],
            each: Sequence[PropertyResult], shown: int | None, engine: str) -> CountVerdicts:
    """The values of parameter `index`: failing where some point with it fails, holding
    where every point with it holds, else undecided; and the value of the run shown."""
    param = spec.params[index]
    verdicts: dict[int, set[Verdict]] = {}
    for point, r in zip(points, each, strict=True):
        verdicts.setdefault(point[index], set()).add(r.verdict)
    failing = tuple(v for v, got in sorted(verdicts.items()) if Verdict.VIOLATED in got)
    holding = tuple(v for v, got in sorted(verdicts.items()) if got == {Verdict.HOLDS})
    left = tuple(v for v in param.values if v not in failing and v not in holding)
    at = None if shown is None else points[shown][index]
    return CountVerdicts(param.field, failing, holding, left, engine, at)


def with_counts(result: CheckResult, spec: CheckedSpec, watch: Watch,
                engine: str) -> CheckResult:  # fmt: skip
    """A symbolic run's `result` on the merged system, with per-count verdicts for each
    replica range of `spec` on the properties that did not hold for every count at once
    (NOTE(per-count-runs)); unchanged without a range or when every property held.  A
    limit reached meanwhile leaves the remaining counts undecided."""
    indices = replica_params(spec)
    if not indices or not needs_counts(result):
        return result
    merged = parametric_of(result.system, spec.params)
    with watch.cooperating():
        for index in indices:
            result = per_value(merged, index, result, engine,
                               lambda: watch.stop is not None)  # fmt: skip
    return result

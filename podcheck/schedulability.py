"""The driver behind `podcheck fit SPEC`: do the spec's pods fit its nodes after each
drain and node failure the environment allows?  (issue 12, bin packing in Z3.)

Stage: a driver, like `podcheck.check`.  Loads the spec, builds the `engine.binpack`
problem with the model's kube adapters (the effective requests of `PodRequests` scaled
to exact integers, `model.capacity.scaled_resources`; the static filters of
`kube_adapter.daemon_runs_on`: nodeSelector, required node affinity, NoSchedule /
NoExecute taints; the rules between pods, anti-affinity, topology spread and required
pod affinity, through kube's parsed placement: NOTE(binpack-placement),
NOTE(binpack-affinity), NOTE(binpack-spread-order)), asks Z3 per scenario and returns a
`FitRun` for `report.binpack`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from podcheck.diagnostics import Diagnostic, StageResult
from podcheck.engine.binpack import (
    Affine,
    Apart,
    Fit,
    PackNode,
    PackPod,
    Problem,
    Skew,
    Spread,
    check_all,
    scenarios,
)
from podcheck.engine.result import Limit
from podcheck.engine.smt_values import Deadline
from podcheck.exitcodes import ExitCode
from podcheck.lang.check import LoadOptions, load_with_sources
from podcheck.manifests import ManifestOptions, is_manifest_path, load_inputs
from podcheck.model.capacity import scaled_resources
from podcheck.model.kube_adapter import (
    Placement,
    daemon_runs_on,
    effective_requests,
    node_view,
    placement,
)
from podcheck.spec import CheckedSpec, DrainMode, Node, PodTemplate, Workload, WorkloadKind


@dataclass(frozen=True, slots=True)
class FitRun:
    """One `fit` run: diagnostics, sources, the problem and one `Fit` per scenario."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    sources: Mapping[str, str]
    problem: Problem | None = None
    fits: tuple[Fit, ...] = ()
    # per workload with requests: its effective requests (PodRequests: init containers'
    # maximum, sidecars added), as exact quantities, in spec order
    requests: tuple[tuple[str, tuple[tuple[str, Decimal], ...]], ...] = ()
    stopped: Limit | None = None  # the whole run's budget left scenarios undecided

    @property
    def left(self) -> tuple[Fit, ...]:
        """The scenarios the budget left undecided (none unless `stopped`)."""
        return tuple(f for f in self.fits if f.fits is None) if self.stopped else ()

    @property
    def smallest_failing(self) -> Fit | None:
        """The first scenario (fewest nodes away) in which the pods do not fit."""
        return next((f for f in self.fits if f.fits is False), None)

    @property
    def exit_code(self) -> ExitCode:
        """OK when every scenario fits, VIOLATED when one does not, INCONCLUSIVE when Z3
        left one undecided, INPUT_ERROR without a problem."""
        if self.problem is None:
            return ExitCode.INPUT_ERROR
        if self.smallest_failing is not None:
            return ExitCode.VIOLATED
        return ExitCode.OK if all(f.fits for f in self.fits) else ExitCode.INCONCLUSIVE


def _copies(w: Workload) -> int:
    if w.kind in (WorkloadKind.DEPLOYMENT, WorkloadKind.REPLICASET, WorkloadKind.STATEFULSET):
        return w.replicas
    if w.kind == WorkloadKind.JOB:
        return min(w.parallelism, w.completions)
    return 1  # a bare pod


def problem_of(spec: CheckedSpec) -> Problem:
    """The pods (a workload's replicas named `NAME-0` ...; a DaemonSet's pod per node it
    runs on, pinned) and nodes of `spec` (NOTE(binpack-rules) in engine/binpack.py)."""
    caps, reqs = scaled_resources(spec.nodes, [w.template for w in spec.workloads])
    pods: list[PackPod] = []
    templates: list[PodTemplate] = []
    for w, req in zip(spec.workloads, reqs, strict=True):
        allowed = tuple(q for q, n in enumerate(spec.nodes) if daemon_runs_on(n, w.template))
        requests = tuple(sorted(req.items()))
        before = len(pods)
        if w.kind == WorkloadKind.DAEMONSET:
            pods += [PackPod(f"{w.name}-{spec.nodes[q].name}", requests, (q,), pinned=True)
                     for q in allowed]
        else:
            pods += [PackPod(w.name if w.kind == WorkloadKind.POD else f"{w.name}-{i}",
                             requests, allowed) for i in range(_copies(w))]  # fmt: skip
        templates += [w.template] * (len(pods) - before)
    nodes = tuple(PackNode(n.name, tuple(sorted(c.items()))) for n, c in zip(spec.nodes, caps,
                                                                             strict=True))
    placements = [placement(t, p.name) for t, p in zip(templates, pods, strict=True)]
    apart = anti_affinities(placements, spec.nodes)
    spread, skews = spreads(placements, spec.nodes)
    return Problem(tuple(pods), nodes, apart, spread, affinities(placements, spec.nodes), skews)


def anti_affinities(pods: list[Placement], nodes: tuple[Node, ...]) -> tuple[Apart, ...]:
    """Every pair an anti-affinity term keeps apart (NOTE(binpack-placement)), read
    through kube's parsed terms."""
    views = [node_view(n) for n in nodes]
    apart = [Apart(min(i, j), max(i, j), tuple(v.labels.get(t.topology_key, "") for v in views))
             for i, a in enumerate(pods) for j, b in enumerate(pods) if i != j
             for t in a.pod.anti_affinity if t.matches(b.pod, {})]  # fmt: skip
    return tuple(dict.fromkeys(apart))


def spreads(pods: list[Placement], nodes: tuple[Node, ...]) -> tuple[
        tuple[Spread, ...], tuple[Skew, ...]]:  # fmt: skip
    """Every hard spread constraint: a closed group's as one final-state `Spread` when no
    pod has pod affinity, every other one as a `Skew` per pod and constraint
    (NOTE(binpack-spread-order)).  Domains are those of the nodes that match the pod's
    required node affinity and carry every constraint's key (kube `domain_counts`)."""
    views = [node_view(n) for n in nodes]
    affine = any(p.pod.affinity for p in pods)
    groups: dict[tuple[int, ...], Spread] = {}
    skews: list[Skew] = []
    for i, p in enumerate(pods):
        keys = [c.topology_key for c in p.spread]
        eligible = [q for q, v in enumerate(views)
                    if p.node_affinity.matches(v) and all(k in v.labels for k in keys)]
        for c in p.spread:
            by: dict[str, list[int]] = {}
            for q in eligible:
                by.setdefault(views[q].labels[c.topology_key], []).append(q)
            domains = tuple((d, tuple(qs)) for d, qs in sorted(by.items()))
            few = not by or (c.min_domains is not None and len(by) < c.min_domains)
            matched = tuple(j for j, o in enumerate(pods) if o.pod.namespace == p.pod.namespace
                            and c.selector.matches(o.pod.labels))  # fmt: skip
            if not affine and _closed(pods, i, matched):
                groups[matched] = Spread(matched, c.max_skew, domains, few)
            else:
                skews.append(Skew(i, c.max_skew, domains, tuple(j for j in matched if j != i),
                                  i in matched, few))  # fmt: skip
    return tuple(groups.values()), tuple(skews)


def _closed(pods: list[Placement], i: int, matched: tuple[int, ...]) -> bool:
    """Pod i's one constraint is carried by every pod it matches, with the same node
    affinity (the final-state rule of NOTE(binpack-placement) holds)."""
    p = pods[i]
    return len(p.spread) == 1 and i in matched and all(
        pods[j].spread == p.spread and pods[j].node_affinity == p.node_affinity
        for j in matched)


def affinities(pods: list[Placement], nodes: tuple[Node, ...]) -> tuple[Affine, ...]:
    """Every pod's required pod affinity (NOTE(binpack-affinity)), read through kube's
    parsed terms: each term's topology values per node, the other pods matching every
    term, and whether the pod matches them itself."""
    views = [node_view(n) for n in nodes]
    out = []
    for i, p in enumerate(pods):
        terms = p.pod.affinity
        if not terms:
            continue
        matches = tuple(j for j, o in enumerate(pods)
                        if j != i and all(t.matches(o.pod, {}) for t in terms))  # fmt: skip
        out.append(Affine(i, tuple(tuple(v.labels.get(t.topology_key, "") for v in views)
                                   for t in terms), matches,
                          all(t.matches(p.pod, {}) for t in terms)))  # fmt: skip
    return tuple(out)


def fit_file(path: str, options: LoadOptions | None = None,
             manifests: ManifestOptions | None = None, deadline: Deadline | None = None,
             query_seconds: float | None = None) -> FitRun:
    """Load the spec (or the manifests, read with `manifests`) at `path` and pack its pods
    in every scenario of its environment, each Z3 query within `query_seconds`
    (`--query-timeout`) and all of them within `deadline` (`--timeout`, from the start
    of the process: NOTE(whole-run-budget)); the scenarios left once it is spent are
    undecided and the run `stopped`."""
    loaded = (load_inputs([path], manifests or ManifestOptions()) if is_manifest_path(path)
              else load_with_sources(path, options or LoadOptions()))  # fmt: skip
    result: StageResult[CheckedSpec] = loaded.result
    if not result.ok or result.value is None:
        return FitRun(path, result.diagnostics, loaded.sources)
    spec = result.value
    problem = problem_of(spec)
    names = [n.name for n in spec.nodes]
    env = spec.environment
    sets = scenarios([names.index(d) for d in env.drain], env.nodeFailures, len(names),
                     env.drainMode is DrainMode.CONCURRENT)  # fmt: skip
    requests = tuple((w.name, tuple(r.items())) for w in spec.workloads
                     if (r := effective_requests(w.template)))  # fmt: skip
    fits = check_all(problem, sets, deadline, query_seconds)
    spent = deadline is not None and deadline.expired() and any(f.fits is None for f in fits)
    return FitRun(path, result.diagnostics, loaded.sources, problem, fits, requests,
                  Limit.TIMEOUT if spent else None)

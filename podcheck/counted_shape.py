"""Which specs `podcheck counts` decides over counts of pods, and how they map onto the
counter system (issue 12, item 3).

Stage: part of the driver `podcheck.counting`.  Consumes a `CheckedSpec`; produces the
`engine.parametric.CounterScenario` it describes, or the PC504 diagnostic naming the
first part of the spec outside the shape below.

NOTE(counter-shape): the counter system of NOTE(counter-abstraction) counts the pods of
one workload per (status, node) on M interchangeable nodes (NOTE(counter-drains)).  A
spec maps onto it exactly when: its one workload is a Deployment or a ReplicaSet (the
counted replicas; a Deployment may roll out `rollouts` template changes with its
RollingUpdate strategy, whose old and new pods are counted apart: NOTE(counter-rollout)
in engine/counter_rollout.py; a Recreate strategy or a ReplicaSet's rollout is not); its
containers start and stay up (default behaviour, no startup or liveness probe; a
readiness probe only delays Ready), with restartPolicy Always, no init containers, no
deadline, no resource requests and no placement rules (nodeSelector, affinities,
spread); its nodes (any number) have no taints; one PDB selects the pods (minAvailable
or maxUnavailable, int or percent, either unhealthyPodEvictionPolicy); the environment
drains some nodes (mapped to the counter system's first nodes, the nodes being
interchangeable), one at a time (at most maxConcurrentDrains cordoned, each uncordoned
once empty) or concurrently, without --timeout, may fail nodes, and does nothing else
(no recoveries, zone failures, deletes, scale-downs, fairness overrides,
disruptions from the first state); and the properties are the built-in checks
`budget-respected` (the counter property SafeEvictions), `drain-completes`
(DrainNeverStuck, the safety property that decides it: NOTE(counter-abstraction)) and
`rollout-progresses` of a RollingUpdate Deployment with a progress deadline that
outlasts a readiness wait plus a graceful termination (RolloutNeverStuck:
NOTE(counter-progress) in engine/counter_progress.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from podcheck.diagnostics import Diagnostic, Note, Severity, Span, StageResult, codes
from podcheck.engine.counter_budget import FIELDS
from podcheck.engine.parametric import MAX_REPLICAS, CounterScenario
from podcheck.engine.result import Verdict
from podcheck.kube.rollout import has_progress_deadline
from podcheck.model.kube_adapter import selects
from podcheck.spec import (
    NO_SPAN,
    Behavior,
    CheckedSpec,
    DisruptionStart,
    DrainMode,
    Start,
    Workload,
)
from podcheck.vocab import (
    DeploymentStrategyType,
    RestartPolicy,
    UnhealthyPodEvictionPolicy,
    WorkloadKind,
)

# a spec's built-in check -> the counter property that decides it
COUNTED: Mapping[str, str] = {"budget-respected": "SafeEvictions",
                              "drain-completes": "DrainNeverStuck",
                              "rollout-progresses": "RolloutNeverStuck"}  # fmt: skip
PROGRESS = "rollout-progresses"  # model/progress.py CHECK
_COUNTED_KINDS = (WorkloadKind.DEPLOYMENT, WorkloadKind.REPLICASET)

Problem = tuple[str, Span]


def _template_problems(w: Workload) -> Iterator[Problem]:
    t = w.template
    if t.initContainers:
        yield "init containers", t.initContainers[0].span
    placement = (t.nodeSelector, t.nodeAffinity, t.podAffinity, t.podAntiAffinity,
                 t.topologySpread, t.tolerations)  # fmt: skip
    if any(placement):
        yield "placement rules (nodeSelector, affinity, spread, tolerations)", t.span
    if t.restartPolicy is not RestartPolicy.ALWAYS or t.activeDeadlineSeconds is not None:
        yield "a restartPolicy other than Always or an activeDeadlineSeconds", t.span
    for c in t.containers:
        if c.startupProbe is not None or c.livenessProbe is not None:
            yield f"a startup or liveness probe (container `{c.name}`)", c.span
        if c.requests:
            yield f"resource requests (container `{c.name}`)", c.span
        quiet = Behavior(name=c.behavior.name)
        if c.behavior != quiet or c.restartPolicy is not None:
            yield f"a behaviour other than start and stay up (container `{c.name}`)", c.span


def _progress_problems(w: Workload) -> Iterator[Problem]:
    """What keeps `rollout-progresses` out of the counter system (NOTE(counter-progress)
    in engine/counter_progress.py): no RollingUpdate Deployment with a deadline, or a
    readiness wait plus a graceful termination that may outlast the deadline."""
    if w.kind is not WorkloadKind.DEPLOYMENT or (
            w.strategy is not DeploymentStrategyType.ROLLING_UPDATE):
        yield "`rollout-progresses` of anything but a RollingUpdate Deployment", w.span
        return
    if not has_progress_deadline(w.progressDeadlineSeconds):
        yield "`rollout-progresses` without a progress deadline", w.span
        return
    probes = [c.readinessProbe for c in w.template.containers if c.readinessProbe is not None]
    ready = max((p.initialDelaySeconds + p.periodSeconds * p.successThreshold for p in probes),
                default=0)
    if ready + w.template.terminationGracePeriodSeconds + 2 > w.progressDeadlineSeconds:
        yield ("a readiness wait and a termination grace period longer than "
               f"progressDeadlineSeconds ({w.progressDeadlineSeconds}s)"), w.span


def _problems(spec: CheckedSpec, workload: str) -> Iterator[Problem]:
    chosen = [w for w in spec.workloads if w.name == workload]
    if len(spec.workloads) != 1 or not chosen:
        yield f"a spec whose one workload is `{workload}`", NO_SPAN
        return
    w = chosen[0]
    if w.kind not in _COUNTED_KINDS:
        yield f"a {w.kind.value} (only a Deployment's or ReplicaSet's pods are counted)", w.span
    yield from _template_problems(w)
    if not spec.nodes or any(n.taints for n in spec.nodes):
        where = spec.nodes[0].span if spec.nodes else w.span
        yield "nodes with taints (the counted nodes are interchangeable)", where
    if len(spec.pdbs) != 1 or not selects(spec.pdbs[0], w.template):
        yield "a spec without exactly one PDB selecting the pods", w.span
    env = spec.environment
    same = (env.nodeRecoveries, env.zoneFailures, env.podDeletes, env.fairness,
            env.disruptionsStart, env.scaleDown, env.drainTimeout, env.start) == (
        0, 0, 0, (), DisruptionStart.FROM_START, (), None, Start.PENDING)  # fmt: skip
    rolling = (w.kind is WorkloadKind.DEPLOYMENT
               and w.strategy is DeploymentStrategyType.ROLLING_UPDATE)
    if env.rollouts and not rolling:
        yield "rollouts other than a Deployment's RollingUpdate", w.span
    if not env.drain or not same or env.nodeFailures > len(spec.nodes):
        yield ("an environment other than drained nodes (without --timeout) and node "
               "failures"), env.span
    named = {"budget-respected": {b.name for b in spec.pdbs}, "drain-completes": set(env.drain),
             PROGRESS: {w.name}}
    for p in spec.properties:
        if p.builtin is None or p.builtin not in COUNTED or not set(p.args) <= named[p.builtin]:
            yield (f"the property `{p.name}` (only `budget-respected`, `drain-completes` and "
                   "`rollout-progresses`)"), p.span
        elif p.builtin == PROGRESS:
            yield from _progress_problems(w)
    if not spec.properties:
        yield "a spec without `check budget-respected` or `check drain-completes`", w.span


def counter_scenario(spec: CheckedSpec, workload: str, lo: int,
                     hi: int) -> StageResult[tuple[CounterScenario, str]]:  # fmt: skip
    """The counter scenario of `spec` for `workload`'s replica counts `lo..hi` and the
    drained node's name (NOTE(counter-shape)); PC504 naming the first problem otherwise."""
    problem = next(_problems(spec, workload), None)
    if problem is None and not 1 <= lo <= hi <= MAX_REPLICAS:
        problem = f"the replica range {lo}..{hi} (1 <= lo <= hi <= {MAX_REPLICAS})", NO_SPAN
    if problem is not None:
        what, span = problem
        return StageResult(None, (Diagnostic(
            codes.OUTSIDE_COUNTER_ABSTRACTION, Severity.ERROR,
            f"`podcheck counts` does not model {what}", span,
            help="check the spec with `podcheck check`, or see docs/smt.md for the shape "
                 "the counts of pods describe"),))  # fmt: skip
    pdb, env, w = spec.pdbs[0], spec.environment, spec.workloads[0]
    one_at_a_time = env.drainMode is DrainMode.ONE_AT_A_TIME
    drains = len(env.drain)
    scenario = CounterScenario(
        lo, hi, pdb.minAvailable, pdb.maxUnavailable, failures=env.nodeFailures,
        drains=drains,
        always_allow=pdb.unhealthyPodEvictionPolicy is UnhealthyPodEvictionPolicy.ALWAYS_ALLOW,
        nodes=len(spec.nodes), watch=drains,
        max_cordoned=env.maxConcurrentDrains if one_at_a_time else None,
        uncordon=one_at_a_time, rollouts=env.rollouts, max_surge=w.maxSurge,
        roll_unavailable=w.maxUnavailable,
        progress=any(p.builtin == PROGRESS for p in spec.properties))  # fmt: skip
    return StageResult((scenario, ", ".join(env.drain)))


def counted_names(spec: CheckedSpec) -> dict[str, str]:
    """Each property of a spec of the shape (by name) -> the counter property deciding it."""
    return {p.name: COUNTED[p.builtin] for p in spec.properties
            if p.builtin is not None and p.builtin in COUNTED}  # fmt: skip


def disagreement(spec: CheckedSpec, explicit: Mapping[str, Verdict],
                 counted: Mapping[str, Verdict]) -> str | None:  # fmt: skip
    """The first property of `spec` whose explicit verdict differs from its counter
    property's (None when they agree)."""
    for name, counter in counted_names(spec).items():
        if counted[counter] is not explicit[name]:
            return name
    return None


def counts_hint(spec: CheckedSpec, path: str) -> Diagnostic | None:
    """NOTE(counts-hint): PC506 when `podcheck check` is given a spec (`spec`, with its
    parameters and points) whose replica range, and at most a budget range bounded by it,
    `podcheck counts` takes and whose first point has the shape of NOTE(counter-shape):
    the command that proves the range at once, said before `check` explores (the issue
    12 audit: `replicas: 1..50` gave no answer in 300 s, `counts` one in 3.4 s).  `path`
    is what the command is given: the file, and the manifest flags of the run."""
    replicas = [p for p in spec.params if p.field == "replicas"]
    others = [p for p in spec.params if p.field != "replicas"]
    if len(replicas) != 1 or not spec.instances or len(others) > 1 or any(
            p.field not in FIELDS or (p.upto and p.upto != replicas[0].name) for p in others):
        return None
    p = replicas[0]
    also = "".join(f" and every `{o.name}` in {o.shown(o.lo)}.."
                   f"{o.upto.rsplit('.', 1)[-1] if o.upto else o.shown(o.hi)}" for o in others)
    return shaped_hint(spec.instances[0][1], p.name, p.lo, p.hi, path, p.span, also)


def shaped_hint(first: CheckedSpec, name: str, lo: int, hi: int, path: str,
                span: Span = NO_SPAN, also: str = "") -> Diagnostic | None:  # fmt: skip
    """PC506 for the replica range `name` (`WORKLOAD.replicas`) in `lo..hi` (and the
    budget range `also` says) whose lowest point is `first`, when `counts` takes it
    (NOTE(counts-hint))."""
    if lo == hi or not counter_scenario(first, name.rsplit(".", 1)[0], lo, hi).ok:
        return None
    names = ", ".join(f"`{n}`" for n in counted_names(first))
    return Diagnostic(
        codes.COUNTS_DECIDES_RANGE, Severity.NOTE,
        f"`podcheck counts {path}` decides {names} for every count of `{name}` in "
        f"{lo}..{hi}{also} at once", span,
        notes=(Note(f"`podcheck check` explores the {hi - lo + 1} counts one at a time, each "
                    "with its own state space"),),
        help=f"run `podcheck counts {path}`: it proves them over counts of pods (Spacer) "
             "or names the smallest failing count")  # fmt: skip

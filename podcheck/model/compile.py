"""The model compiler: a checked spec becomes one transition system.

Stage: `podcheck.model`.  Consumes a `spec.CheckedSpec` and `ModelOptions`; produces
`StageResult[ir.TransitionSystem]` with PC3xx diagnostics.  Runs only when the front
end produced no error (NOTE(stage-gating)).

The order of construction (each step only reads what earlier ones declared):
  1. nodes, pod slots, one pod model per slot, and the counters (slots.py);
  2. PDB budgets (budgets.py, constants from podcheck.kube through kube_adapter.py);
  3. the actions, one module per Kubernetes actor: scheduler, then per workload its
     controller (deployment.py, replicaset.py, job.py, daemonset.py), kubectl drain,
     the eviction API, involuntary failures, taint eviction, endpoints; then the clock's
     "time passes";
  4. `terminal`, the display views, and the properties (props.py).
Fairness overrides of the spec (`environment.fairness`, keyed by an action class or an
actor) are resolved into each action as it is declared (`Builder.overrides`).

NOTE(settle-first): the environment's disruptions (drains, node and zone failures,
direct deletes, rollouts) may happen from the first state on; with `disruptionsStart:
once-settled` only once every long-running workload has come up (all its pods bound
and Ready, or finished).  A declared disruption no state enables is reported by the
driver (PC503, podcheck/vacuity.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from podcheck import ir, spec
from podcheck.diagnostics import Diagnostic, Severity, Span, StageResult, codes
from podcheck.kube.errors import KubeInputError
from podcheck.model.autoscaler import declare_scale_down
from podcheck.model.budgets import Budget, budget_views, budgets
from podcheck.model.clock import Clock
from podcheck.model.cluster import NODE_DOWN, PHASES, Cluster, PodFactory, PodLike
from podcheck.model.cronjob import declare_cronjob
from podcheck.model.daemonset import declare_daemonset
from podcheck.model.deployment import declare_deployment
from podcheck.model.drain import declare_drain
from podcheck.model.endpoints import declare_endpoints
from podcheck.model.eviction_api import declare_evictions
from podcheck.model.failures import declare_failures
from podcheck.model.job import (
    declare_job,
    job_complete,
    job_failed,
    policy_failed,
    restart_reads,
)
from podcheck.model.layout import Builder
from podcheck.model.observables import restart_bound, tracking_for
from podcheck.model.options import ModelOptions
from podcheck.model.pod import PodContext, PodModel
from podcheck.model.progress import declare_progress
from podcheck.model.progress import synchronise as sync_progress
from podcheck.model.progress import wanted as progress_wanted
from podcheck.model.props import PropertyCompiler
from podcheck.model.replicaset import declare_replicaset
from podcheck.model.scheduler import declare_scheduler
from podcheck.model.slots import build_cluster, symmetry_groups
from podcheck.model.statefulset import declare_statefulset
from podcheck.model.taint_eviction import (
    declare_taint_eviction,
    static_taint_timers,
    unreachable_timers,
)
from podcheck.model.termination import declare_termination, freeze_timers, reduced_workloads
from podcheck.model.timed import declare_elapsed, declare_observers, make_prompt, synchronise
from podcheck.model.unobserved import termination_note
from podcheck.vocab import ActionKind, Actor, Reason

ClockedFactory = Callable[[Clock, ModelOptions], PodFactory]


def compile_spec(
    sp: spec.CheckedSpec, options: ModelOptions | None = None
) -> StageResult[ir.TransitionSystem]:
    """Compile a checked spec into a transition system (kubelet + cluster + properties)."""
    return compile_with(sp, options or ModelOptions(), kubelet_factory)


def kubelet_factory(clock: Clock, options: ModelOptions) -> PodFactory:
    """The real pod model (`podcheck.model.pod.PodModel`) as a `PodFactory`."""
    def make(b: Builder, slot: str, template: spec.PodTemplate, active: ir.Expr) -> PodModel:
        return PodModel(b, clock, slot, template, PodContext(active, f"pod {slot}"), options)

    return make


@dataclass(frozen=True, slots=True)
class Model:
    """A compiled model with the parts tests and reports may look into."""

    system: ir.TransitionSystem
    cluster: Cluster
    budgets: tuple[Budget, ...]


def compile_with(
    sp: spec.CheckedSpec, options: ModelOptions, factory: ClockedFactory
) -> StageResult[ir.TransitionSystem]:
    """`compile_spec` with the pod model supplied by `factory` (tests use stand-ins)."""
    result = build_model(sp, options, factory)
    value = result.value.system if result.value is not None else None
    return StageResult(value, result.diagnostics)


def build_model(
    sp: spec.CheckedSpec, options: ModelOptions, factory: ClockedFactory
) -> StageResult[Model]:
    """Build the transition system and keep the cluster layout and budgets with it."""
    options = replace(options, restart_bound=restart_bound(sp, options.restart_bound))
    builder = Builder(name=_name(sp), source=sp.path, overrides=fairness_overrides(sp))
    clock = Clock(builder, options)
    diags: list[Diagnostic] = []
    try:
        cluster = build_cluster(sp, clock, _saturating(factory, clock, options, sp),
                                tracking_for(sp), options)
        found = budgets(cluster)
    except KubeInputError as err:
        diags.append(diagnostic(codes.KUBERNETES_REJECTS_VALUE,
                                f"kubernetes rejects a value: {err}", sp.environment.span))
        return StageResult(None, tuple(diags))
    diags += _budget_diagnostics(cluster, found)
    if (note := termination_note(reduced_workloads(sp, options))) is not None:
        diags.append(note)
    freeze_timers(cluster, clock)
    _declare_actions(cluster, found, clock)
    progress = declare_progress(cluster, clock) if progress_wanted(sp) else []
    props = PropertyCompiler(cluster, found, lambda: deadlock_free(builder),
                             actions=lambda: builder.actions)
    props.elapsed = declare_elapsed(sp.properties, clock)
    observers = declare_observers(sp.properties, props, clock)
    timed_disruption = sp.environment.drainTimeout is not None or bool(sp.environment.scaleDown)
    if observers or props.elapsed is not None or timed_disruption or progress:
        make_prompt(builder, clock)  # NOTE(prompt-controllers); drain.py, autoscaler.py
    clock.build()
    sync_progress(builder, progress)
    synchronise(builder, list(observers.values()))
    props.bounds_missed.update({n: o.missed() for n, o in observers.items()})
    builder.terminal.append(terminal(cluster))
    _declare_views(cluster, builder, found)
    builder.derived.append(clock.advance_view())
    compiled, prop_diags = props.compile_all(sp.properties, sp.expects)
    diags += prop_diags
    builder.properties.extend(compiled)
    if any(d.severity is Severity.ERROR for d in diags):
        return StageResult(None, tuple(diags))
    system = replace(builder.build(), symmetry=symmetry_groups(cluster))
    return StageResult(Model(system, cluster, tuple(found)), tuple(diags))


def _saturating(factory: ClockedFactory, clock: Clock, options: ModelOptions,
                sp: spec.CheckedSpec) -> PodFactory:
    """`factory`'s pods, each with its restart counts saturating at the largest value a
    rule of its workload reads (NOTE(restart-saturation): a Job's backoffLimit under
    OnFailure), and at least `options.restart_bound`."""
    bounds = {id(w.template): max(options.restart_bound, restart_reads(w))
              for w in sp.workloads}
    makers = {n: factory(clock, replace(options, restart_bound=n))
              for n in {options.restart_bound, *bounds.values()}}

    def make(b: Builder, slot: str, template: spec.PodTemplate, active: ir.Expr) -> PodLike:
        return makers[bounds.get(id(template), options.restart_bound)](b, slot, template, active)

    return make


def _declare_actions(cluster: Cluster, found: list[Budget], clock: Clock) -> None:
    """Every Kubernetes actor's actions, in a fixed order (it decides which of several
    shortest counterexamples BFS reports)."""
    static = static_taint_timers(cluster, clock)  # armed by the binds
    declare_scheduler(cluster)
    for w in cluster.spec.workloads:
        if w.kind is spec.WorkloadKind.DEPLOYMENT:
            declare_deployment(cluster, w)
        if w.kind in (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET):
            declare_replicaset(cluster, w)
        elif w.kind is spec.WorkloadKind.JOB and w.cron is not None:
            declare_cronjob(cluster, w)
            for run in cluster.runs[w.name]:
                declare_job(cluster, run)
        elif w.kind is spec.WorkloadKind.JOB:
            declare_job(cluster, w)
        elif w.kind is spec.WorkloadKind.DAEMONSET:
            declare_daemonset(cluster, w)
        elif w.kind is spec.WorkloadKind.STATEFULSET:
            declare_statefulset(cluster, w)
    declare_drain(cluster, clock)
    declare_scale_down(cluster, found, clock)
    declare_evictions(cluster, found)
    timers = unreachable_timers(cluster, clock)
    declare_failures(cluster, timers)
    declare_taint_eviction(cluster, clock, timers, static)
    declare_endpoints(cluster)
    declare_termination(cluster, clock)


def fairness_overrides(sp: spec.CheckedSpec) -> dict[str, ir.Fairness]:
    """The spec's fairness overrides keyed by the action class or actor they name; keys
    that are neither and unknown fairness words are left out (the front end reports
    them)."""
    known = {str(k) for k in (*ActionKind, *Actor)}
    fairness = {f.value: f for f in ir.Fairness}
    return {key: fairness[value] for key, value in sp.environment.fairness
            if key in known and value in fairness}


def diagnostic(code: str, message: str, span: Span | None,
               severity: Severity = Severity.ERROR, help_: str | None = None) -> Diagnostic:
    """A model-construction diagnostic."""
    return Diagnostic(code, severity, message, span, help=help_)


def _declare_views(cluster: Cluster, builder: Builder, found: list[Budget]) -> None:
    """Each pod's phase and Ready condition, each Job's condition and each PDB's status,
    for traces and graphs (display only)."""
    for s in cluster.slots:
        owner = f"pod {s.name}"
        phase = ir.ite(s.exists, cluster.phase(s), 4)  # 4: the slot holds no pod object
        builder.derived.append(ir.Derived(owner, "phase", phase, (*PHASES[:4], "(no pod)")))
        builder.derived.append(ir.Derived(owner, "ready", cluster.ready(s), ("false", "true")))
    for w in (w for w in cluster.controllers() if w.kind is spec.WorkloadKind.JOB):
        cond = ir.ite(job_failed(cluster, w), 2, ir.ite(job_complete(cluster, w), 1, 0))
        labels: tuple[str, ...] = ("none", "Complete", f"Failed ({Reason.BACKOFF_LIMIT_EXCEEDED})")
        if w.name in cluster.counters.job_policy_failed:  # a FailJob rule may fail it
            cond = ir.ite(policy_failed(cluster, w), 3, cond)
            labels += (f"Failed ({Reason.POD_FAILURE_POLICY})",)
        builder.derived.append(ir.Derived(f"job {w.name}", "condition", cond, labels))
    builder.derived.extend(budget_views(found))


def _name(sp: spec.CheckedSpec) -> str:
    base = sp.path.replace("\\", "/").rsplit("/", 1)[-1]
    return base.removesuffix(".pod") or "spec"


def terminal(cluster: Cluster) -> ir.Expr:
    """Where having no successor is expected, not a deadlock: every pod slot is empty,
    or its pod runs on a live node with nothing left to do (the pod model's
    `quiescent`), or it is a DaemonSet pod stranded on a Down node (it tolerates the
    unreachable taint forever), or Pending for one.  A pod that stays Pending because no
    node fits it, or one stuck elsewhere, makes a state with no successor a deadlock."""
    parts = []
    for s in cluster.slots:
        settled = ir.and_(cluster.active(s), s.model.quiescent)
        if s.stays_on_node:  # bound there, or Pending for it
            down = [ir.eq(n.state, NODE_DOWN) for n in cluster.nodes_for(s)]
            settled = ir.or_(settled, cluster.node_down(s), *down)
        parts.append(ir.or_(ir.not_(s.exists), settled))
    return ir.and_(*parts)


def deadlock_free(builder: Builder) -> ir.Expr:
    """The `no-deadlock` check as a state predicate: some action is enabled, or the
    state is terminal.  Its violations are exactly the engine's deadlocks."""
    guards = [a.guard for a in builder.actions]
    return ir.or_(*guards, *builder.terminal)


def _budget_diagnostics(cluster: Cluster, found: list[Budget]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for b in found:
        if not b.selected:
            out.append(diagnostic(
                codes.PDB_SELECTS_NOTHING, f"pdb `{b.pdb.name}` selects no pod of the spec",
                b.pdb.span, Severity.WARNING,
                "check the selector against the pod template labels"))
        elif b.fail_safe:
            out.append(diagnostic(
                codes.PDB_FAIL_SAFE,
                f"the disruption controller cannot compute the status of pdb "
                f"`{b.pdb.name}` ({b.fail_safe}): every eviction it covers is refused",
                b.pdb.span, Severity.WARNING,
                "use an integer minAvailable, or select pods of a Deployment, ReplicaSet "
                "or StatefulSet"))
    for s in cluster.slots:
        mine = [b.pdb.name for b in found if b.covers(s)]
        if len(mine) > 1 and s.ordinal == 0 and not s.extra:
            out.append(diagnostic(
                codes.MULTIPLE_PDBS,
                f"pods of `{s.workload.name}` are selected by more than one pdb "
                f"({', '.join(f'`{n}`' for n in mine)}): the eviction API answers 500",
                s.workload.span, Severity.WARNING, "make the pdb selectors disjoint"))
    return out

"""The layout of the cluster side: node and pod-slot variables, and the counters.

Stage: internal to `podcheck.model` (called first by `compile.build_model`).  Consumes a
`spec.CheckedSpec`, the `Builder` and a pod factory; produces the `Cluster` with every
state variable of the cluster side declared (nodes, slots, tracked history, the
environment's spent budgets, Deployment revisions, Job counts) and one pod model per
slot.  Declares no action: the actor modules do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from podcheck import ir, spec
from podcheck.model.age import declare_age
from podcheck.model.capacity import scaled_resources
from podcheck.model.clock import Clock
from podcheck.model.cluster import (
    NODE_LABELS,
    SCALE_DOWN_LABELS,
    Cluster,
    Counters,
    NodeSlot,
    PodFactory,
    Slot,
    Tracking,
)
from podcheck.model.cronjob import declare_cron_state
from podcheck.model.kube_adapter import daemon_runs_on, fenceposts
from podcheck.model.layout import Builder
from podcheck.model.options import ModelOptions
from podcheck.model.termination import declare_termination_vars, spare_slots, terminates
from podcheck.vocab import Actor, NodeState, PodManagementPolicy, RestartPolicy


def slot_plan(workload: spec.Workload, nodes: Sequence[spec.Node], surge: int,
              spares: int = 0) -> list[tuple[str, int, bool]]:
    """(slot name, pinned node index, is extra) for every slot of `workload`: extra slots
    are the `surge` slots of a rollout, then the `spares` for the replacements of
    Terminating pods (NOTE(terminating-spares))."""
    kind, name = workload.kind, workload.name
    if kind is spec.WorkloadKind.POD:  # a static pod is pinned to its kubelet's node
        static = [i for i, n in enumerate(nodes, 1) if n.name == workload.template.staticOn]
        return [(name, static[0] if static else 0, False)]
    if kind is spec.WorkloadKind.DAEMONSET:  # only on the nodes it should run on
        return [(f"{name}-{n.name}", i, False) for i, n in enumerate(nodes, 1)
                if daemon_runs_on(n, workload.template)]
    if kind is spec.WorkloadKind.STATEFULSET:  # ordinal identities: NAME-0, NAME-1, ...
        return [(f"{name}-{i}", 0, False) for i in range(workload.replicas)]
    count = workload.parallelism if kind is spec.WorkloadKind.JOB else workload.replicas
    plan = [(f"{name}-{i}", 0, False) for i in range(1, count + 1)]
    extra = count + surge + spares
    return plan + [(f"{name}-{i}", 0, True) for i in range(count + 1, extra + 1)]


def initially_exists(workload: spec.Workload, ordinal: int, surge: bool) -> bool:
    """Slots whose pod the controller has already created when the model starts."""
    if surge:
        return False
    if workload.kind is spec.WorkloadKind.JOB:
        return ordinal < min(workload.parallelism, workload.completions)
    if workload.kind is spec.WorkloadKind.STATEFULSET:  # OrderedReady: pod-0 first
        return ordinal == 0 or workload.podManagementPolicy is PodManagementPolicy.PARALLEL
    return True


def recreation_bound(workload: spec.Workload, env: spec.Environment, nodes: int) -> int:
    """How often one slot's pod can be re-created: each deletion is caused by a
    bounded disruption (one eviction per drained node, one deletion per failed node,
    direct deletes, rollouts) or, for a Job, a counted completion or failure."""
    if workload.kind is spec.WorkloadKind.POD:
        return 0
    fails = nodes if env.nodeFailures or env.zoneFailures else 0
    bound = len(env.drain) + fails + env.podDeletes + env.rollouts
    if workload.kind is spec.WorkloadKind.JOB:
        bound += workload.completions + workload.backoffLimit + 1
    return bound


def surge_slots(workload: spec.Workload, env: spec.Environment) -> int:
    """Extra slots a rolling update may use (only when rollouts are enabled)."""
    if workload.kind is not spec.WorkloadKind.DEPLOYMENT or env.rollouts == 0:
        return 0
    return fenceposts(workload)[0]


def build_cluster(
    sp: spec.CheckedSpec,
    clock: Clock,
    factory: PodFactory,
    tracking: Tracking,
    options: ModelOptions,
) -> Cluster:
    """Declare the variables of every node and slot, the counters, and the pod models.

    A tracked uid counts re-creations modulo `min(uid_bound, 1 + recreation_bound) + 1`
    (`ModelOptions.uid_bound`); a slot whose pod can be left Terminating gets its deletion
    timestamp and grace timer (`termination.py`); raises `KubeInputError` for a quantity
    kube rejects.
    """
    builder = clock.builder
    nodes = [
        NodeSlot(i, n.name, n.zone,
                 builder.enum_var(f"{n.name}.state",
                                  SCALE_DOWN_LABELS if sp.environment.scaleDown else NODE_LABELS,
                                  NodeState.READY,
                                  owner=f"node {n.name}", field_name="state"), {})
        for i, n in enumerate(sp.nodes, 1)
    ]
    caps, reqs = scaled_resources(sp.nodes, [w.template for w in sp.workloads])
    for n, cap in zip(nodes, caps, strict=True):
        n.capacity = cap
    cluster = Cluster(sp, builder, nodes, [])
    for w, req in zip(sp.workloads, reqs, strict=True):
        if w.cron is None:
            _declare_slots(cluster, clock, w, req, tracking, options)
            continue
        cluster.runs[w.name] = cron_runs(w)
        for run in cluster.runs[w.name]:
            _declare_slots(cluster, clock, run, req, tracking, options, created=False)
    for s in cluster.slots:
        s.pod = factory(builder, s.name, s.workload.template, cluster.active(s))
    cluster.counters = _environment_counters(sp, builder)
    _declare_revisions(cluster)
    _declare_job_counters(cluster)
    for w in sp.workloads:
        if w.cron is not None:
            declare_cron_state(cluster, builder, w)
    return cluster


def cron_runs(w: spec.Workload) -> list[spec.Workload]:
    """The Jobs a CronJob may create, one per schedule time: `NAME-1`, `NAME-2`, ...
    (Kubernetes names them after the scheduled time), each its jobTemplate."""
    assert w.cron is not None, w.name
    return [replace(w, name=f"{w.name}-{k}", cron=None) for k in range(1, w.cron.schedules + 1)]


def _declare_slots(cluster: Cluster, clock: Clock, w: spec.Workload, req: dict[str, int],
                   tracking: Tracking, options: ModelOptions, created: bool = True) -> None:
    builder, sp = cluster.builder, cluster.spec
    names = ("none", *(n.name for n in sp.nodes))
    bound = recreation_bound(w, sp.environment, len(sp.nodes))
    surge = surge_slots(w, sp.environment)
    plan = slot_plan(w, sp.nodes, surge, spare_slots(w, sp, bound, options))
    graceful = terminates(w, sp, options)
    base = sum(1 for _, _, extra in plan if not extra)
    for ordinal, (name, pinned, is_surge) in enumerate(plan):
        owner = f"pod {name}"
        exists = created and initially_exists(w, ordinal, is_surge)
        s = Slot(
            name, w, ordinal,
            builder.bool_var(f"{name}.exists", exists, owner=owner, field_name="exists"),
            builder.var(f"{name}.node", 0, len(sp.nodes),
                        pinned if w.template.staticOn is not None else 0, labels=names,
                        owner=owner, field_name="node"),
            pinned=pinned, surge=is_surge and ordinal < base + surge, requests=req,
            spare=ordinal >= base + surge,
        )
        if tracking.uid:
            s.uid = builder.var(f"{name}.uid", 0, min(options.uid_bound, 1 + bound),
                                int(exists), owner=owner, field_name="uid")
        if tracking.evicted:
            s.evicted = builder.bool_var(f"{name}.evicted", owner=owner, field_name="evicted")
        if tracking.endpoint:
            s.endpoint = builder.bool_var(f"{name}.endpoint", owner=owner,
                                          field_name="endpoint")
        if graceful:
            declare_termination_vars(clock, s)
        if tracking.age:
            s.age = declare_age(clock, s, tracking.age)
        cluster.slots.append(s)


def _environment_counters(sp: spec.CheckedSpec, b: Builder) -> Counters:
    """The environment's spent-budget counters (NOTE(settle-first) reads them)."""
    env = sp.environment
    has_zones = any(n.zone for n in sp.nodes)

    def counter(key: str, limit: int) -> ir.Var | None:
        if not limit:
            return None
        return b.var(f"env.{key}", 0, limit, 0, owner=str(Actor.ENVIRONMENT), field_name=key)

    return Counters(
        node_failures=counter("nodeFailures", env.nodeFailures),
        zone_failures=counter("zoneFailures", env.zoneFailures if has_zones else 0),
        pod_deletes=counter("podDeletes", env.podDeletes),
    )


def _declare_revisions(cluster: Cluster) -> None:
    """A revision counter per Deployment and StatefulSet and per slot, when rollouts are
    enabled."""
    env, b = cluster.spec.environment, cluster.builder
    if not env.rollouts:
        return
    for w in cluster.spec.workloads:
        if w.kind not in (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.STATEFULSET):
            continue
        cluster.counters.revisions[w.name] = b.var(
            f"{w.name}.revision", 0, env.rollouts, 0, owner=f"{w.kind.value.lower()} {w.name}",
            field_name="revision")
        for s in cluster.slots_of(w.name):
            s.revision = b.var(f"{s.name}.revision", 0, env.rollouts, 0,
                               owner=f"pod {s.name}", field_name="revision")


def _declare_job_counters(cluster: Cluster) -> None:
    """Job status counters, the OnFailure back-off flag and each Job slot's `counted`;
    a deleted Job pod counts as failed unless already counted (`Cluster.on_delete`)."""
    b = cluster.builder
    for w in cluster.controllers():
        if w.kind is not spec.WorkloadKind.JOB:
            continue
        owner = f"job {w.name}"
        cluster.counters.job_succeeded[w.name] = b.var(
            f"{w.name}.succeeded", 0, w.completions, 0, owner=owner, field_name="succeeded")
        failed = b.var(f"{w.name}.failed", 0, w.backoffLimit + 1, 0, owner=owner,
                       field_name="failed")
        cluster.counters.job_failed[w.name] = failed
        if w.template.restartPolicy is RestartPolicy.ON_FAILURE:
            cluster.counters.job_backoff_exceeded[w.name] = b.bool_var(
                f"{w.name}.backoffLimitExceeded", owner=owner, field_name="backoffLimitExceeded")
        bumped = ir.op("min", ir.op("+", failed, 1), w.backoffLimit + 1)
        for s in cluster.slots_of(w.name):
            s.counted = b.bool_var(f"{s.name}.counted", owner=f"pod {s.name}",
                                   field_name="counted")
            # a pod the Job already counted is not counted again when it is deleted
            cluster.on_delete[s.name] = [(failed, ir.ite(s.counted, failed, bumped))]


_INTERCHANGEABLE = (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET,
                    spec.WorkloadKind.JOB)


def symmetry_groups(cluster: Cluster) -> tuple[ir.SymmetryGroup, ...]:
    """The symmetry the model claims (the engine verifies it, NOTE(symmetry-verified)):
    the non-surge pod slots of each Deployment, ReplicaSet or Job, spares included
    (same template, same controller; a slot's block is every variable of `pod <slot>`,
    in declaration order), and the nodes when all have the same capacity and zone (named
    by each slot's `node`).  A property or environment that names one pod or node makes the engine
    drop the group, and the run says so.  Each slot's actions are its template's with the
    slot's variables put in, laid out per kind for every slot in slot order: the engine
    checks them as copies of the first slot's (NOTE(slot-copies) in engine/copies.py)."""
    owner: dict[str, list[int]] = {}
    for i, v in enumerate(cluster.builder.vars):
        owner.setdefault(v.owner, []).append(i)
    groups = []
    for w in cluster.controllers():
        slots = [s for s in cluster.slots_of(w.name) if not s.surge]
        if w.kind in _INTERCHANGEABLE and len(slots) > 1:
            blocks = tuple(tuple(owner[f"pod {s.name}"]) for s in slots)
            if len({len(b) for b in blocks}) == 1:
                groups.append(_pod_group(cluster, w.name, blocks, slots[0]))
    nodes = cluster.nodes
    alike = len({(tuple(sorted(n.capacity.items())), n.zone) for n in nodes}) == 1 and not any(
        s.static for s in cluster.slots)  # a static pod tells its node apart
    blocks = tuple(tuple(owner[f"node {n.name}"]) for n in nodes)
    if len(nodes) > 1 and alike and len({len(b) for b in blocks}) == 1:
        refs = tuple(s.node.index for s in cluster.slots)
        groups.append(ir.SymmetryGroup("nodes", blocks, refs))
    return tuple(groups)


def _pod_group(cluster: Cluster, name: str, blocks: tuple[tuple[int, ...], ...],
               first: Slot) -> ir.SymmetryGroup:  # fmt: skip
    """The slots of one workload, filled lowest-absent-first (NOTE(pod-slots)): a free
    slot's variables hold their declared initial values, except `exists` = 0
    (NOTE(lowest-free) in engine/vacancy.py; the engine checks it is an invariant)."""
    init = [cluster.builder.initial[i] for i in blocks[0]]
    pos = blocks[0].index(first.exists.index)
    init[pos] = 0
    return ir.SymmetryGroup(f"pods of {name}", blocks, first_free=pos, vacant=tuple(init))

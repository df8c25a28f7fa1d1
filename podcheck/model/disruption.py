"""Voluntary disruptions: PodDisruptionBudgets, the eviction API and `kubectl drain`.

Stage: internal to `podcheck.model` (called by `compile.compile_spec`).  Consumes a
`Cluster`; produces one `Budget` per PDB (its status numbers as IR expressions) and
declares the drain actions (cordon, evictions granted or refused, uncordon) and the
involuntary disruptions (node and zone failures, direct pod deletes).

One source of truth: the constants come from `podcheck.kube` at compile time (the
disruption controller's `sync_pdb` on the full workload decides whether a budget
resolves its controllers or falls back to failSafe, `desired_healthy` and
`expected_count` give the constants), and the state-dependent parts mirror the CORE
functions term by term: `current_healthy` is an IR count, `disruptions_allowed` and
the eviction decision are the IR forms of `kube.disruption.disruptions_allowed` and
`kube.eviction.eviction_core`.  tests/model/test_cluster.py checks both against
`pdb_status` / `evict` on every reachable state.

Abstracted: the PDB status is always in sync with the pods (the disruption
controller's resync is instantaneous, so `status.disruptedPods` and a stale
`observedGeneration` never matter: an evicted pod is gone at once).
"""

from __future__ import annotations

from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.kube import disruption as kd
from podcheck.kube.eviction import BUDGET_MESSAGE, MULTIPLE_PDBS_MESSAGE
from podcheck.kube.labels import InvalidSelector, selector_from_api
from podcheck.model.cluster import (
    FAILED,
    NODE_CORDONED,
    NODE_DOWN,
    NODE_DRAINED,
    NODE_READY,
    PENDING,
    PHASES,
    SUCCEEDED,
    Cluster,
    Slot,
)

_API = {
    spec.WorkloadKind.DEPLOYMENT: ("apps/v1", "ReplicaSet"),
    spec.WorkloadKind.REPLICASET: ("apps/v1", "ReplicaSet"),
    spec.WorkloadKind.JOB: ("batch/v1", "Job"),
    spec.WorkloadKind.DAEMONSET: ("apps/v1", "DaemonSet"),
}


@dataclass(frozen=True, slots=True)
class Budget:
    """One PDB's status as IR expressions over the state (see module docstring)."""

    pdb: spec.PodDisruptionBudget
    selected: tuple[Slot, ...]
    fail_safe: str  # the sync error when the controller falls back to failSafe
    healthy: ir.Expr  # currentHealthy
    expected: ir.Expr  # expectedPods
    desired: ir.Expr  # desiredHealthy
    allowed: ir.Expr  # disruptionsAllowed


# ----------------------------------------------------------------- kube objects


def pod_object(s: Slot, phase: int, ready: bool) -> dict[str, object]:
    """The pod of slot `s` as a Kubernetes object, as the disruption rules read it."""
    meta: dict[str, object] = {"name": s.name, "labels": dict(s.workload.template.labels)}
    if s.kind in _API:
        api, kind = _API[s.kind]
        owner = f"{s.workload.name}-rs" if kind == "ReplicaSet" else s.workload.name
        meta["ownerReferences"] = [{"apiVersion": api, "kind": kind, "name": owner,
                                    "uid": f"uid-{owner}", "controller": True}]
    status = {"phase": PHASES[phase],
              "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    return {"metadata": meta, "spec": s.workload.template.to_k8s()["spec"], "status": status}


def controller_objects(sp: spec.CheckedSpec) -> list[dict[str, object]]:
    """The ReplicaSets and Deployments the pods' owner references point at."""
    out: list[dict[str, object]] = []
    for w in sp.workloads:
        if w.kind not in (spec.WorkloadKind.DEPLOYMENT, spec.WorkloadKind.REPLICASET):
            continue
        rs_meta: dict[str, object] = {"name": f"{w.name}-rs", "uid": f"uid-{w.name}-rs"}
        if w.kind is spec.WorkloadKind.DEPLOYMENT:
            rs_meta["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "Deployment",
                                           "name": w.name, "uid": f"uid-{w.name}",
                                           "controller": True}]
            out.append({"kind": "Deployment", "metadata": {"name": w.name,
                                                           "uid": f"uid-{w.name}"},
                        "spec": {"replicas": w.replicas}})
        out.append({"kind": "ReplicaSet", "metadata": rs_meta,
                    "spec": {"replicas": w.replicas}})
    return out


def pdb_object(pdb: spec.PodDisruptionBudget, status: dict[str, int] | None = None) -> dict[
    str, object
]:
    """The PDB as a Kubernetes object, with `status` (API field names) if given."""
    out = pdb.to_k8s()
    if status is not None:
        out["status"] = dict(status)
    return out


# ----------------------------------------------------------------- budgets


def selects(pdb: spec.PodDisruptionBudget, s: Slot) -> bool:
    """The PDB's selector matches the slot's pod labels (kube label selectors)."""
    selector = selector_from_api(pdb.to_k8s()["spec"]["selector"])  # type: ignore[index]
    if isinstance(selector, InvalidSelector):
        return False
    return selector.matches(dict(s.workload.template.labels))


def budgets(cluster: Cluster) -> list[Budget]:
    """Every PDB's status as IR, its constants computed by `kube.disruption`."""
    return [_budget(cluster, pdb) for pdb in cluster.spec.pdbs]


def _budget(cluster: Cluster, pdb: spec.PodDisruptionBudget) -> Budget:
    chosen = tuple(s for s in cluster.slots if selects(pdb, s))
    full = [pod_object(s, 1, True) for s in chosen if not s.surge]
    sync = kd.sync_pdb(pdb_object(pdb), full, controller_objects(cluster.spec))
    if sync.sync_error:
        zero = ir.Const(0)
        return Budget(pdb, chosen, sync.sync_error, zero, zero, zero, zero)
    min_av, max_un = _kube(pdb.minAvailable), _kube(pdb.maxUnavailable)
    healthy = ir.count(*(cluster.ready(s) for s in chosen))
    matched = ir.count(*(s.exists for s in chosen))
    if max_un is None and (min_av is None or not min_av.percent):
        # NOTE(pdb-expected): an integer minAvailable expects the matched pods.
        desired: ir.Expr = ir.Const(kd.desired_healthy(min_av, max_un, 0))
        return Budget(pdb, chosen, "", healthy, matched, desired,
                      allowed_ir(healthy, desired, matched))
    expected = _expected_scale(cluster, pdb, chosen)
    values = sorted({ir.evaluate(expected, _all_combinations(cluster, chosen, bits))
                     for bits in range(2 ** len(_owners(chosen)))})
    desired = ir.Const(kd.desired_healthy(min_av, max_un, values[0]))
    for v in values[1:]:
        desired = ir.ite(ir.eq(expected, v), kd.desired_healthy(min_av, max_un, v), desired)
    return Budget(pdb, chosen, "", healthy, expected, desired,
                  allowed_ir(healthy, desired, expected))


def _owners(chosen: tuple[Slot, ...]) -> list[str]:
    return sorted({s.workload.name for s in chosen if s.kind is not spec.WorkloadKind.POD})


def _expected_scale(cluster: Cluster, pdb: spec.PodDisruptionBudget,
                    chosen: tuple[Slot, ...]) -> ir.Expr:
    """`getExpectedScale`: the scale of every controller with a selected pod that
    exists, each scale computed by `sync_pdb` on that controller's pods alone."""
    parts = []
    for owner in _owners(chosen):
        mine = [s for s in chosen if s.workload.name == owner]
        pods = [pod_object(s, 1, True) for s in mine if not s.surge]
        scale = kd.sync_pdb(pdb_object(pdb), pods, controller_objects(cluster.spec))
        parts.append(ir.ite(ir.or_(*(s.exists for s in mine)), scale.expected_pods, 0))
    return ir.sum_(*parts)


def _all_combinations(cluster: Cluster, chosen: tuple[Slot, ...], bits: int) -> ir.State:
    """A state where the first slot of the i-th owner exists iff bit i is set (only
    the `exists` variables matter to `_expected_scale`)."""
    state = [0] * len(cluster.builder.vars)
    for i, owner in enumerate(_owners(chosen)):
        first = next(s for s in chosen if s.workload.name == owner)
        state[first.exists.index] = (bits >> i) & 1
    return tuple(state)


def _kube(value: spec.IntOrPercent | None) -> kd.IntOrPercent | None:
    return None if value is None else kd.IntOrPercent(value.value, value.percent)


def allowed_ir(healthy: ir.Expr, desired: ir.Expr, expected: ir.Expr) -> ir.Expr:
    """`kube.disruption.disruptions_allowed` in the IR."""
    diff = ir.op("-", healthy, desired)
    return ir.ite(ir.or_(ir.op("<=", expected, 0), ir.op("<=", diff, 0)), 0, diff)


def eviction_granted(cluster: Cluster, s: Slot, all_budgets: list[Budget]) -> tuple[
    ir.Expr, str
]:
    """`kube.eviction.eviction_core` for pod `s`, in the IR: (granted, refusal text).

    A pod that is Pending, Succeeded or Failed is deleted without any budget; with no
    matching PDB it is deleted; with more than one the API answers 500; with one, a
    pod that is not Ready goes if the policy is AlwaysAllow or the budget is healthy
    (currentHealthy >= desiredHealthy > 0), else the budget must allow a disruption.
    """
    phase = cluster.phase(s)
    ignore = ir.or_(*(ir.eq(phase, p) for p in (PENDING, SUCCEEDED, FAILED)))
    mine = [b for b in all_budgets if s in b.selected]
    if not mine:
        return ir.TRUE, ""
    if len(mine) > 1:
        return ignore, f"(500) {MULTIPLE_PDBS_MESSAGE}"
    b = mine[0]
    if b.pdb.unhealthyPodEvictionPolicy == "AlwaysAllow":
        unhealthy_ok: ir.Expr = ir.TRUE
    else:
        unhealthy_ok = ir.and_(ir.op(">=", b.healthy, b.desired), ir.op(">", b.desired, 0))
    unready = ir.and_(ir.not_(cluster.ready(s)), unhealthy_ok)
    return ir.or_(ignore, unready, ir.op(">", b.allowed, 0)), f"(429) {BUDGET_MESSAGE}"


# ----------------------------------------------------------------- kubectl drain


def declare_drain(cluster: Cluster, all_budgets: list[Budget]) -> None:
    """`kubectl drain --ignore-daemonsets --force --delete-emptydir-data` of each node
    the environment names: cordon, then evict every non-DaemonSet pod on it through
    the eviction API, retrying refusals; one-at-a-time mode uncordons an empty node
    before the next drain starts and never drains it again."""
    env, b = cluster.spec.environment, cluster.builder
    one_at_a_time = env.drainMode is spec.DrainMode.ONE_AT_A_TIME
    drained = [n for n in cluster.nodes if n.name in env.drain]
    busy = ir.or_(*(ir.eq(n.state, NODE_CORDONED) for n in drained))
    evictable = [s for s in cluster.slots if s.kind is not spec.WorkloadKind.DAEMONSET]
    for n in drained:
        guard = ir.and_(cluster.may_disrupt(), ir.eq(n.state, NODE_READY))
        if one_at_a_time:
            guard = ir.and_(guard, ir.not_(busy))
        b.action("cordon", (("node", n.name),), guard, [(n.state, NODE_CORDONED)],
                 f"kubectl drain {n.name}: the node is cordoned (unschedulable)",
                 "kubectl-drain", ir.Fairness.NONE, env.span)
        if one_at_a_time:
            empty = ir.not_(ir.or_(*(ir.eq(s.node, n.index) for s in evictable)))
            b.action("uncordon", (("node", n.name),),
                     ir.and_(ir.eq(n.state, NODE_CORDONED), empty),
                     [(n.state, NODE_DRAINED)],
                     f"kubectl drain {n.name} completes; the admin uncordons {n.name}",
                     "cluster-admin", span=env.span)
    for s in evictable:
        on_cordoned = ir.and_(s.exists, cluster.on_node_in(s, (NODE_CORDONED,)))
        granted, refusal = eviction_granted(cluster, s, all_budgets)
        b.action("evict", (("pod", s.name),), ir.and_(on_cordoned, granted),
                 cluster.delete_updates(s, evicted=True),
                 f"the eviction API grants the eviction of {s.name}: the pod is deleted",
                 "eviction-api", ir.Fairness.STRONG, env.span)
        if granted != ir.TRUE:
            # NOTE(eviction-fairness): a refusal is its own action class.  kubectl drain
            # retries every 5 s, so a grant that is enabled infinitely often is taken
            # (STRONG on `evict`); if refusals shared that class, a run retrying only in
            # the moments the budget says no would count as fair.  The refusal itself is
            # weakly fair so that a hung drain shows its loop of 429s.
            status, _, message = refusal.partition(" ")
            b.action("evict_refused", (("pod", s.name),), ir.and_(on_cordoned, ir.not_(granted)),
                     [],
                     f"the eviction API refuses {status} the eviction of {s.name}: {message} "
                     "(kubectl drain retries)",
                     "eviction-api", ir.Fairness.WEAK, env.span)


# ----------------------------------------------------------------- involuntary


def declare_failures(cluster: Cluster) -> None:
    """Involuntary disruptions: node failures, zone failures, direct pod deletes."""
    b, env = cluster.builder, cluster.spec.environment
    may = cluster.may_disrupt()
    if env.nodeFailures:
        used = cluster.counters["env.nodeFailures"]
        for n in cluster.nodes:
            b.action("node_fails", (("node", n.name),),
                     ir.and_(may, ir.op("<", used, env.nodeFailures),
                             ir.op("!=", n.state, NODE_DOWN)),
                     [(n.state, NODE_DOWN), (used, ir.op("+", used, 1))],
                     f"node {n.name} fails (NotReady: the kubelet stops reporting)",
                     "environment", ir.Fairness.NONE, env.span)
    zones = sorted({n.zone for n in cluster.nodes if n.zone})
    if env.zoneFailures and zones:
        used = cluster.counters["env.zoneFailures"]
        for zone in zones:
            members = [n for n in cluster.nodes if n.zone == zone]
            b.action("zone_fails", (("zone", zone),),
                     ir.and_(may, ir.op("<", used, env.zoneFailures),
                             ir.or_(*(ir.op("!=", n.state, NODE_DOWN) for n in members))),
                     [*((n.state, NODE_DOWN) for n in members), (used, ir.op("+", used, 1))],
                     f"zone {zone} fails: nodes {', '.join(n.name for n in members)} go down",
                     "environment", ir.Fairness.NONE, env.span)
    if env.podDeletes:
        used = cluster.counters["env.podDeletes"]
        for s in cluster.slots:
            b.action("delete_pod", (("pod", s.name),),
                     ir.and_(may, ir.op("<", used, env.podDeletes), s.exists),
                     [*cluster.delete_updates(s), (used, ir.op("+", used, 1))],
                     f"a user deletes pod {s.name} directly (kubectl delete pod: "
                     "no disruption budget is consulted)",
                     "environment", ir.Fairness.NONE, env.span)


def declare_counters(cluster: Cluster) -> None:
    """The environment's spent-budget counters (NOTE(settle-first) reads them)."""
    b, env = cluster.builder, cluster.spec.environment
    has_zones = any(n.zone for n in cluster.nodes)
    for key, limit in (("nodeFailures", env.nodeFailures),
                       ("zoneFailures", env.zoneFailures if has_zones else 0),
                       ("podDeletes", env.podDeletes)):
        if limit:
            cluster.counters[f"env.{key}"] = b.var(f"env.{key}", 0, limit, 0,
                                                   owner="environment", field_name=key)

"""What formulas read that the model must provide: history tracking, pod reasons and
named containers.

Stage: internal to `podcheck.model` (used by `compile.py` and `props.py`).  Consumes the
checked spec's formulas, or a compiled slot with the declared actions; produces the
`Tracking` the cluster layout needs, and IR for `p.reason` (NOTE(pod-reason)).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from podcheck import ir, spec
from podcheck.model.age import AGE_FIELD, duration_stops
from podcheck.model.cluster import Cluster, Slot, Tracking
from podcheck.model.job import backoff_failed, policy_failed
from podcheck.vocab import ActionKind, Reason, words

REASONS = words(Reason)  # spec.POD_FIELDS["reason"]
# Reasons the model has no rule for, and why (a formula naming one is PC302, not false).
NEVER_PRODUCED = {
    Reason.OOM_KILLED.value: "memory usage is not modelled",
}


def tracking_for(sp: spec.CheckedSpec) -> Tracking:
    """Which optional history variables the spec's properties read."""
    fields = {a.field for d in sp.properties if d.formula is not None
              for a in walk(d.formula) if isinstance(a, spec.Attr)}
    builtins = {d.builtin for d in sp.properties}
    found = [e for d in sp.properties if d.formula is not None for e in walk(d.formula)]
    ages = duration_stops(found) if AGE_FIELD in fields else ()
    return Tracking(uid="uid" in fields,
                    evicted=bool({"evicted", "reason", "disrupted"} & fields),
                    endpoint="endpoint" in fields or "no-unready-traffic" in builtins, age=ages)


def restart_bound(sp: spec.CheckedSpec, default: int) -> int:
    """NOTE(restart-saturation): where container restart counts saturate in this spec:
    `default` (ModelOptions.restart_bound), raised to every value a formula compares a
    count with: N + 1 for a formula comparing a `restarts` field with the number N (so
    `==`, `<`, `>` and `>=` all tell a count at N from one above it).  The pods of a Job
    under OnFailure saturate at least at its backoffLimit (`job.restart_reads`, applied
    per workload by `compile._saturating`).  A count saturating there never changes the
    value of a comparison that reads it."""
    reads = [default]
    for d in sp.properties:
        if d.formula is not None:
            reads += [n + 1 for n in _restart_literals(d.formula)]
    return max(reads)


def _restart_literals(f: spec.Expr) -> Iterator[int]:
    for e in walk(f):
        if not isinstance(e, spec.Binary):
            continue
        for side, other in ((e.left, e.right), (e.right, e.left)):
            if (isinstance(side, spec.Attr) and side.field == "restarts"
                    and isinstance(other, spec.IntLit)):
                yield other.value


def walk(e: spec.Expr) -> Iterator[spec.Expr]:
    """`e` and every sub-formula of it, depth first."""
    yield e
    for child in (getattr(e, n, None) for n in ("obj", "arg", "left", "right", "body", "where")):
        if child is not None:
            yield from walk(child)
    for child in getattr(e, "args", ()):
        yield from walk(child)


def pod_reason(cluster: Cluster, s: Slot, actions: Sequence[ir.Action]) -> ir.Expr:
    """NOTE(pod-reason): the reason of slot `s` as an index into REASONS (none:
    len(REASONS)), the first that applies: Evicted (its pod was removed through the
    eviction API; tracked history, cleared when the slot's pod is re-created, so it is
    seen on a bare pod named in the formula: a quantifier ranges over existing pods only),
    DeadlineExceeded (the kubelet failed it at activeDeadlineSeconds), PodFailurePolicy or
    BackoffLimitExceeded (a pod still listed of a Job that failed with that reason: the
    reason of the Job's Failed condition and of the event `kubectl describe job` shows),
    FailedScheduling (it exists, is unbound, and no bind of it is enabled: the
    scheduler's attempt fails).
    NEVER_PRODUCED lists the others, with why."""
    binds = [a.guard for a in actions
             if a.name == ActionKind.BIND and dict(a.params).get("pod") == s.name]
    chain: list[tuple[ir.Expr, Reason]] = [
        (ir.eq(s.evicted, 1) if s.evicted is not None else ir.FALSE, Reason.EVICTED),
        (ir.and_(s.exists, s.model.pod_field("deadlineExceeded")), Reason.DEADLINE_EXCEEDED),
        (ir.and_(s.exists, policy_failed(cluster, s.workload)), Reason.POD_FAILURE_POLICY),
        (ir.and_(s.exists, backoff_failed(cluster, s.workload)) if s.kind is spec.WorkloadKind.JOB
         else ir.FALSE, Reason.BACKOFF_LIMIT_EXCEEDED),
        (ir.and_(s.exists, ir.not_(cluster.bound(s)), ir.not_(ir.or_(*binds))),
         Reason.FAILED_SCHEDULING),
    ]
    expr: ir.Expr = ir.Const(len(REASONS))
    for cond, why in reversed(chain):
        expr = ir.ite(cond, REASONS.index(why), expr)
    return expr


def never_produced(reason: str) -> str:
    """Why a formula may not name `reason` ('' when the model produces it)."""
    why = NEVER_PRODUCED.get(reason)
    return f"the model never produces reason `{reason}`: {why}" if why else ""


def missing_container(s: Slot, name: str) -> str:
    """Why `p.container(name)` names nothing in slot `s` ('' when it names a container)."""
    t = s.workload.template
    if name in {c.name for c in (*t.initContainers, *t.containers)}:
        return ""
    return f"pod `{s.name}` has no container `{name}`"


def updated(cluster: Cluster, s: Slot) -> ir.Expr:
    """`p.updated`: the pod exists at its controller's latest template revision (a
    Deployment's or StatefulSet's with rollouts; without them every pod is)."""
    revision = cluster.counters.revisions.get(s.workload.name)
    if revision is None or s.revision is None:
        return s.exists
    return ir.and_(s.exists, ir.eq(s.revision, revision))

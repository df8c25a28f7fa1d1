"""A Job's `podFailurePolicy` in IR: what the Job controller does with one failed pod.

Stage: internal to `podcheck.model` (called by `job.py`).  Consumes a Job's rules
(`spec.PolicyRule`, kube's own type) and one slot's containers; produces IR for "the
failure counts towards backoffLimit" and "a FailJob rule matched".

`match_ir` is `kube.job.match_policy_core` term by term (pkg/controller/job/
pod_failure_policy.go `matchPodFailurePolicy`): the first rule that matches decides; an
exit-code rule matches a terminated container (app containers, then init containers)
with a non-zero exit code In / NotIn its values, restricted to `containerName` when it
has one; a condition rule matches when the pod carries the DisruptionTarget condition,
the only one the model produces.  NOTE(policy-at-deletion): the model deletes a pod at
once (no grace period), so what the controller would read once the pod is Failed is
decided at the deletion: the pod carries DisruptionTarget when the eviction API or the
taint eviction controller deleted it (`Cluster.delete_updates(disrupted=True)`), a
container still running is read as killed (exit code 137, as the model's kubelet kills),
and a waiting one has no terminated state.  tests/model/test_job_policy.py checks
`match_ir` against kube's function on every combination of container states and exit
codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from podcheck import ir, spec
from podcheck.model.cluster import Slot
from podcheck.vocab import ExitCodeOperator, PodConditionType, PodFailurePolicyAction

STATE_WAITING, STATE_RUNNING, STATE_TERMINATED = 0, 1, 2  # CONTAINER_FIELDS["state"]
_DISRUPTED = (str(PodConditionType.DISRUPTION_TARGET), "True")


@dataclass(frozen=True, slots=True)
class ContainerRead:
    """One container as the policy reads it: its name, state (0 waiting, 1 running,
    2 terminated) and exit code, as IR."""

    name: str
    state: ir.Expr
    code: ir.Expr


@dataclass(frozen=True, slots=True)
class PolicyVerdict:
    """IR of `matchPodFailurePolicy`'s answer: the failure counts towards backoffLimit,
    and a FailJob rule matched."""

    counts: ir.Expr
    fail_job: ir.Expr


def containers_of(s: Slot) -> list[ContainerRead]:
    """The slot's app containers, then its init containers (`matchOnExitCodes` order)."""
    t = s.workload.template
    return [ContainerRead(c.name, s.model.container_field(c.name, "state"),
                          s.model.container_field(c.name, "exitCode"))
            for c in (*t.containers, *t.initContainers)]


def match_ir(rules: Sequence[spec.PolicyRule], containers: Sequence[ContainerRead],
             disrupted: bool, at_deletion: bool) -> PolicyVerdict:
    """The verdict for a failed pod with these containers; `disrupted`: it carries
    DisruptionTarget; `at_deletion`: read at the deletion (NOTE(policy-at-deletion))."""
    counts: ir.Expr = ir.TRUE
    fail_job: ir.Expr = ir.FALSE
    for rule in reversed(rules):
        hit = _hit(rule, containers, disrupted, at_deletion)
        counts = choose(hit, _bool(rule.action is not PodFailurePolicyAction.IGNORE), counts)
        fail_job = choose(hit, _bool(rule.action is PodFailurePolicyAction.FAIL_JOB), fail_job)
    return PolicyVerdict(counts, fail_job)


def choose(cond: ir.Expr, then: ir.Expr | int, other: ir.Expr | int) -> ir.Expr:
    """`ite(cond, then, other)`, folded when `cond` is a constant or both sides agree."""
    yes, no = _expr(then), _expr(other)
    if cond == ir.TRUE or yes == no:
        return yes
    if cond == ir.FALSE:
        return no
    return ir.ite(cond, yes, no)


def _expr(e: ir.Expr | int) -> ir.Expr:
    return ir.Const(e) if isinstance(e, int) else e


def _bool(value: bool) -> ir.Expr:
    return ir.TRUE if value else ir.FALSE


def _hit(rule: spec.PolicyRule, containers: Sequence[ContainerRead], disrupted: bool,
         at_deletion: bool) -> ir.Expr:
    if rule.operator is None:
        return ir.TRUE if disrupted and _DISRUPTED in rule.conditions else ir.FALSE
    # imported here: containers.py reaches job.py (through the property observables)
    from podcheck.model.containers import KILLED
    hits = []
    for c in containers:
        if rule.container not in (None, c.name):
            continue
        code, terminated = c.code, ir.eq(c.state, STATE_TERMINATED)
        if at_deletion:  # a running container is killed by the deletion
            code = ir.ite(ir.eq(c.state, STATE_RUNNING), KILLED, c.code)
            terminated = ir.op("!=", c.state, STATE_WAITING)
        listed = ir.or_(*(ir.eq(code, v) for v in rule.values))
        wanted = listed if rule.operator is ExitCodeOperator.IN else ir.not_(listed)
        hits.append(ir.and_(terminated, ir.op("!=", code, 0), wanted))
    return ir.or_(*hits)
